package flowlog

import (
	"encoding/binary"
	"math/bits"
)

// maskWords × 64 is the longest line the masked parser classifies; longer lines take the general path.
const maskWords = 8

// lineMasks classifies a line's bytes once, one bit per byte (line[j] is bit j%64 of word j/64), so that the
// parser finds field ends and checks digits with a few mask operations per field instead of a pass over each
// field's bytes. sp has the bits of ' ' bytes, nd the bits of bytes that are not ASCII digits. Every bit at
// and past the line's end is set in both (the line ends like a field, and nothing there is a digit).
type lineMasks struct {
	sp, nd [maskWords]uint64
}

// classify fills m for line, which is at most maskWords×64 bytes long.
func (m *lineMasks) classify(line []byte) { classifyImpl(m, line) }

// classifyImpl is classifyGeneric, or a vector version where the processor has one (classify_amd64.go).
var classifyImpl = classifyGeneric

// classifyGeneric is the portable classify: eight bytes per step (SWAR), the last few one at a time.
func classifyGeneric(m *lineMasks, line []byte) {
	if len(line) > maskWords*64 {
		panic("flowlog: classify: line too long")
	}
	for w := range m.sp {
		m.sp[w], m.nd[w] = ^uint64(0), ^uint64(0)
	}
	i := 0
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:])
		w, s := i>>6, uint(i&63)
		m.sp[w] = m.sp[w]&^(0xFF<<s) | spaces8(x)<<s
		m.nd[w] = m.nd[w]&^(0xFF<<s) | nonDigits8(x)<<s
	}
	for ; i < len(line); i++ {
		w, bit := i>>6, uint64(1)<<uint(i&63)
		if line[i] != ' ' {
			m.sp[w] &^= bit
		}
		if c := line[i]; c >= '0' && c <= '9' {
			m.nd[w] &^= bit
		}
	}
}

// spaces8 has bit j set iff byte j of x (little-endian order) is ' '.
func spaces8(x uint64) uint64 {
	y := x ^ (' ' * ones)
	t := ^(((y &^ highs) + ^uint64(highs)) | y) & highs // exact: high bit of a byte set iff y's byte is 0
	return (t >> 7) * 0x0102040810204080 >> 56
}

// maskBits returns the k bits (k <= 64) of a line mask from bit i on, in the low bits.
func maskBits(m *[maskWords]uint64, i, k int) uint64 {
	w, s := i>>6, uint(i&63)
	v := m[w] >> s
	if s != 0 && w+1 < maskWords {
		v |= m[w+1] << (64 - s)
	}
	if k < 64 {
		v &= 1<<uint(k) - 1
	}
	return v
}

// nextSet returns the index of the first set bit of m at or after i, or maskWords×64 when there is none.
func nextSet(m *[maskWords]uint64, i int) int {
	for w := i >> 6; w < maskWords; w++ {
		v := m[w]
		if w == i>>6 {
			v &= ^uint64(0) << uint(i&63)
		}
		if v != 0 {
			return w<<6 + bits.TrailingZeros64(v)
		}
	}
	return maskWords * 64
}
