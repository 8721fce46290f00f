package cmdutil

// One vocabulary: a concept has one flag name on every command that has it. The flags shared by several
// commands are defined here (or in accounts.Options / awsconf.Options) once; the old names stay as hidden,
// deprecated aliases that print one warning on stderr.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/logs/layout"
	"github.com/flowguard/flowguard/internal/outfile"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// DefaultConcurrency is the one --concurrency default: account-regions read (or changed) at once. API rate
// limits are per account and region, so it bounds local resources, not any one account's API budget.
const DefaultConcurrency = awsapi.DefaultConcurrency

// Output formats: table is the human format on every command; text is its deprecated old name.
const (
	OutputTable = "table"
	OutputJSON  = "json"
)

// deprecatedAnnotation marks a hidden flag that is an old name; its value is the message after "is deprecated".
const deprecatedAnnotation = "flowguard/deprecated"

// AddAlias registers old as a hidden, deprecated name of the flag current: both set the same value.
func AddAlias(fs *pflag.FlagSet, old, current string) {
	f := fs.Lookup(current)
	if f == nil {
		panic("AddAlias: no flag --" + current)
	}
	a := fs.VarPF(f.Value, old, "", "deprecated: use --"+current)
	a.NoOptDefVal = f.NoOptDefVal
	MarkDeprecated(fs, old, "use --"+current)
}

// MarkDeprecated hides a flag and makes it warn once, on stderr, when it is used.
func MarkDeprecated(fs *pflag.FlagSet, name, instead string) {
	f := fs.Lookup(name)
	f.Hidden = true
	if f.Annotations == nil {
		f.Annotations = map[string][]string{}
	}
	f.Annotations[deprecatedAnnotation] = []string{instead}
}

// DeprecationWarnings lists one warning per deprecated flag set on the command line, in flag order.
func DeprecationWarnings(fs *pflag.FlagSet) []string {
	var out []string
	fs.Visit(func(f *pflag.Flag) {
		if msg, ok := f.Annotations[deprecatedAnnotation]; ok && len(msg) == 1 {
			out = append(out, fmt.Sprintf("--%s is deprecated: %s", f.Name, msg[0]))
		}
	})
	return out
}

// NormalizeOutput rewrites the deprecated -o text to table (each comma-separated item) and reports whether it did.
func NormalizeOutput(fs *pflag.FlagSet) (bool, error) {
	f := fs.Lookup("output")
	if f == nil || !f.Changed {
		return false, nil
	}
	items := strings.Split(f.Value.String(), ",")
	changed := false
	for i, it := range items {
		if strings.TrimSpace(it) == "text" {
			items[i] = OutputTable
			changed = true
		}
	}
	if !changed {
		return false, nil
	}
	return true, f.Value.Set(strings.Join(items, ","))
}

// BeforeRun runs before every command: one warning per deprecated name used, and -o text becomes -o table.
func BeforeRun(io *IOStreams) func(cmd *cobra.Command, args []string) error {
	return func(cmd *cobra.Command, args []string) error {
		fs := cmd.Flags()
		for _, w := range DeprecationWarnings(fs) {
			fmt.Fprintln(io.ErrOut, "flowguard: warning:", w)
		}
		text, err := NormalizeOutput(fs)
		if err != nil {
			return UsageError("--output: %v", err)
		}
		if text {
			fmt.Fprintln(io.ErrOut, "flowguard: warning: --output text is deprecated: use --output table")
		}
		return nil
	}
}

// CheckOutput accepts table or json (the commands whose only formats are those).
func CheckOutput(got string) error {
	if got != OutputTable && got != OutputJSON {
		return UsageError("--output %q: want table or json", got)
	}
	return nil
}

// S3LayoutOptions are a flow log's S3 DestinationOptions, under AWS's names, for every command that writes,
// reads or describes S3 flow-log objects (fix, logs generate, logs athena ddl/run).
type S3LayoutOptions struct {
	FileFormat        string // plain-text or parquet
	HivePartitions    bool
	PerHourPartitions bool
}

const (
	FileFormatPlain   = "plain-text"
	FileFormatParquet = "parquet"
)

