package awsconf

import (
	"context"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/flowguard/flowguard/internal/testenv/blackhole"
)

func getenvFor(endpoint string) func(string) string {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_ENDPOINT_URL": endpoint}
	return func(k string) string { return env[k] }
}

// callThrough makes one STS call to endpoint and returns its error and the retries flowguard saw.
func callThrough(t *testing.T, endpoint string) ([]Retry, error) {
	t.Helper()
	var mu sync.Mutex
	var retries []Retry
	// The deadline only turns a regression into a failure instead of a hang (with the SDK's defaults, 30 s per
	// connect, 10 s per TLS handshake, two attempts pass it); the test asserts on what the error says and on
	// how many attempts were made.
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	cfg, err := LoadEnv(ctx, Options{OnRetry: func(r Retry) { mu.Lock(); retries = append(retries, r); mu.Unlock() }}, getenvFor(endpoint))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil {
		t.Fatal("GetCallerIdentity succeeded against an endpoint that never answers")
	}
	if ctx.Err() != nil {
		t.Fatalf("the call was still trying when the test's guard deadline hit: %v", err)
	}
	return retries, err
}

func checkGaveUp(t *testing.T, err error, retries []Retry, wantMsg string) {
	t.Helper()
	msg, ok := CannotConnect(err)
	if !ok || msg != wantMsg {
		t.Errorf("CannotConnect(%v) = %q, %v; want %q", err, msg, ok, wantMsg)
	}
	if len(retries) != MaxConnectAttempts-1 {
		t.Fatalf("%d retries %+v, want %d: a connection that cannot be made is tried %d times", len(retries), retries, MaxConnectAttempts-1, MaxConnectAttempts)
	}
	if r := retries[0]; r.Code != CodeCannotConnect || r.MaxAttempts != MaxConnectAttempts || r.Operation != "sts:GetCallerIdentity" {
		t.Errorf("retry %+v", r)
	}
}

// An endpoint that drops SYNs fails after MaxConnectAttempts connects of ConnectTimeout each, naming the
// endpoint and the cause (the SDK's defaults: 30 s per connect, ten attempts).
func TestEndpointThatNeverAnswersFailsFast(t *testing.T) {
	t.Parallel()
	endpoint := "http://" + blackhole.Listen(t)
	retries, err := callThrough(t, endpoint)
	checkGaveUp(t, err, retries, "cannot connect to "+endpoint+" (connection timed out: no answer within 3.1s)")
}

// An https endpoint that accepts the connection but never answers the TLS handshake fails the same way.
func TestEndpointThatNeverHandshakesFailsFast(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var mu sync.Mutex
	var held []net.Conn
	accepted := 0
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held, accepted = append(held, c), accepted+1 // read nothing, write nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	endpoint := "https://" + l.Addr().String()
	retries, err := callThrough(t, endpoint)
	checkGaveUp(t, err, retries, "cannot connect to "+endpoint+" (TLS handshake timed out: no answer within 3.1s)")
	mu.Lock()
	defer mu.Unlock()
	if accepted != MaxConnectAttempts {
		t.Errorf("%d connections, want %d", accepted, MaxConnectAttempts)
	}
}

// A refused connection keeps its fast path: no connect timeout is waited for.
func TestRefusedConnectionStillFailsFast(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close()
	retries, err := callThrough(t, endpoint)
	checkGaveUp(t, err, retries, "cannot connect to "+endpoint+" (connection refused)")
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %v", err)
	}
}
