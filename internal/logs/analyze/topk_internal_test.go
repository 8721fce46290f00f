package analyze

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTopKSelectSameAsSort: Top and prune select the first entries instead of sorting them all; they must
// give what sorting gives (the same rows, the same entries kept, the same error bound), counts tied or not.
func TestTopKSelectSameAsSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		n := rng.IntN(3000) + 1
		spread := []int{1, 3, 50, 1 << 30}[trial%4] // few distinct counts: many ties, cut inside them
		tk := NewTopK(16, akey.compare)
		tk.cap = 1 << 30 // filled directly, pruned by hand below
		for range n {
			tk.addExact(akey{rng.Uint64N(4), rng.Uint64()}, int64(rng.IntN(spread)))
		}
		ref := tk.entries()
		slices.SortFunc(ref, func(a, b Entry[akey]) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), a.Key.compare(b.Key))
		})
		for _, top := range []int{0, 1, 10, n / 2, n, n + 5} {
			if got, want := tk.Top(top), ref[:min(top, n)]; !slices.Equal(got, want) {
				t.Fatalf("trial %d: Top(%d) of %d differs from sorting", trial, top, n)
			}
		}
		keep := rng.IntN(n + 1)
		tk.prune(keep)
		if keep < n {
			if tk.ErrBound != ref[keep].Count {
				t.Fatalf("trial %d: bound %d, want %d", trial, tk.ErrBound, ref[keep].Count)
			}
			if got := tk.Top(n); !slices.Equal(got, ref[:keep]) {
				t.Fatalf("trial %d: pruned to %d, kept entries differ from sorting's", trial, keep)
			}
		} else if tk.ErrBound != 0 || tk.Len() != n {
			t.Fatalf("trial %d: nothing to prune, yet bound %d, %d keys", trial, tk.ErrBound, tk.Len())
		}
	}
}

// TestSelectEntries checks the selection's contract directly on small and sorted inputs.
func TestSelectEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 1; n < 200; n++ {
		for _, shape := range []string{"random", "sorted", "reversed"} {
			es := make([]Entry[int], n)
			for i := range es {
				es[i] = Entry[int]{Key: i, Count: int64(-(i / 3))} // the order: heaviest first, then by key
			}
			switch shape {
			case "random":
				rng.Shuffle(n, func(i, j int) { es[i], es[j] = es[j], es[i] })
			case "reversed":
				slices.Reverse(es)
			}
			k := rng.IntN(n)
			selectEntries(es, k, cmp.Compare[int])
			if es[k].Key != k {
				t.Fatalf("%s n=%d k=%d: es[k] = %d", shape, n, k, es[k].Key)
			}
			for i := range es {
				if (i < k) != (es[i].Key < k) {
					t.Fatalf("%s n=%d k=%d: %d at %d", shape, n, k, es[i].Key, i)
				}
			}
		}
	}
}

// TestMergeIntoEmptySameAsAdding: mergeEntries into an empty table (sized at once) gives the same table as
// adding one by one, and adopt (distinct keys) the same again.
func TestMergeIntoEmptySameAsAdding(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 200 {
		spread := []int{1, 3, 1 << 30}[trial%3]
		ref := NewTopK(1<<20, akey.compare)
		for i := range rng.IntN(3000) {
			ref.Add(akey{uint64(i), rng.Uint64N(3)}, int64(rng.IntN(spread)+1))
		}
		es := ref.entries()
		m := NewTopK(2000, akey.compare)
		m.mergeEntries(es, 3)
		one := NewTopK(2000, akey.compare)
		for _, e := range es {
			one.addExact(e.Key, e.Count)
		}
		one.ErrBound = 3
		if one.Len() > one.cap {
			one.prune(one.cap / 2)
		}
		if got, want := m.Top(5000), one.Top(5000); !slices.Equal(got, want) || m.ErrBound != one.ErrBound {
			t.Fatalf("trial %d: mergeEntries into an empty table differs", trial)
		}
		// adopt (distinct keys, into an empty table) is the same merge; then adds and merges after it settle
		// the adopted counts into the index and go on the same.
		a := NewTopK(2000, akey.compare)
		a.adopt(slices.Clone(es), 3)
		if got, want := a.Top(5000), one.Top(5000); !slices.Equal(got, want) || a.ErrBound != one.ErrBound || a.Len() != one.Len() {
			t.Fatalf("trial %d: adopt differs from mergeEntries", trial)
		}
		if got, want := a.Top(7), one.Top(7); !slices.Equal(got, want) {
			t.Fatalf("trial %d: adopt's Top differs", trial)
		}
		a = NewTopK(2000, akey.compare)
		a.adopt(slices.Clone(es), 3)
		unindexed := a.Len() - a.ixd
		a.mergeEntries(nil, 2) // nothing to add: the adopted counts stay out of the index
		one.mergeEntries(nil, 2)
		if a.Len()-a.ixd != unindexed || unindexed == 0 || a.ErrBound != one.ErrBound {
			t.Fatalf("trial %d: merging nothing settled the adopted counts or lost the bound", trial)
		}
		more := []Entry[akey]{{akey{0, 1}, 5}, {akey{1 << 40, 2}, 9}}
		a.adopt(more, 1)
		one.mergeEntries(more, 1)
		for i := range 3000 {
			a.Add(akey{uint64(i % 700), 0}, 2)
			one.Add(akey{uint64(i % 700), 0}, 2)
		}
		if got, want := a.Top(5000), one.Top(5000); !slices.Equal(got, want) || a.ErrBound != one.ErrBound {
			t.Fatalf("trial %d: adds after adopt differ", trial)
		}
	}
}

