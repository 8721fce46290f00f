package fix

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/flowguard/flowguard/internal/finding"
)

var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// Target is one VPC the run may change, with what the findings said about it.
type Target struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	// VPCID is the VPC's id, or the Transit Gateway's for a Transit Gateway target.
	VPCID string `json:"vpc_id"`
	// ResourceType is TransitGateway for a Transit Gateway target, empty for a VPC.
	ResourceType string `json:"resource_type,omitempty"`
	Name         string `json:"name,omitempty"`
	// Reasons are the FAIL reasons of the enabled check; empty when only retention is to be fixed.
	Reasons         []string          `json:"reasons,omitempty"`
	NeedsFlowLog    bool              `json:"needs_flow_log"`
	InternetExposed bool              `json:"internet_exposed,omitempty"`
	Production      bool              `json:"production,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	// FailedFlowLogs are the VPC's flow logs whose delivery FAILED, to diagnose.
	FailedFlowLogs []string `json:"failed_flow_logs,omitempty"`
	// ShortRetention are existing flow-log log groups of the VPC under the minimum retention.
	ShortRetention []string `json:"short_retention,omitempty"`
	// MissingLogGroups are destination log groups of existing flow logs that do not exist.
	MissingLogGroups []string `json:"missing_log_groups,omitempty"`
	Batch            int      `json:"batch"`
}

// Key is account/region/vpc.
func (t Target) Key() string { return t.AccountID + "/" + t.Region + "/" + t.VPCID }

// Priority orders the rollout: 0 internet-exposed production, 1 internet-exposed, 2 production, 3 the rest.
func (t Target) Priority() int {
	switch {
	case t.InternetExposed && t.Production:
		return 0
	case t.InternetExposed:
		return 1
	case t.Production:
		return 2
	}
	return 3
}

// Skip is a VPC (or finding) the plan leaves alone, and why.
type Skip struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	VPCID     string `json:"vpc_id"`
	Reason    string `json:"reason"`
}

// TargetsFromResult collects the VPCs with FAIL findings of the flow-log checks, merged per VPC, ordered for
// the rollout and cut into batches. Findings that are not FAIL (ERROR, SKIPPED, EXCEPTED) are listed as skipped:
// flowguard never changes a VPC it could not evaluate, does not own, or that is excepted.
func TargetsFromResult(r *finding.Result, s Settings) (targets []Target, skipped []Skip) {
	byKey := map[string]*Target{}
	get := func(f finding.Finding) *Target {
		k := f.AccountID + "/" + f.Region + "/" + f.ResourceID
		t := byKey[k]
		if t == nil {
			t = &Target{AccountID: f.AccountID, Region: f.Region, VPCID: f.ResourceID, Name: f.ResourceName, Tags: f.Evidence.Tags}
			if t.Name == "" {
				t.Name = f.Evidence.Tags["Name"]
			}
			if f.Evidence.InternetExposed != nil {
				t.InternetExposed = *f.Evidence.InternetExposed
			}
			t.Production = s.IsProduction(f.Evidence.Tags)
			byKey[k] = t
		}
		return t
	}
	for _, f := range r.Findings {
		if tgwFinding(f, get, &skipped) {
			continue
		}
		if f.ResourceType != finding.ResourceVPC || (f.CheckID != CheckEnabled && f.CheckID != CheckRetention) {
			continue
		}
		switch f.Status {
		case finding.StatusFail:
		case finding.StatusError, finding.StatusSkipped, finding.StatusExcepted, finding.StatusUnknown:
			if f.CheckID == CheckEnabled {
				msg := f.Reason
				if msg == "" {
					msg = f.Message
				}
				skipped = append(skipped, Skip{f.AccountID, f.Region, f.ResourceID, fmt.Sprintf("finding is %s (%s): not changed", f.Status, msg)})
			}
			continue
		default:
			continue
		}
		t := get(f)
		switch f.CheckID {
		case CheckEnabled:
			t.NeedsFlowLog = true
			t.Reasons = append(t.Reasons, f.Reason)
			for _, fl := range f.Evidence.FlowLogs {
				if fl.DeliverLogsStatus == "FAILED" {
					t.FailedFlowLogs = append(t.FailedFlowLogs, fl.ID)
				}
			}
		case CheckRetention:
			for _, lg := range f.Evidence.LogGroups {
				switch {
				case !lg.Exists:
					t.MissingLogGroups = append(t.MissingLogGroups, lg.Name)
				case lg.RetentionDays != nil && *lg.RetentionDays < s.RetentionDays:
					t.ShortRetention = append(t.ShortRetention, lg.Name)
				}
			}
		}
	}
	for _, t := range byKey {
		if !t.NeedsFlowLog && len(t.ShortRetention) == 0 && len(t.MissingLogGroups) == 0 {
			continue
		}
		targets = append(targets, *t)
	}
	Order(targets, s)
	sortSkips(skipped)
	return targets, skipped
}

// CheckFindings counts the FAIL findings of one check that fix does not remediate.
type CheckFindings struct {
	CheckID  string `json:"check_id"`
	Findings int    `json:"findings"`
}

// NotRemediated counts the FAIL findings of checks other than the two fix remediates (custom checks,
// non-VPC resources), by check: the plan says they are left alone instead of silently dropping them.
func NotRemediated(r *finding.Result) []CheckFindings {
	n := map[string]int{}
	for _, f := range r.Findings {
		if f.Status != finding.StatusFail {
			continue
		}
		if f.ResourceType == finding.ResourceVPC && (f.CheckID == CheckEnabled || f.CheckID == CheckRetention) {
			continue
		}
		if f.ResourceType == ResourceTransitGateway && f.CheckID == CheckTGWEnabled {
			continue
		}
		n[f.CheckID]++
	}
	out := make([]CheckFindings, 0, len(n))
	for _, id := range sortedKeys(n) {
		out = append(out, CheckFindings{id, n[id]})
	}
	return out
}

// Order sorts targets for the rollout and assigns batches of s.BatchSize (0: one batch).
func Order(ts []Target, s Settings) {
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := ts[i], ts[j]
		if pa, pb := a.Priority(), b.Priority(); pa != pb {
			return pa < pb
		}
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.VPCID < b.VPCID
	})
	for i := range ts {
		ts[i].Batch = 1
		if s.BatchSize > 0 {
			ts[i].Batch = i/s.BatchSize + 1
		}
	}
}

func sortSkips(s []Skip) {
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.AccountID != b.AccountID {
			return a.AccountID < b.AccountID
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.VPCID < b.VPCID
	})
}
