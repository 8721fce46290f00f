package logs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/logs/athena"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/render"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// NewCmdAthena builds `logs athena` and its subcommands.
func NewCmdAthena(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "athena",
		Short: "Query flow logs in S3 with Athena: table DDL and the report as SQL",
	}
	cmd.AddCommand(NewCmdAthenaDDL(f, nil), NewCmdAthenaRun(f, nil))
	return cmd
}

// TableOptions describe the flow-log table (shared by ddl and run).
type TableOptions struct {
	Database, Table string
	LogFormat       string
	Layout          cmdutil.S3LayoutOptions
	TableAccounts   []string
	TableRegions    []string
}

func (o *TableOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Database, "database", "default", "Athena database")
	fs.StringVar(&o.Table, "table", "vpc_flow_logs", "Athena table")
	cmdutil.AddLogFormatFlag(fs, &o.LogFormat, "the flow log's LogFormat, e.g. '${version} ${vpc-id} …' (default: the default format)")
	o.Layout.AddFlags(fs, "the flow log's S3 destination")
	fs.StringSliceVar(&o.TableAccounts, "bucket-account", nil, "account id(s) whose logs the bucket holds (partition values)")
	fs.StringSliceVar(&o.TableRegions, "bucket-region", nil, "region(s) whose logs the bucket holds (partition values)")
}

func (o *TableOptions) table() (athena.Table, error) {
	lay, err := o.Layout.Layout()
	if err != nil {
		return athena.Table{}, cmdutil.Usage(err)
	}
	t := athena.Table{Database: o.Database, Name: o.Table, Layout: lay, Accounts: o.TableAccounts, Regions: o.TableRegions}
	if o.LogFormat != "" {
		f, err := flowlog.ParseFormat(o.LogFormat)
		if err != nil {
			return t, cmdutil.UsageError("--log-format: %v", err)
		}
		t.Format = f
	}
	return t, nil
}

// AthenaDDLOptions are the flags of `logs athena ddl`.
type AthenaDDLOptions struct {
	IO *cmdutil.IOStreams
	TableOptions
	Location        string
	ProjectionStart string
}

// NewCmdAthenaDDL builds `logs athena ddl`; runF replaces athenaDDLRun in tests.
func NewCmdAthenaDDL(f *cmdutil.Factory, runF func(*AthenaDDLOptions) error) *cobra.Command {
	o := &AthenaDDLOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "ddl",
		Short: "Print the CREATE TABLE statement for a flow-log bucket (partition projection, no crawler needed)",
		Example: `  flowguard logs athena ddl --location s3://my-flow-logs/ --bucket-account 111122223333 --bucket-region us-east-1,eu-west-1
  flowguard logs athena ddl --location s3://my-flow-logs/ --bucket-account 111122223333 --bucket-region us-east-1 --file-format parquet --hive-partitions --per-hour-partitions
  flowguard logs athena ddl --location s3://my-flow-logs/ --bucket-account 111122223333 --bucket-region us-east-1 --log-format '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return athenaDDLRun(o)
		},
	}
	fs := cmd.Flags()
	o.addFlags(fs)
	fs.StringVar(&o.Location, "location", "", "the bucket and prefix that hold AWSLogs/, e.g. s3://my-flow-logs/")
	fs.StringVar(&o.ProjectionStart, "projection-start", "2020-01-01", "first day of the projected date range")
	return cmd
}

func athenaDDLRun(o *AthenaDDLOptions) error {
	t, err := o.table()
	if err != nil {
		return err
	}
	t.Location = o.Location
	if o.ProjectionStart != "" {
		if t.ProjectionStart, err = time.Parse("2006-01-02", o.ProjectionStart); err != nil {
			return cmdutil.UsageError("bad --projection-start %q: want YYYY-MM-DD", o.ProjectionStart)
		}
	}
	ddl, err := t.DDL()
	if err != nil {
		return cmdutil.Usage(err)
	}
	fmt.Fprint(o.IO.Out, ddl)
	return nil
}

// AthenaRunOptions are the flags and argument of `logs athena run`.
type AthenaRunOptions struct {
	IO        *cmdutil.IOStreams
	AWSConfig func(context.Context, awsconf.Options) (aws.Config, error)
	Now       func() time.Time
	Ctx       context.Context
	Report    string

	TableOptions
	FilterOptions
	AWS            awsconf.Options
	WorkGroup      string
	OutputLocation string
	Catalog        string
	Output         string
	Out            string
	PrintSQL       bool
}

// NewCmdAthenaRun builds `logs athena run`; runF replaces athenaRun in tests.
func NewCmdAthenaRun(f *cmdutil.Factory, runF func(*AthenaRunOptions) error) *cobra.Command {
	o := &AthenaRunOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "run REPORT",
		Short: "Run a report as SQL through the Athena API: " + strings.Join(athena.Reports, ", ") + " or all",
		Example: `  flowguard logs athena run brute-force --since 2026-01-01 --until 2026-01-02 --bucket-account 111122223333 --bucket-region us-east-1 --print-sql
  flowguard logs athena run all --workgroup primary --output-location s3://my-athena-results/ --since 7d -o html --out report.html
  flowguard logs athena run top-talkers --file-format parquet --hive-partitions --output-location s3://my-athena-results/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Report = cmd.Context(), args[0]
			if runF != nil {
				return runF(o)
			}
			return athenaRun(o)
		},
	}
	fs := cmd.Flags()
	o.TableOptions.addFlags(fs)
	o.FilterOptions.addFlags(fs)
	o.AWS.AddFlags(fs)
	fs.StringVar(&o.WorkGroup, "workgroup", "", "Athena workgroup (default: primary)")
	fs.StringVar(&o.OutputLocation, "output-location", "", "s3:// location for query results (needed unless the workgroup sets one)")
	fs.StringVar(&o.Catalog, "catalog", "", "data catalog (default: AwsDataCatalog)")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: "+strings.Join(render.Formats, ", "))
	cmdutil.AddOutFlag(fs, &o.Out)
	fs.BoolVar(&o.PrintSQL, "print-sql", false, "print the SQL instead of running it")
	return cmd
}

