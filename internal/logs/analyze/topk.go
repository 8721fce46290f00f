package analyze

import (
	"cmp"
	"hash/maphash"
	"math/rand/v2"
	"slices"
)

// TopK counts weights per key in at most Cap entries. While the number of distinct keys stays under Cap the
// counts are exact; past it the table is pruned to the heaviest half and ErrBound grows by the heaviest count
// dropped, so every reported count is low by at most ErrBound (the Misra-Gries guarantee, amortised O(1) per Add).
// Keys tied at the cut are kept in key order (compare), never in table order: the same adds give the same
// table, whatever order they come in within a merge.
//
// The counts are a dense list (es), found by an open-addressing index of their positions, not a Go map: the
// merges of whole tables (EndPart, topTables.merge) put tens of thousands of keys in at a time, and a map grew
// (new tables, rehashes) and was emptied again at every prune. Here pruning selects in the list itself, the
// index is rebuilt from the kept entries, and both keep their memory: at most Cap keys plus the largest merge
// (a unit's list, at most twice Cap) in es, and 4 B for each of 2 to 4 slots per key in index.
type TopK[K comparable] struct {
	es []Entry[K]
	// index has a power of two slots (at least twice len(es): linear probing at load ≤ 1/2): 0 is empty,
	// else the low bits (log2 len(index)) are a position in es plus one, and the high bits are the key's hash
	// above them (a tag, which rules out most other keys without reading their entry). Only es[:ixd] are in
	// it; the rest (adopted distinct keys, or all of them after a prune) are put in by settle when needed.
	index   []uint32
	ixd     int
	stale   bool // index holds slots of entries no longer there: cleared by settle
	hash    func(k K, seed uint64) uint64
	seed    uint64 // random per table: keys chosen to collide in one run do not in another
	cap     int
	compare func(a, b K) int
	// ErrBound bounds how low any count is: the heaviest count dropped by each prune, summed (merges add theirs).
	ErrBound int64
}

// NewTopK returns a table holding at most capacity keys (minimum 16); compare orders keys, for ties.
func NewTopK[K comparable](capacity int, compare func(a, b K) int) *TopK[K] {
	seed := maphash.MakeSeed()
	return newTopK(capacity, compare, func(k K, _ uint64) uint64 { return maphash.Comparable(seed, k) })
}

// newTopK is NewTopK with a hash of the keys (seeded by its second argument; it must spread every bit).
func newTopK[K comparable](capacity int, compare func(a, b K) int, hash func(k K, seed uint64) uint64) *TopK[K] {
	return &TopK[K]{cap: max(capacity, 16), compare: compare, hash: hash, seed: rand.Uint64()}
}

// Add adds w to k's count.
func (t *TopK[K]) Add(k K, w int64) {
	t.reserve(1)
	t.add(k, w)
	t.bound()
}

// bound prunes t to the heaviest half of its capacity if it holds more keys than that capacity.
func (t *TopK[K]) bound() {
	if len(t.es) > t.cap {
		t.prune(t.cap / 2)
	}
}

// reserve readies the index for n more keys: the adopted ones put in, and room for load ≤ 1/2.
func (t *TopK[K]) reserve(n int) {
	need := 2 * (len(t.es) + n)
	if need > len(t.index) {
		size := max(len(t.index), 64)
		for size < need {
			size <<= 1
		}
		t.index, t.ixd, t.stale = make([]uint32, size), 0, false
	}
	t.settle()
}

// settle puts the entries not yet in the index in (distinct keys, none of them in it).
func (t *TopK[K]) settle() {
	if t.stale {
		clear(t.index)
		t.stale = false
	}
	if t.ixd == len(t.es) {
		return
	}
	mask := uint32(len(t.index) - 1)
	for j := t.ixd; j < len(t.es); j++ {
		h := t.hash(t.es[j].Key, t.seed)
		i := uint32(h) & mask
		for t.index[i] != 0 {
			i = (i + 1) & mask
		}
		t.index[i] = uint32(j+1) | uint32(h>>32)&^mask
	}
	t.ixd = len(t.es)
}

// add adds w to k's count, without pruning; reserve(1) or more first.
func (t *TopK[K]) add(k K, w int64) {
	h := t.hash(k, t.seed)
	mask := uint32(len(t.index) - 1)
	tag := uint32(h>>32) &^ mask
	i := uint32(h) & mask
	for {
		s := t.index[i]
		if s == 0 {
			t.es = append(t.es, Entry[K]{k, w})
			t.index[i] = uint32(len(t.es)) | tag
			t.ixd = len(t.es)
			return
		}
		if s&^mask == tag {
			if e := &t.es[s&mask-1]; e.Key == k {
				e.Count += w
				return
			}
		}
		i = (i + 1) & mask
	}
}

func (t *TopK[K]) prune(keep int) {
	if len(t.es) <= keep {
		return
	}
	// Selecting the keep first entries, not sorting them all, keeps the same ones: the order is total (keys
	// are distinct), so the entry at index keep is the same however the others are arranged.
	selectEntries(t.es, keep, t.compare)
	t.ErrBound += t.es[keep].Count // the heaviest count dropped
	t.truncate(keep)
}

// truncate keeps es[:n]: the index is rebuilt from them when next needed.
func (t *TopK[K]) truncate(n int) {
	t.es = t.es[:n]
	t.stale = t.stale || t.ixd > 0
	t.ixd = 0
}

// entries returns a copy of the entries, in no order.
func (t *TopK[K]) entries() []Entry[K] {
	return slices.Clone(t.es)
}

