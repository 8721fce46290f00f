package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/finding"
)

const seedQuery = `vpcs(where: {OR: [{hasFlowLog: null}, {hasFlowLog_NONE: {flowLogStatus: "ACTIVE"}}]}){...AssetFragment}`

// fixtureSnapshot writes the graph fixture (one VPC per verdict) as a saved inventory.
func fixtureSnapshot(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "inventory.json")
	if err := graphtest.Snapshot().WriteFile(p); err != nil {
		t.Fatal(err)
	}
	return p
}

const userCheck = `id: internet-exposed-vpcs-log-all-traffic
title: Internet-exposed VPCs log all traffic
severity: high
asset_types: [VPC]
exclude: 'vpcs(where: {isShared: true})'
requires: [flow_logs, internet_gateways]
scope: 'vpcs(where: {internetExposed: true})'
query: |
  vpcs(where: {hasFlowLog_NONE: {flowLogStatus: "ACTIVE", trafficType: "ALL"}}) {
    ...AssetFragment
  }
expect: eq []
`

func TestSchemaAndChecksCommands(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "schema")
	for _, want := range []string{"type VPC implements Asset {", "hasFlowLog: [FlowLog!]!", "flowLogStatus: String",
		"fragment AssetFragment on Asset {", "vpcs(where: VPCWhere): [VPC!]!"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("schema: exit %d, missing %q\n%s", code, want, errOut)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "exposed.yaml"), []byte(userCheck), 0o644)
	code, out, _ = runCLI(t, "checks", "list", "--checks", dir)
	if code != 0 || !strings.Contains(out, "internet-exposed-vpcs-log-all-traffic  high") || !strings.Contains(out, "builtin/vpc-flow-logs-enabled.yaml") {
		t.Errorf("checks list: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "checks", "list", "-o", "json")
	var items []map[string]any
	if err := json.Unmarshal([]byte(out), &items); err != nil || code != 0 || len(items) != 4 || items[0]["expect"] != "eq []" || items[1]["opt_in"] != true {
		t.Errorf("checks list -o json: exit %d err %v\n%s", code, err, out)
	}
	code, out, _ = runCLI(t, "checks", "show", "vpc-flow-logs-enabled")
	if code != 0 || !strings.HasPrefix(out, "# builtin/vpc-flow-logs-enabled.yaml\n") || !strings.Contains(out, "reason: DELIVERY_FAILED") {
		t.Errorf("checks show: exit %d\n%s", code, out)
	}
	code, _, errOut = runCLI(t, "checks", "show", "nope")
	if code != 3 || !strings.Contains(errOut, `unknown check "nope" (valid: tgw-flow-logs-enabled, vpc-flow-logs-delivering, vpc-flow-logs-enabled, vpc-flow-logs-retention)`) {
		t.Errorf("checks show nope: exit %d %q", code, errOut)
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "bad.yaml"), []byte(strings.Replace(userCheck, "trafficType:", "trafficTyp:", 1)), 0o644)
	code, _, errOut = runCLI(t, "checks", "list", "--checks", bad)
	if code != 3 || !strings.Contains(errOut, `bad.yaml:9:59: query: unknown field or relation "trafficTyp" on FlowLog`) {
		t.Errorf("broken check file: exit %d %q", code, errOut)
	}
}

func TestQueryCommand(t *testing.T) {
	t.Parallel()
	snap := fixtureSnapshot(t)
	code, out, errOut := runCLI(t, "query", "--snapshot", snap, seedQuery)
	want := `vpcs (5)
id     assetType  accountId     region     arn                                           name
vpc-b  VPC        111111111111  us-east-1  arn:aws:ec2:us-east-1:111111111111:vpc/vpc-b  -
vpc-c  VPC        111111111111  us-east-1  arn:aws:ec2:us-east-1:111111111111:vpc/vpc-c  -
vpc-f  VPC        111111111111  us-east-1  arn:aws:ec2:us-east-1:111111111111:vpc/vpc-f  -
vpc-g  VPC        111111111111  us-east-1  arn:aws:ec2:us-east-1:222222222222:vpc/vpc-g  -
vpc-h  VPC        111111111111  us-west-2  arn:aws:ec2:us-west-2:111111111111:vpc/vpc-h  -
`
	// Exit 2: the fixture's us-west-2 flow logs could not be read, so the answer may be incomplete.
	if d := cmp.Diff(want, out); d != "" || code != 2 || !strings.Contains(errOut, "inventory is incomplete") {
		t.Errorf("seed query: exit %d stderr %q (-want +got):\n%s", code, errOut, d)
	}

	qf := filepath.Join(t.TempDir(), "short.graphql")
	os.WriteFile(qf, []byte("query ($min: Int = 365) {\n  logGroups(where: {retentionInDays_LT: $min}) { name retentionInDays }\n}\n"), 0o644)
	code, out, _ = runCLI(t, "query", "--snapshot", snap, "-f", qf, "--var", "min=400", "-o", "json")
	if code != 2 || out != "{\n  \"logGroups\": [\n    {\n      \"name\": \"fl-a\",\n      \"retentionInDays\": 365\n    },\n    {\n      \"name\": \"fl-short\",\n      \"retentionInDays\": 30\n    }\n  ]\n}\n" {
		t.Errorf("query -f --var -o json: exit %d\n%s", code, out)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"vpcs(where: {hasFlowLogs: null})"}, `query:1:14: unknown field or relation "hasFlowLogs" on VPC (fields: accountId,`},
		{[]string{"vpcs(where: {id: })"}, "query:1:18: Unexpected }"},
		{[]string{"vpcs(where: {id_SOMETHING: 1})"}, `query:1:14: unknown operator _SOMETHING on field VPC.id (valid: _CONTAINS,`},
		{[]string{"-f", qf, "--var", "min=x"}, `short.graphql:2:41: variable $min: want an Int, got "x"`},
		{[]string{}, "no query"},
		{[]string{"vpcs", "-o", "yaml"}, `--output "yaml": want table or json`},
	} {
		code, _, errOut := runCLI(t, append([]string{"query", "--snapshot", snap}, tc.args...)...)
		if code != 3 || !strings.Contains(errOut, tc.want) {
			t.Errorf("query %q: exit %d stderr %q, want exit 3 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// scan --checks adds user checks; --check narrows to some; the findings come through the same engine.
func TestScanWithUserChecks(t *testing.T) {
	t.Parallel()
	snap := fixtureSnapshot(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "exposed.yaml"), []byte(userCheck), 0o644)
	code, out, errOut := runCLI(t, "scan", "--snapshot", snap, "--checks", dir, "--check", "internet-exposed-vpcs-log-all-traffic", "-o", "json")
	var res finding.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("exit %d: %v\n%s", code, err, errOut)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.CheckID+" "+f.ResourceID+" "+string(f.Status))
	}
	want := []string{"internet-exposed-vpcs-log-all-traffic vpc-a PASS", "internet-exposed-vpcs-log-all-traffic vpc-h ERROR"}
	if d := cmp.Diff(want, got); d != "" || code != 2 {
		t.Errorf("exit %d (-want +got):\n%s", code, d)
	}
	code, _, errOut = runCLI(t, "scan", "--snapshot", snap, "--check", "vpc-flow-logs-enable")
	if code != 3 || !strings.Contains(errOut, `unknown check "vpc-flow-logs-enable" (valid: tgw-flow-logs-enabled, vpc-flow-logs-delivering, vpc-flow-logs-enabled, vpc-flow-logs-retention)`) {
		t.Errorf("unknown --check: exit %d %q", code, errOut)
	}
}
