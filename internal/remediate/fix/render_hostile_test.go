package fix

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/textsafe/hostile"
)

// The plan an operator approves cannot be forged or repainted by what an attacker wrote into tags, names,
// ids or AWS error messages: every value is shown escaped, on its own line, and nothing reads as PASS.
func TestWritePlanHostileValues(t *testing.T) {
	h := hostile.Value
	res := &finding.Result{Findings: []finding.Finding{
		{CheckID: CheckEnabled, Status: finding.StatusFail, Reason: h(0), AccountID: "111122223333", Region: "eu-west-1" + h(1),
			ResourceType: finding.ResourceVPC, ResourceID: "vpc-1" + h(2), ResourceName: h(3),
			Evidence: finding.Evidence{Tags: map[string]string{"Name": h(3), h(4): h(5), "env": "production"},
				FlowLogs: []finding.FlowLogEvidence{{ID: "fl-" + h(6), DeliverLogsStatus: "FAILED", DeliverLogsError: h(0)}}}},
		{CheckID: CheckEnabled, Status: finding.StatusFail, Reason: "NO_FLOW_LOG", AccountID: "111122223333", Region: "eu-west-1",
			ResourceType: finding.ResourceVPC, ResourceID: "vpc-big", ResourceName: hostile.Big()},
		{CheckID: CheckEnabled, Status: finding.StatusError, Message: h(1), AccountID: "111122223333" + h(2), Region: h(3),
			ResourceType: finding.ResourceVPC, ResourceID: "vpc-3" + h(4)},
	}}
	s := DefaultSettings()
	targets, skipped := TargetsFromResult(res, s)
	if len(targets) != 2 || len(skipped) != 1 {
		t.Fatalf("targets %d, skipped %d", len(targets), len(skipped))
	}
	s.LogGroupTemplate = "/flowguard/" + h(5)
	// Policy documents are indented JSON: their line breaks are flowguard's, a value's are escaped by JSON.
	doc, _ := json.MarshalIndent(map[string]any{"Resource": h(4)}, "", "  ")
	policy := string(doc)
	p := &Plan{RunID: h(0), Account: "111122223333" + h(1), Settings: s, Targets: targets, Skipped: skipped, Deferred: targets[:1],
		Done:      []Done{{Target: targets[0], FlowLogID: h(2)}},
		Diagnoses: []Diagnosis{{Region: h(3), VPCID: h(4), FlowLogID: h(5), Cause: h(6), Proposal: h(0)}},
		Notes:     []string{h(1)},
		Steps: []Step{
			{Batch: 0, Action: ActCreateRole, Resource: h(2), Why: h(3), PolicyDocument: policy},
			{Batch: 1, Region: targets[0].Region, Action: ActCreateLogGroup, Resource: h(5), Tags: map[string]string{h(6): h(0)}, KMSKey: h(1)},
			{Batch: 1, Region: targets[0].Region, Action: ActPutRetentionPolicy, Resource: h(2), Why: h(3), RetentionDays: 365},
			{Batch: 1, Region: targets[0].Region, Action: ActCreateFlowLogs, Resource: h(4), VPCs: []string{targets[0].VPCID, targets[1].VPCID},
				Tags: map[string]string{h(5): h(6)}, FlowLog: &FlowLogSpec{TrafficType: h(0), DestinationType: h(1), RoleARN: h(2), FileFormat: h(3)}},
		}}
	for _, applying := range []bool{false, true} {
		var buf bytes.Buffer
		WritePlan(&buf, p, applying)
		out := buf.String()
		hostile.TerminalSafe(t, "fix plan", out)
		if !strings.Contains(out, "vpc-1-=cmd|' /C calc'!A0\\x1b[2J") {
			t.Errorf("fix plan: the VPC id is not shown escaped:\n%.2000s", out)
		}
		if len(out) > 8*len(hostile.Big())+64<<10 {
			t.Errorf("fix plan: %d bytes", len(out))
		}
	}
	var buf bytes.Buffer
	WriteOutcome(&buf, &Outcome{RunID: h(0), Status: h(1), JournalPath: h(2), Errors: []string{h(3)},
		VPCs: []VPCOutcome{{Region: h(4), VPCID: h(5), Status: OutcomeFailed, Error: h(6)}}})
	hostile.TerminalSafe(t, "fix outcome", buf.String())
}
