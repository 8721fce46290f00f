package guard

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// benchEnv is newEnv for a benchmark: every guard call goes through the fault proxy with 50 ms added; the
// benchmark's own setup and polling talk to moto directly, so they do not disturb the figures.
func benchEnv(b *testing.B, rp *replay) (*env, *probe, func(region string) *ec2.Client) {
	b.Helper()
	srv := moto.Shared(b)
	acct, err := srv.NewAccount(b.Context(), "")
	if err != nil {
		b.Fatal(err)
	}
	p := faultproxy.New(srv.URL, faultproxy.Options{Latency: benchLatency, Answer: rp.answer, Rewrite: rp.record})
	b.Cleanup(p.Close)
	direct := acct.Config(srv.URL, testRegion)
	pr := newProbe()
	cfg := acct.Config(p.URL, testRegion)
	cfg.HTTPClient = pr
	e := &env{acct: acct, proxy: p, cfg: cfg, dir: b.TempDir(), sqs: sqs.NewFromConfig(direct), ec2: ec2.NewFromConfig(direct), out: &syncBuffer{}}
	q, err := e.sqs.CreateQueue(b.Context(), &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	e.queue = aws.ToString(q.QueueUrl)
	ec2In := func(region string) *ec2.Client {
		return ec2.NewFromConfig(direct, func(o *ec2.Options) { o.Region = region })
	}
	return e, pr, ec2In
}

func hasFlowLog(b *testing.B, c *ec2.Client, vpc string) bool {
	out, err := c.DescribeFlowLogs(b.Context(), &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpc}}}})
	if err != nil {
		b.Fatal(err)
	}
	return len(out.FlowLogs) > 0
}

