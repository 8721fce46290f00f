// Package scan is the scan command: check that every VPC in every enabled region has a working flow log.
package scan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/sink/exceptions"
	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// ScanOptions are the scan command's flags.
type ScanOptions struct {
	IO        *cmdutil.IOStreams
	AWSConfig func(context.Context, awsconf.Options) (aws.Config, error)
	Now       func() time.Time
	Ctx       context.Context

	AWS          awsconf.Options
	Accounts     accounts.Options
	Concurrency  int
	SkipUnused   bool
	MinRetention int
	Output       string
	Out          string
	SaveSnapshot string
	Snapshot     string
	// ReadNetwork also lists security groups, network ACLs and instances (for logs report --snapshot).
	ReadNetwork bool
	// Reports, exceptions and aws-cli input (see internal/report, internal/exceptions, internal/awscli).
	OutDir           string
	Exceptions       string
	MaxExceptionDays int
	FromAWSCLI       string
	// Stored checks: a folder of user checks, and the ids to run (see internal/checks).
	ChecksDir string
	CheckIDs  []string
	// Statuses keeps only the table rows with a finding in one of these statuses (see report.ParseStatuses).
	Statuses []string
	// MaxDeliveryLag is the oldest the newest delivered record may be (vpc-flow-logs-delivering).
	MaxDeliveryLag time.Duration
	// Store records the result in the history store (--store, FLOWGUARD_STORE).
	Store cmdutil.StoreOptions
}

