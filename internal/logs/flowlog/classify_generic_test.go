package flowlog

import (
	"math/rand/v2"
	"testing"
)

// refMasks is lineMasks computed one byte at a time: what every classify must produce.
func refMasks(line []byte) lineMasks {
	var m lineMasks
	for j := range maskWords * 64 {
		w, bit := j>>6, uint64(1)<<uint(j&63)
		if j >= len(line) || line[j] == ' ' {
			m.sp[w] |= bit
		}
		if j >= len(line) || line[j] < '0' || line[j] > '9' {
			m.nd[w] |= bit
		}
	}
	return m
}

func TestClassifyGenericMatchesBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(" 0123456789.-/:aZ\x00\xff\x7f\x80\x2f\x3a\x20\x1f")
	for n := 0; n <= maskWords*64; n++ {
		for range 4 {
			line := make([]byte, n)
			for j := range line {
				line[j] = alphabet[rng.IntN(len(alphabet))]
			}
			// Prior contents must not matter.
			m := lineMasks{}
			for w := range m.sp {
				m.sp[w], m.nd[w] = rng.Uint64(), rng.Uint64()
			}
			classifyGeneric(&m, line)
			if want := refMasks(line); m != want {
				t.Fatalf("len %d %q:\n got %x\nwant %x", n, line, m, want)
			}
		}
	}
}

func TestMaskBitsAndNextSet(t *testing.T) {
	line := []byte("2 123456789012 eni-0a 10.0.0.1 ")
	for len(line) < 200 {
		line = append(line, "42 "...)
	}
	m := refMasks(line)
	for i := range len(line) {
		want := nextSpaceRef(line, i)
		if got := nextSet(&m.sp, i); got != want {
			t.Fatalf("nextSet(%d) = %d, want %d", i, got, want)
		}
		for k := 0; k <= 64 && i+k <= len(line); k++ {
			var want uint64
			for j := range k {
				if line[i+j] < '0' || line[i+j] > '9' {
					want |= 1 << uint(j)
				}
			}
			if got := maskBits(&m.nd, i, k); got != want {
				t.Fatalf("maskBits(%d, %d) = %b, want %b", i, k, got, want)
			}
		}
	}
	if got := nextSet(&m.sp, maskWords*64-1); got != maskWords*64-1 {
		t.Fatalf("past the end: %d", got)
	}
}

func nextSpaceRef(line []byte, i int) int {
	for ; i < len(line); i++ {
		if line[i] == ' ' {
			return i
		}
	}
	return i
}
