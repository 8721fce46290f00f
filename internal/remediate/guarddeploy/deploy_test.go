package guarddeploy

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"go.yaml.in/yaml/v3"

	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// createStack creates a stack from body and waits for it; it returns the stack's outputs.
func createStack(t *testing.T, cfg aws.Config, name, body string, params map[string]string) map[string]string {
	t.Helper()
	cf := cloudformation.NewFromConfig(cfg)
	in := &cloudformation.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(body),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam}}
	for k, v := range params {
		in.Parameters = append(in.Parameters, cfntypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	if _, err := cf.CreateStack(t.Context(), in, func(o *cloudformation.Options) { o.RetryMaxAttempts = 1 }); err != nil {
		t.Fatalf("CreateStack %s: %v", name, err)
	}
	w := cloudformation.NewStackCreateCompleteWaiter(cf, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, time.Second
	})
	out, err := w.WaitForOutput(t.Context(), &cloudformation.DescribeStacksInput{StackName: aws.String(name)}, 2*time.Minute)
	if err != nil {
		t.Fatalf("stack %s: %v", name, err)
	}
	m := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return m
}

// resource returns the Properties of a resource of a generated CloudFormation template, as plain data.
func resource(t *testing.T, body, logicalID string) map[string]any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	res := mapValue(mapValue(doc.Content[0], "Resources"), logicalID)
	if res == nil {
		t.Fatalf("no resource %s", logicalID)
	}
	return plain(mapValue(res, "Properties")).(map[string]any)
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// plain turns a node into maps, slices and strings; a short-form intrinsic (!GetAtt X.Arn) becomes
// {"!GetAtt": "X.Arn"}.
func plain(n *yaml.Node) any {
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plain(n.Content[i+1])
		}
		v = m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			s = append(s, plain(c))
		}
		v = s
	default:
		v = n.Value
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return map[string]any{n.Tag: v}
	}
	return v
}

// cloudTrailEvent is an EventBridge entry shaped as AWS delivers a CloudTrail-recorded API call.
func cloudTrailEvent(source, eventSource, name, account, region string, requestParameters map[string]any) ebtypes.PutEventsRequestEntry {
	detail, _ := json.Marshal(map[string]any{
		"eventVersion": "1.09", "eventTime": time.Now().UTC().Format(time.RFC3339), "eventSource": eventSource, "eventName": name,
		"awsRegion": region, "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.17",
		"userIdentity":      map[string]any{"type": "AssumedRole", "accountId": account, "arn": "arn:aws:sts::" + account + ":assumed-role/dev/alice"},
		"requestParameters": requestParameters, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": account,
		"eventID": "8a1e4d2c-0000-4000-8000-000000000001", "readOnly": false,
	})
	return ebtypes.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(DetailType), Detail: aws.String(string(detail))}
}

