package analyze

import (
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"
	"unsafe"
)

// BenchmarkCounter64Prune times a prune of a full table of 16384 keys (the default capacity), in thread CPU
// time: the gather, the selection, and the reinsertion of the heavier half. Counts 1..4 (a table of rejected
// sources), or byte counts spread over many octaves (the IPv4 talkers, which prune most on the benchmark
// data: log-normal around 2^15, as there).
func BenchmarkCounter64Prune(b *testing.B) {
	for _, tc := range []struct {
		name  string
		count func(rng *rand.Rand) int64
	}{
		{"small", func(rng *rand.Rand) int64 { return int64(rng.IntN(4) + 1) }},
		{"bytes", func(rng *rand.Rand) int64 { return int64(math.Exp(rng.NormFloat64()*1.3+10.3)) + 1 }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := newCounter64(16384)
			rng := rand.New(rand.NewPCG(13, 14))
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var cpu time.Duration
			for b.Loop() {
				for c.n < c.cap {
					c.Add(rng.Uint64(), tc.count(rng))
				}
				t0 := threadCPU()
				c.prune(c.cap / 2)
				cpu += threadCPU() - t0
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/prune")
		})
	}
}

// TestCounter64Warm: a table of warmPages or more is warmed once, when its keys reach a quarter of its pages,
// and keeps every count through it and through the prunes after; a smaller table is never warmed.
func TestCounter64Warm(t *testing.T) {
	if c := newCounter64(16); c.due != c.cap+1 {
		t.Fatalf("a table of %d slots is due at %d, not at its prune", len(c.slots), c.due)
	}
	c := newCounter64(16384)
	pages := len(c.slots) * int(unsafe.Sizeof(slot64{})) / os.Getpagesize()
	if c.due != pages/4 {
		t.Fatalf("due at %d keys, want %d (%d pages)", c.due, pages/4, pages)
	}
	want := map[uint64]int64{}
	rng := rand.New(rand.NewPCG(15, 16))
	for c.n < pages/4-1 {
		k := rng.Uint64()
		c.Add(k, 2)
		want[k] += 2
	}
	if c.due != pages/4 {
		t.Fatalf("warmed before its due count: due %d with %d keys", c.due, c.n)
	}
	for len(want) < c.cap {
		k := rng.Uint64()
		c.Add(k, 1)
		want[k]++
	}
	if c.due != c.cap+1 {
		t.Fatalf("not warmed: due %d with %d keys", c.due, c.n)
	}
	got := map[uint64]int64{}
	c.each(func(k uint64, v int64) { got[k] = v })
	if !maps.Equal(got, want) {
		t.Fatalf("%d counts, want %d, or some differ", len(got), len(want))
	}
	c.Add(rng.Uint64(), 1) // over capacity: pruned as before
	if c.n != c.cap/2 || c.ErrBound == 0 {
		t.Fatalf("after the prune: %d keys, bound %d", c.n, c.ErrBound)
	}
}
