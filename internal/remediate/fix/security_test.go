package fix

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
)

// A journal cut in the middle of a record (a crash, a full disk) before the records of the run's log groups and
// flow logs: rollback still finds everything the run created by its flowguard:run-id tag and deletes it, cuts
// the torn record (reported with the byte offset), and the journal reads cleanly afterwards.
func TestRollbackOfATornJournal(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	for i := 0; i < 10; i++ {
		e.mkVPC(t, region, "10."+string(rune('0'+i))+".0.0/16", nil, false)
	}
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e.cfg, e.acct.ID, region)), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	run := pr.Plan.RunID
	if out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("apply: %v %+v", err, out)
	}
	tagged := func() int {
		n := 0
		for _, fls := range e.flowLogsByVPC(t, region) {
			for _, f := range fls {
				if f.Tags[TagRunID] == run {
					n++
				}
			}
		}
		return n
	}
	if n := tagged(); n < 10 {
		t.Fatalf("setup: %d flow logs of the run", n)
	}
	// Cut the journal in the middle of the first log-group record: the journal no longer knows any log group
	// or flow log of the run.
	p := journal.Path(e.dir, run)
	data, _ := os.ReadFile(p)
	i := bytes.Index(data, []byte(`"action":"logs:CreateLogGroup"`))
	if i < 0 {
		t.Fatal("no log group record")
	}
	cut := bytes.LastIndexByte(data[:i], '\n') + 1
	if err := os.WriteFile(p, data[:i], 0o600); err != nil {
		t.Fatal(err)
	}

	res, err := Rollback(ctx, e.cfg, e.dir, run, RollbackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := tagged(); n != 0 {
		t.Errorf("%d flow logs of the run remain after rollback", n)
	}
	if res.Overall() != finding.OutcomeOK || len(res.Remaining) != 0 || len(res.RemainingResources) != 0 {
		t.Errorf("rollback: exit %d, remaining %v %v, errors %v", res.Overall(), res.Remaining, res.RemainingResources, res.Errors)
	}
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], p) || !strings.Contains(res.Warnings[0], "byte offset "+itoa(cut)) {
		t.Errorf("warnings = %q, want the torn record reported with %s and byte offset %d", res.Warnings, p, cut)
	}
	groups, err := cloudwatchlogs.NewFromConfig(e.cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/vpc-flow-logs/")})
	if err != nil || len(groups.LogGroups) != 0 {
		t.Errorf("log groups of the run left behind: %v %d", err, len(groups.LogGroups))
	}
	if _, err := iam.NewFromConfig(e.cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(DefaultRoleName)}); !isCode(err, "NoSuchEntity") {
		t.Errorf("role of the run left behind: %v", err)
	}
	// The rollback's records were appended after the cut, not glued onto the torn one.
	recs, err := journal.Read(e.dir, run)
	if err != nil {
		t.Fatalf("journal after rollback: %v", err)
	}
	if s := journal.Summarize(run, recs); !s.RolledBack {
		t.Errorf("summary after rollback: %+v", s)
	}
}

// Rollback of a journal cut before the flow-log records, while the flow logs cannot all be deleted: it says
// what remains and exits non-zero (it used to say "rolled back" with exit 0).
func TestRollbackSaysWhatRemains(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	e.mkVPC(t, region, "10.1.0.0/16", nil, false)
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e.cfg, e.acct.ID, region)), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("apply: %v %+v", err, out)
	}
	p := journal.Path(e.dir, pr.Plan.RunID)
	data, _ := os.ReadFile(p)
	i := bytes.Index(data, []byte(`"action":"ec2:CreateFlowLogs"`))
	os.WriteFile(p, data[:i], 0o600)
	// DeleteFlowLogs is denied.
	e.proxy.SetOptions(faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		if c.Action == "DeleteFlowLogs" {
			return faultproxy.AccessDenied
		}
		return faultproxy.None
	}})
	res, err := Rollback(ctx, e.cfg, e.dir, pr.Plan.RunID, RollbackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Overall() == finding.OutcomeOK || len(res.Remaining) == 0 {
		t.Errorf("rollback with flow logs left: exit %d, remaining %v, items %+v", res.Overall(), res.Remaining, res.Items)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// The owner of a log group changed its retention after a run raised it (30 -> 365, then 3653): rollback keeps
// 3653 and says so. A forged journal record naming another group is refused.
func TestRollbackRetentionOnlyWhenStillTheRunsValue(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	vpc := e.mkVPC(t, region, "10.1.0.0/16", nil, false)
	cwl := cloudwatchlogs.NewFromConfig(e.cfg)
	mkGroup := func(name string, days int32) {
		t.Helper()
		if _, err := cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := cwl.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(days)}); err != nil {
			t.Fatal(err)
		}
	}
	retention := func(name string) int32 {
		t.Helper()
		g, err := cwl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
		if err != nil || len(g.LogGroups) == 0 {
			t.Fatalf("describe %s: %v", name, err)
		}
		return aws.ToInt32(g.LogGroups[0].RetentionInDays)
	}
	mkGroup("/team/flowlogs", 30)
	mkGroup("/team/other", 365)
	if _, err := e.ec2(region).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: []string{vpc},
		TrafficType: ec2types.TrafficTypeAll, LogGroupName: aws.String("/team/flowlogs"), DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + e.acct.ID + ":role/team")}); err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.FixRetention = true
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e.cfg, e.acct.ID, region)), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	run := pr.Plan.RunID
	if out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("apply: %v %+v", err, out)
	}
	if got := retention("/team/flowlogs"); got != 365 {
		t.Fatalf("setup: retention %d after --fix-retention", got)
	}
	// The owner keeps its flow logs ten years now.
	if _, err := cwl.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/team/flowlogs"), RetentionInDays: aws.Int32(3653)}); err != nil {
		t.Fatal(err)
	}
	// Someone edits the journal: the run "raised" /team/other from 1 day.
	j, err := journal.Open(e.dir, run, false)
	if err != nil {
		t.Fatal(err)
	}
	one, set := int32(1), int32(365)
	j.Append(journal.Record{Type: journal.TypeBegin, Phase: "fix", Step: "999 forged", Action: ActPutRetentionPolicy, Account: e.acct.ID, Region: region, Resource: "/team/other", Previous: &one, Retention: &set})
	j.Append(journal.Record{Type: journal.TypeEnd, Phase: "fix", Step: "999 forged", Action: ActPutRetentionPolicy, Account: e.acct.ID, Region: region, Resource: "/team/other"})
	j.Close()

	res, err := Rollback(ctx, e.cfg, e.dir, run, RollbackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := retention("/team/flowlogs"); got != 3653 {
		t.Errorf("rollback shortened the owner's retention: %d days, want 3653 kept", got)
	}
	if got := retention("/team/other"); got != 365 {
		t.Errorf("a forged journal record made rollback set %d days on a group the run never touched", got)
	}
	var kept, refused bool
	for _, it := range res.Items {
		if it.Kind == "retention" && it.ID == "/team/flowlogs" && it.Outcome == "kept" && it.Detail == "retention is now 3653 days, not the 365 this run set" {
			kept = true
		}
		if it.Kind == "retention" && it.ID == "/team/other" && it.Outcome == "kept" && strings.Contains(it.Detail, "refused") {
			refused = true
		}
	}
	if !kept || !refused {
		t.Errorf("rollback items: %+v", res.Items)
	}
}

