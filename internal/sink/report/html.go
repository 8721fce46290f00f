package report

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
)

// The HTML report is one self-contained file: CSS, script and charts (inline SVG) are inside it, nothing is
// fetched. Values go through html/template, which escapes them for the context they land in; the page's
// Content-Security-Policy allows only its own script (by hash) and no network at all, as a second line.

//go:embed assets/report.html.tmpl
var htmlTemplateText string

//go:embed assets/report.css
var htmlCSS string

//go:embed assets/report.js
var htmlJS string

var htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))

// htmlCSP forbids every fetch and every script but the report's own.
var htmlCSP = func() string {
	sum := sha256.Sum256([]byte(htmlJS))
	return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
		base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
}()

type htmlSegment struct {
	Status finding.Status
	Count  int
	Dash   string
	Offset string
	X, W   string
	Title  string
}

type htmlGroup struct {
	Account, Region                             string
	Fail, Error, Excepted, Skipped, Pass, Total int
	Bars                                        []htmlSegment
}

type htmlRow struct {
	Status                                               finding.Status
	AccountID, Region, ResourceID, ResourceName          string
	CheckID, Reason, Message, Error, Exception, Location string
	Tags                                                 []string
}

type htmlData struct {
	R             *finding.Result
	CSP           string
	CSS           template.CSS
	JS            template.JS
	Verdict       string
	VerdictClass  string
	Finished      string
	Donut         []htmlSegment
	Cards         []htmlSegment
	Groups        []htmlGroup
	Statuses      []finding.Status
	Findings      []htmlRow
	ErrorFindings []finding.Finding
	// Checks explain the rules behind the findings (description, remediation, controls), as SARIF's help does.
	Checks []finding.CheckInfo
}

// WriteHTML writes the self-contained HTML report.
func WriteHTML(w io.Writer, r *finding.Result, o Options) error {
	d := htmlData{R: r, CSP: htmlCSP, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS), Statuses: finding.Statuses,
		Checks: checkInfos(r, o)}
	s := r.Summary
	switch {
	case r.Cancelled:
		d.Verdict, d.VerdictClass = "INCOMPLETE: the scan was cancelled", "INCOMPLETE"
	case r.Incomplete:
		d.Verdict, d.VerdictClass = "INCOMPLETE: some resources could not be evaluated", "INCOMPLETE"
	case s.Fail > 0:
		d.Verdict, d.VerdictClass = fmt.Sprintf("FAIL: %d failing findings", s.Fail), "FAIL"
	default:
		d.Verdict, d.VerdictClass = "PASS: every evaluated resource complies", "PASS"
	}
	if !r.FinishedAt.IsZero() {
		d.Finished = r.FinishedAt.UTC().Format(time.DateTime + " UTC")
	}
	// Donut: circles of circumference 100 whose dash covers each status's share, starting at 12 o'clock.
	acc := 0.0
	for _, st := range finding.Statuses {
		n := statusCount(s, st)
		if n == 0 {
			continue
		}
		d.Cards = append(d.Cards, htmlSegment{Status: st, Count: n})
		pct := 100 * float64(n) / float64(s.Total)
		d.Donut = append(d.Donut, htmlSegment{Status: st, Count: n, Dash: num(pct) + " " + num(100-pct), Offset: num(25 - acc)})
		acc += pct
	}
	const barWidth = 300.0
	for _, g := range groupCounts(r.Findings) {
		hg := htmlGroup{Account: orDash(g.Account), Region: orDash(g.Region), Total: g.Total,
			Fail: g.Counts[finding.StatusFail], Error: g.Counts[finding.StatusError] + g.Counts[finding.StatusUnknown],
			Excepted: g.Counts[finding.StatusExcepted], Skipped: g.Counts[finding.StatusSkipped], Pass: g.Counts[finding.StatusPass]}
		x := 0.0
		for _, st := range finding.Statuses {
			n := g.Counts[st]
			if n == 0 {
				continue
			}
			wd := barWidth * float64(n) / float64(g.Total)
			hg.Bars = append(hg.Bars, htmlSegment{Status: st, Count: n, X: num(x), W: num(wd)})
			x += wd
		}
		d.Groups = append(d.Groups, hg)
	}
	for _, f := range sortedFindings(r) {
		row := htmlRow{Status: f.Status, AccountID: f.AccountID, Region: f.Region, ResourceID: f.ResourceID,
			ResourceName: f.ResourceName, CheckID: f.CheckID, Reason: f.Reason, Message: f.Message,
			Error: f.Evidence.Error, Location: location(f), Tags: sortedTags(f.Evidence.Tags)}
		if e := f.Evidence.Exception; e != nil {
			verb := "excepted"
			if e.Expired {
				verb = "exception EXPIRED"
			}
			row.Exception = fmt.Sprintf("%s %s: owner %s, expires %s, reason: %s", verb, e.ID, e.Owner, e.Expires, e.Reason)
			if e.Ticket != "" {
				row.Exception += ", ticket " + e.Ticket
			}
		}
		d.Findings = append(d.Findings, row)
		if f.Status == finding.StatusError {
			d.ErrorFindings = append(d.ErrorFindings, f)
		}
	}
	return htmlTemplate.Execute(w, d)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
