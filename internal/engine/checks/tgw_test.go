package checks

import (
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

func tgwSnapshot() *inventory.Snapshot {
	const acct = "111111111111"
	fl := func(id, res, status, delivery string) inventory.FlowLog {
		return inventory.FlowLog{ID: id, ResourceID: res, ResourceType: inventory.ResourceTypeOf(res), Status: status,
			DestinationType: inventory.DestinationS3, Destination: "arn:aws:s3:::b", DeliverLogsStatus: delivery}
	}
	att := func(id, tgw, state string) inventory.TransitGatewayAttachment {
		return inventory.TransitGatewayAttachment{ID: id, TransitGatewayID: tgw, TransitGatewayOwnerID: acct, ResourceType: "vpc",
			ResourceID: "vpc-1", ResourceOwnerID: acct, State: state}
	}
	reg := &inventory.Region{AccountID: acct, Name: "eu-west-1",
		VPCs: []inventory.VPC{{ID: "vpc-1", OwnerID: acct}},
		TransitGateways: []inventory.TransitGateway{
			{ID: "tgw-none", OwnerID: acct, State: "available"},
			{ID: "tgw-own", OwnerID: acct, State: "available"},
			{ID: "tgw-atts", OwnerID: acct, State: "available"},
			{ID: "tgw-partial", OwnerID: acct, State: "available"},
			{ID: "tgw-failed", OwnerID: acct, State: "available"},
			{ID: "tgw-off", OwnerID: acct, State: "available"},
			{ID: "tgw-shared", OwnerID: "222222222222", State: "available"},
			{ID: "tgw-gone", OwnerID: acct, State: "deleted"},
		},
		TransitGatewayAttachments: []inventory.TransitGatewayAttachment{
			att("tgw-attach-a1", "tgw-atts", "available"), att("tgw-attach-a2", "tgw-atts", "available"),
			att("tgw-attach-a3", "tgw-atts", "deleted"), // deleted: needs no flow log
			att("tgw-attach-p1", "tgw-partial", "available"), att("tgw-attach-p2", "tgw-partial", "available"),
			att("tgw-attach-n1", "tgw-none", "available"),
		},
		FlowLogs: []inventory.FlowLog{
			fl("fl-own", "tgw-own", "ACTIVE", "SUCCESS"),
			fl("fl-a1", "tgw-attach-a1", "ACTIVE", "SUCCESS"), fl("fl-a2", "tgw-attach-a2", "ACTIVE", ""),
			fl("fl-p1", "tgw-attach-p1", "ACTIVE", "SUCCESS"),
			fl("fl-failed", "tgw-failed", "ACTIVE", "FAILED"),
			fl("fl-off", "tgw-off", "INACTIVE", ""),
		},
	}
	return &inventory.Snapshot{Schema: inventory.SnapshotSchema, Regions: []*inventory.Region{reg}}
}

func tgwFindings(t *testing.T, snap *inventory.Snapshot) map[string]finding.Finding {
	t.Helper()
	cs, err := Select(Builtin(), []string{"tgw-flow-logs-enabled"})
	if err != nil {
		t.Fatal(err)
	}
	out := Run(graph.Build(snap), cs, Options{})
	got := map[string]finding.Finding{}
	for _, f := range out.Findings {
		got[f.ResourceID] = f
	}
	return got
}

func TestTGWFlowLogsEnabled(t *testing.T) {
	got := tgwFindings(t, tgwSnapshot())
	want := map[string][2]string{
		"tgw-none":    {"FAIL", "NO_FLOW_LOG"},
		"tgw-own":     {"PASS", ""},
		"tgw-atts":    {"PASS", ""},
		"tgw-partial": {"FAIL", "ATTACHMENTS_UNCOVERED"},
		"tgw-failed":  {"FAIL", "DELIVERY_FAILED"},
		"tgw-off":     {"FAIL", "NOT_ACTIVE"},
		"tgw-shared":  {"SKIPPED", "SHARED_TRANSIT_GATEWAY"},
	}
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d (the deleted Transit Gateway has none): %v", len(got), len(want), got)
	}
	for id, w := range want {
		f := got[id]
		if string(f.Status) != w[0] || f.Reason != w[1] {
			t.Errorf("%s: %s %s (%s), want %s %s", id, f.Status, f.Reason, f.Message, w[0], w[1])
		}
		if f.ResourceType != "AWS::EC2::TransitGateway" {
			t.Errorf("%s: resource type %q", id, f.ResourceType)
		}
	}
	if m := got["tgw-partial"].Message; !strings.Contains(m, "tgw-attach-p2") || strings.Contains(m, "tgw-attach-p1") {
		t.Errorf("partial: message should name the uncovered attachment only: %q", m)
	}
	if m := got["tgw-shared"].Message; !strings.Contains(m, "222222222222") {
		t.Errorf("shared: %q", m)
	}
	ev := got["tgw-atts"].Evidence
	if len(ev.TransitGatewayAttachments) != 3 || len(ev.TransitGatewayAttachments[0].FlowLogs) != 1 {
		t.Errorf("evidence: %+v", ev.TransitGatewayAttachments)
	}
	if ev := got["tgw-own"].Evidence; len(ev.FlowLogs) != 1 || ev.FlowLogs[0].ID != "fl-own" {
		t.Errorf("evidence: %+v", ev.FlowLogs)
	}
}

