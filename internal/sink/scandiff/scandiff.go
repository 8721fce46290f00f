// Package scandiff compares two scan results (flowguard.scan/v1 JSON) and says which failures are new, which
// were fixed and which are still failing, matching findings on finding.Key (check, account, region, resource).
package scandiff

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
)

// Schema versions the JSON diff document.
const Schema = "flowguard.diff/v1"

// Change is one finding that failed in the old scan, the new one, or both.
type Change struct {
	Key       string          `json:"key"`
	CheckID   string          `json:"check_id"`
	AccountID string          `json:"account_id"`
	Region    string          `json:"region"`
	Resource  string          `json:"resource_id"`
	Name      string          `json:"resource_name,omitempty"`
	OldStatus finding.Status  `json:"old_status,omitempty"` // "" when the resource was not in the old scan
	NewStatus finding.Status  `json:"new_status,omitempty"` // "" when the resource is gone from the new scan
	Reason    string          `json:"reason,omitempty"`
	Message   string          `json:"message,omitempty"`
	Finding   finding.Finding `json:"-"`
}

// Side describes one of the two scans.
type Side struct {
	File       string    `json:"file"`
	FinishedAt time.Time `json:"finished_at"`
	Incomplete bool      `json:"incomplete"`
	Fail       int       `json:"fail"`
}

// Diff is the comparison. A failure is a FAIL finding. Something that failed before and now is EXCEPTED or
// could not be evaluated (ERROR, UNKNOWN) is not "fixed": it has its own list, so a broken scan never reads as
// a fix.
type Diff struct {
	Schema string `json:"schema"`
	Old    Side   `json:"old"`
	New    Side   `json:"new"`
	// NewFailures fail now and did not before (absent, or another status).
	NewFailures []Change `json:"new_failures"`
	// Fixed failed before and pass now, or are gone from a scan that read their account and region.
	Fixed []Change `json:"fixed"`
	// StillFailing fail in both scans.
	StillFailing []Change `json:"still_failing"`
	// NowExcepted failed before and are covered by an exception now.
	NowExcepted []Change `json:"now_excepted"`
	// NowUnevaluated failed before and could not be evaluated now (ERROR, UNKNOWN, SKIPPED, or missing from a
	// scan that did not cover or could not read their account or region).
	NowUnevaluated []Change `json:"now_unevaluated"`
}

// LoadResult reads and validates a flowguard.scan/v1 JSON document (see finding.Decode).
func LoadResult(path string) (*finding.Result, error) { return finding.ReadFile(path) }

// Compare diffs two results.
func Compare(oldFile string, old *finding.Result, newFile string, cur *finding.Result) *Diff {
	d := &Diff{Schema: Schema,
		Old:         Side{File: oldFile, FinishedAt: old.FinishedAt, Incomplete: old.Incomplete, Fail: countFail(old)},
		New:         Side{File: newFile, FinishedAt: cur.FinishedAt, Incomplete: cur.Incomplete, Fail: countFail(cur)},
		NewFailures: []Change{}, Fixed: []Change{}, StillFailing: []Change{}, NowExcepted: []Change{}, NowUnevaluated: []Change{},
	}
	before := map[string]finding.Finding{}
	for _, f := range old.Findings {
		before[f.Key()] = f
	}
	seen := map[string]bool{}
	for _, f := range cur.Findings {
		k := f.Key()
		seen[k] = true
		o, had := before[k]
		wasFail := had && o.Status == finding.StatusFail
		c := change(f, o.Status, f.Status)
		switch {
		case f.Status == finding.StatusFail && wasFail:
			d.StillFailing = append(d.StillFailing, c)
		case f.Status == finding.StatusFail:
			d.NewFailures = append(d.NewFailures, c)
		case !wasFail:
		case f.Status == finding.StatusPass:
			d.Fixed = append(d.Fixed, c)
		case f.Status == finding.StatusExcepted:
			d.NowExcepted = append(d.NowExcepted, c)
		default: // ERROR, UNKNOWN, SKIPPED
			d.NowUnevaluated = append(d.NowUnevaluated, c)
		}
	}
	// A failure missing from the new scan is fixed only if the new scan covered its account and region and read
	// them without error: otherwise the resource may well still be there.
	inAccounts, inRegions := set(cur.Accounts), set(cur.Regions)
	unread := map[[2]string]bool{}
	for _, e := range cur.Errors {
		unread[[2]string{e.AccountID, e.Region}] = true
	}
	for _, f := range cur.Findings {
		if f.Status == finding.StatusError && (f.ResourceType == finding.ResourceRegion || f.ResourceType == finding.ResourceAccount) {
			unread[[2]string{f.AccountID, f.Region}] = true
		}
	}
	for _, o := range old.Findings {
		if o.Status != finding.StatusFail || seen[o.Key()] {
			continue
		}
		c := change(o, o.Status, "")
		switch {
		case o.AccountID != "" && (!inAccounts[o.AccountID] || (o.Region != "" && !inRegions[o.Region])):
			c.Message = "not in the new scan: its account or region was not scanned"
			d.NowUnevaluated = append(d.NowUnevaluated, c)
		case unread[[2]string{o.AccountID, o.Region}] || unread[[2]string{o.AccountID, ""}]:
			c.Message = "not in the new scan: its account or region could not be read"
			d.NowUnevaluated = append(d.NowUnevaluated, c)
		default:
			c.Message = "no longer in the scan: the resource is gone"
			d.Fixed = append(d.Fixed, c)
		}
	}
	for _, l := range [][]Change{d.NewFailures, d.Fixed, d.StillFailing, d.NowExcepted, d.NowUnevaluated} {
		sort.Slice(l, func(i, j int) bool { return l[i].Key < l[j].Key })
	}
	return d
}

