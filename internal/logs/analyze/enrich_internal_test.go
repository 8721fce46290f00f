package analyze

import (
	"testing"

	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// benchEnrichOnly is set by the external benchmark's setup (enrich_bench_test.go) through EnrichOnly.
func enrichOnly(b *testing.B, ix *enrich.Index, recs []flowlog.Record) {
	e := newEnrichShard(ix, 16384)
	ifs := make([]int32, len(recs))
	for i := range recs {
		ifs[i] = ix.Interface(recs[i].Field(flowlog.InterfaceID))
	}
	for b.Loop() {
		for i := range recs {
			e.add(&recs[i], ifs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(len(recs)*b.N), "ns/record")
	b.Logf("memo hits %d misses %d", e.at.Hits, e.at.Misses)
}
