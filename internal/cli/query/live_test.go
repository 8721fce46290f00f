package query_test

import (
	"encoding/json"
	"os"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// query against a live account reads the inventory through the scan pipeline: it sees the VPCs the scan
// evaluates, and the seed's query returns exactly the VPCs the built-in check fails for want of an ACTIVE
// flow log.
func TestQueryLive(t *testing.T) {
	t.Parallel()
	acct, _ := clitest.DemoAccount(t, "")
	env := acct.Env(moto.Shared(t).URL, "us-east-1")
	scan := flowguard(t, env, "scan", demoRegions, "-o", "json")
	var res struct {
		Findings []struct {
			CheckID      string `json:"check_id"`
			ResourceType string `json:"resource_type"`
			ResourceID   string `json:"resource_id"`
			Reason       string `json:"reason"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(scan.stdout), &res); err != nil {
		t.Fatalf("scan: exit %d %v\n%s", scan.code, err, scan.stderr)
	}
	var scanned, noActive []string
	for _, f := range res.Findings {
		if f.CheckID != "vpc-flow-logs-enabled" || f.ResourceType != "AWS::EC2::VPC" {
			continue
		}
		scanned = append(scanned, f.ResourceID)
		if f.Reason == "NO_FLOW_LOG" || f.Reason == "SUBNET_OR_ENI_ONLY" || f.Reason == "NOT_ACTIVE" {
			noActive = append(noActive, f.ResourceID)
		}
	}
	ids := func(args ...string) []string {
		r := flowguard(t, env, append([]string{"query", demoRegions, "-o", "json"}, args...)...)
		if r.code != 0 {
			t.Fatalf("query %v: exit %d\n%s", args, r.code, r.stderr)
		}
		var doc map[string][]map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range doc["vpcs"] {
			out = append(out, v["id"].(string))
		}
		sort.Strings(out)
		return out
	}
	sort.Strings(scanned)
	sort.Strings(noActive)
	if len(scanned) == 0 {
		t.Fatal("the demo account has no VPC findings")
	}
	if d := cmp.Diff(scanned, ids("vpcs { id }")); d != "" {
		t.Errorf("query vpcs vs scan (-scan +query):\n%s", d)
	}
	// The demo has no shared VPCs, so the seed's query and the check's reasons line up one to one.
	seed := `vpcs(where: {OR: [{hasFlowLog: null}, {hasFlowLog_NONE: {flowLogStatus: "ACTIVE"}}]}){...AssetFragment}`
	if d := cmp.Diff(noActive, ids(seed)); d != "" {
		t.Errorf("seed query vs NO_FLOW_LOG/SUBNET_OR_ENI_ONLY/NOT_ACTIVE findings (-scan +query):\n%s", d)
	}
}

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

type run struct {
	stdout, stderr string
	code           int
}

// flowguard runs flowguard in-process with env (KEY=VALUE pairs) as its whole environment.
func flowguard(t *testing.T, env []string, args ...string) run {
	t.Helper()
	r := clitest.Run(t, env, args...)
	return run{r.Stdout, r.Stderr, r.Code}
}

var demoRegions = clitest.DemoRegions
