// Package guarddeploy renders the infrastructure `flowguard guard` runs on, as CloudFormation and as
// Terraform: EventBridge rules for the CloudTrail management events guard reacts to, in every watched region
// (and, for an AWS Organization, every member account), forwarding to one event bus; the SQS queue guard
// long-polls and its dead-letter queue, which only those rules may send to; and the least-privilege IAM role
// guard runs as (what a scan reads and what `flowguard fix` changes, plus its queue).
//
// Events from the region guard runs in reach the queue straight from the default bus. Events from other
// regions, and from member accounts, are forwarded to the central event bus (EventBridge cannot target a
// queue in another region or account), whose rules target the queue. The central bus accepts events from the
// organization only (aws:PrincipalOrgID); the queue accepts messages from the central rules only
// (aws:SourceArn).
package guarddeploy

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/flowguard/flowguard/internal/outfile"
	"github.com/flowguard/flowguard/internal/remediate/defaults"
)

// Formats are the outputs, by --format name.
var Formats = []string{"cloudformation", "terraform"}

// Runtimes are what may run guard: the service its role trusts.
var Runtimes = map[string]string{"lambda": "lambda.amazonaws.com", "ecs": "ecs-tasks.amazonaws.com", "ec2": "ec2.amazonaws.com"}

// DetailType is the detail-type of the events EventBridge delivers for API calls CloudTrail records.
const DetailType = "AWS API Call via CloudTrail"

// EventSources are the CloudTrail API calls guard reacts to, by EventBridge source: a VPC created (it needs
// a flow log), a flow log deleted (repair) or created (confirm), a transit gateway created; a log group
// deleted, its retention shortened or removed.
var EventSources = []EventSource{
	{Source: "aws.ec2", EventSource: "ec2.amazonaws.com", Names: []string{"CreateVpc", "DeleteFlowLogs", "CreateFlowLogs", "CreateTransitGateway"}},
	{Source: "aws.logs", EventSource: "logs.amazonaws.com", Names: []string{"DeleteLogGroup", "PutRetentionPolicy", "DeleteRetentionPolicy"}},
}

// EventSource is one EventBridge source and the API calls of it guard reacts to.
type EventSource struct {
	Source      string // aws.ec2
	EventSource string // ec2.amazonaws.com, CloudTrail's eventSource
	Names       []string
}

// Pattern is the EventBridge event pattern that matches the source's calls.
func (s EventSource) Pattern() map[string]any {
	return map[string]any{
		"source":      []string{s.Source},
		"detail-type": []string{DetailType},
		"detail":      map[string]any{"eventSource": []string{s.EventSource}, "eventName": s.Names},
	}
}

// Options parameterise the generated infrastructure.
type Options struct {
	// Regions are the regions to watch; the first is the home region, where the queue, the central bus
	// and guard live. CloudFormation templates are region-neutral (the regions show in the deploy steps);
	// Terraform gets one provider per region.
	Regions []string
	// QueueName names the queue; the dead-letter queue is QueueName-dlq.
	QueueName string
	// EventBusName names the central bus.
	EventBusName string
	// MaxReceiveCount is how often a message is delivered before it goes to the dead-letter queue.
	MaxReceiveCount int
	// VisibilityTimeout is how long, in seconds, a received message stays hidden while guard handles it.
	VisibilityTimeout int
	// OrganizationID (o-…) lets the organization's accounts put events on the central bus; MemberRoleName is
	// the role guard assumes in them (guard --assume-role), created by the member template.
	OrganizationID string
	MemberRoleName string
	// Runtime is lambda, ecs or ec2.
	Runtime string
	// RoleName names guard's role.
	RoleName string
	// AlertTopicARN, when set, lets guard publish to the SNS topic; SecurityHub lets it import findings.
	AlertTopicARN string
	SecurityHub   bool
	// DeliveryRoleName and LogGroupPrefix are what flowguard fix creates: guard's rights are scoped to them.
	DeliveryRoleName string
	LogGroupPrefix   string
}

// Defaults are the options flowguard recommends.
func Defaults() Options {
	return Options{QueueName: "flowguard-guard", EventBusName: "flowguard-guard", MaxReceiveCount: 5, VisibilityTimeout: 300,
		Runtime: "lambda", RoleName: "flowguard-guard", DeliveryRoleName: defaults.DeliveryRoleName, LogGroupPrefix: defaults.LogGroupPrefix}
}

var (
	queueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,76}$`) // 80 with "-dlq"
	busName   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,256}$`)
	orgID     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	roleName  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	region    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	topicARN  = regexp.MustCompile(`^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$`)
	groupName = regexp.MustCompile(`^/?[\w\-/.#]{1,400}$`)
)

