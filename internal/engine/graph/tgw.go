package graph

import "github.com/flowguard/flowguard/internal/inventory"

// Transit Gateway and telemetry-rule types and relations, declared apart from the VPC core of the schema.
var (
	TTransitGateway, TTransitGatewayAttachment, TTelemetryRule *Type

	rTGWFlowLog, rTGWAttachment, rTGWTag, rTGWRegion           *Relation
	rAttTGW, rAttFlowLog, rAttVPC, rAttTag                     *Relation
	rFlowLogTGW, rFlowLogAtt                                   *Relation
	rVPCAttachment, rVPCTelemetryRule, rRegionTGW, rRuleRegion *Relation
)

// tgwTypes adds the node types (before the fields every type has are declared).
func tgwTypes(add addTypeFunc) {
	TTransitGateway = add("TransitGateway", "transitGateways",
		"An AWS Transit Gateway as seen from the scanned account (its own, or shared into it through RAM).",
		inventory.CollTransitGateways, "AWS::EC2::TransitGateway")
	TTransitGatewayAttachment = add("TransitGatewayAttachment", "transitGatewayAttachments",
		"An attachment of a Transit Gateway: a VPC, VPN, Direct Connect gateway, peering, Connect …",
		inventory.CollTransitGatewayAttachments, "AWS::EC2::TransitGatewayAttachment")
	TTelemetryRule = add("TelemetryRule", "telemetryRules",
		"A CloudWatch telemetry rule (Observability Admin) that makes VPC flow logs by itself.",
		inventory.CollTelemetryRules, "AWS::ObservabilityAdmin::TelemetryRule")
}

func tgwName(n *Node) (Value, bool) {
	switch o := n.Obj.(type) {
	case *inventory.TransitGateway:
		return Str(o.Tags["Name"]), true
	case *inventory.TransitGatewayAttachment:
		return Str(o.Tags["Name"]), true
	case *inventory.TelemetryRule:
		return Str(o.Name), true
	}
	return Null, false
}

func tgwARN(n *Node, part string) (Value, bool) {
	switch o := n.Obj.(type) {
	case *inventory.TransitGateway:
		if o.ARN != "" {
			return Str(o.ARN), true
		}
		owner := o.OwnerID
		if owner == "" {
			owner = n.Account
		}
		return Str("arn:" + part + ":ec2:" + n.RegionName + ":" + owner + ":transit-gateway/" + o.ID), true
	case *inventory.TransitGatewayAttachment:
		return Str("arn:" + part + ":ec2:" + n.RegionName + ":" + n.Account + ":transit-gateway-attachment/" + o.ID), true
	case *inventory.TelemetryRule:
		return Str(o.ARN), true
	}
	return Null, false
}