func change(f finding.Finding, old, cur finding.Status) Change {
	return Change{Key: f.Key(), CheckID: f.CheckID, AccountID: f.AccountID, Region: f.Region, Resource: f.ResourceID,
		Name: f.ResourceName, OldStatus: old, NewStatus: cur, Reason: f.Reason, Message: f.Message, Finding: f}
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func countFail(r *finding.Result) int {
	n := 0
	for _, f := range r.Findings {
		if f.Status == finding.StatusFail {
			n++
		}
	}
	return n
}

// Overall is a failure when there are new failures.
func (d *Diff) Overall() finding.Outcome {
	if len(d.NewFailures) > 0 {
		return finding.OutcomeFail
	}
	return finding.OutcomeOK
}

// WriteJSON writes the diff document.
func (d *Diff) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// TableOptions tune the diff table.
type TableOptions struct {
	// Color allows ANSI colour (a terminal only).
	Color bool
	// Limit bounds the rows of each section (0: every row); the rest is counted ("… and 12 more").
	Limit int
}

// WriteTable writes the diff for people with default options (no colour, every row).
func (d *Diff) WriteTable(w io.Writer) error { return d.WriteTableWith(w, TableOptions{}) }

// WriteTableWith writes the diff for people: the summary line first, then one section per non-empty list (new
// failures first), with column widths computed from the visible text of every row, then the summary again.
func (d *Diff) WriteTableWith(w io.Writer, o TableOptions) error {
	sections := []struct {
		title string
		list  []Change
	}{
		{"NEW FAILURES", d.NewFailures}, {"FIXED", d.Fixed}, {"NOW EXCEPTED", d.NowExcepted},
		{"NOW NOT EVALUATED (was failing)", d.NowUnevaluated}, {"STILL FAILING", d.StillFailing},
	}
	bold := func(s string) string {
		if o.Color {
			return "\x1b[1m" + s + "\x1b[0m"
		}
		return s
	}
	var b strings.Builder
	b.WriteString(bold(d.SummaryLine()) + "\n")
	for _, s := range sections {
		if len(s.list) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", bold(fmt.Sprintf("%s (%s)", s.title, human.Count(len(s.list)))))
		// Values come from two scan files: untrusted; the table escapes every cell (textsafe.Terminal).
		t := &human.Table{Indent: "  ", Color: o.Color}
		t.Header("ACCOUNT", "REGION", "RESOURCE", "NAME", "CHECK", "WAS", "NOW", "DETAIL")
		list := s.list
		if o.Limit > 0 && len(list) > o.Limit+1 {
			list = list[:o.Limit]
		}
		for _, c := range list {
			t.AddCells(human.Cell{Text: dash(c.AccountID)}, human.Cell{Text: dash(c.Region)}, human.Cell{Text: c.Resource},
				human.Cell{Text: dash(c.Name)}, human.Cell{Text: c.CheckID},
				human.Cell{Text: dash(string(c.OldStatus)), Color: human.StatusColor(string(c.OldStatus))},
				human.Cell{Text: dash(string(c.NewStatus)), Color: human.StatusColor(string(c.NewStatus))}, human.Cell{Text: detail(c)})
		}
		b.WriteString(t.String())
		if n := len(s.list) - len(list); n > 0 {
			fmt.Fprintf(&b, "  … and %s more (the JSON output lists them all)\n", human.Count(n))
		}
	}
	b.WriteString("\n" + d.SummaryLine() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// SummaryLine is a one-line account of the diff.
func (d *Diff) SummaryLine() string {
	s := fmt.Sprintf("%s, %s fixed, %s still failing", human.Plural(len(d.NewFailures), "new failure"), human.Count(len(d.Fixed)),
		human.Count(len(d.StillFailing)))
	if n := len(d.NowExcepted); n > 0 {
		s += fmt.Sprintf(", %s now excepted", human.Count(n))
	}
	if n := len(d.NowUnevaluated); n > 0 {
		s += fmt.Sprintf(", %s now not evaluated", human.Count(n))
	}
	s += fmt.Sprintf(" (FAIL %s → %s)", human.Count(d.Old.Fail), human.Count(d.New.Fail))
	if d.New.Incomplete {
		s += " · the new scan is INCOMPLETE: some resources were not evaluated"
	}
	return s
}

func detail(c Change) string {
	if c.Reason != "" {
		return c.Reason + ": " + c.Message
	}
	return c.Message
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
