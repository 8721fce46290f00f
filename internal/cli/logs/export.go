package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/ocsf"
	"github.com/flowguard/flowguard/internal/logs/source"
	"github.com/flowguard/flowguard/internal/outfile"
)

// ExportOptions are the flags and arguments of `logs export`.
type ExportOptions struct {
	IO        *cmdutil.IOStreams
	AWSConfig func(context.Context, awsconf.Options) (aws.Config, error)
	Now       func() time.Time
	Ctx       context.Context

	InputOptions
	Format string
	Output string
	Out    string
}

// Export formats and encodings.
const (
	exportFormatOCSF = "ocsf"
	outputParquet    = "parquet"
)

// NewCmdExport builds `logs export`; runF replaces exportRun in tests.
func NewCmdExport(f *cmdutil.Factory, runF func(*ExportOptions) error) *cobra.Command {
	o := &ExportOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "export [PATH | s3://BUCKET/PREFIX]...",
		Short: "Convert flow-log records to OCSF Network Activity events (JSON lines or Parquet)",
		Long: `Read flow-log records (the same inputs as logs report) and write each one as an OCSF ` + ocsf.Version + ` Network Activity
event (class_uid 4001, category 4; metadata.version names the schema version; the cloud and security_control
profiles), ready for Amazon Security Lake or a SIEM: -o json writes one event per line, -o parquet a Parquet file
(zstd; its key-value metadata carries ocsf.version). Records are streamed, in input order, one input at a time:
memory stays bounded whatever the input size. Malformed lines are counted and skipped (--strict stops at the
first); the summary goes to standard error.`,
		Example: `  flowguard logs export --format ocsf ./flowlogs --out events.jsonl
  flowguard logs export --format ocsf -o parquet s3://my-flow-logs/ --since 24h --out events.parquet
  flowguard logs export --format ocsf --log-group /vpc/flow-logs --region eu-west-1 --since 1h | head`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Inputs = cmd.Context(), args
			if runF != nil {
				return runF(o)
			}
			return exportRun(o)
		},
	}
	fs := cmd.Flags()
	o.InputOptions.addFlags(fs, true)
	fs.StringVar(&o.Format, "format", exportFormatOCSF, "schema of the events: ocsf (OCSF "+ocsf.Version+" Network Activity)")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "encoding of the events: json (JSON lines) or parquet (the default, table, is json: events have no table form)")
	fs.StringVar(&o.Out, "out", "", "write the events to this file instead of standard output")
	return cmd
}

func exportRun(o *ExportOptions) error {
	if o.Format != exportFormatOCSF {
		return cmdutil.UsageError("--format %q: want ocsf", o.Format)
	}
	enc := ocsf.EncodingJSON
	switch o.Output {
	case cmdutil.OutputTable, cmdutil.OutputJSON:
	case outputParquet:
		enc = ocsf.EncodingParquet
	default:
		return cmdutil.UsageError("--output %q: want json or parquet", o.Output)
	}
	if o.Out == "" && o.IO.OutTTY {
		// Thousands of JSON lines or binary Parquet are not for a terminal.
		return cmdutil.UsageError("logs export writes events, not a report: give --out FILE, or pipe standard output")
	}
	filter, err := o.filter(o.Now().UTC())
	if err != nil {
		return err
	}
	match := filter.Matcher()
	var res *readResult
	var events int64
	write := func(w io.Writer) error {
		ew, err := ocsf.NewWriter(w, enc)
		if err != nil {
			return err
		}
		var werr error
		sink := exportSink{fn: func(r *flowlog.Record) {
			if werr == nil && match(r) {
				werr = ew.Write(r)
			}
		}}
		res, err = o.readInputs(o.Ctx, o.IO, o.AWSConfig, filter, true, func() source.Sink { return sink })
		if err != nil {
			return err
		}
		if werr != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("write events: %w", werr)}
		}
		events = ew.Events()
		return ew.Close()
	}
	if o.Out != "" {
		err = outfile.WriteWith(o.Out, outfile.ModePrivate, write)
	} else {
		err = write(o.IO.Out)
	}
	if err != nil {
		var ee *cmdutil.ExitError
		if errors.As(err, &ee) {
			return ee
		}
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
	}
	fmt.Fprintf(o.IO.ErrOut, "flowguard: %s OCSF %s events (%s) from %s records of %s\n", human.Count(events), ocsf.Version, enc,
		human.Count(res.stats.Records), human.Plural(res.units, "input"))
	for _, f := range res.failed {
		fmt.Fprintf(o.IO.ErrOut, "flowguard: not read: %q: %q\n", f.Source, f.Error)
	}
	for _, m := range res.stats.Samples {
		fmt.Fprintf(o.IO.ErrOut, "flowguard: malformed: %q\n", m.String())
	}
	return res.incomplete()
}

// exportSink hands every record to fn (one worker: records come in input order).
type exportSink struct{ fn func(*flowlog.Record) }

func (s exportSink) Add(r *flowlog.Record) { s.fn(r) }
