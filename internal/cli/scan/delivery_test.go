package scan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// The delivery check runs only when selected, reads the destinations then, and its flag is validated.
func TestScanDeliveryCheckIsOptIn(t *testing.T) {
	t.Parallel()
	acct, _ := demoAccount(t, "")
	env := acct.Env(moto.Shared(t).URL, "us-east-1")
	checks := func(r run) map[string]int {
		var res finding.Result
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("exit %d: %v\n%s", r.code, err, r.stderr)
		}
		out := map[string]int{}
		for _, f := range res.Findings {
			out[f.CheckID]++
			if f.CheckID == "vpc-flow-logs-delivering" && f.Status == finding.StatusFail && f.Evidence.Delivery == nil {
				t.Errorf("%s: FAIL without delivery evidence", f.ResourceID)
			}
		}
		return out
	}
	if got := checks(flowguard(t, env, "scan", "--region", "us-east-1", "-o", "json")); got["vpc-flow-logs-delivering"] != 0 || got["vpc-flow-logs-enabled"] == 0 {
		t.Errorf("default scan ran %v", got)
	}
	// The demo's flow logs were just created and moto delivers nothing: too young to judge, never PASS.
	r := flowguard(t, env, "scan", "--region", "us-east-1", "-o", "json", "--check", "vpc-flow-logs-delivering")
	if got := checks(r); got["vpc-flow-logs-delivering"] == 0 || got["vpc-flow-logs-enabled"] != 0 || r.code != 0 {
		t.Errorf("selected: exit %d, findings %v\n%s", r.code, got, r.stderr)
	}
	var res finding.Result
	json.Unmarshal([]byte(r.stdout), &res)
	for _, f := range res.Findings {
		if f.Status != finding.StatusSkipped || f.Reason != finding.ReasonAwaitingDelivery || f.Evidence.Delivery == nil {
			t.Errorf("%s: %s %s %q", f.ResourceName, f.Status, f.Reason, f.Message)
		}
	}
	if r := flowguard(t, env, "scan", "--region", "us-east-1", "--check", "vpc-flow-logs-delivering", "--max-delivery-lag", "10s"); r.code != 3 ||
		!strings.Contains(r.stderr, "--max-delivery-lag must be at least 1m") {
		t.Errorf("--max-delivery-lag 10s: exit %d %s", r.code, r.stderr)
	}
}