func athenaRun(o *AthenaRunOptions) error {
	ctx, io, report := o.Ctx, o.IO, o.Report
	if err := render.Check(o.Output); err != nil {
		return cmdutil.Usage(err)
	}
	reports := []string{report}
	if report == "all" {
		reports = athena.Reports
	}
	t, err := o.table()
	if err != nil {
		return err
	}
	cfg, err := o.config(o.Now().UTC())
	if err != nil {
		return err
	}
	p := athena.Params{Table: t, Config: cfg}
	queries := make([]string, len(reports))
	for i, r := range reports {
		if queries[i], err = athena.SQL(r, p); err != nil {
			return cmdutil.Usage(err)
		}
	}
	if o.PrintSQL {
		for i, q := range queries {
			fmt.Fprintf(io.Out, "-- %s\n%s;\n", reports[i], strings.TrimRight(q, "\n"))
			if i < len(queries)-1 {
				fmt.Fprintln(io.Out)
			}
		}
		return nil
	}
	if o.OutputLocation != "" && !strings.HasPrefix(o.OutputLocation, "s3://") {
		return cmdutil.UsageError("--output-location must be an s3:// URL")
	}
	progress := cmdutil.ShowRetries(io, &o.AWS)
	defer progress.Done()
	awsCfg, err := o.AWSConfig(ctx, o.AWS)
	if err != nil {
		return err
	}
	runner := &athena.Runner{Client: awsathena.NewFromConfig(awsCfg), Database: t.Database, Catalog: o.Catalog, WorkGroup: o.WorkGroup, OutputLocation: o.OutputLocation}
	var tables []render.Table
	for i, q := range queries {
		if progress.Enabled() {
			runner.OnPoll = func(p athena.Poll) {
				progress.Show(fmt.Sprintf("report %s (%d/%d): Athena query %s, %s, %s scanned", reports[i], i+1, len(queries),
					textsafe.Terminal(p.State), p.Elapsed.Round(100*time.Millisecond), human.Bytes(p.ScannedBytes)))
			}
		}
		res, err := runner.Run(ctx, q)
		progress.Done()
		if err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("report %s: %w", reports[i], err)}
		}
		tables = append(tables, render.Table{ID: reports[i], Title: athena.Titles[reports[i]], Columns: res.Columns, Rows: res.Rows, Bar: barColumn(reports[i], res.Columns)})
	}
	out := cmdutil.NewReportOut(io, o.Out)
	if err := render.WriteTables(out.W(), o.Output, "flowguard flow-log report (Athena)", tables); err != nil {
		return err
	}
	return out.Close()
}

// barColumn picks the column drawn as bars in HTML: the count of a top list.
func barColumn(report string, cols []string) int {
	if !strings.HasPrefix(report, "top-") {
		return -1
	}
	for i, c := range cols {
		if c == "records" || c == "bytes" {
			return i
		}
	}
	return -1
}