// NewCmdScan builds the scan command; runF replaces scanRun in tests.
func NewCmdScan(f *cmdutil.Factory, runF func(*ScanOptions) error) *cobra.Command {
	o := &ScanOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Check that every VPC in every enabled region has a working flow log",
		Long: `Scan reads every VPC, flow log and destination log group of the account in every enabled region (or the
regions given with --region) and reports, per VPC, PASS, FAIL with a reason, ERROR (could not be read) or
SKIPPED (a VPC shared from another account). It only calls read APIs.

Exit codes: 0 everything evaluated and passing, 1 at least one FAIL, 2 the scan is incomplete (any ERROR,
interrupted, or nothing to evaluate: no account or region read), 3 usage or configuration error.`,
		Example: `  flowguard scan
  flowguard scan --profile prod --region eu-west-1,eu-central-1 --output json --out scan.json
  flowguard scan --endpoint-url http://127.0.0.1:5000     # a local moto_server
  flowguard scan --org --assume-role OrganizationAccountAccessRole --concurrency 32 -o json --out org.json
  flowguard scan --accounts 111122223333,444455556666 --assume-role SecurityAudit --external-id ext-123 -o json --out two.json
  flowguard scan --org --exceptions exceptions.yaml -o json,sarif,asff,ocsf,junit,markdown,html --out-dir reports/
  flowguard scan --from-aws-cli ./client-dump --region eu-west-1 -o html --out report.html
  flowguard scan --check vpc-flow-logs-enabled --check vpc-flow-logs-delivering --max-delivery-lag 1h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return scanRun(o)
		},
	}
	fs := cmd.Flags()
	o.AWS.AddFlags(fs)
	o.Accounts.AddFlags(fs)
	cmdutil.AddAlias(fs, "role-name", "assume-role")
	fs.IntVar(&o.Concurrency, "concurrency", cmdutil.DefaultConcurrency, "account-regions read at once (API limits are per account and region)")
	fs.BoolVar(&o.SkipUnused, "skip-unused", false, "leave out VPCs with no network interfaces (the report says how many)")
	fs.IntVar(&o.MinRetention, "min-retention-days", engine.DefaultMinRetentionDays, "shortest acceptable retention of flow-log log groups")
	fs.StringVarP(&o.Output, "output", "o", "table", "output formats, comma-separated: "+strings.Join(report.Names(), ", "))
	cmdutil.AddOutFlag(fs, &o.Out)
	fs.StringVar(&o.OutDir, "out-dir", "", "write each --output format to this directory as flowguard.<ext>")
	fs.StringVar(&o.Exceptions, "exceptions", "", "YAML file of exceptions (owner, reason, expiry) that turn matching FAILs into EXCEPTED")
	fs.IntVar(&o.MaxExceptionDays, "max-exception-days", 365, "refuse exceptions that expire further out than this many days (0: no limit)")
	fs.StringVar(&o.FromAWSCLI, "from-aws-cli", "", "evaluate a directory of AWS CLI JSON output (describe-vpcs, describe-flow-logs, describe-log-groups) instead of calling AWS")
	fs.StringVar(&o.SaveSnapshot, "save-snapshot", "", "also save the collected inventory to this file (re-evaluate it later with --snapshot)")
	fs.StringVar(&o.Snapshot, "snapshot", "", "evaluate a saved inventory instead of calling AWS")
	fs.BoolVar(&o.ReadNetwork, "read-network", false, "also read security groups, network ACLs and instances (one more list each per region, "+
		"ec2:DescribeSecurityGroups, DescribeNetworkAcls, DescribeInstances), so that a --save-snapshot can enrich 'logs report --snapshot'")
	fs.StringVar(&o.ChecksDir, "checks", "", "also run the check files (*.yaml) of this folder (see 'flowguard checks')")
	fs.StringArrayVar(&o.CheckIDs, "check", nil, "run only this check id (repeatable; default: all but the opt-in "+engine.CheckDelivering+", which reads the flow logs' destinations)")
	cmdutil.AddMaxDeliveryLagFlag(fs, &o.MaxDeliveryLag)
	cmdutil.AddStoreFlag(fs, &o.Store, f)
	cmdutil.AddStatusFlag(fs, &o.Statuses, "show only the VPCs with a finding in one of these statuses (FAIL, ERROR, UNKNOWN, EXCEPTED, SKIPPED, PASS); the summary still counts everything")
	cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return report.Names(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func scanRun(o *ScanOptions) error {
	io := o.IO
	formats, err := cmdutil.LookupFormats(o.Output)
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	statuses, err := cmdutil.ParseStatusFlag(o.Statuses)
	if err != nil {
		return err
	}
	ropts := report.Options{Statuses: statuses}
	if len(formats) > 1 && o.OutDir == "" {
		return cmdutil.UsageError("several --output formats need --out-dir")
	}
	if o.Out != "" && o.OutDir != "" {
		return cmdutil.UsageError("use --out or --out-dir, not both")
	}
	var excSet *exceptions.Set
	if o.Exceptions != "" {
		if excSet, err = exceptions.Load(o.Exceptions, o.MaxExceptionDays, o.Now()); err != nil {
			return cmdutil.UsageError("exceptions: %v", err)
		}
	}
	if o.MinRetention < 1 {
		return cmdutil.UsageError("--min-retention-days must be at least 1")
	}
	if o.MaxDeliveryLag < time.Minute {
		return cmdutil.UsageError("--max-delivery-lag must be at least 1m (flow logs aggregate traffic for 1 or 10 minutes before they deliver it)")
	}
	cs, err := cmdutil.LoadChecks(o.ChecksDir, o.CheckIDs)
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	if o.ReadNetwork && (o.Snapshot != "" || o.FromAWSCLI != "") {
		return cmdutil.UsageError("--read-network reads AWS: not with --snapshot or --from-aws-cli")
	}
	// The network lists cost a call each per region and a permission the built-in checks never need: read
	// only those a check reads, or all with --read-network.
	network := engine.Network(cs)
	if o.ReadNetwork {
		network = inventory.NetworkCollections
	}
	ctx := o.Ctx
	progress := cmdutil.ShowRetries(io, &o.AWS)
	src, err := source.FromOptions(source.Options{Snapshot: o.Snapshot, FromAWSCLI: o.FromAWSCLI, Regions: o.AWS.NormalizedRegions(),
		Concurrency: o.Concurrency, Accounts: o.Accounts, Progress: progress.Update, Network: network,
		AWSConfig: func(ctx context.Context) (aws.Config, error) { return o.AWSConfig(ctx, o.AWS) },
		Delivery:  cmdutil.DeliveryOptions(checks.Need(cs, inventory.CollDelivery), o.MaxDeliveryLag, o.Now, progress)})
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	res, snap, err := engine.Evaluate(ctx, src, engine.Options{MinRetentionDays: o.MinRetention, SkipUnused: o.SkipUnused, Checks: cs,
		MaxDeliveryLag: o.MaxDeliveryLag})
	progress.Done()
	if err != nil {
		if o.FromAWSCLI != "" {
			return cmdutil.InputError("--from-aws-cli", err)
		}
		return cmdutil.InputError("", err)
	}
	if e, ok := cmdutil.IdentityError(snap); ok && ctx.Err() == nil && o.Snapshot == "" && o.FromAWSCLI == "" && !o.Accounts.MultiAccount() {
		if e.Code == awsconf.CodeCannotConnect {
			return cmdutil.UsageError("%s: check --endpoint-url / AWS_ENDPOINT_URL, the network and any proxy", textsafe.Terminal(e.Message))
		}
		return cmdutil.UsageError("cannot identify the AWS account: %s\nCheck your credentials, --profile and --endpoint-url.", textsafe.Terminal(e.Message))
	}
	if o.SaveSnapshot != "" {
		if err := snap.WriteFile(o.SaveSnapshot); err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
		}
	}
	if excSet != nil {
		exceptions.Apply(res, excSet, o.Now())
	}
	if o.OutDir != "" {
		if err := cmdutil.WriteReports(io, formats, res, o.OutDir, ropts); err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
		}
	} else if err := cmdutil.WriteReport(io, formats[0], res, o.Out, ropts); err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
	}
	if err := o.Store.RecordScan(ctx, io, res); err != nil {
		return err
	}
	if res.Cancelled {
		fmt.Fprintln(io.ErrOut, "flowguard: interrupted: the report shows what finished and is marked incomplete")
	}
	return cmdutil.OutcomeError(res.Overall())
}
