package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/flowguard/flowguard/internal/finding"
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

func statusColor(s finding.Status) string {
	switch s {
	case finding.StatusPass:
		return ansiGreen
	case finding.StatusFail:
		return ansiRed
	case finding.StatusError, finding.StatusUnknown:
		return ansiYellow
	case finding.StatusExcepted:
		return ansiBlue
	}
	return ansiDim
}

// WriteTable writes findings grouped by account and region, then the errors and a summary line.
func WriteTable(w io.Writer, r *finding.Result, o Options) error {
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	fs := append([]finding.Finding(nil), r.Findings...)
	finding.Sort(fs)
	var group string
	var tw *tabwriter.Writer
	// IaC findings carry file:line: a group that has any gets a LOCATION column.
	located := map[string]bool{}
	for _, f := range fs {
		if location(f) != "" {
			located[fmt.Sprintf("account %s  region %s", f.AccountID, orDash(f.Region))] = true
		}
	}
	flush := func() {
		if tw != nil {
			tw.Flush()
			fmt.Fprintln(w)
		}
	}
	for _, f := range fs {
		g := fmt.Sprintf("account %s  region %s", f.AccountID, orDash(f.Region))
		if g != group {
			flush()
			group = g
			fmt.Fprintln(w, paint(ansiBold, g))
			tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			if located[g] {
				fmt.Fprintln(tw, "  STATUS\tCHECK\tRESOURCE\tNAME\tLOCATION\tREASON\tDETAIL")
			} else {
				fmt.Fprintln(tw, "  STATUS\tCHECK\tRESOURCE\tNAME\tREASON\tDETAIL")
			}
		}
		// Pad before painting so escape codes do not upset the column widths.
		status := paint(statusColor(f.Status), fmt.Sprintf("%-8s", f.Status))
		if located[group] {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", status, f.CheckID, f.ResourceID, orDash(f.ResourceName),
				orDash(location(f)), orDash(f.Reason), oneLine(f.Message))
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", status, f.CheckID, f.ResourceID, orDash(f.ResourceName),
			orDash(f.Reason), oneLine(f.Message))
	}
	flush()
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, paint(ansiBold, "errors"))
		for _, e := range r.Errors {
			where := e.AccountID
			if e.Region != "" {
				where += "/" + e.Region
			}
			fmt.Fprintf(w, "  %s  %s: %s\n", where, e.Operation, oneLine(e.Message))
		}
		fmt.Fprintln(w)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	fmt.Fprintln(w, SummaryLine(r))
	return nil
}

// SummaryLine is the one-line summary printed under a table.
func SummaryLine(r *finding.Result) string {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "%d findings: %d FAIL, %d ERROR, %d EXCEPTED, %d SKIPPED, %d PASS", s.Total, s.Fail, s.Error, s.Excepted, s.Skipped, s.Pass)
	if s.Unknown > 0 {
		fmt.Fprintf(&b, ", %d UNKNOWN", s.Unknown)
	}
	fmt.Fprintf(&b, " · %d VPCs in %d accounts, %d regions", s.VPCs, len(r.Accounts), len(r.Regions))
	if s.SkippedUnused > 0 {
		fmt.Fprintf(&b, " · %d unused VPCs left out (--skip-unused)", s.SkippedUnused)
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

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
