package analyze

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// enrichOnly times enrichShard.add alone over recs as the pipeline calls it: on a record the parser and
// Shard.Add have just read, so in cache. The records are taken in blocks of 64, each block first read (the
// fields add reads; not timed) and then enriched (timed), and the figure is the timed part per record: what
// enrichment adds to a record, not the cost of fetching a record from a 200 MB slice. The memo's hit rate
// is printed beside it (the shard, and so its memo, lives across the iterations, as a worker's does).
// cpu-ns/record is the same in the thread's CPU time, which a shared machine's other work does not inflate
// (wall time counts the moments the thread waits for a core): the thread's CPU time of reading and
// enriching the blocks, less that of reading them alone.
func enrichOnly(b *testing.B, ix *enrich.Index, recs []flowlog.Record) {
	runtime.LockOSThread() // RUSAGE_THREAD then measures this goroutine
	defer runtime.UnlockOSThread()
	e := newEnrichShard(ix, 16384)
	ifs := make([]int32, len(recs))
	for i := range recs {
		ifs[i] = ix.Interface(recs[i].Field(flowlog.InterfaceID))
	}
	var timed time.Duration
	var sink int64
	read := func(blk []flowlog.Record) {
		for i := range blk {
			r := &blk[i]
			sink += r.Bytes + int64(r.DstPort+r.Protocol) + r.Start + int64(len(r.Field(flowlog.RejectReason))+len(r.Field(flowlog.FlowDirection)))
			if r.SrcAddr.Is4() && r.DstAddr.Is4() && r.PktSrcAddr.IsValid() {
				sink++
			}
		}
	}
	cpu0 := threadCPU()
	for b.Loop() {
		for lo := 0; lo < len(recs); lo += 64 {
			blk := recs[lo:min(lo+64, len(recs))]
			read(blk)
			t0 := time.Now()
			for i := range blk {
				e.add(&blk[i], ifs[lo+i])
			}
			timed += time.Since(t0)
		}
	}
	both := threadCPU() - cpu0
	cpu0 = threadCPU()
	for range b.N {
		for lo := 0; lo < len(recs); lo += 64 {
			read(recs[lo:min(lo+64, len(recs))])
			t0 := time.Now()
			sink += int64(time.Since(t0)) // the timed loop's clock reads
		}
	}
	readOnly := threadCPU() - cpu0
	b.ReportMetric(float64(timed.Nanoseconds())/float64(len(recs)*b.N), "ns/record")
	b.ReportMetric(float64((both-readOnly).Nanoseconds())/float64(len(recs)*b.N), "cpu-ns/record")
	if n := e.at.Hits + e.at.Misses; n > 0 {
		b.ReportMetric(100*float64(e.at.Hits)/float64(n), "memo-hit-%")
	}
	runtime.KeepAlive(sink)
}

// threadCPU is the calling thread's user + system CPU time (lock the goroutine to its thread around a measurement).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(1, &ru) != nil { // RUSAGE_THREAD
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
