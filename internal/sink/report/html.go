package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
)

// The HTML report is one self-contained file: CSS, script and data are inside it, nothing is fetched. The
// summary, the per-account roll-up, the counts by reason, exceptions and errors are rendered by html/template,
// which escapes every value for the context it lands in. The VPC table (one row per resource, one column per
// check) is built by the page's script from a JSON data block, with textContent only: a value is never parsed
// as markup. The data block is JSON with <, > and & escaped (\u003c…), so no value can close the block. The
// page's Content-Security-Policy allows only its own script (by hash) and no network at all, as a second line.

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
}

// htmlAccount is one line of the per-account roll-up.
type htmlAccount struct {
	Account                                                 string
	Resources, Evaluated, Compliant, Failing, Errors, Excep int
	Pct                                                     string // "87%" or "—" when nothing was evaluated
	PctClass                                                string // good, warn, bad
	BarW                                                    string // width of the compliant bar, 0..100
	TopReason                                               string
	TopReasonN                                              int
	pct                                                     float64
	reasons                                                 map[string]int
}

// htmlReason counts the resources that a check gave a reason for.
type htmlReason struct {
	Check, Reason string
	Status        finding.Status
	Count         int
	BarW          string
}

type htmlData struct {
	R             *finding.Result
	CSP           string
	CSS           template.CSS
	JS            template.JS
	Data          template.JS
	Verdict       string
	VerdictClass  string
	Finished      string
	Donut         []htmlSegment
	Cards         []htmlSegment
	Resources     int
	Compliance    string
	Compliant     int
	Evaluated     int
	Accounts      []htmlAccount
	Reasons       []htmlReason
	Checks        []finding.CheckInfo
	ErrorFindings []finding.Finding
}

// The JSON data block the page's script reads. Short keys: at 5,000 VPCs every byte counts 5,000 times.
type htmlJSONData struct {
	Checks []htmlJSONCheck `json:"checks"`
	Rows   []*htmlJSONRow  `json:"rows"`
}

type htmlJSONCheck struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Description string   `json:"description,omitempty"`
	Remediation string   `json:"remediation,omitempty"`
	Controls    []string `json:"controls"`
}

// htmlJSONRow is one row of the data block. The page's script keeps its own state on the same objects (tr,
// det, open, hay, xk): no key may take one of those names (TestHTMLRowKeysLeaveScriptState).
type htmlJSONRow struct {
	Account   string             `json:"a"`
	Region    string             `json:"r"`
	ID        string             `json:"id"`
	Name      string             `json:"n,omitempty"`
	Type      string             `json:"t"`
	Location  string             `json:"loc,omitempty"`
	Exposed   *bool              `json:"x"`
	Owner     string             `json:"owner,omitempty"`
	Default   *bool              `json:"def,omitempty"`
	ENIs      *int               `json:"eni,omitempty"`
	Tags      [][2]string        `json:"tags"`
	Status    finding.Status     `json:"s"`
	Findings  []htmlJSONFinding  `json:"f"`
	FlowLogs  []htmlFlowLog      `json:"fl,omitempty"`
	SubnetENI []htmlFlowLog      `json:"sfl,omitempty"`
	LogGroups []htmlJSONLogGroup `json:"lg,omitempty"`
	MinRet    int                `json:"minret,omitempty"`
	// The evidence of the tgw, telemetry-rule and delivery checks; absent (no bytes) on rows without it.
	Attachments []htmlAttachment    `json:"tga,omitempty"`
	Rules       []htmlTelemetryRule `json:"tel,omitempty"`
	Delivery    *htmlDelivery       `json:"dl,omitempty"`
}

type htmlJSONFinding struct {
	Check     int            `json:"c"` // index in checks
	Status    finding.Status `json:"s"`
	Reason    string         `json:"re,omitempty"`
	Message   string         `json:"m"`
	Severity  string         `json:"sev"`
	Error     string         `json:"err,omitempty"`
	Exception string         `json:"exc,omitempty"`
}

type htmlJSONLogGroup struct {
	Name      string
	Exists    bool
	Retention *int32 // nil: never expire
}

// MarshalJSON writes a log group as [name, exists, retention]: no keys repeated 5,000 times.
func (g htmlJSONLogGroup) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{g.Name, g.Exists, g.Retention})
}

