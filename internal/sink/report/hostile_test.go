package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/textsafe/hostile"
)

// hostileSnapshot is an estate whose every string the inventory reads was written by an attacker: ids,
// tag keys and values, names, flow-log ids and destinations, log group names, region names, account ids and
// the error messages of reads that failed. One VPC carries a 64 KiB name.
func hostileSnapshot() *inventory.Snapshot {
	h := hostile.Value
	ret := int32(1)
	good := &inventory.Region{AccountID: "111122223333", Name: "eu-west-1",
		VPCs: []inventory.VPC{
			{ID: "vpc-1" + h(0), OwnerID: "111122223333", State: "available", Tags: map[string]string{"Name": h(1), h(2): h(3)}},
			{ID: "vpc-2" + h(4), OwnerID: "111122223333", Tags: map[string]string{"Name": h(5), "env": h(6)}},
			{ID: "vpc-3big", OwnerID: "111122223333", Tags: map[string]string{"Name": hostile.Big()}},
			{ID: "vpc-4" + h(1), OwnerID: "999999999999" + h(2), Tags: map[string]string{"Name": h(3)}}, // shared in
			{ID: "vpc-5pass", OwnerID: "111122223333", Tags: map[string]string{"Name": h(4)}},
		},
		FlowLogs: []inventory.FlowLog{
			{ID: "fl-a" + h(0), ResourceID: "vpc-2" + h(4), ResourceType: "VPC", Status: "ACTIVE", TrafficType: "ALL",
				DestinationType: "cloud-watch-logs", Destination: "arn:aws:logs:eu-west-1:111122223333:log-group:" + h(1),
				LogGroupName: h(1), DeliverLogsStatus: "FAILED", DeliverLogsError: h(2), Tags: map[string]string{h(5): h(6)}},
			{ID: "fl-b" + h(3), ResourceID: "vpc-5pass", ResourceType: "VPC", Status: "ACTIVE", TrafficType: "REJECT",
				DestinationType: "cloud-watch-logs", LogGroupName: "/ok" + h(4), DeliverLogsStatus: "SUCCESS"},
		},
		LogGroups: []inventory.LogGroup{{Name: "/ok" + h(4), RetentionDays: &ret, KMSKeyID: h(5)}},
	}
	bad := &inventory.Region{AccountID: "111122223333" + h(6), Name: "eu-central-1" + h(0),
		VPCs: []inventory.VPC{{ID: "vpc-6" + h(1), Tags: map[string]string{"Name": h(2)}}},
		Errors: []inventory.ReadError{{AccountID: "111122223333" + h(6), Region: "eu-central-1" + h(0),
			Collection: inventory.CollFlowLogs, Operation: h(3), Code: h(4), Message: h(5)}},
	}
	return &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: h(1), CollectedAt: time.Unix(1_800_000_000, 0),
		Regions: []*inventory.Region{good, bad},
		Errors:  []inventory.ReadError{{AccountID: "444455556666" + h(0), Collection: inventory.CollAccount, Operation: h(1), Message: h(2)}},
	}
}

func hostileResult(t *testing.T, snap *inventory.Snapshot) *finding.Result {
	t.Helper()
	res, _, err := engine.Evaluate(t.Context(), source.Static(snap, "hostile inventory"), engine.Options{MinRetentionDays: 365})
	if err != nil {
		t.Fatal(err)
	}
	// What an exceptions file (user-written, maybe by someone else) adds.
	h := hostile.Value
	res.Notes = append(res.Notes, h(3))
	res.Exceptions = append(res.Exceptions, finding.ExceptionStatus{ID: h(0), Owner: h(1), Reason: h(2), Expires: h(3), Ticket: h(4), Match: h(5), File: h(6), Line: 7, State: h(0)})
	for i := range res.Findings {
		if res.Findings[i].Status == finding.StatusFail {
			res.Findings[i].Evidence.Exception = &finding.ExceptionEvidence{ID: h(1), Owner: h(2), Reason: h(3), Expires: h(4), Ticket: h(5), Expired: true}
			break
		}
	}
	if len(res.Findings) < 6 {
		t.Fatalf("the hostile estate gave %d findings: %+v", len(res.Findings), res.Findings)
	}
	addHostileEvidence(res)
	return res
}

