package analyze

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refSelect is what selectSlots must leave in a[:k], by sorting: the k first entries of a stable sort of a by
// count, descending (the heavier ones, then the ties at the cut in a's order), in a's order; and the cut, the
// count at index k of that sort.
func refSelect(a []slot64, k int) ([]slot64, int64) {
	idx := make([]int, len(a))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(a[y].v, a[x].v) })
	kept := idx[:k:k]
	slices.Sort(kept) // back to a's order
	out := make([]slot64, k)
	for j, i := range kept {
		out[j] = a[i]
	}
	return out, a[idx[k]].v
}

// checkSelect runs selectSlots on a copy of counts (the keys are the indices) and compares it to refSelect.
func checkSelect(t *testing.T, counts []int64, k int) {
	t.Helper()
	a := make([]slot64, len(counts))
	for i, v := range counts {
		a[i] = slot64{uint64(i), v}
	}
	want, wantCut := refSelect(a, k)
	cut := selectSlots(a, k)
	if cut != wantCut || !slices.Equal(a[:k], want) {
		t.Fatalf("n=%d k=%d: cut %d, want %d; kept %v, want %v (counts %v)", len(counts), k, cut, wantCut,
			a[:min(k, 20)], want[:min(k, 20)], counts[:min(len(counts), 40)])
	}
}

// TestSelectSlots compares selectSlots with the sort on counts that take each of its paths: small counts (the
// first histogram exact), ties (all, or most at the cut), distinct counts, heavy tails and byte-like counts
// over many octaves (refined once or more), counts near the int64 limits and counts ≤ 0 (a sum that wrapped),
// and keep 0, 1, half and len-1.
func TestSelectSlots(t *testing.T) {
	rng := rand.New(rand.NewPCG(26, 2))
	gens := map[string]func(i, n int) int64{
		"ones":        func(int, int) int64 { return 1 },
		"tied-big":    func(int, int) int64 { return 1 << 40 },
		"small":       func(int, int) int64 { return rng.Int64N(4) + 1 },
		"mostly-ones": func(int, int) int64 { return max(1, int64(rng.ExpFloat64()*0.3)) },
		"distinct":    func(i, n int) int64 { return int64((i*7919)%n + 1) },
		"past-exact":  func(int, int) int64 { return rng.Int64N(200) + 1 },
		"bytes":       func(int, int) int64 { return int64(math.Exp(rng.NormFloat64()*2+10)) + 1 },
		"heavy-tail":  func(int, int) int64 { return int64(1 / (rng.Float64() + 1e-12)) },
		"wide":        func(int, int) int64 { return rng.Int64() + 1 },
		"extremes": func(int, int) int64 {
			return []int64{math.MaxInt64, math.MaxInt64 - 1, 1, math.MinInt64, -1, 0, 1 << 62}[rng.IntN(7)]
		},
		"signed":        func(int, int) int64 { return int64(rng.Uint64()) },
		"one-bucket":    func(int, int) int64 { return 1<<30 + rng.Int64N(1<<24) },
		"two-values":    func(int, int) int64 { return 1<<33 + rng.Int64N(2) },
		"adjacent-runs": func(i, n int) int64 { return int64(1000 + i*8/n) },
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 3, 17, 64, 65, 1000, 16385} {
			counts := make([]int64, n)
			for i := range counts {
				counts[i] = gen(i, n)
			}
			for _, k := range []int{0, 1, n / 2, n - 1, rng.IntN(n)} {
				if k < n {
					t.Run(name, func(t *testing.T) { checkSelect(t, counts, k) })
				}
			}
		}
	}
}

// FuzzSelectSlots: selectSlots agrees with the sort on any counts. The bytes are counts of 1, 2 or 8 bytes
// (the first byte's low bits say which), so small ties, mid-range values and full int64s all come up.
func FuzzSelectSlots(f *testing.F) {
	f.Add([]byte{0, 1, 1, 1, 1, 1}, uint16(2))
	f.Add([]byte{1, 0xff, 0xff, 0x10, 0x00, 0x10, 0x01, 0x0f, 0xff}, uint16(1))
	f.Add(append([]byte{2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x80}, make([]byte, 8)...),
		uint16(1)) // the largest count, the smallest, 0
	f.Add([]byte{3, 5, 5, 5, 200, 7, 5, 9, 5}, uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, k uint16) {
		if len(data) < 2 {
			return
		}
		mode, data := data[0], data[1:]
		var counts []int64
		for len(data) > 0 {
			switch mode & 3 {
			case 0: // one byte: ties galore
				counts = append(counts, int64(data[0]))
				data = data[1:]
			case 1: // two bytes, scaled: a range refined once
				if len(data) < 2 {
					data = nil
					break
				}
				counts = append(counts, int64(binary.LittleEndian.Uint16(data))<<(mode>>2&31))
				data = data[2:]
			default: // eight bytes: any int64
				if len(data) < 8 {
					data = nil
					break
				}
				counts = append(counts, int64(binary.LittleEndian.Uint64(data)))
				data = data[8:]
			}
		}
		if len(counts) == 0 {
			return
		}
		checkSelect(t, counts, int(k)%len(counts))
	})
}
