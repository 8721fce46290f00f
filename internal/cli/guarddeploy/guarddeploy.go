// Package guarddeploy is the `flowguard guard deploy` command: the infrastructure guard runs on, as
// CloudFormation or Terraform.
package guarddeploy

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/remediate/guarddeploy"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// DefaultMemberRole is the role the member template creates when --org-id is given without --assume-role.
const DefaultMemberRole = "flowguard-guard-member"

// Options are the deploy command's flags.
type Options struct {
	IO      *cmdutil.IOStreams
	Getenv  func(string) string
	Format  string
	OutDir  string
	Regions []string
	guarddeploy.Options

	visibility time.Duration
}

// NewCmdDeploy builds `deploy`, hung under `flowguard guard`.
func NewCmdDeploy(f *cmdutil.Factory) *cobra.Command {
	o := &Options{IO: f.IOStreams, Getenv: f.Getenv, Options: guarddeploy.Defaults()}
	cmd := &cobra.Command{
		Use:   "deploy",
		Short: "Generate the infrastructure flowguard guard runs on (CloudFormation or Terraform)",
		Long: `Deploy writes the infrastructure flowguard guard needs, as CloudFormation or Terraform:

  - in every watched region, EventBridge rules matching the CloudTrail API calls guard reacts to
    (` + sources() + `), detail-type "` + guarddeploy.DetailType + `";
  - in the first --region (guard's home): the SQS queue guard long-polls (guard --queue-url) with
    server-side encryption, a dead-letter queue for poison messages (after --max-receive-count
    deliveries, kept 14 days), a queue policy that lets only EventBridge, for guard's own rules, send to it
    (aws:SourceArn), and an event bus that the other regions' rules forward to;
  - with --org-id: a bus policy admitting the organization's accounts only (aws:PrincipalOrgID), and a
    member template that forwards each member account's events and creates the role guard enters it with
    (--assume-role, default ` + DefaultMemberRole + `);
  - the IAM role guard runs as, least privilege: receive/delete/change-visibility/get-attributes on its queue,
    what a scan reads, and what flowguard fix creates (flow logs, log groups under --log-group-prefix, the
    delivery role), nothing that deletes; sns:Publish and Security Hub import only when asked for.

CloudTrail must record write management events in every watched region and account. Without --out-dir the
files are printed; with --out-dir DIR they are written under DIR/<format>/ and the deploy commands are shown.`,
		Example: `  flowguard guard deploy --format cloudformation --region eu-west-1,us-east-1 --out-dir guard
  flowguard guard deploy --format terraform --region eu-west-1 --org-id o-a1b2c3d4e5 --out-dir guard
  flowguard guard deploy --format cloudformation --region us-east-1 --sns-topic-arn arn:aws:sns:us-east-1:111111111111:alerts`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return run(o) },
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Format, "format", "", "infrastructure as: "+strings.Join(guarddeploy.Formats, " or ")+" (required)")
	fs.StringVar(&o.OutDir, "out-dir", "", "write the files under this directory (DIR/<format>/) instead of printing them")
	fs.StringSliceVar(&o.Regions, "region", nil, "regions to watch, repeatable or comma-separated; the first is where guard, its queue and bus live (default: AWS_REGION)")
	fs.StringVar(&o.OrganizationID, "org-id", "", "AWS Organizations id (o-...) whose member accounts forward their events to guard")
	fs.StringVar(&o.MemberRoleName, "assume-role", "", "with --org-id: the role the member template creates and guard assumes in member accounts (default "+DefaultMemberRole+")")
	fs.StringVar(&o.QueueName, "queue-name", o.QueueName, "name of guard's queue (the dead-letter queue is NAME-dlq)")
	fs.StringVar(&o.EventBusName, "event-bus-name", o.EventBusName, "name of the central event bus")
	fs.IntVar(&o.MaxReceiveCount, "max-receive-count", o.MaxReceiveCount, "deliveries of a message before it goes to the dead-letter queue")
	// Not guard's --visibility-timeout (what the daemon asks for on each receive, then extends): this is the
	// queue's own default, the one a Lambda consumer gets, which AWS wants at least 6× the function's timeout.
	fs.DurationVar(&o.visibility, "queue-visibility-timeout", time.Duration(o.VisibilityTimeout)*time.Second, "the queue's default visibility timeout: how long a received message stays hidden (whole seconds, 30s to 12h; for Lambda at least 6x its timeout)")
	fs.StringVar(&o.Runtime, "runtime", o.Runtime, "what runs guard, the service its role trusts: lambda, ecs or ec2 (ec2 adds an instance profile)")
	fs.StringVar(&o.RoleName, "guard-role-name", o.RoleName, "name of the IAM role guard runs as (on Lambda, the function name must start with it: its log group is allowed by that prefix)")
	fs.StringVar(&o.AlertTopicARN, "sns-topic-arn", "", "SNS topic guard --mode alert may publish to (guard's --sns-topic-arn)")
	fs.BoolVar(&o.SecurityHub, "security-hub", false, "let guard --mode alert import findings into Security Hub")
	fs.StringVar(&o.LogGroupPrefix, "log-group-prefix", o.LogGroupPrefix, "prefix of the flow-log log groups guard may create (as flowguard fix names them)")
	return cmd
}

