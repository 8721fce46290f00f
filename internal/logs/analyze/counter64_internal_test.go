package analyze

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// BenchmarkCounter64Prune times a prune of a full table of 16384 keys (the default capacity) of counts
// 1..4, in thread CPU time: the gather, the selection, and the reinsertion of the heavier half.
func BenchmarkCounter64Prune(b *testing.B) {
	c := newCounter64(16384)
	rng := rand.New(rand.NewPCG(13, 14))
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var cpu time.Duration
	for b.Loop() {
		for c.n < c.cap {
			c.Add(rng.Uint64(), int64(rng.IntN(4)+1))
		}
		t0 := threadCPU()
		c.prune(c.cap / 2)
		cpu += threadCPU() - t0
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/prune")
}
