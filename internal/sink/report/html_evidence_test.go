package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
)

// Check ids and resources of EvidenceResult.
const (
	EvidenceTGW = "tgw-0e1"
	EvidenceVPC = "vpc-0d1"
)

// EvidenceResult is sampleResult with the three kinds of evidence the VPC table's own columns do not carry:
// a Transit Gateway whose attachments are partly uncovered (two findings, overlapping attachments), and a VPC
// with telemetry rules and delivery evidence (two findings, the rules repeated). The browser test opens it too.
func EvidenceResult() *finding.Result {
	r := sampleResult()
	at := func(s string) *time.Time { t, _ := time.Parse(time.RFC3339, s); return &t }
	secs := func(s int64) *int64 { return &s }
	flA := finding.FlowLogEvidence{ID: "fl-att1", ResourceID: "tgw-attach-1", Status: "ACTIVE", TrafficType: "ALL",
		DestinationType: "cloud-watch-logs", Destination: "arn:aws:logs:eu-west-1:111111111111:log-group:/tgw", DeliverLogsStatus: "SUCCESS"}
	flFailed := finding.FlowLogEvidence{ID: "fl-att4", ResourceID: "tgw-attach-4", Status: "ACTIVE", TrafficType: "ALL",
		DestinationType: "s3", Destination: "arn:aws:s3:::tgw-logs", DeliverLogsStatus: "FAILED", DeliverLogsError: "Access error"}
	tgw := finding.Finding{
		CheckID: "tgw-flow-logs-enabled", Title: "Transit Gateway flow logging is enabled", Severity: "medium",
		Status: finding.StatusFail, Reason: "ATTACHMENTS_UNCOVERED",
		Message:   "no flow log on the Transit Gateway, and 2 live attachments without an ACTIVE flow log: tgw-attach-2, tgw-attach-4",
		AccountID: "111111111111", Region: "eu-west-1", ResourceType: "AWS::EC2::TransitGateway", ResourceID: EvidenceTGW,
		Evidence: finding.Evidence{OwnerID: "111111111111", Tags: map[string]string{"Name": "core-tgw"},
			TransitGatewayAttachments: []finding.AttachmentEvidence{
				{ID: "tgw-attach-1", ResourceType: "vpc", ResourceID: "vpc-0aaa", ResourceOwnerID: "111111111111", State: "available", Coverage: finding.AttachmentCovered, FlowLogs: []finding.FlowLogEvidence{flA}},
				{ID: "tgw-attach-2", ResourceType: "vpn", ResourceID: "vpn-0f2", ResourceOwnerID: "222222222222", State: "available", Coverage: finding.AttachmentUncovered},
				{ID: "tgw-attach-3", ResourceType: "vpc", ResourceID: "vpc-0gone", State: "deleted", Coverage: finding.AttachmentNotLive},
				{ID: "tgw-attach-4", ResourceType: "peering", ResourceID: "tgw-0peer", State: "pendingAcceptance", Coverage: finding.AttachmentUncovered, FlowLogs: []finding.FlowLogEvidence{flFailed}},
			}},
	}
	// A second finding on the same Transit Gateway (a user check) repeats an attachment and adds one.
	tgw2 := tgw
	tgw2.CheckID, tgw2.Title, tgw2.Status, tgw2.Reason, tgw2.Message = "tgw-attachments-inventory", "Transit Gateway attachments are known", finding.StatusPass, "", "5 attachments"
	tgw2.Evidence.TransitGatewayAttachments = []finding.AttachmentEvidence{
		{ID: "tgw-attach-1", ResourceType: "vpc", ResourceID: "vpc-0aaa", ResourceOwnerID: "111111111111", State: "available", Coverage: finding.AttachmentCovered, FlowLogs: []finding.FlowLogEvidence{flA}},
		{ID: "tgw-attach-5", ResourceType: "direct-connect-gateway", ResourceID: "dxgw-1", State: "available", Coverage: finding.AttachmentUncovered},
	}
	rules := []finding.TelemetryRuleEvidence{
		{Name: "org-vpc-flow-logs", Organization: true, Coverage: "covers", EvaluationStatus: "RUNNING", Scope: "OU ou-ab12-cdef3456",
			DestinationType: "cloud-watch-logs", TrafficType: "ALL"},
		{Name: "prod-vpcs", Coverage: "may-cover", EvaluationStatus: "RUNNING", SelectionCriteria: `tag:env = "prod"`, DestinationType: "s3", TrafficType: "REJECT"},
		{Name: "org-vpc-flow-logs", Coverage: "inactive", EvaluationStatus: "STOPPED"}, // an account rule of the same name
	}
	enabled := finding.Finding{
		CheckID: "vpc-flow-logs-enabled", Title: "VPC flow logging is enabled in all VPCs", Severity: "medium",
		Status: finding.StatusPass, Message: "a telemetry rule makes its flow log",
		AccountID: "111111111111", Region: "eu-west-1", ResourceType: finding.ResourceVPC, ResourceID: EvidenceVPC,
		Evidence: finding.Evidence{OwnerID: "111111111111", TelemetryRules: rules,
			FlowLogs: []finding.FlowLogEvidence{{ID: "fl-0d1", ResourceID: EvidenceVPC, Status: "ACTIVE", TrafficType: "ALL", DestinationType: "cloud-watch-logs", Destination: "/vpc/fl"}}},
		Controls: vpcControls,
	}
	delivering := enabled
	delivering.CheckID, delivering.Title, delivering.Status, delivering.Reason = "vpc-flow-logs-delivering", "VPC flow logs deliver records", finding.StatusFail, finding.ReasonStale
	delivering.Message = "the newest record is 2 h 30 min old (maximum 1 h)"
	delivering.Evidence.TelemetryRules = rules[:1]
	delivering.Evidence.Delivery = &finding.DeliveryEvidence{
		ReadAt: at("2026-11-23T04:00:00Z"), NewestRecord: at("2026-11-23T01:30:00Z"), LagSeconds: secs(9000), MaxLagSeconds: 3600,
		InterfacesWithRecords: []finding.InterfaceRecord{{ID: "eni-0with", Stream: "eni-0with-all", LastRecord: at("2026-11-23T03:59:00Z"), LagSeconds: secs(60)}},
		InterfacesWithoutRecords: []finding.InterfaceRecord{
			{ID: "eni-0never", Stream: "eni-0never-all"},
			{ID: "eni-0old", LastRecord: at("2026-11-22T00:00:00Z"), LagSeconds: secs(100800)},
		},
		FlowLogs: []finding.FlowLogDelivery{
			{ID: "fl-0d1", Where: "log group /vpc/fl", NewestRecord: at("2026-11-23T01:30:00Z"), Source: "eni-0old-all", LagSeconds: secs(9000),
				Since: at("2026-11-22T04:00:00Z"), AgeSeconds: secs(864000)},
			{ID: "fl-0d2", Where: "s3://flow-bucket/AWSLogs/", NeverDelivered: true, Since: at("2026-11-22T04:00:00Z"), AgeSeconds: secs(7200),
				StreamStatus: "", ErrorCode: "AccessDenied", Error: "not authorized to perform s3:ListBucket"},
		},
	}
	r.Findings = append(r.Findings, tgw, tgw2, enabled, delivering)
	r.Summarize()
	return r
}

