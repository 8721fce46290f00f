// Package inventory holds the provider-neutral model of what flowguard knows about a set of AWS accounts:
// VPCs, flow logs, log groups, buckets and the network objects around them. The live AWS collector, saved
// snapshots, aws-cli JSON and the IaC readers all produce a Snapshot; the checks only ever read one.
//
// The package has no outside dependencies on purpose: it is the domain, everything else adapts to it.
package inventory

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// ErrNothingToEvaluate is wrapped by the errors of inputs that hold nothing to evaluate (an empty snapshot,
// an organization without accounts, an AWS CLI folder with no resource list): nothing read is not compliance,
// so commands report it as an incomplete scan (exit 2), never as a pass.
var ErrNothingToEvaluate = errors.New("nothing to evaluate")

// SnapshotSchema versions the JSON form of a Snapshot written by `scan --save-snapshot`.
const SnapshotSchema = "flowguard.inventory/v1"

// Source names where a snapshot came from.
const (
	SourceAWS            = "aws"
	SourceSnapshot       = "snapshot"
	SourceAWSCLI         = "aws-cli"
	SourceTerraform      = "terraform"
	SourceCloudFormation = "cloudformation"
)

// Snapshot is everything collected in one run, across accounts and regions.
type Snapshot struct {
	Schema      string    `json:"schema"`
	Source      string    `json:"source"`
	CollectedAt time.Time `json:"collected_at"`
	// Regions holds one entry per account-region that was (at least partly) read.
	Regions []*Region `json:"regions"`
	// Buckets are S3 buckets that flow logs deliver to; S3 is global, so they sit beside the regions.
	Buckets []Bucket `json:"buckets,omitempty"`
	// Errors are failures above the level of a region: an account that could not be entered, a region list
	// that could not be read. Region-level failures live in Region.Errors.
	Errors []ReadError `json:"errors,omitempty"`
	// Incomplete is set when the collection was cut short (cancelled); what was finished is still here.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Region is the inventory of one account in one region.
type Region struct {
	AccountID string `json:"account_id"`
	Partition string `json:"partition,omitempty"`
	Name      string `json:"region"`

	VPCs              []VPC              `json:"vpcs"`
	FlowLogs          []FlowLog          `json:"flow_logs"`
	Subnets           []Subnet           `json:"subnets,omitempty"`
	NetworkInterfaces []NetworkInterface `json:"network_interfaces,omitempty"`
	InternetGateways  []InternetGateway  `json:"internet_gateways,omitempty"`
	// LogGroups are the CloudWatch Logs groups that flow logs of this region deliver to, as found.
	LogGroups []LogGroup `json:"log_groups,omitempty"`
	// RegionNetwork holds the security groups and network ACLs (network.go).
	RegionNetwork

	// DeliveryReadAt is set when the flow logs' destinations were read for delivery evidence (see Delivery).
	DeliveryReadAt *time.Time `json:"delivery_read_at,omitempty"`
	// Transit Gateways (own and shared in), their attachments, and the CloudWatch telemetry rules that make
	// VPC flow logs (see tgw.go).
	TransitGateways           []TransitGateway           `json:"transit_gateways,omitempty"`
	TransitGatewayAttachments []TransitGatewayAttachment `json:"transit_gateway_attachments,omitempty"`
	TelemetryRules            []TelemetryRule            `json:"telemetry_rules,omitempty"`
	// TelemetryRulesNote says what of the telemetry rules could not be read (access denied, not offered).
	TelemetryRulesNote string `json:"telemetry_rules_note,omitempty"`

	// Errors lists the collections that could not be read. A collection without an error was read completely.
	Errors []ReadError `json:"errors,omitempty"`
	// Unknowns are what the reader could not resolve about the region as a whole: Field RegionFlowLogs (a
	// flow log whose resource is not known could be any VPC's) or RegionVPCs (VPCs may be declared where
	// the reader did not look).
	Unknowns []Unknown `json:"unknowns,omitempty"`
}

// Collection names one kind of resource list read from AWS (or a file). Errors say which one failed, so that
// the checks can tell "not there" from "not read".
type Collection string

const (
	CollAccount           Collection = "account"
	CollRegions           Collection = "regions"
	CollVPCs              Collection = "vpcs"
	CollFlowLogs          Collection = "flow_logs"
	CollSubnets           Collection = "subnets"
	CollNetworkInterfaces Collection = "network_interfaces"
	CollInternetGateways  Collection = "internet_gateways"
	CollLogGroups         Collection = "log_groups"
	CollBuckets           Collection = "buckets"
	// CollAll marks a scope none of whose collections were read (cancelled, account not entered).
	CollAll Collection = "all"
)

// ReadError records that something could not be read, and why.
type ReadError struct {
	AccountID  string     `json:"account_id"`
	Region     string     `json:"region,omitempty"`
	Collection Collection `json:"collection"`
	Operation  string     `json:"operation"`
	Code       string     `json:"code,omitempty"`
	Message    string     `json:"message"`
}

func (e ReadError) Error() string {
	where := e.AccountID
	if e.Region != "" {
		where += "/" + e.Region
	}
	return where + ": " + e.Operation + ": " + e.Message
}

// Read reports whether collection c of this region was read completely. A network collection (IsNetwork)
// that the reader did not list was not read.
func (r *Region) Read(c Collection) bool {
	_, failed := r.ErrorFor(c)
	return !failed
}

// ErrorFor returns the first error that keeps collection c from being read: a failure recorded in Errors, or
// a CodeNotRead error for a network collection the reader did not list.
func (r *Region) ErrorFor(c Collection) (ReadError, bool) {
	for _, e := range r.Errors {
		if e.Collection == c || e.Collection == CollAll {
			return e, true
		}
	}
	if c == CollDelivery {
		return deliveryNotRead(r)
	}
	if IsNetwork(c) && !r.networkListed(c) {
		return notRead(r, c), true
	}
	return ReadError{}, false
}

// PartitionOf returns the AWS partition a region belongs to, from its name ("aws" for commercial regions).
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"), strings.HasPrefix(region, "eu-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// Location points at where a resource is declared, for inventories read from IaC files.
type Location struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Address string `json:"address,omitempty"` // aws_vpc.main, module.vpc.aws_vpc.this[0], Resources.MyVPC
}

