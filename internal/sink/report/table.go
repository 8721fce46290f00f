package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/textsafe"
)

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
)

func statusColor(s finding.Status) string { return human.StatusColor(string(s)) }

// defaultTop bounds the account, region and reason lists of the summary.
const defaultTop = 10

// WriteTable writes a result for a person at a terminal, designed to stay usable at thousands of VPCs:
//
//   - a summary block first: totals, % compliant, findings by status and by reason, resources not compliant by
//     region, and the least compliant accounts (each list bounded by Options.Top, with "and N more");
//   - then one row per resource (a VPC), worst first (FAIL, ERROR, UNKNOWN, EXCEPTED, SKIPPED, PASS), with
//     each check's verdict in its own column and the reasons of the checks that did not pass;
//   - then read errors, notes and the summary line again.
//
// Options.Statuses keeps only the rows with a finding in one of those statuses; the summary still counts
// everything. Column widths are computed from the visible text of every row and colour is added after padding,
// so colour and long values (ap-southeast-2) keep the columns aligned. Every value that came from AWS, a file
// or a tag goes through textsafe.Terminal.
func WriteTable(w io.Writer, r *finding.Result, o Options) error {
	filter, wanted, err := statusFilter(o)
	if err != nil {
		return err
	}
	top := o.Top
	if top <= 0 {
		top = defaultTop
	}
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	rows := resourceRows(r.Findings)
	noun := rowNoun(rows)
	var b strings.Builder
	b.Grow(200 * len(rows))

	// Summary block.
	b.WriteString(paint(ansiBold, SummaryLine(r)) + "\n")
	all, byAccount := compliance(rows, func(x *resourceRow) string { return x.Account })
	_, byRegion := compliance(rows, func(x *resourceRow) string { return x.Region })
	sum := &human.Table{Indent: "  ", Trusted: true}
	if len(rows) > 0 {
		c := fmt.Sprintf("%s of %s (%s): PASS or EXCEPTED on every check", human.Count(all.Met), human.Plural(all.Evaluated, noun),
			human.Percent(all.Met, all.Evaluated))
		if n := all.Rows - all.Evaluated; n > 0 {
			c += fmt.Sprintf("; %s SKIPPED not counted", human.Plural(n, noun))
		}
		sum.Row("compliant", c)
		sum.Row("findings", statusCounts(r.Summary))
		if s := reasonCounts(r.Findings, top); s != "" {
			sum.Row("by reason", s)
		}
		if s := regionCounts(byRegion, top, noun); s != "" && len(byRegion) > 1 {
			sum.Row("by region", s)
		}
	}
	if n := len(r.Errors); n > 0 {
		sum.Row("read errors", human.Plural(n, "read error")+": listed below the table")
	}
	if filter != nil {
		shown := 0
		for _, x := range rows {
			if x.has(filter) {
				shown++
			}
		}
		sum.Row("showing", fmt.Sprintf("%s of %s: those with a finding of status %s", human.Count(shown), human.Plural(len(rows), noun),
			strings.Join(wanted, " or ")))
	}
	b.WriteString(sum.String())

	// One account: its compliance is the overall figure above.
	if len(byAccount) > 1 {
		shown := byAccount
		if len(shown) > top+1 {
			shown = shown[:top]
		}
		b.WriteString("\n" + paint(ansiBold, "accounts, least compliant first") + "\n")
		at := &human.Table{Indent: "  ", Right: map[int]bool{1: true, 2: true, 3: true}}
		at.Header("ACCOUNT", strings.ToUpper(human.Noun(2, noun)), "NOT COMPLIANT", "COMPLIANT")
		for _, a := range shown {
			at.Row(orDash(a.Key), human.Count(a.Rows), human.Count(a.notCompliant()), human.Percent(a.Met, a.Evaluated))
		}
		b.WriteString(at.String())
		if n := len(byAccount) - len(shown); n > 0 {
			fmt.Fprintf(&b, "  … and %s more %s\n", human.Count(n), human.Noun(n, "account"))
		}
	}

	// Resource rows.
	var checks []string
	located := false
	seen := map[string]bool{}
	for _, x := range rows {
		if x.Location != "" {
			located = true
		}
		for _, f := range x.Findings {
			if !seen[f.CheckID] {
				seen[f.CheckID] = true
				checks = append(checks, f.CheckID)
			}
		}
	}
	sortStrings(checks)
	labels := checkLabels(checks)
	t := &human.Table{Indent: "  ", Color: o.Color}
	head := []string{"STATUS", "ACCOUNT", "REGION", "RESOURCE", "NAME"}
	if located {
		head = append(head, "LOCATION")
	}
	head = append(head, labels...)
	t.Header(append(head, "REASON", "DETAIL")...)
	for _, x := range rows {
		if filter != nil && !x.has(filter) {
			continue
		}
		cells := []human.Cell{{Text: string(x.Worst), Color: statusColor(x.Worst)}, {Text: orDash(x.Account)}, {Text: orDash(x.Region)},
			{Text: x.Resource}, {Text: orDash(x.Name)}}
		if located {
			cells = append(cells, human.Cell{Text: orDash(x.Location)})
		}
		// x.Findings and checks are both in check id order: one pass fills the check columns.
		j := 0
		for _, id := range checks {
			for j < len(x.Findings) && x.Findings[j].CheckID < id {
				j++
			}
			if j < len(x.Findings) && x.Findings[j].CheckID == id {
				st := x.Findings[j].Status
				cells = append(cells, human.Cell{Text: string(st), Color: statusColor(st)})
				continue
			}
			cells = append(cells, human.Cell{Text: "-"})
		}
		reason, detail := rowReasonDetail(x)
		cells = append(cells, human.Cell{Text: orDash(reason)}, human.Cell{Text: orDash(detail)})
		t.AddCells(cells...)
	}
	if len(rows) > 0 {
		b.WriteString("\n")
		if len(checks) > 1 {
			var legend []string
			for i, id := range checks {
				legend = append(legend, labels[i]+" = "+safe(id))
			}
			b.WriteString(paint(ansiDim, "checks: "+strings.Join(legend, ", ")) + "\n")
		}
		if t.Len() == 1 {
			fmt.Fprintf(&b, "no %s has a finding of status %s\n", noun, strings.Join(wanted, " or "))
		} else {
			b.WriteString(t.String())
		}
	}

	if len(r.Errors) > 0 {
		b.WriteString("\n" + paint(ansiBold, "read errors") + "\n")
		et := &human.Table{Indent: "  "}
		for _, e := range r.Errors {
			where := e.AccountID
			if e.Region != "" {
				where += "/" + e.Region
			}
			et.Row(where, e.Operation+": "+e.Message)
		}
		b.WriteString(et.String())
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range r.Notes {
			b.WriteString("note: " + safe(n) + "\n")
		}
	}
	if len(rows) > 0 || len(r.Errors) > 0 || len(r.Notes) > 0 {
		b.WriteString("\n" + SummaryLine(r) + "\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// rowReasonDetail gives the reasons and messages of the checks that did not pass (or, when all passed, the
// messages), in check order.
func rowReasonDetail(x *resourceRow) (reason, detail string) {
	var reasons, details []string
	for _, f := range x.Findings {
		if f.Status == finding.StatusPass {
			continue
		}
		if f.Reason != "" && !slices.Contains(reasons, f.Reason) {
			reasons = append(reasons, f.Reason)
		}
		if f.Message != "" && !slices.Contains(details, f.Message) {
			details = append(details, f.Message)
		}
	}
	if len(details) == 0 {
		for _, f := range x.Findings {
			if f.Message != "" {
				details = append(details, f.Message)
			}
		}
	}
	return strings.Join(reasons, ","), strings.Join(details, "; ")
}

// checkLabels gives each check's column a short title: the check ids without their common "word-" prefix,
// upper-cased (vpc-flow-logs-enabled, vpc-flow-logs-retention -> ENABLED, RETENTION). A single check keeps
// its full id.
func checkLabels(ids []string) []string {
	prefix := ""
	if len(ids) > 1 {
		prefix = ids[0]
		for _, id := range ids[1:] {
			for !strings.HasPrefix(id, prefix) {
				prefix = prefix[:len(prefix)-1]
			}
		}
		if i := strings.LastIndex(prefix, "-"); i >= 0 {
			prefix = prefix[:i+1]
		} else {
			prefix = ""
		}
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		l := strings.TrimPrefix(id, prefix)
		if l == "" {
			l = id
		}
		out[i] = strings.ToUpper(safe(l))
	}
	return out
}

// statusCounts renders the findings by status, the non-zero ones, worst first.
func statusCounts(s finding.Summary) string {
	var parts []string
	for _, st := range finding.Statuses {
		if n := statusCount(s, st); n > 0 {
			parts = append(parts, human.Count(n)+" "+string(st))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " · ")
}

// reasonCounts renders the findings that did not pass by reason, most frequent first, bounded by top.
func reasonCounts(fs []finding.Finding, top int) string {
	counts := map[string]int{}
	for _, f := range fs {
		if f.Status != finding.StatusPass && f.Reason != "" {
			counts[string(f.Status)+" "+f.Reason]++
		}
	}
	type kv struct {
		k string
		n int
	}
	var l []kv
	for k, n := range counts {
		l = append(l, kv{k, n})
	}
	sortSlice(l, func(a, b kv) bool {
		if a.n != b.n {
			return a.n > b.n
		}
		return a.k < b.k
	})
	var parts []string
	for i, x := range l {
		if i == top && len(l) > top+1 {
			parts = append(parts, fmt.Sprintf("… and %s more %s", human.Count(len(l)-top), human.Noun(len(l)-top, "reason")))
			break
		}
		parts = append(parts, safe(x.k)+" "+human.Count(x.n))
	}
	return strings.Join(parts, " · ")
}

// regionCounts renders the regions with resources not compliant, most first, bounded by top.
func regionCounts(by []tally, top int, noun string) string {
	var l []tally
	for _, t := range by {
		if t.notCompliant() > 0 {
			l = append(l, t)
		}
	}
	if len(l) == 0 {
		return ""
	}
	sortSlice(l, func(a, b tally) bool {
		if a.notCompliant() != b.notCompliant() {
			return a.notCompliant() > b.notCompliant()
		}
		return a.Key < b.Key
	})
	parts := []string{human.Noun(2, noun) + " not compliant:"}
	for i, t := range l {
		if i == top && len(l) > top+1 {
			parts = append(parts, fmt.Sprintf("… and %s more %s", human.Count(len(l)-top), human.Noun(len(l)-top, "region")))
			break
		}
		sep := " ·"
		if i == len(l)-1 || (i == top-1 && len(l) > top+1) {
			sep = ""
		}
		parts = append(parts, fmt.Sprintf("%s %s of %s%s", safe(orDash(t.Key)), human.Count(t.notCompliant()), human.Count(t.Evaluated), sep))
	}
	return strings.Join(parts, " ")
}

// SummaryLine is the one-line summary printed above and under a table, and to stderr beside machine formats.
func SummaryLine(r *finding.Result) string {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s FAIL, %s ERROR, %s EXCEPTED, %s SKIPPED, %s PASS", human.Plural(s.Total, "finding"), human.Count(s.Fail),
		human.Count(s.Error), human.Count(s.Excepted), human.Count(s.Skipped), human.Count(s.Pass))
	if s.Unknown > 0 {
		fmt.Fprintf(&b, ", %s UNKNOWN", human.Count(s.Unknown))
	}
	fmt.Fprintf(&b, " · %s in %s, %s", human.Plural(s.VPCs, "VPC"), human.Plural(len(r.Accounts), "account"), human.Plural(len(r.Regions), "region"))
	if s.SkippedUnused > 0 {
		fmt.Fprintf(&b, " · %s left out (--skip-unused)", human.Plural(s.SkippedUnused, "unused VPC"))
	}
	switch {
	case r.Cancelled:
		b.WriteString(" · INCOMPLETE: cancelled")
	case r.Incomplete:
		b.WriteString(" · INCOMPLETE: some resources could not be evaluated")
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// safe makes an untrusted value one inert line for a terminal.
func safe(s string) string { return textsafe.Terminal(s) }
