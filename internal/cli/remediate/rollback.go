package remediate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// RollbackOptions are the rollback command's flags.
type RollbackOptions struct {
	IO          *cmdutil.IOStreams
	AWSConfig   func(context.Context, awsconf.Options) (aws.Config, error)
	Ctx         context.Context
	AWS         awsconf.Options
	RunID       string
	JournalDir  string
	DryRun, Yes bool
	Output      string
	Out         string
	Concurrency int
	Enter       accounts.Options
	Store       cmdutil.StoreOptions
}

// NewCmdRollback builds the rollback command; runF replaces rollbackRun in tests.
func NewCmdRollback(f *cmdutil.Factory, runF func(*RollbackOptions) error) *cobra.Command {
	o := &RollbackOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig}
	cmd := &cobra.Command{
		Use:   "rollback --run ID",
		Short: "Delete exactly what a fix run created, then check describe-flow-logs no longer shows it",
		Long: `rollback undoes one fix run: it deletes the flow logs the run created (found in its journal and confirmed by
the flowguard:run-id tag), then the log groups and the delivery role it created when nothing else uses them, and
puts back retention it raised. Flow logs, log groups and roles flowguard did not create are never touched.
Deleting a log group deletes the flow-log records in it. Exit code 0 when everything the run created is gone,
5 when the confirmation prompt is declined (nothing deleted).`,
		Example: `  flowguard rollback --run 20261123T040512Z-3fa9c1 --dry-run
  flowguard rollback --run 20261123T040512Z-3fa9c1 --yes
  flowguard rollback --run 20261123T040512Z-3fa9c1 --assume-role OrganizationAccountAccessRole --yes -o json --out rollback.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return rollbackRun(o)
		},
	}
	fs := cmd.Flags()
	o.AWS.AddFlags(fs)
	fs.StringVar(&o.RunID, "run", "", "the run to undo (see flowguard runs)")
	fs.StringVar(&o.JournalDir, "journal-dir", f.JournalDir(), "where run journals are kept")
	fs.BoolVar(&o.DryRun, "dry-run", false, "show what would be deleted, change nothing")
	fs.BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation on a terminal")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: table or json")
	cmdutil.AddOutFlag(fs, &o.Out)
	o.Enter.AddEnterFlags(fs)
	fs.Lookup("assume-role").Usage = "role to assume to enter the run's account when it is not the credentials' own"
	fs.IntVar(&o.Concurrency, "concurrency", cmdutil.DefaultConcurrency, "account-regions handled at once")
	cmdutil.AddStoreFlag(fs, &o.Store, f)
	return cmd
}

func rollbackRun(o *RollbackOptions) (err error) {
	if o.RunID == "" || !journal.ValidRunID(o.RunID) {
		return cmdutil.UsageError("--run ID is required (see flowguard runs)")
	}
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	ctx, io, runID, dir := o.Ctx, o.IO, o.RunID, o.JournalDir
	retries := cmdutil.ShowRetries(io, &o.AWS)
	defer retries.Done()
	cfg, err := runAccountConfig(ctx, o.AWSConfig, o.AWS, dir, runID, o.Enter)
	if err != nil {
		return err
	}
	if !o.DryRun && !o.Yes && io.InTTY {
		pw := textsafe.NewWriter(io.Out)
		preview, err := fix.Rollback(ctx, cfg, dir, runID, fix.RollbackOptions{DryRun: true, Concurrency: o.Concurrency, Progress: pw})
		pw.Flush()
		if err != nil {
			return rollbackErr(err)
		}
		if err := io.ConfirmOrStop(fmt.Sprintf("Delete %s created by run %s?", human.Plural(len(preview.Items), "resource"), runID)); err != nil {
			return err
		}
	}
	rep := cmdutil.NewReportOut(io, o.Out)
	io = rep.Streams()
	// Progress lines carry ids and AWS error text: escaped on the way out, the lines kept.
	var progress = textsafe.NewWriter(io.Out)
	if o.Output == cmdutil.OutputJSON {
		progress = textsafe.NewWriter(io.ErrOut)
	}
	defer progress.Flush()
	started := time.Now()
	res, err := fix.Rollback(ctx, cfg, dir, runID, fix.RollbackOptions{DryRun: o.DryRun, Concurrency: o.Concurrency, Progress: progress})
	if err != nil {
		return rollbackErr(err)
	}
	defer func() { err = cmdutil.Recorded(err, o.Store.RecordRollback(ctx, o.IO, dir, started, res)) }()
	for _, w := range res.Warnings {
		fmt.Fprintf(io.ErrOut, "flowguard: warning: %s\n", textsafe.Terminal(w))
	}
	if o.Output == cmdutil.OutputJSON {
		if err := cmdutil.WriteJSON(io.Out, res); err != nil {
			return err
		}
	} else {
		verb := "rolled back"
		switch {
		case o.DryRun:
			verb = "dry run (nothing changed)"
		case res.Overall() != finding.OutcomeOK:
			verb = "NOT fully rolled back"
		}
		if o.DryRun {
			// Nothing was deleted: the run's flow logs are all still there, and each would be deleted.
			n := 0
			for _, it := range res.Items {
				if it.Kind == "flow-log" && it.Outcome == "would-delete" {
					n++
				}
			}
			fmt.Fprintf(io.Out, "\nrun %s: %s; describe-flow-logs shows %s of the run now, all of which would be deleted\n",
				textsafe.Terminal(runID), verb, human.Plural(n, "flow log"))
		} else {
			fmt.Fprintf(io.Out, "\nrun %s: %s; describe-flow-logs still shows %d of its flow logs\n", textsafe.Terminal(runID), verb, len(res.Remaining))
		}
		for _, id := range res.Remaining {
			fmt.Fprintf(io.Out, "  remains: flow log %s\n", textsafe.Terminal(id))
		}
		for _, r := range res.RemainingResources {
			fmt.Fprintf(io.Out, "  remains: %s\n", textsafe.Terminal(r))
		}
		for _, r := range res.KeptInUse {
			fmt.Fprintf(io.Out, "  kept (in use): %s\n", textsafe.Terminal(r))
		}
		for _, e := range res.Errors {
			fmt.Fprintf(io.Out, "  error: %s\n", textsafe.Terminal(fmt.Sprint(e)))
		}
	}
	if err := rep.Close(); err != nil {
		return err
	}
	return cmdutil.OutcomeError(res.Overall())
}

// runAccountConfig loads the AWS configuration and enters the account a run worked in (through --assume-role
// when that is not the caller's own), for the commands that act on a past run.
func runAccountConfig(ctx context.Context, load func(context.Context, awsconf.Options) (aws.Config, error), aw awsconf.Options, dir, runID string, enter accounts.Options) (aws.Config, error) {
	base, err := load(ctx, aw)
	if err != nil {
		return aws.Config{}, err
	}
	info, _, err := fix.LoadRun(dir, runID)
	if err != nil {
		return aws.Config{}, rollbackErr(err)
	}
	ent := &enterer{cfg: base, opts: enter}
	cfg, err := ent.config(ctx, info.Account)
	if err != nil {
		return aws.Config{}, &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("run %s is in account %s: %w", runID, info.Account, err)}
	}
	return cfg, nil
}

func rollbackErr(err error) error {
	if errors.Is(err, journal.ErrNotFound) {
		return cmdutil.Usage(err)
	}
	return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
}
