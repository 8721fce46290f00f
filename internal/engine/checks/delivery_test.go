package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// The delivering check on inventories in memory: the cases the moto test cannot produce.
func TestDeliveringEdgeCases(t *testing.T) {
	read := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := read.Add(-d); return &t }
	old := ago(30 * 24 * time.Hour)
	since := read.Add(-inventory.DeliveryWindow)
	type vpcCase struct {
		fl   inventory.FlowLog
		enis []inventory.NetworkInterface
		want string
	}
	fl := func(traffic, dest string, d *inventory.Delivery) inventory.FlowLog {
		d.ReadAt, d.Since = read, since
		return inventory.FlowLog{Status: "ACTIVE", TrafficType: traffic, DestinationType: dest, CreatedAt: old, Delivery: d}
	}
	eni := func(id string, newest *time.Time) inventory.NetworkInterface {
		return inventory.NetworkInterface{ID: id, Status: "in-use", Delivery: &inventory.InterfaceDelivery{ReadAt: read, Newest: newest}}
	}
	cases := map[string]vpcCase{
		"firehose-creating": {fl: fl("ALL", inventory.DestinationFirehose, &inventory.Delivery{StreamStatus: "CREATING"}), want: "FAIL FIREHOSE_NOT_ACTIVE"},
		"firehose-active":   {fl: fl("ALL", inventory.DestinationFirehose, &inventory.Delivery{StreamStatus: "ACTIVE"}), want: "PASS"},
		// Older than the window and nothing in it: not "never" (older records were not looked for), STALE.
		"s3-older-than-window": {fl: fl("ALL", inventory.DestinationS3, &inventory.Delivery{}), want: "FAIL STALE"},
		// The whole log group was listed and holds nothing from it: never, however old.
		"cw-complete-empty": {fl: fl("ALL", inventory.DestinationCloudWatchLogs, &inventory.Delivery{Complete: true, PerInterface: true}),
			enis: []inventory.NetworkInterface{eni("eni-00000001", nil)}, want: "FAIL NEVER_DELIVERED"},
		// REJECT only: interfaces without records are expected (the collector gives them no per-interface
		// evidence), the fresh record passes.
		"reject-only": {fl: fl("REJECT", inventory.DestinationCloudWatchLogs, &inventory.Delivery{Newest: ago(5 * time.Minute)}),
			enis: []inventory.NetworkInterface{{ID: "eni-00000002", Status: "in-use"}, {ID: "eni-00000003", Status: "in-use"}}, want: "PASS"},
		// An available (unattached) interface without records is not silent.
		"available-quiet": {fl: fl("ALL", inventory.DestinationCloudWatchLogs, &inventory.Delivery{Newest: ago(time.Minute), PerInterface: true}),
			enis: []inventory.NetworkInterface{eni("eni-00000004", ago(time.Minute)), {ID: "eni-00000005", Status: "available", Delivery: &inventory.InterfaceDelivery{ReadAt: read}}},
			want: "PASS"},
		"unreadable": {fl: fl("ALL", inventory.DestinationS3, &inventory.Delivery{Code: "AccessDenied", Error: "s3:ListObjectsV2: AccessDenied: denied"}),
			want: "ERROR DESTINATION_UNREADABLE"},
	}
	reg := &inventory.Region{AccountID: "111111111111", Name: "eu-west-1", DeliveryReadAt: &read}
	i := 0
	for name, c := range cases {
		i++
		vpc := "vpc-" + name
		reg.VPCs = append(reg.VPCs, inventory.VPC{ID: vpc, OwnerID: "111111111111", Tags: map[string]string{"Name": name}})
		c.fl.ID, c.fl.ResourceID, c.fl.ResourceType = "fl-"+name, vpc, inventory.ResourceTypeVPC
		reg.FlowLogs = append(reg.FlowLogs, c.fl)
		for _, e := range c.enis {
			e.VPCID = vpc
			reg.NetworkInterfaces = append(reg.NetworkInterfaces, e)
		}
	}
	cs, err := Select(Builtin(), []string{"vpc-flow-logs-delivering"})
	if err != nil {
		t.Fatal(err)
	}
	out := Run(graph.Build(&inventory.Snapshot{Regions: []*inventory.Region{reg}}), cs, Options{})
	got := map[string]finding.Finding{}
	for _, f := range out.Findings {
		got[f.ResourceName] = f
	}
	for name, c := range cases {
		f := got[name]
		if v := strings.TrimSpace(string(f.Status) + " " + f.Reason); v != c.want {
			t.Errorf("%s: %s (%s), want %s", name, v, f.Message, c.want)
		}
	}
	if m := got["s3-older-than-window"].Message; !strings.Contains(m, "older records were not looked for") {
		t.Errorf("older than the window: %q", m)
	}
	if m := got["firehose-creating"].Message; !strings.Contains(m, "CREATING") {
		t.Errorf("firehose creating: %q", m)
	}
}

func TestHumanSeconds(t *testing.T) {
	for n, want := range map[int64]string{0: "0s", 42: "42s", 60: "1m", 122: "2m 2s", 3600: "1h", 7260: "2h 1m", 259200: "3d", 262800: "3d 1h", -5: "-5s"} {
		if got := humanSeconds(n); got != want {
			t.Errorf("humanSeconds(%d) = %q, want %q", n, got, want)
		}
	}
}