// receiveAll long-polls the queue until it has been empty for one poll and returns the bodies.
func receiveAll(t *testing.T, q *sqs.Client, url string) []string {
	t.Helper()
	var out []string
	for {
		r, err := q.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			return out
		}
		for _, m := range r.Messages {
			out = append(out, aws.ToString(m.Body))
			if _, err := q.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCloudFormationDeploysIntoMoto creates the central stack in us-east-1 and a forwarder stack in
// eu-west-1 through the SDK's CreateStack, checks what they made, then puts CloudTrail-shaped events on the
// default buses: a CreateVpc in us-east-1 reaches the queue directly, a DeleteFlowLogs in eu-west-1 through
// the forwarder and the central bus, and calls guard does not react to reach nothing.
func TestCloudFormationDeploysIntoMoto(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	o := Defaults()
	o.Regions = []string{"us-east-1", "eu-west-1"}
	files, err := Generate("cloudformation", o)
	if err != nil {
		t.Fatal(err)
	}
	central, forwarder := string(files[0].Content), string(files[1].Content)
	home := acct.Config(srv.URL, "us-east-1")
	other := acct.Config(srv.URL, "eu-west-1")
	out := createStack(t, home, "flowguard-guard", central, nil)
	for _, k := range []string{"QueueUrl", "QueueArn", "DeadLetterQueueUrl", "EventBusArn", "GuardRoleArn"} {
		if out[k] == "" {
			t.Fatalf("output %s missing: %v", k, out)
		}
	}
	createStack(t, other, "flowguard-guard-forwarder", forwarder, map[string]string{"CentralEventBusArn": out["EventBusArn"]})

	ctx := t.Context()
	q := sqs.NewFromConfig(home)
	// The queue and its dead-letter queue: redrive after MaxReceiveCount deliveries, long polling.
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(out["QueueUrl"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	dlq, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(out["DeadLetterQueueUrl"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     any    `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &redrive); err != nil || redrive.DeadLetterTargetArn != dlq.Attributes["QueueArn"] || redrive.MaxReceiveCount != "5" && redrive.MaxReceiveCount != 5.0 {
		t.Errorf("redrive policy %q (%v), want the DLQ %s after 5", attrs.Attributes["RedrivePolicy"], err, dlq.Attributes["QueueArn"])
	}
	if attrs.Attributes["ReceiveMessageWaitTimeSeconds"] != "20" || attrs.Attributes["VisibilityTimeout"] != "300" || dlq.Attributes["MessageRetentionPeriod"] != "1209600" {
		t.Errorf("queue attributes %v, dlq %v", attrs.Attributes, dlq.Attributes)
	}
	// moto keeps SqsManagedSseEnabled only when it is given as an attribute; CloudFormation gives it.
	if attrs.Attributes["SqsManagedSseEnabled"] != "true" || dlq.Attributes["SqsManagedSseEnabled"] != "true" {
		t.Errorf("SSE: queue %q, dlq %q", attrs.Attributes["SqsManagedSseEnabled"], dlq.Attributes["SqsManagedSseEnabled"])
	}

	// The rules, on the default bus and the central bus, each targeting the queue.
	eb := eventbridge.NewFromConfig(home)
	ruleARNs := map[string]string{}
	for _, bus := range []string{"default", o.EventBusName} {
		rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String(bus), NamePrefix: aws.String("flowguard-guard")})
		if err != nil {
			t.Fatal(err)
		}
		if len(rules.Rules) != len(EventSources) {
			t.Errorf("bus %s: %d rules, want %d", bus, len(rules.Rules), len(EventSources))
		}
		for _, r := range rules.Rules {
			ruleARNs[aws.ToString(r.Arn)] = bus
			tg, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: r.Name, EventBusName: aws.String(bus)})
			if err != nil || len(tg.Targets) != 1 || aws.ToString(tg.Targets[0].Arn) != out["QueueArn"] {
				t.Errorf("rule %s: targets %+v (%v), want the queue", aws.ToString(r.Name), tg, err)
			}
		}
	}
	// IAM: the guard role with its policy.
	im := iam.NewFromConfig(home)
	pol, err := im.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(o.RoleName), PolicyName: aws.String("flowguard-guard")})
	if err != nil {
		t.Fatalf("guard role policy: %v", err)
	}
	for _, a := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "ec2:CreateFlowLogs", out["QueueArn"]} {
		if !strings.Contains(decoded(aws.ToString(pol.PolicyDocument)), a) {
			t.Errorf("guard policy lacks %s", a)
		}
	}

	// moto gap: its CloudFormation does not implement AWS::SQS::QueuePolicy (nor AWS::Events::EventBusPolicy):
	// it logs "No Moto CloudFormation support" and skips them. Apply the template's queue policy as
	// CloudFormation would (SetQueueAttributes Policy), with the ARNs CloudFormation would substitute, and
	// check the rules it names are exactly the deployed rules. (moto does not enforce queue policies either:
	// that only the rules can send is the template's claim, checked in TestQueuePolicyAdmitsOnlyGuardRules.)
	qp := resource(t, central, "QueuePolicy")["PolicyDocument"].(map[string]any)
	allow := qp["Statement"].([]any)[0].(map[string]any)
	var named []string
	for _, r := range allow["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"].([]any) {
		id := strings.TrimSuffix(r.(map[string]any)["!GetAtt"].(string), ".Arn")
		arn := ""
		for a := range ruleARNs {
			if strings.HasSuffix(a, "/"+ruleName(t, home, "flowguard-guard", id)) {
				arn = a
			}
		}
		if arn == "" {
			t.Fatalf("the queue policy names %s, which is not a deployed rule", id)
		}
		named = append(named, arn)
	}
	if len(named) != len(ruleARNs) {
		t.Errorf("the queue policy names %d rules, %d are deployed", len(named), len(ruleARNs))
	}
	doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Sid": "EventBridgeRulesOnly", "Effect": "Allow",
		"Principal": map[string]any{"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": out["QueueArn"],
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": named}}}}})
	if _, err := q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(out["QueueUrl"]), Attributes: map[string]string{"Policy": string(doc)}}); err != nil {
		t.Fatal(err)
	}
	got, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(out["QueueUrl"]), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy}})
	if err != nil || !strings.Contains(got.Attributes["Policy"], "events.amazonaws.com") {
		t.Errorf("queue policy after apply: %v %v", got.Attributes, err)
	}

	// Events: one guard reacts to in each region, one it does not.
	put := func(c aws.Config, e ebtypes.PutEventsRequestEntry) {
		t.Helper()
		r, err := eventbridge.NewFromConfig(c).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{e}})
		if err != nil || r.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v %+v", err, r)
		}
	}
	put(home, cloudTrailEvent("aws.ec2", "ec2.amazonaws.com", "CreateVpc", acct.ID, "us-east-1", map[string]any{"cidrBlock": "10.9.0.0/16"}))
	put(other, cloudTrailEvent("aws.ec2", "ec2.amazonaws.com", "DeleteFlowLogs", acct.ID, "eu-west-1", map[string]any{"DeleteFlowLogsRequest": map[string]any{"FlowLogId": map[string]any{"content": "fl-0123456789abcdef0"}}}))
	put(other, cloudTrailEvent("aws.logs", "logs.amazonaws.com", "PutRetentionPolicy", acct.ID, "eu-west-1", map[string]any{"logGroupName": "/aws/vpc-flow-logs/vpc-1", "retentionInDays": 1}))
	// Straight onto the central bus, as a member account's forwarder puts it.
	onBus := cloudTrailEvent("aws.ec2", "ec2.amazonaws.com", "CreateTransitGateway", acct.ID, "us-east-1", nil)
	onBus.EventBusName = aws.String(out["EventBusArn"])
	put(home, onBus)
	put(home, cloudTrailEvent("aws.ec2", "ec2.amazonaws.com", "DescribeVpcs", acct.ID, "us-east-1", nil))
	put(home, cloudTrailEvent("aws.s3", "s3.amazonaws.com", "DeleteBucket", acct.ID, "us-east-1", nil))
	bodies := receiveAll(t, q, out["QueueUrl"])
	var names []string
	for _, b := range bodies {
		var ev struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
			Detail     struct {
				EventName string `json:"eventName"`
				AWSRegion string `json:"awsRegion"`
			} `json:"detail"`
		}
		if err := json.Unmarshal([]byte(b), &ev); err != nil || ev.DetailType != DetailType {
			t.Errorf("message %q: %v", b, err)
		}
		names = append(names, ev.Detail.EventName+"@"+ev.Detail.AWSRegion)
		// moto gap: an event forwarded to another bus is put anew (source, detail-type and detail only), so its
		// top-level region and account are the central bus's; EventBridge keeps the origin's. CloudTrail's
		// detail.awsRegion and detail.recipientAccountId survive both: they say where the call happened.
		if ev.Detail.EventName == "DeleteFlowLogs" && !strings.Contains(b, `"recipientAccountId": "`+acct.ID+`"`) {
			t.Errorf("forwarded event lost detail.recipientAccountId: %s", b)
		}
	}
	slices.Sort(names)
	want := []string{"CreateTransitGateway@us-east-1", "CreateVpc@us-east-1", "DeleteFlowLogs@eu-west-1", "PutRetentionPolicy@eu-west-1"}
	if !slices.Equal(names, want) {
		t.Errorf("the queue received %v, want %v", names, want)
	}
}

// ruleName is the physical name CloudFormation gave the stack's resource logicalID.
func ruleName(t *testing.T, cfg aws.Config, stack, logicalID string) string {
	t.Helper()
	r, err := cloudformation.NewFromConfig(cfg).DescribeStackResource(context.Background(), &cloudformation.DescribeStackResourceInput{
		StackName: aws.String(stack), LogicalResourceId: aws.String(logicalID)})
	if err != nil {
		t.Fatalf("%s: %v", logicalID, err)
	}
	id := aws.ToString(r.StackResourceDetail.PhysicalResourceId)
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	return id
}

func decoded(s string) string {
	if d, err := urlUnescape(s); err == nil {
		return d
	}
	return s
}

// TestOrganizationForwardingIntoMoto: with --org-id, a member account's forwarder stack (with the member
// role) sends its CloudTrail events to the central bus of guard's account, and they land in guard's queue;
// a message received MaxReceiveCount times without being deleted moves to the dead-letter queue.
func TestOrganizationForwardingIntoMoto(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	central := moto.NewTestAccount(t)
	member := moto.NewTestAccount(t)
	o := Defaults()
	o.Regions = []string{"eu-west-1"}
	o.OrganizationID, o.MemberRoleName, o.MaxReceiveCount = "o-a1b2c3d4e5", "flowguard-guard-member", 2
	o.QueueName, o.EventBusName = "guard-org", "guard-org-bus"
	files, err := Generate("cloudformation", o)
	if err != nil {
		t.Fatal(err)
	}
	home := central.Config(srv.URL, "eu-west-1")
	out := createStack(t, home, "guard", string(files[0].Content), nil)
	mcfg := member.Config(srv.URL, "eu-west-1")
	createStack(t, mcfg, "guard-forwarder", string(files[1].Content), map[string]string{
		"CentralEventBusArn": out["EventBusArn"], "GuardRoleArn": out["GuardRoleArn"], "CreateMemberRole": "true"})
	ctx := t.Context()

	// The member role: trusted by guard's role, allowed what fix does, in the member account.
	role, err := iam.NewFromConfig(mcfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(o.MemberRoleName)})
	if err != nil || !strings.Contains(decoded(aws.ToString(role.Role.AssumeRolePolicyDocument)), out["GuardRoleArn"]) {
		t.Fatalf("member role: %v %v", err, role)
	}
	mp, err := iam.NewFromConfig(mcfg).GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(o.MemberRoleName), PolicyName: aws.String("flowguard-guard-member")})
	if err != nil || !strings.Contains(decoded(aws.ToString(mp.PolicyDocument)), ":"+member.ID+":vpc-flow-log/*") {
		t.Fatalf("member role policy: %v %v", err, mp)
	}

	// moto gap: no AWS::Events::EventBusPolicy in its CloudFormation (skipped with a warning), and it does not
	// enforce bus policies on cross-account PutEvents. Apply the template's statement as CloudFormation
	// would, so the bus carries it.
	st := resource(t, string(files[0].Content), "EventBusOrganizationPolicy")
	stmt := st["Statement"].(map[string]any)
	stmt["Resource"] = out["EventBusArn"]
	stmt["Sid"] = st["StatementId"]
	pol, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}})
	eb := eventbridge.NewFromConfig(home)
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String(o.EventBusName), Policy: aws.String(string(pol))}); err != nil {
		t.Fatal(err)
	}
	bus, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String(o.EventBusName)})
	if err != nil || !strings.Contains(aws.ToString(bus.Policy), "aws:PrincipalOrgID") || !strings.Contains(aws.ToString(bus.Policy), o.OrganizationID) {
		t.Errorf("bus policy %v %v", bus, err)
	}

	r, err := eventbridge.NewFromConfig(mcfg).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		cloudTrailEvent("aws.ec2", "ec2.amazonaws.com", "CreateVpc", member.ID, "eu-west-1", map[string]any{"cidrBlock": "10.1.0.0/16"})}})
	if err != nil || r.FailedEntryCount != 0 {
		t.Fatal(err, r)
	}
	q := sqs.NewFromConfig(home)
	// A message guard fails on (never deleted) is delivered MaxReceiveCount times, then moves to the DLQ.
	var body string
	for i := 0; i < o.MaxReceiveCount; i++ {
		m, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(out["QueueUrl"]), WaitTimeSeconds: 2, VisibilityTimeout: 1})
		if err != nil || len(m.Messages) != 1 {
			t.Fatalf("receive %d: %v %+v", i+1, err, m)
		}
		body = aws.ToString(m.Messages[0].Body)
		time.Sleep(1100 * time.Millisecond)
	}
	if !strings.Contains(body, `"CreateVpc"`) || !strings.Contains(body, member.ID) {
		t.Errorf("the member's event did not reach guard's queue: %s", body)
	}
	if rest := receiveAll(t, q, out["QueueUrl"]); len(rest) != 0 {
		t.Errorf("after %d receives the queue still delivers %d messages", o.MaxReceiveCount, len(rest))
	}
	if dead := receiveAll(t, q, out["DeadLetterQueueUrl"]); len(dead) != 1 || dead[0] != body {
		t.Errorf("dead-letter queue holds %d messages, want the poison one", len(dead))
	}
}