// order is the lists' order (entryOrder).
func (t *TopK[K]) order(a, b Entry[K]) int { return entryOrder(a, b, t.compare) }

// entryOrder is the lists' order: heaviest first, ties in key order by compare.
func entryOrder[K any](a, b Entry[K], compare func(a, b K) int) int {
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	return compare(a.Key, b.Key)
}

// selectEntries reorders es so that es[k] is the entry that would be at index k if es were sorted in the
// lists' order (heaviest first, ties in key order by compare: a total order), every entry before it ordered
// before it and every entry after it after it (quickselect: O(len(es)) on average, where sorting them all is
// O(n log n)). The counts are compared here, inline: compare is called for ties only.
func selectEntries[K any](es []Entry[K], k int, compare func(a, b K) int) {
	before := func(a, b Entry[K]) bool { return a.Count > b.Count || a.Count == b.Count && compare(a.Key, b.Key) < 0 }
	lo, hi := 0, len(es)-1
	for hi-lo >= 16 {
		mid := lo + (hi-lo)/2
		if before(es[mid], es[lo]) {
			es[mid], es[lo] = es[lo], es[mid]
		}
		if before(es[hi], es[lo]) {
			es[hi], es[lo] = es[lo], es[hi]
		}
		if before(es[hi], es[mid]) {
			es[hi], es[mid] = es[mid], es[hi]
		}
		p := es[mid]
		i, j := lo, hi
		for i <= j {
			for before(es[i], p) {
				i++
			}
			for before(p, es[j]) {
				j--
			}
			if i <= j {
				es[i], es[j] = es[j], es[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return // es[k] sits between the two parts: it is the pivot
		}
	}
	if lo < hi {
		slices.SortFunc(es[lo:hi+1], func(a, b Entry[K]) int { return entryOrder(a, b, compare) })
	}
}

// Merge adds o's counts into t.
func (t *TopK[K]) Merge(o *TopK[K]) {
	t.mergeEntries(o.es, o.ErrBound)
}

// mergeEntries adds es (with their error bound) into t, then prunes once if t is over capacity.
func (t *TopK[K]) mergeEntries(es []Entry[K], errBound int64) {
	if len(es) > 0 {
		t.reserve(len(es))
		for _, e := range es {
			t.add(e.Key, e.Count)
		}
	}
	t.ErrBound += errBound
	t.bound()
}

// reset empties t (keeping its memory).
func (t *TopK[K]) reset() {
	t.truncate(0)
	t.ErrBound = 0
}

// Len is the number of keys held.
func (t *TopK[K]) Len() int { return len(t.es) }

// adopt is mergeEntries of entries whose keys are distinct, into t: when t is empty (the first unit merged,
// often the only one) es becomes t's counts as they are, pruned the same way if over capacity, and goes in the
// index only if keys are added later (t owns es after). Otherwise it is mergeEntries.
func (t *TopK[K]) adopt(es []Entry[K], errBound int64) {
	if len(t.es) > 0 {
		t.mergeEntries(es, errBound)
		return
	}
	t.truncate(0)
	t.es = es
	t.ErrBound += errBound
	t.bound()
}

// each calls f for every key and count, in no order.
func (t *TopK[K]) each(f func(k K, v int64)) {
	for _, e := range t.es {
		f(e.Key, e.Count)
	}
}

// Entry is one key and its count.
type Entry[K any] struct {
	Key   K
	Count int64
}

// Top returns the n heaviest keys, heaviest first; ties are broken by key order.
func (t *TopK[K]) Top(n int) []Entry[K] {
	if n <= topFew {
		var b best[K]
		b.init(t, n)
		for _, e := range t.es {
			b.offer(e)
		}
		return b.es
	}
	return topEntries(t.entries(), n, t.compare)
}

// topEntries is the n first of es in the lists' order (entryOrder), sorted; es is reordered.
func topEntries[K any](es []Entry[K], n int, compare func(a, b K) int) []Entry[K] {
	if len(es) > n {
		selectEntries(es, n, compare) // the n first, then only they are sorted
		es = es[:n]
	}
	slices.SortFunc(es, func(a, b Entry[K]) int { return entryOrder(a, b, compare) })
	return es
}

// topFew is the longest list Top keeps by insertion (best) rather than by selecting among all the entries.
const topFew = 64

// best keeps the n first entries offered, in t's order, by insertion: a report's lists are a few rows long,
// and most of the thousands of entries offered are lighter than the last row, which one comparison of counts
// tells (no call). The order is total (keys are distinct), so the rows are the same as selecting and sorting
// all the entries would give.
type best[K comparable] struct {
	t  *TopK[K]
	n  int
	es []Entry[K]
}

func (b *best[K]) init(t *TopK[K], n int) {
	b.t, b.n, b.es = t, max(n, 0), make([]Entry[K], 0, max(n, 0))
}

func (b *best[K]) offer(e Entry[K]) {
	if len(b.es) == b.n {
		if b.n == 0 {
			return
		}
		last := b.es[b.n-1]
		if e.Count < last.Count || e.Count == last.Count && b.t.compare(e.Key, last.Key) > 0 {
			return
		}
		b.es = b.es[:b.n-1]
	}
	i := len(b.es)
	b.es = append(b.es, e)
	for ; i > 0 && b.t.order(e, b.es[i-1]) < 0; i-- {
		b.es[i] = b.es[i-1]
	}
	b.es[i] = e
}
