package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/collect"
	"github.com/flowguard/flowguard/internal/evaluate"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/fix"
	"github.com/flowguard/flowguard/internal/fix/journal"
	"github.com/flowguard/flowguard/internal/scan"
)

type fixOptions struct {
	AWS         awsconf.Options
	From        string
	Apply       bool
	Yes         bool
	RunID       string
	NewRun      bool
	JournalDir  string
	Output      string
	Concurrency int
	Tags        []string
	Settings    fix.Settings
}

func newFixCmd(io *IOStreams) *cobra.Command {
	o := &fixOptions{Settings: fix.DefaultSettings()}
	s := &o.Settings
	cmd := &cobra.Command{
		Use:   "fix",
		Short: "Plan, and with --apply make, the changes that give every failing VPC a working flow log",
		Long: `fix builds a plan from a scan's FAIL findings (a live scan, or --from scan.json): per account and region,
which VPCs, and every API call it will make (delivery role, log groups, VPC-level flow logs). It changes nothing
unless --apply is given; on a terminal it then asks for confirmation unless --yes.

Each apply is a run with an id, journalled before and after every change (--journal-dir). An interrupted run is
finished by running fix --apply again (it is detected), or explicitly with --run ID; nothing is created twice.
Undo a run with 'flowguard rollback --run ID'; check it with 'flowguard verify --run ID'.

Exit codes: 0 everything planned was applied (or the plan was printed), 1 some changes failed, 2 interrupted,
3 usage error.`,
		Example: `  flowguard scan --output json > scan.json
  flowguard fix --from scan.json                      # review the plan
  flowguard fix --from scan.json --apply --batch-size 20 --max-batches 1
  flowguard fix --from scan.json --apply --destination s3 --s3-bucket-arn arn:aws:s3:::my-flow-logs \
      --file-format parquet --hive-partitions --traffic-type ALL`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFix(cmd.Context(), io, o)
		},
	}
	f := cmd.Flags()
	o.AWS.AddFlags(f)
	f.StringVar(&o.From, "from", "", "fix the FAIL findings of a saved scan (flowguard scan --output json), instead of scanning now; - reads stdin")
	f.BoolVar(&o.Apply, "apply", false, "make the changes (without it, only the plan is printed)")
	f.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation on a terminal")
	f.StringVar(&o.RunID, "run", "", "resume this run (its journalled settings and VPCs are used)")
	f.BoolVar(&o.NewRun, "new-run", false, "start a new run even if an unfinished one exists")
	f.StringVar(&o.JournalDir, "journal-dir", journal.DefaultDir(), "where run journals are kept")
	f.StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	f.IntVar(&o.Concurrency, "concurrency", fix.DefaultConcurrency, "regions changed at once")

	f.StringVar(&s.RoleName, "role-name", s.RoleName, "delivery role to create or reuse (CloudWatch Logs destination)")
	f.StringVar(&s.RoleARN, "role-arn", "", "use this existing delivery role as is")
	f.StringVar(&s.LogGroupTemplate, "log-group", s.LogGroupTemplate, "log group name template: {vpc-id}, {region}, {account}")
	f.Int32Var(&s.RetentionDays, "retention-days", s.RetentionDays, "retention of the log groups flowguard creates (and the minimum for --fix-retention)")
	f.StringVar(&s.KMSKey, "kms-key", "", "KMS key ARN to encrypt the log groups flowguard creates")
	f.StringVar(&s.TrafficType, "traffic-type", s.TrafficType, "REJECT or ALL")
	f.StringVar(&s.Destination, "destination", s.Destination, "cloud-watch-logs or s3")
	f.StringVar(&s.S3BucketARN, "s3-bucket-arn", "", "S3 destination arn:aws:s3:::BUCKET[/PREFIX]; {region} and {account} are replaced")
	f.StringVar(&s.FileFormat, "file-format", s.FileFormat, "S3 file format: plain-text or parquet")
	f.BoolVar(&s.HivePartitions, "hive-partitions", false, "S3: Hive-compatible prefixes")
	f.BoolVar(&s.PerHourPartitions, "per-hour-partitions", false, "S3: partition by hour instead of day")
	f.StringVar(&s.LogFormat, "log-format", "", "custom record format, e.g. '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}' (default: the AWS default format)")
	f.Int32Var(&s.MaxAggregationInterval, "max-aggregation-interval", s.MaxAggregationInterval, "60 or 600 seconds")
	f.StringArrayVar(&o.Tags, "tag", nil, "tag KEY=VALUE for what flowguard creates (repeatable); flowguard:run-id and flowguard:managed are always added")
	f.BoolVar(&s.FixRetention, "fix-retention", false, "raise the retention of existing flow-log log groups under --retention-days")
	f.StringVar(&s.PriorityTag, "prod-tag", s.PriorityTag, "tag KEY=GLOB that marks production VPCs (fixed first, after internet-exposed ones)")
	f.IntVar(&s.BatchSize, "batch-size", s.BatchSize, "VPCs per batch (0: one batch)")
	f.IntVar(&s.MaxBatches, "max-batches", 0, "apply at most this many batches now (0: all)")
	return cmd
}

