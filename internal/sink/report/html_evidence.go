package report

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
)

// The evidence of the Transit Gateway, telemetry-rule and delivery checks in the HTML data block: arrays
// rather than objects (no keys repeated per attachment, rule or interface), times as Unix seconds, and nothing
// at all on a row that has none of it, so a plain VPC scan's data block does not grow.

// attCoverage numbers an attachment's coverage (finding.AttachmentCovered …, decided where the evidence is
// made) for the page's script: 0 covered, 1 uncovered, 2 not live, 3 covered by the Transit Gateway's own
// flow log; -1 unknown (evidence written before attachments carried their coverage).
var attCoverage = map[string]int{
	finding.AttachmentCovered:          0,
	finding.AttachmentUncovered:        1,
	finding.AttachmentNotLive:          2,
	finding.AttachmentCoveredByGateway: 3,
}

// htmlAttachment is a Transit Gateway attachment, written as [id, resource type, resource id, resource owner,
// state, coverage, [flow log…]]; a flow log's resource is "" when it is the attachment.
type htmlAttachment struct {
	ID, ResourceType, ResourceID, ResourceOwnerID, State string
	Coverage                                             int
	FlowLogs                                             []htmlFlowLog
}

func (a htmlAttachment) MarshalJSON() ([]byte, error) {
	fls := a.FlowLogs
	if fls == nil {
		fls = []htmlFlowLog{}
	}
	return json.Marshal([]any{a.ID, a.ResourceType, a.ResourceID, a.ResourceOwnerID, a.State, a.Coverage, fls})
}

func (a *htmlAttachment) UnmarshalJSON(b []byte) error {
	var t htmlAttachment
	if err := decodeArray(b, "attachment", &t.ID, &t.ResourceType, &t.ResourceID, &t.ResourceOwnerID, &t.State, &t.Coverage, &t.FlowLogs); err != nil {
		return err
	}
	*a = t
	return nil
}

// mergeAttachments adds the attachments of add that have does not hold yet, and the flow logs of those it
// does.
func mergeAttachments(have []htmlAttachment, add []finding.AttachmentEvidence) []htmlAttachment {
	if len(add) == 0 {
		return have
	}
	at := make(map[string]int, len(have)+len(add))
	for i, h := range have {
		at[h.ID] = i
	}
	for _, a := range add {
		i, ok := at[a.ID]
		if !ok {
			i = len(have)
			at[a.ID] = i
			cov, ok := attCoverage[a.Coverage]
			if !ok {
				cov = -1
			}
			have = append(have, htmlAttachment{ID: a.ID, ResourceType: a.ResourceType, ResourceID: a.ResourceID,
				ResourceOwnerID: a.ResourceOwnerID, State: a.State, Coverage: cov})
		}
		have[i].FlowLogs = mergeFlowLogs(have[i].FlowLogs, a.FlowLogs, a.ID)
	}
	return have
}

// htmlTelemetryRule is a telemetry rule, written as [name, organization, coverage, evaluation status,
// selection criteria, scope, destination type, traffic type].
type htmlTelemetryRule finding.TelemetryRuleEvidence

func (r htmlTelemetryRule) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{r.Name, r.Organization, r.Coverage, r.EvaluationStatus, r.SelectionCriteria, r.Scope, r.DestinationType, r.TrafficType})
}

func (r *htmlTelemetryRule) UnmarshalJSON(b []byte) error {
	var t htmlTelemetryRule
	if err := decodeArray(b, "telemetry rule", &t.Name, &t.Organization, &t.Coverage, &t.EvaluationStatus, &t.SelectionCriteria, &t.Scope, &t.DestinationType, &t.TrafficType); err != nil {
		return err
	}
	*r = t
	return nil
}

// mergeRules adds the rules of add that have does not hold yet (an account rule and an organization rule may
// share a name).
func mergeRules(have []htmlTelemetryRule, add []finding.TelemetryRuleEvidence) []htmlTelemetryRule {
	return appendNew(have, add, func(r htmlTelemetryRule) ruleKey { return ruleKey{r.Name, r.Organization} },
		func(r finding.TelemetryRuleEvidence) htmlTelemetryRule { return htmlTelemetryRule(r) })
}

type ruleKey struct {
	name string
	org  bool
}

