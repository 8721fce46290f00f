package engine_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
)

// The network lists (security groups, network ACLs, instances) are read on demand: the built-in checks never
// use them, so a scan of the built-in checks costs and needs what it did before they existed.

// builtinCalls is what a built-in scan lists per region: five EC2 lists for the VPC checks and two for
// tgw-flow-logs-enabled, and DescribeLogGroups when a flow log delivers to CloudWatch Logs (one page each in
// moto) — no network list — and the scan's one identity lookup, made in the config's region. The telemetry-rule
// reads (observabilityadmin) are counted apart: moto does not offer the service and answers 500, which the SDK
// retries, so only their presence is checked.
var builtinCalls = map[string]int{"sts:GetCallerIdentity": 1, "ec2:DescribeVpcs": 1, "ec2:DescribeFlowLogs": 1, "ec2:DescribeSubnets": 1,
	"ec2:DescribeNetworkInterfaces": 1, "ec2:DescribeInternetGateways": 1, "logs:DescribeLogGroups": 1,
	"ec2:DescribeTransitGateways": 1, "ec2:DescribeTransitGatewayAttachments": 1}

// withoutTelemetry drops the observabilityadmin calls from calls, failing t if there were none.
func withoutTelemetry(t *testing.T, calls map[string]int) map[string]int {
	t.Helper()
	out, seen := map[string]int{}, false
	for k, v := range calls {
		if strings.HasPrefix(k, "observabilityadmin:") {
			seen = true
			continue
		}
		out[k] = v
	}
	if !seen {
		t.Errorf("no telemetry-rule read among %v", calls)
	}
	return out
}

// denyNetwork answers every network list with the service's access-denied error (UnauthorizedOperation).
func denyNetwork(c faultproxy.Call) faultproxy.Fault {
	switch c.Action {
	case "DescribeSecurityGroups", "DescribeNetworkAcls", "DescribeInstances":
		return faultproxy.AccessDenied
	}
	return faultproxy.None
}

func TestBuiltinScanCallsWhatItDidBefore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	res, snap := scanLive(t.Context(), e.config(), scanOptions{Collect: awsapi.Options{Regions: []string{"us-east-1"},
		Network: engine.Network(nil)}, Now: fixedNow})
	if res.Overall() == finding.OutcomeIncomplete {
		t.Fatalf("built-in scan incomplete: %+v", res.Errors)
	}
	if got := withoutTelemetry(t, e.proxy.CallsIn("us-east-1")); !maps.Equal(got, builtinCalls) {
		t.Errorf("calls in us-east-1 = %v, want %v", got, builtinCalls)
	}
	// What was not listed is "not read", never "none".
	r := snap.Regions[0]
	for _, c := range inventory.NetworkCollections {
		if e, failed := r.ErrorFor(c); !failed || e.Code != inventory.CodeNotRead {
			t.Errorf("%s: ErrorFor = %+v, %v; want NotRead", c, e, failed)
		}
	}
	if len(r.Errors) != 0 {
		t.Errorf("region errors %+v: an unlisted collection is no failure", r.Errors)
	}
}

func TestBuiltinScanWithNetworkDenied(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	clean := e.scan(t, "us-east-1")
	e.proxy.Reset()
	e.proxy.SetOptions(faultproxy.Options{Decide: denyNetwork})
	denied := e.scan(t, "us-east-1")
	if denied.Overall() != clean.Overall() || denied.Overall() == finding.OutcomeIncomplete {
		t.Errorf("outcome %v with the network lists denied, %v without", denied.Overall(), clean.Overall())
	}
	if len(denied.Errors) != 0 || denied.Incomplete {
		t.Errorf("errors %+v", denied.Errors)
	}
	if e.proxy.Faults()[faultproxy.AccessDenied] != 0 {
		t.Errorf("a network list was called: %v", e.proxy.CallsIn("us-east-1"))
	}
}

