package graph_test

import (
	"testing"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/inventory"
)

func TestTransitGatewayGraph(t *testing.T) {
	const acct = "111111111111"
	reg := &inventory.Region{AccountID: acct, Name: "eu-west-1",
		VPCs:            []inventory.VPC{{ID: "vpc-1", OwnerID: acct}},
		TransitGateways: []inventory.TransitGateway{{ID: "tgw-1", OwnerID: acct, Tags: map[string]string{"Name": "hub"}}, {ID: "tgw-2", OwnerID: "222222222222"}},
		TransitGatewayAttachments: []inventory.TransitGatewayAttachment{
			{ID: "tgw-attach-1", TransitGatewayID: "tgw-1", ResourceType: "vpc", ResourceID: "vpc-1", State: "available"},
			{ID: "tgw-attach-2", TransitGatewayID: "tgw-1", ResourceType: "vpn", ResourceID: "vpn-1", State: "deleted"},
			{ID: "tgw-attach-3", TransitGatewayID: "tgw-9", ResourceType: "vpc", ResourceID: "vpc-other", State: "available"},
		},
		FlowLogs: []inventory.FlowLog{
			{ID: "fl-1", ResourceID: "tgw-1", Status: "ACTIVE"},
			{ID: "fl-2", ResourceID: "tgw-attach-1", Status: "ACTIVE"},
			{ID: "fl-3", ResourceID: "vpc-1", Status: "ACTIVE"},
		},
		TelemetryRules: []inventory.TelemetryRule{
			{Name: "all", ResourceType: "AWS::EC2::VPC", EvaluationStatus: "RUNNING"},
			{Name: "lambda", ResourceType: "AWS::Lambda::Function", EvaluationStatus: "RUNNING"},
		},
	}
	g := graph.Build(&inventory.Snapshot{Regions: []*inventory.Region{reg}})
	tgw := g.Lookup(graph.TTransitGateway, acct, "eu-west-1", "tgw-1")
	if tgw == nil {
		t.Fatal("no tgw-1 node")
	}
	ids := func(ns []*graph.Node) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", what, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: %v, want %v", what, got, want)
			}
		}
	}
	check("tgw-1 hasFlowLog", ids(tgw.Related("hasFlowLog")), "fl-1")
	check("tgw-1 hasAttachment", ids(tgw.Related("hasAttachment")), "tgw-attach-1", "tgw-attach-2")
	att := g.Lookup(graph.TTransitGatewayAttachment, acct, "eu-west-1", "tgw-attach-1")
	check("attachment hasFlowLog", ids(att.Related("hasFlowLog")), "fl-2")
	check("attachment attachedVpc", ids(att.Related("attachedVpc")), "vpc-1")
	check("attachment ofTransitGateway", ids(att.Related("ofTransitGateway")), "tgw-1")
	vpc := g.Lookup(graph.TVPC, acct, "eu-west-1", "vpc-1")
	check("vpc hasTransitGatewayAttachment", ids(vpc.Related("hasTransitGatewayAttachment")), "tgw-attach-1")
	check("vpc hasFlowLog", ids(vpc.Related("hasFlowLog")), "fl-3")
	check("vpc hasTelemetryRule", ids(vpc.Related("hasTelemetryRule")), "all")
	fl := g.Lookup(graph.TFlowLog, acct, "eu-west-1", "fl-1")
	check("flow log ofTransitGateway", ids(fl.Related("ofTransitGateway")), "tgw-1")
	check("flow log ofVpc", ids(fl.Related("ofVpc")))
	for field, want := range map[string]string{"isShared": "false", "attachmentCount": "2", "flowLogCount": "1", "name": "hub",
		"arn": "arn:aws:ec2:eu-west-1:111111111111:transit-gateway/tgw-1"} {
		if got := tgw.Field(field).String(); got != want {
			t.Errorf("tgw-1 %s = %q, want %q", field, got, want)
		}
	}
	if g.Lookup(graph.TTransitGateway, acct, "eu-west-1", "tgw-2").Field("isShared").String() != "true" {
		t.Error("tgw-2 is shared")
	}
	if got := g.Lookup(graph.TTransitGatewayAttachment, acct, "eu-west-1", "tgw-attach-2").Field("isLive").String(); got != "false" {
		t.Errorf("deleted attachment isLive = %s", got)
	}
	if got := vpc.Field("telemetryRuleCoverage").String(); got != "covers" {
		t.Errorf("telemetryRuleCoverage = %q", got)
	}
}
