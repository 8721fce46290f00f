package engine

import (
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

func fl(id, res, status, traffic, delivery string) inventory.FlowLog {
	return inventory.FlowLog{ID: id, ResourceID: res, Status: status, TrafficType: traffic, DeliverLogsStatus: delivery,
		DestinationType: inventory.DestinationS3, Destination: "arn:aws:s3:::b"}
}

// Pure decision logic: which reason wins when a VPC has several flow logs, and what never passes.
func TestEnabledVerdicts(t *testing.T) {
	const vpc = "vpc-1"
	tests := []struct {
		name       string
		logs       []inventory.FlowLog
		wantStatus finding.Status
		wantReason string
	}{
		{"none", nil, finding.StatusFail, finding.ReasonNoFlowLog},
		{"reject active ok", []inventory.FlowLog{fl("a", vpc, "ACTIVE", "REJECT", "SUCCESS")}, finding.StatusPass, ""},
		{"all active, delivery status absent", []inventory.FlowLog{fl("a", vpc, "ACTIVE", "ALL", "")}, finding.StatusPass, ""},
		{"accept only", []inventory.FlowLog{fl("a", vpc, "ACTIVE", "ACCEPT", "SUCCESS")}, finding.StatusFail, finding.ReasonAcceptOnly},
		{"inactive", []inventory.FlowLog{fl("a", vpc, "INACTIVE", "ALL", "SUCCESS")}, finding.StatusFail, finding.ReasonNotActive},
		{"delivery failed", []inventory.FlowLog{fl("a", vpc, "ACTIVE", "ALL", "FAILED")}, finding.StatusFail, finding.ReasonDeliveryFailed},
		{"failed delivery outranks accept-only", []inventory.FlowLog{fl("a", vpc, "ACTIVE", "ACCEPT", "SUCCESS"), fl("b", vpc, "ACTIVE", "REJECT", "FAILED")}, finding.StatusFail, finding.ReasonDeliveryFailed},
		{"accept-only outranks inactive", []inventory.FlowLog{fl("a", vpc, "INACTIVE", "ALL", "SUCCESS"), fl("b", vpc, "ACTIVE", "ACCEPT", "SUCCESS")}, finding.StatusFail, finding.ReasonAcceptOnly},
		{"one good log is enough", []inventory.FlowLog{fl("a", vpc, "ACTIVE", "ACCEPT", "SUCCESS"), fl("b", vpc, "ACTIVE", "REJECT", "SUCCESS")}, finding.StatusPass, ""},
		{"subnet only", []inventory.FlowLog{fl("a", "subnet-1", "ACTIVE", "ALL", "SUCCESS")}, finding.StatusFail, finding.ReasonSubnetOrENIOnly},
		{"interface only", []inventory.FlowLog{fl("a", "eni-1", "ACTIVE", "ALL", "SUCCESS")}, finding.StatusFail, finding.ReasonSubnetOrENIOnly},
		{"another VPC's log", []inventory.FlowLog{fl("a", "vpc-2", "ACTIVE", "ALL", "SUCCESS")}, finding.StatusFail, finding.ReasonNoFlowLog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := &inventory.Snapshot{Regions: []*inventory.Region{{
				AccountID: "111111111111", Name: "us-east-1",
				VPCs:              []inventory.VPC{{ID: vpc, OwnerID: "111111111111"}},
				Subnets:           []inventory.Subnet{{ID: "subnet-1", VPCID: vpc}},
				NetworkInterfaces: []inventory.NetworkInterface{{ID: "eni-1", VPCID: vpc, SubnetID: "subnet-1"}},
				FlowLogs:          tt.logs,
			}}}
			res := evalSnapshot(snap, Options{})
			if len(res.Findings) != 1 {
				t.Fatalf("findings = %+v", res.Findings)
			}
			f := res.Findings[0]
			if f.Status != tt.wantStatus || f.Reason != tt.wantReason {
				t.Errorf("got %s %s (%s), want %s %s", f.Status, f.Reason, f.Message, tt.wantStatus, tt.wantReason)
			}
		})
	}
}

