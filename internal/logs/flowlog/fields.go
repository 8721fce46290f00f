// Package flowlog models VPC and Transit Gateway flow-log records and parses them from text at the speed of a
// byte scan: the default formats, any custom ${field} format (from a header line, a --format string or a flow
// log's LogFormat), every documented field of VPC versions 2 to 11 and of Transit Gateway version 6, and
// unknown newer fields kept as raw strings, readable by name.
package flowlog

import "strings"

// Field identifies a known flow-log field. Unknown field names have no Field; their values are kept as raw
// bytes in Record.Extra.
type Field uint8

// Known fields, in the order of flowlog-fields.md.
const (
	FieldNone Field = iota
	Version
	AccountID
	InterfaceID
	SrcAddr
	DstAddr
	SrcPort
	DstPort
	Protocol
	Packets
	Bytes
	Start
	End
	Action
	LogStatus
	VPCID
	SubnetID
	InstanceID
	TCPFlags
	Type
	PktSrcAddr
	PktDstAddr
	Region
	AZID
	SublocationType
	SublocationID
	PktSrcAWSService
	PktDstAWSService
	FlowDirection
	TrafficPath
	ECSClusterARN
	ECSClusterName
	ECSContainerInstanceARN
	ECSContainerInstanceID
	ECSContainerID
	ECSSecondContainerID
	ECSServiceName
	ECSTaskDefinitionARN
	ECSTaskARN
	ECSTaskID
	RejectReason
	// VPC version 9 to 11.
	ResourceID
	EncryptionStatus
	InstanceTag
	InstanceTag2
	InterfaceTag
	InterfaceTag2
	ASGTag
	ASGTag2
	InterfaceType
	NextHopInterfaceID
	NextHopSubnetID
	NextHopAZID
	NextHopVPCID
	NextHopInterfaceType
	// Transit Gateway flow logs (version 6); they also use version, account-id, the addresses, ports,
	// protocol, packets, bytes, start, end, log-status, type, tcp-flags, region, flow-direction and the
	// pkt-*-aws-service fields.
	ResourceType
	TGWID
	TGWAttachmentID
	TGWSrcVPCAccountID
	TGWDstVPCAccountID
	TGWSrcVPCID
	TGWDstVPCID
	TGWSrcSubnetID
	TGWDstSubnetID
	TGWSrcENI
	TGWDstENI
	TGWSrcAZID
	TGWDstAZID
	TGWPairAttachmentID
	PacketsLostNoRoute
	PacketsLostBlackhole
	PacketsLostMTUExceeded
	PacketsLostTTLExpired
	numFields
)

// Kind is how a field's value is typed (and stored in Parquet).
type Kind uint8

const (
	KindString Kind = iota
	KindInt32
	KindInt64
	KindAddr
)

type fieldInfo struct {
	name    string
	version int
	kind    Kind
	// tgw marks fields of Transit Gateway flow logs only.
	tgw bool
}

