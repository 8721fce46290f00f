package guard

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

const testRegion = "us-east-1"

// env is one test's account in moto, behind a fault proxy, with the queue, its dead-letter queue and the
// EventBridge rules guard deploy creates (the same event patterns).
type env struct {
	acct       moto.Account
	proxy      *faultproxy.Proxy
	cfg        aws.Config
	dir        string
	sqs        *sqs.Client
	ec2        *ec2.Client
	queue, dlq string
	out        *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []Line {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Line
	for _, l := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if l == "" {
			continue
		}
		var x Line
		if err := json.Unmarshal([]byte(l), &x); err != nil {
			t.Fatalf("output line is not JSON: %q: %v", l, err)
		}
		out = append(out, x)
	}
	return out
}

func newEnv(t *testing.T, latency time.Duration) *env {
	t.Helper()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	p := faultproxy.New(srv.URL, faultproxy.Options{Latency: latency})
	t.Cleanup(p.Close)
	cfg := acct.Config(p.URL, testRegion)
	e := &env{acct: acct, proxy: p, cfg: cfg, dir: t.TempDir(), sqs: sqs.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg), out: &syncBuffer{}}
	ctx := t.Context()
	dlq, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("flowguard-guard-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	e.dlq = aws.ToString(dlq.QueueUrl)
	dlqARN := e.queueARN(t, e.dlq)
	q, err := e.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("flowguard-guard"), Attributes: map[string]string{
		"RedrivePolicy":     `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"2"}`,
		"VisibilityTimeout": "30",
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.queue = aws.ToString(q.QueueUrl)
	eb := eventbridge.NewFromConfig(cfg)
	for name, pattern := range map[string]string{
		"flowguard-guard-ec2":  `{"detail-type":["AWS API Call via CloudTrail"],"source":["aws.ec2"],"detail":{"eventName":["CreateVpc","DeleteFlowLogs","CreateFlowLogs","CreateTransitGateway"]}}`,
		"flowguard-guard-logs": `{"detail-type":["AWS API Call via CloudTrail"],"source":["aws.logs"],"detail":{"eventName":["DeleteLogGroup","PutRetentionPolicy","DeleteRetentionPolicy"]}}`,
	} {
		if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(pattern)}); err != nil {
			t.Fatal(err)
		}
		if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(e.queueARN(t, e.queue))}}}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) queueARN(t *testing.T, url string) string {
	t.Helper()
	a, err := e.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return a.Attributes["QueueArn"]
}

// putEvent sends a CloudTrail-shaped event through EventBridge, which delivers it to the queue by the rules.
// Gaps: moto emits no CloudTrail events (so the test puts the documented shape itself), AWS would refuse
// PutEvents with an aws.* source (moto accepts it), and moto leaves "account" out of the delivered event
// (ParseEvent takes the CloudTrail record's recipientAccountId then).
func (e *env) putEvent(t *testing.T, body []byte) {
	t.Helper()
	var m struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	out, err := eventbridge.NewFromConfig(e.cfg).PutEvents(t.Context(), &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String(m.Source), DetailType: aws.String(m.DetailType), Detail: aws.String(string(m.Detail)),
	}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, out)
	}
}

// send puts a message on the queue directly (a duplicate delivery, a poison message).
func (e *env) send(t testing.TB, body string) {
	t.Helper()
	if _, err := e.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(e.queue), MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) mkVPC(t *testing.T) string {
	t.Helper()
	out, err := e.ec2.CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Vpc.VpcId)
}

func (e *env) flowLogs(t *testing.T, vpc string) []ec2types.FlowLog {
	t.Helper()
	out, err := e.ec2.DescribeFlowLogs(t.Context(), &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpc}}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.FlowLogs
}

// pending is the number of messages on a queue, visible or in flight.
func (e *env) pending(t *testing.T, url string) int {
	t.Helper()
	a, err := e.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{
		sqstypes.QueueAttributeNameApproximateNumberOfMessages, sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range a.Attributes {
		var x int
		json.Unmarshal([]byte(v), &x)
		n += x
	}
	return n
}

func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

func (e *env) guard(t *testing.T, mode string, tune func(*Options)) *Guard {
	t.Helper()
	o := Options{Mode: mode, Config: e.cfg, Regions: []string{testRegion}, Settings: fix.DefaultSettings(), JournalDir: e.dir,
		Out: e.out, Metrics: NewMetrics(), Concurrency: 4}
	if tune != nil {
		tune(&o)
	}
	g, err := New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// start runs g on the queue; stop cancels it as SIGTERM does and waits for Run to return.
func (e *env) start(t *testing.T, g *Guard) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- g.Run(ctx, QueueOptions{URL: e.queue, Client: sqs.NewFromConfig(e.cfg), Visibility: 30 * time.Second, Wait: 2 * time.Second})
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(2 * time.Minute):
				t.Errorf("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func (e *env) kinds(t *testing.T, kind string) []Line {
	var out []Line
	for _, l := range e.out.lines(t) {
		if l.Kind == kind {
			out = append(out, l)
		}
	}
	return out
}

func hasFindingFor(lines []Line, vpc, status string) bool {
	for _, l := range lines {
		if l.Finding != nil && l.Finding.ResourceID == vpc && string(l.Finding.Status) == status && l.Finding.CheckID == fix.CheckEnabled {
			return true
		}
	}
	return false
}
