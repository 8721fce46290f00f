package logs

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// InputSource are the flags that say where records come from and how to read them: files, directories,
// s3:// prefixes, --log-group, --log-format, --strict, --workers and the AWS flags. `logs report`, `logs cost`
// and `logs export` all pick and read their input through it (readInputs): one way to read logs input.
type InputSource struct {
	Inputs    []string
	AWS       awsconf.Options
	LogGroups []string
	LogFormat string
	Strict    bool
	Workers   int
}

// recordFilter are the record filters every command that reads records has: --since, --until, --account,
// --vpc, --interface (`logs report` and `logs athena` add more in FilterOptions).
type recordFilter struct {
	Since, Until               string
	Accounts, VPCs, Interfaces []string
}

func (o *recordFilter) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Since, "since", "", "only records starting at or after this time: RFC 3339, a date (2026-01-02) or an age (24h, 7d)")
	fs.StringVar(&o.Until, "until", "", "only records starting before this time (same forms as --since)")
	fs.StringSliceVar(&o.Accounts, "account", nil, "only these account ids")
	fs.StringSliceVar(&o.VPCs, "vpc", nil, "only these VPC ids (needs the vpc-id field)")
	fs.StringSliceVar(&o.Interfaces, "interface", nil, "only these network interface ids")
}

// InputOptions are the input flags and record filters of `logs cost` and `logs export`.
type InputOptions struct {
	InputSource
	recordFilter
}

// logFormatUsage is the help of --log-format on the commands that read records.
const logFormatUsage = "record format (the flow log's LogFormat) for input without a header line, e.g. '${version} ${vpc-id} ${srcaddr} …' " +
	"(default: the header, the flow log's LogFormat, or the default format)"

// addFlags registers the input flags and the record filters.
func (o *InputOptions) addFlags(fs *pflag.FlagSet, ordered bool) {
	o.InputSource.addFlags(fs, ordered)
	o.recordFilter.addFlags(fs)
}

// addFlags registers the input flags; ordered commands (logs export: records come out in input order) read
// one input at a time and have no --workers.
func (o *InputSource) addFlags(fs *pflag.FlagSet, ordered bool) {
	o.AWS.AddFlags(fs)
	fs.StringSliceVar(&o.LogGroups, "log-group", nil, "CloudWatch Logs group(s) to read")
	if ordered {
		// --format is the export's target schema there: no deprecated --format alias of --log-format.
		fs.StringVar(&o.LogFormat, "log-format", "", logFormatUsage)
	} else {
		cmdutil.AddLogFormatFlag(fs, &o.LogFormat, logFormatUsage)
	}
	fs.BoolVar(&o.Strict, "strict", false, "stop at the first malformed line instead of counting and skipping it")
	if !ordered {
		fs.IntVar(&o.Workers, "workers", 0, "parallel readers (default: number of CPUs, at least 8 for S3 and CloudWatch Logs)")
	}
}

// filter validates the filter flags.
func (o *InputOptions) filter(now time.Time) (analyze.Filter, error) {
	fo := FilterOptions{recordFilter: o.recordFilter}
	f, err := fo.filter(now)
	if err != nil {
		return f, cmdutil.Usage(err)
	}
	return f, nil
}

// check validates what can be checked before anything is read (a usage error): something to read, and
// --log-format. It returns the format override (nil: none).
func (o *InputSource) check() (*flowlog.Format, error) {
	if len(o.Inputs) == 0 && len(o.LogGroups) == 0 {
		return nil, cmdutil.UsageError("nothing to read: give files, directories or s3:// URLs, or --log-group")
	}
	if o.LogFormat == "" {
		return nil, nil
	}
	f, err := flowlog.ParseFormat(o.LogFormat)
	if err != nil {
		return nil, cmdutil.UsageError("--log-format: %v", err)
	}
	return f, nil
}

// readResult is what reading the inputs gave.
type readResult struct {
	stats   flowlog.Stats
	failed  []source.Failure
	units   int
	sources []string
}

// readInputs lists the inputs and reads them with newSink per worker. An error is an exit error (usage, or
// input: exit 2); inputs that fail, or could not be listed (symlink loops, broken links, empty directories),
// are listed in the result, the others read.
func (o *InputSource) readInputs(ctx context.Context, io *cmdutil.IOStreams, awsConfig func(context.Context, awsconf.Options) (aws.Config, error),
	filter analyze.Filter, ordered bool, newSink func() source.Sink) (*readResult, error) {
	fmtOverride, err := o.check()
	if err != nil {
		return nil, err
	}
	var units []source.Unit
	var local, s3urls []string
	for _, a := range o.Inputs {
		if strings.HasPrefix(a, "s3://") {
			s3urls = append(s3urls, a)
		} else {
			local = append(local, a)
		}
	}
	var unlisted []source.Failure
	if len(local) > 0 {
		us, problems, err := source.List(local, io.In)
		if err != nil {
			return nil, cmdutil.Usage(err)
		}
		units, unlisted = append(units, us...), problems
	}
	remote := len(s3urls) > 0 || len(o.LogGroups) > 0
	if remote {
		awsCfg, err := awsConfig(ctx, o.AWS)
		if err != nil {
			return nil, err
		}
		for _, u := range s3urls {
			l, err := source.ListS3(ctx, source.NewS3Client(awsCfg), u, filter.Since, filter.Until)
			if err != nil {
				return nil, inputError(err)
			}
			units = append(units, l.Units...)
		}
		for _, g := range o.LogGroups {
			us, err := source.ListCloudWatch(ctx, source.NewCloudWatchClients(awsCfg), g, fmtOverride, filter.Since, filter.Until)
			if err != nil {
				return nil, inputError(err)
			}
			units = append(units, us...)
		}
	}
	workers := o.Workers
	if ordered {
		workers = 1
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
		if remote {
			workers = max(workers, 8)
		}
	}
	var runOpts []source.RunOption
	progress := cmdutil.NewProgress(io)
	if progress.Enabled() {
		runOpts = append(runOpts, source.WithProgress(progressEvery, func(p source.Progress) {
			progress.Show(fmt.Sprintf("read %s records, %s, %d/%d inputs", human.Count(p.Records), human.Bytes(p.Bytes), p.Done, p.Total))
		}))
	}
	stats, failed, err := source.RunAll(ctx, units, workers, flowlog.Options{Format: fmtOverride, Strict: o.Strict}, newSink, runOpts...)
	progress.Done()
	if err != nil {
		var me *flowlog.MalformedError
		if errors.As(err, &me) {
			return nil, &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("malformed line (--strict): %w", err)}
		}
		return nil, inputError(err)
	}
	return &readResult{stats: stats, failed: append(unlisted, failed...), units: len(units) + len(unlisted),
		sources: append(append([]string{}, o.Inputs...), prefixAll("log-group:", o.LogGroups)...)}, nil
}

// incomplete is the exit error after the output is written: inputs that failed, mostly malformed lines,
// or no record at all (exit 2), or nil.
func (r *readResult) incomplete() error {
	if len(r.failed) > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("%d of %d inputs could not be read (first: %q: %q)",
			len(r.failed), r.units, r.failed[0].Source, r.failed[0].Error)}
	}
	if r.stats.Lines > 0 && r.stats.Malformed*2 > r.stats.Lines {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("%d of %d lines are malformed: is the format right? (no header line: give --log-format)",
			r.stats.Malformed, r.stats.Lines)}
	}
	if r.stats.Records == 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("no flow-log records were read from %d inputs (%d lines, %d malformed)",
			r.units, r.stats.Lines, r.stats.Malformed)}
	}
	return nil
}