// BenchmarkGuardEventToFlowLog: a VPC created without a flow log, its CreateVpc event put on the queue, and
// the time until DescribeFlowLogs shows the flow log guard created, with 50 ms added to every call guard makes.
// Target: under 5 s.
func BenchmarkGuardEventToFlowLog(b *testing.B) {
	e, _, _ := benchEnv(b, nil)
	ec := e.ec2
	g, err := New(b.Context(), Options{Mode: ModeFix, Config: e.cfg, Regions: []string{testRegion}, Settings: fix.DefaultSettings(), JournalDir: e.dir, Out: e.out, Concurrency: 16})
	if err != nil {
		b.Fatal(err)
	}
	// Settle the region first (default VPC, delivery role): the figure is for a new VPC in a guarded region.
	if err := g.Reconcile(b.Context()); err != nil {
		b.Fatal(err)
	}
	stop := runB(b, e, g)
	defer stop()
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		v, err := ec.CreateVpc(b.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.30.0.0/16")})
		if err != nil {
			b.Fatal(err)
		}
		vpc := aws.ToString(v.Vpc.VpcId)
		b.StartTimer()
		start := time.Now()
		e.send(b, string(createVpcEvent(e.acct.ID, testRegion, vpc)))
		for !hasFlowLog(b, ec, vpc) {
			time.Sleep(20 * time.Millisecond)
		}
		total += time.Since(start)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/event-to-flow-log")
}

// BenchmarkGuardThroughput: 200 events queued at once — 40 new VPCs over 4 regions, each with its CreateVpc
// event and 4 other events on the same account-region (retention changes, flow-log confirmations, redeliveries)
// — and the time until every message is handled and every VPC has its flow log, with 50 ms added to every call
// guard makes. Target: at least 50 events/s in one process.
//
// Two cases: "new-vpcs", where the 40 VPCs still need their flow logs (the fix engine's calls dominate), and
// "settled", the same 200 events once the VPCs pass (what most of a real event stream is: confirmations,
// redeliveries, changes that need no repair).
func BenchmarkGuardThroughput(b *testing.B) {
	b.Run("new-vpcs", func(b *testing.B) { benchThroughput(b, false, false, false) })
	b.Run("settled", func(b *testing.B) { benchThroughput(b, true, false, false) })
	b.Run("settled-canned-reads", func(b *testing.B) { benchThroughput(b, true, true, false) })
	b.Run("settled-canned-reads-no-queue", func(b *testing.B) { benchThroughput(b, true, true, true) })
}

// benchThroughput with canned: guard's reads (every call but SQS's, all read-only once settled) are answered by
// the proxy with moto's own answers recorded after the VPCs were settled, so that moto serves only the queue:
// the figure is guard's own ceiling with 50 ms per call, apart from the emulator's time.
//
// With direct, there is no queue either: the 200 messages are handed to HandleBatch in batches of 10, all at
// once, as SQS hands them to the Lambda handler; the figure is guard's handling alone, 50 ms per call.
func benchThroughput(b *testing.B, settled, canned, direct bool) {
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"}
	const perRegion, extra = 10, 4
	var rp *replay
	if canned {
		rp = &replay{}
	}
	e, pr, ec2In := benchEnv(b, rp)
	var rate []float64
	for b.Loop() {
		b.StopTimer()
		g, err := New(b.Context(), Options{Mode: ModeFix, Config: e.cfg, Regions: regions, Settings: fix.DefaultSettings(), JournalDir: e.dir, Out: e.out, Concurrency: 16, Log: benchLog})
		if err != nil {
			b.Fatal(err)
		}
		if err := g.Reconcile(b.Context()); err != nil { // settle default VPCs and the role, as a running guard has
			b.Fatal(err)
		}
		type made struct{ region, vpc string }
		var vpcs []made
		var bodies []string
		for _, r := range regions {
			for range perRegion {
				v, err := ec2In(r).CreateVpc(b.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.40.0.0/16")})
				if err != nil {
					b.Fatal(err)
				}
				vpc := aws.ToString(v.Vpc.VpcId)
				vpcs = append(vpcs, made{r, vpc})
				bodies = append(bodies, string(createVpcEvent(e.acct.ID, r, vpc)))
				for range extra {
					bodies = append(bodies, string(trailEvent(e.acct.ID, r, "logs.amazonaws.com", "PutRetentionPolicy",
						map[string]any{"logGroupName": "/app/" + vpc, "retentionInDays": 30}, nil, "arn:aws:sts::"+e.acct.ID+":assumed-role/App/ci", "aws-cli/2")))
				}
			}
		}
		for i := 0; i < len(bodies) && !direct; i += 10 {
			var entries []sqstypes.SendMessageBatchRequestEntry
			for j, body := range bodies[i:min(i+10, len(bodies))] {
				entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(j)), MessageBody: aws.String(body)})
			}
			if _, err := e.sqs.SendMessageBatch(b.Context(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(e.queue), Entries: entries}); err != nil {
				b.Fatal(err)
			}
		}
		if settled {
			if err := g.Reconcile(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
		if canned {
			rp.start() // record the settled state's answers, then play them back
			if err := g.Reconcile(b.Context()); err != nil {
				b.Fatal(err)
			}
			rp.play()
		}
		g.o.Metrics = NewMetrics()
		e.proxy.Reset()
		pr.Reset()
		b.StartTimer()
		start := time.Now()
		stop := func() {}
		if direct {
			var wg sync.WaitGroup
			for i := 0; i < len(bodies); i += 10 {
				var msgs []Message
				for j, body := range bodies[i:min(i+10, len(bodies))] {
					msgs = append(msgs, Message{ID: fmt.Sprint(i + j), Body: []byte(body)})
				}
				wg.Go(func() {
					for _, err := range g.HandleBatch(b.Context(), msgs) {
						if err != nil {
							b.Error(err)
						}
					}
				})
			}
			wg.Wait()
		} else {
			stop = runB(b, e, g)
		}
		for {
			handled := testutil.ToFloat64(g.o.Metrics.events.WithLabelValues("handled"))
			if int(handled) >= len(bodies) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		elapsed := time.Since(start)
		fig := pr.Figures()
		b.StopTimer()
		stop()
		if canned {
			rp.stop()
			if n := rp.played(); n == 0 {
				b.Fatal("no read was answered from the recording")
			}
		}
		for _, m := range vpcs {
			if !hasFlowLog(b, ec2In(m.region), m.vpc) {
				b.Fatalf("%s in %s has no flow log after all its events were handled", m.vpc, m.region)
			}
		}
		rate = append(rate, float64(len(bodies))/elapsed.Seconds())
		calls := e.proxy.Calls()
		b.Logf("calls at the proxy: %v", calls)
		var sqsCalls, other int
		for name, n := range calls {
			if len(name) > 4 && name[:4] == "sqs:" {
				sqsCalls += n
			} else {
				other += n
			}
		}
		b.ReportMetric(float64(other)/float64(len(bodies)), "aws-calls/event")
		b.ReportMetric(float64(sqsCalls)/float64(len(bodies)), "sqs-calls/event")
		// Where the wall time goes: the share during which guard waits on at least one AWS call (SQS aside),
		// and the mean latency of those calls as guard sees them (50 ms added plus the emulator's own time).
		b.ReportMetric(100*fig.AWSBusy.Seconds()/elapsed.Seconds(), "%aws-wait")
		if fig.AWSCalls > 0 {
			b.ReportMetric(float64(fig.AWSWait.Milliseconds())/float64(fig.AWSCalls), "ms/aws-call")
		}
		b.Logf("%d events in %s: guard waited on AWS (SQS aside) %s of it, on SQS %s; %d calls at most at once\n%s",
			len(bodies), elapsed.Round(time.Millisecond), fig.AWSBusy.Round(time.Millisecond), fig.SQSBusy.Round(time.Millisecond), fig.MaxOpen, fig.Table)
		b.StartTimer()
	}
	var sum float64
	for _, r := range rate {
		sum += r
	}
	b.ReportMetric(sum/float64(len(rate)), "events/s")
}

// benchLog shows guard's log with -v (FLOWGUARD_BENCH_LOG=1): what each read and act cost.
var benchLog = func() *slog.Logger {
	if os.Getenv("FLOWGUARD_BENCH_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, nil))
}()

// replay records moto's answers to read-only calls (SQS aside) and, once playing, answers them itself: the
// last answer recorded per region and service:Action (guard's reads are unfiltered listings, one page each).
type replay struct {
	mu                 sync.Mutex
	recording, playing bool
	bodies             map[string][]byte
	n                  int
}

func replayed(c faultproxy.Call) bool {
	return c.Service != "sqs" && c.Service != "observabilityadmin" && faultproxy.IsReadOnly(c.Action)
}

func (r *replay) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recording, r.bodies = true, map[string][]byte{}
}

func (r *replay) play() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recording, r.playing, r.n = false, true, 0
}

func (r *replay) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.playing = false
}

