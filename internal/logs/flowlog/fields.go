// Package flowlog models VPC flow-log records and parses them from text at the speed of a byte scan: the
// default format, any custom ${field} format (from a header line, a --format string or a flow log's
// LogFormat), every documented field of versions 2 to 8, and unknown newer fields kept as raw strings.
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
}

var fieldInfos = [numFields]fieldInfo{
	Version:                 {"version", 2, KindInt32},
	AccountID:               {"account-id", 2, KindString},
	InterfaceID:             {"interface-id", 2, KindString},
	SrcAddr:                 {"srcaddr", 2, KindAddr},
	DstAddr:                 {"dstaddr", 2, KindAddr},
	SrcPort:                 {"srcport", 2, KindInt32},
	DstPort:                 {"dstport", 2, KindInt32},
	Protocol:                {"protocol", 2, KindInt32},
	Packets:                 {"packets", 2, KindInt64},
	Bytes:                   {"bytes", 2, KindInt64},
	Start:                   {"start", 2, KindInt64},
	End:                     {"end", 2, KindInt64},
	Action:                  {"action", 2, KindString},
	LogStatus:               {"log-status", 2, KindString},
	VPCID:                   {"vpc-id", 3, KindString},
	SubnetID:                {"subnet-id", 3, KindString},
	InstanceID:              {"instance-id", 3, KindString},
	TCPFlags:                {"tcp-flags", 3, KindInt32},
	Type:                    {"type", 3, KindString},
	PktSrcAddr:              {"pkt-srcaddr", 3, KindAddr},
	PktDstAddr:              {"pkt-dstaddr", 3, KindAddr},
	Region:                  {"region", 4, KindString},
	AZID:                    {"az-id", 4, KindString},
	SublocationType:         {"sublocation-type", 4, KindString},
	SublocationID:           {"sublocation-id", 4, KindString},
	PktSrcAWSService:        {"pkt-src-aws-service", 5, KindString},
	PktDstAWSService:        {"pkt-dst-aws-service", 5, KindString},
	FlowDirection:           {"flow-direction", 5, KindString},
	TrafficPath:             {"traffic-path", 5, KindInt32},
	ECSClusterARN:           {"ecs-cluster-arn", 7, KindString},
	ECSClusterName:          {"ecs-cluster-name", 7, KindString},
	ECSContainerInstanceARN: {"ecs-container-instance-arn", 7, KindString},
	ECSContainerInstanceID:  {"ecs-container-instance-id", 7, KindString},
	ECSContainerID:          {"ecs-container-id", 7, KindString},
	ECSSecondContainerID:    {"ecs-second-container-id", 7, KindString},
	ECSServiceName:          {"ecs-service-name", 7, KindString},
	ECSTaskDefinitionARN:    {"ecs-task-definition-arn", 7, KindString},
	ECSTaskARN:              {"ecs-task-arn", 7, KindString},
	ECSTaskID:               {"ecs-task-id", 7, KindString},
	RejectReason:            {"reject-reason", 8, KindString},
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

// AllFields lists every known field in documentation order.
func AllFields() []Field {
	out := make([]Field, 0, numFields-1)
	for f := Version; f < numFields; f++ {
		out = append(out, f)
	}
	return out
}

// FieldsOfVersion lists the known fields introduced in versions up to v, in documentation order.
func FieldsOfVersion(v int) []Field {
	var out []Field
	for f := Version; f < numFields; f++ {
		if fieldInfos[f].version <= v {
			out = append(out, f)
		}
	}
	return out
}
