package checks

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/engine/query"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/testenv/golden"
)

func mustRoot(tb testing.TB, src string) *query.Root {
	tb.Helper()
	q, err := query.Parse("", src)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := q.Compile(graph.Default, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return p.Roots[0]
}

func TestBuiltin(t *testing.T) {
	cs := Builtin()
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.ID)
		if c.Title == "" || c.Description == "" || c.Remediation == "" || len(c.Controls) == 0 {
			t.Errorf("%s: metadata incomplete", c.ID)
		}
	}
	if diff := cmp.Diff([]string{"tgw-flow-logs-enabled", "vpc-flow-logs-delivering", "vpc-flow-logs-enabled", "vpc-flow-logs-retention"}, ids); diff != "" {
		t.Error(diff)
	}
}

// summary renders findings one per line for compact golden comparisons.
func summary(fs []finding.Finding) string {
	finding.Sort(fs)
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(strings.Join([]string{f.CheckID, f.AccountID, f.Region, f.ResourceID, string(f.Status), f.Reason, f.Message}, " | "))
		b.WriteByte('\n')
	}
	return b.String()
}

func TestBuiltinOnFixture(t *testing.T) {
	out := Run(graph.Build(graphtest.Snapshot()), Default(Builtin()), Options{})
	golden.String(t, "testdata/builtin-fixture.txt", summary(out.Findings))
	golden.JSON(t, "testdata/builtin-fixture.json", out.Findings)
}

func TestUserChecks(t *testing.T) {
	user, err := LoadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	all, err := Merge(Builtin(), user)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Select(all, []string{"internet-exposed-vpcs-log-all-traffic", "no-default-vpc"})
	if err != nil {
		t.Fatal(err)
	}
	out := Run(graph.Build(graphtest.Snapshot()), cs, Options{})
	golden.String(t, "testdata/user-fixture.txt", summary(out.Findings))

	if _, err := Merge(all, user[:1]); err == nil || !strings.Contains(err.Error(), "is already defined in") {
		t.Errorf("duplicate id: %v", err)
	}
	if _, err := Select(all, []string{"nope"}); err == nil || !strings.Contains(err.Error(), `unknown check "nope" (valid: internet-exposed-vpcs-log-all-traffic, no-default-vpc, tgw-flow-logs-enabled, vpc-flow-logs-delivering, vpc-flow-logs-enabled, vpc-flow-logs-retention)`) {
		t.Errorf("unknown id: %v", err)
	}
}

