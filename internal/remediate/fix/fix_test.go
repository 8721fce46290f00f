package fix

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/remediate/fix/policy"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
)

// The whole life of a run: plan (read-only), apply, everything passes, verify, rollback, back to the original
// findings, and a flow log flowguard did not create survives.
func TestPlanApplyVerifyRollback(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	web := e.mkVPC(t, region, "10.1.0.0/16", map[string]string{"Name": "web", "Environment": "production"}, true)
	batch := e.mkVPC(t, region, "10.2.0.0/16", map[string]string{"Name": "batch"}, false)
	prod := e.mkVPC(t, region, "10.3.0.0/16", map[string]string{"Environment": "Prod-EU"}, false)
	acceptOnly := e.mkVPC(t, region, "10.4.0.0/16", nil, false)
	covered := e.mkVPC(t, region, "10.5.0.0/16", nil, false)
	// Someone else's flow logs: an ACCEPT-only one (fails the control) and a working one.
	c := e.ec2(region)
	for vpc, traffic := range map[string]ec2types.TrafficType{acceptOnly: ec2types.TrafficTypeAccept, covered: ec2types.TrafficTypeReject} {
		cloudwatchlogs.NewFromConfig(e.cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("theirs-" + vpc)})
		if _, err := c.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: []string{vpc},
			TrafficType: traffic, LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String("theirs-" + vpc),
			DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + e.acct.ID + ":role/theirs")}); err != nil {
			t.Fatal(err)
		}
	}
	before := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	origFailing := failing(before)
	if len(origFailing) != 5 { // web, batch, prod, acceptOnly and moto's default VPC
		t.Fatalf("setup: failing = %v", origFailing)
	}

	e.proxy.Reset()
	s := DefaultSettings()
	s.BatchSize = 2
	s.Tags = map[string]string{"team": "netsec"}
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(before), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	calls := e.proxy.Calls()
	if m := faultproxy.Mutating(calls); len(m) != 0 {
		t.Fatalf("planning made changing calls: %v", m)
	}
	// Reading the state costs one DescribeFlowLogs pass per region, however many VPCs.
	if calls["ec2:DescribeFlowLogs"] != 1 || calls["logs:DescribeLogGroups"] != 1 {
		t.Errorf("planning calls: %v", calls)
	}
	p := pr.Plan
	// Rollout order: exposed production first, then production, then the rest.
	var order []string
	for _, tg := range p.Targets {
		order = append(order, tg.VPCID)
	}
	if order[0] != web || order[1] != prod {
		t.Errorf("rollout order = %v, want %s (exposed prod) then %s (prod) first", order, web, prod)
	}
	if p.Batches != 3 {
		t.Errorf("batches = %d, want 3 (5 VPCs, batch size 2)", p.Batches)
	}
	want := map[string]int{ActCreateRole: 1, ActPutRolePolicy: 1, ActCreateLogGroup: 5, ActPutRetentionPolicy: 5, ActCreateFlowLogs: 5}
	got := map[string]int{}
	for _, st := range p.Steps {
		got[st.Action]++
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("plan steps (-want +got):\n%s", d)
	}
	var buf bytes.Buffer
	WritePlan(&buf, p, false)
	for _, w := range []string{"iam:CreateRole", "vpc-flow-logs.amazonaws.com", "aws:SourceArn", "ec2:CreateFlowLogs", web + " (web, internet-exposed, production)", "Nothing was changed"} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("plan text lacks %q:\n%s", w, buf.String())
		}
	}

	out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != journal.StatusComplete || out.Overall() != finding.OutcomeOK {
		t.Fatalf("apply: %+v", out)
	}
	if got := failing(miniScan(t, ctx, e.cfg, e.acct.ID, region)); len(got) != 0 {
		t.Fatalf("after apply still failing: %v", got)
	}
	// The created role's documents are exactly the generated ones.
	role, err := iam.NewFromConfig(e.cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(DefaultRoleName)})
	if err != nil {
		t.Fatal(err)
	}
	trust, _ := policy.Parse(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if d := cmp.Diff(policy.Trust(e.acct.ID, []string{region}), trust); d != "" {
		t.Errorf("trust policy in IAM (-want +got):\n%s", d)
	}
	fls := e.flowLogsByVPC(t, region)
	for _, v := range []string{web, batch, prod, acceptOnly} {
		var mine int
		for _, f := range fls[v] {
			if f.Tags[TagRunID] == p.RunID {
				mine++
				if f.Tags["team"] != "netsec" || f.Tags[TagManaged] != "true" || f.TrafficType != "ALL" || f.LogGroupName != "/aws/vpc-flow-logs/"+v {
					t.Errorf("flow log on %s: %+v", v, f)
				}
			}
		}
		if mine != 1 {
			t.Errorf("%s has %d flow logs of the run, want 1", v, mine)
		}
	}

	vr, err := Verify(ctx, e.cfg, e.dir, p.RunID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if vr.Pass != 5 || vr.Fail != 0 || vr.Overall() != finding.OutcomeOK || vr.VPCs[0].Delivery != "SUCCESS" {
		t.Errorf("verify: %+v", vr)
	}

	// Re-running fix now finds nothing to do: no duplicates.
	after := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	pr2, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(after), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(pr2.Plan.Steps) != 0 || pr2.Resumed {
		t.Errorf("second plan has steps: %+v", pr2.Plan.Steps)
	}

	dry, err := Rollback(ctx, e.cfg, e.dir, p.RunID, RollbackOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(dry.Items, "would-delete"); n != 5+5+1 {
		t.Errorf("dry run would delete %d, want 11: %+v", n, dry.Items)
	}
	if got := failing(miniScan(t, ctx, e.cfg, e.acct.ID, region)); len(got) != 0 {
		t.Fatalf("dry-run rollback changed something: %v", got)
	}

	rb, err := Rollback(ctx, e.cfg, e.dir, p.RunID, RollbackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rb.Overall() != finding.OutcomeOK || count(rb.Items, "deleted") != 11 || len(rb.Remaining) != 0 {
		t.Fatalf("rollback: %+v", rb)
	}
	if d := cmp.Diff(origFailing, failing(miniScan(t, ctx, e.cfg, e.acct.ID, region))); d != "" {
		t.Errorf("findings after rollback differ from the original (-want +got):\n%s", d)
	}
	fls = e.flowLogsByVPC(t, region)
	if len(fls[acceptOnly]) != 1 || len(fls[covered]) != 1 {
		t.Errorf("pre-existing flow logs did not survive rollback: %v", fls)
	}
	if _, err := iam.NewFromConfig(e.cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(DefaultRoleName)}); !isCode(err, "NoSuchEntity") {
		t.Errorf("role still there after rollback: %v", err)
	}
	groups, _ := cloudwatchlogs.NewFromConfig(e.cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if len(groups.LogGroups) != 2 {
		t.Errorf("log groups after rollback: %d, want only the 2 pre-existing ones", len(groups.LogGroups))
	}
	runs, _ := journal.List(e.dir)
	if len(runs) != 1 || !runs[0].RolledBack {
		t.Errorf("runs: %+v", runs)
	}
}

func count(items []Undone, outcome string) int {
	n := 0
	for _, it := range items {
		if it.Outcome == outcome {
			n++
		}
	}
	return n
}

// An apply cut off half-way (every call after the N-th is denied) and then resumed converges: one flow log of
// the run per VPC, none duplicated, including a VPC whose flow log was created but never journalled.
func TestInterruptedApplyResumes(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "eu-west-1"
	var vpcs []string
	for i := range 6 {
		vpcs = append(vpcs, e.mkVPC(t, region, "10."+string(rune('1'+i))+".0.0/16", nil, false))
	}
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	s := DefaultSettings()
	s.BatchSize = 3
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	// Let through role, policy and 3 VPCs' worth of changes (log group + retention + flow log), then deny all.
	mutating := 0
	e.proxy.SetOptions(faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		if !faultproxy.IsReadOnly(c.Action) {
			mutating++
			if mutating > 2+3*3 {
				return faultproxy.AccessDenied
			}
		}
		return faultproxy.None
	}})
	out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{Concurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != journal.StatusFailed || out.Overall() != finding.OutcomeFail {
		t.Fatalf("interrupted apply: status %s", out.Status)
	}
	created := 0
	for _, v := range out.VPCs {
		if v.Status == OutcomeCreated {
			created++
		} else if v.Error == "" {
			t.Errorf("failed VPC without the AWS error: %+v", v)
		}
	}
	if created == 0 || created == len(out.VPCs) {
		t.Fatalf("want a partial apply, got %d of %d created", created, len(out.VPCs))
	}
	e.proxy.SetOptions(faultproxy.Options{})

	// A crash right after CreateFlowLogs: the flow log exists with the run's tag, the journal never heard of it.
	var pending string
	for _, v := range out.VPCs {
		if v.Status != OutcomeCreated {
			pending = v.VPCID
			break
		}
	}
	cwl := cloudwatchlogs.NewFromConfig(e.cfg, func(o *cloudwatchlogs.Options) { o.Region = region })
	cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/vpc-flow-logs/" + pending), Tags: map[string]string{TagRunID: pr.Plan.RunID, TagManaged: "true"}})
	if _, err := e.ec2(region).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: []string{pending},
		TrafficType: ec2types.TrafficTypeReject, LogGroupName: aws.String("/aws/vpc-flow-logs/" + pending),
		DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + e.acct.ID + ":role/" + DefaultRoleName),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcFlowLog, Tags: []ec2types.Tag{
			{Key: aws.String(TagRunID), Value: aws.String(pr.Plan.RunID)}, {Key: aws.String(TagManaged), Value: aws.String("true")}}}}}); err != nil {
		t.Fatal(err)
	}

	// Resume by id, with different flags: the journal's settings win and no scan is needed.
	other := DefaultSettings()
	other.TrafficType = "REJECT"
	pr2, err := Prepare(ctx, e.cfg, PrepareOptions{RunID: pr.Plan.RunID, Settings: other, JournalDir: e.dir,
		Findings: func(context.Context) (*finding.Result, error) { t.Fatal("resume must not scan"); return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if !pr2.Resumed || pr2.Plan.Settings.BatchSize != 3 || pr2.Plan.Settings.TrafficType != "ALL" {
		t.Errorf("resume did not keep the run's settings: %+v", pr2.Plan.Settings)
	}
	if len(pr2.Plan.Done) != created+1 {
		t.Errorf("resume plan: %d done, want %d (created + the unjournalled one)", len(pr2.Plan.Done), created+1)
	}
	out2, err := Execute(ctx, e.cfg, pr2, e.dir, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out2.Status != journal.StatusComplete {
		t.Fatalf("resumed apply: %+v", out2)
	}
	fls := e.flowLogsByVPC(t, region)
	for _, v := range vpcs {
		if n := len(fls[v]); n != 1 || fls[v][0].Tags[TagRunID] != pr.Plan.RunID {
			t.Errorf("%s has %d flow logs after resume, want exactly 1 of the run: %+v", v, n, fls[v])
		}
	}
	if got := failing(miniScan(t, ctx, e.cfg, e.acct.ID, region)); len(got) != 0 {
		t.Errorf("still failing after resume: %v", got)
	}
	// Rollback finds the unjournalled flow log too (by tag), and the log group made outside the journal stays
	// unless journalled: here it was created by "the crashed run" with the tag but no begin record.
	rb, err := Rollback(ctx, e.cfg, e.dir, pr.Plan.RunID, RollbackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rb.Remaining) != 0 || count(rb.Items, "deleted") < 7 {
		t.Errorf("rollback after resume: %+v", rb)
	}
	for _, v := range vpcs {
		if n := len(e.flowLogsByVPC(t, region)[v]); n != 0 {
			t.Errorf("%s keeps %d flow logs after rollback", v, n)
		}
	}
}
