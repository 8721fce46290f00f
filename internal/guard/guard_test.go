package guard

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/sink/exceptions"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// The whole path: an EventBridge rule with an SQS target, a CreateVpc event, guard in fix mode creating the
// flow log; a duplicated message creating nothing; a deleted guard-owned flow log repaired; and the guard
// runs journaled like fix runs.
func TestGuardFixEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	g := e.guard(t, ModeFix, nil)
	vpc := e.mkVPC(t)
	stop := e.start(t, g)

	create := createVpcEvent(e.acct.ID, testRegion, vpc)
	e.putEvent(t, create)
	took := waitFor(t, "the flow log of the new VPC", time.Minute, func() bool { return len(e.flowLogs(t, vpc)) == 1 })
	t.Logf("event put → flow log created: %s", took)
	waitFor(t, "the queue to drain", time.Minute, func() bool { return e.pending(t, e.queue) == 0 })
	if !hasFindingFor(e.kinds(t, "finding"), vpc, "FAIL") {
		t.Errorf("no FAIL finding line for %s: %+v", vpc, e.out.lines(t))
	}
	first := e.flowLogs(t, vpc)[0]
	if tagValue(first.Tags, "flowguard:run-id") == "" || !IsGuardRun(tagValue(first.Tags, "flowguard:run-id")) {
		t.Errorf("flow log tags %+v: want a guard run id", first.Tags)
	}

	// The same message delivered twice more (at-least-once): handled, deleted, nothing created.
	e.send(t, string(create))
	e.send(t, string(create))
	waitFor(t, "the duplicates to be handled", time.Minute, func() bool {
		return testutil.ToFloat64(g.o.Metrics.events.WithLabelValues("handled")) >= 3 && e.pending(t, e.queue) == 0
	})
	if n := len(e.flowLogs(t, vpc)); n != 1 {
		t.Fatalf("after duplicate messages the VPC has %d flow logs, want 1", n)
	}

	// Someone deletes guard's flow log: repaired.
	if _, err := e.ec2.DeleteFlowLogs(t.Context(), &ec2.DeleteFlowLogsInput{FlowLogIds: []string{aws.ToString(first.FlowLogId)}}); err != nil {
		t.Fatal(err)
	}
	e.putEvent(t, deleteFlowLogsEvent(e.acct.ID, testRegion, aws.ToString(first.FlowLogId)))
	waitFor(t, "the repaired flow log", time.Minute, func() bool {
		fls := e.flowLogs(t, vpc)
		return len(fls) == 1 && aws.ToString(fls[0].FlowLogId) != aws.ToString(first.FlowLogId)
	})
	waitFor(t, "the queue to drain", time.Minute, func() bool { return e.pending(t, e.queue) == 0 })
	stop()

	// Both guard runs are journaled as runs: `flowguard runs` lists them, rollback undoes them.
	var runIDs []string
	for _, l := range e.kinds(t, "fix") {
		for _, v := range l.Fix.VPCs {
			if v.VPCID == vpc && v.Status == fix.OutcomeCreated {
				runIDs = append(runIDs, l.Fix.RunID)
			}
		}
	}
	if len(runIDs) != 2 {
		t.Fatalf("want 2 guard runs creating a flow log on %s, got %v", vpc, runIDs)
	}
	runs, err := journal.List(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range runIDs {
		i := slices.IndexFunc(runs, func(s journal.Summary) bool { return s.ID == id })
		if i < 0 || runs[i].Status != journal.StatusComplete || runs[i].FlowLogsCreated < 1 {
			t.Errorf("run %s in the journal: %+v", id, runs)
		}
	}
	for _, id := range slices.Backward(runIDs) {
		res, err := fix.Rollback(t.Context(), e.cfg, e.dir, id, fix.RollbackOptions{Concurrency: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Remaining) > 0 || len(res.Errors) > 0 {
			t.Errorf("rollback %s: remaining %v, errors %v", id, res.Remaining, res.Errors)
		}
	}
	if n := len(e.flowLogs(t, vpc)); n != 0 {
		t.Errorf("after rolling back guard's runs the VPC has %d flow logs, want 0", n)
	}
}

func tagValue(tags []ec2types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// Alert mode never changes anything; a deleted flow log shows as a FAIL line.
func TestGuardAlert(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	vpc := e.mkVPC(t)
	fixer := e.guard(t, ModeFix, nil)
	if errs := fixer.HandleBatch(t.Context(), []Message{{ID: "1", Body: createVpcEvent(e.acct.ID, testRegion, vpc)}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	fls := e.flowLogs(t, vpc)
	if len(fls) != 1 {
		t.Fatalf("setup: %d flow logs", len(fls))
	}
	e.out = &syncBuffer{}
	g := e.guard(t, ModeAlert, nil)
	// The state guard starts from: every VPC passing is remembered, nothing is reported for it.
	if err := g.Reconcile(t.Context()); err != nil {
		t.Fatal(err)
	}
	if hasFindingFor(e.kinds(t, "finding"), vpc, "PASS") || hasFindingFor(e.kinds(t, "finding"), vpc, "FAIL") {
		t.Fatalf("a passing VPC reported at start: %+v", e.out.lines(t))
	}
	stop := e.start(t, g)
	if _, err := e.ec2.DeleteFlowLogs(t.Context(), &ec2.DeleteFlowLogsInput{FlowLogIds: []string{aws.ToString(fls[0].FlowLogId)}}); err != nil {
		t.Fatal(err)
	}
	e.putEvent(t, deleteFlowLogsEvent(e.acct.ID, testRegion, aws.ToString(fls[0].FlowLogId)))
	waitFor(t, "the alert", time.Minute, func() bool { return hasFindingFor(e.kinds(t, "finding"), vpc, "FAIL") })
	waitFor(t, "the queue to drain", time.Minute, func() bool { return e.pending(t, e.queue) == 0 })
	stop()
	if n := len(e.flowLogs(t, vpc)); n != 0 {
		t.Errorf("alert mode changed the VPC: %d flow logs", n)
	}
	if len(e.kinds(t, "fix")) != 0 {
		t.Errorf("alert mode ran a fix: %+v", e.kinds(t, "fix"))
	}
}

// A message that is not an event is left on the queue and its redrive policy moves it to the DLQ.
func TestGuardPoisonMessageToDLQ(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	g := e.guard(t, ModeAlert, nil)
	stop := e.start(t, g)
	e.send(t, "{not an event")
	waitFor(t, "the poison message in the DLQ", 2*time.Minute, func() bool { return e.pending(t, e.dlq) == 1 })
	waitFor(t, "the queue to be empty", time.Minute, func() bool { return e.pending(t, e.queue) == 0 })
	stop()
	if got := testutil.ToFloat64(g.o.Metrics.events.WithLabelValues("malformed")); got < 2 {
		t.Errorf("malformed events counted %v, want the maxReceiveCount (2) receipts", got)
	}
	out, err := e.sqs.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(e.dlq)})
	if err != nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "{not an event" {
		t.Fatalf("DLQ: %+v %v", out, err)
	}
}

// SIGTERM (the context cancelled) while a message is being handled: guard stops receiving, finishes it
// (flow log created, message deleted) and returns. 300 ms per call keeps the message in hand long enough.
func TestGuardShutdownLosesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	vpc := e.mkVPC(t)
	g := e.guard(t, ModeFix, nil)
	e.putEvent(t, createVpcEvent(e.acct.ID, testRegion, vpc))
	e.proxy.SetOptions(faultproxy.Options{Latency: 300 * time.Millisecond})
	stop := e.start(t, g)
	waitFor(t, "the message in hand", time.Minute, func() bool { return testutil.ToFloat64(g.o.Metrics.inFlight) > 0 })
	stop()
	e.proxy.SetOptions(faultproxy.Options{})
	if n := len(e.flowLogs(t, vpc)); n != 1 {
		t.Errorf("after shutdown the VPC has %d flow logs, want 1 (the message in hand finished)", n)
	}
	if n := e.pending(t, e.queue); n != 0 {
		t.Errorf("after shutdown %d messages are left: the handled one was not deleted", n)
	}
	if n := e.pending(t, e.dlq); n != 0 {
		t.Errorf("%d messages in the DLQ", n)
	}
}

// Events of flowguard's own calls are ignored; a VPC repaired too often is left alone and the conflict
// reported; an excepted VPC is never changed. The handler is called directly (no queue).
func TestGuardLoopSafetyAndExceptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	vpc := e.mkVPC(t)
	g := e.guard(t, ModeFix, func(o *Options) { o.MaxRepairs = 1 })
	ctx := t.Context()

	self := []Message{
		{ID: "ua", Body: withDetail(createVpcEvent(e.acct.ID, testRegion, vpc), "userAgent", "aws-sdk-go-v2/1.48.0 os/linux lang/go app/"+AppID)},
		{ID: "identity", Body: withDetail(createVpcEvent(e.acct.ID, testRegion, vpc), "userIdentity", map[string]any{"type": "AssumedRole", "arn": g.Identity().ARN})},
	}
	for i, err := range g.HandleBatch(ctx, self) {
		if err != nil {
			t.Fatalf("%s: %v", self[i].ID, err)
		}
	}
	if n := len(e.flowLogs(t, vpc)); n != 0 {
		t.Fatalf("an event of guard's own call was acted on: %d flow logs", n)
	}
	if got := testutil.ToFloat64(g.o.Metrics.events.WithLabelValues("self")); got != 2 {
		t.Errorf("self events counted %v, want 2", got)
	}

	if errs := g.HandleBatch(ctx, []Message{{ID: "1", Body: createVpcEvent(e.acct.ID, testRegion, vpc)}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	fls := e.flowLogs(t, vpc)
	if len(fls) != 1 {
		t.Fatalf("%d flow logs after CreateVpc", len(fls))
	}
	// Another automation deletes it again: past --max-repairs guard stops and reports the conflict.
	e.ec2.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{aws.ToString(fls[0].FlowLogId)}})
	if errs := g.HandleBatch(ctx, []Message{{ID: "2", Body: deleteFlowLogsEvent(e.acct.ID, testRegion, aws.ToString(fls[0].FlowLogId))}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if n := len(e.flowLogs(t, vpc)); n != 0 {
		t.Errorf("repaired past the limit: %d flow logs", n)
	}
	conflicts := e.kinds(t, "conflict")
	if len(conflicts) != 1 || conflicts[0].VPCID != vpc || !strings.Contains(conflicts[0].Message, "another automation") {
		t.Errorf("conflict lines: %+v", conflicts)
	}

	// An excepted VPC: reported EXCEPTED, never changed.
	vpc2 := e.mkVPC(t)
	set, err := exceptions.Parse("exceptions.yaml", []byte("exceptions:\n  - owner: net@example.com\n    reason: lab\n    expires: "+
		time.Now().AddDate(0, 1, 0).Format("2006-01-02")+"\n    vpc: "+vpc2+"\n"), 365, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	g2 := e.guard(t, ModeFix, func(o *Options) { o.Exceptions = set })
	if errs := g2.HandleBatch(ctx, []Message{{ID: "3", Body: createVpcEvent(e.acct.ID, testRegion, vpc2)}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if n := len(e.flowLogs(t, vpc2)); n != 0 {
		t.Errorf("excepted VPC changed: %d flow logs", n)
	}
	if !hasFindingFor(e.kinds(t, "finding"), vpc2, "EXCEPTED") {
		t.Errorf("no EXCEPTED line for %s", vpc2)
	}
}

// The Lambda handler: an SQS event batch, one good record and one poison; only the poison is reported as a
// batch item failure, the good one is handled.
func TestLambdaHandler(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	vpc := e.mkVPC(t)
	g := e.guard(t, ModeFix, nil)
	resp, err := g.HandleLambda(t.Context(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "good", Body: string(createVpcEvent(e.acct.ID, testRegion, vpc)), Attributes: map[string]string{"SentTimestamp": "1764000000000"}},
		{MessageId: "poison", Body: "\x00garbage"},
		{MessageId: "other", Body: string(trailEvent(e.acct.ID, testRegion, "ec2.amazonaws.com", "RunInstances", nil, nil, "", ""))},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "poison" {
		t.Errorf("batch item failures %+v, want only poison", resp.BatchItemFailures)
	}
	if n := len(e.flowLogs(t, vpc)); n != 1 {
		t.Errorf("%d flow logs, want 1", n)
	}
}

// Alerts reach Security Hub (ASFF, BatchImportFindings) and an SNS topic; a queued Scheduled Event runs a
// reconcile.
func TestGuardPublishesAndScheduledReconcile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	ctx := t.Context()
	vpc := e.mkVPC(t)
	sn := sns.NewFromConfig(e.cfg)
	topic, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("security")})
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("inbox")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(e.queueARN(t, aws.ToString(inbox.QueueUrl)))}); err != nil {
		t.Fatal(err)
	}
	g := e.guard(t, ModeAlert, func(o *Options) {
		o.Publisher = Publishers{SecurityHub{}, SNS{TopicARN: aws.ToString(topic.TopicArn), Config: e.cfg}}
	})
	if errs := g.HandleBatch(ctx, []Message{{ID: "1", Body: createVpcEvent(e.acct.ID, testRegion, vpc)}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	found, err := securityhub.NewFromConfig(e.cfg).GetFindings(ctx, &securityhub.GetFindingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	for _, f := range found.Findings {
		for _, r := range f.Resources {
			if strings.HasSuffix(aws.ToString(r.Id), vpc) && f.Compliance != nil && f.Compliance.Status == "FAILED" {
				ok = true
			}
		}
	}
	if !ok {
		t.Errorf("Security Hub has no FAILED finding for %s: %d findings", vpc, len(found.Findings))
	}
	msgs, err := e.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: inbox.QueueUrl, WaitTimeSeconds: 2})
	if err != nil || len(msgs.Messages) != 1 || !strings.Contains(aws.ToString(msgs.Messages[0].Body), vpc) {
		t.Errorf("SNS message: %+v %v", msgs, err)
	}

	// A scheduled event runs a reconcile (nothing changed since: no new finding line).
	before := testutil.ToFloat64(g.o.Metrics.reconciles.WithLabelValues("ok"))
	sched := `{"version":"0","id":"s1","detail-type":"Scheduled Event","source":"aws.events","account":"` + e.acct.ID +
		`","time":"2026-01-01T00:00:00Z","region":"` + testRegion + `","resources":[],"detail":{}}`
	if errs := g.HandleBatch(ctx, []Message{{ID: "2", Body: []byte(sched)}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if after := testutil.ToFloat64(g.o.Metrics.reconciles.WithLabelValues("ok")); after != before+1 {
		t.Errorf("reconciles %v → %v", before, after)
	}
}

// Events from another account: ignored without --assume-role; with it, guard enters that account (AssumeRole,
// as scan does) and repairs there.
func TestGuardOtherAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	other := moto.NewTestAccount(t)
	oc := ec2.NewFromConfig(other.Config(e.proxy.URL, testRegion))
	v, err := oc.CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.50.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(v.Vpc.VpcId)
	count := func() int {
		out, err := oc.DescribeFlowLogs(t.Context(), &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpc}}}})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.FlowLogs)
	}
	body := createVpcEvent(other.ID, testRegion, vpc)
	alone := e.guard(t, ModeFix, nil)
	if errs := alone.HandleBatch(t.Context(), []Message{{ID: "1", Body: body}}); errs[0] != nil || count() != 0 {
		t.Fatalf("without --assume-role: %v, %d flow logs", errs[0], count())
	}
	g := e.guard(t, ModeFix, func(o *Options) { o.Accounts.RoleName = "flowguard-guard-member" })
	if errs := g.HandleBatch(t.Context(), []Message{{ID: "2", Body: body}}); errs[0] != nil {
		t.Fatal(errs[0])
	}
	if n := count(); n != 1 {
		t.Fatalf("in the other account %d flow logs, want 1", n)
	}
	// guard's own session there is recognised as flowguard's.
	own := withDetail(body, "userIdentity", map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::" + other.ID + ":assumed-role/flowguard-guard-member/flowguard"})
	if why := g.self(mustParse(t, own)); why == "" {
		t.Errorf("guard's --assume-role session not recognised as its own")
	}
	if calls := e.proxy.Calls()["sts:AssumeRole"]; calls < 1 {
		t.Errorf("no sts:AssumeRole call: %v", e.proxy.Calls())
	}
}

func mustParse(t *testing.T, b []byte) *Event {
	t.Helper()
	ev, err := ParseEvent(b)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}
