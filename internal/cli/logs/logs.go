// Package logs is the logs command: report, generate and athena (ddl, run).
package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/render"
	"github.com/flowguard/flowguard/internal/logs/source"
	"github.com/flowguard/flowguard/internal/outfile"
)

// NewCmdLogs builds the logs command and its subcommands.
func NewCmdLogs(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Read VPC flow logs (files, S3, CloudWatch Logs, Athena) and report what they show",
	}
	cmd.AddCommand(NewCmdReport(f, nil), NewCmdGenerate(f, nil), NewCmdAthena(f), NewCmdCost(f, nil), NewCmdExport(f, nil))
	return cmd
}

// FilterOptions are the record filters and detector thresholds shared by `logs report` and `logs athena run`.
type FilterOptions struct {
	recordFilter
	Action          string
	Addrs           []string
	Ports           []int
	Protocols       []string
	BruteForcePorts []int
	Cfg             analyze.Config
}

func (o *FilterOptions) addFlags(fs *pflag.FlagSet) {
	o.Cfg = analyze.Defaults()
	o.recordFilter.addFlags(fs)
	fs.StringVar(&o.Action, "action", "", "only ACCEPT or REJECT records")
	fs.StringSliceVar(&o.Addrs, "addr", nil, "only records whose source or destination is in this address or CIDR (repeatable)")
	fs.IntSliceVar(&o.Ports, "port", nil, "only records whose source or destination port is one of these")
	fs.StringSliceVar(&o.Protocols, "protocol", nil, "only these protocols: tcp, udp, icmp, icmpv6 or a number")
	fs.IntVar(&o.Cfg.VerticalPorts, "vertical-ports", o.Cfg.VerticalPorts, "vertical scan: distinct ports one source reaches on one destination")
	fs.DurationVar(&o.Cfg.VerticalWindow, "vertical-window", o.Cfg.VerticalWindow, "vertical scan window")
	fs.IntVar(&o.Cfg.HorizontalHosts, "horizontal-hosts", o.Cfg.HorizontalHosts, "horizontal scan: distinct destinations one source reaches on one port")
	fs.DurationVar(&o.Cfg.HorizontalWindow, "horizontal-window", o.Cfg.HorizontalWindow, "horizontal scan window")
	fs.IntVar(&o.Cfg.BruteForceRejects, "brute-force-rejects", o.Cfg.BruteForceRejects, "brute force: REJECTs from one source to one brute-force port")
	fs.DurationVar(&o.Cfg.BruteForceWindow, "brute-force-window", o.Cfg.BruteForceWindow, "brute force window")
	fs.IntSliceVar(&o.BruteForcePorts, "brute-force-ports", []int{22, 3389}, "ports watched for brute force")
	fs.BoolVar(&o.Cfg.ScanAccepted, "scan-accepted", false, "count ACCEPTed records in the scan detectors too (default: REJECTs only)")
	fs.IntVar(&o.Cfg.TopN, "top", o.Cfg.TopN, "rows in each top list")
}

// config validates the flags and returns the analysis configuration (a usage error when a flag is bad).
func (o *FilterOptions) config(now time.Time) (analyze.Config, error) {
	filter, err := o.filter(now)
	if err != nil {
		return analyze.Config{}, cmdutil.Usage(err)
	}
	for _, v := range []struct {
		name string
		v    int
	}{{"--vertical-ports", o.Cfg.VerticalPorts}, {"--horizontal-hosts", o.Cfg.HorizontalHosts}, {"--brute-force-rejects", o.Cfg.BruteForceRejects}, {"--top", o.Cfg.TopN}} {
		if v.v < 1 {
			return analyze.Config{}, cmdutil.UsageError("%s must be at least 1", v.name)
		}
	}
	for _, d := range []time.Duration{o.Cfg.VerticalWindow, o.Cfg.HorizontalWindow, o.Cfg.BruteForceWindow} {
		if d < time.Second {
			return analyze.Config{}, cmdutil.UsageError("detector windows must be at least 1s")
		}
	}
	cfg := o.Cfg
	cfg.Filter = filter
	cfg.BruteForcePorts = nil
	for _, p := range o.BruteForcePorts {
		if p < 0 || p > 65535 {
			return analyze.Config{}, cmdutil.UsageError("bad --brute-force-ports %d", p)
		}
		cfg.BruteForcePorts = append(cfg.BruteForcePorts, int32(p))
	}
	return cfg, nil
}

