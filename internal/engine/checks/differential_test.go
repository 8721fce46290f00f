package checks

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// randomSnapshot makes an inventory with every combination the control cares about: shared VPCs, flow logs
// on VPCs, subnets, interfaces and unknown resources, in every status, traffic type and delivery state, to
// log groups that exist or not, and collections that could not be read.
func randomSnapshot(r *rand.Rand) *inventory.Snapshot {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: "snapshot"}
	accounts := []string{"111111111111", "333333333333"}
	if r.IntN(5) == 0 {
		snap.Errors = append(snap.Errors, inventory.ReadError{AccountID: "444444444444", Collection: inventory.CollAll,
			Operation: "AssumeRole", Code: "AccessDenied", Message: "denied"})
	}
	for _, acct := range accounts[:1+r.IntN(2)] {
		for _, region := range []string{"us-east-1", "eu-west-1"}[:1+r.IntN(2)] {
			reg := &inventory.Region{AccountID: acct, Name: region, Partition: "aws"}
			nv := r.IntN(6)
			for i := 0; i < nv; i++ {
				v := inventory.VPC{ID: fmt.Sprintf("vpc-%d", i), OwnerID: acct, IsDefault: i == 0}
				if r.IntN(6) == 0 {
					v.OwnerID = "999999999999"
				}
				if r.IntN(4) == 0 {
					v.Tags = map[string]string{"Name": fmt.Sprintf("n%d", i)}
				}
				reg.VPCs = append(reg.VPCs, v)
				for j := 0; j < r.IntN(3); j++ {
					sid := fmt.Sprintf("subnet-%d%d", i, j)
					reg.Subnets = append(reg.Subnets, inventory.Subnet{ID: sid, VPCID: v.ID})
					if r.IntN(2) == 0 {
						reg.NetworkInterfaces = append(reg.NetworkInterfaces, inventory.NetworkInterface{
							ID: fmt.Sprintf("eni-%d%d", i, j), VPCID: v.ID, SubnetID: sid})
					}
				}
				if r.IntN(3) == 0 {
					reg.InternetGateways = append(reg.InternetGateways, inventory.InternetGateway{ID: "igw-" + v.ID, AttachedVPCs: []string{v.ID}})
				}
			}
			nf := r.IntN(3 * (nv + 1))
			for k := 0; k < nf; k++ {
				res := pick("vpc-", "vpc-", "vpc-", "subnet-", "eni-", "tgw-")
				id := fmt.Sprintf("%s%d", res, r.IntN(nv+1))
				if res != "vpc-" && res != "tgw-" {
					id = fmt.Sprintf("%s%d%d", res, r.IntN(nv+1), r.IntN(3))
				}
				f := inventory.FlowLog{ID: fmt.Sprintf("fl-%d", k), ResourceID: id,
					Status: pick("ACTIVE", "ACTIVE", "ACTIVE", "INACTIVE", ""), TrafficType: pick("ALL", "REJECT", "ACCEPT"),
					DeliverLogsStatus: pick("SUCCESS", "SUCCESS", "FAILED", ""), DeliverLogsError: pick("", "Access error")}
				switch r.IntN(3) {
				case 0:
					f.DestinationType, f.Destination = "s3", "arn:aws:s3:::bucket-"+pick("a", "b")
				default:
					f.DestinationType, f.LogGroupName = "cloud-watch-logs", pick("lg-a", "lg-b", "lg-c", "")
					if r.IntN(2) == 0 {
						// Sometimes only the ARN names the log group (LogGroupName left empty).
						f.Destination = "arn:aws:logs:" + region + ":" + acct + ":log-group:" + pick("lg-a", "lg-b", "lg-c")
						if f.LogGroupName != "" {
							f.Destination = "arn:aws:logs:" + region + ":" + acct + ":log-group:" + f.LogGroupName
						}
					}
				}
				reg.FlowLogs = append(reg.FlowLogs, f)
			}
			for _, name := range []string{"lg-a", "lg-b", "lg-c"} {
				if r.IntN(3) == 0 {
					continue
				}
				lg := inventory.LogGroup{Name: name}
				if d := []int32{0, 30, 365, 400}[r.IntN(4)]; d > 0 {
					lg.RetentionDays = &d
				}
				reg.LogGroups = append(reg.LogGroups, lg)
			}
			if r.IntN(3) == 0 {
				coll := []inventory.Collection{inventory.CollFlowLogs, inventory.CollLogGroups, inventory.CollVPCs,
					inventory.CollSubnets, inventory.CollNetworkInterfaces, inventory.CollInternetGateways, inventory.CollAll}[r.IntN(7)]
				reg.Errors = append(reg.Errors, inventory.ReadError{AccountID: acct, Region: region, Collection: coll,
					Operation: "Describe" + string(coll), Code: "Throttling", Message: "rate exceeded"})
			}
			snap.Regions = append(snap.Regions, reg)
		}
	}
	return snap
}

// TestSameFindingsAsReference runs the stored built-in checks and the reference Go evaluation on thousands
// of random inventories: the findings (status, reason, message, evidence, metadata) must be identical.
func TestSameFindingsAsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// The reference implements the two VPC checks.
	cs, err := Select(Builtin(), []string{"vpc-flow-logs-enabled", "vpc-flow-logs-retention"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		snap := randomSnapshot(r)
		o := refOptions{MinRetentionDays: []int{0, 30, 365, 400}[r.IntN(4)], SkipUnused: r.IntN(3) == 0}
		want := refSnapshot(snap, o)
		min := o.MinRetentionDays
		if min <= 0 {
			min = DefaultMinRetentionDays
		}
		got := Run(graph.Build(snap), cs, Options{SkipUnused: o.SkipUnused, Params: map[string]any{"minRetentionDays": min}})
		finding.Sort(got.Findings)
		if diff := cmp.Diff(want.Findings, got.Findings, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("inventory %d (options %+v): findings differ (-reference +stored checks):\n%s", i, o, diff)
		}
		if got.VPCs != want.Summary.VPCs || got.SkippedUnused != want.Summary.SkippedUnused {
			t.Fatalf("inventory %d: VPCs %d skipped %d, reference %d %d", i, got.VPCs, got.SkippedUnused, want.Summary.VPCs, want.Summary.SkippedUnused)
		}
	}
}