// htmlDelivery is finding.DeliveryEvidence with times as Unix seconds (null: not known).
type htmlDelivery struct {
	ReadAt   *int64                `json:"at,omitempty"`
	Newest   *int64                `json:"nr,omitempty"`
	Lag      *int64                `json:"lag,omitempty"`
	MaxLag   int64                 `json:"max,omitempty"`
	With     []htmlInterfaceRecord `json:"iw,omitempty"`
	Without  []htmlInterfaceRecord `json:"io,omitempty"`
	FlowLogs []htmlFlowLogDelivery `json:"fl,omitempty"`
}

// htmlInterfaceRecord is an interface's newest record, written as [id, stream, last record, lag].
type htmlInterfaceRecord struct {
	ID, Stream string
	Last, Lag  *int64
}

func (r htmlInterfaceRecord) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{r.ID, r.Stream, r.Last, r.Lag})
}

func (r *htmlInterfaceRecord) UnmarshalJSON(b []byte) error {
	var t htmlInterfaceRecord
	if err := decodeArray(b, "interface record", &t.ID, &t.Stream, &t.Last, &t.Lag); err != nil {
		return err
	}
	*r = t
	return nil
}

// htmlFlowLogDelivery is what was read at a flow log's destination, written as [id, where, newest record,
// source, lag, never delivered, since, age, stream status, error code, error].
type htmlFlowLogDelivery struct {
	ID, Where                      string
	Newest                         *int64
	Source                         string
	Lag                            *int64
	NeverDelivered                 bool
	Since, Age                     *int64
	StreamStatus, ErrorCode, Error string
}

func (f htmlFlowLogDelivery) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{f.ID, f.Where, f.Newest, f.Source, f.Lag, f.NeverDelivered, f.Since, f.Age, f.StreamStatus, f.ErrorCode, f.Error})
}

func (f *htmlFlowLogDelivery) UnmarshalJSON(b []byte) error {
	var t htmlFlowLogDelivery
	if err := decodeArray(b, "flow log delivery", &t.ID, &t.Where, &t.Newest, &t.Source, &t.Lag, &t.NeverDelivered, &t.Since, &t.Age, &t.StreamStatus, &t.ErrorCode, &t.Error); err != nil {
		return err
	}
	*f = t
	return nil
}

// decodeArray decodes the JSON array b into fields, one element each: exactly as many elements as fields.
func decodeArray(b []byte, what string, fields ...any) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != len(fields) {
		return fmt.Errorf("html: %s with %d fields, want %d", what, len(raw), len(fields))
	}
	for i, r := range raw {
		if err := json.Unmarshal(r, fields[i]); err != nil {
			return fmt.Errorf("html: %s field %d: %w", what, i, err)
		}
	}
	return nil
}

func unix(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	s := t.Unix()
	return &s
}

func copyInt(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// mergeDelivery adds d to have: the first finding's read time, newest record and lags, and every flow log and
// interface not held yet.
func mergeDelivery(have *htmlDelivery, d *finding.DeliveryEvidence) *htmlDelivery {
	if d == nil {
		return have
	}
	if have == nil {
		have = &htmlDelivery{ReadAt: unix(d.ReadAt), Newest: unix(d.NewestRecord), Lag: copyInt(d.LagSeconds), MaxLag: d.MaxLagSeconds}
	}
	if have.MaxLag == 0 {
		have.MaxLag = d.MaxLagSeconds
	}
	have.With = mergeInterfaces(have.With, d.InterfacesWithRecords)
	have.Without = mergeInterfaces(have.Without, d.InterfacesWithoutRecords)
	have.FlowLogs = appendNew(have.FlowLogs, d.FlowLogs, func(f htmlFlowLogDelivery) string { return f.ID },
		func(f finding.FlowLogDelivery) htmlFlowLogDelivery {
			return htmlFlowLogDelivery{ID: f.ID, Where: f.Where, Newest: unix(f.NewestRecord),
				Source: f.Source, Lag: copyInt(f.LagSeconds), NeverDelivered: f.NeverDelivered, Since: unix(f.Since),
				Age: copyInt(f.AgeSeconds), StreamStatus: f.StreamStatus, ErrorCode: f.ErrorCode, Error: f.Error}
		})
	return have
}

func mergeInterfaces(have []htmlInterfaceRecord, add []finding.InterfaceRecord) []htmlInterfaceRecord {
	return appendNew(have, add, func(r htmlInterfaceRecord) string { return r.ID },
		func(r finding.InterfaceRecord) htmlInterfaceRecord {
			return htmlInterfaceRecord{ID: r.ID, Stream: r.Stream, Last: unix(r.LastRecord), Lag: copyInt(r.LagSeconds)}
		})
}
