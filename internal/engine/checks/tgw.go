package checks

import (
	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

var (
	relTGWFlowLog    = graph.TTransitGateway.Relation("hasFlowLog")
	relTGWAttachment = graph.TTransitGateway.Relation("hasAttachment")
	relAttFlowLog    = graph.TTransitGatewayAttachment.Relation("hasFlowLog")
	relVPCTelemetry  = graph.TVPC.Relation("hasTelemetryRule")
	evidenceTGW      = "transit_gateway"
)

// tgwEvidence is what flowguard saw about a Transit Gateway: its owner and tags, its own flow logs, and each
// attachment with the flow logs on it and its coverage (the same rule as tgw-flow-logs-enabled's query:
// TestAttachmentCoverageFollowsTheCheck).
func tgwEvidence(ev *finding.Evidence, n *graph.Node) {
	t := n.Obj.(*inventory.TransitGateway)
	ev.OwnerID, ev.Tags = t.OwnerID, t.Tags
	gateway := false // the Transit Gateway's own flow log logs every attachment
	if fls := n.Rel(relTGWFlowLog); len(fls) > 0 {
		ev.FlowLogs = make([]finding.FlowLogEvidence, len(fls))
		for i, m := range fls {
			fl := m.Obj.(*inventory.FlowLog)
			ev.FlowLogs[i] = flowLogEvidence(fl)
			gateway = gateway || fl.Working() // the check's {flowLogStatus: "ACTIVE", deliverLogsStatus_NOT: "FAILED"}
		}
	}
	for _, a := range n.Rel(relTGWAttachment) {
		o := a.Obj.(*inventory.TransitGatewayAttachment)
		ae := finding.AttachmentEvidence{ID: o.ID, ResourceType: o.ResourceType, ResourceID: o.ResourceID,
			ResourceOwnerID: o.ResourceOwnerID, State: o.State}
		own := false
		for _, m := range a.Rel(relAttFlowLog) {
			fl := m.Obj.(*inventory.FlowLog)
			ae.FlowLogs = append(ae.FlowLogs, flowLogEvidence(fl))
			own = own || fl.Working()
		}
		switch {
		case !o.Live():
			ae.Coverage = finding.AttachmentNotLive
		case own:
			ae.Coverage = finding.AttachmentCovered
		case gateway:
			ae.Coverage = finding.AttachmentCoveredByGateway
		default:
			ae.Coverage = finding.AttachmentUncovered
		}
		ev.TransitGatewayAttachments = append(ev.TransitGatewayAttachments, ae)
	}
}

// telemetryEvidence adds the telemetry rules that make (or may make) the VPC's flow log. What of them could not
// be read is on the region (graph field telemetryRulesNote, the snapshot), and in fix's plan.
func telemetryEvidence(ev *finding.Evidence, n *graph.Node) {
	for _, m := range n.Rel(relVPCTelemetry) {
		r := m.Obj.(*inventory.TelemetryRule)
		ev.TelemetryRules = append(ev.TelemetryRules, finding.TelemetryRuleEvidence{
			Name: r.Name, Organization: r.Organization, Coverage: r.Coverage(n.RegionName), EvaluationStatus: r.EvaluationStatus,
			SelectionCriteria: r.SelectionCriteria, Scope: r.Scope, DestinationType: r.DestinationType, TrafficType: r.TrafficType,
		})
	}
}