func (g *htmlJSONLogGroup) UnmarshalJSON(b []byte) error {
	var t struct {
		Name      string
		Exists    bool
		Retention *int32
	}
	if err := json.Unmarshal(b, &[]any{&t.Name, &t.Exists, &t.Retention}); err != nil {
		return err
	}
	*g = htmlJSONLogGroup(t)
	return nil
}

// htmlFlowLog is a flow log's evidence, written as [id, resource, status, traffic type, destination type,
// destination, delivery status, delivery error]; resource is "" when it is the row's own resource.
type htmlFlowLog finding.FlowLogEvidence

func (f htmlFlowLog) MarshalJSON() ([]byte, error) {
	return json.Marshal([]string{f.ID, f.ResourceID, f.Status, f.TrafficType, f.DestinationType, f.Destination, f.DeliverLogsStatus, f.DeliverLogsError})
}

func (f *htmlFlowLog) UnmarshalJSON(b []byte) error {
	var t []string
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	if len(t) != 8 {
		return fmt.Errorf("html: flow log with %d fields, want 8", len(t))
	}
	*f = htmlFlowLog{ID: t[0], ResourceID: t[1], Status: t[2], TrafficType: t[3], DestinationType: t[4], Destination: t[5], DeliverLogsStatus: t[6], DeliverLogsError: t[7]}
	return nil
}

// htmlRows groups findings into one row per resource (account, region, type, id), in finding.Sort order, with
// the evidence of its findings merged.
func htmlRows(r *finding.Result, checks []finding.CheckInfo) []*htmlJSONRow {
	checkIndex := map[string]int{}
	for i, c := range checks {
		checkIndex[c.ID] = i
	}
	var rows []*htmlJSONRow
	byKey := map[string]*htmlJSONRow{}
	for _, f := range sortedFindings(r) {
		key := resourceKey(f)
		row := byKey[key]
		if row == nil {
			row = &htmlJSONRow{Account: f.AccountID, Region: f.Region, ID: f.ResourceID, Type: f.ResourceType,
				Location: assetLocation(f), Status: f.Status, Tags: [][2]string{}}
			byKey[key] = row
			rows = append(rows, row)
		}
		ev := f.Evidence
		if row.Name == "" {
			row.Name = f.ResourceName
		}
		if row.Exposed == nil {
			row.Exposed = ev.InternetExposed
		}
		if row.Owner == "" {
			row.Owner = ev.OwnerID
		}
		if row.Default == nil {
			row.Default = ev.IsDefault
		}
		if row.ENIs == nil {
			row.ENIs = ev.NetworkInterfaces
		}
		if len(row.Tags) == 0 && len(ev.Tags) > 0 {
			keys := make([]string, 0, len(ev.Tags))
			for k := range ev.Tags {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				row.Tags = append(row.Tags, [2]string{k, ev.Tags[k]})
			}
		}
		row.FlowLogs = mergeFlowLogs(row.FlowLogs, ev.FlowLogs, row.ID)
		row.SubnetENI = mergeFlowLogs(row.SubnetENI, ev.SubnetOrENIFlowLogs, row.ID)
		row.LogGroups = appendNew(row.LogGroups, ev.LogGroups, func(g htmlJSONLogGroup) string { return g.Name },
			func(g finding.LogGroupEvidence) htmlJSONLogGroup {
				return htmlJSONLogGroup{Name: g.Name, Exists: g.Exists, Retention: g.RetentionDays}
			})
		if ev.MinRetentionDays > 0 {
			row.MinRet = ev.MinRetentionDays
		}
		row.Attachments = mergeAttachments(row.Attachments, ev.TransitGatewayAttachments)
		row.Rules = mergeRules(row.Rules, ev.TelemetryRules)
		row.Delivery = mergeDelivery(row.Delivery, ev.Delivery)
		if statusRank(f.Status) < statusRank(row.Status) {
			row.Status = f.Status
		}
		sev := f.Severity
		if sev == "" {
			sev = checks[checkIndex[f.CheckID]].Severity
		}
		row.Findings = append(row.Findings, htmlJSONFinding{Check: checkIndex[f.CheckID], Status: f.Status,
			Reason: f.Reason, Message: f.Message, Severity: severityOf(sev), Error: ev.Error, Exception: exceptionText(ev.Exception)})
	}
	return rows
}

