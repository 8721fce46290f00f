package analyze_test

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// generatedLines are the bench package's kind of traffic, version-2 text: 500 interfaces, internet noise of
// one-off rejected sources, a vertical scan and a brute force.
func generatedLines(b *testing.B) ([][]byte, int) {
	g := gen.New(gen.Config{Seed: 1, Records: 400_000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour,
		Interfaces: 500, VerticalScans: 1, BruteForces: 1})
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, false); err != nil {
		b.Fatal(err)
	}
	return gen.Lines(buf.Bytes()), buf.Len()
}

// BenchmarkShardAdd measures parse + aggregate + detect of in-memory text (no I/O) on generated traffic
// (generatedLines), one core, as the reader runs them: one parser whose record is reused, one shard, one
// detector partition (a goroutine of its own, its CPU time counted). Each iteration parses the lines twice,
// alternately: once only parsing, once parsing and aggregating (analyze.New, Shard.Add for every record,
// Finish), so that both are measured in the same moments on a shared machine. It reports, per record, in
// CPU time of the whole process (GC included, other jobs on the machine not):
//
//	cpu-ns/record        parse + aggregate + detect + Finish
//	parse-cpu-ns/record  parse alone
//	agg-cpu-ns/record    the difference: what aggregation and detection cost, cache misses included
//	add-cpu-ns/record    the same without analyze.New and Finish: the cost of Shard.Add and the detectors
//	                     per record, which is what a larger input pays per record
//	new+finish-cpu-ms    analyze.New and Finish, per report (Finish merges and sorts the top-k tables, and
//	                     waits for the detectors' last batch: a little per-record work lands here)
//
// Generating the text is outside the timing. Pre-parsed records would not do for the aggregation's cost: a
// flowlog.Record is over 1 KB, so a slice of 400,000 of them would measure memory bandwidth, where the
// reader's one record stays in cache.
func BenchmarkShardAdd(b *testing.B) {
	lines, _ := generatedLines(b)
	p := flowlog.NewParser("b", nil, flowlog.Options{})
	runtime.GC() // the generator's garbage is not the benchmark's
	var cpuAll, cpuParse, cpuFixed, wallAll time.Duration
	for b.Loop() {
		c0 := cpuTime()
		parseLines(b, p, lines)
		c1, w1 := cpuTime(), time.Now()
		eng := analyze.New(analyze.Config{}, 1)
		s := eng.Shard()
		c2 := cpuTime()
		parseAndAdd(b, p, lines, s)
		c3 := cpuTime()
		eng.Finish(flowlog.Stats{}, nil)
		c4 := cpuTime()
		wallAll += time.Since(w1)
		cpuAll += c4 - c1
		cpuParse += c1 - c0
		cpuFixed += c2 - c1 + c4 - c3
	}
	n := float64(len(lines) * b.N)
	b.ReportMetric(cpuAll.Seconds()*1e9/n, "cpu-ns/record")
	b.ReportMetric(cpuParse.Seconds()*1e9/n, "parse-cpu-ns/record")
	b.ReportMetric((cpuAll-cpuParse).Seconds()*1e9/n, "agg-cpu-ns/record")
	b.ReportMetric((cpuAll-cpuFixed-cpuParse).Seconds()*1e9/n, "add-cpu-ns/record")
	b.ReportMetric(cpuFixed.Seconds()*1e3/float64(b.N), "new+finish-cpu-ms")
	b.ReportMetric(n/wallAll.Seconds(), "records/s")
}

// parseLines and parseAndAdd are BenchmarkShardAdd's two passes, functions of their own so that profiles tell
// them apart. For instruction counts, collect everything with callgrind and sum the self costs of the analyze
// functions: toggling collection on Shard.Add (or on these passes) miscounts by tens of instructions per
// record from run to run, as the detectors' goroutine runs inside them whenever the scheduler switches to it.
//
//go:noinline
func parseLines(b *testing.B, p *flowlog.Parser, lines [][]byte) {
	for i, line := range lines {
		r, err := p.Parse(line, int64(i+1))
		if err != nil || r == nil {
			b.Fatal(i, err)
		}
	}
}

//go:noinline
func parseAndAdd(b *testing.B, p *flowlog.Parser, lines [][]byte, s *analyze.Shard) {
	for i, line := range lines {
		r, err := p.Parse(line, int64(i+1))
		if err != nil || r == nil {
			b.Fatal(i, err)
		}
		s.Add(r)
	}
}

// BenchmarkParseGenerated measures the parser alone on the same generated lines as BenchmarkShardAdd.
func BenchmarkParseGenerated(b *testing.B) {
	lines, size := generatedLines(b)
	p := flowlog.NewParser("b", nil, flowlog.Options{})
	b.SetBytes(int64(size))
	runtime.GC()
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
