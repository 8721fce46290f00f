package report

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// AWS Security Finding Format, as BatchImportFindings takes it. The document is a JSON array of findings;
// BatchImportFindings accepts at most 100 per call, so importers send it in chunks:
//
//	jq -c '_nwise(100)' flowguard.asff.json | while read -r b; do aws securityhub batch-import-findings --findings "$b"; done
const (
	asffSchemaVersion = "2018-10-08"
	// Limits Security Hub enforces on imported findings.
	asffMaxTitle       = 256
	asffMaxDescription = 1024
	asffMaxFieldValue  = 2048
	asffMaxRequirement = 32
	asffDefaultRegion  = "us-east-1"
)

type asffFinding struct {
	SchemaVersion string            `json:"SchemaVersion"`
	ID            string            `json:"Id"`
	ProductArn    string            `json:"ProductArn"`
	ProductName   string            `json:"ProductName,omitempty"`
	CompanyName   string            `json:"CompanyName,omitempty"`
	Region        string            `json:"Region,omitempty"`
	GeneratorID   string            `json:"GeneratorId"`
	AwsAccountID  string            `json:"AwsAccountId"`
	Types         []string          `json:"Types"`
	CreatedAt     string            `json:"CreatedAt"`
	UpdatedAt     string            `json:"UpdatedAt"`
	Severity      asffSeverity      `json:"Severity"`
	Title         string            `json:"Title"`
	Description   string            `json:"Description"`
	Remediation   *asffRemediation  `json:"Remediation,omitempty"`
	ProductFields map[string]string `json:"ProductFields,omitempty"`
	Resources     []asffResource    `json:"Resources"`
	Compliance    asffCompliance    `json:"Compliance"`
	Workflow      asffWorkflow      `json:"Workflow"`
	RecordState   string            `json:"RecordState"`
}

type asffSeverity struct {
	Label    string `json:"Label"`
	Original string `json:"Original,omitempty"`
}

type asffRemediation struct {
	Recommendation struct {
		Text string `json:"Text"`
	} `json:"Recommendation"`
}

type asffResource struct {
	Type      string            `json:"Type"`
	ID        string            `json:"Id"`
	Partition string            `json:"Partition"`
	Region    string            `json:"Region"`
	Tags      map[string]string `json:"Tags,omitempty"`
}

type asffCompliance struct {
	Status              string   `json:"Status"`
	RelatedRequirements []string `json:"RelatedRequirements,omitempty"`
}

type asffWorkflow struct {
	Status string `json:"Status"`
}

// asffCompliance maps a status: PASS→PASSED, FAIL and EXCEPTED→FAILED, ERROR→NOT_AVAILABLE (could not be
// checked), UNKNOWN→WARNING (information missing), SKIPPED→NOT_AVAILABLE (evaluated in the owner account).
func asffComplianceStatus(s finding.Status) string {
	switch s {
	case finding.StatusPass:
		return "PASSED"
	case finding.StatusFail, finding.StatusExcepted:
		return "FAILED"
	case finding.StatusUnknown:
		return "WARNING"
	}
	return "NOT_AVAILABLE"
}

// asffWorkflowStatus: an excepted finding is SUPPRESSED, a passing one RESOLVED, the others NEW.
func asffWorkflowStatus(s finding.Status) string {
	switch s {
	case finding.StatusExcepted:
		return "SUPPRESSED"
	case finding.StatusPass:
		return "RESOLVED"
	}
	return "NEW"
}

// asffSeverityLabel: passing findings are INFORMATIONAL, as Security Hub's own controls report them.
func asffSeverityLabel(f finding.Finding) string {
	if f.Status == finding.StatusPass || f.Status == finding.StatusSkipped {
		return "INFORMATIONAL"
	}
	return strings.ToUpper(severityOf(f.Severity))
}

// asffResourceType uses Security Hub's resource type names; anything else is "Other".
func asffResourceType(t string) string {
	switch t {
	case finding.ResourceVPC:
		return "AwsEc2Vpc"
	case finding.ResourceAccount:
		return "AwsAccount"
	}
	return "Other"
}

