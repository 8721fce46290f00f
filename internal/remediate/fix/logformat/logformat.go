// Package logformat validates a custom VPC flow-log record format (`${field} ${field} …`) against the fields
// AWS documents, so that a typo is refused before any API call instead of failing half-way through a rollout.
package logformat

import (
	"fmt"
	"strings"
)

// Default is the fixed version-2 format AWS uses when no LogFormat is given.
const Default = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

// Fields maps every known field name to the format version that introduced it (shared/flowlog-fields.md).
var Fields = map[string]int{
	"version": 2, "account-id": 2, "interface-id": 2, "srcaddr": 2, "dstaddr": 2, "srcport": 2, "dstport": 2,
	"protocol": 2, "packets": 2, "bytes": 2, "start": 2, "end": 2, "action": 2, "log-status": 2,
	"vpc-id": 3, "subnet-id": 3, "instance-id": 3, "tcp-flags": 3, "type": 3, "pkt-srcaddr": 3, "pkt-dstaddr": 3,
	"region": 4, "az-id": 4, "sublocation-type": 4, "sublocation-id": 4,
	"pkt-src-aws-service": 5, "pkt-dst-aws-service": 5, "flow-direction": 5, "traffic-path": 5,
	"ecs-cluster-arn": 7, "ecs-cluster-name": 7, "ecs-container-instance-arn": 7, "ecs-container-instance-id": 7,
	"ecs-container-id": 7, "ecs-second-container-id": 7, "ecs-service-name": 7, "ecs-task-definition-arn": 7,
	"ecs-task-arn": 7, "ecs-task-id": 7,
	"reject-reason": 8,
	"resource-id":   9, "encryption-status": 9, "instance-tag": 9, "interface-tag": 9, "interface-type": 9,
}

// nextHopPrefix covers the documented `next-hop-*` family of version 9+ fields.
const nextHopPrefix = "next-hop-"

// Known reports whether name is a documented field.
func Known(name string) bool {
	if _, ok := Fields[name]; ok {
		return true
	}
	return strings.HasPrefix(name, nextHopPrefix) && len(name) > len(nextHopPrefix)
}

// Parse splits a custom format into its field names, in order. Every token must be `${name}` with a known
// name, separated by single or repeated spaces; a field may not repeat. The error names the 1-based token.
func Parse(format string) ([]string, error) {
	tokens := strings.Fields(format)
	if len(tokens) == 0 {
		return nil, fmt.Errorf("log format is empty")
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(tokens))
	for i, tok := range tokens {
		if !strings.HasPrefix(tok, "${") || !strings.HasSuffix(tok, "}") || len(tok) < 4 {
			return nil, fmt.Errorf("log format field %d %q: want ${field-name}", i+1, tok)
		}
		name := tok[2 : len(tok)-1]
		if strings.ContainsAny(name, "${}") {
			return nil, fmt.Errorf("log format field %d %q: want ${field-name}", i+1, tok)
		}
		if !Known(name) {
			return nil, fmt.Errorf("log format field %d: unknown field %q (see the flow-log record fields AWS documents)", i+1, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("log format field %d: %q appears twice", i+1, name)
		}
		seen[name] = true
		out = append(out, name)
	}
	return out, nil
}

// Normalize validates format and returns it with single spaces, as AWS stores it.
func Normalize(format string) (string, error) {
	fields, err := Parse(format)
	if err != nil {
		return "", err
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "${" + f + "}"
	}
	return strings.Join(parts, " "), nil
}