// TestHTMLEvidenceSections: the data block carries each row's Transit Gateway attachments (with their
// coverage), telemetry rules and delivery evidence exactly, merged across the row's findings without
// duplicates; rows without them carry no key for them.
func TestHTMLEvidenceSections(t *testing.T) {
	page := render(t, "html", EvidenceResult())
	if p := validateHTML(page, EvidenceResult()); len(p) > 0 {
		t.Fatal(p)
	}
	d, err := htmlDataBlock(page)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]*htmlJSONRow{}
	for _, row := range d.Rows {
		rows[row.ID] = row
	}
	secs := func(s int64) *int64 { return &s }
	unixOf := func(s string) *int64 { t, _ := time.Parse(time.RFC3339, s); return secs(t.Unix()) }

	tgw := rows[EvidenceTGW]
	if tgw == nil || len(tgw.Findings) != 2 {
		t.Fatalf("TGW row: %+v", tgw)
	}
	// In the order first seen: the user check (tgw-attachments-…) sorts before tgw-flow-logs-enabled.
	wantAtt := []htmlAttachment{
		{ID: "tgw-attach-1", ResourceType: "vpc", ResourceID: "vpc-0aaa", ResourceOwnerID: "111111111111", State: "available", Coverage: 0,
			FlowLogs: []htmlFlowLog{{ID: "fl-att1", Status: "ACTIVE", TrafficType: "ALL", DestinationType: "cloud-watch-logs",
				Destination: "arn:aws:logs:eu-west-1:111111111111:log-group:/tgw", DeliverLogsStatus: "SUCCESS"}}},
		{ID: "tgw-attach-5", ResourceType: "direct-connect-gateway", ResourceID: "dxgw-1", State: "available", Coverage: 1, FlowLogs: []htmlFlowLog{}},
		{ID: "tgw-attach-2", ResourceType: "vpn", ResourceID: "vpn-0f2", ResourceOwnerID: "222222222222", State: "available", Coverage: 1, FlowLogs: []htmlFlowLog{}},
		{ID: "tgw-attach-3", ResourceType: "vpc", ResourceID: "vpc-0gone", State: "deleted", Coverage: 2, FlowLogs: []htmlFlowLog{}},
		{ID: "tgw-attach-4", ResourceType: "peering", ResourceID: "tgw-0peer", State: "pendingAcceptance", Coverage: 1,
			FlowLogs: []htmlFlowLog{{ID: "fl-att4", Status: "ACTIVE", TrafficType: "ALL", DestinationType: "s3", Destination: "arn:aws:s3:::tgw-logs",
				DeliverLogsStatus: "FAILED", DeliverLogsError: "Access error"}}},
	}
	if diff := cmp.Diff(wantAtt, tgw.Attachments); diff != "" {
		t.Errorf("TGW attachments (-want +got):\n%s", diff)
	}
	if tgw.Rules != nil || tgw.Delivery != nil {
		t.Errorf("TGW row has rules or delivery: %+v %+v", tgw.Rules, tgw.Delivery)
	}

	vpc := rows[EvidenceVPC]
	if vpc == nil || len(vpc.Findings) != 2 {
		t.Fatalf("VPC row: %+v", vpc)
	}
	wantRules := []htmlTelemetryRule{
		{Name: "org-vpc-flow-logs", Organization: true, Coverage: "covers", EvaluationStatus: "RUNNING", Scope: "OU ou-ab12-cdef3456", DestinationType: "cloud-watch-logs", TrafficType: "ALL"},
		{Name: "prod-vpcs", Coverage: "may-cover", EvaluationStatus: "RUNNING", SelectionCriteria: `tag:env = "prod"`, DestinationType: "s3", TrafficType: "REJECT"},
		{Name: "org-vpc-flow-logs", Coverage: "inactive", EvaluationStatus: "STOPPED"},
	}
	if diff := cmp.Diff(wantRules, vpc.Rules); diff != "" {
		t.Errorf("telemetry rules (-want +got):\n%s", diff)
	}
	wantDel := &htmlDelivery{ReadAt: unixOf("2026-11-23T04:00:00Z"), Newest: unixOf("2026-11-23T01:30:00Z"), Lag: secs(9000), MaxLag: 3600,
		With: []htmlInterfaceRecord{{ID: "eni-0with", Stream: "eni-0with-all", Last: unixOf("2026-11-23T03:59:00Z"), Lag: secs(60)}},
		Without: []htmlInterfaceRecord{{ID: "eni-0never", Stream: "eni-0never-all"},
			{ID: "eni-0old", Last: unixOf("2026-11-22T00:00:00Z"), Lag: secs(100800)}},
		FlowLogs: []htmlFlowLogDelivery{
			{ID: "fl-0d1", Where: "log group /vpc/fl", Newest: unixOf("2026-11-23T01:30:00Z"), Source: "eni-0old-all", Lag: secs(9000),
				Since: unixOf("2026-11-22T04:00:00Z"), Age: secs(864000)},
			{ID: "fl-0d2", Where: "s3://flow-bucket/AWSLogs/", NeverDelivered: true, Since: unixOf("2026-11-22T04:00:00Z"), Age: secs(7200),
				ErrorCode: "AccessDenied", Error: "not authorized to perform s3:ListBucket"},
		}}
	if diff := cmp.Diff(wantDel, vpc.Delivery); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}

	// Rows without the evidence carry none of its keys: the data block of a plain VPC scan does not grow.
	for _, row := range d.Rows {
		if row.ID == EvidenceTGW || row.ID == EvidenceVPC {
			continue
		}
		b, _ := json.Marshal(row)
		for _, k := range []string{`"tga":`, `"tel":`, `"dl":`} {
			if bytes.Contains(b, []byte(k)) {
				t.Errorf("row %s holds %s: %s", row.ID, k, b)
			}
		}
	}
	plain, err := htmlDataBlock(render(t, "html", sampleResult()))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range plain.Rows {
		if row.Attachments != nil || row.Rules != nil || row.Delivery != nil {
			t.Errorf("plain row %s got evidence sections", row.ID)
		}
	}
}