// tgwSchema declares the fields and relations of the Transit Gateway and telemetry-rule types, and their
// relations from the core types.
func tgwSchema(field addFieldFunc, rel addRelFunc) {
	tgw := func(n *Node) *inventory.TransitGateway { return n.Obj.(*inventory.TransitGateway) }
	field(TTransitGateway, "ownerId", KindString, "the owning account (another account for a Transit Gateway shared through RAM)",
		func(n *Node) Value { return Str(tgw(n).OwnerID) })
	field(TTransitGateway, "isShared", KindBool, "owned by another account (shared into this one)", func(n *Node) Value {
		o := tgw(n).OwnerID
		return Bool(o != "" && o != n.Account)
	})
	field(TTransitGateway, "state", KindString, "pending, available, modifying, deleting, deleted",
		func(n *Node) Value { return Str(tgw(n).State) })
	field(TTransitGateway, "description", KindString, "the description", func(n *Node) Value { return Str(tgw(n).Description) })
	field(TTransitGateway, "attachmentCount", KindInt, "attachments read in this account (all accounts' in the owner account)",
		func(n *Node) Value { return Int(int64(len(n.rels[rTGWAttachment.index]))) })
	field(TTransitGateway, "flowLogCount", KindInt, "flow logs whose resource is the Transit Gateway",
		func(n *Node) Value { return Int(int64(len(n.rels[rTGWFlowLog.index]))) })
	rTGWFlowLog = rel(TTransitGateway, "hasFlowLog", TFlowLog, true, "flow logs whose resource is the Transit Gateway itself")
	rTGWAttachment = rel(TTransitGateway, "hasAttachment", TTransitGatewayAttachment, true, "its attachments, as read in this account")
	rTGWTag = rel(TTransitGateway, "hasTag", TTag, true, "tags")
	rTGWRegion = rel(TTransitGateway, "inRegion", TRegion, false, "the account-region")
	derived[rTGWFlowLog] = []string{"flowLogCount"}
	derived[rTGWAttachment] = []string{"attachmentCount"}

	att := func(n *Node) *inventory.TransitGatewayAttachment { return n.Obj.(*inventory.TransitGatewayAttachment) }
	field(TTransitGatewayAttachment, "transitGatewayId", KindString, "the Transit Gateway", func(n *Node) Value { return Str(att(n).TransitGatewayID) })
	field(TTransitGatewayAttachment, "transitGatewayOwnerId", KindString, "the Transit Gateway's owner account",
		func(n *Node) Value { return Str(att(n).TransitGatewayOwnerID) })
	field(TTransitGatewayAttachment, "resourceType", KindString, "vpc, vpn, direct-connect-gateway, peering, connect, …",
		func(n *Node) Value { return Str(att(n).ResourceType) })
	field(TTransitGatewayAttachment, "resourceId", KindString, "the attached VPC, VPN connection, gateway …", func(n *Node) Value { return Str(att(n).ResourceID) })
	field(TTransitGatewayAttachment, "resourceOwnerId", KindString, "the account owning the attached resource",
		func(n *Node) Value { return Str(att(n).ResourceOwnerID) })
	field(TTransitGatewayAttachment, "state", KindString, "available, pendingAcceptance, deleting, deleted, …", func(n *Node) Value { return Str(att(n).State) })
	field(TTransitGatewayAttachment, "isLive", KindBool, "carries traffic or will: not deleted, deleting, failed, failing, rejected, rejecting",
		func(n *Node) Value { return Bool(att(n).Live()) })
	field(TTransitGatewayAttachment, "flowLogCount", KindInt, "flow logs whose resource is the attachment",
		func(n *Node) Value { return Int(int64(len(n.rels[rAttFlowLog.index]))) })
	rAttTGW = rel(TTransitGatewayAttachment, "ofTransitGateway", TTransitGateway, false, "the Transit Gateway, when read in the same account-region")
	rAttFlowLog = rel(TTransitGatewayAttachment, "hasFlowLog", TFlowLog, true, "flow logs whose resource is the attachment")
	rAttVPC = rel(TTransitGatewayAttachment, "attachedVpc", TVPC, false, "the attached VPC (vpc attachments whose VPC is in this account-region)")
	rAttTag = rel(TTransitGatewayAttachment, "hasTag", TTag, true, "tags")
	derived[rAttFlowLog] = []string{"flowLogCount"}

	rule := func(n *Node) *inventory.TelemetryRule { return n.Obj.(*inventory.TelemetryRule) }
	field(TTelemetryRule, "organization", KindBool, "an organization rule (read in the management or delegated administrator account)",
		func(n *Node) Value { return Bool(rule(n).Organization) })
	field(TTelemetryRule, "resourceType", KindString, "AWS::EC2::VPC", func(n *Node) Value { return Str(rule(n).ResourceType) })
	field(TTelemetryRule, "scope", KindString, "organization scope (accounts, OUs); null: every account", func(n *Node) Value { return Str(rule(n).Scope) })
	field(TTelemetryRule, "selectionCriteria", KindString, "which resources; null: every one", func(n *Node) Value { return Str(rule(n).SelectionCriteria) })
	field(TTelemetryRule, "destinationType", KindString, "where the flow logs it makes deliver", func(n *Node) Value { return Str(rule(n).DestinationType) })
	field(TTelemetryRule, "trafficType", KindString, "ALL, ACCEPT, REJECT", func(n *Node) Value { return Str(rule(n).TrafficType) })
	field(TTelemetryRule, "evaluationStatus", KindString, "telemetry evaluation: RUNNING, STOPPED, …; null: not read",
		func(n *Node) Value { return Str(rule(n).EvaluationStatus) })
	field(TTelemetryRule, "coverage", KindString, "covers (every VPC of the region), may-cover, inactive; null: makes no VPC flow log here",
		func(n *Node) Value { return Str(rule(n).Coverage(n.RegionName)) })
	rRuleRegion = rel(TTelemetryRule, "inRegion", TRegion, false, "the account-region it was read in")

	rFlowLogTGW = rel(TFlowLog, "ofTransitGateway", TTransitGateway, false, "the Transit Gateway logged")
	rFlowLogAtt = rel(TFlowLog, "ofTransitGatewayAttachment", TTransitGatewayAttachment, false, "the Transit Gateway attachment logged")
	rVPCAttachment = rel(TVPC, "hasTransitGatewayAttachment", TTransitGatewayAttachment, true, "Transit Gateway attachments of the VPC")
	rVPCTelemetryRule = rel(TVPC, "hasTelemetryRule", TTelemetryRule, true,
		"telemetry rules of the account-region that make (or may make) the VPC's flow log")
	field(TVPC, "telemetryRuleCoverage", KindString, "the strongest telemetry-rule coverage: covers, may-cover, inactive; null: none",
		func(n *Node) Value {
			best := ""
			for _, r := range n.rels[rVPCTelemetryRule.index] {
				switch c := r.Obj.(*inventory.TelemetryRule).Coverage(n.RegionName); {
				case c == inventory.RuleCovers:
					return Str(c)
				case c == inventory.RuleMayCover, best == "":
					best = c
				}
			}
			return Str(best)
		})
	rRegionTGW = rel(TRegion, "hasTransitGateway", TTransitGateway, true, "the region's Transit Gateways")
	field(TRegion, "telemetryRulesNote", KindString, "what of the CloudWatch telemetry rules could not be read (null: all read)",
		func(n *Node) Value { return Str(n.Obj.(*inventory.Region).TelemetryRulesNote) })
}

