package analyze

import (
	"math/rand/v2"
	"testing"
)

// srcTable against a Go map: sources found or added, waiting states kept, promotions, and purges by a
// predicate, through many splits, with IPv6 sources and sources that differ in one word only.
func TestSrcTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tb := newSrcTable()
	ref := map[akey]srcState{}
	pool := make([]akey, 60_000)
	for i := range pool {
		switch i % 3 {
		case 0:
			pool[i] = akey{0, 0xffff<<32 | rng.Uint64()&0xffffffff}
		case 1:
			pool[i] = akey{rng.Uint64(), rng.Uint64()}
		default:
			pool[i] = akey{uint64(i), 7} // the same second word
		}
	}
	check := func(step int) {
		t.Helper()
		n := 0
		for i := 0; i < len(tb.dir); i += 1 << (tb.depth - tb.dir[i].depth) {
			g := tb.dir[i]
			used := 0
			for _, s := range g.slots {
				if s.st.used {
					used++
					if want, ok := ref[s.src]; !ok || want != s.st {
						t.Fatalf("step %d: %v holds %+v, the map %+v (%v)", step, s.src, s.st, want, ok)
					}
				}
			}
			if used != g.n {
				t.Fatalf("step %d: a segment counts %d, holds %d", step, g.n, used)
			}
			n += used
		}
		if n != len(ref) {
			t.Fatalf("step %d: %d sources, the map %d", step, n, len(ref))
		}
	}
	for step := 0; step < 200_000; step++ {
		src := pool[rng.IntN(len(pool))]
		h := tb.hash(src)
		s := tb.find(src, h)
		want, ok := ref[src]
		if s.st.used != ok || ok && (s.src != src || s.st != want) {
			t.Fatalf("step %d: find %v: %+v, the map %+v (%v)", step, src, *s, want, ok)
		}
		switch {
		case !ok:
			st := srcState{dst: akey{1, uint64(step)}, start: int64(step), dstPort: int32(step % 65536), proto: 6, dstValid: true, reject: step%2 == 0, used: true}
			s.src, s.st = src, st
			tb.added(h)
			ref[src] = st
		case !want.promoted:
			s.st = srcState{promoted: true, used: true}
			ref[src] = s.st
		}
		if step%50_000 == 49_999 {
			check(step)
			bit := uint64(1) << (step / 50_000)
			keep := func(k akey) bool { return (k.hi^k.lo)&bit == 0 }
			tb.keep(keep)
			for k := range ref {
				if !keep(k) {
					delete(ref, k)
				}
			}
			check(step)
		}
	}
	if tb.depth < 4 {
		t.Fatalf("depth %d: the table hardly split", tb.depth)
	}
}
