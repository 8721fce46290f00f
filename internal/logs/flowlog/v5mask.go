// parseV5Masked (v5mask_gen.go): parseV5's columns, read from the line's masks (classify.go) instead of a
// search per field; here the helpers its generated blocks call.
//
// parseV5 and parseV5Masked are straight-line code, one block per column of VPC version 5 (the column order
// and kinds: internal/v5gen's Columns, checked against FieldsOfVersion(5) by its TestGeneratedV5), each block
// written from its kind's template in internal/v5gen (masked.go, fast.go): the blocks of a kind differ only in
// their destination, and are written out rather than dispatched per column for speed (a non-inlined helper
// per kind measured slower). To change a kind's parsing, edit its template and run go generate; the
// generated files must not be edited: internal/v5gen's TestGeneratedV5 fails while they differ from the
// templates' output.

//go:generate go run gen_v5.go

package flowlog

import (
	"encoding/binary"
	"net/netip"
	"unsafe"
)

// maskedPad is how many readable bytes parseV5Masked needs after a line's end: its loads read up to 9 bytes
// past it (8 from a column's start, which is at most one past the end).
const maskedPad = 16

// maskScratch is the parser's room for the masked fast path: the current line's masks, and a copy of a line
// whose slice does not have maskedPad bytes of capacity after its end.
type maskScratch struct {
	// on: take the masked path. A parser takes it where the classify is a vector one (classifyVec): with the
	// portable classifyGeneric, classifying a line costs more than the masks save over parseV5
	// (BenchmarkParseParts), so parsers keep parseV5 there.
	on  bool
	m   lineMasks
	pad [maskWords*64 + maskedPad]byte
}

// digitsOf returns the value of the first k (1-8) bytes of x (little-endian order), and whether they are all
// ASCII digits. A byte that is not a digit gets its high bit in bad (y over 0x7F, or y+0x76 over 0x7F) and is
// the only one that may borrow from, or carry into, the bytes after it: so the first non-digit is always
// flagged, and the flags after it add nothing wrong. The bytes from k on are shifted out; then three multiplies
// join adjacent digits, pairs and quads (the bytes shifted in are leading zeros).
func digitsOf(x uint64, k int) (uint64, bool) {
	c := &digitsK
	sh := (64 - 8*uint(k)) & 63
	y := x - c.zeros
	bad := (x + c.over | y) & c.highs
	y <<= sh
	y = y * (1 + 10<<8) >> 8                 // byte 2i: 10×digit 2i + digit 2i+1
	y = (y & c.lanes8) * (1 + 100<<16) >> 16 // 16-bit lane 2i: four digits
	y = (y & c.lanes16) * c.mul4 >> 32       // eight digits
	return y, bad<<sh == 0
}

// digitsK are digitsOf's 64-bit constants, read from memory: an AND or a multiply takes each as an operand,
// where an immediate costs a MOVQ of its own in every inlined copy (fewer instructions in parseV5Masked).
// over is 0x76 per byte plus 0x30: x+over is y+0x76, computed from x alongside y.
var digitsK = struct{ zeros, over, highs, lanes8, lanes16, mul4 uint64 }{0x3030303030303030, 0x4646464646464646, highs, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 1 + 10000<<32}

// digitsOf4 is digitsOf for k of 1 to 4, in 32-bit arithmetic: constants that fit in the instructions and
// one multiply fewer (ports, protocols, flags and the last digits of times are short).
func digitsOf4(x uint32, k int) (uint32, bool) {
	sh := (32 - 8*uint(k)) & 31
	y := x - 0x30303030
	bad := (y + 0x76767676 | y) & 0x80808080
	y <<= sh
	y = y * (1 + 10<<8) >> 8                   // byte 2i: 10×digit 2i + digit 2i+1
	y = (y & 0x00FF00FF) * (1 + 100<<16) >> 16 // four digits
	return y, bad<<sh == 0
}

// addrOf4 is the address of an ipv4SpanVec word (the first octet in the low byte): one store, then one load
// and BSWAP in AddrFrom4.
func addrOf4(a uint32) netip.Addr {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], a)
	return netip.AddrFrom4(b)
}

// ld is the eight bytes at p+i, little-endian: one load (the compiler joins the bytes), written out rather
// than through binary.LittleEndian, whose inlined call left a NOP per load in parseV5Masked.
func ld(p unsafe.Pointer, i int) uint64 {
	b := (*[8]byte)(unsafe.Add(p, i))
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// tenPowU[k] is 10^k, for joining the digits of two loads.
var tenPowU = [8]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}

// sameSpan reports whether the n bytes at p+i and p+j are equal, 16 <= n <= 32: their first 16 bytes and
// their last 16 (which overlap unless n is 32). It reads only those n bytes of each.
func sameSpan(p unsafe.Pointer, i, j, n int) bool {
	type b16 = *[16]byte
	return *b16(unsafe.Add(p, i)) == *b16(unsafe.Add(p, j)) && *b16(unsafe.Add(p, i+n-16)) == *b16(unsafe.Add(p, j+n-16))
}
