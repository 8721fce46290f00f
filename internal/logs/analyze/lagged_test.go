package analyze

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestLaggedSameTable feeds the same adds to a counter64 directly and through a lagged one, with flushes at
// random points (as at the end of units), past capacity so that pruning happens many times: the tables must
// be identical slot for slot, since which entries tied at a prune's cut are kept depends on the slot order.
func TestLaggedSameTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	direct := newCounter64(256)
	l := newLagged(256)
	prunes := 0
	for i := range 200_000 {
		var k uint64
		switch rng.IntN(4) {
		case 0:
			k = uint64(rng.IntN(64)) // heavy hitters
		default:
			k = rng.Uint64() // one-offs
		}
		w := int64(rng.IntN(3)) // 0 is ignored, as by counter64.Add
		if rng.IntN(5) == 0 {
			w = int64(rng.IntN(1 << 20))
		}
		before := direct.ErrBound
		direct.Add(k, w)
		l.add(k, w)
		if direct.ErrBound != before {
			prunes++
		}
		if rng.IntN(10_000) == 0 || i == 199_999 {
			l.flush()
			if !slices.Equal(direct.slots, l.c.slots) || direct.n != l.c.n || direct.ErrBound != l.c.ErrBound {
				t.Fatalf("after %d adds: lagged table differs (n %d/%d, bound %d/%d)", i+1, l.c.n, direct.n, l.c.ErrBound, direct.ErrBound)
			}
		}
	}
	if prunes < 100 {
		t.Fatalf("only %d prunes: the test does not exercise pruning", prunes)
	}
}

// TestLaggedFlushOrder: adds held back are applied oldest first, and a flush leaves nothing behind.
func TestLaggedFlushOrder(t *testing.T) {
	l := newLagged(16)
	for i := range lagLen + 3 {
		l.add(uint64(i%5), int64(i+1))
	}
	if l.c.n != 3 { // the first 3 adds applied: keys 0, 1, 2
		t.Fatalf("%d keys applied before the flush, want 3", l.c.n)
	}
	l.flush()
	want := map[uint64]int64{}
	for i := range lagLen + 3 {
		want[uint64(i%5)] += int64(i + 1)
	}
	l.c.each(func(k uint64, v int64) {
		if want[k] != v {
			t.Errorf("key %d: %d, want %d", k, v, want[k])
		}
		delete(want, k)
	})
	if len(want) != 0 {
		t.Errorf("missing %v", want)
	}
	l.flush()
	for _, e := range l.q {
		if e.w != 0 {
			t.Fatal("flush left an add in the queue")
		}
	}
}
