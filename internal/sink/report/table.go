package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/flowguard/flowguard/internal/finding"
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

// WriteTable writes findings grouped by account and region, then the errors and a summary line. Every value
// that came from AWS, a file or a tag goes through textsafe.Terminal: control characters, escape sequences and
// bidi overrides are shown escaped, so a tag cannot repaint the screen or forge a row.
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
			located[groupTitle(f)] = true
		}
	}
	flush := func() {
		if tw != nil {
			tw.Flush()
			fmt.Fprintln(w)
		}
	}
	for _, f := range fs {
		g := groupTitle(f)
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
		status := paint(statusColor(f.Status), fmt.Sprintf("%-8s", safe(string(f.Status))))
		if located[group] {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", status, safe(f.CheckID), safe(f.ResourceID), safe(orDash(f.ResourceName)),
				safe(orDash(location(f))), safe(orDash(f.Reason)), safe(f.Message))
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", status, safe(f.CheckID), safe(f.ResourceID), safe(orDash(f.ResourceName)),
			safe(orDash(f.Reason)), safe(f.Message))
	}
	flush()
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, paint(ansiBold, "errors"))
		for _, e := range r.Errors {
			where := e.AccountID
			if e.Region != "" {
				where += "/" + e.Region
			}
			fmt.Fprintf(w, "  %s  %s: %s\n", safe(where), safe(e.Operation), safe(e.Message))
		}
		fmt.Fprintln(w)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", safe(n))
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

// safe makes an untrusted value one inert line for a terminal.
func safe(s string) string { return textsafe.Terminal(s) }

func groupTitle(f finding.Finding) string {
	return fmt.Sprintf("account %s  region %s", safe(f.AccountID), safe(orDash(f.Region)))
}
