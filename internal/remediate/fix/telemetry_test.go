package fix

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/query"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
)

// telemetryService plays CloudWatch Observability Admin for one account: an account rule that makes VPC flow
// logs for every VPC, one that selects VPCs by tag, and organization calls refused as in a member account.
//
// Moto gap: moto does not offer Observability Admin at all (it answers HTTP 500), so the proxy answers those
// calls itself with the documented JSON shapes; every other call goes to moto.
type telemetryService struct {
	mu     sync.Mutex
	status string // telemetry evaluation status
	denied bool   // ListTelemetryRules answers AccessDeniedException
	calls  []string
}

func (ts *telemetryService) answer(c faultproxy.Call) (int, []byte, bool) {
	if c.Service != "observabilityadmin" {
		return 0, nil, false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.calls = append(ts.calls, c.Action)
	deny := []byte(`{"__type":"AccessDeniedException","Message":"not the management account"}`)
	switch c.Action {
	case "ListTelemetryRules":
		if ts.denied {
			return 403, deny, true
		}
		return 200, []byte(`{"TelemetryRuleSummaries":[
			{"RuleName":"all-vpcs","RuleArn":"arn:aws:observabilityadmin:us-west-2:111111111111:telemetry-rule/all-vpcs","ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs","TelemetrySourceTypes":["VPC_FLOW_LOGS"]},
			{"RuleName":"prod-vpcs","ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs"},
			{"RuleName":"lambdas","ResourceType":"AWS::Lambda::Function","TelemetryType":"Logs"}]}`), true
	case "GetTelemetryEvaluationStatus":
		return 200, []byte(`{"Status":"` + ts.status + `"}`), true
	case "GetTelemetryRule":
		if ts.lastRule() == "prod" {
			return 200, []byte(`{"RuleName":"prod-vpcs","TelemetryRule":{"ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs","SelectionCriteria":"tag:Environment=prod",
				"DestinationConfiguration":{"DestinationType":"cloud-watch-logs","VPCFlowLogParameters":{"TrafficType":"ALL"}}}}`), true
		}
		return 200, []byte(`{"RuleName":"all-vpcs","RuleArn":"arn:aws:observabilityadmin:us-west-2:111111111111:telemetry-rule/all-vpcs",
			"TelemetryRule":{"ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs","TelemetrySourceTypes":["VPC_FLOW_LOGS"],
			"DestinationConfiguration":{"DestinationType":"cloud-watch-logs","VPCFlowLogParameters":{"TrafficType":"ALL","MaxAggregationInterval":60}}}}`), true
	}
	return 403, deny, true // the organization calls, in a member account
}

// lastRule: the JSON body of GetTelemetryRule is not parsed by the proxy; the rules are asked in list order.
func (ts *telemetryService) lastRule() string {
	n := 0
	for _, a := range ts.calls {
		if a == "GetTelemetryRule" {
			n++
		}
	}
	if n%2 == 0 {
		return "prod"
	}
	return "all"
}

// A running account telemetry rule that makes every VPC's flow log: scan shows it in the evidence and the
// graph, and fix plans no duplicate flow log. With telemetry evaluation STOPPED the rule makes nothing and
// fix plans the flow log; when the rules cannot be read, the plan says so.
func TestTelemetryRuleAwareness(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-west-2"
	vpc := e.mkVPC(t, region, "10.7.0.0/16", map[string]string{"Name": "ruled"}, false)
	ts := &telemetryService{status: "RUNNING"}
	e.proxy.SetOptions(faultproxy.Options{Answer: ts.answer})

	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	var f finding.Finding
	for _, x := range res.Findings {
		if x.CheckID == CheckEnabled && x.ResourceID == vpc {
			f = x
		}
	}
	if f.Status != finding.StatusFail {
		t.Fatalf("the VPC has no flow log yet: %s %s", f.Status, f.Reason)
	}
	cov := map[string]string{}
	for _, r := range f.Evidence.TelemetryRules {
		cov[r.Name] = r.Coverage
	}
	if cov["all-vpcs"] != "covers" || cov["prod-vpcs"] != "may-cover" || len(cov) != 2 {
		t.Errorf("evidence telemetry rules: %+v", f.Evidence.TelemetryRules)
	}
	// The stored-check language sees the same.
	src, err := source.FromOptions(source.Options{Regions: []string{region}, Concurrency: awsapi.DefaultConcurrency,
		AWSConfig: func(context.Context) (aws.Config, error) { return e.cfg, nil }})
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := engine.Graph(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	q, err := query.Parse("", `vpcs(where: {telemetryRuleCoverage: "covers", hasTelemetryRule_SOME: {id: "all-vpcs", evaluationStatus: "RUNNING"}}) { id }`)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := q.Compile(graph.Default, nil)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := prog.Roots[0].Find(query.NewEval(ctx), g)
	if err != nil || len(nodes) != 2 { // the VPC and moto's default VPC
		t.Errorf("query: %d nodes, %v", len(nodes), err)
	}

	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range pr.Plan.Steps {
		for _, id := range st.VPCs {
			if id == vpc {
				t.Errorf("a duplicate flow log is planned for %s: %+v", vpc, st)
			}
		}
	}
	left := false
	for _, s := range pr.Plan.Skipped {
		left = left || (s.VPCID == vpc && strings.Contains(s.Reason, "telemetry rule all-vpcs makes this VPC's flow log"))
	}
	if !left {
		t.Errorf("the VPC is not left to the rule: %+v", pr.Plan.Skipped)
	}

	// Evaluation stopped: the rule makes nothing; the flow log is planned.
	ts.mu.Lock()
	ts.status, ts.calls = "STOPPED", nil
	ts.mu.Unlock()
	pr, err = Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir, NewRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if !planned(pr.Plan, vpc) {
		t.Errorf("with evaluation STOPPED the flow log must be planned: %+v", pr.Plan.Skipped)
	}

	// Rules not readable: planned, and the plan says the rules were not read.
	ts.mu.Lock()
	ts.status, ts.denied = "RUNNING", true
	ts.mu.Unlock()
	pr, err = Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir, NewRun: true})
	if err != nil {
		t.Fatal(err)
	}
	note := strings.Join(pr.Plan.Notes, "\n")
	if !planned(pr.Plan, vpc) || !strings.Contains(note, "account telemetry rules not read (AccessDeniedException)") {
		t.Errorf("rules denied: planned %v, notes:\n%s", planned(pr.Plan, vpc), note)
	}
	if strings.Contains(note, "organization telemetry rules") {
		t.Errorf("organization rules refused in a member account are expected, not a note:\n%s", note)
	}
}

func planned(p *Plan, id string) bool {
	for _, st := range p.Steps {
		if st.Action == ActCreateFlowLogs {
			for _, v := range st.VPCs {
				if v == id {
					return true
				}
			}
		}
	}
	return false
}
