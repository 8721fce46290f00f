//go:build !(isal && cgo)

package inflate

import "math/bits"

// A decode table maps the next bits of the input (least significant first) to a symbol's entry in one lookup:
// a main table indexed by the next tableBits bits, and subtables after it for the codewords that are longer.
// An entry packs what decoding needs:
//
//	bits 0-7    bits to consume: the codeword (its part in the subtable, for a subtable entry) and extra bits
//	bits 8-11   codeword bits, the shift to the extra bits; for a subtable pointer, the subtable's index bits;
//	            for a literal, how many literals it holds (1 or 2: see pairLiterals)
//	bits 12-15  what the entry is (flags below); none: the codeword is not in the code (invalid data)
//	bits 16-31  the value: a literal byte (two in a pair, the first in bits 16-23), the base of a length or
//	            distance, or where a subtable starts
const (
	fLit = 1 << 12 // a literal
	fVal = 1 << 13 // a length (literal/length table), a distance, or a code-length symbol
	fEOB = 1 << 14 // end of block
	fSub = 1 << 15 // a pointer to a subtable

	litBits  = 11 // main table of the literal/length code
	distBits = 8  // main table of the distance code
	preBits  = 7  // code-length code: its codewords have at most 7 bits, so no subtables

	// Table sizes: the main table and the most room its subtables can take (libdeflate's ENOUGH: 2342 entries
	// for 288 symbols at 11 bits and 402 for 32 at 8, code lengths up to 15), rounded up to a power of two so
	// that a masked index needs no bounds check.
	litTableSize  = 4096
	distTableSize = 512
)

// litResults, distResults and preResults are each symbol's entry without its bit counts.
var litResults, distResults, preResults = func() (lit [288]uint32, dist [32]uint32, pre [19]uint32) {
	for s := range 256 {
		lit[s] = uint32(s)<<16 | fLit
	}
	lit[256] = fEOB
	base := uint32(3)
	for s := 257; s < 286; s++ {
		extra := uint32(0)
		if s >= 265 && s < 285 {
			extra = uint32(s-261) / 4
		}
		if s == 285 {
			base = 258
		}
		lit[s] = base<<16 | fVal | extra
		base += 1 << extra
	}
	// 286 and 287 (fixed code only) stay invalid, as do distance codes 30 and 31.
	base = 1
	for s := range 30 {
		extra := uint32(0)
		if s >= 4 {
			extra = uint32(s-2) / 2
		}
		dist[s] = base<<16 | fVal | extra
		base += 1 << extra
	}
	for s := range 19 {
		pre[s] = uint32(s)<<16 | fVal
	}
	return
}()

// fixedLit and fixedDist decode the fixed Huffman code (RFC 1951 3.2.6).
var fixedLit, fixedDist = func() (lit *[litTableSize]uint32, dist *[distTableSize]uint32) {
	var lens [288 + 32]uint8
	for s := range 288 {
		switch {
		case s < 144:
			lens[s] = 8
		case s < 256:
			lens[s] = 9
		case s < 280:
			lens[s] = 7
		default:
			lens[s] = 8
		}
	}
	for s := 288; s < len(lens); s++ {
		lens[s] = 5
	}
	lit, dist = new([litTableSize]uint32), new([distTableSize]uint32)
	if !buildTable(lit[:], litBits, lens[:288], litResults[:]) || !buildTable(dist[:], distBits, lens[288:], distResults[:]) {
		panic("inflate: the fixed Huffman code does not build")
	}
	pairLiterals(lit[:1<<litBits])
	return
}()

// buildTable fills t with the decode table of the canonical Huffman code (RFC 1951 3.2.2) whose code lengths
// are lens, the main table indexed by tableBits bits; results[s] is symbol s's entry without bit counts. Like
// klauspost/compress (and zlib), it refuses a code that is over-subscribed or incomplete, except a code of one
// codeword of length 1; a code with no codeword at all builds, and every entry of its table is invalid.
func buildTable(t []uint32, tableBits uint, lens []uint8, results []uint32) bool {
	var count [16]int
	for _, l := range lens {
		count[l&15]++
	}
	count[0] = 0
	maxLen := 0
	left := 1 // codewords of the current length not yet used
	for l := 1; l < 16; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false
		}
		if count[l] > 0 {
			maxLen = l
		}
	}
	if left != 0 && maxLen != 0 && !(maxLen == 1 && count[1] == 1) {
		return false
	}
	main := t[:1<<tableBits]
	clear(main)
	if maxLen == 0 {
		return true
	}

	// Symbols sorted by code length, then value: the order of their canonical codewords.
	var offs, next [16]int
	for l := 1; l < 15; l++ {
		offs[l+1] = offs[l] + count[l]
	}
	var sorted [288]uint16
	for s, l := range lens {
		if l != 0 {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	n := offs[15] // symbols with a codeword
	code := 0
	for l := 1; l < 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}

	// Codewords as they appear in the input are bit-reversed: first bit lowest.
	rev := func(c, l int) uint32 { return uint32(bits.Reverse16(uint16(c)) >> (16 - l)) }
	subEnd := uint32(len(main))
	var codes [288]int
	for _, s := range sorted[:n] {
		l := int(lens[s])
		codes[s] = next[l]
		next[l]++
		if uint(l) <= tableBits {
			e := entry(results[s], uint32(l))
			for i := rev(codes[s], l); i < uint32(len(main)); i += 1 << l {
				main[i] = e
			}
		}
	}
	// Longer codewords, longest first, so that a prefix's first codeword sizes its subtable.
	for i := n - 1; i >= 0; i-- {
		s := sorted[i]
		l := uint(lens[s])
		if l <= tableBits {
			break
		}
		sl := l - tableBits // codeword bits in the subtable
		p := rev(codes[s]>>sl, int(tableBits))
		if main[p] == 0 {
			size := uint32(1) << sl
			if subEnd+size > uint32(len(t)) {
				return false // cannot happen: the table sizes are the most a complete code takes
			}
			main[p] = subEnd<<16 | fSub | uint32(sl)<<8 | uint32(tableBits)
			subEnd += size
		}
		start, bitsInSub := main[p]>>16, main[p]>>8&15
		e := entry(results[s], uint32(sl))
		for j := rev(codes[s]&(1<<sl-1), int(sl)); j < 1<<bitsInSub; j += 1 << sl {
			t[start+j] = e
		}
	}
	return true
}

// entry completes a symbol's entry with the length of its codeword (the part of it the entry's table reads).
func entry(result, codeBits uint32) uint32 {
	if result&fLit != 0 {
		return result + codeBits + 1<<8 // one literal
	}
	return result + codeBits + codeBits<<8
}

// pairLiterals makes the entries of the literal/length main table main whose bits hold two literals' codewords
// decode both at once (as ISA-L's tables do): text is mostly literals, and this halves their lookups.
func pairLiterals(main []uint32) {
	// From the last entry down: an entry's second codeword is read at a lower index, not yet paired.
	for i := len(main) - 1; i >= 0; i-- {
		e := main[i]
		if e&fLit == 0 {
			continue
		}
		l := e & 63
		next := main[uint32(i)>>l] // the bits after the first codeword, the higher ones zero
		if next&fLit == 0 || l+next&63 > litBits {
			continue // not a literal, or its codeword does not fit in the bits an index holds
		}
		main[i] = e&0xff0000 | next>>16<<24 | fLit | 2<<8 | (l + next&63)
	}
}
