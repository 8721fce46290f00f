package store

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
)

// FixRun turns a fix run's (or a guard run's) journal into a stored run: its status, scope and what it created (from the
// records of changes that returned without error), with the journal's summary as its detail. A rollback of
// the run recorded in the same journal is stored by the rollback command as its own run.
func FixRun(id string, recs []journal.Record) Run {
	sum := journal.Summarize(id, recs)
	kind := "fix"
	if journal.IsGuardRun(id) {
		kind = "guard"
	}
	r := Run{Kind: kind, RunID: id, StartedAt: sum.StartedAt, FinishedAt: sum.UpdatedAt, Regions: sum.Regions, Status: sum.Status}
	if len(sum.Accounts) > 0 {
		r.AccountID = sum.Accounts[0]
	}
	for _, rec := range recs {
		if r.AccountID == "" && rec.Account != "" {
			r.AccountID = rec.Account
		}
		if rec.Phase == "rollback" || rec.Error != "" || (rec.Type != journal.TypeEnd && rec.Type != journal.TypeAdopt) {
			continue
		}
		switch rec.Action {
		case "ec2:CreateFlowLogs":
			vpcs := make([]string, 0, len(rec.FlowLogs))
			for v := range rec.FlowLogs {
				vpcs = append(vpcs, v)
			}
			sort.Strings(vpcs)
			for _, v := range vpcs {
				r.Created = append(r.Created, Resource{Kind: "flow-log", Region: rec.Region, ID: rec.FlowLogs[v], VPCID: v, Action: rec.Action})
			}
		case "logs:CreateLogGroup":
			r.Created = append(r.Created, Resource{Kind: "log-group", Region: rec.Region, ID: rec.Resource, Action: rec.Action})
		case "iam:CreateRole":
			r.Created = append(r.Created, Resource{Kind: "role", ID: rec.Resource, Action: rec.Action})
		case "logs:PutRetentionPolicy":
			state := ""
			if rec.Retention != nil {
				state = fmt.Sprintf("retention %d days", *rec.Retention)
				if rec.Previous != nil {
					state += fmt.Sprintf(" (was %d)", *rec.Previous)
				}
			}
			r.Created = append(r.Created, Resource{Kind: "retention", Region: rec.Region, ID: rec.Resource, Action: rec.Action, State: state})
		}
	}
	var parts []string
	parts = append(parts, human.Plural(sum.FlowLogsCreated, "flow log")+" created")
	if sum.VPCsFailed > 0 {
		parts = append(parts, human.Plural(sum.VPCsFailed, "VPC")+" failed")
	}
	if sum.Problem != "" {
		parts = append(parts, "journal suspect")
	}
	r.Summary = strings.Join(parts, ", ")
	r.Detail, _ = json.Marshal(sum)
	if r.FinishedAt.IsZero() {
		r.FinishedAt = r.StartedAt
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = time.Unix(0, 0)
	}
	return r
}

// Bounds on what a logs report summary keeps: its totals whole, the first rows of each top list, the first
// detections and read errors.
const (
	logsTopRows       = 10
	logsDetections    = 100
	logsReadErrorRows = 20
)

// LogsReportOf is the stored summary of a `logs report`.
func LogsReportOf(rep *analyze.Report, now time.Time) LogsReport {
	top := make([]analyze.TopList, 0, len(rep.Top))
	for _, t := range rep.Top {
		t.Rows = t.Rows[:min(len(t.Rows), logsTopRows)]
		top = append(top, t)
	}
	sum := struct {
		Totals     analyze.Totals      `json:"totals"`
		Top        []analyze.TopList   `json:"top"`
		Detections []analyze.Detection `json:"detections"`
		ReadErrors []analyze.ReadError `json:"read_errors,omitempty"`
		Notes      []string            `json:"notes,omitempty"`
	}{rep.Totals, top, rep.Detections[:min(len(rep.Detections), logsDetections)], rep.ReadErrors[:min(len(rep.ReadErrors), logsReadErrorRows)], rep.Notes}
	b, _ := json.Marshal(sum)
	return LogsReport{StoredAt: now, From: rep.From, To: rep.To, Sources: rep.Sources, Records: rep.Totals.Records, Bytes: rep.Totals.Bytes,
		Accept: rep.Totals.Accept, Reject: rep.Totals.Reject, Detections: len(rep.Detections), ReadErrors: len(rep.ReadErrors), Summary: b}
}