// ReportOptions are the flags and arguments of `logs report`.
type ReportOptions struct {
	IO        *cmdutil.IOStreams
	AWSConfig func(context.Context, awsconf.Options) (aws.Config, error)
	Now       func() time.Time
	Ctx       context.Context

	// InputSource: files, directories, s3:// URLs, --log-group and how to read them (inputs.go).
	InputSource
	FilterOptions
	Output   string
	Out      string
	MaxState int
	// TopKCapacity bounds each top-k table.
	TopKCapacity int
	Enrich       EnrichOptions
	// Store records the report's summary in the history store (--store, FLOWGUARD_STORE).
	Store cmdutil.StoreOptions
}

// NewCmdReport builds `logs report`; runF replaces reportRun in tests.
func NewCmdReport(f *cmdutil.Factory, runF func(*ReportOptions) error) *cobra.Command {
	o := &ReportOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "report [PATH | s3://BUCKET/PREFIX]...",
		Short: "Report totals, top talkers, rejected traffic, scans, brute force and SKIPDATA from flow logs",
		Long: `Read flow-log records from local files or directories (plain, .gz or Parquet, recursively), S3 prefixes
(s3://bucket/prefix: only the date prefixes inside --since/--until are listed) or CloudWatch Logs groups
(--log-group; the record format comes from --log-format or from the LogFormat of the flow log delivering there),
and report what they show. Records are streamed: memory stays bounded whatever the input size.

With an inventory (--snapshot FILE from scan --read-network --save-snapshot, or --enrich to read it live)
the report names the resource behind each interface and address (instance, load balancer, NAT gateway,
Lambda, …), says why REJECTed records were rejected (the network ACL rule, no security-group allow, the
record's reject-reason, or undetermined and why) and lists internet traffic ACCEPTed to sensitive ports with the security-group rule
that allowed it. Rules are as read, not as they were when the records were written.`,
		Example: `  flowguard logs generate --out-dir ./flowlogs --records 200000 --vertical-scans 1 --brute-force 1
  flowguard logs report ./flowlogs
  flowguard logs report s3://my-flow-log-bucket/ --since 2026-01-01 --until 2026-01-02 -o html --out report.html
  flowguard logs report records.txt --log-format '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}'

  flowguard logs report --log-group /vpc/flow-logs --region eu-west-1 --since 24h --action reject

  flowguard scan --read-network --save-snapshot inv.json && flowguard logs report ./flowlogs --snapshot inv.json --by resource
  flowguard logs report ./flowlogs --enrich --region eu-west-1 --sensitive-ports 22,3389,5432 -o html --out report.html`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Inputs = cmd.Context(), args
			if runF != nil {
				return runF(o)
			}
			return reportRun(o, cmd.Flags())
		},
	}
	fs := cmd.Flags()
	o.InputSource.addFlags(fs, false)
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: "+strings.Join(render.Formats, ", "))
	cmdutil.AddOutFlag(fs, &o.Out)
	o.FilterOptions.addFlags(fs)
	fs.IntVar(&o.MaxState, "max-detector-state", analyze.Defaults().MaxDetectorState, "memory bound of the detectors, in keys plus set elements")
	o.Enrich.addFlags(fs)
	fs.IntVar(&o.TopKCapacity, "topk-capacity", analyze.Defaults().TopKCapacity, "keys each top-k table holds per worker: counts are exact below it, approximate (with a stated bound) above; small tables stay in CPU cache")
	cmdutil.AddStoreFlag(fs, &o.Store, f)
	return cmd
}

// parseTime reads RFC 3339, a date, or an age relative to now ("24h", "7d").
func parseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if strings.HasSuffix(s, "d") {
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("bad time %q: want RFC 3339, YYYY-MM-DD, an age such as 24h or 7d, or Unix seconds", s)
}

func parseProtocol(s string) (int32, error) {
	switch strings.ToLower(s) {
	case "tcp":
		return 6, nil
	case "udp":
		return 17, nil
	case "icmp":
		return 1, nil
	case "icmpv6":
		return 58, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return 0, fmt.Errorf("bad protocol %q: want tcp, udp, icmp, icmpv6 or 0-255", s)
	}
	return int32(n), nil
}

func (o *FilterOptions) filter(now time.Time) (analyze.Filter, error) {
	var f analyze.Filter
	var err error
	if f.Since, err = parseTime(o.Since, now); err != nil {
		return f, err
	}
	if f.Until, err = parseTime(o.Until, now); err != nil {
		return f, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return f, fmt.Errorf("--since %s is not before --until %s", f.Since.Format(time.RFC3339), f.Until.Format(time.RFC3339))
	}
	f.Accounts, f.VPCs, f.Interfaces = o.Accounts, o.VPCs, o.Interfaces
	switch strings.ToUpper(o.Action) {
	case "":
	case "ACCEPT":
		f.Action = flowlog.Accept
	case "REJECT":
		f.Action = flowlog.Reject
	default:
		return f, fmt.Errorf("bad --action %q: want ACCEPT or REJECT", o.Action)
	}
	for _, a := range o.Addrs {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			ad, aerr := netip.ParseAddr(a)
			if aerr != nil {
				return f, fmt.Errorf("bad --addr %q: want an address or CIDR", a)
			}
			p = netip.PrefixFrom(ad, ad.BitLen())
		}
		f.Addrs = append(f.Addrs, p.Masked())
	}
	for _, p := range o.Ports {
		if p < 0 || p > 65535 {
			return f, fmt.Errorf("bad --port %d", p)
		}
		f.Ports = append(f.Ports, int32(p))
	}
	for _, s := range o.Protocols {
		p, err := parseProtocol(s)
		if err != nil {
			return f, err
		}
		f.Protocols = append(f.Protocols, p)
	}
	return f, nil
}

func reportRun(o *ReportOptions, fs *pflag.FlagSet) error {
	ctx, io := o.Ctx, o.IO
	if err := render.Check(o.Output); err != nil {
		return cmdutil.Usage(err)
	}
	cfg, err := o.config(o.Now().UTC())
	if err != nil {
		return err
	}
	cfg.MaxDetectorState = o.MaxState
	// The tables are allocated for their capacity up front (several per worker), so a mistyped huge value
	// would end in the runtime's out-of-memory crash rather than a message.
	if o.TopKCapacity < 16 || o.TopKCapacity > maxTopKCapacity {
		return cmdutil.UsageError("--topk-capacity must be between 16 and %d", maxTopKCapacity)
	}
	cfg.TopKCapacity = o.TopKCapacity
	// The input flags are checked before an inventory is read (--enrich reads AWS).
	if _, err := o.InputSource.check(); err != nil {
		return err
	}
	ports, err := o.Enrich.check(fs)
	if err != nil {
		return err
	}
	if o.Enrich.enabled() {
		if cfg.Enrich, err = loadIndex(ctx, o, ports); err != nil {
			return err
		}
		cfg.KeyBy = o.Enrich.By
	}
	eng := analyze.New(cfg, runtime.GOMAXPROCS(0))
	res, err := o.InputSource.readInputs(ctx, io, o.AWSConfig, cfg.Filter, false, func() source.Sink { return eng.Shard() })
	if err != nil {
		return err
	}
	rep := eng.Finish(res.stats, res.sources)
	for _, f := range res.failed {
		rep.ReadErrors = append(rep.ReadErrors, analyze.ReadError{Source: f.Source, Error: f.Error})
	}
	out := cmdutil.NewReportOut(io, o.Out)
	if err := render.Report(out.W(), o.Output, rep); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	if err := o.Store.RecordLogsReport(ctx, io, rep); err != nil {
		return err
	}
	if len(res.failed) > 0 {
		// The report is printed, but incomplete: say so on stderr and in the exit code.
		// The first one on stderr too, quoted: paths come from the listed tree and may hold control characters.
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("%d of %d inputs could not be read (listed in the report; first: %q: %q)",
			len(res.failed), res.units, res.failed[0].Source, res.failed[0].Error)}
	}
	if rep.MostlyMalformed() {
		// Most lines did not parse: the report is about the few that did. Say why, and do not exit 0.
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: errors.New(rep.MalformedHint(o.LogFormat != ""))}
	}
	if res.stats.Records == 0 {
		// Nothing to report on is not a clean report: say so, and do not exit 0.
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("no flow-log records were read from %d inputs (%d lines, %d malformed)",
			res.units, res.stats.Lines, res.stats.Malformed)}
	}
	return nil
}