// WriteASFF writes the findings in the AWS Security Finding Format. Findings without an account (IaC) are left
// out: Security Hub needs the account and region that a finding belongs to.
func WriteASFF(w io.Writer, r *finding.Result, o Options) error {
	when := r.FinishedAt
	if when.IsZero() {
		when = time.Now()
	}
	ts := when.UTC().Format("2006-01-02T15:04:05.000Z")
	remediation := map[string]string{}
	for _, c := range checkInfos(r, o) {
		remediation[c.ID] = c.Remediation
	}
	out := make([]asffFinding, 0, len(r.Findings))
	for _, f := range sortedFindings(r) {
		if f.AccountID == "" {
			continue
		}
		region := f.Region
		if region == "" {
			region = asffDefaultRegion
		}
		partition := inventory.PartitionOf(region)
		title := f.Title
		if title == "" {
			title = f.CheckID
		}
		desc := string(f.Status) + ": " + f.Message
		if f.Reason != "" {
			desc = string(f.Status) + " (" + f.Reason + "): " + f.Message
		}
		if e := f.Evidence.Exception; e != nil {
			state := "excepted"
			if e.Expired {
				state = "exception expired"
			}
			desc += " [" + state + ": owner " + e.Owner + ", expires " + e.Expires + ", reason: " + e.Reason + "]"
		}
		var reqs []string
		for _, c := range f.Controls {
			if len(reqs) < asffMaxRequirement {
				reqs = append(reqs, truncate(controlString(c), asffMaxFieldValue))
			}
		}
		fields := map[string]string{
			"flowguard/CheckId": f.CheckID, "flowguard/Status": string(f.Status), "flowguard/ResourceId": f.ResourceID,
		}
		if f.Reason != "" {
			fields["flowguard/Reason"] = f.Reason
		}
		if f.Evidence.Error != "" {
			fields["flowguard/Error"] = truncate(f.Evidence.Error, asffMaxFieldValue)
		}
		if e := f.Evidence.Exception; e != nil {
			fields["flowguard/ExceptionOwner"] = truncate(e.Owner, asffMaxFieldValue)
			fields["flowguard/ExceptionExpires"] = e.Expires
		}
		res := asffResource{Type: asffResourceType(f.ResourceType), ID: resourceARN(f), Partition: partition, Region: region}
		if len(f.Evidence.Tags) > 0 {
			res.Tags = map[string]string{}
			for k, v := range f.Evidence.Tags {
				res.Tags[truncate(k, 128)] = truncate(v, 256)
			}
		}
		af := asffFinding{
			SchemaVersion: asffSchemaVersion,
			ID:            partition + "/flowguard/" + f.AccountID + "/" + region + "/" + f.CheckID + "/" + f.ResourceID,
			ProductArn:    "arn:" + partition + ":securityhub:" + region + ":" + f.AccountID + ":product/" + f.AccountID + "/default",
			ProductName:   "flowguard", CompanyName: "flowguard", Region: region,
			GeneratorID:  "flowguard/" + f.CheckID,
			AwsAccountID: f.AccountID,
			Types:        []string{"Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"},
			CreatedAt:    ts, UpdatedAt: ts,
			Severity:      asffSeverity{Label: asffSeverityLabel(f), Original: strings.ToUpper(severityOf(f.Severity))},
			Title:         truncate(title, asffMaxTitle),
			Description:   truncate(desc, asffMaxDescription),
			ProductFields: fields,
			Resources:     []asffResource{res},
			Compliance:    asffCompliance{Status: asffComplianceStatus(f.Status), RelatedRequirements: reqs},
			Workflow:      asffWorkflow{Status: asffWorkflowStatus(f.Status)},
			RecordState:   "ACTIVE",
		}
		if rem := remediation[f.CheckID]; rem != "" {
			af.Remediation = &asffRemediation{}
			af.Remediation.Recommendation.Text = truncate(rem, 512)
		}
		out = append(out, af)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence, marking the cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
