package analyze

import (
	"math/rand/v2"
	"slices"
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

// TestAddSourceKeepsLowest: whatever the order and the repeats, the sources kept are the
// maxExposureSources lowest distinct ones, and more says whether there were others.
func TestAddSourceKeepsLowest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range []int{1, 10, 63, 64, 65, 200, 1000} {
		distinct := []int{1, 10, 63, 64, 65, 200, 1000}[n]
		var x exposureStat
		var all []akey
		for range distinct * 3 {
			a := akey{lo: uint64(rng.IntN(distinct))}
			x.addSource(a)
			if !slices.Contains(all, a) {
				all = append(all, a)
			}
		}
		slices.SortFunc(all, akey.compare)
		got := slices.Clone(x.srcs)
		slices.SortFunc(got, akey.compare)
		want := all[:min(len(all), maxExposureSources)]
		if !slices.Equal(got, want) || x.more != (len(all) > maxExposureSources) {
			t.Errorf("%d distinct: kept %d (more %v), want the %d lowest (more %v)", distinct, len(got), x.more, len(want), len(all) > maxExposureSources)
		}
	}
}
