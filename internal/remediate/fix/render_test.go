package fix

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
)

// TestWritePlanLongRegionsAndPlurals: a region longer than the old fixed 10 columns (ap-southeast-2) keeps the
// action and resource columns aligned across every step and list, and counts agree with their nouns.
func TestWritePlanLongRegionsAndPlurals(t *testing.T) {
	s := DefaultSettings()
	s.MaxBatches = 1
	short := Target{AccountID: "111122223333", Region: "us-east-1", VPCID: "vpc-0aaaaaaaaaaaaaaa1", NeedsFlowLog: true, Reasons: []string{"NO_FLOW_LOG"}, Batch: 1}
	long := Target{AccountID: "111122223333", Region: "ap-southeast-2", VPCID: "vpc-0bbbbbbbbbbbbbbb2", NeedsFlowLog: true, Reasons: []string{"NO_FLOW_LOG"}, Batch: 2}
	p := &Plan{Account: "111122223333", Settings: s, Regions: []string{"us-east-1"}, Targets: []Target{short}, Deferred: []Target{long},
		Skipped: []Skip{{AccountID: "111122223333", Region: "ap-southeast-2", VPCID: "vpc-1", Reason: "EXCEPTED"},
			{AccountID: "111122223333", Region: "eu-west-1", VPCID: "vpc-2", Reason: "SKIPPED"}},
		Diagnoses: []Diagnosis{{Region: "ap-southeast-2", VPCID: "vpc-3", FlowLogID: "fl-1", Cause: "bucket gone", Proposal: "recreate"},
			{Region: "us-east-1", VPCID: "vpc-4", Cause: "role gone", Proposal: "recreate the role"}},
		Steps: []Step{
			{Batch: 0, Action: ActCreateRole, Resource: "flowguard-role", Why: "deliver to CloudWatch Logs", PolicyDocument: "{\n  \"x\": 1\n}"},
			{Batch: 1, Region: "us-east-1", Action: ActCreateLogGroup, Resource: "/aws/vpc-flow-logs/a"},
			{Batch: 1, Region: "ap-southeast-2", Action: ActPutRetentionPolicy, Resource: "/aws/vpc-flow-logs/b", RetentionDays: 365, Why: "30 < 365"},
			{Batch: 1, Region: "us-east-1", Action: ActCreateFlowLogs, Resource: "/aws/vpc-flow-logs/a", VPCs: []string{short.VPCID},
				FlowLog: &FlowLogSpec{TrafficType: "REJECT", DestinationType: "cloud-watch-logs"}},
		}}
	var buf bytes.Buffer
	WritePlan(&buf, p, false)
	out := buf.String()
	for _, want := range []string{"1 VPC to change in 1 region, 4 API calls that change something", "at most 1 batch\n",
		"--max-batches 1 (1 VPC)", "retention 365 days"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"(s)", "(es)", "1 VPCs", "1 regions"} {
		if strings.Contains(out, bad) {
			t.Errorf("plan says %q:\n%s", bad, out)
		}
	}
	// Step lines: the action and the resource start at the same column on every step line.
	actionAt, resourceAt := -1, -1
	var under []string
	for _, l := range strings.Split(out, "\n") {
		for _, a := range []string{ActCreateRole, ActCreateLogGroup, ActPutRetentionPolicy, ActCreateFlowLogs} {
			if i := strings.Index(l, a); i > 0 && strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") {
				res := strings.LastIndex(l, " ") + 1
				if actionAt == -1 {
					actionAt, resourceAt = i, res
				} else if i != actionAt || res != resourceAt {
					t.Errorf("step columns at %d/%d, want %d/%d:\n%s", i, res, actionAt, resourceAt, out)
				}
			}
		}
		if strings.HasPrefix(l, strings.Repeat(" ", 5)) && !strings.HasPrefix(strings.TrimSpace(l), `"`) { // JSON indents its own
			under = append(under, l)
		}
	}
	for _, l := range under {
		if ind := len(l) - len(strings.TrimLeft(l, " ")); ind != actionAt && ind != actionAt+2 && !strings.Contains(l, "proposal:") {
			t.Errorf("line under a step indented %d, want %d (under the action, +2 for a policy document):\n%s", ind, actionAt, l)
		}
	}
	// Lists: the column after the region starts at the same place on each of the list's lines.
	for _, pair := range [][2]string{{"vpc-1 ", "vpc-2 "}, {"vpc-3 ", "vpc-4 "}} {
		if a, b := lineCol(out, pair[0]), lineCol(out, pair[1]); a != b || a < 0 {
			t.Errorf("%s at column %d, %s at %d:\n%s", pair[0], a, pair[1], b, out)
		}
	}

	buf.Reset()
	WriteOutcome(&buf, &Outcome{RunID: "r1", Status: "partial", VPCs: []VPCOutcome{
		{Region: "ap-southeast-2", VPCID: "vpc-5", Status: OutcomeFailed, Error: "denied"},
		{Region: "us-east-1", VPCID: "vpc-6", Status: OutcomeNotAttempted, Error: "interrupted"}}})
	if a, b := lineCol(buf.String(), "vpc-5"), lineCol(buf.String(), "vpc-6"); a != b {
		t.Errorf("outcome rows not aligned:\n%s", buf.String())
	}
}

