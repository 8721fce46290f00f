package engine_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
)

// An endpoint that repeats a NextToken — on the next page, or after a cycle — makes the account-region ERROR
// with a message that says so: never PASS on a partial list, never a scan that pages forever.
func TestRepeatedNextTokenIsErrorNotAHang(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	vpc, _, err := e.b.UsedVPC(ctx, region, "logged", "10.7.0.0/16", "10.7.0.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.b.LogGroup(ctx, region, "/flow/paged", 400); err != nil {
		t.Fatal(err)
	}
	if _, err := e.b.FlowLogToCloudWatch(ctx, region, vpc, "ALL", "/flow/paged"); err != nil {
		t.Fatal(err)
	}
	if got := verdicts(e.scan(t, region))["logged/vpc-flow-logs-enabled"]; got != "PASS" {
		t.Fatalf("baseline: %s, want PASS", got)
	}
	ec2Token := func(body []byte, set, token string) []byte {
		end := "</" + set + ">"
		return bytes.Replace(body, []byte(end), []byte(end+"<nextToken>"+token+"</nextToken>"), 1)
	}
	for _, tc := range []struct {
		name    string
		action  string
		rewrite func(c faultproxy.Call, body []byte) []byte
		coll    string // the collection that must be reported
		check   string // the check that must not PASS ("": none may)
	}{
		{"DescribeVpcs repeats at once", "DescribeVpcs", func(c faultproxy.Call, body []byte) []byte {
			return ec2Token(body, "vpcSet", "same")
		}, "DescribeVpcs", ""},
		{"DescribeFlowLogs cycles a→b→a", "DescribeFlowLogs", func(c faultproxy.Call, body []byte) []byte {
			next := map[string]string{"": "a", "a": "b", "b": "a"}[c.Params.Get("NextToken")]
			return ec2Token(body, "flowLogSet", next)
		}, "DescribeFlowLogs", ""},
		{"DescribeLogGroups repeats at once", "DescribeLogGroups", func(c faultproxy.Call, body []byte) []byte {
			return bytes.Replace(body, []byte(`{`), []byte(`{"nextToken": "again", `), 1)
		}, "DescribeLogGroups", "vpc-flow-logs-retention"}, // the flow logs were read: enabled may pass
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.proxy.Reset()
			e.proxy.SetOptions(faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
				if c.Action == tc.action {
					return tc.rewrite(c, body)
				}
				return body
			}})
			ctx, cancel := contextWithTimeout(t, time.Minute)
			defer cancel()
			res, _ := scanLive(ctx, e.config(), scanOptions{Collect: awsapi.Options{Regions: []string{region}, Concurrency: 4}, Now: fixedNow})
			if ctx.Err() != nil {
				t.Fatal("the scan did not end")
			}
			if n := e.proxy.Calls()["ec2:"+tc.action] + e.proxy.Calls()["logs:"+tc.action]; n > 4 {
				t.Errorf("%s called %d times", tc.action, n)
			}
			if res.Overall() != finding.OutcomeIncomplete {
				t.Errorf("exit code %d, want 2", res.Overall())
			}
			for _, f := range res.Findings {
				if f.Status == finding.StatusPass && (tc.check == "" || f.CheckID == tc.check) {
					t.Errorf("PASS on a partial list: %s %s", f.CheckID, f.ResourceID)
				}
			}
			var said bool
			for _, er := range res.Errors {
				if strings.Contains(er.Operation, tc.coll) && er.Code == "RepeatedNextToken" &&
					strings.Contains(er.Message, "pagination: the endpoint repeated NextToken") {
					said = true
				}
			}
			if !said {
				t.Errorf("no RepeatedNextToken error for %s: %+v", tc.coll, res.Errors)
			}
		})
	}
}

func contextWithTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}
