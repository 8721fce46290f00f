package guard_test

import (
	"context"
	"fmt"
	"github.com/flowguard/flowguard/internal/store"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/flowguard/flowguard/internal/cli"
	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

func createVpcEvent(account, region, vpc string) string {
	now := time.Now().UTC().Format(time.RFC3339)
	return fmt.Sprintf(`{"version":"0","id":"e-%d","detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","account":"%s",
"time":"%s","region":"%s","resources":[],"detail":{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc",
"awsRegion":"%s","recipientAccountId":"%s","userAgent":"console.amazonaws.com","userIdentity":{"type":"AssumedRole",
"arn":"arn:aws:sts::%s:assumed-role/Admin/alice","accountId":"%s"},"requestParameters":{"cidrBlock":"10.0.0.0/16"},
"responseElements":{"vpc":{"vpcId":"%s","state":"pending"}}}}`, time.Now().UnixNano(), account, now, region, region, account, account, account, vpc)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func get(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// flowguard guard --mode fix as a process would run it: /healthz and /metrics answer, a CreateVpc event gets
// its flow log, SIGTERM (the context cancelled) exits 0, and `flowguard runs` and `rollback` show and undo the
// guard run.
func TestGuardCommand(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	const region = "us-east-1"
	cfg := acct.Config(srv.URL, region)
	ctx := t.Context()
	q, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("guard")})
	if err != nil {
		t.Fatal(err)
	}
	ec := ec2.NewFromConfig(cfg)
	v, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(v.Vpc.VpcId)
	flowLogs := func() []ec2types.FlowLog {
		out, err := ec.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpc}}}})
		if err != nil {
			t.Fatal(err)
		}
		return out.FlowLogs
	}

	env := clitest.Env(acct.Env(srv.URL, region))
	env["HOME"] = t.TempDir()
	journal := t.TempDir()
	history := filepath.Join(t.TempDir(), "history.db")
	addr := freeAddr(t)
	f, stdout, stderr := cmdutil.NewTestFactory("", env)
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	code := make(chan int, 1)
	go func() {
		code <- cli.Main(runCtx, []string{"guard", "--queue-url", aws.ToString(q.QueueUrl), "--mode", "fix", "--region", region,
			"--reconcile", "0", "--listen", addr, "--journal-dir", journal, "--store", history}, f)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if c, body := get("http://" + addr + "/healthz"); c == 200 && strings.TrimSpace(body) == "ok" {
			break
		}
		if time.Now().After(deadline) {
			stop()
			<-code
			t.Fatalf("/healthz never ok; stderr:\n%s", stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := sqs.NewFromConfig(cfg).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(createVpcEvent(acct.ID, region, vpc))}); err != nil {
		t.Fatal(err)
	}
	for len(flowLogs()) == 0 {
		if time.Now().After(deadline) {
			stop()
			<-code
			t.Fatalf("no flow log; stderr:\n%s", stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for {
		_, m := get("http://" + addr + "/metrics")
		if strings.Contains(m, `flowguard_guard_events_total{outcome="handled"} 1`) && strings.Contains(m, "flowguard_guard_event_to_fix_seconds_count 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed the handled event:\n%s", m)
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	if c := <-code; c != 0 {
		t.Fatalf("guard exited %d; stderr:\n%s", c, stderr)
	}
	out := stdout.String()
	if !strings.Contains(out, `"kind":"fix"`) || !strings.Contains(out, `"schema":"flowguard.guard/v1"`) || !strings.Contains(out, vpc) {
		t.Errorf("stdout:\n%s", out)
	}
	if !strings.Contains(stderr.String(), `"msg":"guard started"`) {
		t.Errorf("stderr has no JSON log line:\n%s", stderr)
	}
	fl := flowLogs()
	var runID string
	for _, tg := range fl[0].Tags {
		if aws.ToString(tg.Key) == "flowguard:run-id" {
			runID = aws.ToString(tg.Value)
		}
	}
	if !strings.Contains(runID, "-guard-") {
		t.Fatalf("run id %q", runID)
	}

	// --store: the guard run is in the history store as a guard run, with the flow log it created.
	st, err := store.Open(ctx, history)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := st.Runs(ctx, store.Filter{Kind: "guard"})
	st.Close()
	if err != nil || len(runs) != 1 || runs[0].RunID != runID || len(runs[0].Created) == 0 {
		t.Errorf("stored guard runs: %+v, %v", runs, err)
	}

	envList := acct.Env(srv.URL, region)
	r := clitest.Run(t, envList, "runs", "--journal-dir", journal)
	if r.Code != 0 || !strings.Contains(r.Stdout, runID) {
		t.Errorf("runs: %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	r = clitest.Run(t, envList, "rollback", "--run", runID, "--yes", "--journal-dir", journal)
	if r.Code != 0 {
		t.Errorf("rollback: %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if n := len(flowLogs()); n != 0 {
		t.Errorf("after rollback %d flow logs", n)
	}
}

func TestGuardUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"guard"},
		{"guard", "--queue-url", "https://sqs.eu-west-1.amazonaws.com/111122223333/q", "--mode", "enforce"},
		{"guard", "--queue-url", "https://sqs.eu-west-1.amazonaws.com/111122223333/q", "--reconcile", "10s"},
		{"guard", "--queue-url", "https://sqs.eu-west-1.amazonaws.com/111122223333/q", "--region", "mars-1"},
		{"guard", "--queue-url", "https://sqs.eu-west-1.amazonaws.com/111122223333/q", "--mode", "fix", "--traffic-type", "ACCEPT"},
		{"guard", "--queue-url", "https://sqs.eu-west-1.amazonaws.com/111122223333/q", "--tag", "novalue"},
	} {
		r := clitest.Run(t, nil, args...)
		if r.Code != cmdutil.ExitUsage || r.Stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 3 with a message", args, r.Code, r.Stderr)
		}
	}
}