// tgwIndex holds one region's Transit Gateway and attachment nodes while the graph is built.
type tgwIndex struct {
	tgws, atts map[string]*Node
}

// buildTGW adds one region's Transit Gateways, attachments and telemetry rules to the graph.
func buildTGW(reg *inventory.Region, rnode *Node, vpcs map[string]*Node,
	newNode func(t *Type, id, acct, region, part string, obj any, reg *inventory.Region) *Node,
	link func(a *Node, r *Relation, b *Node), addTags func(n *Node, r *Relation, tags map[string]string)) tgwIndex {
	acct, rn, part := reg.AccountID, reg.Name, reg.Partition
	ix := tgwIndex{tgws: make(map[string]*Node, len(reg.TransitGateways)), atts: make(map[string]*Node, len(reg.TransitGatewayAttachments))}
	for i := range reg.TransitGateways {
		t := &reg.TransitGateways[i]
		n := newNode(TTransitGateway, t.ID, acct, rn, part, t, reg)
		if _, dup := ix.tgws[t.ID]; !dup {
			ix.tgws[t.ID] = n
		}
		link(rnode, rRegionTGW, n)
		link(n, rTGWRegion, rnode)
		addTags(n, rTGWTag, t.Tags)
	}
	for i := range reg.TransitGatewayAttachments {
		a := &reg.TransitGatewayAttachments[i]
		n := newNode(TTransitGatewayAttachment, a.ID, acct, rn, part, a, reg)
		if _, dup := ix.atts[a.ID]; !dup {
			ix.atts[a.ID] = n
		}
		if t := ix.tgws[a.TransitGatewayID]; t != nil {
			link(t, rTGWAttachment, n)
			link(n, rAttTGW, t)
		}
		if a.ResourceType == "vpc" {
			if v := vpcs[a.ResourceID]; v != nil {
				link(n, rAttVPC, v)
				link(v, rVPCAttachment, n)
			}
		}
		addTags(n, rAttTag, a.Tags)
	}
	for i := range reg.TelemetryRules {
		r := &reg.TelemetryRules[i]
		n := newNode(TTelemetryRule, r.Name, acct, rn, part, r, reg)
		link(n, rRuleRegion, rnode)
		if r.Coverage(rn) == "" {
			continue
		}
		for j := range reg.VPCs {
			if v := vpcs[reg.VPCs[j].ID]; v != nil {
				link(v, rVPCTelemetryRule, n)
			}
		}
	}
	return ix
}

// linkFlowLog links a flow log on a Transit Gateway or attachment; false when it is on neither.
func (ix tgwIndex) linkFlowLog(rt, id string, fl *Node, link func(a *Node, r *Relation, b *Node)) bool {
	switch rt {
	case inventory.ResourceTypeTransitGateway:
		if t := ix.tgws[id]; t != nil {
			link(t, rTGWFlowLog, fl)
			link(fl, rFlowLogTGW, t)
		}
		return true
	case inventory.ResourceTypeTransitGatewayAtt:
		if a := ix.atts[id]; a != nil {
			link(a, rAttFlowLog, fl)
			link(fl, rFlowLogAtt, a)
		}
		return true
	}
	return false
}