// parseCheck parses a user check.
func parseCheck(t *testing.T, src string) *checks.Check {
	t.Helper()
	c, err := checks.Parse("user.yaml", []byte("title: t\nseverity: high\ndescription: d\nexpect: eq []\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A stored check over security groups makes the scan list them; denied, its findings are ERROR with the
// reason, the built-in checks' are what they were, and the scan is incomplete (exit 2), never PASS.
func TestStoredCheckOverSecurityGroupsDenied(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	user := []*checks.Check{
		parseCheck(t, "id: sg-no-open-ingress\nasset_types: [SecurityGroup]\nquery: 'securityGroups(where: {openToInternet: true}){id}'\n"),
		// A VPC rule that reaches the groups through the interfaces.
		parseCheck(t, "id: vpc-no-open-group\nasset_types: [VPC]\n"+
			"query: 'vpcs(where: {hasNetworkInterface_SOME: {hasSecurityGroup_SOME: {openToInternet: true}}}){id}'\n"),
	}
	cs := append(checks.Builtin(), user...)
	if got := engine.Network(cs); !slices.Equal(got, []inventory.Collection{inventory.CollSecurityGroups}) {
		t.Fatalf("Network = %v, want only security_groups", got)
	}
	scan := func() *finding.Result {
		res, _ := scanLive(t.Context(), e.config(), scanOptions{Collect: awsapi.Options{Regions: []string{"us-east-1"},
			Network: engine.Network(cs)}, Evaluate: engine.Options{Checks: cs}, Now: fixedNow})
		return res
	}
	byCheck := func(res *finding.Result) map[string][]finding.Finding {
		m := map[string][]finding.Finding{}
		for _, f := range res.Findings {
			m[f.CheckID] = append(m[f.CheckID], f)
		}
		return m
	}

	// Read: the default groups of moto's VPCs are not open to the internet.
	ok := byCheck(scan())
	calls := e.proxy.CallsIn("us-east-1")
	if calls["ec2:DescribeSecurityGroups"] != 1 || calls["ec2:DescribeNetworkAcls"] != 0 || calls["ec2:DescribeInstances"] != 0 {
		t.Errorf("calls %v: want security groups listed once, ACLs and instances not at all", calls)
	}
	for _, id := range []string{"sg-no-open-ingress", "vpc-no-open-group"} {
		if len(ok[id]) == 0 {
			t.Fatalf("%s: no finding", id)
		}
		for _, f := range ok[id] {
			if f.Status != finding.StatusPass {
				t.Errorf("%s %s: %s %s, want PASS (read, nothing open)", id, f.ResourceID, f.Status, f.Message)
			}
		}
	}

	e.proxy.Reset()
	e.proxy.SetOptions(faultproxy.Options{Decide: denyNetwork})
	res := scan()
	got := byCheck(res)
	for _, id := range []string{"sg-no-open-ingress", "vpc-no-open-group"} {
		if len(got[id]) == 0 {
			t.Fatalf("%s: no finding with the groups denied", id)
		}
		for _, f := range got[id] {
			if f.Status != finding.StatusError || !strings.Contains(f.Message, "ec2:DescribeSecurityGroups") ||
				!strings.Contains(f.Message, "UnauthorizedOperation") {
				t.Errorf("%s %s: %s %q, want ERROR naming ec2:DescribeSecurityGroups and UnauthorizedOperation", id, f.ResourceID, f.Status, f.Message)
			}
		}
	}
	for _, id := range []string{engine.CheckEnabled, engine.CheckRetention} {
		if len(got[id]) != len(ok[id]) {
			t.Fatalf("%s: %d findings denied, %d read", id, len(got[id]), len(ok[id]))
		}
		for i := range got[id] {
			if got[id][i].Status != ok[id][i].Status || got[id][i].Reason != ok[id][i].Reason {
				t.Errorf("built-in %s on %s: %s with the groups denied, %s read", id, got[id][i].ResourceID, got[id][i].Status, ok[id][i].Status)
			}
		}
	}
	if res.Overall() != finding.OutcomeIncomplete {
		t.Errorf("outcome %v, want incomplete (exit 2)", res.Overall())
	}
}

// A snapshot saved by a built-in scan has no security groups: a check over them is ERROR there ("not read"),
// never PASS over nothing; with the lists it evaluates.
func TestStoredCheckOnSnapshotWithoutNetwork(t *testing.T) {
	user := parseCheck(t, "id: sg-no-open-ingress\nasset_types: [SecurityGroup]\nquery: 'securityGroups(where: {openToInternet: true}){id}'\n")
	reg := &inventory.Region{AccountID: "111122223333", Name: "eu-west-1", VPCs: []inventory.VPC{{ID: "vpc-1", OwnerID: "111122223333"}}}
	snap := &inventory.Snapshot{Regions: []*inventory.Region{reg}}
	res := scanSnapshot(snap, scanOptions{Evaluate: engine.Options{Checks: []*checks.Check{user}}, Now: fixedNow})
	if len(res.Findings) != 1 || res.Findings[0].Status != finding.StatusError || !strings.Contains(res.Findings[0].Message, "not read") {
		t.Fatalf("findings %+v, want one region ERROR: not read", res.Findings)
	}
	if res.Overall() != finding.OutcomeIncomplete {
		t.Errorf("outcome %v, want incomplete", res.Overall())
	}

	reg.NetworkLists = []inventory.Collection{inventory.CollSecurityGroups}
	reg.SecurityGroups = []inventory.SecurityGroup{{ID: "sg-1", VPCID: "vpc-1", Ingress: []inventory.SGRule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0"}}}}
	res = scanSnapshot(snap, scanOptions{Evaluate: engine.Options{Checks: []*checks.Check{user}}, Now: fixedNow})
	if len(res.Findings) != 1 || res.Findings[0].Status != finding.StatusFail {
		t.Fatalf("findings %+v, want sg-1 FAIL", res.Findings)
	}
}
