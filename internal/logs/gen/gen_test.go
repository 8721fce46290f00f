package gen

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

func TestDeterministicAndParsableInEveryVersion(t *testing.T) {
	for v := 2; v <= 8; v++ {
		t.Run(fmt.Sprint("v", v), func(t *testing.T) {
			f := flowlog.DefaultFormat
			if v > 2 {
				f = flowlog.FormatOf(flowlog.FieldsOfVersion(v)...)
			}
			cfg := Config{Seed: 7, Records: 3000, Duration: 3 * time.Hour, Format: f, VerticalScans: 1, HorizontalScans: 1, BruteForces: 1, SkipData: 5}
			var a, b bytes.Buffer
			ga := New(cfg)
			if err := ga.WriteStream(&a, true); err != nil {
				t.Fatal(err)
			}
			New(cfg).WriteStream(&b, true)
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("same seed, different output")
			}
			s := flowlog.NewScanner(bytes.NewReader(a.Bytes()), "gen", flowlog.Options{Strict: true})
			var n, skip, version int64
			var last int64
			for s.Scan() {
				r := s.Record()
				n++
				if r.LogStatus == flowlog.SkipData {
					skip++
				}
				version = int64(r.Version)
				if r.Start < last-60 {
					t.Fatalf("record %d starts at %d, before %d", n, r.Start, last)
				}
				last = max(last, r.Start)
			}
			if err := s.Err(); err != nil {
				t.Fatal(err)
			}
			if n != ga.Summary.Records || skip != 5 || version != int64(f.Version()) { // no field is new in v6: a v6 request writes v5
				t.Errorf("%d records (summary %d), %d skipdata, version %d", n, ga.Summary.Records, skip, version)
			}
			if len(ga.Summary.Planted) != 3 {
				t.Errorf("planted %+v", ga.Summary.Planted)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	var calls []Progress
	cfg := Config{Seed: 3, Records: 50000, Duration: 3 * time.Hour, BruteForces: 2, SkipData: 4}
	g := New(cfg, WithProgress(0, func(p Progress) { calls = append(calls, p) }))
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, false); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 10 {
		t.Fatalf("%d progress calls for 50,000 records", len(calls))
	}
	last := calls[len(calls)-1]
	if last.Records != g.Summary.Records || last.Total != g.Summary.Records || last.Bytes != int64(buf.Len()) {
		t.Errorf("last progress %+v; wrote %d records, %d bytes", last, g.Summary.Records, buf.Len())
	}
	for i := 1; i < len(calls); i++ {
		if calls[i].Records < calls[i-1].Records || calls[i].Total != last.Total {
			t.Fatalf("progress %d: %+v after %+v", i, calls[i], calls[i-1])
		}
	}
	// Progress does not change what is generated.
	var plain bytes.Buffer
	New(cfg).WriteStream(&plain, false)
	if !bytes.Equal(plain.Bytes(), buf.Bytes()) {
		t.Error("output differs with progress")
	}
}
