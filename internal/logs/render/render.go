// Package render writes flow-log reports (and Athena query results) as an aligned text table, JSON, CSV or a
// self-contained HTML page with charts.
package render

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// Formats lists the output formats.
var Formats = []string{"table", "json", "csv", "html"}

// Table is one titled grid of cells.
type Table struct {
	ID      string     `json:"id"`
	Title   string     `json:"title"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
	// Bar is the column drawn as bars in HTML (-1: none).
	Bar int `json:"-"`
	// barValues are the raw numbers of the Bar column when its cells are written for people ("8.2 GiB");
	// nil: the cells are numbers.
	barValues []float64
}

// Check reports whether format is known.
func Check(format string) error {
	for _, f := range Formats {
		if f == format {
			return nil
		}
	}
	return fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// Report writes a report in format.
func Report(w io.Writer, format string, r *analyze.Report) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "html":
		return writeHTML(w, "flowguard flow-log report", r, tablesOpt(r, true, true))
	case "csv":
		return WriteTables(w, format, "flowguard flow-log report", Tables(r))
	}
	return WriteTables(w, format, "flowguard flow-log report", HumanTables(r))
}

// WriteTables writes tables in format (table, csv, json, html); used for Athena results too.
func WriteTables(w io.Writer, format, title string, ts []Table) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Schema string  `json:"schema"`
			Title  string  `json:"title"`
			Tables []Table `json:"tables"`
		}{analyze.Schema, title, ts})
	case "csv":
		// Cells come from flow-log records and file names: a spreadsheet must not run them as formulas.
		cw := csv.NewWriter(w)
		for i, t := range ts {
			if i > 0 {
				cw.Write(nil)
			}
			cw.Write(textsafe.CSVRow(append([]string{"section"}, t.Columns...)))
			for _, row := range t.Rows {
				cw.Write(textsafe.CSVRow(append([]string{t.ID}, row...)))
			}
		}
		cw.Flush()
		return cw.Error()
	case "html":
		return writeHTML(w, title, nil, ts)
	}
	for i, t := range ts {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, textsafe.Terminal(t.Title))
		if len(t.Rows) == 0 {
			fmt.Fprintln(w, "  (none)")
			continue
		}
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight*0)
		fmt.Fprintln(tw, "  "+strings.Join(clean(upper(t.Columns)), "\t"))
		for _, row := range t.Rows {
			fmt.Fprintln(tw, "  "+strings.Join(clean(row), "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}

// clean keeps control characters, escape sequences and bidi overrides out of a terminal (shown escaped).
func clean(ss []string) []string {
	return textsafe.TerminalAll(append([]string(nil), ss...))
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

func ts(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// Tables lays a report out as tables, in reading order, with raw numbers (for machine formats: CSV).
func Tables(r *analyze.Report) []Table { return tables(r, false) }

// HumanTables is Tables for people (text table, HTML): byte counts in KiB/MiB/GiB, other counts with
// thousands separators.
func HumanTables(r *analyze.Report) []Table { return tables(r, true) }

func tables(r *analyze.Report, forPeople bool) []Table { return tablesOpt(r, forPeople, false) }

// tablesOpt lays the report out; with an inventory, the top lists are keyed by r.KeyBy, or both ways when
// both is set (HTML carries both).
func tablesOpt(r *analyze.Report, forPeople, both bool) []Table {
	n, bytes := n, n
	if forPeople {
		n, bytes = human.Count[int64], human.Bytes
	}
	t := r.Totals
	pct := func(a, b int64) string {
		if b == 0 {
			return "0.0%"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
	}
	sum := Table{ID: "summary", Title: "Summary", Columns: []string{"measure", "value"}, Bar: -1, Rows: [][]string{
		{"sources", strings.Join(r.Sources, ", ")},
		{"from", ts(r.From)},
		{"to", ts(r.To)},
		{"records", n(t.Records)},
		{"accepted", n(t.Accept) + " (" + pct(t.Accept, t.Records) + ")"},
		{"rejected", n(t.Reject) + " (" + pct(t.Reject, t.Records) + ")"},
		{"nodata", n(t.NoData)},
		{"skipdata", n(t.SkipData)},
		{"bytes", bytes(t.Bytes)},
		{"accepted bytes", bytes(t.AcceptBytes)},
		{"rejected bytes", bytes(t.RejectBytes)},
		{"packets", n(t.Packets)},
		{"filtered out", n(t.FilteredOut)},
		{"lines read", n(r.Input.Lines)},
		{"malformed lines", n(r.Input.Malformed)},
	}}
	if e := r.Enrichment; e != nil {
		sum.Rows = append(sum.Rows, []string{"inventory", fmt.Sprintf("%s interfaces of %s resources", n(int64(e.Interfaces)), n(int64(e.Resources)))},
			[]string{"records joined to the inventory", n(e.Resolved) + " (" + pct(e.Resolved, e.Resolved+e.Unresolved) + ")"})
	}
	out := []Table{sum}
	th := r.Thresholds
	det := Table{ID: "detections", Title: fmt.Sprintf("Detections (vertical scan ≥%d ports/%s, horizontal scan ≥%d hosts/%s, brute force ≥%d rejects to %v/%s)",
		th.VerticalPorts, th.VerticalWindow, th.HorizontalHosts, th.HorizontalWindow, th.BruteForceRejects, th.BruteForcePorts, th.BruteForceWindow),
		Columns: []string{"kind", "source", "target", "distinct", "records", "window start", "first", "last"}, Bar: -1}
	for _, d := range r.Detections {
		target := d.Destination
		if d.Port != 0 || d.Kind != analyze.KindVerticalScan {
			p := analyze.PortString(d.Port, d.Protocol)
			if target == "" {
				target = fmt.Sprintf("%s hosts on %s", n(int64(d.Distinct)), p)
			} else {
				target += " on " + p
			}
		} else {
			target += fmt.Sprintf(" (%s ports)", n(int64(d.Distinct)))
		}
		if d.Resource != "" {
			target += " [" + d.Resource + "]"
		}
		det.Rows = append(det.Rows, []string{d.Kind, d.Source, target, n(int64(d.Distinct)), n(d.Records), ts(d.WindowStart),
			ts(time.Unix(d.First, 0)), ts(time.Unix(d.Last, 0))})
	}
	out = append(out, det)
	for _, tl := range topLists(r, both) {
		tb := Table{ID: slug(tl.Title), Title: tl.Title, Columns: []string{"rank", tl.Key, tl.Unit}, Bar: 2}
		withRes := r.Enrichment != nil && !strings.HasSuffix(tl.Title, "by resource") && !strings.Contains(tl.Title, "by resource ")
		if withRes {
			tb.Columns = append(tb.Columns, "resource")
		}
		val := n
		if tl.Unit == "bytes" {
			val = bytes
		}
		if tl.ErrBound > 0 {
			tb.Title += fmt.Sprintf(" (approximate: more keys than the table holds; each value may be low by up to %s)", val(tl.ErrBound))
		}
		for j, c := range tl.Rows {
			row := []string{strconv.Itoa(j + 1), c.Key, val(c.Value)}
			if withRes {
				row = append(row, c.Resource)
			}
			tb.Rows = append(tb.Rows, row)
			if forPeople {
				tb.barValues = append(tb.barValues, float64(c.Value))
			}
		}
		out = append(out, tb)
	}
	sk := Table{ID: "skipdata", Title: "SKIPDATA share per interface", Columns: []string{"interface", "records", "skipdata", "share"}, Bar: -1}
	if r.Enrichment != nil {
		sk.Columns = append(sk.Columns, "resource")
	}
	for _, s := range r.SkipData {
		row := []string{s.Interface, n(s.Records), n(s.SkipData), fmt.Sprintf("%.2f%%", 100*s.Share)}
		if r.Enrichment != nil {
			row = append(row, s.Resource)
		}
		sk.Rows = append(sk.Rows, row)
	}
	out = append(out, sk)
	out = append(out, enrichmentTables(r, n, bytes)...)
	if len(r.Input.Samples) > 0 {
		mt := Table{ID: "malformed", Title: fmt.Sprintf("Malformed lines (%s, first %d shown)", n(r.Input.Malformed), len(r.Input.Samples)),
			Columns: []string{"where", "error", "text"}, Bar: -1}
		for _, m := range r.Input.Samples {
			mt.Rows = append(mt.Rows, []string{fmt.Sprintf("%s:%d", m.Name, m.Line), m.Err, m.Text})
		}
		out = append(out, mt)
	}
	if len(r.ReadErrors) > 0 {
		et := Table{ID: "read_errors", Title: fmt.Sprintf("Inputs that could not be read (%d): the report covers the rest", len(r.ReadErrors)),
			Columns: []string{"source", "error"}, Bar: -1}
		for _, e := range r.ReadErrors {
			et.Rows = append(et.Rows, []string{e.Source, e.Error})
		}
		out = append(out, et)
	}
	if len(r.Notes) > 0 {
		nt := Table{ID: "notes", Title: "Notes", Columns: []string{"note"}, Bar: -1}
		for _, s := range r.Notes {
			nt.Rows = append(nt.Rows, []string{s})
		}
		out = append(out, nt)
	}
	return out
}

// slug makes a section id from a title: "Top rejected sources" -> "top_rejected_sources".
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "_"):
			b.WriteByte('_')
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
