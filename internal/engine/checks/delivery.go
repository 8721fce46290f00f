package checks

import (
	"sort"
	"time"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// deliveryEvidence is the "delivery" evidence section of a VPC: what its ACTIVE flow logs' destinations hold,
// and which in-use interfaces have records within the check's maxDeliveryLagSeconds.
func deliveryEvidence(n *graph.Node, params map[string]any) *finding.DeliveryEvidence {
	maxLag := int64(toInt(params["maxDeliveryLagSeconds"]))
	ev := &finding.DeliveryEvidence{MaxLagSeconds: maxLag}
	secs := func(d time.Duration) *int64 { s := int64(d / time.Second); return &s }
	for _, m := range n.Rel(relVPCFlowLog) {
		f := m.Obj.(*inventory.FlowLog)
		d := f.Delivery
		if d == nil || f.Status != inventory.FlowLogStatusActive {
			continue
		}
		if ev.ReadAt == nil {
			t := d.ReadAt
			ev.ReadAt = &t
		}
		since := d.Since
		fd := finding.FlowLogDelivery{ID: f.ID, Where: d.Where, StreamStatus: d.StreamStatus, ErrorCode: d.Code,
			Error: d.Error, NeverDelivered: d.NeverDelivered(f.CreatedAt), Since: &since}
		if f.CreatedAt != nil {
			fd.AgeSeconds = secs(max(d.ReadAt.Sub(*f.CreatedAt), 0))
		}
		if d.Readable() && d.Newest != nil {
			t := *d.Newest
			fd.NewestRecord, fd.Source = &t, d.NewestSource
			lag, _ := d.Lag()
			fd.LagSeconds = secs(lag)
			if ev.NewestRecord == nil || t.After(*ev.NewestRecord) {
				ev.NewestRecord, ev.LagSeconds = &t, secs(lag)
			}
		}
		ev.FlowLogs = append(ev.FlowLogs, fd)
	}
	for _, e := range n.Rel(relVPCENI) {
		ni := e.Obj.(*inventory.NetworkInterface)
		if ni.Delivery == nil || ni.Status != "in-use" {
			continue
		}
		r := finding.InterfaceRecord{ID: ni.ID, Stream: ni.Delivery.Stream}
		lag, ok := ni.Delivery.Lag()
		if ok {
			t := *ni.Delivery.Newest
			r.LastRecord, r.LagSeconds = &t, secs(lag)
		}
		if ok && int64(lag/time.Second) <= maxLag {
			ev.InterfacesWithRecords = append(ev.InterfacesWithRecords, r)
		} else {
			ev.InterfacesWithoutRecords = append(ev.InterfacesWithoutRecords, r)
		}
	}
	sort.Slice(ev.InterfacesWithRecords, func(i, j int) bool { return ev.InterfacesWithRecords[i].ID < ev.InterfacesWithRecords[j].ID })
	sort.Slice(ev.InterfacesWithoutRecords, func(i, j int) bool {
		return ev.InterfacesWithoutRecords[i].ID < ev.InterfacesWithoutRecords[j].ID
	})
	if ev.ReadAt == nil && len(ev.FlowLogs) == 0 {
		return nil
	}
	return ev
}
