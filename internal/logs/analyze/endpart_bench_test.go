package analyze_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// BenchmarkEnrichedParts is BenchmarkEnrichedReport's v2 enriched case read as one unit in parts of 160,000
// records (about a 16 MiB chunk of v2 text, source's chunk size), as a split stream is: what handing the top-k
// tables over and merging them per part costs (compare with callgrind's --toggle-collect='*analyze.(*Shard).EndPart').
func BenchmarkEnrichedParts(b *testing.B) {
	snap, enis := gen.Estate(500)
	cfg := analyze.Config{Enrich: enrich.New(snap, enrich.Options{})}
	g := gen.New(gen.Config{Seed: 1, Records: 400_000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour,
		ENIs: enis, VerticalScans: 1, BruteForces: 1})
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, false); err != nil {
		b.Fatal(err)
	}
	lines := gen.Lines(buf.Bytes())
	p := flowlog.NewParser("b", flowlog.DefaultFormat, flowlog.Options{})
	const part = 160_000
	for b.Loop() {
		eng := analyze.New(cfg, 1)
		s := eng.Shard()
		for i, line := range lines {
			r, err := p.Parse(line, int64(i+1))
			if err != nil || r == nil {
				b.Fatal(i, err)
			}
			s.Add(r)
			if (i+1)%part == 0 || i == len(lines)-1 {
				s.EndPart(0, i/part, i == len(lines)-1)
			}
		}
		eng.Finish(flowlog.Stats{}, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(lines)), "ns/record")
}
