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

// TestLaggedFlushOrder: adds held back are applied oldest first, a batch of lagLen once 2×lagLen are queued,
// and a flush leaves nothing behind.
func TestLaggedFlushOrder(t *testing.T) {
	l := newLagged(16)
	const n = 2*lagLen + 3
	for i := range n {
		l.add(uint64(i%(lagLen+5)), int64(i+1))
		if i == 2*lagLen-2 && l.c.n != 0 {
			t.Fatalf("%d keys applied after %d adds, want none", l.c.n, i+1)
		}
	}
	if l.c.n != lagLen { // the first lagLen adds applied: keys 0..lagLen-1
		t.Fatalf("%d keys applied before the flush, want %d", l.c.n, lagLen)
	}
	l.flush()
	want := map[uint64]int64{}
	for i := range n {
		want[uint64(i%(lagLen+5))] += int64(i + 1)
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
	if l.n != 0 {
		t.Fatal("flush left adds in the queue")
	}
	before := l.c.n
	l.flush()
	if l.c.n != before {
		t.Fatal("a second flush applied adds again")
	}
}
