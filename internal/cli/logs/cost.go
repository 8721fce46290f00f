package logs

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/logs/cost"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// CostOptions are the flags and arguments of `logs cost`.
type CostOptions struct {
	IO        *cmdutil.IOStreams
	AWSConfig func(context.Context, awsconf.Options) (aws.Config, error)
	Now       func() time.Time
	Ctx       context.Context

	InputOptions
	Prices        string
	PrintPrices   bool
	RetentionDays int
	GroupBy       string
	Top           int
	Output        string
	Out           string
}

// NewCmdCost builds `logs cost`; runF replaces costRun in tests.
func NewCmdCost(f *cmdutil.Factory, runF func(*CostOptions) error) *cobra.Command {
	o := &CostOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "cost [PATH | s3://BUCKET/PREFIX]...",
		Short: "Estimate the monthly volume and cost of flow logs per destination, traffic type and VPC",
		Long: `Read flow-log records (the same inputs as logs report) and project their volume to a month: records and
bytes a day, then what delivering them would cost at each destination (CloudWatch Logs Standard and Infrequent
Access, S3 as plain text or Parquet, Firehose), for a flow log of ALL traffic and of REJECT traffic only (the
records' own REJECT share), with storage at steady state for --retention-days, per VPC (or interface when the
records carry no vpc-id). Prices come from the built-in table (its region and date are printed) or --prices FILE;
--print-prices prints the built-in one as a starting point. -o json gives schema flowguard.logs-cost/v1, which
fix --cost-from reads.`,
		Example: `  flowguard logs generate --out-dir ./flowlogs --records 500000 --version 3
  flowguard logs cost ./flowlogs
  flowguard logs cost s3://my-flow-logs/ --since 2026-01-01 --until 2026-01-02 -o json --out cost.json
  flowguard logs cost --print-prices > prices.json   # edit, then: flowguard logs cost ./flowlogs --prices prices.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Inputs = cmd.Context(), args
			if runF != nil {
				return runF(o)
			}
			return costRun(o)
		},
	}
	fs := cmd.Flags()
	o.InputOptions.addFlags(fs, false)
	fs.StringVar(&o.Prices, "prices", "", "price table file (JSON, like --print-prices) instead of the built-in us-east-1 table")
	fs.BoolVar(&o.PrintPrices, "print-prices", false, "print the built-in price table (JSON, with its sources) and exit")
	fs.IntVar(&o.RetentionDays, "retention-days", 365, "days the logs are kept: storage is priced at steady state")
	fs.StringVar(&o.GroupBy, "group-by", "", "break the estimate down by vpc or interface (default: vpc when the records carry vpc-id)")
	fs.IntVar(&o.Top, "top", 10, "rows in the per-VPC or per-interface table (-o json has them all)")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: table or json")
	cmdutil.AddOutFlag(fs, &o.Out)
	return cmd
}

func costRun(o *CostOptions) (err error) {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	if o.PrintPrices {
		_, err := o.IO.Out.Write(cost.BuiltinJSON())
		return err
	}
	switch o.GroupBy {
	case "", "vpc", "interface":
	default:
		return cmdutil.UsageError("--group-by %q: want vpc or interface", o.GroupBy)
	}
	if o.RetentionDays < 1 || o.RetentionDays > 36500 {
		return cmdutil.UsageError("--retention-days must be 1-36500")
	}
	if o.Top < 1 {
		return cmdutil.UsageError("--top must be at least 1")
	}
	prices := cost.Builtin()
	if o.Prices != "" {
		if prices, err = cost.LoadPrices(o.Prices); err != nil {
			return cmdutil.UsageError("--prices: %v", err)
		}
	}
	filter, err := o.filter(o.Now().UTC())
	if err != nil {
		return err
	}
	col := cost.NewCollector(filter.Matcher())
	res, err := o.readInputs(o.Ctx, o.IO, o.AWSConfig, filter, false, func() source.Sink { return col.Shard() })
	if err != nil {
		return err
	}
	if res.stats.Records == 0 {
		return res.incomplete()
	}
	est, err := cost.Compute(col.Result(), prices, cost.Options{RetentionDays: o.RetentionDays, GroupBy: o.GroupBy})
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
	}
	est.Sources = res.sources
	est.Input = &cost.InputInfo{Stats: res.stats}
	for _, f := range res.failed {
		est.Input.ReadErrors = append(est.Input.ReadErrors, cost.ReadError{Source: f.Source, Error: f.Error})
	}
	out := cmdutil.NewReportOut(o.IO, o.Out)
	if o.Output == cmdutil.OutputJSON {
		err = cmdutil.WriteJSON(out.W(), est)
	} else {
		err = cost.WriteTable(out.W(), est, o.Top)
	}
	if err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return res.incomplete()
}