// Unknown is a value a reader could not resolve (a Terraform variable without default, an import from another
// stack, a log group the files do not declare). It sits on the entity whose value it is, by the name of the
// graph field or relation it concerns ("trafficType", "retentionInDays", "hasFlowLog", "deliversTo"); a name
// the graph does not know makes every field of the entity unknown. The engine, not any check, turns a verdict
// that depends on an Unknown into UNKNOWN (or, for an Invalid value, into a FAIL with the Reason).
type Unknown struct {
	Field string `json:"field"`
	// What names the thing and attribute for people ("aws_flow_log.this: traffic_type").
	What string `json:"what,omitempty"`
	// Why the value is not known ("var.t has no default value").
	Why      string    `json:"why"`
	Location *Location `json:"location,omitempty"`
	// Reason is the reason code of the finding it makes: UnknownUnresolved when empty.
	Reason string `json:"reason,omitempty"`
	// Invalid marks a value that is known, and known to be rejected by AWS (a retention CloudWatch Logs does
	// not accept): a verdict that depends on it is a FAIL with Reason, never a PASS.
	Invalid bool `json:"invalid,omitempty"`
}

// Reason codes of Unknowns.
const (
	UnknownUnresolved  = "UNRESOLVED"
	UnknownNotDeclared = "NOT_DECLARED"
)

// Region-level Unknown fields.
const (
	// RegionFlowLogs: the region's flow logs are not all known, so no VPC's flow-log relations are complete.
	RegionFlowLogs = "flowLogs"
	// RegionVPCs: the region's VPCs are not all known.
	RegionVPCs = "vpcs"
)

// String renders the Unknown for messages: "what: why (file:line)".
func (u Unknown) String() string {
	s := u.Why
	if u.What != "" {
		s = u.What + ": " + s
	}
	if u.Location != nil && u.Location.File != "" {
		s += " (" + u.Location.File + ":" + strconv.Itoa(u.Location.Line) + ")"
	}
	return s
}

// VPC is one Amazon VPC as seen from the scanned account.
type VPC struct {
	ID        string            `json:"id"`
	OwnerID   string            `json:"owner_id,omitempty"`
	CIDR      string            `json:"cidr,omitempty"`
	State     string            `json:"state,omitempty"`
	IsDefault bool              `json:"is_default"`
	Tags      map[string]string `json:"tags,omitempty"`
	Location  *Location         `json:"location,omitempty"`
	Unknowns  []Unknown         `json:"unknowns,omitempty"`
}

// Name is the VPC's Name tag, or "".
func (v VPC) Name() string { return v.Tags["Name"] }

// Flow-log values as the EC2 API spells them.
const (
	FlowLogStatusActive = "ACTIVE"

	TrafficAll    = "ALL"
	TrafficAccept = "ACCEPT"
	TrafficReject = "REJECT"

	DeliverySuccess = "SUCCESS"
	DeliveryFailed  = "FAILED"

	DestinationCloudWatchLogs = "cloud-watch-logs"
	DestinationS3             = "s3"
	DestinationFirehose       = "kinesis-data-firehose"

	ResourceTypeVPC              = "VPC"
	ResourceTypeSubnet           = "Subnet"
	ResourceTypeNetworkInterface = "NetworkInterface"
	ResourceTypeTransitGateway   = "TransitGateway"
)