// A run killed between CreateLogGroup and PutRetentionPolicy (the journal has the create, not the retention)
// is resumed to the plan's full state: the group gets its retention and tags, not just a flow log.
func TestResumeConvergesLogGroupState(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	e.mkVPC(t, region, "10.1.0.0/16", nil, false)
	s := DefaultSettings()
	s.Tags = map[string]string{"team": "netsec"}
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	// Apply only up to the log groups: what a SIGKILL after CreateLogGroup leaves.
	var steps []Step
	for _, st := range pr.Plan.Steps {
		if st.Action == ActPutRetentionPolicy || st.Action == ActCreateFlowLogs {
			continue
		}
		steps = append(steps, st)
	}
	pr.Plan.Steps = steps
	if _, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	p := journal.Path(e.dir, pr.Plan.RunID)
	data, _ := os.ReadFile(p)
	i := bytes.Index(data, []byte(`"type":"finish"`))
	if i < 0 {
		t.Fatal("no finish record")
	}
	os.WriteFile(p, data[:bytes.LastIndexByte(data[:i], '\n')+1], 0o600) // SIGKILL: no finish record
	cwl := cloudwatchlogs.NewFromConfig(e.cfg)
	groups, _ := cwl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/vpc-flow-logs/")})
	if len(groups.LogGroups) == 0 || groups.LogGroups[0].RetentionInDays != nil {
		t.Fatalf("setup: %+v", groups.LogGroups)
	}
	// Someone removed a tag meanwhile.
	name := aws.ToString(groups.LogGroups[0].LogGroupName)
	//lint:ignore SA1019 the test removes a tag the way the code under test reads tags (by group name)
	cwl.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: aws.String(name), Tags: []string{"team"}})

	pr2, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if !pr2.Resumed || pr2.Plan.RunID != pr.Plan.RunID {
		t.Fatalf("not resumed: %+v", pr2)
	}
	out, err := Execute(ctx, e.cfg, pr2, e.dir, ApplyOptions{})
	if err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("resume: %v %+v", err, out)
	}
	groups, _ = cwl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	if len(groups.LogGroups) != 1 || aws.ToInt32(groups.LogGroups[0].RetentionInDays) != s.RetentionDays {
		t.Errorf("after resume the run's log group has retention %v, want %d", groups.LogGroups[0].RetentionInDays, s.RetentionDays)
	}
	//lint:ignore SA1019 read tags by group name, as the code under test does
	tags, _ := cwl.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(name)})
	if tags.Tags["team"] != "netsec" || tags.Tags[TagRunID] != pr.Plan.RunID {
		t.Errorf("after resume the run's log group has tags %v", tags.Tags)
	}
	if got := failing(miniScan(t, ctx, e.cfg, e.acct.ID, region)); len(got) != 0 {
		t.Errorf("still failing: %v", got)
	}
}

// A journal damaged in the middle does not block a new run in the same directory, and is not resumed.
func TestSuspectJournalDoesNotBlockANewRun(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	e.mkVPC(t, region, "10.1.0.0/16", nil, false)
	info, _ := json.Marshal(RunInfo{Account: e.acct.ID, Settings: DefaultSettings()})
	run, _ := json.Marshal(journal.Record{Seq: 1, Type: journal.TypeRun, Phase: "fix", Plan: info, Accounts: []string{e.acct.ID}})
	os.MkdirAll(e.dir, 0o700)
	os.WriteFile(journal.Path(e.dir, "20200101T000000Z-aaaaaa"), append(run, []byte("\n{\"seq\":2,\"ty\n{\"seq\":3,\"type\":\"begin\"}\n")...), 0o600)
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e.cfg, e.acct.ID, region)), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatalf("a damaged journal blocked a new run: %v", err)
	}
	if pr.Resumed {
		t.Fatal("a damaged journal was resumed without being asked for")
	}
	if out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("apply: %v %+v", err, out)
	}
	runs, err := journal.List(e.dir)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs: %v %+v", err, runs)
	}
}
