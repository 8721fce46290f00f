package flowlog

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// Word-at-a-time (SWAR) helpers for the parser's hot loops: eight bytes per step instead of one. Each needs
// eight readable bytes from i; callers fall back to the byte loop near the end of the line.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// spaceIn8 returns the index (0-8) of the first ' ' among the eight bytes of x (little-endian order).
func spaceIn8(x uint64) int {
	y := x ^ (' ' * ones) // zero bytes where x has a space
	// Exact zero-byte test (no false positives from borrows): a byte of t has its high bit set iff y's is 0.
	t := ^(((y & ^uint64(highs)) + ^uint64(highs)) | y) & highs
	return bits.TrailingZeros64(t) / 8
}

// digitsIn8 returns how many of the eight bytes of x (little-endian order) are ASCII digits before the first
// byte that is not.
func digitsIn8(x uint64) int {
	// A byte b is a digit iff its high nibble is 3 and so is (b+6)'s. The +6 may carry into the next byte only
	// from a byte ≥ 0xFA, which is not a digit, so it cannot change the answer before the first non-digit.
	nd := (x & 0xF0F0F0F0F0F0F0F0) ^ 0x3030303030303030
	nd |= ((x + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) ^ 0x3030303030303030
	return bits.TrailingZeros64(nd) / 8
}

// digits8 converts the first k (1-8) digit bytes of x to their value.
func digits8(x uint64, k int) uint64 {
	x -= 0x3030303030303030
	x <<= 8 * (8 - uint(k)) // the k digits to the top; the bytes shifted in are leading zeros
	x = x*10 + x>>8
	x = ((x&0x000000FF000000FF)*(100+1000000<<32) + (x>>16&0x000000FF000000FF)*(1+10000<<32)) >> 32
	return x & 0xFFFFFFFF
}

// fieldEnd returns the index of the first ' ' at or after i, or len(line).
func fieldEnd(line []byte, i int) int {
	for i+8 <= len(line) {
		if k := spaceIn8(binary.LittleEndian.Uint64(line[i:])); k < 8 {
			return i + k
		}
		i += 8
	}
	for i < len(line) && line[i] != ' ' {
		i++
	}
	return i
}

// ipv4Fast parses a dotted-quad IPv4 address at line[i:] that ends at a space or the line's end, an octet
// (1-3 digits, no leading zero, ≤ 255) per eight-byte load instead of a byte at a time. It returns the
// address and the index after its space; ok is false for anything else (too near the line's end for the loads
// included), which the byte loop then decides.
func ipv4Fast(line []byte, i int) (a netip.Addr, end int, ok bool) {
	var ip [4]byte
	for o := range 4 {
		if i+8 > len(line) {
			return a, 0, false
		}
		x := binary.LittleEndian.Uint64(line[i:])
		k := digitsIn8(x)
		if k == 0 || k > 3 || (k > 1 && x&0xFF == '0') {
			return a, 0, false
		}
		sep := byte(x >> (8 * uint(k)))
		if o < 3 && sep != '.' || o == 3 && sep != ' ' {
			return a, 0, false
		}
		d0, d1, d2 := uint(x&0x0F), uint(x>>8&0x0F), uint(x>>16&0x0F)
		v := d0
		switch k {
		case 2:
			v = d0*10 + d1
		case 3:
			v = d0*100 + d1*10 + d2
		}
		if v > 255 {
			return a, 0, false
		}
		ip[o] = byte(v)
		i += k + 1
	}
	return netip.AddrFrom4(ip), i, true
}

// tenPow[k] is 10^k, for joining the digits of two loads.
var tenPow = [8]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}
