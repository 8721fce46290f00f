// Package policy writes the IAM documents of the flow-log delivery role: a trust policy that lets only the
// VPC Flow Logs service assume it, for this account's flow logs in the given regions (confused-deputy
// conditions), and a least-privilege permission policy scoped to the log groups the flow logs write to. It also
// reads existing documents back, so that a role can be reused when it is already right.
package policy

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Service is the principal that delivers flow logs (not ec2.amazonaws.com, as some guides say).
const Service = "vpc-flow-logs.amazonaws.com"

// Statement ids flowguard writes; reading an existing document looks for them.
const (
	SidTrust    = "VPCFlowLogsDelivery"
	SidWrite    = "WriteFlowLogs"
	SidDescribe = "FindLogGroups"
)

// Document is an IAM policy document in the shape flowguard writes.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM statement. Action and Resource are lists (IAM accepts a string or a list).
type Statement struct {
	Sid       string                           `json:"Sid,omitempty"`
	Effect    string                           `json:"Effect"`
	Principal map[string]StringList            `json:"Principal,omitempty"`
	Action    StringList                       `json:"Action"`
	Resource  StringList                       `json:"Resource,omitempty"`
	Condition map[string]map[string]StringList `json:"Condition,omitempty"`
}

// StringList is an IAM value that may be a single string or a list; it is always written as a list.
type StringList []string

// UnmarshalJSON accepts "x" or ["x", …].
func (s *StringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// SourceARN is the aws:SourceArn pattern of account's flow logs in region.
func SourceARN(account, region string) string {
	return fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", inventory.PartitionOf(region), region, account)
}

// Trust returns the delivery role's trust policy for account's flow logs in regions.
func Trust(account string, regions []string) Document {
	var arns []string
	for _, r := range sortedUnique(regions) {
		arns = append(arns, SourceARN(account, r))
	}
	return Document{Version: "2012-10-17", Statement: []Statement{{
		Sid:       SidTrust,
		Effect:    "Allow",
		Principal: map[string]StringList{"Service": {Service}},
		Action:    StringList{"sts:AssumeRole"},
		Condition: map[string]map[string]StringList{
			"StringEquals": {"aws:SourceAccount": {account}},
			"ArnLike":      {"aws:SourceArn": arns},
		},
	}}}
}

// LogGroupPattern turns a log-group name template into the IAM resource pattern of every name it can produce:
// {region} and {account} are filled in, any other {placeholder} becomes *.
var placeholder = regexp.MustCompile(`\{[a-z-]+\}`)

// LogGroupResources returns the log-group ARNs (patterns) that template produces in account and region,
// covering the groups' log streams.
func LogGroupResources(template, account, region string) []string {
	name := strings.NewReplacer("{region}", region, "{account}", account).Replace(template)
	name = placeholder.ReplaceAllString(name, "*")
	arn := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", inventory.PartitionOf(region), region, account, name)
	if strings.HasSuffix(arn, "*") {
		return []string{arn}
	}
	return []string{arn, arn + ":*"}
}

// Permissions returns the delivery role's inline policy: write to the log groups in write (ARN patterns) and
// find log groups in the given regions. Nothing else: no CreateLogGroup (flowguard creates the groups), no
// reading events back.
func Permissions(account string, regions, write []string) Document {
	var describe []string
	for _, r := range sortedUnique(regions) {
		describe = append(describe, fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", inventory.PartitionOf(r), r, account))
	}
	return Document{Version: "2012-10-17", Statement: []Statement{
		{
			Sid:      SidWrite,
			Effect:   "Allow",
			Action:   StringList{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			Resource: StringList(sortedUnique(write)),
		},
		{
			Sid:      SidDescribe,
			Effect:   "Allow",
			Action:   StringList{"logs:DescribeLogGroups"},
			Resource: StringList(describe),
		},
	}}
}

// JSON renders d indented, as flowguard sends and shows it.
func (d Document) JSON() string {
	b, _ := json.MarshalIndent(d, "", "  ")
	return string(b)
}

// Parse reads a policy document as IAM returns it (URL-encoded JSON from GetRole/GetRolePolicy, or plain).
func Parse(doc string) (Document, error) {
	if strings.HasPrefix(doc, "%7B") || strings.HasPrefix(doc, "%7b") {
		if u, err := url.QueryUnescape(doc); err == nil {
			doc = u
		}
	}
	var d Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return Document{}, fmt.Errorf("parse policy document: %w", err)
	}
	return d, nil
}

// TrustInfo is what an existing trust policy allows.
type TrustInfo struct {
	// TrustsService is true when some Allow statement lets vpc-flow-logs.amazonaws.com assume the role.
	TrustsService bool
	// WrongService is set when the role trusts ec2.amazonaws.com instead (the common mistake).
	WrongService bool
	// SourceAccounts and SourceARNs are the confused-deputy conditions of the statement, if any.
	SourceAccounts []string
	SourceARNs     []string
}

// ReadTrust inspects a trust policy.
func ReadTrust(d Document) TrustInfo {
	var t TrustInfo
	for _, s := range d.Statement {
		if s.Effect != "Allow" || !contains(s.Action, "sts:AssumeRole") {
			continue
		}
		svc := s.Principal["Service"]
		if contains(svc, "ec2.amazonaws.com") {
			t.WrongService = true
		}
		if !contains(svc, Service) {
			continue
		}
		t.TrustsService = true
		for _, cond := range s.Condition {
			for k, v := range cond {
				switch strings.ToLower(k) {
				case "aws:sourceaccount":
					t.SourceAccounts = append(t.SourceAccounts, v...)
				case "aws:sourcearn":
					t.SourceARNs = append(t.SourceARNs, v...)
				}
			}
		}
	}
	return t
}

// Allows reports whether the trust lets account's flow logs in region assume the role.
func (t TrustInfo) Allows(account, region string) bool {
	if !t.TrustsService {
		return false
	}
	if len(t.SourceAccounts) > 0 && !contains(t.SourceAccounts, account) {
		return false
	}
	if len(t.SourceARNs) == 0 {
		return true
	}
	want := SourceARN(account, region)
	for _, p := range t.SourceARNs {
		if Match(p, want) {
			return true
		}
	}
	return false
}

// Regions returns the regions named by the trust's SourceArn conditions (flowguard's own documents only use
// concrete regions).
func (t TrustInfo) Regions() []string {
	var out []string
	for _, a := range t.SourceARNs {
		if p := strings.Split(a, ":"); len(p) > 4 && p[2] == "ec2" && p[3] != "*" {
			out = append(out, p[3])
		}
	}
	return sortedUnique(out)
}

// Resources returns the resources of the statement sid in d.
func Resources(d Document, sid string) []string {
	for _, s := range d.Statement {
		if s.Sid == sid {
			return append([]string(nil), s.Resource...)
		}
	}
	return nil
}

// Match reports whether IAM resource pattern p (with * and ? wildcards) matches s.
func Match(p, s string) bool {
	for len(p) > 0 {
		switch p[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if Match(p[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != p[0] {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return s == ""
}

// Covers reports whether every element of want is in have.
func Covers(have, want []string) bool {
	for _, w := range want {
		if !contains(have, w) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedUnique(in []string) []string {
	m := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !m[s] {
			m[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Union returns the sorted union of lists.
func Union(lists ...[]string) []string {
	var all []string
	for _, l := range lists {
		all = append(all, l...)
	}
	return sortedUnique(all)
}
