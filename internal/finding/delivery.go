package finding

import "time"

// Reason codes of vpc-flow-logs-delivering (see its check file and the README for what proves each).
const (
	ReasonNeverDelivered        = "NEVER_DELIVERED"
	ReasonStale                 = "STALE"
	ReasonInterfacesSilent      = "INTERFACES_SILENT"
	ReasonFirehoseNotActive     = "FIREHOSE_NOT_ACTIVE"
	ReasonDestinationUnreadable = "DESTINATION_UNREADABLE"  // ERROR
	ReasonAwaitingDelivery      = "AWAITING_FIRST_DELIVERY" // SKIPPED: younger than the grace period
)

// DeliveryEvidence is, per VPC, what its flow logs' destinations hold: the newest record, its lag, and which
// in-use interfaces have records.
type DeliveryEvidence struct {
	// ReadAt is when the destinations were read; lags are measured from it.
	ReadAt *time.Time `json:"read_at,omitempty"`
	// NewestRecord is the newest record of any ACTIVE flow log of the VPC; LagSeconds is ReadAt minus it.
	NewestRecord *time.Time `json:"newest_record,omitempty"`
	LagSeconds   *int64     `json:"lag_seconds,omitempty"`
	// MaxLagSeconds is the lag the check accepts (--max-delivery-lag).
	MaxLagSeconds int64 `json:"max_lag_seconds,omitempty"`
	// InterfacesWithRecords and InterfacesWithoutRecords are the VPC's in-use interfaces whose log stream has
	// a record within MaxLagSeconds, and those without (CloudWatch Logs flow logs capturing ALL traffic; S3 and
	// Firehose objects mix every interface, so they say nothing per interface).
	InterfacesWithRecords    []InterfaceRecord `json:"interfaces_with_records,omitempty"`
	InterfacesWithoutRecords []InterfaceRecord `json:"interfaces_without_records,omitempty"`
	FlowLogs                 []FlowLogDelivery `json:"flow_logs,omitempty"`
}

// InterfaceRecord is one interface's newest record.
type InterfaceRecord struct {
	ID         string     `json:"id"`
	Stream     string     `json:"stream,omitempty"`
	LastRecord *time.Time `json:"last_record,omitempty"`
	LagSeconds *int64     `json:"lag_seconds,omitempty"`
}

// FlowLogDelivery is what was read at one flow log's destination.
type FlowLogDelivery struct {
	ID    string `json:"id"`
	Where string `json:"where,omitempty"`
	// NewestRecord is its newest record found, Source the stream or object it was found in.
	NewestRecord   *time.Time `json:"newest_record,omitempty"`
	Source         string     `json:"source,omitempty"`
	LagSeconds     *int64     `json:"lag_seconds,omitempty"`
	NeverDelivered bool       `json:"never_delivered,omitempty"`
	// Since is the start of the window read: older records were not looked for.
	Since        *time.Time `json:"since,omitempty"`
	AgeSeconds   *int64     `json:"age_seconds,omitempty"`
	StreamStatus string     `json:"stream_status,omitempty"`
	ErrorCode    string     `json:"error_code,omitempty"`
	Error        string     `json:"error,omitempty"`
}