// addHostileEvidence gives res what the Transit Gateway, telemetry-rule and delivery checks would report
// about hostile resources: a Transit Gateway whose attachments and their flow logs, and a VPC whose telemetry
// rules and delivery reads, hold hostile text in every string.
func addHostileEvidence(res *finding.Result) {
	h := hostile.Value
	at := time.Unix(1_800_000_000, 0)
	lag := int64(3)
	fl := finding.FlowLogEvidence{ID: h(0), ResourceID: h(1), Status: h(2), TrafficType: h(3), DestinationType: h(4), Destination: h(5), DeliverLogsStatus: h(6), DeliverLogsError: h(0)}
	res.Findings = append(res.Findings,
		finding.Finding{CheckID: "tgw-flow-logs-enabled", Status: finding.StatusFail, Reason: "ATTACHMENTS_UNCOVERED", Message: h(1),
			AccountID: "111122223333", Region: "eu-west-1", ResourceType: "AWS::EC2::TransitGateway", ResourceID: "tgw-" + h(2),
			Evidence: finding.Evidence{TransitGatewayAttachments: []finding.AttachmentEvidence{
				{ID: "tgw-attach-" + h(3), ResourceType: h(4), ResourceID: h(5), ResourceOwnerID: h(6), State: h(0), Coverage: h(1), FlowLogs: []finding.FlowLogEvidence{fl}},
			}}},
		finding.Finding{CheckID: "vpc-flow-logs-delivering", Status: finding.StatusFail, Reason: finding.ReasonStale, Message: h(2),
			AccountID: "111122223333", Region: "eu-west-1", ResourceType: finding.ResourceVPC, ResourceID: "vpc-7" + h(3),
			Evidence: finding.Evidence{
				TelemetryRules: []finding.TelemetryRuleEvidence{{Name: "rule-" + h(4), Organization: true, Coverage: h(5), EvaluationStatus: h(6),
					SelectionCriteria: h(0), Scope: h(1), DestinationType: h(2), TrafficType: h(3)}},
				Delivery: &finding.DeliveryEvidence{ReadAt: &at, NewestRecord: &at, LagSeconds: &lag, MaxLagSeconds: 1,
					InterfacesWithRecords:    []finding.InterfaceRecord{{ID: "eni-" + h(4), Stream: h(5), LastRecord: &at, LagSeconds: &lag}},
					InterfacesWithoutRecords: []finding.InterfaceRecord{{ID: "eni-" + h(6), Stream: hostile.Big()}},
					FlowLogs: []finding.FlowLogDelivery{{ID: "fl-" + h(0), Where: h(1), NewestRecord: &at, Source: h(2), LagSeconds: &lag,
						Since: &at, StreamStatus: h(3), ErrorCode: h(4), Error: h(5)}}},
			}},
	)
	res.Summarize()
}

func TestHostileEstateEveryFormat(t *testing.T) {
	snap := hostileSnapshot()
	// Also through a snapshot file: what a saved (or planted) snapshot gives must be just as safe.
	p := filepath.Join(t.TempDir(), "inv.json")
	if err := snap.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	fromFile, err := inventory.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*inventory.Snapshot{"model": snap, "snapshot file": fromFile} {
		t.Run(name, func(t *testing.T) { checkHostileFormats(t, hostileResult(t, s)) })
	}
}

func checkHostileFormats(t *testing.T, res *finding.Result) {
	compact, _ := json.Marshal(res)
	var bigName string
	for _, f := range res.Findings {
		if f.ResourceID == "vpc-3big" {
			bigName = f.ResourceName
		}
	}
	if bigName != hostile.Big() {
		t.Fatalf("the 64 KiB name did not reach the findings (%d bytes)", len(bigName))
	}
	for _, f := range report.All() {
		for _, color := range []bool{false, true} {
			if color && f.Name != "table" {
				continue
			}
			var buf bytes.Buffer
			if err := f.Write(&buf, res, report.Options{Color: color}); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			out := buf.String()
			// Proportional: every format may escape (≤6 bytes per byte) and repeat a value a few times, no more.
			if limit := 12*len(compact) + 64<<10; len(out) > limit {
				t.Errorf("%s: %d bytes for a %d-byte result", f.Name, len(out), len(compact))
			}
			if !utf8.ValidString(out) {
				t.Errorf("%s: output is not valid UTF-8", f.Name)
			}
			switch f.Name {
			case "table":
				if color {
					for _, c := range []string{"\x1b[0m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[34m", "\x1b[2m", "\x1b[1m"} {
						out = strings.ReplaceAll(out, c, "") // the table's own colours
					}
				}
				hostile.TerminalSafe(t, "table", out)
			case "markdown":
				hostile.TerminalSafe(t, f.Name, out)
				checkMarkdown(t, out)
			case "csv":
				recs := hostile.CSVSafe(t, f.Name, out)
				if !csvHas(recs, hostile.Value(1)) {
					t.Errorf("csv: the Name tag is not kept (behind a quote)")
				}
			case "html":
				// The page's own two: its JSON data block and its script.
				hostile.HTMLSafe(t, f.Name, out, 2)
				checkHTMLData(t, out)
			case "json":
				var back finding.Result
				if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
					t.Fatalf("json does not parse back: %v", err)
				}
				if !hasString(back, hostile.Value(1)) || !hasString(back, hostile.Big()) || !hasString(back, hostile.Value(5)) {
					t.Errorf("json: the hostile values do not round-trip exactly")
				}
			case "sarif", "ocsf", "asff":
				var back any
				if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
					t.Fatalf("%s does not parse back: %v", f.Name, err)
				}
				if !hasString(back, hostile.Core) {
					t.Errorf("%s: no value holds the hostile text exactly", f.Name)
				}
			case "junit":
				texts := xmlTexts(t, out)
				// XML 1.0 cannot carry C0 controls (other than tab, CR, LF) even escaped: encoding/xml writes
				// U+FFFD for them. Everything else must come back exactly.
				want := xmlForm(hostile.Core)
				if !strings.Contains(texts, want) {
					t.Errorf("junit: the hostile text does not round-trip (as XML can carry it)")
				}
			default:
				t.Errorf("format %s has no hostile-estate check: add one", f.Name)
			}
		}
	}
}

// checkMarkdown: every row of a table has the table's column count (no forged cells or rows), and nothing
// from the data is a link or HTML.
func checkMarkdown(t *testing.T, out string) {
	cols := -1
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = -1
			continue
		}
		n := 0
		for i := 0; i < len(line); i++ {
			if line[i] == '\\' {
				i++
				continue
			}
			if line[i] == '|' {
				n++
			}
		}
		if cols == -1 {
			cols = n
		} else if n != cols {
			t.Errorf("markdown: a row has %d cell separators, its table %d: %.100q", n, cols, line)
		}
	}
	for _, bad := range []string{"](", "<script", "<img"} {
		for i := strings.Index(out, bad); i >= 0; {
			if i == 0 || out[i-1] != '\\' {
				t.Errorf("markdown: data became markup: %q at %d", bad, i)
				break
			}
			j := strings.Index(out[i+1:], bad)
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
}

func csvHas(recs [][]string, v string) bool {
	v = strings.ReplaceAll(v, "\r\n", "\n") // encoding/csv reads CRLF inside a quoted field as LF
	for _, r := range recs {
		for _, c := range r {
			if c == v || c == "'"+v {
				return true
			}
		}
	}
	return false
}

// hasString reports whether some string inside v (any JSON-decoded value or a struct, via JSON) holds s.
func hasString(v any, s string) bool {
	b, _ := json.Marshal(v)
	var x any
	json.Unmarshal(b, &x)
	var walk func(any) bool
	walk = func(x any) bool {
		switch x := x.(type) {
		case string:
			return strings.Contains(x, s)
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for k, e := range x {
				if strings.Contains(k, s) || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(x)
}

// xmlTexts parses out and returns every attribute value and text, joined by NUL.
func xmlTexts(t *testing.T, out string) string {
	d := xml.NewDecoder(strings.NewReader(out))
	var b strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("junit does not parse back: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			for _, a := range tok.Attr {
				b.WriteString(a.Value)
				b.WriteByte(0)
			}
		case xml.CharData:
			b.Write(tok)
			b.WriteByte(0)
		}
	}
	return b.String()
}

// xmlForm is s as XML 1.0 can hold it: characters outside its Char production become U+FFFD.
func xmlForm(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 {
			return r
		}
		return '\ufffd'
	}, s)
}

// checkHTMLData: the page's JSON data block cannot be closed by a value (no raw < or >), parses, and holds the
// hostile values exactly, for the script to show as text.
func checkHTMLData(t *testing.T, out string) {
	const open = `<script type="application/json" id="fg-data">`
	i := strings.Index(out, open)
	if i < 0 {
		t.Fatal("html: no data block")
	}
	rest := out[i+len(open):]
	j := strings.Index(rest, "</script>")
	if j < 0 {
		t.Fatal("html: data block not closed")
	}
	block := rest[:j]
	if strings.ContainsAny(block, "<>") {
		t.Errorf("html: raw < or > in the data block")
	}
	var back any
	if err := json.Unmarshal([]byte(block), &back); err != nil {
		t.Fatalf("html: data block does not parse: %v", err)
	}
	if !hasString(back, hostile.Core) || !hasString(back, hostile.Big()) {
		t.Errorf("html: the data block does not hold the hostile values exactly")
	}
	// The Transit Gateway, telemetry-rule and delivery evidence of addHostileEvidence, exactly, where the
	// page's script reads it.
	h := hostile.Value
	rows, _ := back.(map[string]any)["rows"].([]any)
	var tga, tel []any
	var dl map[string]any
	for _, r := range rows {
		r := r.(map[string]any)
		if v, ok := r["tga"].([]any); ok {
			tga = v
		}
		if v, ok := r["tel"].([]any); ok {
			tel = v
		}
		if v, ok := r["dl"].(map[string]any); ok {
			dl = v
		}
	}
	if len(tga) != 1 || len(tel) != 1 || dl == nil {
		t.Fatalf("html: attachments %v, telemetry rules %v, delivery %v: want the hostile ones", tga, tel, dl)
	}
	att := tga[0].([]any)
	fl := att[6].([]any)[0].([]any)
	rule := tel[0].([]any)
	ifw, ifo := dl["iw"].([]any)[0].([]any), dl["io"].([]any)[0].([]any)
	fld := dl["fl"].([]any)[0].([]any)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"attachment id", att[0], "tgw-attach-" + h(3)}, {"attachment resource type", att[1], h(4)},
		{"attachment resource", att[2], h(5)}, {"attachment owner", att[3], h(6)}, {"attachment state", att[4], h(0)},
		{"attachment flow log id", fl[0], h(0)}, {"attachment flow log resource", fl[1], h(1)}, {"attachment flow log destination", fl[5], h(5)},
		{"attachment flow log error", fl[7], h(0)},
		{"rule name", rule[0], "rule-" + h(4)}, {"rule coverage", rule[2], h(5)}, {"rule evaluation", rule[3], h(6)},
		{"rule selection", rule[4], h(0)}, {"rule scope", rule[5], h(1)}, {"rule destination", rule[6], h(2)}, {"rule traffic", rule[7], h(3)},
		{"interface with records", ifw[0], "eni-" + h(4)}, {"its stream", ifw[1], h(5)},
		{"interface without records", ifo[0], "eni-" + h(6)}, {"its stream", ifo[1], hostile.Big()},
		{"delivery flow log", fld[0], "fl-" + h(0)}, {"where", fld[1], h(1)}, {"source", fld[3], h(2)},
		{"stream status", fld[8], h(3)}, {"error code", fld[9], h(4)}, {"error", fld[10], h(5)},
	} {
		if c.got != c.want {
			t.Errorf("html: %s = %.60q, want %.60q", c.what, c.got, c.want)
		}
	}
}