func TestUnreadCollections(t *testing.T) {
	region := func(errs ...inventory.Collection) *inventory.Region {
		r := &inventory.Region{AccountID: "111111111111", Name: "eu-west-1",
			VPCs:              []inventory.VPC{{ID: "vpc-1", OwnerID: "111111111111"}, {ID: "vpc-unused", OwnerID: "111111111111"}},
			FlowLogs:          []inventory.FlowLog{{ID: "fl-1", ResourceID: "vpc-1", Status: "ACTIVE", TrafficType: "ALL", DestinationType: inventory.DestinationCloudWatchLogs, LogGroupName: "g"}},
			NetworkInterfaces: []inventory.NetworkInterface{{ID: "eni-1", VPCID: "vpc-1"}},
			LogGroups:         []inventory.LogGroup{{Name: "g"}},
		}
		for _, c := range errs {
			r.Errors = append(r.Errors, inventory.ReadError{AccountID: r.AccountID, Region: r.Name, Collection: c, Operation: "x", Message: "denied"})
		}
		return r
	}
	count := func(res *finding.Result) map[string]int {
		m := map[string]int{}
		for _, f := range res.Findings {
			m[f.CheckID+" "+string(f.Status)]++
		}
		return m
	}
	t.Run("flow logs unread: ERROR, never PASS", func(t *testing.T) {
		res := evalSnapshot(&inventory.Snapshot{Regions: []*inventory.Region{region(inventory.CollFlowLogs, inventory.CollLogGroups)}}, Options{})
		for _, f := range res.Findings {
			if f.Status != finding.StatusError {
				t.Errorf("%s %s: %s", f.ResourceID, f.CheckID, f.Status)
			}
		}
		if res.Overall() != finding.OutcomeIncomplete {
			t.Errorf("exit %d", res.Overall())
		}
	})
	t.Run("log groups unread: enabled still decided, retention ERROR", func(t *testing.T) {
		got := count(evalSnapshot(&inventory.Snapshot{Regions: []*inventory.Region{region(inventory.CollLogGroups)}}, Options{}))
		if got["vpc-flow-logs-enabled PASS"] != 1 || got["vpc-flow-logs-retention ERROR"] != 1 {
			t.Errorf("%v", got)
		}
	})
	t.Run("skip-unused leaves out VPCs without interfaces, only when interfaces were read", func(t *testing.T) {
		res := evalSnapshot(&inventory.Snapshot{Regions: []*inventory.Region{region()}}, Options{SkipUnused: true})
		if res.Summary.SkippedUnused != 1 || res.Summary.VPCs != 1 {
			t.Errorf("summary %+v", res.Summary)
		}
		res = evalSnapshot(&inventory.Snapshot{Regions: []*inventory.Region{region(inventory.CollNetworkInterfaces)}}, Options{SkipUnused: true})
		if res.Summary.SkippedUnused != 0 || res.Summary.VPCs != 2 {
			t.Errorf("unread interfaces must not hide VPCs: %+v", res.Summary)
		}
	})
	t.Run("account that could not be entered: ERROR per check", func(t *testing.T) {
		res := evalSnapshot(&inventory.Snapshot{Errors: []inventory.ReadError{{AccountID: "222222222222", Collection: inventory.CollAccount, Operation: "sts:AssumeRole", Message: "AccessDenied"}}}, Options{})
		if len(res.Findings) != 3 || res.Findings[0].Status != finding.StatusError || res.Findings[0].ResourceType != finding.ResourceAccount {
			t.Errorf("%+v", res.Findings)
		}
	})
	t.Run("retention never-expire passes, short fails", func(t *testing.T) {
		r := region()
		res := evalSnapshot(&inventory.Snapshot{Regions: []*inventory.Region{r}}, Options{MinRetentionDays: 400})
		if got := count(res); got["vpc-flow-logs-retention PASS"] != 1 {
			t.Errorf("never expire: %v", got)
		}
		days := int32(365)
		r.LogGroups[0].RetentionDays = &days
		res = evalSnapshot(&inventory.Snapshot{Regions: []*inventory.Region{r}}, Options{MinRetentionDays: 400})
		if got := count(res); got["vpc-flow-logs-retention FAIL"] != 1 {
			t.Errorf("365 < 400: %v", got)
		}
	})
}

// A snapshot with a nil region (read from {"regions":[null]} by a reader that did not validate, or built by
// hand) is evaluated without the nil, never a panic.
func TestNilRegionDoesNotPanic(t *testing.T) {
	snap := &inventory.Snapshot{Regions: []*inventory.Region{nil, {AccountID: "111111111111", Name: "us-east-1",
		VPCs: []inventory.VPC{{ID: "vpc-1", OwnerID: "111111111111"}}}, nil}}
	res := evalSnapshot(snap, Options{})
	if res.Summary.Fail == 0 || len(res.Regions) != 1 {
		t.Fatalf("want the one VPC failing in the one region, got %+v", res.Summary)
	}
	if len(snap.Regions) != 3 {
		t.Fatalf("the caller's snapshot was modified")
	}
}
