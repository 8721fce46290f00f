// Package guard keeps the control true between scans: it reads the AWS management events that EventBridge
// delivers to an SQS queue (CloudTrail API calls: CreateVpc, DeleteFlowLogs, DeleteLogGroup, …), re-reads only
// the account-region an event names through the scan's own source, evaluates the same checks, and acts — alert
// (findings as JSON lines, optionally Security Hub and SNS) or fix (the fix engine, journaled as a guard run).
//
// Events are untrusted input: ParseEvent bounds their size and nesting, checks every field it uses, and
// refuses what it cannot read (such a message is left for redelivery and lands in the dead-letter queue).
package guard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// MaxEventBytes bounds one event: EventBridge events and SQS messages are at most 256 KiB.
const MaxEventBytes = 256 << 10

// maxDepth bounds the nesting of an event's JSON (requestParameters are free-form).
const maxDepth = 32

// Detail types guard understands.
const (
	DetailTypeCloudTrail = "AWS API Call via CloudTrail"
	DetailTypeScheduled  = "Scheduled Event"
)

// Kind says what guard does with an event.
type Kind int

const (
	// KindCheck: re-read the event's account-region and act.
	KindCheck Kind = iota
	// KindReconcile: a scheduled event asks for a full reconcile of the configured scope.
	KindReconcile
	// KindIgnore: a well-formed event guard has nothing to do for (another API call, a call that failed).
	KindIgnore
)

// Handled API calls, by event source.
var handled = map[string]map[string]bool{
	"ec2.amazonaws.com":  {"CreateVpc": true, "DeleteFlowLogs": true, "CreateFlowLogs": true, "CreateTransitGateway": true},
	"logs.amazonaws.com": {"DeleteLogGroup": true, "PutRetentionPolicy": true, "DeleteRetentionPolicy": true},
}

// Event is what guard takes from one EventBridge event.
type Event struct {
	ID         string    `json:"id"`
	DetailType string    `json:"detail_type"`
	Source     string    `json:"source"`
	Account    string    `json:"account"`
	Region     string    `json:"region"`
	Time       time.Time `json:"time"`

	EventSource string `json:"event_source,omitempty"`
	EventName   string `json:"event_name,omitempty"`
	ErrorCode   string `json:"error_code,omitempty"`
	// Caller: the identity ARN (assumed-role/ROLE/SESSION for a role session), its type, and the user agent.
	CallerARN  string `json:"caller_arn,omitempty"`
	CallerType string `json:"caller_type,omitempty"`
	UserAgent  string `json:"user_agent,omitempty"`
	// Resources the call names, when it names them: the VPC created or given, flow logs, a log group.
	VPCID        string   `json:"vpc_id,omitempty"`
	FlowLogIDs   []string `json:"flow_log_ids,omitempty"`
	LogGroupName string   `json:"log_group_name,omitempty"`
	// FlowguardTagged: the call's parameters carry the flowguard:run-id tag (a flowguard run made it).
	FlowguardTagged bool `json:"flowguard_tagged,omitempty"`

	Kind Kind `json:"-"`
	// Why says why an event is ignored.
	Why string `json:"why,omitempty"`
}

// Key is the account-region an event is about.
func (e *Event) Key() string { return e.Account + "/" + e.Region }

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	vpcRE     = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	flowLogRE = regexp.MustCompile(`^fl-([0-9a-f]{8}|[0-9a-f]{17})$`)
	// logGroupRE is CloudWatch Logs' rule for names.
	logGroupRE = regexp.MustCompile(`^[A-Za-z0-9_\-/.#]{1,512}$`)
)

// ValidAccount and ValidRegion check the identifiers an event names before they reach an API call.
func ValidAccount(s string) bool { return accountRE.MatchString(s) }

// ValidRegion reports whether s looks like an AWS region name.
func ValidRegion(s string) bool { return len(s) <= 32 && regionRE.MatchString(s) }

// The event envelope, as EventBridge writes it.
type envelope struct {
	Version    *string         `json:"version"`
	ID         *string         `json:"id"`
	DetailType *string         `json:"detail-type"`
	Source     *string         `json:"source"`
	Account    *string         `json:"account"`
	Time       *string         `json:"time"`
	Region     *string         `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// The CloudTrail record in detail (the fields guard reads).
type trailDetail struct {
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	AWSRegion    string `json:"awsRegion"`
	ErrorCode    string `json:"errorCode"`
	UserAgent    string `json:"userAgent"`
	Recipient    string `json:"recipientAccountId"`
	UserIdentity struct {
		Type      string `json:"type"`
		ARN       string `json:"arn"`
		AccountID string `json:"accountId"`
	} `json:"userIdentity"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
}