// BenchmarkTopKMergeUnits merges 16 units' lists of 16,384 entries each (a few heavy keys, the rest one-off
// keys of small counts, as the address and talker lists of a unit are) into a table of capacity 16,384, as
// Engine merges the units after the first (topTables.merge): the adds and the prunes.
func BenchmarkTopKMergeUnits(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 10))
	units := make([][]Entry[akey], 16)
	for u := range units {
		es := make([]Entry[akey], 0, 16384)
		for i := range 16384 {
			k := akey{0, rng.Uint64()}
			if i < 2000 {
				k = akey{0, uint64(i)}
			}
			es = append(es, Entry[akey]{k, int64(rng.IntN(4) + 1)})
		}
		units[u] = es
	}
	for b.Loop() {
		t := newTopK(16384, akey.compare, akey.hash)
		for _, es := range units {
			t.mergeEntries(es, 1)
		}
	}
}

// addExact adds w to k's count without pruning, however many keys t holds (tests fill tables past capacity).
func (t *TopK[K]) addExact(k K, w int64) {
	t.reserve(1)
	t.add(k, w)
}

// counts is t's counts as a map.
func (t *TopK[K]) counts() map[K]int64 {
	m := map[K]int64{}
	t.each(func(k K, v int64) { m[k] += v })
	return m
}

// refTopK is TopK as a Go map, as it was: the reference for the indexed table.
type refTopK struct {
	m        map[akey]int64
	cap      int
	errBound int64
}

func (r *refTopK) merge(es []Entry[akey], bound int64) {
	for _, e := range es {
		r.m[e.Key] += e.Count
	}
	r.errBound += bound
	if len(r.m) > r.cap {
		all := make([]Entry[akey], 0, len(r.m))
		for k, v := range r.m {
			all = append(all, Entry[akey]{k, v})
		}
		slices.SortFunc(all, func(a, b Entry[akey]) int { return entryOrder(a, b, akey.compare) })
		keep := r.cap / 2
		r.errBound += all[keep].Count
		clear(r.m)
		for _, e := range all[:keep] {
			r.m[e.Key] = e.Count
		}
	}
}

// TestTopKMatchesMap: random adds, merges, adoptions and resets leave the indexed table holding what a Go map
// pruned the same way holds, with the same bound, whether the hash spreads the keys or piles them up (long
// probe runs, equal tags) and through the index's growth, its rebuilds after prunes, and reuse after reset.
func TestTopKMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	hashes := map[string]func(akey, uint64) uint64{
		"spread": akey.hash,
		"piled":  func(k akey, _ uint64) uint64 { return k.lo % 5 },              // 5 home slots, tags all 0
		"tagged": func(k akey, _ uint64) uint64 { return (k.lo%3)<<40 | k.lo%7 }, // few homes, few tags
	}
	for name, hash := range hashes {
		for trial := range 30 {
			capacity := []int{16, 100, 1000}[trial%3]
			tk := newTopK(capacity, akey.compare, hash)
			ref := &refTopK{m: map[akey]int64{}, cap: max(capacity, 16)}
			keys := uint64([]int{20, 300, 5000}[rng.IntN(3)])
			key := func() akey { return akey{rng.Uint64N(2), rng.Uint64N(keys)} }
			for op := range 150 {
				switch r := rng.IntN(10); {
				case r < 5:
					k, w := key(), int64(rng.IntN(5)+1)
					tk.Add(k, w)
					ref.merge([]Entry[akey]{{k, w}}, 0)
				case r < 7:
					es := make([]Entry[akey], rng.IntN(3*capacity))
					for i := range es {
						es[i] = Entry[akey]{key(), int64(rng.IntN(5) + 1)}
					}
					bound := int64(rng.IntN(3))
					tk.mergeEntries(es, bound)
					ref.merge(es, bound)
				case r < 9:
					// Distinct keys, as a unit's list: adopted when tk is empty.
					seen := map[akey]bool{}
					var es []Entry[akey]
					for range rng.IntN(2 * capacity) {
						if k := key(); !seen[k] {
							seen[k] = true
							es = append(es, Entry[akey]{k, int64(rng.IntN(5) + 1)})
						}
					}
					tk.adopt(slices.Clone(es), 1)
					ref.merge(es, 1)
				default:
					tk.reset()
					clear(ref.m)
					ref.errBound = 0
				}
				if got := tk.counts(); !maps.Equal(got, ref.m) || tk.Len() != len(ref.m) || tk.ErrBound != ref.errBound {
					t.Fatalf("%s trial %d op %d: %d keys (%d distinct) bound %d, want %d keys bound %d",
						name, trial, op, tk.Len(), len(got), tk.ErrBound, len(ref.m), ref.errBound)
				}
			}
		}
	}
}
