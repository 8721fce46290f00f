package analyze

import (
	"cmp"
	"slices"
)

// TopK counts weights per key in at most Cap entries. While the number of distinct keys stays under Cap the
// counts are exact; past it the table is pruned to the heaviest half and ErrBound grows by the heaviest count
// dropped, so every reported count is low by at most ErrBound (the Misra-Gries guarantee, amortised O(1) per Add).
// Keys tied at the cut are kept in key order (compare), never in map order: the same adds in the same order
// give the same table.
type TopK[K comparable] struct {
	m map[K]int64
	// flat holds counts not in m: distinct keys, none of them in m (adopt). Every method but Top, TopWith and
	// each moves them into m first (settle).
	flat     []Entry[K]
	cap      int
	compare  func(a, b K) int
	ErrBound int64
}

// NewTopK returns a table holding at most capacity keys (minimum 16); compare orders keys, for ties.
func NewTopK[K comparable](capacity int, compare func(a, b K) int) *TopK[K] {
	capacity = max(capacity, 16)
	return &TopK[K]{m: make(map[K]int64, min(capacity, 1024)), cap: capacity, compare: compare}
}

// Add adds w to k's count.
func (t *TopK[K]) Add(k K, w int64) {
	if len(t.flat) > 0 {
		t.settle()
	}
	t.m[k] += w
	if len(t.m) > t.cap {
		t.prune(t.cap / 2)
	}
}

func (t *TopK[K]) prune(keep int) {
	t.settle()
	if len(t.m) <= keep {
		return
	}
	// Selecting the keep first entries, not sorting them all, keeps the same ones: the order is total (keys
	// are distinct), so the entry at index keep is the same however the others are arranged.
	es := t.entries()
	selectEntries(es, keep, t.compare)
	t.ErrBound += es[keep].Count // the heaviest count dropped
	if keep < len(es)/2 {
		// Most entries go: emptying the map and putting back the kept ones costs fewer map operations than
		// deleting the others, and leaves no deleted slots behind to fill the map early (and rehash it).
		clear(t.m)
		for _, e := range es[:keep] {
			t.m[e.Key] = e.Count
		}
		return
	}
	for _, e := range es[keep:] {
		delete(t.m, e.Key)
	}
}

// entries returns the entries in map order.
func (t *TopK[K]) entries() []Entry[K] {
	t.settle()
	out := make([]Entry[K], 0, len(t.m))
	for k, v := range t.m {
		out = append(out, Entry[K]{k, v})
	}
	return out
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
	t.settle()
	o.settle()
	for k, v := range o.m {
		t.m[k] += v
	}
	t.ErrBound += o.ErrBound
	if len(t.m) > t.cap {
		t.prune(t.cap / 2)
	}
}

// mergeEntries adds es (with their error bound) into t, then prunes once if t is over capacity.
func (t *TopK[K]) mergeEntries(es []Entry[K], errBound int64) {
	if len(es) == 0 && t.Len() <= t.cap {
		// Nothing to add (a shard's tables at Finish, emptied by its last part): adopted counts stay as they are.
		t.ErrBound += errBound
		return
	}
	t.settle()
	if len(t.m) == 0 && len(es) > 1024 {
		// Into an empty table (the first unit merged, often the only one): sized once, where growing from the
		// initial size would rehash it several times.
		t.m = make(map[K]int64, min(len(es), t.cap+1))
	}
	for _, e := range es {
		t.m[e.Key] += e.Count
	}
	t.ErrBound += errBound
	if len(t.m) > t.cap {
		t.prune(t.cap / 2)
	}
}

// reset empties t.
func (t *TopK[K]) reset() {
	t.flat = nil
	clear(t.m)
	t.ErrBound = 0
}

// Len is the number of keys held.
func (t *TopK[K]) Len() int { return len(t.m) + len(t.flat) }

// adopt is mergeEntries of entries whose keys are distinct, into t: when t is empty (the first unit merged,
// often the only one) es becomes t's counts as they are, pruned the same way if over capacity, without a map
// insert each (t owns es after). Otherwise it is mergeEntries.
func (t *TopK[K]) adopt(es []Entry[K], errBound int64) {
	if len(t.m) > 0 || len(t.flat) > 0 {
		t.mergeEntries(es, errBound)
		return
	}
	t.flat = es
	t.ErrBound += errBound
	if keep := t.cap / 2; len(es) > t.cap {
		// As prune: the keep first in the (total) order stay, the bound grows by the heaviest dropped.
		selectEntries(es, keep, t.compare)
		t.ErrBound += es[keep].Count
		t.flat = es[:keep]
	}
}

// settle moves the adopted counts into the map.
func (t *TopK[K]) settle() {
	if len(t.flat) == 0 {
		return
	}
	if len(t.m) == 0 && len(t.flat) > 1024 {
		t.m = make(map[K]int64, min(len(t.flat), t.cap+1))
	}
	for _, e := range t.flat {
		t.m[e.Key] += e.Count
	}
	t.flat = nil
}

// each calls f for every key and count, in no order.
func (t *TopK[K]) each(f func(k K, v int64)) {
	for k, v := range t.m {
		f(k, v)
	}
	for _, e := range t.flat {
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
		for k, v := range t.m {
			b.offer(Entry[K]{k, v})
		}
		for _, e := range t.flat {
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
