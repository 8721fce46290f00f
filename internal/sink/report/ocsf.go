package report

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// OCSF Compliance Finding (class 2003, category Findings 2), schema 1.x, one event per finding, written as a
// JSON array as Prowler does. Field names follow the OCSF dictionary.
const (
	ocsfVersion         = "1.4.0"
	ocsfClassUID        = 2003
	ocsfCategoryUID     = 2
	ocsfActivityCreate  = 1
	ocsfTypeUIDCreate   = ocsfClassUID*100 + ocsfActivityCreate
	ocsfCloudProfile    = "cloud"
	ocsfDatetimeProfile = "datetime"
)

type ocsfEvent struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`

	Time   int64  `json:"time"`
	TimeDT string `json:"time_dt"`

	SeverityID int    `json:"severity_id"`
	Severity   string `json:"severity"`
	StatusID   int    `json:"status_id"`
	Status     string `json:"status"`
	StatusCode string `json:"status_code"`
	// StatusDetail explains the status: the reason code and message.
	StatusDetail string `json:"status_detail,omitempty"`
	Message      string `json:"message"`

	Metadata    ocsfMetadata     `json:"metadata"`
	FindingInfo ocsfFindingInfo  `json:"finding_info"`
	Compliance  ocsfCompliance   `json:"compliance"`
	Resources   []ocsfResource   `json:"resources"`
	Cloud       ocsfCloud        `json:"cloud"`
	Remediation *ocsfRemediation `json:"remediation,omitempty"`
	Unmapped    map[string]any   `json:"unmapped,omitempty"`
}

type ocsfMetadata struct {
	Version    string      `json:"version"`
	Product    ocsfProduct `json:"product"`
	Profiles   []string    `json:"profiles"`
	EventCode  string      `json:"event_code"`
	TenantUID  string      `json:"tenant_uid,omitempty"`
	LoggedTime int64       `json:"logged_time"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	UID        string `json:"uid"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type ocsfFindingInfo struct {
	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	Desc          string   `json:"desc,omitempty"`
	Types         []string `json:"types,omitempty"`
	CreatedTime   int64    `json:"created_time"`
	CreatedTimeDT string   `json:"created_time_dt"`
}

type ocsfCompliance struct {
	Standards    []string `json:"standards"`
	Requirements []string `json:"requirements,omitempty"`
	Control      string   `json:"control,omitempty"`
	StatusID     int      `json:"status_id"`
	Status       string   `json:"status"`
	StatusCode   string   `json:"status_code"`
	StatusDetail string   `json:"status_detail,omitempty"`
}

type ocsfResource struct {
	UID            string         `json:"uid"`
	Name           string         `json:"name,omitempty"`
	Type           string         `json:"type"`
	Region         string         `json:"region,omitempty"`
	CloudPartition string         `json:"cloud_partition,omitempty"`
	Group          *ocsfGroup     `json:"group,omitempty"`
	Labels         []string       `json:"labels,omitempty"`
	Tags           []ocsfKeyValue `json:"tags,omitempty"`
	Data           map[string]any `json:"data,omitempty"`
}

type ocsfGroup struct {
	Name string `json:"name"`
}

type ocsfKeyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type ocsfCloud struct {
	Provider string       `json:"provider"`
	Region   string       `json:"region,omitempty"`
	Account  *ocsfAccount `json:"account,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

// ocsfSeverity maps a severity to OCSF severity_id and caption.
func ocsfSeverity(sev string) (int, string) {
	switch severityOf(sev) {
	case "informational":
		return 1, "Informational"
	case "low":
		return 2, "Low"
	case "high":
		return 4, "High"
	case "critical":
		return 5, "Critical"
	}
	return 3, "Medium"
}

// ocsfComplianceStatus maps a status to compliance.status_id: 1 Pass, 2 Warning (no result for lack of
// information: ERROR, UNKNOWN), 3 Fail (FAIL, and EXCEPTED, which still fails but is suppressed), 99 Other.
func ocsfComplianceStatus(s finding.Status) (int, string) {
	switch s {
	case finding.StatusPass:
		return 1, "Pass"
	case finding.StatusError, finding.StatusUnknown:
		return 2, "Warning"
	case finding.StatusFail, finding.StatusExcepted:
		return 3, "Fail"
	}
	return 99, "Skipped"
}

// ocsfFindingStatus maps a status to the finding's lifecycle status_id: an excepted finding is Suppressed (3),
// every other is New (1) — flowguard does not track triage.
func ocsfFindingStatus(s finding.Status) (int, string) {
	if s == finding.StatusExcepted {
		return 3, "Suppressed"
	}
	return 1, "New"
}