func (r *replay) played() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *replay) record(c faultproxy.Call, body []byte) []byte {
	if r == nil || !replayed(c) {
		return body
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.recording {
		r.bodies[c.Region+" "+c.Name()] = append([]byte(nil), body...)
	}
	return body
}

func (r *replay) answer(c faultproxy.Call) (int, []byte, bool) {
	if status, body, ok := answerTelemetry(c); ok {
		return status, body, ok
	}
	if r == nil || !replayed(c) {
		return 0, nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	body, ok := r.bodies[c.Region+" "+c.Name()]
	if !r.playing || !ok {
		return 0, nil, false
	}
	r.n++
	return 200, body, true
}

// answerTelemetry bridges a moto gap: moto has no CloudWatch Observability Admin (telemetry rules), so every
// read would wait on a failing call and its retry; the proxy answers "no rules" as an account without any does.
func answerTelemetry(c faultproxy.Call) (int, []byte, bool) {
	switch c.Name() {
	case "observabilityadmin:ListTelemetryRules":
		return 200, []byte(`{"TelemetryRuleSummaries":[]}`), true
	case "observabilityadmin:ListTelemetryRulesForOrganization":
		return 200, []byte(`{"TelemetryRuleSummaries":[]}`), true
	}
	return 0, nil, false
}

// runB runs g on the benchmark's queue (through the proxy) and returns its stop.
func runB(b *testing.B, e *env, g *Guard) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		g.Run(ctx, QueueOptions{URL: e.queue, Client: sqs.NewFromConfig(e.cfg), Wait: time.Second, Pollers: benchPollers})
	}()
	return func() { cancel(); wg.Wait() }
}

// benchLatency is the latency added to guard's calls: 50 ms, or FLOWGUARD_BENCH_LATENCY (a duration) to see
// how much of the wall time is the emulator's own.
var benchLatency = func() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("FLOWGUARD_BENCH_LATENCY")); err == nil {
		return d
	}
	return 50 * time.Millisecond
}()

var benchPollers = func() int {
	n, _ := strconv.Atoi(os.Getenv("FLOWGUARD_BENCH_POLLERS"))
	return n
}()

// BenchmarkQueueOnly is the emulator's own ceiling for the queue part: the 200 messages of
// BenchmarkGuardThroughput received (4 receivers, 10 at a time, as guard's pollers) and deleted in batches
// through the same proxy, with no handling at all. Guard against moto cannot go faster than this.
func BenchmarkQueueOnly(b *testing.B) {
	e, pr, _ := benchEnv(b, nil)
	c := sqs.NewFromConfig(e.cfg)
	const n = 200
	var rate []float64
	for b.Loop() {
		b.StopTimer()
		for i := 0; i < n; i += 10 {
			var entries []sqstypes.SendMessageBatchRequestEntry
			for j := range 10 {
				entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(j)), MessageBody: aws.String(string(createVpcEvent(e.acct.ID, testRegion, "vpc-0")))})
			}
			if _, err := e.sqs.SendMessageBatch(b.Context(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(e.queue), Entries: entries}); err != nil {
				b.Fatal(err)
			}
		}
		pr.Reset()
		b.StartTimer()
		start := time.Now()
		var done, deletes sync.WaitGroup
		var mu sync.Mutex
		got := 0
		for range 4 {
			done.Go(func() {
				for {
					mu.Lock()
					left := n - got
					mu.Unlock()
					if left <= 0 {
						return
					}
					out, err := c.ReceiveMessage(b.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(e.queue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60})
					if err != nil {
						b.Error(err)
						return
					}
					if len(out.Messages) == 0 {
						continue
					}
					var del []sqstypes.DeleteMessageBatchRequestEntry
					for i, m := range out.Messages {
						del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
					}
					mu.Lock()
					got += len(out.Messages)
					mu.Unlock()
					deletes.Go(func() { // as guard does: receiving goes on while a batch is deleted
						if _, err := c.DeleteMessageBatch(b.Context(), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(e.queue), Entries: del}); err != nil {
							b.Error(err)
						}
					})
				}
			})
		}
		done.Wait()
		deletes.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		rate = append(rate, n/elapsed.Seconds())
		b.Logf("%d messages received and deleted in %s\n%s", n, elapsed.Round(time.Millisecond), pr.Figures().Table)
		b.StartTimer()
	}
	var sum float64
	for _, r := range rate {
		sum += r
	}
	b.ReportMetric(sum/float64(len(rate)), "messages/s")
}
