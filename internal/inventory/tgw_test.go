package inventory_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/inventory"
)

// A snapshot saved before Transit Gateways and telemetry rules were read loads unchanged: no Transit
// Gateway, no rule. One saved now keeps them through a write and a read.
func TestSnapshotTransitGateways(t *testing.T) {
	old := head + `"collected_at":"2026-01-01T00:00:00Z","regions":[{"account_id":"111111111111","region":"eu-west-1","vpcs":[{"id":"vpc-1","is_default":false}],"flow_logs":[]}]}`
	s, err := inventory.Decode("old.json", []byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if r := s.Regions[0]; len(r.TransitGateways) != 0 || len(r.TransitGatewayAttachments) != 0 || len(r.TelemetryRules) != 0 || len(r.VPCs) != 1 {
		t.Errorf("old snapshot: %+v", r)
	}

	s.Regions[0].TransitGateways = []inventory.TransitGateway{{ID: "tgw-1", OwnerID: "111111111111", State: "available", Tags: map[string]string{"Name": "hub"}}}
	s.Regions[0].TransitGatewayAttachments = []inventory.TransitGatewayAttachment{{ID: "tgw-attach-1", TransitGatewayID: "tgw-1", ResourceType: "vpn", State: "available"}}
	s.Regions[0].TelemetryRules = []inventory.TelemetryRule{{Name: "all-vpcs", ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING"}}
	var buf bytes.Buffer
	if err := s.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	again, err := inventory.Decode("new.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(s, again); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}

	bad := head + `"regions":[{"account_id":"1","region":"r","transit_gateways":[null],"transit_gateway_attachments":[{"id":"tgw-attach-1"}],"telemetry_rules":[null]}]}`
	_, err = inventory.Decode("bad.json", []byte(bad))
	for _, w := range []string{"regions[0].transit_gateways[0].id", "regions[0].transit_gateway_attachments[0].transit_gateway_id", "regions[0].telemetry_rules[0].name"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
}

func TestTelemetryRuleCoverage(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    inventory.TelemetryRule
		want string
	}{
		{"every VPC, running", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING"}, inventory.RuleCovers},
		{"flow-log source", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC", SourceTypes: []string{"VPC_FLOW_LOGS"}, EvaluationStatus: "RUNNING"}, inventory.RuleCovers},
		{"other source", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC", SourceTypes: []string{"EKS_AUDIT_LOGS"}, EvaluationStatus: "RUNNING"}, ""},
		{"other resource", inventory.TelemetryRule{ResourceType: "AWS::Lambda::Function", EvaluationStatus: "RUNNING"}, ""},
		{"by tag", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC", SelectionCriteria: "tag:env=prod", EvaluationStatus: "RUNNING"}, inventory.RuleMayCover},
		{"organization", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC", Organization: true, EvaluationStatus: "RUNNING"}, inventory.RuleMayCover},
		{"status unknown", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC"}, inventory.RuleMayCover},
		{"stopped", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC", EvaluationStatus: "STOPPED"}, inventory.RuleInactive},
		{"other regions", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING", HomeRegion: "us-east-1", Regions: []string{"us-west-2"}}, ""},
		{"replicated here", inventory.TelemetryRule{ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING", HomeRegion: "us-east-1", Regions: []string{"eu-west-1"}}, inventory.RuleCovers},
	} {
		if got := tc.r.Coverage("eu-west-1"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