// AddFlags registers --file-format, --hive-partitions and --per-hour-partitions; what says what they apply
// to ("S3 destination", "directory output", "the bucket") in the help text. The old --parquet, --hive and
// --per-hour are hidden deprecated aliases.
func (o *S3LayoutOptions) AddFlags(fs *pflag.FlagSet, what string) {
	o.FileFormat = FileFormatPlain
	fs.StringVar(&o.FileFormat, "file-format", FileFormatPlain, what+": file format, plain-text or parquet (S3 DestinationOptions FileFormat)")
	fs.BoolVar(&o.HivePartitions, "hive-partitions", false, what+": Hive-compatible S3 prefixes (HiveCompatiblePartitions)")
	fs.BoolVar(&o.PerHourPartitions, "per-hour-partitions", false, what+": partition by hour instead of day (PerHourPartition)")
	fs.VarPF(&boolAlias{set: func(on bool) {
		if on {
			o.FileFormat = FileFormatParquet
		} else {
			o.FileFormat = FileFormatPlain
		}
	}}, "parquet", "", "").NoOptDefVal = "true"
	MarkDeprecated(fs, "parquet", "use --file-format parquet")
	AddAlias(fs, "hive", "hive-partitions")
	AddAlias(fs, "per-hour", "per-hour-partitions")
}

// Layout validates --file-format and returns the layout the readers and writers use.
func (o *S3LayoutOptions) Layout() (layout.Options, error) {
	switch o.FileFormat {
	case FileFormatPlain, "":
	case FileFormatParquet:
	default:
		return layout.Options{}, fmt.Errorf("--file-format %q: want plain-text or parquet", o.FileFormat)
	}
	return layout.Options{Parquet: o.FileFormat == FileFormatParquet, Hive: o.HivePartitions, PerHour: o.PerHourPartitions}, nil
}

// boolAlias is a boolean flag whose value is applied to another flag (e.g. --parquet → --file-format parquet).
type boolAlias struct {
	v   bool
	set func(bool)
}

func (b *boolAlias) String() string { return strconv.FormatBool(b.v) }
func (b *boolAlias) Type() string   { return "bool" }
func (b *boolAlias) IsBoolFlag() bool {
	return true
}
func (b *boolAlias) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	b.v = v
	b.set(v)
	return nil
}

// AddLogFormatFlag registers --log-format (AWS's LogFormat parameter) with --format as its deprecated alias.
func AddLogFormatFlag(fs *pflag.FlagSet, p *string, usage string) {
	fs.StringVar(p, "log-format", "", usage)
	AddAlias(fs, "format", "log-format")
}

// AddOutFlag registers --out FILE: the report goes to this file instead of standard output.
func AddOutFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "out", "", "write the report to this file instead of standard output")
}

// AddOutDirFlag registers --out-dir DIR: one report file per --output format, in this directory.
func AddOutDirFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "out-dir", "", "write one report file per --output format to this directory (flowguard.<ext>)")
}

// ReportOut is where a command's report goes: standard output, or (with --out FILE, or one file of --out-dir)
// a buffer written to the file when the command is done, so progress lines never mix into the file.
// It is the one way a command writes a report: -o/--out/--out-dir all end here.
type ReportOut struct {
	io   *IOStreams
	path string
	buf  bytes.Buffer
}

// NewReportOut sends the report to path, or to io.Out when path is "".
func NewReportOut(io *IOStreams, path string) *ReportOut { return &ReportOut{io: io, path: path} }

// NewReportOutIn sends the report to dir/name; dir is created if needed (for --out-dir).
func NewReportOutIn(io *IOStreams, dir, name string) (*ReportOut, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &ExitError{Code: ExitIncomplete, Err: fmt.Errorf("create --out-dir: %w", err)}
	}
	return NewReportOut(io, filepath.Join(dir, name)), nil
}

// Path is the report's file, "" for standard output.
func (r *ReportOut) Path() string { return r.path }

// W is the report's writer.
func (r *ReportOut) W() io.Writer {
	if r.path == "" {
		return r.io.Out
	}
	return &r.buf
}

// Streams are the command's streams with Out replaced by the report's writer (no colour into a file).
func (r *ReportOut) Streams() *IOStreams {
	if r.path == "" {
		return r.io
	}
	c := *r.io
	c.Out, c.OutTTY = &r.buf, false
	return &c
}

// Finish closes r into *err, unless *err already holds an error (for a deferred call).
func (r *ReportOut) Finish(err *error) {
	if cerr := r.Close(); *err == nil {
		*err = cerr
	}
}

// Close writes the file of --out (nothing to do for standard output).
func (r *ReportOut) Close() error {
	if r.path == "" {
		return nil
	}
	if err := outfile.Write(r.path, r.buf.Bytes(), outfile.ModeReport); err != nil {
		return &ExitError{Code: ExitIncomplete, Err: fmt.Errorf("write report: %w", err)}
	}
	return nil
}

// WriteJSON writes v as indented JSON: the --output json of every command that is not a scan report.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
