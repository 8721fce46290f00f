package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	awsathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/logs/athena"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/render"
)

func newLogsAthenaCmd(io *IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "athena",
		Short: "Query flow logs in S3 with Athena: table DDL and the report as SQL",
	}
	cmd.AddCommand(newLogsAthenaDDLCmd(io), newLogsAthenaRunCmd(io))
	return cmd
}

// athenaTableOptions describe the flow-log table (shared by ddl and run).
type athenaTableOptions struct {
	Database, Table string
	LogFormat       string
	Layout          s3LayoutOptions
	TableAccounts   []string
	TableRegions    []string
}

func (o *athenaTableOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Database, "database", "default", "Athena database")
	fs.StringVar(&o.Table, "table", "vpc_flow_logs", "Athena table")
	addLogFormatFlag(fs, &o.LogFormat, "the flow log's LogFormat, e.g. '${version} ${vpc-id} …' (default: the default format)")
	o.Layout.AddFlags(fs, "the flow log's S3 destination")
	fs.StringSliceVar(&o.TableAccounts, "bucket-account", nil, "account id(s) whose logs the bucket holds (partition values)")
	fs.StringSliceVar(&o.TableRegions, "bucket-region", nil, "region(s) whose logs the bucket holds (partition values)")
}

func (o *athenaTableOptions) table() (athena.Table, error) {
	lay, err := o.Layout.Layout()
	if err != nil {
		return athena.Table{}, usageError("%v", err)
	}
	t := athena.Table{Database: o.Database, Name: o.Table, Layout: lay, Accounts: o.TableAccounts, Regions: o.TableRegions}
	if o.LogFormat != "" {
		f, err := flowlog.ParseFormat(o.LogFormat)
		if err != nil {
			return t, usageError("--log-format: %v", err)
		}
		t.Format = f
	}
	return t, nil
}

func newLogsAthenaDDLCmd(io *IOStreams) *cobra.Command {
	o := &athenaTableOptions{}
	var location, start string
	cmd := &cobra.Command{
		Use:   "ddl",
		Short: "Print the CREATE TABLE statement for a flow-log bucket (partition projection, no crawler needed)",
		Example: `  flowguard logs athena ddl --location s3://my-flow-logs/ --bucket-account 111122223333 --bucket-region us-east-1,eu-west-1
  flowguard logs athena ddl --location s3://my-flow-logs/ --bucket-account 111122223333 --bucket-region us-east-1 --file-format parquet --hive-partitions --per-hour-partitions
  flowguard logs athena ddl --location s3://my-flow-logs/ --bucket-account 111122223333 --bucket-region us-east-1 --log-format '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := o.table()
			if err != nil {
				return err
			}
			t.Location = location
			if start != "" {
				if t.ProjectionStart, err = time.Parse("2006-01-02", start); err != nil {
					return usageError("bad --projection-start %q: want YYYY-MM-DD", start)
				}
			}
			ddl, err := t.DDL()
			if err != nil {
				return usageError("%v", err)
			}
			fmt.Fprint(io.Out, ddl)
			return nil
		},
	}
	fs := cmd.Flags()
	o.addFlags(fs)
	fs.StringVar(&location, "location", "", "the bucket and prefix that hold AWSLogs/, e.g. s3://my-flow-logs/")
	fs.StringVar(&start, "projection-start", "2020-01-01", "first day of the projected date range")
	return cmd
}

type athenaRunOptions struct {
	athenaTableOptions
	logsFilterOptions
	AWS            awsconf.Options
	WorkGroup      string
	OutputLocation string
	Catalog        string
	Output         string
	Out            string
	PrintSQL       bool
}

func newLogsAthenaRunCmd(io *IOStreams) *cobra.Command {
	o := &athenaRunOptions{}
	cmd := &cobra.Command{
		Use:   "run REPORT",
		Short: "Run a report as SQL through the Athena API: " + strings.Join(athena.Reports, ", ") + " or all",
		Example: `  flowguard logs athena run brute-force --since 2026-01-01 --until 2026-01-02 --bucket-account 111122223333 --bucket-region us-east-1 --print-sql
  flowguard logs athena run all --workgroup primary --output-location s3://my-athena-results/ --since 7d -o html --out report.html
  flowguard logs athena run top-talkers --file-format parquet --hive-partitions --output-location s3://my-athena-results/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return logsAthenaRun(cmd.Context(), io, o, args[0]) },
	}
	fs := cmd.Flags()
	o.athenaTableOptions.addFlags(fs)
	o.logsFilterOptions.addFlags(fs)
	o.AWS.AddFlags(fs)
	fs.StringVar(&o.WorkGroup, "workgroup", "", "Athena workgroup (default: primary)")
	fs.StringVar(&o.OutputLocation, "output-location", "", "s3:// location for query results (needed unless the workgroup sets one)")
	fs.StringVar(&o.Catalog, "catalog", "", "data catalog (default: AwsDataCatalog)")
	fs.StringVarP(&o.Output, "output", "o", outputTable, "output format: "+strings.Join(render.Formats, ", "))
	addOutFlag(fs, &o.Out)
	fs.BoolVar(&o.PrintSQL, "print-sql", false, "print the SQL instead of running it")
	return cmd
}

func logsAthenaRun(ctx context.Context, io *IOStreams, o *athenaRunOptions, report string) error {
	if err := render.Check(o.Output); err != nil {
		return usageError("%v", err)
	}
	reports := []string{report}
	if report == "all" {
		reports = athena.Reports
	}
	t, err := o.table()
	if err != nil {
		return err
	}
	cfg, err := o.config(time.Now().UTC())
	if err != nil {
		return err
	}
	p := athena.Params{Table: t, Config: cfg}
	queries := make([]string, len(reports))
	for i, r := range reports {
		if queries[i], err = athena.SQL(r, p); err != nil {
			return usageError("%v", err)
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
		return usageError("--output-location must be an s3:// URL")
	}
	awsCfg, err := awsconf.Load(ctx, o.AWS)
	if err != nil {
		return usageError("%v", err)
	}
	runner := &athena.Runner{Client: awsathena.NewFromConfig(awsCfg), Database: t.Database, Catalog: o.Catalog, WorkGroup: o.WorkGroup, OutputLocation: o.OutputLocation}
	var tables []render.Table
	for i, q := range queries {
		res, err := runner.Run(ctx, q)
		if err != nil {
			return &ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("report %s: %w", reports[i], err)}
		}
		tables = append(tables, render.Table{ID: reports[i], Title: athena.Titles[reports[i]], Columns: res.Columns, Rows: res.Rows, Bar: barColumn(reports[i], res.Columns)})
	}
	out := newReportOut(io, o.Out)
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
