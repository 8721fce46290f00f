package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// A resource row gathers every check's finding on one resource (a VPC, a log group, an IaC block), so that a
// VPC is one line with a verdict per check instead of one line per check.
type resourceRow struct {
	Account, Region, Type, Resource, Name, Location string
	// Findings are the resource's findings in check id order.
	Findings []*finding.Finding
	// Worst is the most severe status of its findings (finding.Statuses order: FAIL first, PASS last).
	Worst finding.Status
}

// statusRank orders statuses as finding.Statuses does: FAIL, ERROR, UNKNOWN, EXCEPTED, SKIPPED, PASS.
func statusRank(s finding.Status) int {
	for i, st := range finding.Statuses {
		if st == s {
			return i
		}
	}
	return len(finding.Statuses)
}

// compliant says whether a row counts as compliant: every check PASS or EXCEPTED (an exception is an accepted
// risk, tracked in its own count). A row whose findings are all SKIPPED is not evaluated here and counts in
// neither direction.
func (r *resourceRow) compliant() bool {
	return r.Worst == finding.StatusPass || r.Worst == finding.StatusExcepted
}

func (r *resourceRow) evaluated() bool { return r.Worst != finding.StatusSkipped }

func (r *resourceRow) has(statuses map[finding.Status]bool) bool {
	for _, f := range r.Findings {
		if statuses[f.Status] {
			return true
		}
	}
	return false
}

// resourceRows groups findings into rows, worst first, then by account, region and resource.
func resourceRows(fs []finding.Finding) []*resourceRow {
	idx := make(map[string]*resourceRow, len(fs))
	var rows []*resourceRow
	for i := range fs {
		f := &fs[i]
		loc := assetLocation(*f)
		k := resourceKey(*f)
		r := idx[k]
		if r == nil {
			r = &resourceRow{Account: f.AccountID, Region: f.Region, Type: f.ResourceType, Resource: f.ResourceID, Location: loc,
				Worst: f.Status}
			idx[k] = r
			rows = append(rows, r)
		}
		if r.Name == "" {
			r.Name = f.ResourceName
		}
		r.Findings = append(r.Findings, f)
		if statusRank(f.Status) < statusRank(r.Worst) {
			r.Worst = f.Status
		}
	}
	for _, r := range rows {
		sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].CheckID < r.Findings[j].CheckID })
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if ra, rb := statusRank(a.Worst), statusRank(b.Worst); ra != rb {
			return ra < rb
		}
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Location < b.Location
	})
	return rows
}

// ParseStatuses reads a status filter such as "FAIL,ERROR" (any case, commas or spaces) into the list
// Options.Statuses takes. An unknown status is an error that lists the valid ones.
func ParseStatuses(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, s := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		s = strings.ToUpper(strings.TrimSpace(s))
		if !validStatus(s) {
			return nil, fmt.Errorf("unknown status %q (valid: %s)", s, statusNames())
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

func validStatus(s string) bool {
	for _, st := range finding.Statuses {
		if string(st) == s {
			return true
		}
	}
	return false
}

func statusNames() string {
	var names []string
	for _, st := range finding.Statuses {
		names = append(names, string(st))
	}
	return strings.Join(names, ", ")
}

// statusFilter turns Options.Statuses into a set (nil: every row) and the names in report order.
func statusFilter(o Options) (map[finding.Status]bool, []string, error) {
	if len(o.Statuses) == 0 {
		return nil, nil, nil
	}
	m := map[finding.Status]bool{}
	for _, s := range o.Statuses {
		u := strings.ToUpper(strings.TrimSpace(s))
		if !validStatus(u) {
			return nil, nil, fmt.Errorf("unknown status %q in the status filter (valid: %s)", s, statusNames())
		}
		m[finding.Status(u)] = true
	}
	var names []string
	for _, st := range finding.Statuses {
		if m[st] {
			names = append(names, string(st))
		}
	}
	return m, names, nil
}

// tally counts evaluated and compliant rows.
type tally struct {
	Key                  string
	Rows, Evaluated, Met int
}

func (t tally) notCompliant() int { return t.Evaluated - t.Met }

// compliance counts rows overall and per key (account or region), the least compliant first.
func compliance(rows []*resourceRow, key func(*resourceRow) string) (all tally, by []tally) {
	idx := map[string]int{}
	for _, r := range rows {
		k := key(r)
		i, ok := idx[k]
		if !ok {
			i = len(by)
			idx[k] = i
			by = append(by, tally{Key: k})
		}
		for _, t := range []*tally{&all, &by[i]} {
			t.Rows++
			if r.evaluated() {
				t.Evaluated++
				if r.compliant() {
					t.Met++
				}
			}
		}
	}
	sort.Slice(by, func(i, j int) bool {
		a, b := by[i], by[j]
		// Least compliant share first (cross-multiplied: exact), then most resources not compliant, then key.
		if x, y := a.Met*b.Evaluated, b.Met*a.Evaluated; x != y && a.Evaluated > 0 && b.Evaluated > 0 {
			return x < y
		}
		if a.notCompliant() != b.notCompliant() {
			return a.notCompliant() > b.notCompliant()
		}
		return a.Key < b.Key
	})
	return all, by
}

// rowNoun is what the rows are: "VPC" when every row is a VPC, "resource" otherwise.
func rowNoun(rows []*resourceRow) string {
	for _, r := range rows {
		if r.Type != finding.ResourceVPC {
			return "resource"
		}
	}
	return "VPC"
}

func sortStrings(s []string) { sort.Strings(s) }

func sortSlice[T any](s []T, less func(a, b T) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(s[i], s[j]) })
}

// resourceKey identifies the resource a finding is about: one row per key in the table and the HTML report.
func resourceKey(f finding.Finding) string {
	return f.AccountID + "\x00" + f.Region + "\x00" + f.ResourceType + "\x00" + f.ResourceID + "\x00" + assetLocation(f)
}

// assetLocation is where the resource itself is declared: a finding that points at the line to change (the
// log group whose retention is too short) keeps the resource's own line in its evidence, and one resource is
// one row whatever line each of its findings points at.
func assetLocation(f finding.Finding) string {
	switch l := f.Evidence.Extra["asset_location"].(type) {
	case inventory.Location:
		return location(finding.Finding{Location: &l})
	case map[string]any: // read back from a saved result
		file, _ := l["file"].(string)
		line, _ := l["line"].(float64)
		return location(finding.Finding{Location: &inventory.Location{File: file, Line: int(line)}})
	}
	return location(f)
}
