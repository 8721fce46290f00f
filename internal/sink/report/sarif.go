package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
)

// SARIF 2.1.0 (OASIS). Only the parts flowguard fills are modelled.

const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	toolInfoURI  = "https://github.com/flowguard/flowguard"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	// ColumnKind is required by some consumers when regions are given.
	ColumnKind string `json:"columnKind,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string           `json:"id"`
	Name                 string           `json:"name,omitempty"`
	ShortDescription     *sarifText       `json:"shortDescription,omitempty"`
	FullDescription      *sarifText       `json:"fullDescription,omitempty"`
	Help                 *sarifText       `json:"help,omitempty"`
	HelpURI              string           `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifRuleConfig `json:"defaultConfiguration,omitempty"`
	Properties           map[string]any   `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	StartTimeUTC               string              `json:"startTimeUtc,omitempty"`
	EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string    `json:"level"`
	Message    sarifText `json:"message"`
	Descriptor *struct {
		ID string `json:"id"`
	} `json:"descriptor,omitempty"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Kind                string             `json:"kind"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifArtifactLocation struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status,omitempty"`
	Justification string `json:"justification,omitempty"`
}

// sarifKindLevel maps a status to SARIF's result kind and level. SARIF requires level "none" for every kind but
// "fail". A finding that could not be evaluated (ERROR) is reported as a failing warning rather than "open",
// because code-scanning dashboards drop non-failing kinds and a VPC that was not evaluated must stay visible.
func sarifKindLevel(s finding.Status) (kind, level string) {
	switch s {
	case finding.StatusFail, finding.StatusExcepted:
		return "fail", "error"
	case finding.StatusError:
		return "fail", "warning"
	case finding.StatusUnknown:
		return "open", "none"
	case finding.StatusSkipped:
		return "notApplicable", "none"
	}
	return "pass", "none"
}

// securitySeverity is GitHub code scanning's numeric severity (0.1–10).
func securitySeverity(sev string) string {
	switch severityOf(sev) {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "low":
		return "3.0"
	case "informational":
		return "1.0"
	}
	return "5.5"
}

// WriteSARIF writes a SARIF 2.1.0 log: one rule per check (with help text and control tags), one result per
// finding. Findings from IaC files carry a physical location (file:line); live findings a logical location
// named by the resource ARN. Excepted findings are failing results with an accepted external suppression.
func WriteSARIF(w io.Writer, r *finding.Result, o Options) error {
	checks := checkInfos(r, o)
	index := map[string]int{}
	rules := make([]sarifRule, 0, len(checks))
	for i, c := range checks {
		index[c.ID] = i
		tags := append([]string{"security", "aws", "vpc-flow-logs"}, controlTags(c.Controls)...)
		help := c.Description
		md := "**" + c.Title + "**\n\n" + c.Description
		if c.Remediation != "" {
			help += "\n\nRemediation: " + c.Remediation
			md += "\n\n**Remediation:** `" + strings.ReplaceAll(c.Remediation, "`", "'") + "`"
		}
		if len(c.Controls) > 0 {
			help += "\n\nControls: " + strings.Join(controlTags(c.Controls), ", ")
			md += "\n\n**Controls:** " + strings.Join(controlTags(c.Controls), ", ")
		}
		rules = append(rules, sarifRule{
			ID: c.ID, Name: ruleName(c.ID),
			ShortDescription:     &sarifText{Text: c.Title},
			FullDescription:      &sarifText{Text: c.Description},
			Help:                 &sarifText{Text: help, Markdown: md},
			HelpURI:              c.HelpURL,
			DefaultConfiguration: &sarifRuleConfig{Level: "error"},
			Properties: map[string]any{
				"tags": tags, "security-severity": securitySeverity(c.Severity), "precision": "very-high",
				"problem.severity": "error",
			},
		})
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range sortedFindings(r) {
		kind, level := sarifKindLevel(f.Status)
		arn := resourceARN(f)
		var loc sarifLocation
		logical := sarifLogicalLocation{Name: f.ResourceID, FullyQualifiedName: arn, Kind: "resource"}
		if l := f.Location; l != nil && l.File != "" {
			loc.PhysicalLocation = &sarifPhysicalLocation{ArtifactLocation: sarifArtifactLocation{URI: fileURI(l.File)}}
			if l.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: l.Line}
			}
			if l.Address != "" {
				logical = sarifLogicalLocation{Name: l.Address, FullyQualifiedName: l.Address, Kind: "resource"}
			}
		}
		loc.LogicalLocations = []sarifLogicalLocation{logical}
		msg := string(f.Status) + ": " + f.Message
		if f.ResourceName != "" {
			msg += " (" + f.ResourceID + " " + f.ResourceName + ")"
		}
		props := map[string]any{"status": string(f.Status), "resource_id": f.ResourceID, "resource_type": f.ResourceType}
		for k, v := range map[string]string{"reason": f.Reason, "account_id": f.AccountID, "region": f.Region, "error": f.Evidence.Error} {
			if v != "" {
				props[k] = v
			}
		}
		res := sarifResult{
			RuleID: f.CheckID, RuleIndex: index[f.CheckID], Kind: kind, Level: level,
			Message:             sarifText{Text: msg},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{"flowguardFindingKey/v1": fingerprint(f.Key())},
			Properties:          props,
		}
		if e := f.Evidence.Exception; e != nil && f.Status == finding.StatusExcepted {
			just := e.Reason + " (owner " + e.Owner + ", expires " + e.Expires
			if e.Ticket != "" {
				just += ", ticket " + e.Ticket
			}
			res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: just + ")"}}
		}
		results = append(results, res)
	}
	var notes []sarifNotification
	for _, e := range r.Errors {
		where := e.AccountID
		if e.Region != "" {
			where += "/" + e.Region
		}
		notes = append(notes, sarifNotification{Level: "error", Message: sarifText{Text: where + ": " + e.Operation + ": " + e.Message}})
	}
	for _, n := range r.Notes {
		notes = append(notes, sarifNotification{Level: "note", Message: sarifText{Text: n}})
	}
	inv := sarifInvocation{ExecutionSuccessful: !r.Incomplete, ToolExecutionNotifications: notes}
	if !r.StartedAt.IsZero() {
		inv.StartTimeUTC = r.StartedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	if !r.FinishedAt.IsZero() {
		inv.EndTimeUTC = r.FinishedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	log := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{{
		Tool:        sarifTool{Driver: sarifDriver{Name: toolName(r), Version: r.Tool.Version, InformationURI: toolInfoURI, Rules: rules}},
		Invocations: []sarifInvocation{inv}, Results: results,
	}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func toolName(r *finding.Result) string {
	if r.Tool.Name != "" {
		return r.Tool.Name
	}
	return "flowguard"
}

// ruleName turns vpc-flow-logs-enabled into VpcFlowLogsEnabled (SARIF rule names are identifiers).
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, c := range id {
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(c)))
			up = false
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// fileURI turns a file path into a SARIF artifact URI: relative paths stay relative (to the repository root,
// which is what code scanning expects), with forward slashes and percent-encoding of what a URI cannot hold.
func fileURI(path string) string {
	path = strings.ReplaceAll(path, "\\", "/")
	var b strings.Builder
	if strings.HasPrefix(path, "/") {
		b.WriteString("file://")
	}
	for _, c := range []byte(path) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~/:@!$&'()*+,;=", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

// fingerprint is a stable hash of a finding key, so code scanning tracks one alert across runs.
func fingerprint(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}