// ErrMalformed wraps every reason an event is refused.
var ErrMalformed = errors.New("malformed event")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// ParseEvent reads one EventBridge event. A body that is not such an event (not JSON, too large, too deep,
// a required field missing or of the wrong type, an account or region that is not one) is an error wrapping
// ErrMalformed; an event of another kind or for another API call parses with Kind KindIgnore.
func ParseEvent(body []byte) (*Event, error) {
	if len(body) > MaxEventBytes {
		return nil, bad("%d bytes, over the %d KiB an EventBridge event can have", len(body), MaxEventBytes>>10)
	}
	if err := checkDepth(body); err != nil {
		return nil, err
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return nil, bad("not an EventBridge event: %v", clipErr(err))
	}
	if dec.More() {
		return nil, bad("trailing data after the event")
	}
	if env.Account == nil {
		// EventBridge always writes account; an emulator (moto 5) leaves it out of events it delivers. The
		// CloudTrail record names the account too (recipientAccountId), and that is as good a source.
		var d struct {
			Recipient *string `json:"recipientAccountId"`
		}
		if len(env.Detail) > 0 && env.Detail[0] == '{' && json.Unmarshal(env.Detail, &d) == nil {
			env.Account = d.Recipient
		}
	}
	switch {
	case env.Version == nil || env.ID == nil || env.DetailType == nil || env.Source == nil || env.Account == nil || env.Time == nil || env.Region == nil:
		return nil, bad("not an EventBridge event: version, id, detail-type, source, account, time and region are required")
	case *env.Version != "0":
		return nil, bad("event version %q: only version 0 is known", clip(*env.Version))
	case *env.ID == "" || len(*env.ID) > 128:
		return nil, bad("event id is empty or too long")
	case !ValidAccount(*env.Account):
		return nil, bad("account %q is not a 12-digit AWS account id", clip(*env.Account))
	case !ValidRegion(*env.Region):
		return nil, bad("region %q is not an AWS region name", clip(*env.Region))
	}
	t, err := time.Parse(time.RFC3339, *env.Time)
	if err != nil {
		return nil, bad("time %q is not an RFC 3339 time", clip(*env.Time))
	}
	e := &Event{ID: *env.ID, DetailType: *env.DetailType, Source: *env.Source, Account: *env.Account, Region: *env.Region, Time: t}
	switch {
	case e.DetailType == DetailTypeScheduled && e.Source == "aws.events":
		e.Kind = KindReconcile
		return e, nil
	case e.DetailType != DetailTypeCloudTrail:
		e.Kind, e.Why = KindIgnore, "detail-type "+clip(e.DetailType)+" is not a CloudTrail API call"
		return e, nil
	}
	if len(env.Detail) == 0 || env.Detail[0] != '{' {
		return nil, bad("a CloudTrail event without a detail object")
	}
	var d trailDetail
	if err := json.Unmarshal(env.Detail, &d); err != nil {
		return nil, bad("detail: %v", clipErr(err))
	}
	e.EventSource, e.EventName, e.ErrorCode = d.EventSource, d.EventName, d.ErrorCode
	e.CallerARN, e.CallerType, e.UserAgent = d.UserIdentity.ARN, d.UserIdentity.Type, d.UserAgent
	if len(e.UserAgent) > 1024 {
		e.UserAgent = e.UserAgent[:1024]
	}
	if d.AWSRegion != "" && d.AWSRegion != e.Region {
		return nil, bad("detail.awsRegion %q differs from the event's region %q", clip(d.AWSRegion), e.Region)
	}
	if d.Recipient != "" && d.Recipient != e.Account {
		return nil, bad("detail.recipientAccountId %q differs from the event's account %q", clip(d.Recipient), e.Account)
	}
	names, ok := handled[d.EventSource]
	switch {
	case !ok || !names[d.EventName]:
		e.Kind, e.Why = KindIgnore, "API call "+clip(d.EventSource)+" "+clip(d.EventName)+" does not change flow logging"
		return e, nil
	case d.ErrorCode != "":
		e.Kind, e.Why = KindIgnore, "the call failed ("+clip(d.ErrorCode)+"): nothing changed"
		return e, nil
	}
	if err := e.resources(d); err != nil {
		return nil, err
	}
	return e, nil
}

// resources picks the ids the call names out of its free-form parameters and response, and looks for the
// flowguard:run-id tag. Ids that do not look like ids are dropped: they only ever serve for logging and for
// narrowing, never for an API call on their own.
func (e *Event) resources(d trailDetail) error {
	var params, resp any
	if len(d.RequestParameters) > 0 {
		if err := json.Unmarshal(d.RequestParameters, &params); err != nil {
			return bad("requestParameters: %v", clipErr(err))
		}
	}
	if len(d.ResponseElements) > 0 {
		if err := json.Unmarshal(d.ResponseElements, &resp); err != nil {
			return bad("responseElements: %v", clipErr(err))
		}
	}
	seen := map[string]bool{}
	walk(params, "", func(key, s string) {
		if s == "flowguard:run-id" {
			e.FlowguardTagged = true
		}
		e.pick(key, s, seen)
	})
	walk(resp, "", func(key, s string) { e.pick(key, s, seen) })
	return nil
}

func (e *Event) pick(key, s string, seen map[string]bool) {
	k := strings.ToLower(key)
	switch {
	case vpcRE.MatchString(s) && e.VPCID == "" && (k == "vpcid" || k == "resourceid" || k == "content"):
		e.VPCID = s
	case flowLogRE.MatchString(s) && !seen[s] && len(e.FlowLogIDs) < 1000:
		seen[s] = true
		e.FlowLogIDs = append(e.FlowLogIDs, s)
	case k == "loggroupname" && e.LogGroupName == "" && logGroupRE.MatchString(s):
		e.LogGroupName = s
	}
}

// walk calls f for every string in v with the key it sits under (the nearest object key for list items).
func walk(v any, key string, f func(key, s string)) {
	switch x := v.(type) {
	case string:
		f(key, x)
	case []any:
		for _, it := range x {
			walk(it, key, f)
		}
	case map[string]any:
		for k, it := range x {
			walk(it, k, f)
		}
	}
}

// checkDepth refuses JSON nested deeper than maxDepth before it is decoded into generic values.
func checkDepth(b []byte) error {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return bad("nested deeper than %d levels", maxDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// clip shortens untrusted text for messages (it is escaped again where it reaches a terminal).
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func clipErr(err error) string { return clip(err.Error()) }
