// Package finding defines what a check says about a resource, and the result document of a scan that every
// report format renders. Like inventory, it depends on nothing outside the standard library.
package finding

import (
	"fmt"
	"sort"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
)

// ResultSchema versions the JSON result document (`scan --output json`).
const ResultSchema = "flowguard.scan/v1"

// Status is the outcome of a check for one resource.
type Status string

const (
	StatusPass     Status = "PASS"
	StatusFail     Status = "FAIL"
	StatusError    Status = "ERROR"    // the resource could not be evaluated: never a pass
	StatusSkipped  Status = "SKIPPED"  // not evaluated here on purpose (a VPC shared from another account)
	StatusExcepted Status = "EXCEPTED" // failing, but covered by an unexpired exception
	// StatusUnknown is for static (IaC) inputs where a value cannot be resolved without deploying.
	StatusUnknown Status = "UNKNOWN"
)

// Statuses lists every status in report order.
var Statuses = []Status{StatusFail, StatusError, StatusUnknown, StatusExcepted, StatusSkipped, StatusPass}

// Reason codes. FAIL reasons of vpc-flow-logs-enabled come first.
const (
	ReasonNoFlowLog       = "NO_FLOW_LOG"
	ReasonNotActive       = "NOT_ACTIVE"
	ReasonAcceptOnly      = "ACCEPT_ONLY"
	ReasonDeliveryFailed  = "DELIVERY_FAILED"
	ReasonSubnetOrENIOnly = "SUBNET_OR_ENI_ONLY"

	ReasonRetentionTooShort = "RETENTION_TOO_SHORT"
	ReasonLogGroupMissing   = "LOG_GROUP_MISSING"

	ReasonSharedVPC  = "SHARED_VPC"  // SKIPPED: owned by another account
	ReasonReadFailed = "READ_FAILED" // ERROR: the inventory needed could not be read
	ReasonCheckError = "CHECK_ERROR" // ERROR: the check itself could not be evaluated
)

// Resource types, as CloudFormation names them.
const (
	ResourceVPC      = "AWS::EC2::VPC"
	ResourceLogGroup = "AWS::Logs::LogGroup"
	ResourceRegion   = "AWS::Region"
	ResourceAccount  = "AWS::Account"
)

// Control maps a check to a control of a framework.
type Control struct {
	Framework string `json:"framework" yaml:"framework"`
	Version   string `json:"version,omitempty" yaml:"version,omitempty"`
	ID        string `json:"id" yaml:"id"`
}

// Finding is one check's verdict on one resource.
type Finding struct {
	CheckID      string              `json:"check_id"`
	Title        string              `json:"title,omitempty"`
	Severity     string              `json:"severity,omitempty"`
	Status       Status              `json:"status"`
	Reason       string              `json:"reason,omitempty"`
	Message      string              `json:"message"`
	AccountID    string              `json:"account_id"`
	Region       string              `json:"region"`
	ResourceType string              `json:"resource_type"`
	ResourceID   string              `json:"resource_id"`
	ResourceName string              `json:"resource_name,omitempty"`
	Location     *inventory.Location `json:"location,omitempty"`
	Evidence     Evidence            `json:"evidence"`
	Controls     []Control           `json:"controls"`
}

// Key identifies a finding across scans (for diff and exceptions).
func (f Finding) Key() string {
	return f.CheckID + "|" + f.AccountID + "|" + f.Region + "|" + f.ResourceID
}

