package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/logs/analyze"
)

// Human formats show byte sizes in binary units and counts with separators; machine formats keep raw numbers.
func TestHumanUnitsInHumanFormatsOnly(t *testing.T) {
	r := sample()
	r.Totals.Bytes = 8823384480
	r.Totals.Records = 1234567
	r.Top = []analyze.TopList{
		{Title: "Top rejected sources", Key: "source", Unit: "records", Rows: []analyze.Count{{Key: "203.0.113.10", Value: 45678}, {Key: "45.1.2.3", Value: 22839}}},
		{Title: "Top talkers by bytes", Key: "source -> destination", Unit: "bytes", Rows: []analyze.Count{{Key: "10.0.0.1 -> 10.0.0.2", Value: 5 << 30}}, ErrBound: 3 << 20},
	}
	out := map[string]string{}
	for _, f := range Formats {
		var buf bytes.Buffer
		if err := Report(&buf, f, r); err != nil {
			t.Fatal(err)
		}
		out[f] = buf.String()
	}
	for _, f := range []string{"table", "html"} {
		for _, want := range []string{"8.2 GiB", "1,234,567", "45,678", "5.0 GiB", "low by up to 3.0 MiB"} {
			if !strings.Contains(out[f], want) {
				t.Errorf("%s: no %q", f, want)
			}
		}
		if strings.Contains(out[f], "8823384480") {
			t.Errorf("%s: raw byte count", f)
		}
	}
	// HTML bars still come from the numbers: 22,839 is half of 45,678.
	if !strings.Contains(out["html"], `style="width: 50%"`) {
		t.Error("html: bar of the second row is not 50%")
	}
	var doc struct {
		Totals analyze.Totals `json:"totals"`
	}
	if err := json.Unmarshal([]byte(out["json"]), &doc); err != nil || doc.Totals.Bytes != 8823384480 {
		t.Errorf("json totals %+v %v", doc.Totals, err)
	}
	cr := csv.NewReader(strings.NewReader(out["csv"]))
	cr.FieldsPerRecord = -1 // one section after another, each with its own columns
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, row := range rows {
		if len(row) == 3 && row[0] == "summary" {
			found[row[1]] = row[2]
		}
		if len(row) == 4 && row[0] == "top_talkers_by_bytes" {
			found["talker"] = row[3]
		}
	}
	if found["bytes"] != "8823384480" || found["records"] != "1234567" || found["talker"] != "5368709120" {
		t.Errorf("csv: %v", found)
	}
}
