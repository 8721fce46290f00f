package report

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	goldenfile "github.com/flowguard/flowguard/internal/testenv/golden"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

func ptr[T any](v T) *T { return &v }

var vpcControls = []finding.Control{
	{Framework: "CIS AWS Foundations", Version: "v3.0", ID: "3.7"},
	{Framework: "AWS Security Hub", ID: "EC2.6"},
}

// sampleResult has every status, two accounts and regions, an IaC location, read errors, exceptions in each
// state, and tags that carry HTML, script and spreadsheet formulas, so that every writer's escaping is tested.
func sampleResult() *finding.Result {
	start := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	exc := &finding.ExceptionEvidence{ID: "EX-1", Owner: "net-team@example.com", Reason: "legacy <VPC> & migration", Expires: "2026-12-31", Ticket: "SEC-42"}
	expired := &finding.ExceptionEvidence{ID: "EX-2", Owner: "bob", Reason: "temporary", Expires: "2026-11-01", Expired: true}
	vpc := func(acct, region, id, name string, st finding.Status, reason, msg string) finding.Finding {
		tags := map[string]string{}
		if name != "" {
			tags["Name"] = name
		}
		return finding.Finding{
			CheckID: "vpc-flow-logs-enabled", Title: "VPC flow logging is enabled in all VPCs", Severity: "medium",
			Status: st, Reason: reason, Message: msg, AccountID: acct, Region: region,
			ResourceType: finding.ResourceVPC, ResourceID: id, ResourceName: name,
			Evidence: finding.Evidence{OwnerID: acct, Tags: tags}, Controls: vpcControls,
		}
	}
	fs := []finding.Finding{
		vpc("111111111111", "us-east-1", "vpc-0aaa", `<script>alert("x")</script>`, finding.StatusFail, finding.ReasonNoFlowLog, "VPC has no flow log"),
		vpc("111111111111", "us-east-1", "vpc-0bbb", "prod & <b>core</b>", finding.StatusPass, "", "ACTIVE flow log fl-1 (ALL) delivers to CloudWatch Logs"),
		vpc("111111111111", "us-east-1", "vpc-0ccc", "=HYPERLINK(\"http://x\")", finding.StatusExcepted, finding.ReasonAcceptOnly, "only ACCEPT traffic is logged"),
		vpc("111111111111", "eu-west-1", "vpc-0ddd", "", finding.StatusError, finding.ReasonReadFailed, "flow logs could not be read: AccessDenied"),
		vpc("222222222222", "us-east-1", "vpc-0eee", "shared", finding.StatusSkipped, finding.ReasonSharedVPC, "VPC is owned by 333333333333; evaluated there"),
		vpc("222222222222", "us-east-1", "vpc-0fff", "dev", finding.StatusFail, finding.ReasonDeliveryFailed, "flow log fl-9 delivery FAILED: Access error"),
		{
			CheckID: "log-group-retention", Title: "Flow-log log groups keep events for at least 365 days", Severity: "low",
			Status: finding.StatusFail, Reason: finding.ReasonRetentionTooShort, Message: "retention 30 days < 365",
			AccountID: "111111111111", Region: "us-east-1", ResourceType: finding.ResourceLogGroup, ResourceID: "/vpc/flow-logs",
			Evidence: finding.Evidence{LogGroups: []finding.LogGroupEvidence{{Name: "/vpc/flow-logs", Exists: true, RetentionDays: ptr[int32](30)}}},
		},
		{
			CheckID: "vpc-flow-logs-enabled", Title: "VPC flow logging is enabled in all VPCs", Severity: "medium",
			Status: finding.StatusFail, Reason: finding.ReasonNoFlowLog, Message: "aws_vpc.main has no aws_flow_log",
			ResourceType: finding.ResourceVPC, ResourceID: "aws_vpc.main",
			Location: &inventory.Location{File: "infra/network/main.tf", Line: 12, Address: "aws_vpc.main"}, Controls: vpcControls,
		},
	}
	fs[0].Evidence.Tags["env"] = "prod\"><img src=x onerror=alert(1)>"
	fs[2].Evidence.Exception = exc
	fs[3].Evidence.Error = "AccessDenied: not authorized to perform ec2:DescribeFlowLogs"
	fs[5].Evidence.Exception = expired
	fs[5].Evidence.FlowLogs = []finding.FlowLogEvidence{{ID: "fl-9", ResourceID: "vpc-0fff", Status: "ACTIVE", TrafficType: "ALL", DestinationType: "s3", Destination: "arn:aws:s3:::logs", DeliverLogsStatus: "FAILED", DeliverLogsError: "Access error"}}
	r := &finding.Result{
		Schema: finding.ResultSchema, Tool: finding.Tool{Name: "flowguard", Version: "0.1.0-test"}, Source: "aws",
		StartedAt: start, FinishedAt: start.Add(3 * time.Second),
		Accounts: []string{"111111111111", "222222222222"}, Regions: []string{"eu-west-1", "us-east-1"},
		Findings: fs,
		Errors:   []finding.Error{{AccountID: "111111111111", Region: "eu-west-1", Operation: "DescribeFlowLogs", Code: "AccessDenied", Message: "not authorized <to> perform"}},
		Notes:    []string{"exception EX-3 (exceptions.yaml:14) matched no finding: stale"},
		Checks: []finding.CheckInfo{{
			ID: "vpc-flow-logs-enabled", Title: "VPC flow logging is enabled in all VPCs", Severity: "medium",
			Description: "Every VPC has an ACTIVE flow log on the VPC itself that captures REJECT or ALL traffic and delivers.",
			Remediation: "flowguard fix --traffic-type REJECT", Controls: vpcControls,
		}},
		Exceptions: []finding.ExceptionStatus{
			{ID: "EX-1", Owner: "net-team@example.com", Reason: "legacy <VPC> & migration", Expires: "2026-12-31", Ticket: "SEC-42", Match: "vpc=vpc-0ccc", File: "exceptions.yaml", Line: 2, State: finding.ExceptionActive, Matched: 1},
			{ID: "EX-2", Owner: "bob", Reason: "temporary", Expires: "2026-11-01", Match: "tag:Name=dev", File: "exceptions.yaml", Line: 8, State: finding.ExceptionExpired, Matched: 1},
			{ID: "EX-3", Owner: "carol", Reason: "<script>alert('stale')</script>", Expires: "2027-01-31", Match: "account=999999999999", File: "exceptions.yaml", Line: 14, State: finding.ExceptionStale},
		},
		Summary: finding.Summary{VPCs: 7},
	}
	r.Summarize()
	return r
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Bytes(t, filepath.Join("testdata", name), got)
}

// render writes r in format name.
func render(t *testing.T, name string, r *finding.Result) []byte {
	t.Helper()
	f, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, Options{}); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	return buf.Bytes()
}

// emptyResult is a scan that found nothing: every writer must still produce a valid document.
func emptyResult() *finding.Result {
	r := &finding.Result{Schema: finding.ResultSchema, Tool: finding.Tool{Name: "flowguard", Version: "0.1.0-test"}, Source: "aws",
		StartedAt: time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC), FinishedAt: time.Date(2026, 11, 23, 4, 0, 1, 0, time.UTC)}
	r.Summarize()
	return r
}
