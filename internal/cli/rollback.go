package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/textsafe"
)

func newRollbackCmd(io *IOStreams) *cobra.Command {
	var (
		aw          awsconf.Options
		runID, dir  string
		dryRun, yes bool
		output, out string
		concurrency int
		enter       accounts.Options
	)
	cmd := &cobra.Command{
		Use:   "rollback --run ID",
		Short: "Delete exactly what a fix run created, then check describe-flow-logs no longer shows it",
		Long: `rollback undoes one fix run: it deletes the flow logs the run created (found in its journal and confirmed by
the flowguard:run-id tag), then the log groups and the delivery role it created when nothing else uses them, and
puts back retention it raised. Flow logs, log groups and roles flowguard did not create are never touched.
Deleting a log group deletes the flow-log records in it. Exit code 0 when everything the run created is gone.`,
		Example: `  flowguard rollback --run 20261123T040512Z-3fa9c1 --dry-run
  flowguard rollback --run 20261123T040512Z-3fa9c1 --yes
  flowguard rollback --run 20261123T040512Z-3fa9c1 --assume-role OrganizationAccountAccessRole --yes -o json --out rollback.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runID == "" || !journal.ValidRunID(runID) {
				return usageError("--run ID is required (see flowguard runs)")
			}
			if err := checkOutput(output); err != nil {
				return err
			}
			ctx := cmd.Context()
			cfg, err := runAccountConfig(ctx, aw, dir, runID, enter)
			if err != nil {
				return err
			}
			if !dryRun && !yes && io.InTTY {
				pw := textsafe.NewWriter(io.Out)
				preview, err := fix.Rollback(ctx, cfg, dir, runID, fix.RollbackOptions{DryRun: true, Concurrency: concurrency, Progress: pw})
				pw.Flush()
				if err != nil {
					return rollbackErr(err)
				}
				fmt.Fprintf(io.ErrOut, "\nDelete %d resource(s) created by run %s? [y/N] ", len(preview.Items), runID)
				line, _ := bufio.NewReader(io.In).ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
					fmt.Fprintln(io.ErrOut, "flowguard: nothing changed")
					return &ExitError{Code: cmdutil.ExitFail}
				}
			}
			rep := newReportOut(io, out)
			io := rep.Streams()
			// Progress lines carry ids and AWS error text: escaped on the way out, the lines kept.
			var progress = textsafe.NewWriter(io.Out)
			if output == "json" {
				progress = textsafe.NewWriter(io.ErrOut)
			}
			defer progress.Flush()
			res, err := fix.Rollback(ctx, cfg, dir, runID, fix.RollbackOptions{DryRun: dryRun, Concurrency: concurrency, Progress: progress})
			if err != nil {
				return rollbackErr(err)
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(io.ErrOut, "flowguard: warning: %s\n", textsafe.Terminal(w))
			}
			if output == "json" {
				if err := writeJSON(io.Out, res); err != nil {
					return err
				}
			} else {
				verb := "rolled back"
				switch {
				case dryRun:
					verb = "dry run (nothing changed)"
				case cmdutil.OutcomeCode(res.Overall()) != 0:
					verb = "NOT fully rolled back"
				}
				fmt.Fprintf(io.Out, "\nrun %s: %s; describe-flow-logs still shows %d of its flow logs\n", textsafe.Terminal(runID), verb, len(res.Remaining))
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
			if code := cmdutil.OutcomeCode(res.Overall()); code != 0 {
				return &ExitError{Code: code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	aw.AddFlags(f)
	f.StringVar(&runID, "run", "", "the run to undo (see flowguard runs)")
	f.StringVar(&dir, "journal-dir", journal.DefaultDir(), "where run journals are kept")
	f.BoolVar(&dryRun, "dry-run", false, "show what would be deleted, change nothing")
	f.BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation on a terminal")
	f.StringVarP(&output, "output", "o", outputTable, "output format: table or json")
	addOutFlag(f, &out)
	enter.AddEnterFlags(f)
	f.Lookup("assume-role").Usage = "role to assume to enter the run's account when it is not the credentials' own"
	f.IntVar(&concurrency, "concurrency", defaultConcurrency, "account-regions handled at once")
	return cmd
}

// runAccountConfig loads the AWS configuration and enters the account a run worked in (through --assume-role
// when that is not the caller's own), for the commands that act on a past run.
func runAccountConfig(ctx context.Context, aw awsconf.Options, dir, runID string, enter accounts.Options) (aws.Config, error) {
	base, err := awsconf.Load(ctx, aw)
	if err != nil {
		return aws.Config{}, &ExitError{Code: cmdutil.ExitUsage, Err: err}
	}
	info, _, err := fix.LoadRun(dir, runID)
	if err != nil {
		return aws.Config{}, rollbackErr(err)
	}
	ent := &enterer{cfg: base, opts: enter}
	cfg, err := ent.config(ctx, info.Account)
	if err != nil {
		return aws.Config{}, &ExitError{Code: cmdutil.ExitUsage, Err: fmt.Errorf("run %s is in account %s: %w", runID, info.Account, err)}
	}
	return cfg, nil
}

func rollbackErr(err error) error {
	if errors.Is(err, journal.ErrNotFound) {
		return usageError("%v", err)
	}
	return &ExitError{Code: cmdutil.ExitIncomplete, Err: err}
}
