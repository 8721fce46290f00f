package analyze

import (
	"cmp"
	"slices"
)

// TopK counts weights per key in at most Cap entries. While the number of distinct keys stays under Cap the
// counts are exact; past it the table is pruned to the heaviest half and ErrBound grows by the heaviest count
// dropped, so every reported count is low by at most ErrBound (the Misra-Gries guarantee, amortised O(1) per Add).
type TopK[K comparable] struct {
	m        map[K]int64
	cap      int
	ErrBound int64
}

// NewTopK returns a table holding at most capacity keys (minimum 16).
func NewTopK[K comparable](capacity int) *TopK[K] {
	capacity = max(capacity, 16)
	return &TopK[K]{m: make(map[K]int64, min(capacity, 1024)), cap: capacity}
}

// Add adds w to k's count.
func (t *TopK[K]) Add(k K, w int64) {
	t.m[k] += w
	if len(t.m) > t.cap {
		t.prune(t.cap / 2)
	}
}

func (t *TopK[K]) prune(keep int) {
	counts := make([]int64, 0, len(t.m))
	for _, v := range t.m {
		counts = append(counts, v)
	}
	cut := nthLargest(counts, keep) // heaviest count that may be dropped
	t.ErrBound += cut
	kept := 0
	for k, v := range t.m {
		if v < cut || (v == cut && kept >= keep) {
			delete(t.m, k)
		} else {
			kept++
		}
	}
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

// Len is the number of keys held.
func (t *TopK[K]) Len() int { return len(t.m) }

// Entry is one key and its count.
type Entry[K any] struct {
	Key   K
	Count int64
}

// Top returns the n heaviest keys, heaviest first; ties are broken by less.
func (t *TopK[K]) Top(n int, less func(a, b K) int) []Entry[K] {
	out := make([]Entry[K], 0, len(t.m))
	for k, v := range t.m {
		out = append(out, Entry[K]{k, v})
	}
	slices.SortFunc(out, func(a, b Entry[K]) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return less(a.Key, b.Key)
	})
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
