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

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/remediate/fix/policy"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
)

// A gradual rollout over two runs: --max-batches limits the first; the second picks up the rest (batches are
// cut from what still fails), reuses flowguard's role and extends it to a new region. Rolling back the first
// run keeps the role (the second run's flow logs use it); rolling back the second then removes it.
func TestTwoRunsShareTheRole(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	for _, c := range []string{"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"} {
		e.mkVPC(t, "us-east-1", c, nil, false)
	}
	west := e.mkVPC(t, "us-west-2", "10.9.0.0/16", nil, false)
	s := DefaultSettings()
	s.BatchSize, s.MaxBatches = 2, 1
	pr1, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e.cfg, e.acct.ID, "us-east-1")), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(pr1.Plan.Targets) != 2 || len(pr1.Plan.Deferred) != 2 {
		t.Fatalf("run 1: %d targets, %d deferred", len(pr1.Plan.Targets), len(pr1.Plan.Deferred))
	}
	if out, err := Execute(ctx, e.cfg, pr1, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusPartial || out.Deferred != 2 {
		t.Fatalf("run 1: %v %+v", err, out)
	}

	pr2, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e.cfg, e.acct.ID, "us-east-1", "us-west-2")), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	p2 := pr2.Plan
	if pr2.Resumed || p2.RunID == pr1.Plan.RunID {
		t.Fatal("a finished run was resumed")
	}
	if len(p2.Targets) != 2 || len(p2.Deferred) != 2 {
		t.Fatalf("run 2: %d targets, %d deferred; want the 2 first of the 4 still failing", len(p2.Targets), len(p2.Deferred))
	}
	s.MaxBatches = 0
	if out, err := Execute(ctx, e.cfg, pr2, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusPartial {
		t.Fatalf("run 2: %v %+v", err, out)
	}
	// The remaining VPCs, in a third run, with no limit.
	pr3, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e.cfg, e.acct.ID, "us-east-1", "us-west-2")), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, st := range pr3.Plan.Steps {
		if st.Batch == 0 {
			actions = append(actions, st.Action)
		}
	}
	if strings.Join(actions, " ") != ActUpdateAssumeRole+" "+ActPutRolePolicy {
		t.Errorf("run 3 role steps = %v, want flowguard's role's trust and policy extended to us-west-2", actions)
	}
	if out, err := Execute(ctx, e.cfg, pr3, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("run 3: %v %+v", err, out)
	}
	if got := failing(miniScan(t, ctx, e.cfg, e.acct.ID, "us-east-1", "us-west-2")); len(got) != 0 {
		t.Fatalf("after three runs still failing: %v", got)
	}
	role, err := iam.NewFromConfig(e.cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(DefaultRoleName)})
	if err != nil {
		t.Fatal(err)
	}
	trust, _ := policy.Parse(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if !policy.ReadTrust(trust).Allows(e.acct.ID, "us-west-2") || !policy.ReadTrust(trust).Allows(e.acct.ID, "us-east-1") {
		t.Errorf("role trust not extended: %s", aws.ToString(role.Role.AssumeRolePolicyDocument))
	}
	_ = west

	rb1, err := Rollback(ctx, e.cfg, e.dir, pr1.Plan.RunID, RollbackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var kept bool
	for _, it := range rb1.Items {
		if it.Kind == "role" && it.Outcome == "kept" && strings.Contains(it.Detail, "still used by") {
			kept = true
		}
	}
	if !kept || count(rb1.Items, "deleted") != 4 {
		t.Errorf("rollback of run 1: %+v", rb1.Items)
	}
	for _, run := range []string{pr2.Plan.RunID, pr3.Plan.RunID} {
		rb, err := Rollback(ctx, e.cfg, e.dir, run, RollbackOptions{})
		if err != nil || rb.Overall() != finding.OutcomeOK {
			t.Fatalf("rollback %s: %v %+v", run, err, rb)
		}
	}
	if _, err := iam.NewFromConfig(e.cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(DefaultRoleName)}); !isCode(err, "NoSuchEntity") {
		t.Errorf("role of the rolled-back run 1 left behind once unused: %v", err)
	}
}

