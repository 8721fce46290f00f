// Package ocsf turns flow-log records into OCSF Network Activity events (class 4001, category 4, schema
// version 1.1.0: the version Amazon Security Lake stores VPC flow logs in) and writes them as JSON lines or
// Parquet, one record at a time: memory stays bounded whatever the input size.
//
// Mapping (one event per record; a field absent from the record's format is absent from the event):
//
//	start, end                  time (= start), start_time, end_time (milliseconds)
//	action ACCEPT / REJECT      action_id 1 Allowed / 2 Denied, disposition_id 1 Allowed / 2 Blocked
//	log-status OK / NODATA / SKIPDATA   status_id 1 Success / 99 Other / 2 Failure, status_code the text
//	srcaddr, srcport            src_endpoint.ip, .port      (dstaddr, dstport: dst_endpoint)
//	interface-id, vpc-id, subnet-id, instance-id   interface_uid, vpc_uid, subnet_uid, instance_uid of the
//	                            endpoint on the interface's side (dst for ingress, src for egress or unknown)
//	protocol, tcp-flags         connection_info.protocol_num, protocol_name, tcp_flags; protocol_ver_id 4/6
//	flow-direction              connection_info.direction_id 1 Inbound / 2 Outbound (0 Unknown when absent)
//	traffic-path 1..8           connection_info.boundary_id 4..11 (Same VPC … Internet Gateway)
//	bytes, packets              traffic.bytes, traffic.packets
//	account-id, region, az-id   cloud.account.uid, cloud.region, cloud.zone (provider AWS)
//	pkt-src/dst-aws-service     src_endpoint.svc_name, dst_endpoint.svc_name
//	every other field           unmapped, under its flow-log name (pkt-srcaddr, ecs-*, reject-reason, …)
package ocsf

