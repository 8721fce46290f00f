package flowlog

import "encoding/binary"

// maskWords × 64 is the longest line the masked parser classifies; longer lines take the general path.
const maskWords = 8

// lineMasks classifies a line's bytes once, one bit per byte (line[j] is bit j%64 of word j/64), so that the
// parser finds field ends with a few mask operations per field instead of a pass over each field's bytes.
// sp has the bits of ' ' bytes; every bit at and past the line's end is set (the line ends like a field),
// up to an extra word that is always all ones: a column past the end of a line of maskWords×64 bytes finds a
// set bit in it, so the masked parser's search for the next set bit needs no bound.
type lineMasks struct {
	sp [maskWords + 1]uint64
	// pair is columns 3 and 4 (srcaddr and dstaddr in the VPC formats) read as IPv4 addresses by the vector
	// classify when it is given the line's padded bytes (classifyVecAsm) and both are addresses that end in
	// the first mask word; zero otherwise. It saves parseV5Masked a call.
	pair struct {
		a0, a1 uint32
		ok     bool
	}
}

// classify fills m for line, which is at most maskWords×64 bytes long.
func (m *lineMasks) classify(line []byte) { classifyImpl(m, line) }

// classifyImpl is classifyGeneric, or a vector version where the processor has one (classify_amd64.go).
var classifyImpl = classifyGeneric

// classifyGeneric is the portable classify: eight bytes per step (SWAR), each mask word built in registers
// and stored once; the last partial eight bytes in one load that ends at the line's end.
func classifyGeneric(m *lineMasks, line []byte) {
	m.pair = lineMasks{}.pair
	n := len(line)
	if n > maskWords*64 {
		panic("flowlog: classify: line too long")
	}
	w := 0
	for ; w < n>>6; w++ {
		b := line[w<<6:][:64]
		le := binary.LittleEndian
		m.sp[w] = spaces8(le.Uint64(b)) | spaces8(le.Uint64(b[8:]))<<8 | spaces8(le.Uint64(b[16:]))<<16 |
			spaces8(le.Uint64(b[24:]))<<24 | spaces8(le.Uint64(b[32:]))<<32 | spaces8(le.Uint64(b[40:]))<<40 |
			spaces8(le.Uint64(b[48:]))<<48 | spaces8(le.Uint64(b[56:]))<<56
	}
	if r := n & 63; r != 0 {
		b := line[w<<6:]
		var sp uint64
		k := 0
		for ; k+8 <= r; k += 8 {
			sp |= spaces8(binary.LittleEndian.Uint64(b[k:])) << uint(k)
		}
		if k < r {
			// The last r-k bytes in the low bytes of x, zeros above (not spaces; their bits are set below
			// anyway).
			var x uint64
			if n >= 8 {
				x = binary.LittleEndian.Uint64(line[n-8:]) >> uint(8*(8-(r-k)))
			} else {
				for j := n - 1; j >= 0; j-- {
					x = x<<8 | uint64(line[j])
				}
			}
			sp |= spaces8(x) << uint(k)
		}
		m.sp[w] = sp | ^uint64(0)<<uint(r)
		w++
	}
	for ; w < len(m.sp); w++ {
		m.sp[w] = ^uint64(0)
	}
}

// spaces8 has bit j set iff byte j of x (little-endian order) is ' '.
func spaces8(x uint64) uint64 {
	y := x ^ (' ' * ones)
	t := ^(((y &^ highs) + ^uint64(highs)) | y) & highs // exact: high bit of a byte set iff y's byte is 0
	return t * 0x0002040810204081 >> 56                 // byte j's high bit to bit 56+j, without carries
}