// mergeFlowLogs adds the flow logs of add that have does not hold yet; a flow log on the row's own resource
// keeps an empty ResourceID (the page fills in the row's id).
func mergeFlowLogs(have []htmlFlowLog, add []finding.FlowLogEvidence, self string) []htmlFlowLog {
	return appendNew(have, add, func(fl htmlFlowLog) [2]string { return [2]string{fl.ID, fl.ResourceID} },
		func(fl finding.FlowLogEvidence) htmlFlowLog {
			if fl.ResourceID == self {
				fl.ResourceID = ""
			}
			return htmlFlowLog(fl)
		})
}

// appendNew appends conv(a) for each a of add whose key neither have nor an earlier a has: a resource's
// evidence, merged from several findings, lists each item once, in the order first seen.
func appendNew[S, T any, K comparable](have []T, add []S, key func(T) K, conv func(S) T) []T {
	if len(have)+len(add) <= 16 { // the usual few: no map
		for _, a := range add {
			t := conv(a)
			k, dup := key(t), false
			for _, h := range have {
				dup = dup || key(h) == k
			}
			if !dup {
				have = append(have, t)
			}
		}
		return have
	}
	seen := make(map[K]bool, len(have)+len(add))
	for _, h := range have {
		seen[key(h)] = true
	}
	for _, a := range add {
		if t := conv(a); !seen[key(t)] {
			seen[key(t)] = true
			have = append(have, t)
		}
	}
	return have
}

func exceptionText(e *finding.ExceptionEvidence) string {
	if e == nil {
		return ""
	}
	verb := "excepted"
	if e.Expired {
		verb = "exception EXPIRED"
	}
	s := fmt.Sprintf("%s %s: owner %s, expires %s, reason: %s", verb, e.ID, e.Owner, e.Expires, e.Reason)
	if e.Ticket != "" {
		s += ", ticket " + e.Ticket
	}
	return s
}

// compliant reports whether a resource whose worst status is s complies: every check PASS or EXCEPTED.
func compliant(s finding.Status) bool { return s == finding.StatusPass || s == finding.StatusExcepted }

// htmlJSONBlock encodes d for a <script type="application/json"> element. encoding/json escapes <, > and &
// (and U+2028/2029), so the block cannot be closed or commented out by a value; the check below keeps it so.
func htmlJSONBlock(d any) (template.JS, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	if bytes.ContainsAny(b, "<>") {
		return "", fmt.Errorf("html: the data block holds a raw < or >")
	}
	return template.JS(b), nil
}