// A check that cannot be evaluated gives ERROR for every asset it covers, never PASS.
func TestCheckErrorIsNeverPass(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		params     map[string]any
	}{
		{"message fails at run time", `id: x
title: t
severity: low
asset_types: [VPC]
query: 'vpcs(where: {id: "vpc-none"})'
expect: eq []
pass: '{{.F "nope"}}'
`, nil},
		{"parameter override breaks the query", `id: x
title: t
severity: low
asset_types: [LogGroup]
parameters: {minRetentionDays: 365}
query: 'query ($minRetentionDays: Int) { logGroups(where: {retentionInDays_LT: $minRetentionDays}) }'
expect: eq []
`, map[string]any{"minRetentionDays": "many"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("x.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			out := Run(graph.Build(graphtest.Snapshot()), []*Check{c}, Options{Params: tc.params})
			if len(out.Findings) == 0 {
				t.Fatal("no findings")
			}
			for _, f := range out.Findings {
				if f.Status != finding.StatusError || (f.Reason != finding.ReasonCheckError && f.Reason != finding.ReasonReadFailed) {
					t.Errorf("%s: %s %s %s", f.ResourceID, f.Status, f.Reason, f.Message)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	base := "id: x\ntitle: t\nseverity: low\nasset_types: [VPC]\nexpect: eq []\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"yaml syntax", "id: [x\n", "c.yaml:1: did not find expected ',' or ']'"},
		{"not a mapping", "- a\n", "c.yaml:1:1: a check is a mapping"},
		{"unknown key", base + "querry: vpcs\n", `c.yaml:6:1: unknown key "querry" (valid: id, title, severity,`},
		{"missing key", "id: x\ntitle: t\n", `c.yaml:1:1: missing required key "severity"`},
		{"bad severity", "id: x\ntitle: t\nseverity: urgent\nasset_types: [VPC]\nexpect: eq []\nquery: vpcs\n", `c.yaml:3:11: severity "urgent" (valid: critical, high, medium, low, info)`},
		{"bad expect", "id: x\ntitle: t\nseverity: low\nasset_types: [VPC]\nexpect: empty\nquery: vpcs\n", `c.yaml:5:9: expect "empty": write "eq []"`},
		{"bad asset type", "id: x\ntitle: t\nseverity: low\nasset_types: [Vpc]\nexpect: eq []\nquery: vpcs\n", `c.yaml:4:14: unknown asset type "Vpc" (valid: Account, Bucket,`},
		{"wrong type", base + "query: flowLogs\n", "c.yaml:6:8: query: query returns FlowLog but the check covers VPC"},
		{"query error, plain", base + "query: vpcs(where:{nope:1})\n", `c.yaml:6:20: query: unknown field or relation "nope" on VPC`},
		{"query error, quoted", base + "query: 'vpcs(where: {nope: 1})'\n", `c.yaml:6:22: query: unknown field or relation "nope" on VPC`},
		{"query error, block", base + "query: |\n  vpcs(where: {\n    hasFlowLog_ANY: {}\n  })\n", `c.yaml:8:5: query: unknown operator _ANY on relation VPC.hasFlowLog (valid: _ALL, _NONE, _NOT, _SINGLE, _SOME)`},
		{"query syntax, block", base + "query: |\n  vpcs(where: {\n    id: \n  })\n", "c.yaml:9:3: query: Unexpected }"},
		{"reason query", base + "query: vpcs\nreasons:\n  - reason: R\n    query: 'vpcs(where: {x: 1})'\n", `c.yaml:9:26: reasons[0].query: unknown field or relation "x" on VPC`},
		{"message", base + "query: vpcs\npass: '{{.Nope}}'\n", "c.yaml:7: pass: unknown method .Nope (valid: .ID, .Name, .F, .Rel, .Where, .Read, .Param)"},
		{"message syntax", base + "query: vpcs\npass: '{{if}}'\n", "c.yaml:7: template: pass:1: missing value for if"},
		{"unknown collection", base + "query: vpcs\nrequires: [flowlogs]\n", `c.yaml:7:11: unknown collection "flowlogs" (valid: vpcs, flow_logs,`},
		{"evidence", base + "query: vpcs\nevidence: [all]\n", `c.yaml:7:11: unknown evidence section "all" (valid: vpc, selection, min_retention_days, delivery, transit_gateway)`},
		{"id", "id: X Y\ntitle: t\nseverity: low\nasset_types: [VPC]\nexpect: eq []\nquery: vpcs\n", `c.yaml:1:5: id "X Y": use lower-case letters`},
		{"wrong value type", base + "query: vpcs\ncontrols: 3\n", "c.yaml:7: cannot unmarshal !!int `3` into []finding.Control"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant %s", err, tc.want)
			}
		})
	}
}

// FuzzParse feeds arbitrary check files to the loader and, when one loads, runs it: no panics.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"builtin/vpc-flow-logs-enabled.yaml", "builtin/vpc-flow-logs-retention.yaml"} {
		data, err := builtinFS.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, name := range []string{"testdata/internet-exposed-reject.yaml", "testdata/few-default-vpcs.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("id: x\ntitle: t\nseverity: low\nasset_types: [VPC]\nexpect: count >= 1\nquery: vpcs\npass: '{{range $i, $x := .Rel \"hasTag\"}}{{$i}}{{$x.F \"key\"}}{{end}}'\n"))
	f.Add([]byte(exponentialCheck()))
	f.Add([]byte(strings.Replace(heavyCheck, `{id: "none"}`, `{inRegion: {hasVpc_SOME: {inRegion: {hasVpc_SOME: {id: "none"}}}}}`, 1)))
	g := graph.Build(graphtest.Snapshot())
	// Small limits keep every input fast; the budget tests check the real ones.
	f.Cleanup(query.LowerLimitsForFuzzing())
	defer func(n int) { maxRenderSteps = n }(maxRenderSteps)
	maxRenderSteps = 20_000
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		Run(g, []*Check{c}, Options{})
	})
}
