package remediate

import (
	"github.com/flowguard/flowguard/internal/logs/cost"
	"github.com/flowguard/flowguard/internal/remediate/fix"
)

// planCosts prices the VPCs each plan will give a flow log (its targets that need one, deferred ones too:
// they are logged by a later batch), at the plan's destination and traffic type, from a `logs cost -o json`
// estimate. Nil when there is no estimate.
func planCosts(est *cost.Estimate, source string, plans []*fix.Plan) ([]*cost.PlanEstimate, error) {
	if est == nil {
		return nil, nil
	}
	var out []*cost.PlanEstimate
	for _, p := range plans {
		var vpcs []string
		for _, ts := range [][]fix.Target{p.Targets, p.Deferred} {
			for _, t := range ts {
				if t.NeedsFlowLog {
					vpcs = append(vpcs, t.VPCID)
				}
			}
		}
		pe, err := cost.ForPlan(est, source, vpcs, cost.DestinationFor(p.Settings.Destination, p.Settings.FileFormat), p.Settings.TrafficType)
		if err != nil {
			return nil, err
		}
		out = append(out, pe)
	}
	return out, nil
}
