// Package logformat validates a custom VPC flow-log record format (`${field} ${field} …`) against the fields
// AWS documents, so that a typo is refused before any API call instead of failing half-way through a rollout.
package logformat

import (
	"fmt"
	"strings"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Default is the fixed version-2 format AWS uses when no LogFormat is given.
const Default = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

// Fields maps every VPC flow-log field name to the format version that introduced it: the record parser's
// table (internal/logs/flowlog), so that what fix accepts is what the readers understand.
var Fields = func() map[string]int {
	m := map[string]int{}
	for _, f := range flowlog.FieldsOfVersion(flowlog.MaxVPCVersion) {
		m[f.Name()] = f.Version()
	}
	return m
}()

// TransitGatewayFields are the fields a Transit Gateway flow log may carry: those of its default format.
var TransitGatewayFields = func() map[string]int {
	m := map[string]int{}
	for _, f := range flowlog.TransitGatewayDefaultFormat.Fields {
		m[f.Name()] = f.Version()
	}
	return m
}()

// TransitGatewayDefault is the format AWS gives a Transit Gateway flow log without a LogFormat (version 6).
var TransitGatewayDefault = flowlog.TransitGatewayDefaultFormat.String()

// nextHopPrefix covers the documented `next-hop-*` family of version 9+ fields.
const nextHopPrefix = "next-hop-"

// Known reports whether name is a documented field.
func Known(name string) bool {
	if _, ok := Fields[name]; ok {
		return true
	}
	return strings.HasPrefix(name, nextHopPrefix) && len(name) > len(nextHopPrefix)
}

// ParseTransitGateway is Parse for a Transit Gateway flow log: only the fields Transit Gateway records have.
func ParseTransitGateway(format string) ([]string, error) {
	return parse(format, func(name string) bool { _, ok := TransitGatewayFields[name]; return ok })
}

// Parse splits a custom format into its field names, in order. Every token must be `${name}` with a known
// name, separated by single or repeated spaces; a field may not repeat. The error names the 1-based token.
func Parse(format string) ([]string, error) { return parse(format, Known) }

func parse(format string, known func(string) bool) ([]string, error) {
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
		if !known(name) {
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