func runFix(ctx context.Context, io *IOStreams, o *fixOptions) error {
	if o.Output != "text" && o.Output != "json" {
		return usageError("--output %q: want text or json", o.Output)
	}
	if o.RunID != "" && !journal.ValidRunID(o.RunID) {
		return usageError("--run %q is not a run id (see flowguard runs)", o.RunID)
	}
	if o.RunID != "" && o.NewRun {
		return usageError("--run and --new-run exclude each other")
	}
	tags, err := parseTags(o.Tags)
	if err != nil {
		return usageError("%v", err)
	}
	o.Settings.Tags = tags
	// Every setting is checked before any AWS call.
	check := o.Settings
	if err := check.Validate(); err != nil {
		return usageError("%v", err)
	}
	var saved *finding.Result
	if o.From != "" {
		if saved, err = readResult(io, o.From); err != nil {
			return usageError("%v", err)
		}
	}
	cfg, err := awsconf.Load(ctx, o.AWS)
	if err != nil {
		return &ExitError{Code: finding.ExitUsage, Err: err}
	}
	findings := func(ctx context.Context) (*finding.Result, error) {
		if saved != nil {
			return saved, nil
		}
		return liveScan(ctx, io, cfg, o)
	}
	pr, err := fix.Prepare(ctx, cfg, fix.PrepareOptions{Findings: findings, Settings: o.Settings, RunID: o.RunID, NewRun: o.NewRun,
		JournalDir: o.JournalDir, Concurrency: o.Concurrency})
	if err != nil {
		if errors.Is(err, journal.ErrNotFound) {
			return usageError("%v", err)
		}
		return &ExitError{Code: finding.ExitIncomplete, Err: fmt.Errorf("fix: %w", err)}
	}
	if pr.Note != "" {
		fmt.Fprintln(io.ErrOut, "flowguard:", pr.Note)
	}
	p := pr.Plan
	if o.Output == "text" {
		fix.WritePlan(io.Out, p, o.Apply)
	}
	if !o.Apply {
		if o.Output == "json" {
			return writeJSON(io.Out, p)
		}
		if p.Incomplete {
			return &ExitError{Code: finding.ExitIncomplete}
		}
		return nil
	}
	if len(p.Steps) > 0 && !o.Yes && io.InTTY {
		fmt.Fprintf(io.ErrOut, "\nApply %d change(s) to %d VPC(s) in account %s as run %s? [y/N] ", len(p.Steps), len(p.Targets), p.Account, p.RunID)
		line, _ := bufio.NewReader(io.In).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(io.ErrOut, "flowguard: nothing changed")
			return &ExitError{Code: finding.ExitFail}
		}
	}
	var progress = io.ErrOut
	if o.Output == "text" {
		fmt.Fprintln(io.Out)
		progress = io.Out
	}
	out, err := fix.Execute(ctx, cfg, pr, o.JournalDir, fix.ApplyOptions{Concurrency: o.Concurrency, Progress: progress})
	if err != nil && out == nil {
		return &ExitError{Code: finding.ExitIncomplete, Err: fmt.Errorf("fix: %w", err)}
	}
	if o.Output == "json" {
		if werr := writeJSON(io.Out, map[string]any{"plan": p, "outcome": out}); werr != nil {
			return werr
		}
	} else {
		fix.WriteOutcome(io.Out, out)
	}
	if err != nil {
		return &ExitError{Code: finding.ExitIncomplete, Err: fmt.Errorf("fix: %w", err)}
	}
	if code := out.ExitCode(); code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}

func parseTags(kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--tag %q: want KEY=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}

func readResult(io *IOStreams, name string) (*finding.Result, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = readAll(io.In)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	var r finding.Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("--from %s: not a scan result: %v", name, err)
	}
	if r.Schema != finding.ResultSchema {
		return nil, fmt.Errorf("--from %s: schema %q, want %q (flowguard scan --output json)", name, r.Schema, finding.ResultSchema)
	}
	return &r, nil
}

func readAll(r io.Reader) ([]byte, error) { return io.ReadAll(r) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// liveScan runs a scan of the account for fix when no --from file is given.
func liveScan(ctx context.Context, io *IOStreams, cfg aws.Config, o *fixOptions) (*finding.Result, error) {
	fmt.Fprintln(io.ErrOut, "flowguard: scanning the account to find failing VPCs (use --from scan.json to fix a saved scan)")
	res, _ := scan.Live(ctx, cfg, scan.Options{
		Collect:  collect.Options{Regions: o.AWS.NormalizedRegions(), Concurrency: o.Concurrency},
		Evaluate: evaluate.Options{MinRetentionDays: int(o.Settings.RetentionDays)},
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(res.Accounts) == 0 {
		msg := "the account could not be read"
		if len(res.Errors) > 0 {
			msg += ": " + res.Errors[0].Message
		}
		return nil, errors.New(msg)
	}
	if res.Incomplete {
		fmt.Fprintf(io.ErrOut, "flowguard: the scan is incomplete (%d read error(s), %d ERROR finding(s)): VPCs that could not be read are left alone\n",
			len(res.Errors), res.Summary.Error)
	}
	return res, nil
}
