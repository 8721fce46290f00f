package analyze_test

import (
	"bytes"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// BenchmarkEnrichedReport measures parse + aggregate + enrichment + reject attribution + exposure, on one
// core (one shard, GOMAXPROCS workers are independent), on uncompressed v2–v5 text over 500 inventory
// interfaces, with internet noise (one-off rejected sources: attribution on every one). It prints
// records/s per core, the same without enrichment, and the process's peak RSS. Goal (issue 15): ≥ 3 M
// records/s per core with enrichment and attribution on.
func BenchmarkEnrichedReport(b *testing.B) {
	snap, enis := gen.Estate(500)
	ix := enrich.New(snap, enrich.Options{})
	for _, v := range []int{2, 3, 4, 5} {
		f := flowlog.DefaultFormat
		if v > 2 {
			f = flowlog.FormatOf(flowlog.FieldsOfVersion(v)...)
		}
		g := gen.New(gen.Config{Seed: 1, Records: 400_000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour,
			Format: f, ENIs: enis, VerticalScans: 1, BruteForces: 1})
		var buf bytes.Buffer
		if err := g.WriteStream(&buf, false); err != nil {
			b.Fatal(err)
		}
		lines := gen.Lines(buf.Bytes())
		for _, on := range []bool{true, false} {
			name := fmt.Sprintf("v%d/enriched", v)
			cfg := analyze.Config{Enrich: ix}
			if !on {
				name, cfg.Enrich = fmt.Sprintf("v%d/plain", v), nil
			}
			b.Run(name, func(b *testing.B) {
				p := flowlog.NewParser("b", f, flowlog.Options{})
				b.SetBytes(int64(buf.Len()))
				var rep *analyze.Report
				cpu0 := cpuTime()
				for b.Loop() {
					eng := analyze.New(cfg, 1)
					s := eng.Shard()
					for i, line := range lines {
						r, err := p.Parse(line, int64(i+1))
						if err != nil || r == nil {
							b.Fatal(i, err)
						}
						s.Add(r)
					}
					rep = eng.Finish(flowlog.Stats{}, nil)
				}
				// Per core: records per CPU-second of the whole process (parser, shard, detectors, GC), so that
				// other work on a shared machine does not lower the figure; wall-clock records/s beside it.
				b.ReportMetric(float64(len(lines))*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e6, "M-records/cpu-s")
				b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds()/1e6, "M-records/wall-s")
				var ru syscall.Rusage
				if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
					b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
				}
				if on && (rep.Enrichment == nil || rep.Enrichment.Resolved == 0 || len(rep.Enrichment.RejectCauses) == 0) {
					b.Fatalf("enrichment did nothing: %+v", rep.Enrichment)
				}
				runtime.KeepAlive(rep)
			})
		}
	}
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEnrichAdd isolates what enrichment adds per record: Shard.Add over pre-parsed v3 and v5 records
// with and without an inventory (no parsing), in process CPU ns per record (add-cpu-ns/record: the Add loop
// alone; the difference between enriched and plain is the enrichment's cost) and Finish's fixed cost per
// report; enrichment-only times enrichShard.add alone on records in cache (see enrichOnly). v3 and v5 are the
// same flows (same seed): v5 adds flow-direction and traffic-path, which the enrichment does not need when the
// record names its interface.
func BenchmarkEnrichAdd(b *testing.B) {
	snap, enis := gen.Estate(500)
	ix := enrich.New(snap, enrich.Options{})
	for _, v := range []int{5, 3} {
		f := flowlog.FormatOf(flowlog.FieldsOfVersion(v)...)
		g := gen.New(gen.Config{Seed: 1, Records: 200_000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour,
			Format: f, ENIs: enis})
		var buf bytes.Buffer
		if err := g.WriteStream(&buf, false); err != nil {
			b.Fatal(err)
		}
		lines := gen.Lines(buf.Bytes())
		recs := make([]flowlog.Record, 0, len(lines))
		for i, line := range lines {
			p := flowlog.NewParser("b", f, flowlog.Options{}) // a parser per line: each record keeps its own buffer
			r, err := p.Parse(line, int64(i+1))
			if err != nil || r == nil {
				b.Fatal(err)
			}
			recs = append(recs, *r)
		}
		b.Run(fmt.Sprintf("v%d/enrichment-only", v), func(b *testing.B) { analyze.EnrichOnly(b, ix, recs) })
		for _, on := range []bool{false, true} {
			cfg := analyze.Config{}
			name := "plain"
			if on {
				cfg.Enrich, name = ix, "enriched"
			}
			b.Run(fmt.Sprintf("v%d/%s", v, name), func(b *testing.B) {
				var add, total time.Duration
				for b.Loop() {
					cpu0 := cpuTime()
					eng := analyze.New(cfg, 1)
					s := eng.Shard()
					for i := range recs {
						s.Add(&recs[i])
					}
					cpu1 := cpuTime()
					eng.Finish(flowlog.Stats{}, nil)
					add, total = add+cpu1-cpu0, total+cpuTime()-cpu0
				}
				// The process's CPU time (the detectors' goroutines included) per record: for the whole report, and
				// for the Add loop alone; Finish's fixed cost (merging and ranking bounded tables, describing the
				// causes) per report beside them — it does not grow with the input.
				b.ReportMetric(total.Seconds()*1e9/float64(len(recs)*b.N), "cpu-ns/record")
				b.ReportMetric(add.Seconds()*1e9/float64(len(recs)*b.N), "add-cpu-ns/record")
				b.ReportMetric((total-add).Seconds()*1e3/float64(b.N), "finish-cpu-ms")
			})
		}
	}
}
