package fix

import (
	"context"
	"fmt"
	"strings"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// CloudWatch telemetry rules (Observability Admin) make VPC flow logs by themselves. A VPC that a running
// rule covers gets its flow log from the rule: fix does not plan a second one (which would double the cost
// and leave two flow logs nobody reconciles). A rule fix cannot tell applies (selection criteria, an
// organization rule, evaluation status not read) is only a note: the VPC is planned as usual.

// readTelemetryRules reads the region's telemetry rules when some VPC target there needs a flow log.
func readTelemetryRules(ctx context.Context, cl *clients, p *Plan, region string, rs *regionState) {
	need := false
	for _, t := range p.Targets {
		need = need || (t.Region == region && t.NeedsFlowLog && !t.IsTransitGateway())
	}
	if !need {
		return
	}
	cfg := cl.cfg.Copy()
	cfg.Region = region
	rs.Rules, rs.RulesNote = awsapi.TelemetryRules(ctx, awsapi.NewTelemetryClient(cfg))
}

// ruleCovers returns why t is left to a telemetry rule ("" when no running rule covers it), and notes on the
// rules that may.
func ruleCovers(rs *regionState, t Target) (string, []string) {
	if t.IsTransitGateway() || !t.NeedsFlowLog {
		return "", nil
	}
	var notes []string
	for _, r := range rs.Rules {
		switch r.Coverage(t.Region) {
		case inventory.RuleCovers:
			if tt := r.TrafficType; tt == "" || tt == inventory.TrafficAll || tt == inventory.TrafficReject {
				return fmt.Sprintf("CloudWatch telemetry rule %s makes this VPC's flow log (every VPC of the region, evaluation RUNNING): "+
					"no duplicate planned; if the VPC still fails, look at the rule's destination and the flow log it made", r.Name), nil
			}
			notes = append(notes, fmt.Sprintf("telemetry rule %s makes %s-only flow logs, which do not pass: a flow log is planned anyway", r.Name, r.TrafficType))
		case inventory.RuleMayCover:
			why := "its selection criteria are not evaluated by flowguard"
			switch {
			case r.Organization:
				why = "it is an organization rule (scope " + orDash(r.Scope) + ")"
			case r.EvaluationStatus == "":
				why = "the telemetry evaluation status could not be read"
			}
			notes = append(notes, fmt.Sprintf("telemetry rule %s may make this VPC's flow log (%s): a flow log is planned anyway; exclude the VPC with --exceptions if the rule covers it", r.Name, why))
		}
	}
	return "", notes
}

// telemetryNotes adds, once per region, what of the telemetry rules could not be read.
func telemetryNotes(p *Plan, states map[string]*regionState) {
	for _, r := range sortedKeys(states) {
		if n := states[r].RulesNote; n != "" {
			p.Notes = append(p.Notes, fmt.Sprintf("%s: %s; a VPC a telemetry rule already covers could get a second flow log", r, strings.TrimSpace(n)))
		}
	}
}
