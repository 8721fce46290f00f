package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// WriteMarkdown writes a summary for pull requests, tickets and wikis: counts by status, a table of counts by
// account and region, the failing VPCs, read errors and the exceptions. Every value is escaped, so tags cannot
// inject markup or break the tables.
func WriteMarkdown(w io.Writer, r *finding.Result, _ Options) error {
	var b strings.Builder
	s := r.Summary
	b.WriteString("# flowguard scan report\n\n")
	verdict := "PASS: every evaluated resource complies"
	switch {
	case r.Cancelled:
		verdict = "INCOMPLETE: the scan was cancelled"
	case r.Incomplete:
		verdict = "INCOMPLETE: some resources could not be evaluated"
	case s.Fail > 0:
		verdict = "FAIL: " + human.Plural(s.Fail, "failing finding")
	}
	fmt.Fprintf(&b, "**%s**\n\n", verdict)
	fmt.Fprintf(&b, "Source %s · %s · %s · %s", mdEscape(r.Source), human.Plural(len(r.Accounts), "account"),
		human.Plural(len(r.Regions), "region"), human.Plural(s.VPCs, "VPC"))
	if !r.FinishedAt.IsZero() {
		fmt.Fprintf(&b, " · finished %s", r.FinishedAt.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if r.Tool.Version != "" {
		fmt.Fprintf(&b, " · %s %s", mdEscape(toolName(r)), mdEscape(r.Tool.Version))
	}
	b.WriteString("\n\n")

	rows := resourceRows(r.Findings)
	noun := rowNoun(rows)
	all, byAccount := compliance(rows, func(x *resourceRow) string { return x.Account })
	if all.Evaluated > 0 {
		fmt.Fprintf(&b, "**Compliant: %s of %s (%s)**: PASS or EXCEPTED on every check", human.Count(all.Met),
			human.Plural(all.Evaluated, noun), human.Percent(all.Met, all.Evaluated))
		if n := all.Rows - all.Evaluated; n > 0 {
			fmt.Fprintf(&b, "; %s SKIPPED not counted", human.Plural(n, noun))
		}
		b.WriteString("\n\n")
	}

	b.WriteString("| Status | Findings |\n|---|---:|\n")
	for _, st := range finding.Statuses {
		if n := statusCount(s, st); n > 0 || st != finding.StatusUnknown {
			fmt.Fprintf(&b, "| %s | %s |\n", st, human.Count(n))
		}
	}
	fmt.Fprintf(&b, "| **Total** | **%s** |\n\n", human.Count(s.Total))

	if len(byAccount) > 0 && all.Evaluated > all.Met {
		shown := byAccount
		if len(shown) > defaultTop+1 {
			shown = shown[:defaultTop]
		}
		fmt.Fprintf(&b, "## Least compliant accounts\n\n| Account | %s | Not compliant | Compliant |\n|---|---:|---:|---:|\n", strings.ToUpper(noun[:1])+human.Noun(2, noun)[1:])
		for _, a := range shown {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdEscape(orDash(a.Key)), human.Count(a.Rows), human.Count(a.notCompliant()), human.Percent(a.Met, a.Evaluated))
		}
		if n := len(byAccount) - len(shown); n > 0 {
			fmt.Fprintf(&b, "\n… and %s more %s\n", human.Count(n), human.Noun(n, "account"))
		}
		b.WriteString("\n")
	}

	groups := groupCounts(r.Findings)
	if len(groups) > 0 {
		b.WriteString("## By account and region\n\n| Account | Region | FAIL | ERROR | EXCEPTED | SKIPPED | PASS |\n|---|---|---:|---:|---:|---:|---:|\n")
		for _, g := range groups {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(orDash(g.Account)), mdEscape(orDash(g.Region)),
				human.Count(g.Counts[finding.StatusFail]), human.Count(g.Counts[finding.StatusError]+g.Counts[finding.StatusUnknown]),
				human.Count(g.Counts[finding.StatusExcepted]), human.Count(g.Counts[finding.StatusSkipped]), human.Count(g.Counts[finding.StatusPass]))
		}
		b.WriteString("\n")
	}

	var failing []finding.Finding
	for _, f := range sortedFindings(r) {
		if f.Status == finding.StatusFail || f.Status == finding.StatusError {
			failing = append(failing, f)
		}
	}
	if len(failing) > 0 {
		b.WriteString("## Failing and unevaluated resources\n\n| Status | Account | Region | Resource | Name | Check | Reason | Detail |\n|---|---|---|---|---|---|---|---|\n")
		for _, f := range failing {
			res := f.ResourceID
			if l := location(f); l != "" {
				res += " @ " + l
			}
			detail := f.Message
			if e := f.Evidence.Exception; e != nil && e.Expired {
				detail += fmt.Sprintf(" (exception %s of %s expired %s)", e.ID, e.Owner, e.Expires)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(string(f.Status)), mdEscape(orDash(f.AccountID)),
				mdEscape(orDash(f.Region)), mdEscape(res), mdEscape(orDash(f.ResourceName)), mdEscape(f.CheckID),
				mdEscape(orDash(f.Reason)), mdEscape(detail))
		}
		b.WriteString("\n")
	}

	if len(r.Exceptions) > 0 {
		b.WriteString("## Exceptions\n\n| State | Id | Match | Owner | Expires | Matched | Reason | Where |\n|---|---|---|---|---|---:|---|---|\n")
		for _, e := range r.Exceptions {
			where := e.File
			if e.Line > 0 {
				where = fmt.Sprintf("%s:%d", e.File, e.Line)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d | %s | %s |\n", mdEscape(e.State), mdEscape(orDash(e.ID)),
				mdEscape(e.Match), mdEscape(e.Owner), mdEscape(e.Expires), e.Matched, mdEscape(e.Reason), mdEscape(orDash(where)))
		}
		b.WriteString("\n")
	}

	if len(r.Errors) > 0 {
		b.WriteString("## Read errors\n\n| Account | Region | Operation | Code | Message |\n|---|---|---|---|---|\n")
		for _, e := range r.Errors {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdEscape(e.AccountID), mdEscape(orDash(e.Region)),
				mdEscape(e.Operation), mdEscape(orDash(e.Code)), mdEscape(e.Message))
		}
		b.WriteString("\n")
	}
	if len(r.Notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", mdEscape(n))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func statusCount(s finding.Summary, st finding.Status) int {
	switch st {
	case finding.StatusPass:
		return s.Pass
	case finding.StatusFail:
		return s.Fail
	case finding.StatusError:
		return s.Error
	case finding.StatusSkipped:
		return s.Skipped
	case finding.StatusExcepted:
		return s.Excepted
	case finding.StatusUnknown:
		return s.Unknown
	}
	return 0
}

// group counts findings of one account and region.
type group struct {
	Account, Region string
	Counts          map[finding.Status]int
	Total           int
}

func groupCounts(fs []finding.Finding) []group {
	idx := map[[2]string]int{}
	var out []group
	for _, f := range fs {
		k := [2]string{f.AccountID, f.Region}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, group{Account: f.AccountID, Region: f.Region, Counts: map[finding.Status]int{}})
		}
		out[i].Counts[f.Status]++
		out[i].Total++
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].Region < out[j].Region
	})
	return out
}

var mdReplacer = strings.NewReplacer(
	"\\", "\\\\", "|", "\\|", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "#", "\\#",
	"<", "&lt;", ">", "&gt;", "&", "&amp;", "~", "\\~", "!", "\\!",
)

// mdEscape makes s literal text inside a Markdown table cell: no markup, no HTML, no links, no cell breaks.
// Control characters, newlines and bidi overrides are first shown escaped (textsafe.Terminal), so the file is
// also safe to cat to a terminal; the backslashes of those escapes are then escaped for Markdown.
func mdEscape(s string) string { return mdReplacer.Replace(textsafe.Terminal(s)) }