// FlowLog is one EC2 flow log.
type FlowLog struct {
	ID           string `json:"id"`
	ResourceID   string `json:"resource_id"`
	ResourceType string `json:"resource_type"` // VPC, Subnet, NetworkInterface, TransitGateway…
	Status       string `json:"status"`        // FlowLogStatus: ACTIVE, …
	TrafficType  string `json:"traffic_type"`  // ALL, ACCEPT, REJECT
	// DestinationType is cloud-watch-logs, s3 or kinesis-data-firehose.
	DestinationType string `json:"destination_type"`
	// Destination is the destination ARN (log group, bucket[/prefix], stream), when known.
	Destination string `json:"destination,omitempty"`
	// LogGroupName is set for CloudWatch Logs destinations.
	LogGroupName             string `json:"log_group_name,omitempty"`
	DeliverLogsStatus        string `json:"deliver_logs_status,omitempty"`
	DeliverLogsError         string `json:"deliver_logs_error,omitempty"`
	DeliverLogsPermissionARN string `json:"deliver_logs_permission_arn,omitempty"`
	LogFormat                string `json:"log_format,omitempty"`
	MaxAggregationInterval   int    `json:"max_aggregation_interval,omitempty"`
	// S3 destination options.
	FileFormat               string            `json:"file_format,omitempty"`
	HiveCompatiblePartitions bool              `json:"hive_compatible_partitions,omitempty"`
	PerHourPartition         bool              `json:"per_hour_partition,omitempty"`
	Tags                     map[string]string `json:"tags,omitempty"`
	CreatedAt                *time.Time        `json:"created_at,omitempty"`
	Location                 *Location         `json:"location,omitempty"`
	Unknowns                 []Unknown         `json:"unknowns,omitempty"`
	// Delivery is what was read at the destination (only when delivery evidence was collected).
	Delivery *Delivery `json:"delivery,omitempty"`
}

// ResourceTypeOf infers a flow log's resource type from its resource id, for sources that omit it.
func ResourceTypeOf(resourceID string) string {
	switch {
	case strings.HasPrefix(resourceID, "vpc-"):
		return ResourceTypeVPC
	case strings.HasPrefix(resourceID, "subnet-"):
		return ResourceTypeSubnet
	case strings.HasPrefix(resourceID, "eni-"):
		return ResourceTypeNetworkInterface
	case strings.HasPrefix(resourceID, TransitGatewayAttachmentPrefix):
		return ResourceTypeTransitGatewayAtt
	case strings.HasPrefix(resourceID, "tgw-"):
		return ResourceTypeTransitGateway
	}
	return ""
}

// Working reports whether the flow log records and delivers: ACTIVE, and its delivery has not FAILED (as
// tgw-flow-logs-enabled counts a Transit Gateway's or attachment's flow log).
func (f FlowLog) Working() bool {
	return f.Status == FlowLogStatusActive && f.DeliverLogsStatus != DeliveryFailed
}

// BucketName returns the bucket of an S3 destination ARN (arn:aws:s3:::bucket/prefix), or "".
func (f FlowLog) BucketName() string {
	if f.DestinationType != DestinationS3 {
		return ""
	}
	return BucketFromARN(f.Destination)
}

// BucketFromARN returns the bucket name of arn:PARTITION:s3:::bucket[/prefix], or "".
func BucketFromARN(arn string) string {
	i := strings.Index(arn, ":::")
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return ""
	}
	b := arn[i+3:]
	if j := strings.IndexByte(b, '/'); j >= 0 {
		b = b[:j]
	}
	return b
}

// LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	// RetentionDays is nil when events never expire.
	RetentionDays *int32     `json:"retention_days"`
	KMSKeyID      string     `json:"kms_key_id,omitempty"`
	StoredBytes   int64      `json:"stored_bytes,omitempty"`
	CreatedAt     *time.Time `json:"created_at,omitempty"`
	Location      *Location  `json:"location,omitempty"`
	Unknowns      []Unknown  `json:"unknowns,omitempty"`
}

// Subnet is a VPC subnet.
type Subnet struct {
	ID               string            `json:"id"`
	VPCID            string            `json:"vpc_id"`
	CIDR             string            `json:"cidr,omitempty"`
	AvailabilityZone string            `json:"availability_zone,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// NetworkInterface is an elastic network interface.
type NetworkInterface struct {
	ID       string `json:"id"`
	VPCID    string `json:"vpc_id"`
	SubnetID string `json:"subnet_id,omitempty"`
	Status   string `json:"status,omitempty"` // in-use, available, …
	Type     string `json:"type,omitempty"`   // interface, nat_gateway, …
	// ENIDetails are the attachment, addresses and security groups (network.go).
	ENIDetails
	// Delivery is the newest record of the interface's log stream (CloudWatch Logs flow logs of its VPC, only
	// when delivery evidence was collected).
	Delivery *InterfaceDelivery `json:"delivery,omitempty"`
}

// InternetGateway is an internet gateway and the VPCs it is attached to.
type InternetGateway struct {
	ID           string            `json:"id"`
	AttachedVPCs []string          `json:"attached_vpcs,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// Bucket states: whether a flow-log destination bucket was found.
const (
	BucketExists  = "exists"
	BucketMissing = "missing"
	BucketUnknown = "unknown" // could not be told (another account's bucket, access denied)
)

// Bucket is an S3 bucket that flow logs deliver to.
type Bucket struct {
	Name      string `json:"name"`
	ARN       string `json:"arn,omitempty"`
	AccountID string `json:"account_id"` // the account whose flow logs deliver there
	State     string `json:"state"`
	Message   string `json:"message,omitempty"`
}
