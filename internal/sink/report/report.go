// Package report renders a scan result in the formats people and security tools read. One file per format;
// all.go lists them. Every writer takes the same Result, so a format never changes what was found.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
)

// Options tune how a result is rendered.
type Options struct {
	// Color allows ANSI colour (table output on a terminal only).
	Color bool
	// Checks describe the checks (help text, remediation) for the formats that explain their rules (SARIF,
	// OCSF, ASFF). Result.Checks, when set, wins.
	Checks []finding.CheckInfo
	// Statuses keeps only the table rows (one per resource) with at least one finding in one of these statuses
	// (FAIL, ERROR, UNKNOWN, EXCEPTED, SKIPPED, PASS; see ParseStatuses); empty shows every row. The summary
	// still counts everything. Formats for machines ignore it: they always carry every finding.
	Statuses []string
	// Top bounds the lists of the table's summary (least compliant accounts, regions, reasons); 10 when 0.
	Top int
}

// Writer renders r to w.
type Writer func(w io.Writer, r *finding.Result, o Options) error

// Format describes one output format.
type Format struct {
	Name      string
	Extension string // file extension used with --out-dir
	Write     Writer
}

// Lookup returns the format called name.
func Lookup(name string) (Format, error) {
	for _, f := range All() {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown output format %q (valid: %s)", name, strings.Join(Names(), ", "))
}

// Names lists the format names.
func Names() []string {
	var out []string
	for _, f := range All() {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}