// Validate reports options that cannot be deployed.
func (o Options) Validate() error {
	if len(o.Regions) == 0 {
		return fmt.Errorf("no region: give the regions to watch, the first being where guard and its queue run")
	}
	seen := map[string]bool{}
	for _, r := range o.Regions {
		if !region.MatchString(r) {
			return fmt.Errorf("region %q: not an AWS region name", r)
		}
		if seen[r] {
			return fmt.Errorf("region %s given twice", r)
		}
		seen[r] = true
	}
	if !queueName.MatchString(o.QueueName) {
		return fmt.Errorf("queue name %q: 1-76 letters, digits, - or _", o.QueueName)
	}
	if !busName.MatchString(o.EventBusName) || o.EventBusName == "default" {
		return fmt.Errorf("event bus name %q: 1-256 letters, digits, . - or _, and not default", o.EventBusName)
	}
	if o.MaxReceiveCount < 1 || o.MaxReceiveCount > 1000 {
		return fmt.Errorf("max receive count %d: must be 1 to 1000", o.MaxReceiveCount)
	}
	if o.VisibilityTimeout < 30 || o.VisibilityTimeout > 43200 {
		return fmt.Errorf("visibility timeout %d s: must be 30 to 43200 (guard's fix can wait a minute for a new IAM role)", o.VisibilityTimeout)
	}
	if o.OrganizationID != "" && !orgID.MatchString(o.OrganizationID) {
		return fmt.Errorf("organization id %q: want o- and 10-32 lowercase letters or digits", o.OrganizationID)
	}
	if o.MemberRoleName != "" && o.OrganizationID == "" {
		return fmt.Errorf("a member role (--assume-role) needs the organization id (--org-id): guard may only enter the organization's accounts")
	}
	if o.MemberRoleName != "" && !roleName.MatchString(o.MemberRoleName) {
		return fmt.Errorf("member role %q: not an IAM role name", o.MemberRoleName)
	}
	if _, ok := Runtimes[o.Runtime]; !ok {
		return fmt.Errorf("runtime %q: want lambda, ecs or ec2", o.Runtime)
	}
	for _, r := range []string{o.RoleName, o.DeliveryRoleName} {
		if !roleName.MatchString(r) {
			return fmt.Errorf("role %q: not an IAM role name", r)
		}
	}
	if o.AlertTopicARN != "" && !topicARN.MatchString(o.AlertTopicARN) {
		return fmt.Errorf("alert topic %q: want arn:aws:sns:REGION:ACCOUNT:NAME", o.AlertTopicARN)
	}
	if !groupName.MatchString(o.LogGroupPrefix) || strings.HasSuffix(o.LogGroupPrefix, "/") {
		return fmt.Errorf("log group prefix %q: use letters, digits, _ - / . # and no trailing slash", o.LogGroupPrefix)
	}
	return nil
}

// Home is the home region.
func (o Options) Home() string { return o.Regions[0] }

// Others are the watched regions besides the home region.
func (o Options) Others() []string { return o.Regions[1:] }

// File is one generated file, by path relative to the output directory.
type File = outfile.File

// Generate renders the infrastructure in one format.
func Generate(format string, o Options) ([]File, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	switch format {
	case "cloudformation":
		return cloudFormation(o)
	case "terraform":
		return terraform(o)
	}
	return nil, fmt.Errorf("unknown format %q (valid: %s)", format, strings.Join(Formats, ", "))
}

// Placeholders in ARNs, replaced per format: CloudFormation's pseudo parameters or Terraform's locals.
const (
	pPartition = "${Partition}"
	pAccount   = "${AccountId}"
	pRegion    = "${Region}"
	pQueueARN  = "${QueueArn}"
)

// Statement is an IAM policy statement.
type Statement struct {
	Sid       string         `json:"Sid"`
	Effect    string         `json:"Effect"`
	Action    []string       `json:"Action"`
	Resource  []string       `json:"Resource"`
	Condition map[string]any `json:"Condition,omitempty"`
}

// FixStatements are the rights to read what a scan reads and make the changes flowguard fix makes, scoped
// to the flow logs, log groups (under LogGroupPrefix) and delivery role fix creates. Nothing is deleted:
// rollback is a person's decision, taken with their own rights.
func FixStatements(o Options) []Statement {
	acct := "arn:" + pPartition + ":%s:*:" + pAccount + ":%s"
	return []Statement{
		{Sid: "ReadLikeScan", Effect: "Allow", Action: []string{"sts:GetCallerIdentity", "ec2:DescribeRegions", "ec2:DescribeVpcs",
			"ec2:DescribeSubnets", "ec2:DescribeNetworkInterfaces", "ec2:DescribeInternetGateways", "ec2:DescribeFlowLogs",
			"ec2:DescribeTransitGateways", "logs:DescribeLogGroups"}, Resource: []string{"*"}},
		{Sid: "CreateFlowLogs", Effect: "Allow", Action: []string{"ec2:CreateFlowLogs"},
			Resource: []string{fmt.Sprintf(acct, "ec2", "vpc/*"), fmt.Sprintf(acct, "ec2", "transit-gateway/*"), fmt.Sprintf(acct, "ec2", "vpc-flow-log/*")}},
		{Sid: "TagNewFlowLogs", Effect: "Allow", Action: []string{"ec2:CreateTags"}, Resource: []string{fmt.Sprintf(acct, "ec2", "vpc-flow-log/*")},
			Condition: map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": "CreateFlowLogs"}}},
		{Sid: "FlowLogGroups", Effect: "Allow", Action: []string{"logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource"},
			Resource: []string{fmt.Sprintf(acct, "logs", "log-group:"+o.LogGroupPrefix+"/*")}},
		{Sid: "DeliveryRole", Effect: "Allow", Action: []string{"iam:GetRole", "iam:GetRolePolicy", "iam:CreateRole", "iam:TagRole",
			"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"}, Resource: []string{"arn:" + pPartition + ":iam::" + pAccount + ":role/" + o.DeliveryRoleName}},
		{Sid: "PassDeliveryRoleToFlowLogs", Effect: "Allow", Action: []string{"iam:PassRole"},
			Resource:  []string{"arn:" + pPartition + ":iam::" + pAccount + ":role/" + o.DeliveryRoleName},
			Condition: map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}}},
	}
}

