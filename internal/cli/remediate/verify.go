package remediate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// VerifyOptions are the verify command's flags.
type VerifyOptions struct {
	IO          *cmdutil.IOStreams
	AWSConfig   func(context.Context, awsconf.Options) (aws.Config, error)
	Ctx         context.Context
	AWS         awsconf.Options
	RunID       string
	JournalDir  string
	Output      string
	Out         string
	Concurrency int
	Enter       accounts.Options
	// Statuses keeps only the table rows of VPCs in one of these statuses (see report.ParseStatuses).
	Statuses []string
	// Wait polls for delivered records (vpc-flow-logs-delivering) for at most this long; 0: no polling.
	Wait           time.Duration
	MaxDeliveryLag time.Duration
	// Poll is the time between rounds (tests shorten it; 0: the default).
	Poll  time.Duration
	Store cmdutil.StoreOptions
}

// NewCmdVerify builds the verify command; runF replaces verifyRun in tests.
func NewCmdVerify(f *cmdutil.Factory, runF func(*VerifyOptions) error) *cobra.Command {
	o := &VerifyOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig}
	cmd := &cobra.Command{
		Use:   "verify [--run ID]",
		Short: "Re-check the VPCs a fix run touched: does the control pass now, and is delivery working",
		Long: `verify re-reads the regions of a fix run (default: the latest run) as scan does and reports, for every VPC
the run touched, scan's verdict and reason for "VPC flow logging is enabled" (the same built-in check: an ACTIVE
REJECT or ALL VPC flow log whose delivery has not FAILED; SUBNET_OR_ENI_ONLY, DELIVERY_FAILED, ... as scan says
them), and the delivery status of the run's flow log. A VPC deleted since is SKIPPED (VPC_NOT_FOUND).

With --wait DURATION, verify also reads the destinations of the VPCs' flow logs (the check
vpc-flow-logs-delivering: log streams, bucket listings, Firehose streams) and polls until every VPC whose
control passes shows delivered records, or the wait is over; it then names the VPCs that did not. A VPC
passes only with its records delivered. New flow logs usually deliver within 10 to 20 minutes.

Exit codes: 0 all pass, 1 some fail (with --wait: or no records arrived in time), 2 some could not be read.`,
		Example: `  flowguard verify
  flowguard verify --run 20261123T040512Z-3fa9c1 -o json --out verify.json
  flowguard verify --run 20261123T040512Z-3fa9c1 --assume-role OrganizationAccountAccessRole
  flowguard verify --wait 30m                     # poll until the fixed VPCs' records arrive`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return verifyRun(o)
		},
	}
	fs := cmd.Flags()
	o.AWS.AddFlags(fs)
	fs.StringVar(&o.RunID, "run", "", "the run to verify (default: the latest)")
	fs.StringVar(&o.JournalDir, "journal-dir", f.JournalDir(), "where run journals are kept")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: table or json")
	cmdutil.AddOutFlag(fs, &o.Out)
	o.Enter.AddEnterFlags(fs)
	fs.Lookup("assume-role").Usage = "role to assume to enter the run's account when it is not the credentials' own"
	fs.IntVar(&o.Concurrency, "concurrency", cmdutil.DefaultConcurrency, "account-regions read at once")
	cmdutil.AddStoreFlag(fs, &o.Store, f)
	cmdutil.AddStatusFlag(fs, &o.Statuses, "show only the VPCs in one of these statuses (FAIL, ERROR, UNKNOWN, EXCEPTED, SKIPPED, PASS); the counts still count every VPC")
	fs.DurationVar(&o.Wait, "wait", 0, "poll up to this long (e.g. 30m) until every VPC of the run shows delivered flow-log records (reads the destinations)")
	cmdutil.AddMaxDeliveryLagFlag(fs, &o.MaxDeliveryLag)
	return cmd
}

func verifyRun(o *VerifyOptions) (err error) {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	statuses, err := cmdutil.ParseStatusFlag(o.Statuses)
	if err != nil {
		return err
	}
	if o.RunID == "" {
		id, err := fix.LatestRun(o.JournalDir)
		if err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Err: err}
		}
		if id == "" {
			return cmdutil.UsageError("no runs in %s: pass --run ID or --journal-dir", o.JournalDir)
		}
		o.RunID = id
	}
	if !journal.ValidRunID(o.RunID) {
		return cmdutil.UsageError("--run %q is not a run id", o.RunID)
	}
	if o.Wait < 0 {
		return cmdutil.UsageError("--wait must not be negative")
	}
	if o.MaxDeliveryLag < time.Minute {
		return cmdutil.UsageError("--max-delivery-lag must be at least 1m")
	}
	ctx := o.Ctx
	retries := cmdutil.ShowRetries(o.IO, &o.AWS)
	defer retries.Done()
	cfg, err := runAccountConfig(ctx, o.AWSConfig, o.AWS, o.JournalDir, o.RunID, o.Enter)
	if err != nil {
		return err
	}
	wo := fix.WaitOptions{Concurrency: o.Concurrency, Wait: o.Wait, MaxDeliveryLag: o.MaxDeliveryLag, Poll: o.Poll}
	if o.Wait > 0 && retries.Enabled() {
		wo.Progress = func(round, waiting, total int, left time.Duration) {
			retries.Show(fmt.Sprintf("verify: waiting for delivered records from %d of %s, %s left (round %d)…",
				waiting, human.Plural(total, "VPC"), left.Round(time.Second), round))
		}
	}
	started := time.Now()
	res, err := fix.VerifyWait(ctx, cfg, o.JournalDir, o.RunID, wo)
	retries.Done()
	if err != nil {
		return rollbackErr(err)
	}
	defer func() { err = cmdutil.Recorded(err, o.Store.RecordVerify(ctx, o.IO, started, res)) }()
	if w := res.Wait; w != nil && w.Interrupted {
		fmt.Fprintln(o.IO.ErrOut, "flowguard: interrupted while waiting: the report shows the last round and is incomplete")
	}
	if w := res.Wait; w != nil && len(w.NotDelivering) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "flowguard: after %s, no delivered records from %s: %s\n", time.Duration(w.ElapsedSeconds)*time.Second,
			human.Plural(len(w.NotDelivering), "VPC"), textsafe.Terminal(strings.Join(w.NotDelivering, ", ")))
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(o.IO.ErrOut, "flowguard: warning: %s\n", textsafe.Terminal(w))
	}
	rep := cmdutil.NewReportOut(o.IO, o.Out)
	io := rep.Streams()
	if o.Output == cmdutil.OutputJSON {
		if err := cmdutil.WriteJSON(io.Out, res); err != nil {
			return err
		}
	} else {
		fix.WriteVerify(io.Out, res, fix.VerifyTableOptions{Color: io.ColorEnabled(), Statuses: statuses})
	}
	if err := rep.Close(); err != nil {
		return err
	}
	return cmdutil.OutcomeError(res.Overall())
}
