package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/testenv/golden"
)

func sample() *analyze.Report {
	w := time.Date(2026, 1, 1, 4, 0, 0, 0, time.UTC)
	return &analyze.Report{
		Schema:  analyze.Schema,
		Sources: []string{"./flowlogs", "<b>evil</b>"},
		From:    w, To: w.Add(2 * time.Hour),
		Totals: analyze.Totals{Records: 100, Accept: 80, Reject: 15, NoData: 3, SkipData: 2, Bytes: 12345, Packets: 99, AcceptBytes: 12000, RejectBytes: 345, First: w.Unix(), Last: w.Add(2 * time.Hour).Unix()},
		Input: flowlog.Stats{Lines: 103, Records: 100, Headers: 1, Malformed: 2, Samples: []flowlog.Malformed{
			{Name: "a.log", Line: 7, Text: `<script>alert("x")</script>`, Err: `field version: "<script>alert(\"x\")</script>": not a number`},
		}},
		Top: []analyze.TopList{
			{Title: "Top rejected sources", Key: "source", Unit: "records", Rows: []analyze.Count{{Key: "203.0.113.10", Value: 10}, {Key: "45.1.2.3", Value: 5}}},
			{Title: "Top talkers by bytes", Key: "source -> destination", Unit: "bytes", Rows: []analyze.Count{{Key: "10.0.0.1 -> 10.0.0.2", Value: 9000}}, ErrBound: 4},
		},
		Detections: []analyze.Detection{
			{Kind: analyze.KindBruteForce, Source: "192.0.2.10", Destination: "10.0.0.9", Port: 22, Protocol: 6, WindowStart: w, WindowEnd: w.Add(time.Hour), Distinct: 1, Records: 25, First: w.Unix() + 300, Last: w.Unix() + 1740},
			{Kind: analyze.KindHorizontalScan, Source: "198.51.100.10", Port: 23, Protocol: 6, WindowStart: w, WindowEnd: w.Add(time.Hour), Distinct: 15, Records: 15, First: w.Unix() + 120, Last: w.Unix() + 190},
			{Kind: analyze.KindVerticalScan, Source: "203.0.113.10", Destination: "10.0.0.7", WindowStart: w, WindowEnd: w.Add(time.Hour), Distinct: 40, Records: 40, First: w.Unix() + 60, Last: w.Unix() + 177},
		},
		SkipData: []analyze.IfaceHealth{{Interface: "eni-0abc", Records: 50, SkipData: 2, Share: 0.04}},
		Timeline: []analyze.Point{{Time: w, Records: 60, Accept: 50, Reject: 10}, {Time: w.Add(time.Hour), Records: 40, Accept: 30, Reject: 5}},
		Thresholds: analyze.Thresholds{VerticalPorts: 10, VerticalWindow: "1h", HorizontalHosts: 10, HorizontalWindow: "1h",
			BruteForceRejects: 10, BruteForceWindow: "1h", BruteForcePorts: []int32{22, 3389}},
		Notes: []string{"2 malformed lines skipped"},
	}
}

func TestGolden(t *testing.T) {
	for _, f := range Formats {
		t.Run(f, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Report(&buf, f, sample()); err != nil {
				t.Fatal(err)
			}
			golden.Bytes(t, filepath.Join("testdata", "report."+f), buf.Bytes())
		})
	}
}

func TestHTMLEscapesEverything(t *testing.T) {
	var buf bytes.Buffer
	if err := Report(&buf, "html", sample()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script>", "<b>evil", "ZgotmplZ"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "<svg", "<path d=\"M", `style="width: 100%"`} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestMachineFormatsParse(t *testing.T) {
	var buf bytes.Buffer
	if err := Report(&buf, "json", sample()); err != nil {
		t.Fatal(err)
	}
	var back analyze.Report
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(*sample(), back); d != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", d)
	}
	buf.Reset()
	if err := Report(&buf, "csv", sample()); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]int{}
	for _, row := range rows {
		sections[row[0]]++
	}
	if sections["detections"] != 3 || sections["summary"] == 0 || sections["malformed"] != 1 {
		t.Errorf("csv sections %v", sections)
	}
	if err := Check("xml"); err == nil {
		t.Error("Check(xml) passed")
	}
}
