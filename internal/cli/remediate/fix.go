// Package remediate holds the commands that change accounts and the ones that act on their runs: fix,
// verify, rollback and runs. They share how a run's account is entered and how journal errors exit.
package remediate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/cost"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/sink/exceptions"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// FixOptions are the fix command's flags.
type FixOptions struct {
	IO        *cmdutil.IOStreams
	AWSConfig func(context.Context, awsconf.Options) (aws.Config, error)
	Now       func() time.Time
	Ctx       context.Context

	AWS         awsconf.Options
	From        string
	Apply       bool
	Yes         bool
	RunID       string
	NewRun      bool
	JournalDir  string
	Output      string
	Out         string
	Concurrency int
	// Which accounts a live fix works on, and the role that enters them (--assume-role), as for scan.
	Accounts accounts.Options
	// Exceptions keep excepted VPCs out of the plan, as they are out of the scan's failures.
	Exceptions       string
	MaxExceptionDays int
	excepted         *exceptions.Set
	// What the fix creates (--delivery-role-name, --log-group, --destination, --tag, …), shared with guard.
	cmdutil.FixSettingsFlags
	// CostFrom is a `logs cost -o json` estimate: the plan shows what its new flow logs would cost.
	CostFrom string
	Store    cmdutil.StoreOptions
}

