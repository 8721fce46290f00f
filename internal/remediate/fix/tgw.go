package fix

import (
	"fmt"
	"sort"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/fix/logformat"
)

// Transit Gateways. A failing Transit Gateway is a Target like a VPC (its id in VPCID, ResourceType
// TransitGateway): the same batches, journal, tags and rollback. What differs is the flow log itself: AWS
// takes no traffic type for it (it captures every flow), only a 60-second aggregation interval, at most 25
// resource ids per CreateFlowLogs call, and records of its own fields (version 6).
const (
	// CheckTGWEnabled is the built-in Transit Gateway check fix remediates.
	CheckTGWEnabled = "tgw-flow-logs-enabled"
	// ResourceTransitGateway is the finding resource type of a Transit Gateway.
	ResourceTransitGateway = "AWS::EC2::TransitGateway"
	// tgwAggregationInterval is the only aggregation interval AWS accepts for Transit Gateway flow logs.
	tgwAggregationInterval = 60
	// maxTGWResourceIDs is how many Transit Gateways one CreateFlowLogs call may name.
	maxTGWResourceIDs = 25
)

// IsTransitGateway reports whether the target is a Transit Gateway rather than a VPC.
func (t Target) IsTransitGateway() bool {
	return t.ResourceType == inventory.ResourceTypeTransitGateway
}

// resourceType is the flow-log resource type of the target.
func (t Target) resourceType() string {
	if t.ResourceType != "" {
		return t.ResourceType
	}
	return inventory.ResourceTypeVPC
}

// tgwFinding takes a finding of the Transit Gateway check into the targets; false when it is not one.
func tgwFinding(f finding.Finding, get func(finding.Finding) *Target, skipped *[]Skip) bool {
	if f.CheckID != CheckTGWEnabled || f.ResourceType != ResourceTransitGateway {
		return false
	}
	switch f.Status {
	case finding.StatusFail:
		t := get(f)
		t.ResourceType = inventory.ResourceTypeTransitGateway
		t.NeedsFlowLog = true
		t.Reasons = append(t.Reasons, f.Reason)
		for _, fl := range f.Evidence.FlowLogs {
			if fl.DeliverLogsStatus == inventory.DeliveryFailed {
				t.FailedFlowLogs = append(t.FailedFlowLogs, fl.ID)
			}
		}
	case finding.StatusError, finding.StatusSkipped, finding.StatusExcepted, finding.StatusUnknown:
		msg := f.Reason
		if msg == "" {
			msg = f.Message
		}
		*skipped = append(*skipped, Skip{f.AccountID, f.Region, f.ResourceID, fmt.Sprintf("finding is %s (%s): not changed", f.Status, msg)})
	}
	return true
}

// passesTGW applies tgw-flow-logs-enabled to one flow log on the Transit Gateway itself: ACTIVE, delivery not
// FAILED (no traffic type: Transit Gateway flow logs capture every flow).
func passesTGW(f inventory.FlowLog) bool {
	return f.ResourceType == inventory.ResourceTypeTransitGateway && f.Working()
}

// tgwSpec is the flow log fix creates on Transit Gateways: the destination of the run's settings, the 60 s
// interval and every Transit Gateway field (the VPC --log-format and --traffic-type do not apply).
func tgwSpec(s Settings, dest, roleARN string) *FlowLogSpec {
	spec := &FlowLogSpec{ResourceType: inventory.ResourceTypeTransitGateway, DestinationType: s.Destination,
		LogFormat: logformat.TransitGatewayDefault, MaxAggregationInterval: tgwAggregationInterval}
	if s.Destination == inventory.DestinationS3 {
		spec.Destination, spec.FileFormat, spec.HivePartitions, spec.PerHourPartitions = dest, s.FileFormat, s.HivePartitions, s.PerHourPartitions
	} else {
		spec.LogGroupName, spec.RoleARN = dest, roleARN
	}
	return spec
}

// tgwSteps lays out the CreateFlowLogs steps of one batch and region's Transit Gateways, by destination.
func (b *builder) tgwSteps(br batchRegion) []Step {
	p, s := b.p, b.s
	var out []Step
	for _, dest := range sortedKeys(b.tgwGroups[br]) {
		ids := b.tgwGroups[br][dest]
		sort.Strings(ids)
		for i := 0; i < len(ids); i += maxTGWResourceIDs {
			chunk := ids[i:min(i+maxTGWResourceIDs, len(ids))]
			out = append(out, Step{Batch: br.batch, Account: p.Account, Region: br.region, Action: ActCreateFlowLogs, Resource: dest,
				VPCs: append([]string(nil), chunk...), Tags: s.resourceTags(p.RunID), FlowLog: tgwSpec(s, dest, b.roleARN),
				Why: fmt.Sprintf("Transit Gateway flow log (every flow, 60 s) for %d Transit Gateway(s): %s", len(chunk), strings.Join(chunk, ", "))})
		}
	}
	return out
}