// WriteOCSF writes one OCSF Compliance Finding per finding, as a JSON array.
func WriteOCSF(w io.Writer, r *finding.Result, o Options) error {
	when := r.FinishedAt
	if when.IsZero() {
		when = time.Now()
	}
	ms, dt := when.UnixMilli(), when.UTC().Format(time.RFC3339)
	remediation := map[string]string{}
	for _, c := range checkInfos(r, o) {
		if c.Remediation != "" {
			remediation[c.ID] = c.Remediation
		}
	}
	events := make([]ocsfEvent, 0, len(r.Findings))
	for _, f := range sortedFindings(r) {
		sevID, sev := ocsfSeverity(f.Severity)
		cStatusID, cStatus := ocsfComplianceStatus(f.Status)
		stID, st := ocsfFindingStatus(f.Status)
		detail := f.Message
		if f.Reason != "" {
			detail = f.Reason + ": " + f.Message
		}
		standards, reqs := ocsfStandards(f.Controls)
		arn := resourceARN(f)
		res := ocsfResource{
			UID: arn, Name: f.ResourceName, Type: ocsfResourceType(f.ResourceType), Region: f.Region,
			Group: &ocsfGroup{Name: strings.SplitN(strings.TrimPrefix(f.ResourceType, "AWS::"), "::", 2)[0]},
			Data:  map[string]any{"resource_id": f.ResourceID, "evidence": f.Evidence},
		}
		if f.AccountID != "" {
			res.CloudPartition = inventory.PartitionOf(f.Region)
		}
		for _, kv := range sortedTags(f.Evidence.Tags) {
			k, v, _ := strings.Cut(kv, "=")
			res.Tags = append(res.Tags, ocsfKeyValue{Name: k, Value: v})
		}
		if l := location(f); l != "" {
			res.Data["location"] = f.Location
		}
		ev := ocsfEvent{
			ActivityID: ocsfActivityCreate, ActivityName: "Create",
			CategoryUID: ocsfCategoryUID, CategoryName: "Findings",
			ClassUID: ocsfClassUID, ClassName: "Compliance Finding",
			TypeUID: ocsfTypeUIDCreate, TypeName: "Compliance Finding: Create",
			Time: ms, TimeDT: dt,
			SeverityID: sevID, Severity: sev,
			StatusID: stID, Status: st, StatusCode: string(f.Status), StatusDetail: detail,
			Message: f.Message,
			Metadata: ocsfMetadata{
				Version:  ocsfVersion,
				Product:  ocsfProduct{Name: toolName(r), UID: "flowguard", VendorName: "flowguard", Version: r.Tool.Version},
				Profiles: []string{ocsfCloudProfile, ocsfDatetimeProfile}, EventCode: f.CheckID,
				TenantUID: f.AccountID, LoggedTime: ms,
			},
			FindingInfo: ocsfFindingInfo{
				UID: "flowguard-" + fingerprint(f.Key()), Title: f.Title, Desc: f.Message,
				Types:       []string{"Software and Configuration Checks/Industry and Regulatory Standards"},
				CreatedTime: ms, CreatedTimeDT: dt,
			},
			Compliance: ocsfCompliance{
				Standards: standards, Requirements: reqs, Control: f.CheckID,
				StatusID: cStatusID, Status: cStatus, StatusCode: string(f.Status), StatusDetail: detail,
			},
			Resources: []ocsfResource{res},
			Cloud:     ocsfCloud{Provider: "AWS", Region: f.Region},
		}
		if ev.FindingInfo.Title == "" {
			ev.FindingInfo.Title = f.CheckID
		}
		if f.AccountID != "" {
			ev.Cloud.Account = &ocsfAccount{UID: f.AccountID, Type: "AWS Account", TypeID: 10}
		}
		if rem := remediation[f.CheckID]; rem != "" {
			ev.Remediation = &ocsfRemediation{Desc: rem}
		}
		if e := f.Evidence.Exception; e != nil {
			ev.Unmapped = map[string]any{"exception": e}
		}
		events = append(events, ev)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(events)
}

// ocsfStandards lists the frameworks (standards) and framework-qualified control ids (requirements).
// compliance.standards is required, so a finding without controls names flowguard's own standard.
func ocsfStandards(cs []finding.Control) (standards, reqs []string) {
	seen := map[string]bool{}
	for _, c := range cs {
		s := c.Framework
		if c.Version != "" {
			s += " " + c.Version
		}
		if !seen[s] {
			seen[s] = true
			standards = append(standards, s)
		}
		reqs = append(reqs, controlString(c))
	}
	if len(standards) == 0 {
		standards = []string{"flowguard"}
	}
	return standards, reqs
}

// ocsfResourceType names a resource type as AWS Security Hub does (AwsEc2Vpc), which is what OCSF consumers of
// AWS findings expect; unknown types keep their CloudFormation name.
func ocsfResourceType(t string) string {
	switch t {
	case finding.ResourceVPC:
		return "AwsEc2Vpc"
	case finding.ResourceLogGroup:
		return "AwsLogsLogGroup"
	case finding.ResourceAccount:
		return "AwsAccount"
	case "":
		return "Other"
	}
	return t
}