// Evidence is what flowguard saw when it decided; the same shape for every check on a VPC.
type Evidence struct {
	OwnerID           string            `json:"owner_id,omitempty"`
	IsDefault         *bool             `json:"is_default,omitempty"`
	InternetExposed   *bool             `json:"internet_exposed,omitempty"`
	NetworkInterfaces *int              `json:"network_interfaces,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	// FlowLogs are the flow logs whose resource is the VPC itself.
	FlowLogs []FlowLogEvidence `json:"flow_logs,omitempty"`
	// SubnetOrENIFlowLogs are flow logs on the VPC's subnets or interfaces (they do not satisfy the control).
	SubnetOrENIFlowLogs []FlowLogEvidence  `json:"subnet_or_eni_flow_logs,omitempty"`
	LogGroups           []LogGroupEvidence `json:"log_groups,omitempty"`
	MinRetentionDays    int                `json:"min_retention_days,omitempty"`
	// TransitGatewayAttachments are a Transit Gateway's attachments with their own flow logs (tgw checks).
	TransitGatewayAttachments []AttachmentEvidence `json:"transit_gateway_attachments,omitempty"`
	// TelemetryRules are the CloudWatch telemetry rules that make (or may make) the VPC's flow log.
	TelemetryRules []TelemetryRuleEvidence `json:"telemetry_rules,omitempty"`
	// Error is the read or evaluation error behind an ERROR finding.
	Error     string             `json:"error,omitempty"`
	Exception *ExceptionEvidence `json:"exception,omitempty"`
	// Extra holds fields selected by a user check's query that have no place above.
	Extra map[string]any `json:"extra,omitempty"`
	// Delivery is what was read at the destinations of the VPC's flow logs (vpc-flow-logs-delivering).
	Delivery *DeliveryEvidence `json:"delivery,omitempty"`
}

// FlowLogEvidence is the part of a flow log that explains a verdict.
type FlowLogEvidence struct {
	ID                string `json:"id"`
	ResourceID        string `json:"resource_id"`
	Status            string `json:"status"`
	TrafficType       string `json:"traffic_type"`
	DestinationType   string `json:"destination_type"`
	Destination       string `json:"destination,omitempty"`
	DeliverLogsStatus string `json:"deliver_logs_status,omitempty"`
	DeliverLogsError  string `json:"deliver_logs_error,omitempty"`
}

// AttachmentEvidence is a Transit Gateway attachment and the flow logs on it.
type AttachmentEvidence struct {
	ID              string `json:"id"`
	ResourceType    string `json:"resource_type,omitempty"`
	ResourceID      string `json:"resource_id,omitempty"`
	ResourceOwnerID string `json:"resource_owner_id,omitempty"`
	State           string `json:"state,omitempty"`
	// Coverage says whether the attachment's traffic is logged (AttachmentCovered …): the attachments whose
	// coverage is AttachmentUncovered are those the reason ATTACHMENTS_UNCOVERED stands for.
	Coverage string            `json:"coverage,omitempty"`
	FlowLogs []FlowLogEvidence `json:"flow_logs,omitempty"`
}

// The coverage of a Transit Gateway attachment.
const (
	AttachmentCovered          = "covered"    // an ACTIVE flow log of its own whose delivery has not failed
	AttachmentUncovered        = "uncovered"  // live, with no such flow log, nor one on the Transit Gateway
	AttachmentNotLive          = "not-live"   // deleted, failed, rejected …: carries no traffic
	AttachmentCoveredByGateway = "by-gateway" // no flow log of its own; the Transit Gateway's own one logs it
)

// TelemetryRuleEvidence is a CloudWatch telemetry rule that makes VPC flow logs, and how it reaches the VPC.
type TelemetryRuleEvidence struct {
	Name              string `json:"name"`
	Organization      bool   `json:"organization,omitempty"`
	Coverage          string `json:"coverage"` // covers, may-cover, inactive
	EvaluationStatus  string `json:"evaluation_status,omitempty"`
	SelectionCriteria string `json:"selection_criteria,omitempty"`
	Scope             string `json:"scope,omitempty"`
	DestinationType   string `json:"destination_type,omitempty"`
	TrafficType       string `json:"traffic_type,omitempty"`
}

// LogGroupEvidence is a destination log group as seen.
type LogGroupEvidence struct {
	Name          string `json:"name"`
	Exists        bool   `json:"exists"`
	RetentionDays *int32 `json:"retention_days"` // nil: never expire (when Exists)
}

// ExceptionEvidence says which exception covered (or no longer covers) a finding.
type ExceptionEvidence struct {
	ID      string `json:"id,omitempty"`
	Owner   string `json:"owner"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	Ticket  string `json:"ticket,omitempty"`
	Expired bool   `json:"expired,omitempty"`
}

// Error is a read failure reported beside the findings.
type Error struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region,omitempty"`
	Operation string `json:"operation"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
}

// Tool names the producer of a result.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Result is the document a scan produces and every report format renders.
type Result struct {
	Schema     string    `json:"schema"`
	Tool       Tool      `json:"tool"`
	Source     string    `json:"source"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Incomplete is true when something was not evaluated: an ERROR finding, a read error, a cancelled scan.
	Incomplete bool `json:"incomplete"`
	// Cancelled is true when the scan was interrupted; the findings are what finished.
	Cancelled bool      `json:"cancelled,omitempty"`
	Accounts  []string  `json:"accounts"`
	Regions   []string  `json:"regions"`
	Summary   Summary   `json:"summary"`
	Findings  []Finding `json:"findings"`
	Errors    []Error   `json:"errors"`
	// Notes are things the user should know that are not findings (stale exceptions, skipped unused VPCs).
	Notes []string `json:"notes,omitempty"`
	// Checks describes the checks that ran (help text, controls), for formats that list rules (SARIF, HTML).
	// Optional: writers fall back to what the findings say.
	Checks []CheckInfo `json:"checks,omitempty"`
	// Exceptions is the state of every entry of the exceptions file after it was applied.
	Exceptions []ExceptionStatus `json:"exceptions,omitempty"`
}

