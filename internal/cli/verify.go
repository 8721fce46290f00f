package cli

import (
	"fmt"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/textsafe"
)

func newVerifyCmd(io *IOStreams) *cobra.Command {
	var (
		aw          awsconf.Options
		runID, dir  string
		output, out string
		concurrency int
		enter       accounts.Options
	)
	cmd := &cobra.Command{
		Use:   "verify [--run ID]",
		Short: "Re-check the VPCs a fix run touched: does the control pass now, and is delivery working",
		Long: `verify re-reads the flow logs of every VPC a fix run touched (default: the latest run) and reports per VPC
whether "VPC flow logging is enabled" passes now (an ACTIVE REJECT or ALL flow log whose delivery has not FAILED)
and the delivery status of the run's flow log. Exit codes: 0 all pass, 1 some fail, 2 some could not be read.`,
		Example: `  flowguard verify
  flowguard verify --run 20261123T040512Z-3fa9c1 -o json --out verify.json
  flowguard verify --run 20261123T040512Z-3fa9c1 --assume-role OrganizationAccountAccessRole`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if runID == "" {
				id, err := fix.LatestRun(dir)
				if err != nil {
					return &ExitError{Code: cmdutil.ExitUsage, Err: err}
				}
				if id == "" {
					return usageError("no runs in %s: pass --run ID or --journal-dir", dir)
				}
				runID = id
			}
			if !journal.ValidRunID(runID) {
				return usageError("--run %q is not a run id", runID)
			}
			ctx := cmd.Context()
			cfg, err := runAccountConfig(ctx, aw, dir, runID, enter)
			if err != nil {
				return err
			}
			res, err := fix.Verify(ctx, cfg, dir, runID, concurrency)
			if err != nil {
				return rollbackErr(err)
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(io.ErrOut, "flowguard: warning: %s\n", textsafe.Terminal(w))
			}
			rep := newReportOut(io, out)
			io := rep.Streams()
			if output == "json" {
				if err := writeJSON(io.Out, res); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(io.Out, "run %s: %d VPC(s) pass, %d fail, %d could not be read\n", runID, res.Pass, res.Fail, res.Error)
				fmt.Fprintf(io.Out, "%-10s %-24s %-6s %-16s %s\n", "REGION", "VPC", "STATUS", "REASON", "RUN'S FLOW LOG DELIVERY")
				for _, v := range res.VPCs {
					d := v.Delivery
					if d == "" {
						d = "-"
					}
					fmt.Fprintf(io.Out, "%-10s %-24s %-6s %-16s %s\n", textsafe.Terminal(v.Region), textsafe.Terminal(v.VPCID),
						textsafe.Terminal(string(v.Status)), textsafe.Terminal(dash(v.Reason)), textsafe.Terminal(d))
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
	f.StringVar(&runID, "run", "", "the run to verify (default: the latest)")
	f.StringVar(&dir, "journal-dir", journal.DefaultDir(), "where run journals are kept")
	f.StringVarP(&output, "output", "o", outputTable, "output format: table or json")
	addOutFlag(f, &out)
	enter.AddEnterFlags(f)
	f.Lookup("assume-role").Usage = "role to assume to enter the run's account when it is not the credentials' own"
	f.IntVar(&concurrency, "concurrency", defaultConcurrency, "account-regions read at once")
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