// GuardStatements are FixStatements plus the queue, the member-account role, the alert targets and, on
// Lambda, the function's own logs.
func GuardStatements(o Options) []Statement {
	st := []Statement{{Sid: "ConsumeGuardQueue", Effect: "Allow",
		Action:   []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"},
		Resource: []string{pQueueARN}}}
	st = append(st, FixStatements(o)...)
	if o.MemberRoleName != "" {
		st = append(st, Statement{Sid: "EnterMemberAccounts", Effect: "Allow", Action: []string{"sts:AssumeRole"},
			Resource:  []string{"arn:" + pPartition + ":iam::*:role/" + o.MemberRoleName},
			Condition: map[string]any{"StringEquals": map[string]any{"aws:ResourceOrgID": o.OrganizationID}}})
	}
	if o.AlertTopicARN != "" {
		st = append(st, Statement{Sid: "PublishAlerts", Effect: "Allow", Action: []string{"sns:Publish"}, Resource: []string{o.AlertTopicARN}})
	}
	if o.SecurityHub {
		st = append(st, Statement{Sid: "ImportFindings", Effect: "Allow", Action: []string{"securityhub:BatchImportFindings"},
			Resource: []string{"arn:" + pPartition + ":securityhub:*:" + pAccount + ":product/" + pAccount + "/default"}})
	}
	if o.Runtime == "lambda" {
		st = append(st, Statement{Sid: "OwnLogs", Effect: "Allow", Action: []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{"arn:" + pPartition + ":logs:" + pRegion + ":" + pAccount + ":log-group:/aws/lambda/" + o.RoleName + "*"}})
	}
	return st
}

// Actions lists the distinct actions of statements, sorted.
func Actions(st []Statement) []string {
	var out []string
	for _, s := range st {
		out = append(out, s.Action...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jsonIndent renders v as indented JSON, every line after the first indented by n spaces.
func jsonIndent(v any, n int) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only maps, slices and strings of our own
	}
	return strings.ReplaceAll(string(b), "\n", "\n"+strings.Repeat(" ", n))
}

// Write writes files under dir, creating directories, and returns the paths written.
func Write(dir string, files []File) ([]string, error) {
	return outfile.WriteTree(dir, files, outfile.ModeReport)
}

// Steps are the commands that deploy the files written under dir, in order.
func Steps(format, dir string, o Options) []string {
	var s []string
	switch format {
	case "cloudformation":
		central := filepath.Join(dir, "cloudformation", "guard-central.yaml")
		fwd := filepath.Join(dir, "cloudformation", "guard-forwarder.yaml")
		s = append(s, fmt.Sprintf("aws cloudformation deploy --region %s --stack-name flowguard-guard --template-file %s --capabilities CAPABILITY_NAMED_IAM", o.Home(), central),
			fmt.Sprintf("BUS=$(aws cloudformation describe-stacks --region %s --stack-name flowguard-guard --query \"Stacks[0].Outputs[?OutputKey=='EventBusArn'].OutputValue\" --output text)", o.Home()))
		for _, r := range o.Others() {
			s = append(s, fmt.Sprintf("aws cloudformation deploy --region %s --stack-name flowguard-guard-forwarder --template-file %s --capabilities CAPABILITY_IAM --parameter-overrides CentralEventBusArn=$BUS", r, fwd))
		}
		if o.OrganizationID != "" {
			s = append(s, fmt.Sprintf("member accounts of %s: deploy %s in every watched region (a StackSet with service-managed permissions), CentralEventBusArn=$BUS%s", o.OrganizationID, fwd,
				map[bool]string{true: ", GuardRoleArn=<GuardRoleArn output>, CreateMemberRole=true in one region only", false: ""}[o.MemberRoleName != ""]))
		}
	case "terraform":
		s = append(s, fmt.Sprintf("terraform -chdir=%s init && terraform -chdir=%s apply", filepath.Join(dir, "terraform"), filepath.Join(dir, "terraform")))
		if o.OrganizationID != "" {
			m := filepath.Join(dir, "terraform", "member")
			s = append(s, fmt.Sprintf("in each member account of %s: terraform -chdir=%s init && terraform -chdir=%s apply -var central_event_bus_arn=<event_bus_arn output>%s", o.OrganizationID, m, m,
				map[bool]string{true: " -var guard_role_arn=<guard_role_arn output>", false: ""}[o.MemberRoleName != ""]))
		}
	}
	return s
}