// --fix-retention raises a short retention on someone else's flow-log log group, and rollback restores it.
func TestFixRetention(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	vpc := e.mkVPC(t, region, "10.1.0.0/16", nil, false)
	cwl := cloudwatchlogs.NewFromConfig(e.cfg)
	cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("team-flowlogs")})
	cwl.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("team-flowlogs"), RetentionInDays: aws.Int32(30)})
	if _, err := e.ec2(region).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: []string{vpc},
		TrafficType: ec2types.TrafficTypeAll, LogGroupName: aws.String("team-flowlogs"), DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + e.acct.ID + ":role/team")}); err != nil {
		t.Fatal(err)
	}
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	want := region + "/" + vpc + " RETENTION_TOO_SHORT"
	if f := failing(res); !contains(f, want) {
		t.Fatalf("setup: %v", f)
	}
	// Without --fix-retention the plan only says so.
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir, NewRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range pr.Plan.Steps {
		if st.Resource == "team-flowlogs" {
			t.Fatalf("retention changed without --fix-retention: %+v", st)
		}
	}
	s := DefaultSettings()
	s.FixRetention = true
	pr, err = Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("apply: %v %+v", err, out)
	}
	if f := failing(miniScan(t, ctx, e.cfg, e.acct.ID, region)); contains(f, want) {
		t.Errorf("retention still short after --fix-retention: %v", f)
	}
	if _, err := Rollback(ctx, e.cfg, e.dir, pr.Plan.RunID, RollbackOptions{}); err != nil {
		t.Fatal(err)
	}
	g, _ := cwl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("team-flowlogs")})
	if len(g.LogGroups) != 1 || aws.ToInt32(g.LogGroups[0].RetentionInDays) != 30 {
		t.Errorf("rollback did not restore the 30-day retention (or deleted the group): %+v", g.LogGroups)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A run cancelled half-way (Ctrl-C) is found by the next `fix --apply` without --run and finished.
func TestCancelledRunIsDetectedAndResumed(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	for _, c := range []string{"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"} {
		e.mkVPC(t, "us-east-1", c, nil, false)
	}
	res := miniScan(t, ctx, e.cfg, e.acct.ID, "us-east-1")
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	n := 0
	e.proxy.SetOptions(faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		if c.Action == "CreateFlowLogs" {
			if n++; n == 2 {
				cancel() // Ctrl-C while the second flow log is being created
			}
		}
		return faultproxy.None
	}})
	out, _ := Execute(cctx, e.cfg, pr, e.dir, ApplyOptions{Concurrency: 1})
	if out == nil || out.Status != journal.StatusInterrupted || out.Overall() != finding.OutcomeIncomplete {
		t.Fatalf("cancelled apply: %+v", out)
	}
	e.proxy.SetOptions(faultproxy.Options{})
	pr2, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if !pr2.Resumed || pr2.Plan.RunID != pr.Plan.RunID || !strings.Contains(pr2.Note, "did not finish") {
		t.Fatalf("unfinished run not detected: resumed=%v run=%s note=%q", pr2.Resumed, pr2.Plan.RunID, pr2.Note)
	}
	if out, err := Execute(ctx, e.cfg, pr2, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("resumed: %v %+v", err, out)
	}
	for vpc, fls := range e.flowLogsByVPC(t, "us-east-1") {
		if len(fls) != 1 {
			t.Errorf("%s has %d flow logs", vpc, len(fls))
		}
	}
	if got := failing(miniScan(t, ctx, e.cfg, e.acct.ID, "us-east-1")); len(got) != 0 {
		t.Errorf("still failing: %v", got)
	}
}

// Under throttling and server errors the SDK's retries carry the apply through, and nothing is duplicated.
func TestApplyUnderThrottling(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	for _, c := range []string{"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16"} {
		e.mkVPC(t, "ap-southeast-2", c, nil, false)
	}
	res := miniScan(t, ctx, e.cfg, e.acct.ID, "ap-southeast-2")
	e.cfg.RetryMaxAttempts = 0
	e.cfg.Retryer = retryer()
	e.proxy.SetOptions(faultproxy.Options{ThrottleRate: 0.2, ServerErrorRate: 0.1, Seed: 7})
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{})
	if err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("apply under faults: %v %+v", err, out)
	}
	if f := e.proxy.Faults(); f[faultproxy.Throttle] == 0 || f[faultproxy.ServerError] == 0 {
		t.Fatalf("no faults injected: %v", f)
	}
	e.proxy.SetOptions(faultproxy.Options{})
	for vpc, fls := range e.flowLogsByVPC(t, "ap-southeast-2") {
		if len(fls) != 1 {
			t.Errorf("%s has %d flow logs", vpc, len(fls))
		}
	}
}

// FAILED deliveries are diagnosed from the role behind them: missing, or trusting the wrong service.
// (moto never fails delivery for a role, so the proxy plays the FAILED status.)
func TestDiagnoseFailedDeliveryRoles(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	if _, err := iamClient(e).CreateRole(ctx, roleInput("ec2-trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)); err != nil {
		t.Fatal(err)
	}
	cwl := cloudwatchlogs.NewFromConfig(e.cfg)
	want := map[string]string{}
	for i, role := range []string{"missing-role", "ec2-trust"} {
		vpc := e.mkVPC(t, region, []string{"10.1.0.0/16", "10.2.0.0/16"}[i], nil, false)
		group := "old-" + role
		cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
		if _, err := e.ec2(region).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: []string{vpc},
			TrafficType: ec2types.TrafficTypeReject, LogGroupName: aws.String(group), DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + e.acct.ID + ":role/" + role)}); err != nil {
			t.Fatal(err)
		}
		want[vpc] = map[string]string{"missing-role": "role/missing-role does not exist", "ec2-trust": "it trusts ec2.amazonaws.com"}[role]
	}
	e.proxy.SetOptions(faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
		if c.Action != "DescribeFlowLogs" {
			return body
		}
		return bytes.ReplaceAll(body, []byte("<deliverLogsStatus>SUCCESS<"), []byte("<deliverLogsStatus>FAILED<"))
	}})
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range pr.Plan.Diagnoses {
		got[d.VPCID] = d.Cause
	}
	for vpc, w := range want {
		if !strings.Contains(got[vpc], w) {
			t.Errorf("diagnosis of %s = %q, want it to say %q", vpc, got[vpc], w)
		}
	}
}