// CheckInfo describes a check for reports.
type CheckInfo struct {
	ID          string    `json:"id"`
	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Remediation string    `json:"remediation,omitempty"`
	Severity    string    `json:"severity,omitempty"`
	HelpURL     string    `json:"help_url,omitempty"`
	Controls    []Control `json:"controls,omitempty"`
}

// Exception states.
const (
	ExceptionActive  = "active"  // unexpired and matched at least one failing finding
	ExceptionExpired = "expired" // past its expiry date: it no longer applies
	ExceptionStale   = "stale"   // unexpired but matched no failing finding: remove it or fix its match
)

// ExceptionStatus is one entry of the exceptions file and what it did in this result.
type ExceptionStatus struct {
	ID      string `json:"id,omitempty"`
	Owner   string `json:"owner"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	Ticket  string `json:"ticket,omitempty"`
	// Match says what the entry matches, for display ("account=1111 region=eu-west-1 tag:env=dev").
	Match string `json:"match"`
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
	State string `json:"state"`
	// Matched counts the findings the entry matched (excepted when active, still failing when expired).
	Matched int `json:"matched"`
}

// Summary counts findings.
type Summary struct {
	Total    int `json:"total"`
	Pass     int `json:"pass"`
	Fail     int `json:"fail"`
	Error    int `json:"error"`
	Skipped  int `json:"skipped"`
	Excepted int `json:"excepted"`
	Unknown  int `json:"unknown,omitempty"`
	// VPCs is the number of VPCs evaluated; SkippedUnused the VPCs left out by --skip-unused.
	VPCs          int `json:"vpcs"`
	SkippedUnused int `json:"skipped_unused"`
	// ByCheck counts statuses per check id.
	ByCheck map[string]map[Status]int `json:"by_check"`
}

// Summarize recomputes r.Summary from r.Findings, keeping VPCs and SkippedUnused.
func (r *Result) Summarize() {
	s := Summary{VPCs: r.Summary.VPCs, SkippedUnused: r.Summary.SkippedUnused, ByCheck: map[string]map[Status]int{}}
	for _, f := range r.Findings {
		s.Total++
		switch f.Status {
		case StatusPass:
			s.Pass++
		case StatusFail:
			s.Fail++
		case StatusError:
			s.Error++
		case StatusSkipped:
			s.Skipped++
		case StatusExcepted:
			s.Excepted++
		case StatusUnknown:
			s.Unknown++
		}
		m := s.ByCheck[f.CheckID]
		if m == nil {
			m = map[Status]int{}
			s.ByCheck[f.CheckID] = m
		}
		m[f.Status]++
	}
	r.Summary = s
	r.Incomplete = r.Cancelled || s.Error > 0 || s.Unknown > 0 || len(r.Errors) > 0
}

// Sort orders findings by account, region, resource and check, so that output is stable.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.ResourceID != b.ResourceID {
			return a.ResourceID < b.ResourceID
		}
		return a.CheckID < b.CheckID
	})
}

// Outcome summarises a run for whoever decides what it means (the command layer maps it to an exit code).
type Outcome int

const (
	OutcomeOK         Outcome = iota // everything evaluated (or done) and passing
	OutcomeFail                      // at least one FAIL (or a change that failed)
	OutcomeIncomplete                // something could not be evaluated (ERROR findings, read errors, cancelled)
	OutcomePartial                   // everything attempted was done, but some of the work was deferred (fix --max-batches)
)

func (o Outcome) String() string {
	switch o {
	case OutcomeOK:
		return "ok"
	case OutcomeFail:
		return "fail"
	case OutcomeIncomplete:
		return "incomplete"
	case OutcomePartial:
		return "partial"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Overall summarises a result. Incomplete outranks FAIL: a partial scan must not be mistaken for a complete
// one that found failures.
func (r *Result) Overall() Outcome {
	switch {
	case r.Incomplete:
		return OutcomeIncomplete
	case r.Summary.Fail > 0:
		return OutcomeFail
	}
	return OutcomeOK
}