// WriteHTML writes the self-contained HTML report.
func WriteHTML(w io.Writer, r *finding.Result, o Options) error {
	checks := checkInfos(r, o)
	d := htmlData{R: r, CSP: htmlCSP, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS), Checks: checks}
	s := r.Summary
	switch {
	case r.Cancelled:
		d.Verdict, d.VerdictClass = "INCOMPLETE: the scan was cancelled", "INCOMPLETE"
	case r.Incomplete:
		d.Verdict, d.VerdictClass = "INCOMPLETE: some resources could not be evaluated", "INCOMPLETE"
	case s.Fail > 0:
		d.Verdict, d.VerdictClass = fmt.Sprintf("FAIL: %s failing %s", thousands(s.Fail), plural(s.Fail, "finding", "findings")), "FAIL"
	default:
		d.Verdict, d.VerdictClass = "PASS: every evaluated resource complies", "PASS"
	}
	if !r.FinishedAt.IsZero() {
		d.Finished = r.FinishedAt.UTC().Format(time.DateTime + " UTC")
	}
	rows := htmlRows(r, checks)
	// Worst first: the table opens on what to fix.
	sort.SliceStable(rows, func(i, j int) bool { return statusRank(rows[i].Status) < statusRank(rows[j].Status) })
	d.Resources = len(rows)

	// Status cards and donut count resources by their worst status.
	byStatus := map[finding.Status]int{}
	accounts := map[string]*htmlAccount{}
	var accountOrder []string
	reasons := map[[3]string]int{}
	for _, row := range rows {
		byStatus[row.Status]++
		a := accounts[row.Account]
		if a == nil {
			a = &htmlAccount{Account: row.Account, reasons: map[string]int{}}
			accounts[row.Account] = a
			accountOrder = append(accountOrder, row.Account)
		}
		a.Resources++
		if row.Status != finding.StatusSkipped {
			a.Evaluated++
			d.Evaluated++
			if compliant(row.Status) {
				a.Compliant++
				d.Compliant++
			}
		}
		switch row.Status {
		case finding.StatusFail:
			a.Failing++
		case finding.StatusError, finding.StatusUnknown:
			a.Errors++
		}
		seen := map[string]bool{}
		for _, f := range row.Findings {
			if f.Status == finding.StatusExcepted && !seen["exc"] {
				seen["exc"] = true
				a.Excep++
			}
			if f.Reason == "" {
				continue
			}
			reasons[[3]string{checks[f.Check].ID, f.Reason, string(f.Status)}]++
			if f.Status == finding.StatusFail && !seen[f.Reason] {
				seen[f.Reason] = true
				a.reasons[f.Reason]++
			}
		}
	}
	d.Compliance = pctString(d.Compliant, d.Evaluated)
	acc := 0.0
	for _, st := range finding.Statuses {
		n := byStatus[st]
		if n == 0 {
			continue
		}
		d.Cards = append(d.Cards, htmlSegment{Status: st, Count: n})
		pct := 100 * float64(n) / float64(len(rows))
		d.Donut = append(d.Donut, htmlSegment{Status: st, Count: n, Dash: num(pct) + " " + num(100-pct), Offset: num(25 - acc)})
		acc += pct
	}

	// Per-account roll-up, least compliant first: the accounts to chase are at the top at any estate size.
	for _, id := range accountOrder {
		a := accounts[id]
		a.pct = 101 // nothing evaluated: last
		a.Pct, a.PctClass, a.BarW = "—", "none", "0"
		if a.Evaluated > 0 {
			a.pct = 100 * float64(a.Compliant) / float64(a.Evaluated)
			a.Pct, a.BarW = pctString(a.Compliant, a.Evaluated), num(a.pct)
			switch {
			case a.Compliant == a.Evaluated:
				a.PctClass = "good"
			case a.pct >= 80:
				a.PctClass = "warn"
			default:
				a.PctClass = "bad"
			}
		}
		for reason, n := range a.reasons {
			if n > a.TopReasonN || n == a.TopReasonN && reason < a.TopReason {
				a.TopReason, a.TopReasonN = reason, n
			}
		}
		if a.Account == "" {
			a.Account = "—"
		}
		d.Accounts = append(d.Accounts, *a)
	}
	sort.SliceStable(d.Accounts, func(i, j int) bool {
		a, b := d.Accounts[i], d.Accounts[j]
		if a.pct != b.pct {
			return a.pct < b.pct
		}
		if a.Failing != b.Failing {
			return a.Failing > b.Failing
		}
		return a.Account < b.Account
	})

	maxReason := 0
	for k, n := range reasons {
		d.Reasons = append(d.Reasons, htmlReason{Check: k[0], Reason: k[1], Status: finding.Status(k[2]), Count: n})
		maxReason = max(maxReason, n)
	}
	sort.Slice(d.Reasons, func(i, j int) bool {
		a, b := d.Reasons[i], d.Reasons[j]
		if ra, rb := statusRank(a.Status), statusRank(b.Status); ra != rb {
			return ra < rb
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Check != b.Check {
			return a.Check < b.Check
		}
		return a.Reason < b.Reason
	})
	for i := range d.Reasons {
		d.Reasons[i].BarW = num(100 * float64(d.Reasons[i].Count) / float64(maxReason))
	}

	for _, f := range sortedFindings(r) {
		if f.Status == finding.StatusError {
			d.ErrorFindings = append(d.ErrorFindings, f)
		}
	}

	jd := htmlJSONData{Rows: rows}
	for _, c := range checks {
		jd.Checks = append(jd.Checks, htmlJSONCheck{ID: c.ID, Title: c.Title, Severity: severityOf(c.Severity),
			Description: c.Description, Remediation: c.Remediation, Controls: append([]string{}, controlTags(c.Controls)...)})
	}
	if jd.Rows == nil {
		jd.Rows = []*htmlJSONRow{}
	}
	if jd.Checks == nil {
		jd.Checks = []htmlJSONCheck{}
	}
	var err error
	if d.Data, err = htmlJSONBlock(jd); err != nil {
		return err
	}
	return htmlTemplate.Execute(w, d)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// pctString renders n of total as a whole percentage that never rounds up to 100% nor down to 0%.
func pctString(n, total int) string {
	if total == 0 {
		return "—"
	}
	p := 100 * n / total
	if p == 0 && n > 0 {
		return "<1%"
	}
	if p == 100 && n < total {
		return ">99%"
	}
	return strconv.Itoa(p) + "%"
}

// thousands renders n with comma separators: 12,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