// Attachments not read: a Transit Gateway without its own flow log could be covered by them, so ERROR.
func TestTGWFlowLogsEnabledUnread(t *testing.T) {
	snap := tgwSnapshot()
	snap.Regions[0].Errors = []inventory.ReadError{{AccountID: "111111111111", Region: "eu-west-1",
		Collection: inventory.CollTransitGatewayAttachments, Operation: "ec2:DescribeTransitGatewayAttachments", Message: "denied"}}
	for id, f := range tgwFindings(t, snap) {
		if f.Status == finding.StatusPass || f.Status == finding.StatusFail {
			t.Errorf("%s: %s with attachments unread", id, f.Status)
		}
	}
	snap.Regions[0].Errors[0].Collection = inventory.CollTransitGateways
	got := tgwFindings(t, snap)
	if f := got["eu-west-1"]; len(got) != 1 || f.Status != finding.StatusError {
		t.Errorf("Transit Gateways unread: want one region ERROR, got %v", got)
	}
}

// The coverage written on each attachment follows the check: a Transit Gateway fails with
// ATTACHMENTS_UNCOVERED exactly when one of its attachments is marked uncovered, and the message names those.
func TestAttachmentCoverageFollowsTheCheck(t *testing.T) {
	snap := tgwSnapshot()
	reg := snap.Regions[0]
	// An attachment of a gateway with its own flow log, and one whose own flow log's delivery failed.
	reg.TransitGatewayAttachments = append(reg.TransitGatewayAttachments,
		inventory.TransitGatewayAttachment{ID: "tgw-attach-o1", TransitGatewayID: "tgw-own", State: "available"},
		inventory.TransitGatewayAttachment{ID: "tgw-attach-p3", TransitGatewayID: "tgw-partial", State: "available"})
	reg.FlowLogs = append(reg.FlowLogs, inventory.FlowLog{ID: "fl-p3", ResourceID: "tgw-attach-p3",
		ResourceType: inventory.ResourceTypeOf("tgw-attach-p3"), Status: "ACTIVE", DeliverLogsStatus: "FAILED"})
	got := tgwFindings(t, snap)
	want := map[string]string{
		"tgw-attach-a1": finding.AttachmentCovered, "tgw-attach-a2": finding.AttachmentCovered,
		"tgw-attach-a3": finding.AttachmentNotLive,
		"tgw-attach-p1": finding.AttachmentCovered, "tgw-attach-p2": finding.AttachmentUncovered,
		"tgw-attach-p3": finding.AttachmentUncovered, // its flow log delivers nothing
		"tgw-attach-n1": finding.AttachmentUncovered,
		"tgw-attach-o1": finding.AttachmentCoveredByGateway,
	}
	seen := 0
	for id, f := range got {
		uncovered := []string{}
		for _, a := range f.Evidence.TransitGatewayAttachments {
			seen++
			if a.Coverage != want[a.ID] {
				t.Errorf("%s: attachment %s coverage %q, want %q", id, a.ID, a.Coverage, want[a.ID])
			}
			if a.Coverage == finding.AttachmentUncovered {
				uncovered = append(uncovered, a.ID)
			}
		}
		if (f.Reason == "ATTACHMENTS_UNCOVERED") != (len(uncovered) > 0 && f.Reason != "NO_FLOW_LOG") {
			t.Errorf("%s: %s %s, uncovered attachments %v", id, f.Status, f.Reason, uncovered)
		}
		if f.Status == finding.StatusPass && len(uncovered) > 0 {
			t.Errorf("%s passes with uncovered attachments %v", id, uncovered)
		}
		for _, a := range uncovered {
			if f.Reason == "ATTACHMENTS_UNCOVERED" && !strings.Contains(f.Message, a) {
				t.Errorf("%s: message %q does not name uncovered %s", id, f.Message, a)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("%d attachments in the evidence, want %d", seen, len(want))
	}
}
