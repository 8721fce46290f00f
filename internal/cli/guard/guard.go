// Package guard is the `flowguard guard` command: the long-running enforcer that consumes AWS management
// events from an SQS queue (or as an AWS Lambda function) and keeps the control true within seconds.
package guard

import (
	"context"
	"errors"
	"github.com/flowguard/flowguard/internal/cli/guarddeploy"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/guard"
	"github.com/flowguard/flowguard/internal/sink/exceptions"
	"github.com/flowguard/flowguard/internal/source/accounts"
)

// Options are the guard command's flags.
type Options struct {
	// Store records every guard run in the history store (--store, FLOWGUARD_STORE).
	Store     cmdutil.StoreOptions
	IO        *cmdutil.IOStreams
	AWSConfig func(context.Context, awsconf.Options) (aws.Config, error)
	Getenv    func(string) string
	Now       func() time.Time
	Ctx       context.Context

	AWS              awsconf.Options
	Accounts         accounts.Options
	QueueURL         string
	Mode             string
	Reconcile        time.Duration
	Listen           string
	SecurityHub      bool
	SNSTopicARN      string
	Exceptions       string
	MaxExceptionDays int
	JournalDir       string
	Concurrency      int
	Visibility       time.Duration
	MaxRepairs       int
	RepairWindow     time.Duration
	// What a repair creates (--delivery-role-name, --log-group, --destination, --tag, …), as for fix.
	cmdutil.FixSettingsFlags

	// Ready, when set, is called with the /healthz and /metrics listener's address once it listens (tests).
	Ready func(addr string)
}

// NewCmdGuard builds the guard command; runF replaces guardRun in tests.
func NewCmdGuard(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, AWSConfig: f.AWSConfig, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "guard",
		Short: "Keep the control true: react within seconds to AWS events (new VPCs, deleted flow logs, shortened retention)",
		Long: `guard consumes the CloudTrail API calls EventBridge delivers to an SQS queue (CreateVpc, DeleteFlowLogs,
CreateFlowLogs, CreateTransitGateway, DeleteLogGroup, PutRetentionPolicy, DeleteRetentionPolicy). For each event
it re-reads only the account-region the event names (the scan's single pass), evaluates the same checks and
acts by --mode:

  alert  every finding whose status changed, as a JSON line on stdout (schema flowguard.guard/v1); with
         --security-hub also to Security Hub (ASFF), with --sns-topic-arn also to an SNS topic
  fix    the same, and the fix engine repairs the failing VPCs as a guard run (run id …-guard-…), journaled
         like 'fix --apply': 'flowguard runs' lists it, 'flowguard rollback --run ID' undoes it

A message is deleted only once it is handled; one that fails stays on the queue and is retried, and a message
that cannot be parsed goes back at once, so the queue's redrive policy moves it to the dead-letter queue.
Events caused by flowguard itself are ignored; a VPC repaired --max-repairs times within --repair-window and
failing again is left alone and reported as a conflict. --reconcile runs a full scan of the scope at start and
then periodically. Logs are JSON (slog) on stderr; --listen serves /healthz and Prometheus /metrics.
SIGTERM or Ctrl-C: stop receiving, finish the messages in hand, exit 0.

In AWS Lambda (AWS_LAMBDA_RUNTIME_API is set) the same handler serves SQS event batches, with partial batch
failure responses (set FunctionResponseTypes ReportBatchItemFailures on the event source mapping); --queue-url
and --listen are then not used.`,
		Example: `  flowguard guard --queue-url https://sqs.eu-west-1.amazonaws.com/111122223333/flowguard-guard --mode alert
  flowguard guard --queue-url URL --mode fix --region eu-west-1,eu-central-1 --listen 127.0.0.1:9464
  flowguard guard --queue-url URL --mode fix --org --assume-role OrganizationAccountAccessRole --reconcile 6h
  flowguard guard --queue-url URL --mode alert --security-hub --sns-topic-arn arn:aws:sns:eu-west-1:111122223333:sec`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return guardRun(o)
		},
	}
	fs := cmd.Flags()
	o.AWS.AddFlags(fs)
	fs.Lookup("region").Usage = "regions guard acts in, repeatable or comma-separated: events from others are ignored (default: every region; a reconcile reads every enabled region)"
	fs.StringVar(&o.QueueURL, "queue-url", "", "URL of the SQS queue the EventBridge rules target (required outside AWS Lambda)")
	fs.StringVar(&o.Mode, "mode", guard.ModeAlert, "alert (report) or fix (report and repair)")
	fs.DurationVar(&o.Reconcile, "reconcile", time.Hour, "full scan of the scope at start and then every this long, for events that never arrived (0: none)")
	fs.StringVar(&o.Listen, "listen", "", "address to serve /healthz and /metrics on, e.g. 127.0.0.1:9464 (default: none)")
	fs.BoolVar(&o.SecurityHub, "security-hub", false, "also import changed findings into Security Hub (ASFF, BatchImportFindings) in their account and region")
	fs.StringVar(&o.SNSTopicARN, "sns-topic-arn", "", "also publish changed findings to this SNS topic")
	o.Accounts.AddFlags(fs)
	fs.StringVar(&o.Exceptions, "exceptions", "", "exceptions file (as for scan): excepted VPCs are reported EXCEPTED and never changed")
	fs.IntVar(&o.MaxExceptionDays, "max-exception-days", 365, "refuse exceptions that expire further out than this many days (0: no limit)")
	fs.StringVar(&o.JournalDir, "journal-dir", f.JournalDir(), "where run journals are kept (guard runs among them)")
	fs.IntVar(&o.Concurrency, "concurrency", cmdutil.DefaultConcurrency, "account-regions handled at once")
	fs.DurationVar(&o.Visibility, "visibility-timeout", time.Minute, "how long a received message stays hidden; extended while it is handled")
	fs.IntVar(&o.MaxRepairs, "max-repairs", 3, "repairs of one VPC within --repair-window before guard stops and reports a conflict")
	fs.DurationVar(&o.RepairWindow, "repair-window", time.Hour, "the window of --max-repairs")

	// The fix engine's settings, under fix's flag names.
	o.FixSettingsFlags.AddFlags(fs, "retention of the log groups flowguard creates (and the retention check's minimum)")
	cmdutil.AddStoreFlag(fs, &o.Store, f)
	// The infrastructure guard runs on: queue, dead-letter queue, EventBridge rules, role.
	cmd.AddCommand(guarddeploy.NewCmdDeploy(f))
	return cmd
}

