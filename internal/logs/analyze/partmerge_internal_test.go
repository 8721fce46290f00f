package analyze

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// refMerge is the plain merge that counter64.merge must equal: o's entries added with Add in o's slot order.
func refMerge(c, o *counter64) {
	o.each(c.Add)
	c.ErrBound += o.ErrBound
	o.reset()
}

// fillCounter adds n keys drawn from [0, keys) with weights 1..4.
func fillCounter(c *counter64, rng *rand.Rand, n int, keys uint64) {
	for range n {
		c.Add(rng.Uint64N(keys), int64(rng.IntN(4)+1))
	}
}

// TestCounter64MergeMatchesAdd: merge leaves both tables exactly as adding o's entries one by one in o's slot
// order does (the same slots, so the same later prunes and ties), below and past capacity.
func TestCounter64MergeMatchesAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ capacity, nc, no int }{
		{16, 0, 5}, {16, 5, 0}, {16, 10, 10}, {16, 40, 40}, {64, 100, 7}, {1024, 900, 900}, {1024, 3000, 5000}, {16384, 12000, 9000},
	} {
		for _, keys := range []uint64{16, 1 << 10, 1 << 62} {
			name := fmt.Sprintf("cap%d/%d+%d/keys%d", tc.capacity, tc.nc, tc.no, keys)
			seed := rng.Uint64()
			build := func() (c, o *counter64) {
				r := rand.New(rand.NewPCG(seed, 3))
				c, o = newCounter64(tc.capacity), newCounter64(tc.capacity)
				fillCounter(c, r, tc.nc, keys)
				fillCounter(o, r, tc.no, keys)
				return c, o
			}
			c1, o1 := build()
			c2, o2 := build()
			c1.merge(o1)
			refMerge(c2, o2)
			if !slices.Equal(c1.slots, c2.slots) || c1.n != c2.n || c1.ErrBound != c2.ErrBound {
				t.Fatalf("%s: merged table differs from adding in slot order (n %d/%d, bound %d/%d)", name, c1.n, c2.n, c1.ErrBound, c2.ErrBound)
			}
			if !slices.Equal(o1.slots, o2.slots) || o1.n != 0 || o1.ErrBound != 0 {
				t.Fatalf("%s: source not emptied (n %d, bound %d)", name, o1.n, o1.ErrBound)
			}
			// An emptied source is reused: counting into it again must work as into a new table.
			fillCounter(o1, rng, tc.no, keys)
			c1.merge(o1)
			if c1.n > c1.cap {
				t.Fatalf("%s: %d keys in a table of capacity %d", name, c1.n, c1.cap)
			}
		}
	}
}

// BenchmarkCounter64Merge times merging one part's table into a unit's (default capacity 16384), in thread CPU
// time per merge, with the tables out of cache as after parsing a chunk: a part of `part` keys into a table holding 8,000, half of the part's keys already there.
func BenchmarkCounter64Merge(b *testing.B) {
	for _, part := range []int{1000, 8000} {
		b.Run(fmt.Sprintf("part=%d", part), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			c, o := newCounter64(16384), newCounter64(16384)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var cpu time.Duration
			evict := make([]byte, 8<<20) // between merges a worker parses a chunk: the tables are no longer in cache
			for b.Loop() {
				c.reset()
				base := rng.Uint64()
				for i := range uint64(8000) {
					c.Add(base+i, 1)
				}
				for i := range uint64(part) {
					o.Add(base+uint64(8000-part/2)+i, 2)
				}
				for i := 0; i < len(evict); i += 64 {
					evict[i]++
				}
				t0 := threadCPU()
				c.merge(o)
				cpu += threadCPU() - t0
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/merge")
		})
	}
}
