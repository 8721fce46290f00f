package flowlog

import (
	"math/rand/v2"
	"testing"
)

// refMasks is lineMasks computed one byte at a time: what every classify must produce.
func refMasks(line []byte) lineMasks {
	var m lineMasks
	for j := range len(m.sp) * 64 {
		w, bit := j>>6, uint64(1)<<uint(j&63)
		if j >= len(line) || line[j] == ' ' {
			m.sp[w] |= bit
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
				m.sp[w] = rng.Uint64()
			}
			classifyGeneric(&m, line)
			if want := refMasks(line); m != want {
				t.Fatalf("len %d %q:\n got %x %v\nwant %x", n, line, m.sp, m.pair, want.sp)
			}
		}
	}
}