import (
	"strconv"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Version is the OCSF schema version of the events, named in every event's metadata.version.
const Version = "1.1.0"

// Class, category and activity of the events.
const (
	ClassUID        = 4001
	ClassName       = "Network Activity"
	CategoryUID     = 4
	CategoryName    = "Network Activity"
	ActivityTraffic = 6 // a traffic report of a flow: every flow-log record
	ActivityUnknown = 0 // NODATA and SKIPDATA records: no flow
)

// Event is one OCSF Network Activity event.
type Event struct {
	ActivityID     int32             `json:"activity_id" parquet:"activity_id"`
	ActivityName   string            `json:"activity_name" parquet:"activity_name"`
	CategoryUID    int32             `json:"category_uid" parquet:"category_uid"`
	CategoryName   string            `json:"category_name" parquet:"category_name"`
	ClassUID       int32             `json:"class_uid" parquet:"class_uid"`
	ClassName      string            `json:"class_name" parquet:"class_name"`
	TypeUID        int64             `json:"type_uid" parquet:"type_uid"`
	TypeName       string            `json:"type_name" parquet:"type_name"`
	SeverityID     int32             `json:"severity_id" parquet:"severity_id"`
	Severity       string            `json:"severity" parquet:"severity"`
	Time           int64             `json:"time" parquet:"time"`
	StartTime      *int64            `json:"start_time,omitempty" parquet:"start_time,optional"`
	EndTime        *int64            `json:"end_time,omitempty" parquet:"end_time,optional"`
	StatusID       *int32            `json:"status_id,omitempty" parquet:"status_id,optional"`
	Status         string            `json:"status,omitempty" parquet:"status,optional"`
	StatusCode     string            `json:"status_code,omitempty" parquet:"status_code,optional"`
	StatusDetail   string            `json:"status_detail,omitempty" parquet:"status_detail,optional"`
	ActionID       *int32            `json:"action_id,omitempty" parquet:"action_id,optional"`
	Action         string            `json:"action,omitempty" parquet:"action,optional"`
	DispositionID  *int32            `json:"disposition_id,omitempty" parquet:"disposition_id,optional"`
	Disposition    string            `json:"disposition,omitempty" parquet:"disposition,optional"`
	Metadata       Metadata          `json:"metadata" parquet:"metadata"`
	Cloud          *Cloud            `json:"cloud,omitempty" parquet:"cloud,optional"`
	SrcEndpoint    Endpoint          `json:"src_endpoint" parquet:"src_endpoint"`
	DstEndpoint    Endpoint          `json:"dst_endpoint" parquet:"dst_endpoint"`
	ConnectionInfo *ConnectionInfo   `json:"connection_info,omitempty" parquet:"connection_info,optional"`
	Traffic        *Traffic          `json:"traffic,omitempty" parquet:"traffic,optional"`
	Unmapped       map[string]string `json:"unmapped,omitempty" parquet:"unmapped,optional"`
}

// Metadata names the schema version and the product the events come from.
type Metadata struct {
	Version    string   `json:"version" parquet:"version"`
	Product    Product  `json:"product" parquet:"product"`
	Profiles   []string `json:"profiles" parquet:"profiles,list"`
	LogName    string   `json:"log_name,omitempty" parquet:"log_name,optional"`
	LogVersion string   `json:"log_version,omitempty" parquet:"log_version,optional"`
}

// Product is what logged the event: Amazon VPC's flow logs.
type Product struct {
	Name       string  `json:"name" parquet:"name"`
	VendorName string  `json:"vendor_name" parquet:"vendor_name"`
	Feature    Feature `json:"feature" parquet:"feature"`
}

// Feature is the product's feature.
type Feature struct {
	Name string `json:"name" parquet:"name"`
}

// Cloud is where the flow was logged.
type Cloud struct {
	Provider string   `json:"provider" parquet:"provider"`
	Region   string   `json:"region,omitempty" parquet:"region,optional"`
	Zone     string   `json:"zone,omitempty" parquet:"zone,optional"`
	Account  *Account `json:"account,omitempty" parquet:"account,optional"`
}

// Account is the AWS account.
type Account struct {
	UID    string `json:"uid" parquet:"uid"`
	Type   string `json:"type" parquet:"type"`
	TypeID int32  `json:"type_id" parquet:"type_id"`
}

// Endpoint is a network endpoint.
type Endpoint struct {
	IP           string `json:"ip,omitempty" parquet:"ip,optional"`
	Port         *int32 `json:"port,omitempty" parquet:"port,optional"`
	InterfaceUID string `json:"interface_uid,omitempty" parquet:"interface_uid,optional"`
	VPCUID       string `json:"vpc_uid,omitempty" parquet:"vpc_uid,optional"`
	SubnetUID    string `json:"subnet_uid,omitempty" parquet:"subnet_uid,optional"`
	InstanceUID  string `json:"instance_uid,omitempty" parquet:"instance_uid,optional"`
	SvcName      string `json:"svc_name,omitempty" parquet:"svc_name,optional"`
}

// ConnectionInfo is the flow's protocol, direction and path.
type ConnectionInfo struct {
	ProtocolNum   *int32 `json:"protocol_num,omitempty" parquet:"protocol_num,optional"`
	ProtocolName  string `json:"protocol_name,omitempty" parquet:"protocol_name,optional"`
	ProtocolVerID *int32 `json:"protocol_ver_id,omitempty" parquet:"protocol_ver_id,optional"`
	DirectionID   int32  `json:"direction_id" parquet:"direction_id"`
	Direction     string `json:"direction" parquet:"direction"`
	BoundaryID    *int32 `json:"boundary_id,omitempty" parquet:"boundary_id,optional"`
	Boundary      string `json:"boundary,omitempty" parquet:"boundary,optional"`
	TCPFlags      *int32 `json:"tcp_flags,omitempty" parquet:"tcp_flags,optional"`
}

// Traffic is what the flow carried.
type Traffic struct {
	Bytes   *int64 `json:"bytes,omitempty" parquet:"bytes,optional"`
	Packets *int64 `json:"packets,omitempty" parquet:"packets,optional"`
}

func i32(v int32) *int32 { return &v }
func i64(v int64) *int64 { return &v }

// boundaries are OCSF boundary_id captions for traffic-path 1..8 (boundary_id = traffic-path + 3).
var boundaries = [...]string{"Same VPC", "Internet/VPC Gateway", "Virtual Private Gateway", "Intra-region VPC", "Inter-region VPC", "Local Gateway", "Gateway VPC", "Internet Gateway"}

// mapped are the fields the event carries in its own attributes; the others go to unmapped.
var mapped = map[flowlog.Field]bool{
	flowlog.SrcAddr: true, flowlog.DstAddr: true, flowlog.SrcPort: true, flowlog.DstPort: true, flowlog.Protocol: true,
	flowlog.Packets: true, flowlog.Bytes: true, flowlog.Start: true, flowlog.End: true, flowlog.Action: true,
	flowlog.LogStatus: true, flowlog.AccountID: true, flowlog.InterfaceID: true, flowlog.VPCID: true,
	flowlog.SubnetID: true, flowlog.InstanceID: true, flowlog.TCPFlags: true, flowlog.Region: true, flowlog.AZID: true,
	flowlog.FlowDirection: true, flowlog.TrafficPath: true, flowlog.Version: true, flowlog.PktSrcAWSService: true, flowlog.PktDstAWSService: true,
}

// str is a string field's text, "" for "-" or absent.
func str(r *flowlog.Record, f flowlog.Field) string {
	b := r.Field(f)
	if b == nil || flowlog.IsNA(b) {
		return ""
	}
	return string(b)
}

// FromRecord maps one record to an event (see the package comment). It allocates a new event.
func FromRecord(r *flowlog.Record) *Event {
	e := &Event{
		CategoryUID: CategoryUID, CategoryName: CategoryName, ClassUID: ClassUID, ClassName: ClassName,
		SeverityID: 1, Severity: "Informational",
		Metadata: Metadata{Version: Version, Product: Product{Name: "Amazon VPC", VendorName: "AWS", Feature: Feature{Name: "Flow Logs"}},
			Profiles: []string{"cloud", "security_control"}, LogName: "vpc-flow-logs"},
	}
	if r.Version != flowlog.NA {
		e.Metadata.LogVersion = strconv.Itoa(int(r.Version))
	}
	e.ActivityID, e.ActivityName = ActivityTraffic, "Traffic"
	switch r.LogStatus {
	case flowlog.OK:
		e.StatusID, e.Status, e.StatusCode = i32(1), "Success", "OK"
	case flowlog.NoData:
		e.ActivityID, e.ActivityName = ActivityUnknown, "Unknown"
		e.StatusID, e.Status, e.StatusCode, e.StatusDetail = i32(99), "Other", "NODATA", "no network traffic to or from the interface during the aggregation interval"
	case flowlog.SkipData:
		e.ActivityID, e.ActivityName = ActivityUnknown, "Unknown"
		e.StatusID, e.Status, e.StatusCode, e.StatusDetail = i32(2), "Failure", "SKIPDATA", "some flow-log records were skipped during the aggregation interval"
	}
	e.TypeUID = int64(ClassUID)*100 + int64(e.ActivityID)
	e.TypeName = ClassName + ": " + e.ActivityName
	if r.Start != flowlog.NA {
		e.Time = r.Start * 1000
		e.StartTime = i64(r.Start * 1000)
	}
	if r.End != flowlog.NA {
		e.EndTime = i64(r.End * 1000)
		if r.Start == flowlog.NA {
			e.Time = r.End * 1000
		}
	}
	switch r.Action {
	case flowlog.Accept:
		e.ActionID, e.Action, e.DispositionID, e.Disposition = i32(1), "Allowed", i32(1), "Allowed"
	case flowlog.Reject:
		e.ActionID, e.Action, e.DispositionID, e.Disposition = i32(2), "Denied", i32(2), "Blocked"
	}
	if r.SrcAddr.IsValid() {
		e.SrcEndpoint.IP = r.SrcAddr.String()
	}
	if r.DstAddr.IsValid() {
		e.DstEndpoint.IP = r.DstAddr.String()
	}
	if r.SrcPort != flowlog.NA {
		e.SrcEndpoint.Port = i32(r.SrcPort)
	}
	if r.DstPort != flowlog.NA {
		e.DstEndpoint.Port = i32(r.DstPort)
	}
	ci := &ConnectionInfo{Direction: "Unknown"}
	local := &e.SrcEndpoint
	switch str(r, flowlog.FlowDirection) {
	case "ingress":
		ci.DirectionID, ci.Direction = 1, "Inbound"
		local = &e.DstEndpoint
	case "egress":
		ci.DirectionID, ci.Direction = 2, "Outbound"
	}
	local.InterfaceUID = str(r, flowlog.InterfaceID)
	local.VPCUID = str(r, flowlog.VPCID)
	local.SubnetUID = str(r, flowlog.SubnetID)
	local.InstanceUID = str(r, flowlog.InstanceID)
	if s := str(r, flowlog.PktSrcAWSService); s != "" {
		e.SrcEndpoint.SvcName = s
	}
	if s := str(r, flowlog.PktDstAWSService); s != "" {
		e.DstEndpoint.SvcName = s
	}
	if r.Protocol != flowlog.NA {
		ci.ProtocolNum = i32(r.Protocol)
		ci.ProtocolName = protocolName(r.Protocol)
	}
	switch {
	case r.SrcAddr.Is4() || r.DstAddr.Is4():
		ci.ProtocolVerID = i32(4)
	case r.SrcAddr.IsValid() || r.DstAddr.IsValid():
		ci.ProtocolVerID = i32(6)
	}
	if tp := r.TrafficPath; tp >= 1 && tp <= 8 {
		ci.BoundaryID, ci.Boundary = i32(tp+3), boundaries[tp-1]
	}
	if r.TCPFlags != flowlog.NA {
		ci.TCPFlags = i32(r.TCPFlags)
	}
	e.ConnectionInfo = ci
	if r.Bytes != flowlog.NA || r.Packets != flowlog.NA {
		e.Traffic = &Traffic{}
		if r.Bytes != flowlog.NA {
			e.Traffic.Bytes = i64(r.Bytes)
		}
		if r.Packets != flowlog.NA {
			e.Traffic.Packets = i64(r.Packets)
		}
	}
	acct, region, zone := str(r, flowlog.AccountID), str(r, flowlog.Region), str(r, flowlog.AZID)
	// The cloud profile requires cloud, and its provider is known whatever fields the format carries.
	e.Cloud = &Cloud{Provider: "AWS", Region: region, Zone: zone}
	if acct != "" {
		e.Cloud.Account = &Account{UID: acct, Type: "AWS Account", TypeID: 10}
	}
	if f := r.Format(); f != nil {
		extra := r.Extra()
		xi := 0
		for i, fl := range f.Fields {
			if fl == flowlog.FieldNone {
				if xi < len(extra) && !flowlog.IsNA(extra[xi]) {
					setUnmapped(e, f.Names[i], string(extra[xi]))
				}
				xi++
				continue
			}
			if mapped[fl] {
				continue
			}
			if v := fieldText(r, fl); v != "" {
				setUnmapped(e, fl.Name(), v)
			}
		}
	}
	return e
}

func setUnmapped(e *Event, k, v string) {
	if e.Unmapped == nil {
		e.Unmapped = map[string]string{}
	}
	e.Unmapped[k] = v
}

// fieldText is a field's value as text ("" for "-"): the typed fields the parser keeps parsed are rendered.
func fieldText(r *flowlog.Record, f flowlog.Field) string {
	switch f {
	case flowlog.PktSrcAddr:
		if r.PktSrcAddr.IsValid() {
			return r.PktSrcAddr.String()
		}
		return ""
	case flowlog.PktDstAddr:
		if r.PktDstAddr.IsValid() {
			return r.PktDstAddr.String()
		}
		return ""
	}
	return str(r, f)
}

func protocolName(p int32) string {
	switch p {
	case 1:
		return "icmp"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 58:
		return "icmpv6"
	case 47:
		return "gre"
	case 50:
		return "esp"
	case 132:
		return "sctp"
	}
	return ""
}