var fieldInfos = [numFields]fieldInfo{
	Version:                 {"version", 2, KindInt32, false},
	AccountID:               {"account-id", 2, KindString, false},
	InterfaceID:             {"interface-id", 2, KindString, false},
	SrcAddr:                 {"srcaddr", 2, KindAddr, false},
	DstAddr:                 {"dstaddr", 2, KindAddr, false},
	SrcPort:                 {"srcport", 2, KindInt32, false},
	DstPort:                 {"dstport", 2, KindInt32, false},
	Protocol:                {"protocol", 2, KindInt32, false},
	Packets:                 {"packets", 2, KindInt64, false},
	Bytes:                   {"bytes", 2, KindInt64, false},
	Start:                   {"start", 2, KindInt64, false},
	End:                     {"end", 2, KindInt64, false},
	Action:                  {"action", 2, KindString, false},
	LogStatus:               {"log-status", 2, KindString, false},
	VPCID:                   {"vpc-id", 3, KindString, false},
	SubnetID:                {"subnet-id", 3, KindString, false},
	InstanceID:              {"instance-id", 3, KindString, false},
	TCPFlags:                {"tcp-flags", 3, KindInt32, false},
	Type:                    {"type", 3, KindString, false},
	PktSrcAddr:              {"pkt-srcaddr", 3, KindAddr, false},
	PktDstAddr:              {"pkt-dstaddr", 3, KindAddr, false},
	Region:                  {"region", 4, KindString, false},
	AZID:                    {"az-id", 4, KindString, false},
	SublocationType:         {"sublocation-type", 4, KindString, false},
	SublocationID:           {"sublocation-id", 4, KindString, false},
	PktSrcAWSService:        {"pkt-src-aws-service", 5, KindString, false},
	PktDstAWSService:        {"pkt-dst-aws-service", 5, KindString, false},
	FlowDirection:           {"flow-direction", 5, KindString, false},
	TrafficPath:             {"traffic-path", 5, KindInt32, false},
	ECSClusterARN:           {"ecs-cluster-arn", 7, KindString, false},
	ECSClusterName:          {"ecs-cluster-name", 7, KindString, false},
	ECSContainerInstanceARN: {"ecs-container-instance-arn", 7, KindString, false},
	ECSContainerInstanceID:  {"ecs-container-instance-id", 7, KindString, false},
	ECSContainerID:          {"ecs-container-id", 7, KindString, false},
	ECSSecondContainerID:    {"ecs-second-container-id", 7, KindString, false},
	ECSServiceName:          {"ecs-service-name", 7, KindString, false},
	ECSTaskDefinitionARN:    {"ecs-task-definition-arn", 7, KindString, false},
	ECSTaskARN:              {"ecs-task-arn", 7, KindString, false},
	ECSTaskID:               {"ecs-task-id", 7, KindString, false},
	RejectReason:            {"reject-reason", 8, KindString, false},
	ResourceID:              {"resource-id", 9, KindString, false},
	EncryptionStatus:        {"encryption-status", 10, KindInt32, false},
	InstanceTag:             {"instance-tag", 11, KindString, false},
	InstanceTag2:            {"instance-tag-2", 11, KindString, false},
	InterfaceTag:            {"interface-tag", 11, KindString, false},
	InterfaceTag2:           {"interface-tag-2", 11, KindString, false},
	ASGTag:                  {"asg-tag", 11, KindString, false},
	ASGTag2:                 {"asg-tag-2", 11, KindString, false},
	InterfaceType:           {"interface-type", 11, KindString, false},
	NextHopInterfaceID:      {"next-hop-interface-id", 11, KindString, false},
	NextHopSubnetID:         {"next-hop-subnet-id", 11, KindString, false},
	NextHopAZID:             {"next-hop-az-id", 11, KindString, false},
	NextHopVPCID:            {"next-hop-vpc-id", 11, KindString, false},
	NextHopInterfaceType:    {"next-hop-interface-type", 11, KindString, false},
	ResourceType:            {"resource-type", 6, KindString, true},
	TGWID:                   {"tgw-id", 6, KindString, true},
	TGWAttachmentID:         {"tgw-attachment-id", 6, KindString, true},
	TGWSrcVPCAccountID:      {"tgw-src-vpc-account-id", 6, KindString, true},
	TGWDstVPCAccountID:      {"tgw-dst-vpc-account-id", 6, KindString, true},
	TGWSrcVPCID:             {"tgw-src-vpc-id", 6, KindString, true},
	TGWDstVPCID:             {"tgw-dst-vpc-id", 6, KindString, true},
	TGWSrcSubnetID:          {"tgw-src-subnet-id", 6, KindString, true},
	TGWDstSubnetID:          {"tgw-dst-subnet-id", 6, KindString, true},
	TGWSrcENI:               {"tgw-src-eni", 6, KindString, true},
	TGWDstENI:               {"tgw-dst-eni", 6, KindString, true},
	TGWSrcAZID:              {"tgw-src-az-id", 6, KindString, true},
	TGWDstAZID:              {"tgw-dst-az-id", 6, KindString, true},
	TGWPairAttachmentID:     {"tgw-pair-attachment-id", 6, KindString, true},
	PacketsLostNoRoute:      {"packets-lost-no-route", 6, KindInt64, true},
	PacketsLostBlackhole:    {"packets-lost-blackhole", 6, KindInt64, true},
	PacketsLostMTUExceeded:  {"packets-lost-mtu-exceeded", 6, KindInt64, true},
	PacketsLostTTLExpired:   {"packets-lost-ttl-expired", 6, KindInt64, true},
}

var fieldByName = func() map[string]Field {
	m := make(map[string]Field, numFields)
	for f := Version; f < numFields; f++ {
		m[fieldInfos[f].name] = f
	}
	return m
}()

// Name is the field's hyphenated name as used in ${field} formats and text headers.
func (f Field) Name() string {
	if f == FieldNone || f >= numFields {
		return ""
	}
	return fieldInfos[f].name
}

// ColumnName is the field's Parquet column name (hyphens become underscores).
func (f Field) ColumnName() string { return strings.ReplaceAll(f.Name(), "-", "_") }

// Version is the flow-log format version that introduced the field.
func (f Field) Version() int {
	if f >= numFields {
		return 0
	}
	return fieldInfos[f].version
}

// Kind is the field's value type.
func (f Field) Kind() Kind {
	if f >= numFields {
		return KindString
	}
	return fieldInfos[f].kind
}

// LookupField finds a known field by its hyphenated or underscored name.
func LookupField(name string) (Field, bool) {
	if f, ok := fieldByName[name]; ok {
		return f, true
	}
	f, ok := fieldByName[strings.ReplaceAll(name, "_", "-")]
	return f, ok
}

// TransitGatewayOnly reports whether the field exists in Transit Gateway flow logs only.
func (f Field) TransitGatewayOnly() bool { return f < numFields && fieldInfos[f].tgw }

// AllFields lists every known field (VPC, then Transit Gateway) in documentation order.
func AllFields() []Field {
	out := make([]Field, 0, numFields-1)
	for f := Version; f < numFields; f++ {
		out = append(out, f)
	}
	return out
}

// FieldsOfVersion lists the VPC flow-log fields introduced in versions up to v, in documentation order.
func FieldsOfVersion(v int) []Field {
	var out []Field
	for f := Version; f < numFields; f++ {
		if fieldInfos[f].version <= v && !fieldInfos[f].tgw {
			out = append(out, f)
		}
	}
	return out
}

// MaxVPCVersion is the newest VPC flow-log version whose fields flowguard knows.
const MaxVPCVersion = 11

// TransitGatewayDefaultFormat is the format of a Transit Gateway flow log created without a LogFormat: every
// Transit Gateway field, version 6, in the order AWS documents them.
var TransitGatewayDefaultFormat = mustFormat("${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} " +
	"${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} ${tgw-src-vpc-id} ${tgw-dst-vpc-id} ${tgw-src-subnet-id} " +
	"${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} ${tgw-dst-az-id} ${tgw-pair-attachment-id} " +
	"${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${log-status} ${type} " +
	"${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} ${packets-lost-ttl-expired} " +
	"${tcp-flags} ${region} ${flow-direction} ${pkt-src-aws-service} ${pkt-dst-aws-service}")