func guardRun(o *Options) error {
	ctx, ios := o.Ctx, o.IO
	inLambda := o.Getenv("AWS_LAMBDA_RUNTIME_API") != ""
	if o.Mode != guard.ModeAlert && o.Mode != guard.ModeFix {
		return cmdutil.UsageError("--mode %q: want alert or fix", o.Mode)
	}
	if o.QueueURL == "" && !inLambda {
		return cmdutil.UsageError("--queue-url is required (the SQS queue the EventBridge rules target)")
	}
	if o.Reconcile < 0 {
		return cmdutil.UsageError("--reconcile %s: want a duration, or 0 for none", o.Reconcile)
	}
	if o.Reconcile > 0 && o.Reconcile < time.Minute {
		return cmdutil.UsageError("--reconcile %s: at least 1m (a full scan costs API calls in every region), or 0 for none", o.Reconcile)
	}
	if o.Concurrency < 1 {
		return cmdutil.UsageError("--concurrency must be at least 1")
	}
	if o.MaxRepairs < 1 || o.RepairWindow <= 0 {
		return cmdutil.UsageError("--max-repairs must be at least 1 and --repair-window positive")
	}
	if o.Visibility < 10*time.Second || o.Visibility > 12*time.Hour {
		return cmdutil.UsageError("--visibility-timeout %s: between 10s and 12h", o.Visibility)
	}
	if o.SNSTopicARN != "" && !strings.HasPrefix(o.SNSTopicARN, "arn:") {
		return cmdutil.UsageError("--sns-topic-arn %q is not an ARN", o.SNSTopicARN)
	}
	for _, r := range o.AWS.NormalizedRegions() {
		if !guard.ValidRegion(r) {
			return cmdutil.UsageError("--region %q is not an AWS region name", r)
		}
	}
	err := o.FixSettingsFlags.Resolve()
	if err != nil {
		return err
	}
	var excepted *exceptions.Set
	if o.Exceptions != "" {
		if excepted, err = exceptions.Load(o.Exceptions, o.MaxExceptionDays, o.Now()); err != nil {
			return cmdutil.UsageError("exceptions: %v", err)
		}
	}
	var ln net.Listener
	if o.Listen != "" && !inLambda {
		if ln, err = net.Listen("tcp", o.Listen); err != nil {
			return cmdutil.UsageError("--listen %s: %v", o.Listen, err)
		}
		defer ln.Close()
	}
	cfg, err := o.AWSConfig(ctx, o.AWS)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(ios.ErrOut, nil)).With("component", "guard")
	metrics := guard.NewMetrics()
	var pubs guard.Publishers
	if o.SecurityHub {
		pubs = append(pubs, guard.SecurityHub{})
	}
	if o.SNSTopicARN != "" {
		pubs = append(pubs, guard.SNS{TopicARN: o.SNSTopicARN, Config: cfg})
	}
	gopts := guard.Options{Mode: o.Mode, Config: cfg, Regions: o.AWS.NormalizedRegions(), Accounts: o.Accounts,
		Settings: o.Settings, Exceptions: excepted, JournalDir: o.JournalDir, Out: ios.Out, Log: log, Metrics: metrics,
		MaxRepairs: o.MaxRepairs, RepairWindow: o.RepairWindow, Concurrency: o.Concurrency, Now: o.Now}
	if o.Store.Resolved() != "" {
		// A store that cannot be written does not stop guard: the run is in its journal (history import).
		gopts.OnRun = func(ctx context.Context, runID string) {
			if err := o.Store.RecordFixRuns(ctx, ios, o.JournalDir, runID); err != nil {
				log.Warn("history store", "run_id", runID, "error", err.Error())
			}
		}
	}
	if len(pubs) > 0 {
		gopts.Publisher = pubs
	}
	g, err := guard.New(ctx, gopts)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return cmdutil.Incomplete(err)
		}
		return cmdutil.Usage(err)
	}
	log.Info("guard started", "mode", o.Mode, "identity", g.Identity().ARN, "lambda", inLambda, "queue_url", o.QueueURL, "reconcile", o.Reconcile.String())
	if inLambda {
		// The handler's context is each invocation's (its deadline); the process lives as long as Lambda keeps it.
		lambda.StartWithOptions(g.HandleLambda, lambda.WithContext(ctx))
		return nil
	}
	if ln != nil {
		srv := &http.Server{Handler: metrics.Handler(time.Now, time.Now(), 2*time.Minute), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		if o.Ready != nil {
			o.Ready(ln.Addr().String())
		}
	}
	region := guard.RegionOfQueueURL(o.QueueURL)
	client := sqs.NewFromConfig(cfg, func(so *sqs.Options) {
		if region != "" {
			so.Region = region
		}
	})
	// Run logs its own stop (JSON, like every other line on stderr).
	return g.Run(ctx, guard.QueueOptions{URL: o.QueueURL, Client: client, Visibility: o.Visibility, Reconcile: o.Reconcile})
}
