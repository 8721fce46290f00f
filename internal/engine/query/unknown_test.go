package query

import (
	"testing"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/inventory"
)

// TestUnknownsDecideOnlyWhenConsulted: an answer depends on an unknown only when the unknown could change it
// (Kleene's logic): a known match beside an unknown one decides SOME, a known mismatch decides AND, and an
// incomplete relation is unknown only while no known member settles it. The boolean stays the one the values
// as read give.
func TestUnknownsDecideOnlyWhenConsulted(t *testing.T) {
	traffic := inventory.Unknown{Field: "trafficType", What: "aws_flow_log.u: traffic_type", Why: "var.t has no default value"}
	region := inventory.Unknown{Field: inventory.RegionFlowLogs, Why: "a flow log's vpc_id is not known"}
	retention := inventory.Unknown{Field: "retentionInDays", Why: "var.days has no default value"}
	one := int32(1)
	fl := func(id, vpc, traffic string, us ...inventory.Unknown) inventory.FlowLog {
		return inventory.FlowLog{ID: id, ResourceID: vpc, ResourceType: "VPC", Status: "ACTIVE", TrafficType: traffic,
			DestinationType: "cloud-watch-logs", LogGroupName: "g-" + id, Unknowns: us}
	}
	snap := &inventory.Snapshot{Regions: []*inventory.Region{{AccountID: "iac", Name: "r1",
		VPCs: []inventory.VPC{{ID: "vpc-unknown"}, {ID: "vpc-known"}, {ID: "vpc-none"}},
		FlowLogs: []inventory.FlowLog{
			fl("u", "vpc-unknown", "", traffic),
			fl("u2", "vpc-known", "", traffic), fl("k", "vpc-known", "ALL"),
		},
		LogGroups: []inventory.LogGroup{{Name: "g-u", RetentionDays: &one, Unknowns: []inventory.Unknown{retention}}, {Name: "g-k", RetentionDays: &one}},
	}, {AccountID: "iac", Name: "r2", VPCs: []inventory.VPC{{ID: "vpc-r2"}}, FlowLogs: []inventory.FlowLog{fl("r2k", "vpc-r2", "ALL")},
		Unknowns: []inventory.Unknown{region}}}}
	g := graph.Build(snap)
	for _, tc := range []struct {
		name, where, node string
		want, known       bool
	}{
		{"unknown field read", `{hasFlowLog_SOME: {trafficType: "ALL"}}`, "vpc-unknown", false, false},
		{"known match decides SOME", `{hasFlowLog_SOME: {trafficType: "ALL"}}`, "vpc-known", true, true},
		{"NONE of a known match", `{hasFlowLog_NONE: {trafficType_IN: ["ALL", "REJECT"]}}`, "vpc-known", false, true},
		{"NONE over only unknowns", `{hasFlowLog_NONE: {trafficType_IN: ["ALL", "REJECT"]}}`, "vpc-unknown", true, false},
		{"known false decides AND", `{hasFlowLog_SOME: {flowLogStatus: "NOPE", trafficType: "ALL"}}`, "vpc-unknown", false, true},
		{"known true decides OR", `{OR: [{hasFlowLog_SOME: {trafficType: "ALL"}}, {id: "vpc-unknown"}]}`, "vpc-unknown", true, true},
		{"unknown field not read", `{hasFlowLog_SOME: {flowLogStatus: "ACTIVE"}}`, "vpc-unknown", true, true},
		{"incomplete relation, no match", `{hasFlowLog: null}`, "vpc-none", true, true},
		{"region incomplete: no known match", `{hasFlowLog_SOME: {trafficType: "REJECT"}}`, "vpc-r2", false, false},
		{"region incomplete: known member decides", `{hasFlowLog_SOME: {trafficType: "ALL"}}`, "vpc-r2", true, true},
		{"region incomplete: ALL", `{hasFlowLog_ALL: {trafficType: "ALL"}}`, "vpc-r2", true, false},
		{"derived count", `{flowLogCount: 1}`, "vpc-r2", true, false},
		{"unknown retention", `{hasFlowLog_SOME: {deliversTo: {retentionInDays_LT: 365}}}`, "vpc-unknown", true, false},
		{"known retention decides", `{hasFlowLog_SOME: {deliversTo: {retentionInDays_LT: 365}}}`, "vpc-known", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Filter(graph.Default, graph.TVPC, tc.where, nil)
			if err != nil {
				t.Fatal(err)
			}
			var n *graph.Node
			for _, m := range g.Nodes(graph.TVPC) {
				if m.ID == tc.node {
					n = m
				}
			}
			e := NewEval(t.Context())
			got, err := p.Match(e, n)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || (e.Unknowns() == nil) != tc.known {
				t.Errorf("%s on %s = %v, known %v (%v); want %v, known %v", tc.where, tc.node, got, e.Unknowns() == nil,
					e.Unknowns(), tc.want, tc.known)
			}
		})
	}
	// The witness of a match through a relation is the related node that decided it.
	p, _ := Filter(graph.Default, graph.TVPC, `{hasFlowLog_SOME: {deliversTo: {retentionInDays_LT: 365}}}`, nil)
	e := NewEval(t.Context())
	if ok, _ := p.Match(e, g.Nodes(graph.TVPC)[1]); !ok || e.Witness() == nil || e.Witness().ID != "g-k" {
		t.Errorf("witness = %v, want log group g-k", e.Witness())
	}
}
