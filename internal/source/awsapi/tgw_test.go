package awsapi

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/observabilityadmin"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// Organization rules read in the management account show in the other accounts of the same region, as rules
// that may cover their VPCs; account rules stay in their account.
func TestSpreadOrganizationRules(t *testing.T) {
	org := inventory.TelemetryRule{Name: "org-vpcs", ARN: "arn:org", Organization: true, ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING"}
	own := inventory.TelemetryRule{Name: "mgmt-only", ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING"}
	regions := []*inventory.Region{
		{AccountID: "111111111111", Name: "eu-west-1", TelemetryRules: []inventory.TelemetryRule{org, own}},
		{AccountID: "222222222222", Name: "eu-west-1"},
		{AccountID: "222222222222", Name: "us-east-1"},
	}
	spreadOrganizationRules(regions)
	if got := regions[1].TelemetryRules; len(got) != 1 || got[0].Name != "org-vpcs" || got[0].Coverage("eu-west-1") != inventory.RuleMayCover {
		t.Errorf("member eu-west-1: %+v", got)
	}
	if len(regions[0].TelemetryRules) != 2 || len(regions[2].TelemetryRules) != 0 {
		t.Errorf("management %+v, other region %+v", regions[0].TelemetryRules, regions[2].TelemetryRules)
	}
	spreadOrganizationRules(regions) // idempotent
	if len(regions[1].TelemetryRules) != 1 {
		t.Errorf("spread twice: %+v", regions[1].TelemetryRules)
	}
}

func TestTelemetryErrorIsShort(t *testing.T) {
	if got := telemetryError(errString("boom")); got != "no answer" {
		t.Errorf("%q", got)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// telemetryFake plays CloudWatch Observability Admin in a management account: its own rules and the
// organization's, each a rule that makes VPC flow logs, a VPC rule that makes Route 53 Resolver query logs only
// (ROUTE53_RESOLVER_QUERY_LOGS, a source type of AWS::EC2::VPC) and, in the organization, a VPC rule that names
// no source type (the VPC default: flow logs). fail, when set, answers a list call with that status and error.
//
// Moto gap: moto does not offer Observability Admin (it answers HTTP 500), so the proxy answers those calls
// with the documented JSON shapes; nothing else is called.
type telemetryFake struct {
	mu   sync.Mutex
	gets map[string]int // Get action -> calls so far
	fail map[string]string
}

func (f *telemetryFake) answer(c faultproxy.Call) (int, []byte, bool) {
	if c.Service != "observabilityadmin" {
		return 0, nil, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if code, ok := f.fail[c.Action]; ok {
		status := 500
		if code == "AccessDeniedException" {
			status = 403
		}
		return status, []byte(`{"__type":"` + code + `","Message":"fake"}`), true
	}
	rule := func(name, sources string) string {
		return `{"RuleName":"` + name + `","RuleArn":"arn:aws:observabilityadmin:us-west-2:111111111111:telemetry-rule/` + name +
			`","TelemetryRule":{"ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs"` + sources + `}}`
	}
	flow, dns := `,"TelemetrySourceTypes":["VPC_FLOW_LOGS"]`, `,"TelemetrySourceTypes":["ROUTE53_RESOLVER_QUERY_LOGS"]`
	switch c.Action {
	case "ListTelemetryRules":
		return 200, []byte(`{"TelemetryRuleSummaries":[
			{"RuleName":"acct-dns","ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs","TelemetrySourceTypes":["ROUTE53_RESOLVER_QUERY_LOGS"]},
			{"RuleName":"acct-flow","ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs","TelemetrySourceTypes":["VPC_FLOW_LOGS"]},
			{"RuleName":"lambdas","ResourceType":"AWS::Lambda::Function","TelemetryType":"Logs"}]}`), true
	case "ListTelemetryRulesForOrganization":
		return 200, []byte(`{"TelemetryRuleSummaries":[
			{"RuleName":"org-dns","ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs","TelemetrySourceTypes":["ROUTE53_RESOLVER_QUERY_LOGS"]},
			{"RuleName":"org-flow","ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs","TelemetrySourceTypes":["VPC_FLOW_LOGS"]},
			{"RuleName":"org-default","ResourceType":"AWS::EC2::VPC","TelemetryType":"Logs"}]}`), true
	case "GetTelemetryEvaluationStatus", "GetTelemetryEvaluationStatusForOrganization":
		return 200, []byte(`{"Status":"RUNNING"}`), true
	case "GetTelemetryRule", "GetTelemetryRuleForOrganization":
		// The body (RuleIdentifier) is not parsed by the proxy: each scope asks for its rules in list order,
		// and the fake answers with the flow-log rules of its list in that order.
		f.gets[c.Action]++
		answers := map[string][]string{
			"GetTelemetryRule":                {rule("acct-flow", flow)},
			"GetTelemetryRuleForOrganization": {rule("org-flow", flow), rule("org-default", "")},
		}[c.Action]
		if n := f.gets[c.Action]; n <= len(answers) {
			return 200, []byte(answers[n-1]), true
		}
		return 200, []byte(rule(c.Action+"-unexpected", dns)), true
	}
	return 400, []byte(`{"__type":"ValidationException","Message":"not played"}`), true
}

func telemetryClient(t *testing.T, f *telemetryFake) (*observabilityadmin.Client, *faultproxy.Proxy) {
	p := faultproxy.New(moto.Shared(t).URL, faultproxy.Options{Answer: f.answer})
	t.Cleanup(p.Close)
	cfg := moto.BaseConfig(p.URL, "us-west-2", aws.Credentials{AccessKeyID: "AKIAFLOWGUARDTEST", SecretAccessKey: "secret"})
	return NewTelemetryClient(cfg), p
}

// The account's and the organization's rules are read alike: only the rules that make VPC flow logs are read
// in full (one Get each) and kept, in both scopes. A VPC rule that makes Route 53 Resolver query logs only is
// left out of the organization's list as it is of the account's.
func TestTelemetryRulesKeepFlowLogRulesOfBothScopes(t *testing.T) {
	f := &telemetryFake{gets: map[string]int{}}
	c, p := telemetryClient(t, f)
	rules, note := TelemetryRules(t.Context(), c)
	if note != "" {
		t.Errorf("note %q", note)
	}
	var got []string
	for _, r := range rules {
		got = append(got, fmt.Sprintf("%s org=%v %s %s", r.Name, r.Organization, r.EvaluationStatus, strings.Join(r.SourceTypes, ",")))
	}
	want := []string{"org-default org=true RUNNING ", "org-flow org=true RUNNING VPC_FLOW_LOGS", "acct-flow org=false RUNNING VPC_FLOW_LOGS"}
	if !slices.Equal(got, want) {
		t.Errorf("rules\n got %q\nwant %q", got, want)
	}
	calls := p.Calls()
	if calls["observabilityadmin:GetTelemetryRule"] != 1 || calls["observabilityadmin:GetTelemetryRuleForOrganization"] != 2 {
		t.Errorf("one Get per flow-log rule, and no other: %v", calls)
	}
}

// What could not be read is said per scope, the account's first; an organization call refused (a member
// account) is no note.
func TestTelemetryRulesNotes(t *testing.T) {
	for _, tc := range []struct {
		fail  map[string]string
		rules int
		note  string
	}{
		{map[string]string{"ListTelemetryRulesForOrganization": "AccessDeniedException"}, 1, ""},
		{map[string]string{"ListTelemetryRules": "AccessDeniedException"}, 2, "account telemetry rules not read (AccessDeniedException)"},
		{map[string]string{"ListTelemetryRules": "ThrottlingException", "ListTelemetryRulesForOrganization": "InternalServerException"}, 0,
			"account telemetry rules not read (ThrottlingException); organization telemetry rules not read (InternalServerException)"},
	} {
		c, _ := telemetryClient(t, &telemetryFake{gets: map[string]int{}, fail: tc.fail})
		rules, note := TelemetryRules(t.Context(), c)
		if len(rules) != tc.rules || note != tc.note {
			t.Errorf("%v: %d rules, note %q; want %d, %q", tc.fail, len(rules), note, tc.rules, tc.note)
		}
	}
}

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }
