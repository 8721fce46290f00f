package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/textsafe/hostile"
)

func enrichedReport(h func(int) string) *analyze.Report {
	at := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	return &analyze.Report{Schema: analyze.Schema, Sources: []string{"x"}, KeyBy: analyze.ByAddress,
		Top: []analyze.TopList{{Title: "Top rejected sources", Key: "source", Unit: "records",
			Rows: []analyze.Count{{Key: "10.0.0.5", Value: 3, Resource: "instance i-1 (" + h(0) + ")"}}}},
		Enrichment: &analyze.Enrichment{Interfaces: 2, Resources: 1, Resolved: 3,
			ByResource: []analyze.TopList{{Title: "Top rejected sources by resource", Key: "source", Unit: "records",
				Rows: []analyze.Count{{Key: "instance i-1 (" + h(1) + ")", Value: 3}}}},
			PerResource:   []analyze.ResourceTraffic{{Resource: "instance i-1 (" + h(2) + ")", Ifaces: []string{"eni-1"}, Records: 3, Bytes: 120, Rejects: 3}},
			RejectCauses:  []analyze.RejectCause{{Resource: "instance i-1 (" + h(3) + ")", Cause: "network-acl", Rule: "network ACL acl-1 inbound rule 90: deny tcp 22 from 0.0.0.0/0", Records: 3}},
			RejectsByKind: map[string]int64{"network-acl": 3},
			Exposure: []analyze.Exposure{{Resource: "instance i-1 (" + h(4) + ")", Interface: "eni-1", Port: 22, Protocol: 6, Service: "SSH",
				Rule: "sg-1 (" + h(5) + ") inbound tcp 22 from 0.0.0.0/0", Records: 1, Sources: 1, Examples: []string{"198.51.100.7"}, First: at, Last: at}},
			SensitivePorts: []int32{22},
			Notes:          []string{h(6)},
		},
	}
}

// The enrichment sections: keyed as asked in table/CSV, both ways in HTML, names from tags (attacker-written)
// kept harmless.
func TestEnrichmentTables(t *testing.T) {
	r := enrichedReport(func(int) string { return "web-1" })
	var buf bytes.Buffer
	if err := Report(&buf, "table", r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"Top rejected sources\n", "RESOURCE", "instance i-1 (web-1)", "Why was it rejected?", "(network-acl 3)",
		"inbound rule 90", "Exposure evidence", "22/tcp SSH", "sg-1 (web-1) inbound tcp 22 from 0.0.0.0/0", "Traffic per resource", "records joined to the inventory"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "by resource") {
		t.Errorf("--by address shows the resource-keyed lists:\n%s", out)
	}
	r.KeyBy = analyze.ByResource
	buf.Reset()
	Report(&buf, "table", r)
	if out := buf.String(); !strings.Contains(out, "Top rejected sources by resource") || strings.Contains(out, "Top rejected sources\n") {
		t.Errorf("--by resource:\n%s", out)
	}
	buf.Reset()
	Report(&buf, "html", r)
	if out := buf.String(); !strings.Contains(out, "Top rejected sources by resource") || !strings.Contains(out, "10.0.0.5") {
		t.Errorf("html does not carry both keyings")
	}

	h := hostile.Value
	r = enrichedReport(h)
	for _, format := range Formats {
		buf.Reset()
		if err := Report(&buf, format, r); err != nil {
			t.Fatal(err)
		}
		switch format {
		case "table":
			hostile.TerminalSafe(t, format, buf.String())
		case "csv":
			hostile.CSVSafe(t, format, buf.String())
		case "html":
			hostile.HTMLSafe(t, format, buf.String(), 0)
		}
	}
}