// progressEvery is how often the progress line of logs report and logs generate is redrawn.
const progressEvery = 200 * time.Millisecond

// maxTopKCapacity is the largest --topk-capacity: 64 times the default, about 2 GB of tables on 2 workers.
const maxTopKCapacity = 1 << 20

// inputError is an input that could not be listed or read: exit 2. An input that does not exist (a log group,
// a bucket, a prefix with no objects: *source.NotFoundError) is printed as it is, without the layers of
// context around it.
func inputError(err error) error {
	var nf *source.NotFoundError
	if errors.As(err, &nf) {
		err = nf
	}
	return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
}

func prefixAll(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

// GenerateOptions are the flags of `logs generate`.
type GenerateOptions struct {
	IO *cmdutil.IOStreams

	Cfg       gen.Config
	Out       string
	OutDir    string
	Version   int
	LogFormat string
	Start     string
	Layout    cmdutil.S3LayoutOptions
	NoHeader  bool
}

// NewCmdGenerate builds `logs generate`; runF replaces generateRun in tests.
func NewCmdGenerate(f *cmdutil.Factory, runF func(*GenerateOptions) error) *cobra.Command {
	o := &GenerateOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Write realistic synthetic flow logs with planted scans and brute force (seeded, reproducible)",
		Long: `Write synthetic flow logs: request/response traffic between interfaces and AWS services, rejected
internet noise, NODATA rows, and the attacks you ask for, each inside one clock hour. --out-dir DIR writes the
S3 delivery layout (one gzip object per hour, header line first; --file-format parquet for Parquet,
--hive-partitions and --per-hour-partitions for the other prefixes); --out FILE.gz or FILE writes one file;
--out - writes to standard output. The planted attacks, with the counts a report should show, are printed as
JSON (to stderr when the records go to stdout).`,
		Example: `  flowguard logs generate --out-dir ./flowlogs --records 200000 --vertical-scans 1 --horizontal-scans 1 --brute-force 1
  flowguard logs generate --out-dir ./flowlogs --file-format parquet --hive-partitions --per-hour-partitions
  flowguard logs generate --out records.log.gz --log-format '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}'
  flowguard logs generate --out - --records 1000 --version 5 | head`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return generateRun(o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Out, "out", "", "file to write (.gz for gzip), or - for standard output")
	fs.StringVar(&o.OutDir, "out-dir", "", "directory to write in the S3 delivery layout (one object per hour)")
	fs.Uint64Var(&o.Cfg.Seed, "seed", 1, "random seed: the same seed and flags give the same logs")
	fs.IntVar(&o.Cfg.Records, "records", 100000, "records of normal traffic")
	fs.StringVar(&o.Start, "start", "2026-01-01T00:00:00Z", "time of the first record (RFC 3339)")
	fs.DurationVar(&o.Cfg.Duration, "duration", 24*time.Hour, "time the records span")
	fs.IntVar(&o.Version, "version", 2, "format version: 2 is the default format; 3-11 add every field of that version")
	cmdutil.AddLogFormatFlag(fs, &o.LogFormat, "custom record format (a LogFormat) instead of --version, e.g. '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}'")
	fs.StringVar(&o.Cfg.Account, "account", "123456789012", "account id")
	fs.StringVar(&o.Cfg.Region, "region", "us-east-1", "region")
	fs.IntVar(&o.Cfg.Interfaces, "interfaces", 50, "network interfaces")
	fs.IntVar(&o.Cfg.VerticalScans, "vertical-scans", 0, "planted vertical port scans")
	fs.IntVar(&o.Cfg.HorizontalScans, "horizontal-scans", 0, "planted horizontal scans")
	fs.IntVar(&o.Cfg.BruteForces, "brute-force", 0, "planted SSH/RDP brute-force sources")
	fs.IntVar(&o.Cfg.SkipData, "skipdata", 0, "SKIPDATA rows planted on one interface")
	o.Layout.AddFlags(fs, "--out-dir")
	fs.BoolVar(&o.NoHeader, "no-header", false, "file output: no header line (like CloudWatch Logs events)")
	return cmd
}

func generateRun(o *GenerateOptions) error {
	io := o.IO
	if o.Out != "" && o.OutDir != "" {
		return cmdutil.UsageError("use --out FILE or --out-dir DIR, not both")
	}
	if o.Out == "" && o.OutDir == "" {
		return cmdutil.UsageError("--out FILE (or - for standard output) or --out-dir DIR is required")
	}
	lay, err := o.Layout.Layout()
	if err != nil {
		return cmdutil.Usage(err)
	}
	if o.Out != "" && o.Out != "-" {
		// --out used to take a directory too: that is --out-dir now, and still works with a warning.
		if st, statErr := os.Stat(o.Out); (statErr == nil && st.IsDir()) || (statErr != nil && !isRecordFileName(o.Out)) {
			fmt.Fprintf(io.ErrOut, "flowguard: warning: --out with a directory is deprecated: use --out-dir %s\n", o.Out)
			o.OutDir, o.Out = o.Out, ""
		}
	}
	if o.OutDir == "" && (lay.Parquet || lay.Hive || lay.PerHour) {
		return cmdutil.UsageError("--file-format parquet, --hive-partitions and --per-hour-partitions apply to --out-dir")
	}
	start, err := time.Parse(time.RFC3339, o.Start)
	if err != nil {
		return cmdutil.UsageError("bad --start: %v", err)
	}
	o.Cfg.Start = start
	if o.Cfg.Records < 0 || o.Cfg.Interfaces < 1 || o.Cfg.Interfaces > 60000 {
		return cmdutil.UsageError("--records must be ≥ 0 and --interfaces 1-60000")
	}
	for _, n := range []int{o.Cfg.VerticalScans, o.Cfg.HorizontalScans, o.Cfg.BruteForces} {
		if n < 0 || n > 6 {
			return cmdutil.UsageError("planted attacks: at most 6 of each kind")
		}
	}
	switch {
	case o.LogFormat != "":
		if o.Cfg.Format, err = flowlog.ParseFormat(o.LogFormat); err != nil {
			return cmdutil.UsageError("--log-format: %v", err)
		}
	case o.Version == 2:
		o.Cfg.Format = flowlog.DefaultFormat
	case o.Version >= 3 && o.Version <= flowlog.MaxVPCVersion:
		o.Cfg.Format = flowlog.FormatOf(flowlog.FieldsOfVersion(o.Version)...)
	default:
		return cmdutil.UsageError("--version must be 2-%d", flowlog.MaxVPCVersion)
	}
	// Progress on a terminal's stderr, unless the records themselves go to a terminal (--out - on a TTY).
	var genOpts []gen.Option
	progress := cmdutil.NewProgress(io)
	if progress.Enabled() && !(o.Out == "-" && io.OutTTY) {
		genOpts = append(genOpts, gen.WithProgress(progressEvery, func(p gen.Progress) {
			progress.Show(fmt.Sprintf("wrote %s of %s records, %s", human.Count(p.Records), human.Count(p.Total), human.Bytes(p.Bytes)))
		}))
	}
	g := gen.New(o.Cfg, genOpts...)
	summaryTo := io.Out
	var files []string
	switch {
	case o.Out == "-":
		summaryTo = io.ErrOut
		err = g.WriteStream(io.Out, !o.NoHeader)
	case o.OutDir != "":
		files, err = g.WriteDir(o.OutDir, lay)
	default:
		err = writeGenFile(g, o.Out, !o.NoHeader)
		files = []string{o.Out}
	}
	progress.Done()
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("generate flow logs: %w", err)}
	}
	enc := json.NewEncoder(summaryTo)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		gen.Summary
		Files int `json:"files"`
	}{g.Summary, len(files)})
}

// isRecordFileName says whether --out names a file of records (the names logs generate writes as one file).
func isRecordFileName(p string) bool {
	return strings.HasSuffix(p, ".gz") || strings.HasSuffix(p, ".log") || strings.HasSuffix(p, ".txt")
}

func writeGenFile(g *gen.Generator, path string, header bool) error {
	return outfile.WriteWith(path, outfile.ModeReport, func(w io.Writer) error {
		if strings.HasSuffix(path, ".gz") {
			return gen.WriteGzip(w, g, header)
		}
		return g.WriteStream(w, header)
	})
}
