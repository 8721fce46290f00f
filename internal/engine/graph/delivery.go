package graph

import (
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
)

// deliveryFields adds the delivery evidence read at the flow logs' destinations (inventory.Delivery) to the
// FlowLog and NetworkInterface types. Every field is null when the evidence was not collected, so a query
// cannot mistake "not read" for "nothing delivered". Lags are measured from the time the destination was read,
// so a saved snapshot is judged as of its collection.
// Each field is marked as read from inventory.CollDelivery.
func deliveryFields(add func(t *Type, name string, k Kind, doc string, get func(*Node) Value)) {
	field := func(t *Type, name string, k Kind, doc string, get func(*Node) Value) {
		add(t, name, k, doc, get)
		t.fields[name].Collection = inventory.CollDelivery
	}
	dl := func(n *Node) *inventory.Delivery { return n.Obj.(*inventory.FlowLog).Delivery }
	field(TFlowLog, "destinationRead", KindBool, "delivery evidence: the destination was read without error (null: not collected)",
		func(n *Node) Value {
			if d := dl(n); d != nil {
				return Bool(d.Readable())
			}
			return Null
		})
	field(TFlowLog, "destinationError", KindString, "delivery evidence: why the destination could not be read",
		func(n *Node) Value {
			if d := dl(n); d != nil {
				return Str(d.Error)
			}
			return Null
		})
	field(TFlowLog, "destinationErrorCode", KindString, "delivery evidence: AccessDenied, ResourceNotFoundException, NoSuchBucket, …",
		func(n *Node) Value {
			if d := dl(n); d != nil && d.Error != "" {
				return Str(d.Code)
			}
			return Null
		})
	field(TFlowLog, "deliveryReadWhere", KindString, "delivery evidence: what was read (log group, bucket prefix and days, Firehose stream)",
		func(n *Node) Value {
			if d := dl(n); d != nil {
				return Str(d.Where)
			}
			return Null
		})
	field(TFlowLog, "newestRecordTime", KindString, "delivery evidence: the newest record from it found at the destination (RFC 3339)",
		func(n *Node) Value {
			if d := dl(n); d.Readable() && d.Newest != nil {
				return Str(d.Newest.UTC().Format(time.RFC3339))
			}
			return Null
		})
	field(TFlowLog, "deliveryLagSeconds", KindInt, "delivery evidence: seconds from its newest record to the read (null: no record found)",
		func(n *Node) Value {
			if d := dl(n); d.Readable() {
				if lag, ok := d.Lag(); ok {
					return Int(int64(lag / time.Second))
				}
			}
			return Null
		})
	field(TFlowLog, "neverDelivered", KindBool, "delivery evidence: the destination holds nothing from it over its whole life",
		func(n *Node) Value {
			if d := dl(n); d.Readable() {
				return Bool(d.NeverDelivered(n.Obj.(*inventory.FlowLog).CreatedAt))
			}
			return Null
		})
	field(TFlowLog, "ageSeconds", KindInt, "seconds since it was created, when its destination was read",
		func(n *Node) Value {
			if d, c := dl(n), n.Obj.(*inventory.FlowLog).CreatedAt; d != nil && c != nil {
				return Int(int64(max(d.ReadAt.Sub(*c), 0) / time.Second))
			}
			return Null
		})
	field(TFlowLog, "deliveryStreamStatus", KindString, "delivery evidence: the Firehose delivery stream's status (ACTIVE, …)",
		func(n *Node) Value {
			if d := dl(n); d.Readable() {
				return Str(d.StreamStatus)
			}
			return Null
		})
	field(TFlowLog, "silentInterfaceCount", KindInt, "delivery evidence: in-use interfaces without a log stream with records in the window (CloudWatch Logs, traffic ALL)",
		func(n *Node) Value {
			if d := dl(n); d.Readable() && d.PerInterface {
				return Int(int64(d.Silent))
			}
			return Null
		})
	field(TFlowLog, "interfacesWithRecordsCount", KindInt, "delivery evidence: in-use interfaces with a log stream with records in the window (CloudWatch Logs, traffic ALL)",
		func(n *Node) Value {
			if d := dl(n); d.Readable() && d.PerInterface {
				return Int(int64(d.WithRecords))
			}
			return Null
		})

	ed := func(n *Node) *inventory.InterfaceDelivery { return n.Obj.(*inventory.NetworkInterface).Delivery }
	field(TNetworkInterface, "recordsRead", KindBool, "delivery evidence: the log group of a CloudWatch Logs flow log (traffic ALL) of its VPC was read",
		func(n *Node) Value { return Bool(ed(n) != nil) })
	field(TNetworkInterface, "logStream", KindString, "delivery evidence: its newest log stream (eni-…-all)",
		func(n *Node) Value {
			if d := ed(n); d != nil {
				return Str(d.Stream)
			}
			return Null
		})
	field(TNetworkInterface, "lastRecordTime", KindString, "delivery evidence: the last event of its log stream (RFC 3339)",
		func(n *Node) Value {
			if d := ed(n); d != nil && d.Newest != nil {
				return Str(d.Newest.UTC().Format(time.RFC3339))
			}
			return Null
		})
	field(TNetworkInterface, "recordLagSeconds", KindInt, "delivery evidence: seconds from its last record to the read (null: no record in the window)",
		func(n *Node) Value {
			if lag, ok := ed(n).Lag(); ok {
				return Int(int64(lag / time.Second))
			}
			return Null
		})
}
