package inventory

import "strings"

// Collections of the Transit Gateway inventory and of CloudWatch telemetry rules. Snapshots written before
// they existed load unchanged: their regions simply hold no Transit Gateways and no rules.
const (
	CollTransitGateways            Collection = "transit_gateways"
	CollTransitGatewayAttachments  Collection = "transit_gateway_attachments"
	CollTelemetryRules             Collection = "telemetry_rules"
	ResourceTypeTransitGatewayAtt             = "TransitGatewayAttachment"
	TransitGatewayAttachmentPrefix            = "tgw-attach-"
)

// TransitGateway is one AWS Transit Gateway as seen from the scanned account: its own, or one shared into the
// account through RAM (OwnerID is then another account, which alone can create its flow logs).
type TransitGateway struct {
	ID          string            `json:"id"`
	ARN         string            `json:"arn,omitempty"`
	OwnerID     string            `json:"owner_id,omitempty"`
	State       string            `json:"state,omitempty"` // pending, available, modifying, deleting, deleted
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// Name is the Transit Gateway's Name tag, or "".
func (t TransitGateway) Name() string { return t.Tags["Name"] }

// TransitGatewayAttachment is one attachment of a Transit Gateway (a VPC, a VPN, a Direct Connect gateway, a
// peering, a Connect attachment, …), as DescribeTransitGatewayAttachments returns it. In the Transit Gateway's
// owner account it lists the attachments of every account; in a participant account, its own.
type TransitGatewayAttachment struct {
	ID                    string            `json:"id"`
	TransitGatewayID      string            `json:"transit_gateway_id"`
	TransitGatewayOwnerID string            `json:"transit_gateway_owner_id,omitempty"`
	ResourceType          string            `json:"resource_type,omitempty"` // vpc, vpn, direct-connect-gateway, peering, connect, …
	ResourceID            string            `json:"resource_id,omitempty"`
	ResourceOwnerID       string            `json:"resource_owner_id,omitempty"`
	State                 string            `json:"state,omitempty"`
	Tags                  map[string]string `json:"tags,omitempty"`
}

// Live reports whether the attachment carries (or is about to carry) traffic: every state but the deleted,
// deleting, failed, failing, rejected and rejecting ones.
func (a TransitGatewayAttachment) Live() bool {
	switch strings.ToLower(a.State) {
	case "deleted", "deleting", "failed", "failing", "rejected", "rejecting":
		return false
	}
	return true
}

// TelemetryRule is a CloudWatch telemetry rule (Observability Admin) that makes AWS create VPC flow logs by
// itself: an account rule (ListTelemetryRules) or an organization rule (ListTelemetryRulesForOrganization,
// readable in the management or delegated administrator account only).
type TelemetryRule struct {
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	// Organization is true for a rule of the organization (read in the management or delegated
	// administrator account); it then applies to the accounts its Scope names (all when empty).
	Organization bool   `json:"organization,omitempty"`
	ResourceType string `json:"resource_type"` // AWS::EC2::VPC
	// SourceTypes are the rule's telemetry source types (VPC_FLOW_LOGS, …); empty means the resource type's
	// default, which for AWS::EC2::VPC is VPC flow logs.
	SourceTypes []string `json:"source_types,omitempty"`
	// Scope (organization rules) and SelectionCriteria narrow the resources; empty means every one.
	Scope              string `json:"scope,omitempty"`
	SelectionCriteria  string `json:"selection_criteria,omitempty"`
	DestinationType    string `json:"destination_type,omitempty"`
	DestinationPattern string `json:"destination_pattern,omitempty"`
	TrafficType        string `json:"traffic_type,omitempty"`
	// Regions the rule is replicated to (AllRegions: every region); HomeRegion where it is managed.
	AllRegions bool     `json:"all_regions,omitempty"`
	Regions    []string `json:"regions,omitempty"`
	HomeRegion string   `json:"home_region,omitempty"`
	// EvaluationStatus is the account's (or organization's) telemetry evaluation status (RUNNING, STOPPED, …):
	// a rule does nothing unless it is RUNNING. Empty when it could not be read.
	EvaluationStatus string `json:"evaluation_status,omitempty"`
}

// MakesVPCFlowLogs reports whether the rule creates VPC flow logs.
func (r TelemetryRule) MakesVPCFlowLogs() bool {
	if r.ResourceType != "AWS::EC2::VPC" {
		return false
	}
	if len(r.SourceTypes) == 0 {
		return true
	}
	for _, s := range r.SourceTypes {
		if s == "VPC_FLOW_LOGS" {
			return true
		}
	}
	return false
}

// Coverage of a VPC by telemetry rules.
const (
	// RuleCovers: a running rule without selection criteria (or scope) makes a flow log on every VPC.
	RuleCovers = "covers"
	// RuleMayCover: a rule selects VPCs by criteria flowguard does not evaluate, or evaluation is not known
	// to run, or it is an organization rule whose reach into this account is not read: it may or may not make
	// this VPC's flow log.
	RuleMayCover = "may-cover"
	// RuleInactive: the rule would apply, but telemetry evaluation is not running (STOPPED, FAILED…): it
	// makes nothing.
	RuleInactive = "inactive"
)

// Coverage says how rule r, read in region, relates to the VPCs of that region: RuleCovers, RuleMayCover,
// RuleInactive, or "" (it does not make VPC flow logs there).
func (r TelemetryRule) Coverage(region string) string {
	if !r.MakesVPCFlowLogs() {
		return ""
	}
	if !r.AllRegions && len(r.Regions) > 0 && r.HomeRegion != region {
		in := false
		for _, x := range r.Regions {
			in = in || x == region
		}
		if !in {
			return ""
		}
	}
	switch r.EvaluationStatus {
	case "RUNNING":
	case "":
		return RuleMayCover
	default:
		return RuleInactive
	}
	if r.Organization || r.SelectionCriteria != "" || r.Scope != "" {
		return RuleMayCover
	}
	return RuleCovers
}

// validateTGW checks the identifying fields of a region's Transit Gateways, attachments and telemetry rules.
func validateTGW(r *Region, p string, bad func(string, ...any)) {
	for j, x := range r.TransitGateways {
		if x.ID == "" {
			bad("%s.transit_gateways[%d].id: missing (or the entry is null)", p, j)
		}
	}
	for j, x := range r.TransitGatewayAttachments {
		if x.ID == "" {
			bad("%s.transit_gateway_attachments[%d].id: missing (or the entry is null)", p, j)
		}
		if x.TransitGatewayID == "" {
			bad("%s.transit_gateway_attachments[%d].transit_gateway_id: missing", p, j)
		}
	}
	for j, x := range r.TelemetryRules {
		if x.Name == "" {
			bad("%s.telemetry_rules[%d].name: missing (or the entry is null)", p, j)
		}
	}
}