func sources() string {
	var s []string
	for _, e := range guarddeploy.EventSources {
		s = append(s, e.Source+": "+strings.Join(e.Names, ", "))
	}
	return strings.Join(s, "; ")
}

func run(o *Options) error {
	io := o.IO
	if o.Format == "" {
		return cmdutil.UsageError("--format is required (%s)", strings.Join(guarddeploy.Formats, " or "))
	}
	if o.visibility%time.Second != 0 {
		return cmdutil.UsageError("--queue-visibility-timeout %s: the queue keeps whole seconds", o.visibility)
	}
	o.VisibilityTimeout = int(o.visibility / time.Second)
	o.Options.Regions = nil
	seen := map[string]bool{}
	for _, r := range o.Regions {
		for _, p := range strings.Split(r, ",") {
			if p = strings.TrimSpace(p); p != "" && !seen[p] {
				seen[p] = true
				o.Options.Regions = append(o.Options.Regions, p)
			}
		}
	}
	if len(o.Options.Regions) == 0 {
		for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
			if r := o.Getenv(k); r != "" {
				o.Options.Regions = []string{r}
				break
			}
		}
	}
	if len(o.Options.Regions) == 0 {
		return cmdutil.UsageError("--region is required: the regions to watch, the first being where guard and its queue run")
	}
	if o.OrganizationID != "" && o.MemberRoleName == "" {
		o.MemberRoleName = DefaultMemberRole
	}
	files, err := guarddeploy.Generate(o.Format, o.Options)
	if err != nil {
		return cmdutil.UsageError("%s", textsafe.Terminal(err.Error()))
	}
	if o.OutDir == "" {
		for i, f := range files {
			if i > 0 {
				fmt.Fprintln(io.Out)
			}
			fmt.Fprintf(io.Out, "# ---- %s\n", f.Path)
			io.Out.Write(f.Content)
		}
		return nil
	}
	paths, err := guarddeploy.Write(o.OutDir, files)
	for _, p := range paths {
		fmt.Fprintln(io.Out, "wrote", textsafe.Terminal(p))
	}
	if err != nil {
		return cmdutil.Incomplete(err)
	}
	fmt.Fprintln(io.Out, "next:")
	for _, s := range guarddeploy.Steps(o.Format, o.OutDir, o.Options) {
		fmt.Fprintln(io.Out, "  "+textsafe.Terminal(s))
	}
	if o.MemberRoleName != "" {
		fmt.Fprintf(io.Out, "then: flowguard guard --queue-url <QueueUrl output> --assume-role %s\n", o.MemberRoleName)
	} else {
		fmt.Fprintln(io.Out, "then: flowguard guard --queue-url <QueueUrl output>")
	}
	return nil
}