// TestHTMLAttachmentCoverageCodes: each coverage the engine writes has its own code for the page; anything
// else (an older or edited result file) is -1, which the page shows as "—".
func TestHTMLAttachmentCoverageCodes(t *testing.T) {
	codes := map[int]bool{}
	for _, c := range []string{finding.AttachmentCovered, finding.AttachmentUncovered, finding.AttachmentNotLive, finding.AttachmentCoveredByGateway} {
		got := mergeAttachments(nil, []finding.AttachmentEvidence{{ID: "a", Coverage: c}})
		if n := got[0].Coverage; n < 0 || codes[n] {
			t.Errorf("coverage %q: code %d (taken: %v)", c, n, codes)
		}
		codes[got[0].Coverage] = true
	}
	for _, c := range []string{"", "UNCOVERED", "<b>x</b>"} {
		if got := mergeAttachments(nil, []finding.AttachmentEvidence{{ID: "a", Coverage: c}}); got[0].Coverage != -1 {
			t.Errorf("coverage %q: code %d, want -1", c, got[0].Coverage)
		}
	}
}

// TestHTMLEvidenceArraysRejectWrongShape: the array encodings read back only what they write.
func TestHTMLEvidenceArraysRejectWrongShape(t *testing.T) {
	for _, c := range []struct {
		v   json.Unmarshaler
		bad string
	}{
		{new(htmlAttachment), `["a","vpc","vpc-1","1","available",0]`},
		{new(htmlTelemetryRule), `["r",true,"covers"]`},
		{new(htmlInterfaceRecord), `["eni","s",1]`},
		{new(htmlFlowLogDelivery), `["fl","w",1,"s",2,"no",null,null,"","",""]`},
	} {
		if err := c.v.UnmarshalJSON([]byte(c.bad)); err == nil {
			t.Errorf("%T accepted %s", c.v, c.bad)
		}
	}
	// And round-trip what they write.
	d := mergeDelivery(nil, EvidenceResult().Findings[len(EvidenceResult().Findings)-1].Evidence.Delivery)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back htmlDelivery
	if err := json.Unmarshal(b, &back); err != nil || !cmp.Equal(*d, back) {
		t.Errorf("delivery round trip: %v\n%s", err, cmp.Diff(*d, back))
	}
	if strings.Contains(string(b), `"ReadAt"`) {
		t.Errorf("long keys in %s", b)
	}
}

// TestHTMLRowKeysLeaveScriptState: the page's script stores a row's element, detail, state and search text
// on the row's own object; a data key of that name would be overwritten or, worse, read as that state.
func TestHTMLRowKeysLeaveScriptState(t *testing.T) {
	js := htmlJS
	typ := reflect.TypeOf(htmlJSONRow{})
	for i := 0; i < typ.NumField(); i++ {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if strings.Contains(js, "r."+key+" = ") {
			t.Errorf("data key %q is also state the script sets on a row (r.%s = …)", key, key)
		}
	}
	if !strings.Contains(js, "r.tr = ") {
		t.Fatal("the script no longer sets r.tr: update this test's pattern")
	}
}