// NewCmdFix builds the fix command; runF replaces fixRun in tests.
func NewCmdFix(f *cmdutil.Factory, runF func(*FixOptions) error) *cobra.Command {
	o := &FixOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig, Now: f.Now}
	journalDir := f.JournalDir()
	s := &o.Settings
	cmd := &cobra.Command{
		Use:   "fix",
		Short: "Plan, and with --apply make, the changes that give every failing VPC a working flow log",
		Long: `fix builds a plan from a scan's FAIL findings (a live scan, or --from scan.json): per account and region,
which VPCs, and every API call it will make (delivery role, log groups, VPC-level flow logs). Transit Gateways
that fail tgw-flow-logs-enabled get a Transit Gateway flow log (owner account only; every flow, 60 s, every
Transit Gateway field: --traffic-type, --log-format and --max-aggregation-interval are for VPCs). A VPC that a
running CloudWatch telemetry rule already gives a flow log gets none from fix. It changes nothing
unless --apply is given; on a terminal it then asks for confirmation unless --yes.

Each apply is a run with an id, journalled before and after every change (--journal-dir). The plan shows the
id (its tags carry it); 'fix --apply --run ID' applies the run that plan printed, with that id. An interrupted run is
finished by running fix --apply again (it is detected), or explicitly with --run ID; nothing is created twice.
Undo a run with 'flowguard rollback --run ID'; check it with 'flowguard verify --run ID'.

The plan counts every VPC once: to change, deferred (beyond --max-batches), left alone (each with why),
already passing, and already done by an interrupted run; the counts add up to the VPCs of the plan. A run is
"complete" only when nothing was deferred; otherwise it is "partial: N deferred" (run fix --apply again).

Exit codes: 0 everything planned was applied and nothing deferred (or the plan was printed), 1 some changes
failed, 2 interrupted, or the current state of some account or region could not be read (its VPCs are left
alone), 3 usage error, 4 partial: everything attempted was applied but VPCs were deferred (--max-batches),
5 the confirmation prompt was declined (nothing changed). A VPC left alone for a stated reason (a role
flowguard may not use, a conflicting flow log, retention without --fix-retention) does not change the code.`,
		Example: `  flowguard scan --output json > scan.json
  flowguard fix --from scan.json                      # review the plan
  flowguard fix --from scan.json --apply --batch-size 20 --max-batches 1
  flowguard fix --from scan.json --apply --destination s3 --s3-bucket-arn arn:aws:s3:::my-flow-logs \
      --file-format parquet --hive-partitions --traffic-type ALL
  flowguard fix --org --assume-role OrganizationAccountAccessRole --delivery-role-name flowguard-vpc-flow-logs -o json --out plan.json
  flowguard fix --from org-scan.json --assume-role OrganizationAccountAccessRole --apply --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("role-name") {
				return cmdutil.UsageError("fix --role-name is refused: it was ambiguous. Use --assume-role NAME for the role flowguard " +
					"enters in member accounts (as scan does), and --delivery-role-name NAME for the role flowguard creates " +
					"for flow-log delivery (default " + fix.DefaultRoleName + ")")
			}
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return fixRun(o)
		},
	}
	fs := cmd.Flags()
	o.AWS.AddFlags(fs)
	fs.StringVar(&o.From, "from", "", "fix the FAIL findings of a saved scan (flowguard scan --output json), instead of scanning now (--region narrows it); - reads stdin")
	fs.BoolVar(&o.Apply, "apply", false, "make the changes (without it, only the plan is printed)")
	fs.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation on a terminal")
	fs.StringVar(&o.RunID, "run", "", "resume this run (its journalled settings and VPCs are used), or start the run a plan printed with this id")
	fs.BoolVar(&o.NewRun, "new-run", false, "start a new run even if an unfinished one exists")
	fs.StringVar(&o.JournalDir, "journal-dir", journalDir, "where run journals are kept")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: table or json")
	cmdutil.AddOutFlag(fs, &o.Out)
	fs.IntVar(&o.Concurrency, "concurrency", cmdutil.DefaultConcurrency, "account-regions read and changed at once")
	o.Accounts.AddFlags(fs)
	fs.Lookup("assume-role").Usage = "role to assume in each account other than the credentials' own; with --from a multi-account scan, " +
		"fix every account in it through this role (one run per account); default with --org/--accounts/--accounts-file: " + accounts.DefaultRoleName
	fs.StringVar(&o.Exceptions, "exceptions", "", "exceptions file (as for scan): VPCs with an unexpired exception are left alone")
	fs.IntVar(&o.MaxExceptionDays, "max-exception-days", 365, "refuse exceptions that expire further out than this many days (0: no limit)")

	o.FixSettingsFlags.AddFlags(fs, "retention of the log groups flowguard creates (and the minimum for --fix-retention)")
	cmdutil.AddAlias(fs, "role-arn", "delivery-role-arn")
	// --role-name used to name the delivery role here but the role to enter on scan: refused, never guessed.
	fs.String("role-name", "", "refused: use --assume-role or --delivery-role-name")
	fs.Lookup("role-name").Hidden = true
	fs.StringVar(&s.PriorityTag, "prod-tag", s.PriorityTag, "tag KEY=GLOB that marks production VPCs (fixed first, after internet-exposed ones)")
	fs.IntVar(&s.BatchSize, "batch-size", s.BatchSize, "VPCs per batch (0: one batch)")
	fs.IntVar(&s.MaxBatches, "max-batches", 0, "apply at most this many batches now (0: all)")
	fs.StringVar(&o.CostFrom, "cost-from", "", "show the monthly cost of the flow logs the plan creates, per VPC, from this estimate (flowguard logs cost -o json)")
	cmdutil.AddStoreFlag(fs, &o.Store, f)
	return cmd
}

func fixRun(o *FixOptions) error {
	ctx, io := o.Ctx, o.IO
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	if o.Out != "" && o.Apply && !o.Yes && io.InTTY {
		return cmdutil.UsageError("--out with --apply on a terminal: review the plan first (fix without --apply), then apply with --yes")
	}
	if o.RunID != "" && !journal.ValidRunID(o.RunID) {
		return cmdutil.UsageError("--run %q is not a run id (see flowguard runs)", o.RunID)
	}
	if o.RunID != "" && o.NewRun {
		return cmdutil.UsageError("--run and --new-run exclude each other")
	}
	err := o.FixSettingsFlags.Resolve()
	if err != nil {
		return err
	}
	if o.Exceptions != "" {
		if o.excepted, err = exceptions.Load(o.Exceptions, o.MaxExceptionDays, o.Now()); err != nil {
			return cmdutil.UsageError("exceptions: %v", err)
		}
	}
	var est *cost.Estimate
	if o.CostFrom != "" {
		if est, err = cost.ReadEstimate(o.CostFrom); err != nil {
			return cmdutil.UsageError("--cost-from: %v", err)
		}
	}
	if o.From != "" && o.Accounts.MultiAccount() {
		return cmdutil.UsageError("--from takes its accounts from the saved scan: --org, --accounts and --accounts-file are for a live fix")
	}
	var saved *finding.Result
	if o.From != "" {
		if saved, err = readResult(io, o.From); err != nil {
			return cmdutil.Usage(err)
		}
		if o.excepted != nil {
			exceptions.Apply(saved, o.excepted, o.Now())
		}
		if rs := o.AWS.NormalizedRegions(); len(rs) > 0 {
			var left int
			saved, left = onlyRegions(saved, rs)
			if left > 0 {
				fmt.Fprintf(io.ErrOut, "flowguard: %s outside --region %s left out\n", human.Plural(left, "finding"), textsafe.Terminal(strings.Join(rs, ",")))
			}
		}
	}
	retries := cmdutil.ShowRetries(io, &o.AWS)
	defer retries.Done()
	cfg, err := o.AWSConfig(ctx, o.AWS)
	if err != nil {
		return err
	}
	ent := &enterer{cfg: cfg, opts: o.Accounts}
	caller, err := ent.caller(ctx)
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
	}

	// Which accounts: the run's own when resuming; every account with FAIL findings in the saved scan when
	// --assume-role lets flowguard enter them; otherwise the caller's.
	accts := []string{caller}
	newRunID := ""
	switch {
	case o.RunID != "":
		info, _, err := fix.LoadRun(o.JournalDir, o.RunID)
		switch {
		case errors.Is(err, journal.ErrNotFound):
			// No journal: the id a plan printed. The run starts with it, so the run applied is the one reviewed.
			if len(accts) != 1 || o.Accounts.MultiAccount() || (saved != nil && o.Accounts.RoleName != "" && len(failingAccounts(saved)) > 1) {
				return cmdutil.UsageError("--run %s: no such run, and a new run with a given id is for one account", o.RunID)
			}
			newRunID, o.RunID = o.RunID, ""
		case err != nil:
			return cmdutil.Usage(err)
		default:
			accts = []string{info.Account}
		}
	case saved != nil && o.Accounts.RoleName != "":
		accts = failingAccounts(saved)
	case saved == nil && o.Accounts.MultiAccount():
		if accts, err = o.Accounts.Select(ctx, cfg); err != nil {
			return cmdutil.Usage(err)
		}
		if ent.opts.RoleName == "" {
			ent.opts.RoleName = accounts.DefaultRoleName
		}
	}
	rep := cmdutil.NewReportOut(io, o.Out)
	io = rep.Streams()
	code := cmdutil.ExitOK
	// The worst code wins: interrupted or unreadable (2), then failed (1), then partial (4), then 0.
	rank := map[int]int{cmdutil.ExitOK: 0, cmdutil.ExitPartial: 1, cmdutil.ExitFail: 2, cmdutil.ExitIncomplete: 3}
	worse := func(c int) {
		if rank[c] > rank[code] {
			code = c
		}
	}
	type accountRun struct {
		cfg aws.Config
		pr  *fix.Prepared
	}
	var runs []accountRun
	for _, acct := range accts {
		acfg, err := ent.config(ctx, acct)
		if err != nil {
			fmt.Fprintf(io.ErrOut, "flowguard: account %s left alone: %s\n", textsafe.Terminal(acct), textsafe.Terminal(err.Error()))
			worse(cmdutil.ExitIncomplete)
			continue
		}
		var cached *finding.Result // this account's live scan, made once
		findings := func(ctx context.Context) (*finding.Result, error) {
			if saved != nil {
				return onlyAccount(saved, acct, len(accts) > 1), nil
			}
			if cached == nil {
				r, err := liveScan(ctx, io, acfg, o)
				if err != nil {
					return nil, err
				}
				cached = r
			}
			return cached, nil
		}
		pr, err := fix.Prepare(ctx, acfg, fix.PrepareOptions{Findings: findings, Settings: o.Settings, RunID: o.RunID, NewRun: o.NewRun, NewRunID: newRunID,
			JournalDir: o.JournalDir, Concurrency: o.Concurrency})
		if err != nil {
			if errors.Is(err, journal.ErrNotFound) {
				return cmdutil.Usage(err)
			}
			fmt.Fprintf(io.ErrOut, "flowguard: account %s: %s\n", textsafe.Terminal(acct), textsafe.Terminal(err.Error()))
			worse(cmdutil.ExitIncomplete)
			continue
		}
		if pr.Note != "" {
			fmt.Fprintln(io.ErrOut, "flowguard:", textsafe.Terminal(pr.Note))
		}
		if pr.Plan.Incomplete {
			worse(cmdutil.ExitIncomplete)
		}
		runs = append(runs, accountRun{acfg, pr})
	}
	plans := make([]*fix.Plan, len(runs))
	for i, r := range runs {
		plans[i] = r.pr.Plan
	}
	costs, err := planCosts(est, o.CostFrom, plans)
	if err != nil {
		return cmdutil.UsageError("--cost-from: %v", err)
	}
	steps, vpcs := 0, 0
	for i, r := range runs {
		steps += len(r.pr.Plan.Steps)
		vpcs += len(r.pr.Plan.Targets)
		if o.Output == cmdutil.OutputTable {
			if i > 0 {
				fmt.Fprintln(io.Out)
			}
			fix.WritePlan(io.Out, r.pr.Plan, o.Apply)
			if costs != nil {
				cost.WritePlanEstimate(io.Out, costs[i])
			}
		}
	}
	if !o.Apply {
		if o.Output == "json" {
			doc := map[string]any{"plans": plans}
			if costs != nil {
				doc["cost_estimates"] = costs
			}
			if err := cmdutil.WriteJSON(io.Out, doc); err != nil {
				return err
			}
		}
		if err := rep.Close(); err != nil {
			return err
		}
		if code != 0 {
			return &cmdutil.ExitError{Code: code}
		}
		return nil
	}
	if steps > 0 && !o.Yes && io.InTTY {
		if err := io.ConfirmOrStop(fmt.Sprintf("Apply %s to %s in %s?", human.Plural(steps, "change"), human.Plural(vpcs, "VPC"), human.Plural(len(runs), "account"))); err != nil {
			return err
		}
	}
	// Progress lines carry VPC ids and AWS error text: escaped on the way out, the lines kept.
	var progress = textsafe.NewWriter(io.ErrOut)
	if o.Output == cmdutil.OutputTable {
		progress = textsafe.NewWriter(io.Out)
	}
	defer progress.Flush()
	var outcomes []*fix.Outcome
	for _, r := range runs {
		if ctx.Err() != nil {
			worse(cmdutil.ExitIncomplete)
			break
		}
		if o.Output == cmdutil.OutputTable {
			fmt.Fprintf(io.Out, "\napplying in account %s\n", textsafe.Terminal(r.pr.Plan.Account))
		}
		out, err := fix.Execute(ctx, r.cfg, r.pr, o.JournalDir, fix.ApplyOptions{Concurrency: o.Concurrency, Progress: progress})
		if err != nil {
			fmt.Fprintf(io.ErrOut, "flowguard: account %s: fix: %s\n", textsafe.Terminal(r.pr.Plan.Account), textsafe.Terminal(err.Error()))
			worse(cmdutil.ExitIncomplete)
		}
		if out == nil {
			continue
		}
		for _, w := range out.Warnings {
			fmt.Fprintf(io.ErrOut, "flowguard: warning: %s\n", textsafe.Terminal(w))
		}
		outcomes = append(outcomes, out)
		if o.Output == cmdutil.OutputTable {
			fix.WriteOutcome(io.Out, out)
		}
		worse(cmdutil.OutcomeCode(out.Overall()))
	}
	var ids []string
	for _, out := range outcomes {
		ids = append(ids, out.RunID)
	}
	if err := o.Store.RecordFixRuns(ctx, o.IO, o.JournalDir, ids...); err != nil {
		fmt.Fprintln(io.ErrOut, "flowguard:", err)
		worse(cmdutil.ExitIncomplete)
	}
	if o.Output == "json" {
		if err := cmdutil.WriteJSON(io.Out, map[string]any{"plans": plans, "outcomes": outcomes}); err != nil {
			return err
		}
	}
	if err := rep.Close(); err != nil {
		return err
	}
	if code != 0 {
		return &cmdutil.ExitError{Code: code}
	}
	return nil
}

// failingAccounts lists the accounts with FAIL findings in r.
func failingAccounts(r *finding.Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Findings {
		if f.Status == finding.StatusFail && !seen[f.AccountID] {
			seen[f.AccountID] = true
			out = append(out, f.AccountID)
		}
	}
	sort.Strings(out)
	return out
}

// onlyAccount narrows a multi-account result to one account's findings (when each account gets its own run).
func onlyAccount(r *finding.Result, acct string, narrow bool) *finding.Result {
	if !narrow {
		return r
	}
	c := *r
	c.Findings = nil
	for _, f := range r.Findings {
		if f.AccountID == acct {
			c.Findings = append(c.Findings, f)
		}
	}
	c.Accounts = []string{acct}
	return &c
}

// onlyRegions keeps the findings of the given regions, and says how many it left out.
func onlyRegions(r *finding.Result, regions []string) (*finding.Result, int) {
	c := *r
	c.Findings = nil
	left := 0
	for _, f := range r.Findings {
		if slices.Contains(regions, f.Region) {
			c.Findings = append(c.Findings, f)
		} else {
			left++
		}
	}
	return &c, left
}

// enterer gives the config for an account: the caller's own, or by assuming --assume-role in it (with
// --external-id, --session-name and --session-duration, as scan enters accounts).
type enterer struct {
	cfg  aws.Config
	opts accounts.Options
	me   string
}

func (e *enterer) caller(ctx context.Context) (string, error) {
	if e.me == "" {
		id, err := fix.CallerAccount(ctx, e.cfg)
		if err != nil {
			return "", err
		}
		e.me = id
	}
	return e.me, nil
}

func (e *enterer) config(ctx context.Context, acct string) (aws.Config, error) {
	me, err := e.caller(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	if acct == me {
		return e.cfg, nil
	}
	if e.opts.RoleName == "" {
		return aws.Config{}, fmt.Errorf("it is not the account of the credentials (%s): pass --assume-role ROLE to enter it", me)
	}
	return accounts.Enter(ctx, e.cfg, inventory.PartitionOf(e.cfg.Region), acct, e.opts)
}

func readResult(io *cmdutil.IOStreams, name string) (*finding.Result, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = readAll(io.In)
	} else {
		var f *os.File
		if f, err = os.Open(name); err == nil {
			data, err = readAll(f)
			f.Close()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	if len(data) > maxResultBytes {
		return nil, fmt.Errorf("--from %s: over %d MiB: not a scan result flowguard wrote", name, maxResultBytes>>20)
	}
	// The same validation as every other reader of saved results (schema, findings, statuses, duplicates).
	r, err := finding.Decode("--from "+name, data)
	if err != nil {
		return nil, err
	}
	// Every id is checked before it can reach a plan, a log group name or an API call.
	if err := fix.ValidateResult("--from "+name, r); err != nil {
		return nil, err
	}
	return r, nil
}

// maxResultBytes bounds a saved scan read by --from.
const maxResultBytes = 1 << 30

func readAll(r io.Reader) ([]byte, error) { return io.ReadAll(io.LimitReader(r, maxResultBytes+1)) }

// liveScan runs a scan of the account for fix when no --from file is given.
func liveScan(ctx context.Context, io *cmdutil.IOStreams, cfg aws.Config, o *FixOptions) (*finding.Result, error) {
	fmt.Fprintln(io.ErrOut, "flowguard: scanning the account to find failing VPCs (use --from scan.json to fix a saved scan)")
	src, err := source.FromOptions(source.Options{Regions: o.AWS.NormalizedRegions(), Concurrency: o.Concurrency,
		AWSConfig: func(context.Context) (aws.Config, error) { return cfg, nil }})
	if err != nil {
		return nil, err
	}
	res, _, err := engine.Evaluate(ctx, src, engine.Options{MinRetentionDays: int(o.Settings.RetentionDays)})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.excepted != nil {
		exceptions.Apply(res, o.excepted, o.Now())
	}
	if len(res.Accounts) == 0 {
		msg := "the account could not be read"
		if len(res.Errors) > 0 {
			msg += ": " + textsafe.Terminal(res.Errors[0].Message)
		}
		return nil, errors.New(msg)
	}
	if res.Incomplete {
		fmt.Fprintf(io.ErrOut, "flowguard: the scan is incomplete (%s, %s): VPCs that could not be read are left alone\n",
			human.Plural(len(res.Errors), "read error"), human.Plural(res.Summary.Error, "ERROR finding"))
	}
	return res, nil
}
