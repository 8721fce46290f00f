package analyze

import (
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// refAdd is counter64.Add as it was written before addAt went branch-free (one branch for an empty slot,
// one for the key), with the same prune: the reference the table must match slot for slot.
func refAdd(c *counter64, k uint64, w int64) {
	if w <= 0 {
		return
	}
	i := mix(k) & c.mask
	for {
		s := &c.slots[i]
		if s.v == 0 {
			s.k, s.v = k, w
			c.n++
			if c.n > c.cap {
				c.prune(c.cap / 2)
			}
			return
		}
		if s.k == k {
			s.v += w
			return
		}
		i = (i + 1) & c.mask
	}
}

// checkCounter64 applies adds (key, weight) to a counter64 and to the reference, and fails at the first
// difference in slots, count or bound.
func checkCounter64(t *testing.T, capacity int, keys []uint64, ws []int64) {
	t.Helper()
	got, ref := newCounter64(capacity), newCounter64(capacity)
	for i, k := range keys {
		got.Add(k, ws[i])
		refAdd(ref, k, ws[i])
		if got.n != ref.n || got.ErrBound != ref.ErrBound || (i%512 == 0 || i == len(keys)-1) && !slices.Equal(got.slots, ref.slots) {
			t.Fatalf("after %d adds: table differs from the reference (n %d/%d, bound %d/%d)", i+1, got.n, ref.n, got.ErrBound, ref.ErrBound)
		}
	}
}

// TestCounter64SameAsReference: heavy hitters, one-offs, key 0, huge weights and many prunes.
func TestCounter64SameAsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, capacity := range []int{16, 300, 4096} {
		keys, ws := make([]uint64, 100_000), make([]int64, 100_000)
		for i := range keys {
			switch rng.IntN(4) {
			case 0:
				keys[i] = uint64(rng.IntN(64))
			default:
				keys[i] = rng.Uint64()
			}
			ws[i] = int64(rng.IntN(3))
			if rng.IntN(50) == 0 {
				ws[i] = 1 << 62
			}
		}
		checkCounter64(t, capacity, keys, ws)
	}
}

// FuzzCounter64: any adds (9 bytes each: a key byte picking one of few keys or spreading them, 8 for the
// weight) give the reference's table.
func FuzzCounter64(f *testing.F) {
	f.Add([]byte("\x00\x01\x00\x00\x00\x00\x00\x00\x00\x81\x01\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var keys []uint64
		var ws []int64
		for ; len(data) >= 9; data = data[9:] {
			k := uint64(data[0])
			if k >= 128 {
				k = mix(k) // spread over the table
			}
			keys = append(keys, k)
			ws = append(ws, int64(binary.LittleEndian.Uint64(data[1:]))>>int(data[0]%64))
		}
		checkCounter64(t, 16, keys, ws)
	})
}

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
