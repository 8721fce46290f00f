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
