package analyze

import (
	"encoding/binary"
	"maps"
	"math/rand/v2"
	"testing"
)

// checkMinutes counts the minutes in order in a minutes window, through bucket at a second within each
// minute, and in a plain map (what the shard kept before) and fails unless each gives the same buckets.
func checkMinutes(t *testing.T, ms []int64) {
	t.Helper()
	var h minutes
	ref := map[int64]Bucket{}
	for i, m := range ms {
		b := h.bucket(m*60 + int64(i*7%60))
		if b != h.at(m) {
			t.Fatalf("record %d: bucket of minute %d is not the window's", i, m)
		}
		b.Records++
		b.Bytes += int64(i)
		r := ref[m]
		r.Records++
		r.Bytes += int64(i)
		ref[m] = r
		if len(h.win) > windowMinutes {
			t.Fatalf("window of %d minutes", len(h.win))
		}
	}
	got := map[int64]Bucket{}
	h.each(func(m int64, b *Bucket) {
		if _, dup := got[m]; dup {
			t.Fatalf("minute %d counted twice", m)
		}
		got[m] = *b
	})
	if !maps.Equal(got, ref) {
		t.Fatalf("minutes differ from a map's: %d minutes, want %d", len(got), len(ref))
	}
}

// TestMinutesSameAsMap: the dense window with its map for far minutes counts as the map alone did, in
// order, out of order, spread past the window, and far apart.
func TestMinutesSameAsMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 300 {
		base := rng.Int64N(1 << 28)
		spread := []int64{1, 60, 3000, 5000, 50_000, 1 << 28}[trial%6]
		ms := make([]int64, rng.IntN(5000))
		for i := range ms {
			switch trial % 3 {
			case 0: // rising with jitter, as a file is
				ms[i] = base + int64(i)*spread/int64(len(ms)) + rng.Int64N(5)
			default:
				ms[i] = base + rng.Int64N(spread)
			}
		}
		checkMinutes(t, ms)
	}
}

// FuzzMinutes: any sequence of minutes (8 bytes each, within the parser's range of times) counts the same
// in the window as in a map.
func FuzzMinutes(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ms []int64
		for len(data) >= 8 {
			ms = append(ms, int64(binary.LittleEndian.Uint64(data)%(253402300799/60+1)))
			data = data[8:]
		}
		checkMinutes(t, ms)
	})
}
