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
	m        map[K]int64
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
	t.m[k] += w
	if len(t.m) > t.cap {
		t.prune(t.cap / 2)
	}
}

func (t *TopK[K]) prune(keep int) {
	es := t.sorted()
	if len(es) <= keep {
		return
	}
	t.ErrBound += es[keep].Count // the heaviest count dropped
	for _, e := range es[keep:] {
		delete(t.m, e.Key)
	}
}

// sorted returns the entries heaviest first, ties in key order.
func (t *TopK[K]) sorted() []Entry[K] {
	out := make([]Entry[K], 0, len(t.m))
	for k, v := range t.m {
		out = append(out, Entry[K]{k, v})
	}
	slices.SortFunc(out, func(a, b Entry[K]) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return t.compare(a.Key, b.Key)
	})
	return out
}

// Merge adds o's counts into t.
func (t *TopK[K]) Merge(o *TopK[K]) {
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
	clear(t.m)
	t.ErrBound = 0
}

// Len is the number of keys held.
func (t *TopK[K]) Len() int { return len(t.m) }

// Entry is one key and its count.
type Entry[K any] struct {
	Key   K
	Count int64
}

// Top returns the n heaviest keys, heaviest first; ties are broken by key order.
func (t *TopK[K]) Top(n int) []Entry[K] {
	out := t.sorted()
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// nthLargest returns the value that would be at index k if a were sorted in descending order (quickselect,
// O(len(a)) on average, so pruning costs O(1) amortised per Add). It reorders a.
func nthLargest(a []int64, k int) int64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		// median of three as pivot
		mid := lo + (hi-lo)/2
		x, y, z := a[lo], a[mid], a[hi]
		p := max(min(x, y), min(max(x, y), z))
		i, j := lo, hi
		for i <= j {
			for a[i] > p {
				i++
			}
			for a[j] < p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
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
			return a[k]
		}
	}
	return a[k]
}
