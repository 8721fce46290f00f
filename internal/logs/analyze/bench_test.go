package analyze_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// BenchmarkShardAdd measures parse + aggregate of in-memory text (no I/O) on generated traffic
// shaped like the bench package's: 500 interfaces, internet noise of one-off rejected sources.
func BenchmarkShardAdd(b *testing.B) {
	g := gen.New(gen.Config{Seed: 1, Records: 400_000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour,
		Interfaces: 500, VerticalScans: 1, BruteForces: 1})
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, false); err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	p := flowlog.NewParser("b", nil, flowlog.Options{})
	cpu0 := cpuTime()
	for b.Loop() {
		eng := analyze.New(analyze.Config{}, 1)
		s := eng.Shard()
		for i, line := range lines {
			r, err := p.Parse(line, int64(i+1))
			if err != nil || r == nil {
				b.Fatal(i, err)
			}
			s.Add(r)
		}
		eng.Finish(flowlog.Stats{}, nil)
	}
	// CPU time per record (the process's, so other jobs on a shared machine do not count) is what compares
	// between builds; records/s is wall-clock.
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e9/float64(len(lines)*b.N), "cpu-ns/record")
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkParseGenerated measures the parser alone on the same generated lines as BenchmarkShardAdd.
func BenchmarkParseGenerated(b *testing.B) {
	g := gen.New(gen.Config{Seed: 1, Records: 400_000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour,
		Interfaces: 500, VerticalScans: 1, BruteForces: 1})
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, false); err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	p := flowlog.NewParser("b", nil, flowlog.Options{})
	b.SetBytes(int64(buf.Len()))
	cpu0 := cpuTime()
	for b.Loop() {
		for i, line := range lines {
			if _, err := p.Parse(line, int64(i+1)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e9/float64(len(lines)*b.N), "cpu-ns/record")
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
