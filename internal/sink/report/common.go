package report

import (
	"sort"
	"strconv"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Helpers shared by the formats that security tools import (SARIF, OCSF, ASFF).

// resourceARN returns the ARN of a finding's resource, or a stable identifier when it has none (IaC addresses).
func resourceARN(f finding.Finding) string {
	id := f.ResourceID
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	if f.AccountID == "" {
		// Static (IaC) finding: there is no deployed resource yet.
		if f.Location != nil && f.Location.Address != "" {
			return f.Location.Address
		}
		return id
	}
	p := inventory.PartitionOf(f.Region)
	switch f.ResourceType {
	case finding.ResourceVPC:
		return "arn:" + p + ":ec2:" + f.Region + ":" + f.AccountID + ":vpc/" + id
	case finding.ResourceLogGroup:
		return "arn:" + p + ":logs:" + f.Region + ":" + f.AccountID + ":log-group:" + id
	case finding.ResourceAccount:
		return "arn:" + p + ":iam::" + f.AccountID + ":root"
	}
	if strings.HasPrefix(id, "vpc-") {
		return "arn:" + p + ":ec2:" + f.Region + ":" + f.AccountID + ":vpc/" + id
	}
	return id
}

// severityOf normalizes a finding's severity to one of informational, low, medium, high, critical.
// A check without a severity is medium: CIS rates missing VPC flow logs as a Level 2 control, not critical.
func severityOf(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info", "informational":
		return "informational"
	case "low":
		return "low"
	case "high":
		return "high"
	case "critical":
		return "critical"
	}
	return "medium"
}

// controlTags renders controls as "framework version id" strings, e.g. "CIS AWS Foundations v3.0 3.7".
func controlTags(cs []finding.Control) []string {
	var out []string
	for _, c := range cs {
		out = append(out, controlString(c))
	}
	return out
}

func controlString(c finding.Control) string {
	s := c.Framework
	if c.Version != "" {
		s += " " + c.Version
	}
	return s + " " + c.ID
}

// checkInfos returns a description of every check that appears in r, in check id order: r.Checks and then
// o.Checks where given, completed from the findings (title, severity, controls) otherwise.
func checkInfos(r *finding.Result, o Options) []finding.CheckInfo {
	byID := map[string]*finding.CheckInfo{}
	var ids []string
	add := func(ci finding.CheckInfo) *finding.CheckInfo {
		if c, ok := byID[ci.ID]; ok {
			return c
		}
		c := ci
		byID[ci.ID] = &c
		ids = append(ids, ci.ID)
		return &c
	}
	used := map[string]bool{}
	for _, f := range r.Findings {
		used[f.CheckID] = true
	}
	for _, ci := range append(append([]finding.CheckInfo(nil), r.Checks...), o.Checks...) {
		if used[ci.ID] {
			add(ci)
		}
	}
	for _, f := range r.Findings {
		c := add(finding.CheckInfo{ID: f.CheckID})
		if c.Title == "" {
			c.Title = f.Title
		}
		if c.Severity == "" {
			c.Severity = f.Severity
		}
		if len(c.Controls) == 0 {
			c.Controls = f.Controls
		}
	}
	sort.Strings(ids)
	out := make([]finding.CheckInfo, 0, len(ids))
	for _, id := range ids {
		c := *byID[id]
		if c.Title == "" {
			c.Title = c.ID
		}
		if c.Description == "" {
			c.Description = c.Title
		}
		out = append(out, c)
	}
	return out
}

// sortedFindings returns a sorted copy of r's findings.
func sortedFindings(r *finding.Result) []finding.Finding {
	fs := append([]finding.Finding(nil), r.Findings...)
	finding.Sort(fs)
	return fs
}

// location renders a finding's IaC location as file:line, or "".
func location(f finding.Finding) string {
	if f.Location == nil || f.Location.File == "" {
		return ""
	}
	if f.Location.Line > 0 {
		return f.Location.File + ":" + strconv.Itoa(f.Location.Line)
	}
	return f.Location.File
}

// sortedTags renders tags as k=v pairs in key order.
func sortedTags(tags map[string]string) []string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+tags[k])
	}
	return out
}
