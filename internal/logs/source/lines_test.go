package source

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// lineEndsBoth runs the vector loop and the generic one on the same input and fails on any difference.
func lineEndsBoth(t testing.TB, data []byte, from, room int) {
	t.Helper()
	want, wn, wends := lineEndsGeneric(data, from, make([]uint32, 0, room))
	got, gn, gends := lineEndsVector(data, from, make([]uint32, 0, room))
	if got != want || gn != wn || !slices.Equal(gends, wends) {
		t.Fatalf("lineEnds(%q, from %d, room %d) = %d, %d, %v; generic %d, %d, %v", data, from, room, got, gn, gends, want, wn, wends)
	}
	// The offsets are those of newlines, in order, the first ones from from; the count covers data[from:stop].
	for i, e := range wends {
		if data[e] != '\n' || i > 0 && e <= wends[i-1] || int(e) < from {
			t.Fatalf("end %d at %d is not the next newline", i, e)
		}
	}
	if n := countNL(data[from:want]); n != wn {
		t.Fatalf("count %d, want %d newlines before %d", wn, n, want)
	}
	if want < len(data) && (want == 0 || data[want-1] != '\n' || !headStart(data[want])) {
		t.Fatalf("stop %d does not start a possible header line", want)
	}
}

func countNL(b []byte) (n int) {
	for _, c := range b {
		if c == '\n' {
			n++
		}
	}
	return n
}

// The vector loop finds, counts and keeps exactly the newlines the generic one does, and stops at the same
// possible header line: every length around the 64- and 32-byte blocks, newlines at every position, every start,
// ends arrays that fill up mid-block.
func TestLineEndsMatchGeneric(t *testing.T) {
	if !lineEndsVec {
		t.Log("no vector loop on this processor: the generic one is compared with itself")
	}
	alphabet := []byte("0123456789 .-ACEPTRJ\n\n\n\nabz{`@\t\r")
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 200; n++ {
		for k := 0; k < 30; k++ {
			data := make([]byte, n)
			for i := range data {
				data[i] = alphabet[rng.IntN(len(alphabet))]
			}
			from := 0
			if n > 0 {
				from = rng.IntN(n + 1)
			}
			lineEndsBoth(t, data, from, rng.IntN(8))
			lineEndsBoth(t, data, from, n)
		}
	}
	// Records without a possible header start: the whole input in one call, newlines at every offset.
	for n := 1; n <= 100; n++ {
		data := make([]byte, 300)
		for i := range data {
			data[i] = '1'
			if i%n == n-1 {
				data[i] = '\n'
			}
		}
		lineEndsBoth(t, data, 0, 1000)
		lineEndsBoth(t, data, 0, 3)
	}
}

// FuzzLineEnds compares the vector loop with the generic one on any input.
func FuzzLineEnds(f *testing.F) {
	f.Add([]byte("2 123 eni-1\n2 456 eni-2\nversion srcaddr\n"), 0, 4)
	f.Add([]byte("\n\n\na\n \n\tb\n"), 1, 2)
	f.Fuzz(func(t *testing.T, data []byte, from, room int) {
		if from < 0 || from > len(data) || room < 0 || room > 1<<16 {
			return
		}
		lineEndsBoth(t, data, from, room)
	})
}
