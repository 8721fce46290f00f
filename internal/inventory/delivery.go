package inventory

import "time"

// CollDelivery is the delivery evidence read at the flow logs' destinations (log streams, bucket listings,
// Firehose streams). It is read only when a check asks for it (vpc-flow-logs-delivering): a region without
// it (DeliveryReadAt nil) has it "not read", never "nothing delivered".
const CollDelivery Collection = "delivery"

// DeliveryWindow is how far back the destinations are read by default: CloudWatch Logs streams whose last
// event is older are not listed, S3 day prefixes older are not listed. A flow log created inside the window
// and with nothing found has never delivered; one older than the window has delivered nothing since.
const DeliveryWindow = 7 * 24 * time.Hour

// Delivery is what was read at a flow log's destination: the evidence that records arrive.
type Delivery struct {
	// ReadAt is when the destination was read; lags are measured from it. Since is the start of the window
	// read: records older than Since were not looked for.
	ReadAt time.Time `json:"read_at"`
	Since  time.Time `json:"since"`
	// Where names what was read: "log group /vpc/flow", "s3://bucket/prefix/AWSLogs/…/2026/11/25/ … 27/",
	// "firehose delivery stream x".
	Where string `json:"where,omitempty"`
	// Newest is the time of the newest record from this flow log that was found: CloudWatch Logs, the last
	// event of the newest log stream of its interfaces; S3, the time in the name of its newest object. Nil:
	// nothing from it was found in the window.
	Newest *time.Time `json:"newest,omitempty"`
	// NewestSource says where Newest comes from: a log stream name or an object key.
	NewestSource string `json:"newest_source,omitempty"`
	// Complete is true when the whole destination was listed, not only the window (a CloudWatch Logs
	// listing that reached its end): finding nothing then means nothing was ever delivered.
	Complete bool `json:"complete,omitempty"`
	// StreamStatus is a Firehose destination's DeliveryStreamStatus (ACTIVE, CREATING, DELETING, …).
	StreamStatus string `json:"stream_status,omitempty"`
	// Code and Error say why the destination could not be read (AccessDenied, ResourceNotFoundException,
	// NoSuchBucket, …): no verdict can rest on it.
	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
	// Interfaces counts, for CloudWatch Logs destinations, the in-use interfaces of the flow log's VPC with
	// records in the window (WithRecords) and without (Silent); their details are on the interfaces.
	WithRecords int `json:"with_records,omitempty"`
	Silent      int `json:"silent,omitempty"`
	// PerInterface is true when the destination tells interfaces apart (CloudWatch Logs: one stream per
	// interface); S3 objects and Firehose records mix every interface of the flow log.
	PerInterface bool `json:"per_interface,omitempty"`
}

// Readable reports whether the destination was read without error.
func (d *Delivery) Readable() bool { return d != nil && d.Error == "" }

// Lag is ReadAt minus Newest, when a record was found.
func (d *Delivery) Lag() (time.Duration, bool) {
	if d == nil || d.Newest == nil {
		return 0, false
	}
	return max(d.ReadAt.Sub(*d.Newest), 0), true
}

// NeverDelivered reports whether the destination was read and holds nothing from the flow log created at
// created, over the flow log's whole life (the window covers it, or the listing was complete).
func (d *Delivery) NeverDelivered(created *time.Time) bool {
	if !d.Readable() || d.Newest != nil || d.StreamStatus != "" {
		return false
	}
	return d.Complete || (created != nil && !created.Before(d.Since))
}

// InterfaceDelivery is the delivery evidence of one network interface: the newest record of its log stream
// in the log group(s) its VPC's flow logs deliver to (CloudWatch Logs only).
type InterfaceDelivery struct {
	ReadAt time.Time `json:"read_at"`
	// Stream is the log stream found for it ("eni-…-all"), "" when none had events in the window.
	Stream string     `json:"stream,omitempty"`
	Newest *time.Time `json:"newest,omitempty"`
}

// Lag is ReadAt minus Newest, when the interface has records.
func (d *InterfaceDelivery) Lag() (time.Duration, bool) {
	if d == nil || d.Newest == nil {
		return 0, false
	}
	return max(d.ReadAt.Sub(*d.Newest), 0), true
}

// deliveryNotRead is the error of a region whose delivery evidence was not collected.
func deliveryNotRead(r *Region) (ReadError, bool) {
	if r.DeliveryReadAt != nil {
		return ReadError{}, false
	}
	return ReadError{AccountID: r.AccountID, Region: r.Name, Collection: CollDelivery, Operation: "not collected",
		Code: "NotRead", Message: "this inventory holds no delivery evidence: the flow logs' destinations are read by a live " +
			"scan with --check vpc-flow-logs-delivering (a snapshot keeps what such a scan read)"}, true
}
