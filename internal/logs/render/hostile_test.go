package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/textsafe/hostile"
)

// A flow-log report whose file names, malformed lines, error messages and top-list keys were written by an
// attacker (an S3 key, a CloudWatch stream name, a record's text): no format lets them act.
func TestReportHostileValues(t *testing.T) {
	h := hostile.Value
	at := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	r := &analyze.Report{Schema: analyze.Schema, Sources: []string{h(0), h(1)}, From: at, To: at.Add(time.Hour),
		Input: flowlog.Stats{Lines: 3, Malformed: 2, Samples: []flowlog.Malformed{{Name: h(2), Line: 1, Text: h(3), Err: h(4)},
			{Name: "big.log", Line: 2, Text: hostile.Big(), Err: h(5)}}},
		Top: []analyze.TopList{{Title: "Top rejected sources", Key: "source", Unit: "records",
			Rows: []analyze.Count{{Key: h(6), Value: 3}, {Key: h(0), Value: 1}}}},
		Detections: []analyze.Detection{{Kind: analyze.KindVerticalScan, Source: h(1), Destination: h(2), Distinct: 9, Records: 9, WindowStart: at}},
		SkipData:   []analyze.IfaceHealth{{Interface: h(3), Records: 2, SkipData: 1, Share: 0.5}},
		Timeline:   []analyze.Point{{Time: at, Accept: 1, Reject: 2}},
		ReadErrors: []analyze.ReadError{{Source: h(4), Error: h(5)}},
		Notes:      []string{h(6)},
	}
	want, _ := json.Marshal(r)
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := Report(&buf, format, r); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out := buf.String()
		if len(out) > 12*len(want)+64<<10 {
			t.Errorf("%s: %d bytes for a %d-byte report", format, len(out), len(want))
		}
		switch format {
		case "table":
			hostile.TerminalSafe(t, format, out)
		case "csv":
			recs := hostile.CSVSafe(t, format, out)
			found := false
			for _, rec := range recs {
				for _, c := range rec {
					// encoding/csv reads CRLF inside a quoted field as LF.
					c = strings.TrimPrefix(c, "'")
					found = found || c == strings.ReplaceAll(h(0), "\r\n", "\n")
				}
			}
			if !found {
				t.Errorf("csv: the hostile key is not kept")
			}
		case "html":
			hostile.HTMLSafe(t, format, out, 0)
		case "json":
			var back analyze.Report
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
			if back.Sources[0] != h(0) || back.Input.Samples[1].Text != hostile.Big() || back.Notes[0] != h(6) {
				t.Errorf("json: hostile values do not round-trip")
			}
		default:
			t.Errorf("format %s has no hostile check: add one", format)
		}
	}
}