// lineCol is the cell column at which sub starts on its line, or -1.
func lineCol(text, sub string) int {
	for _, l := range strings.Split(text, "\n") {
		if i := strings.Index(l, sub); i >= 0 {
			return human.Width(l[:i])
		}
	}
	return -1
}

// TestWriteVerify: failures first, the status filter, colour that does not move the columns, long regions.
func TestWriteVerify(t *testing.T) {
	v := &VerifyResult{RunID: "r1", Pass: 2, Fail: 1, Error: 1, VPCs: []VPCVerdict{
		{Region: "us-east-1", VPCID: "vpc-1", Status: finding.StatusPass, Delivery: "SUCCESS"},
		{Region: "ap-southeast-2", VPCID: "vpc-2", Status: finding.StatusFail, Reason: "NO_FLOW_LOG"},
		{Region: "eu-west-1", VPCID: "vpc-3", Status: finding.StatusPass, Delivery: "SUCCESS"},
		{Region: "us-east-1", VPCID: "vpc-4", Status: finding.StatusError, Reason: "READ_FAILED"},
	}}
	var plain, colored, failing bytes.Buffer
	WriteVerify(&plain, v, VerifyTableOptions{})
	WriteVerify(&colored, v, VerifyTableOptions{Color: true})
	WriteVerify(&failing, v, VerifyTableOptions{Statuses: []string{"FAIL"}})
	if got := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(colored.String(), ""); got != plain.String() || got == colored.String() {
		t.Errorf("colour changes the layout or is missing:\n%s", colored.String())
	}
	lines := strings.Split(strings.TrimSpace(plain.String()), "\n")
	if lines[0] != "run r1: 2 of 4 VPCs pass, 1 fail, 1 could not be read" {
		t.Errorf("counts line %q", lines[0])
	}
	if !strings.HasPrefix(lines[2], "FAIL ") || !strings.HasPrefix(lines[3], "ERROR ") {
		t.Errorf("failures and errors do not come first:\n%s", plain.String())
	}
	for _, l := range lines[2:] {
		if lineCol(l, "vpc-") != strings.Index(lines[1], "VPC") {
			t.Errorf("VPC column off:\n%s\n%s", lines[1], l)
		}
	}
	if f := failing.String(); !strings.Contains(f, "vpc-2") || strings.Contains(f, "vpc-1") || strings.Contains(f, "vpc-4") {
		t.Errorf("status filter FAIL:\n%s", f)
	}
}
