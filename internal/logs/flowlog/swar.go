package flowlog

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"unsafe"
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

// lineBuf reads a line eight bytes at a time at any index up to eight past its end, bytes past the end
// reading as spaces (a field's end), so that the parser's fast paths need no end-of-line cases.
type lineBuf struct {
	line []byte
	p    unsafe.Pointer // &line[0]
	last int            // the last index with eight bytes of line from there
	// tail holds the line's last 16 bytes (fewer when shorter, right-aligned) at [0:16], then spaces.
	tail [48]byte
}

func (b *lineBuf) init(line []byte) {
	n := len(line)
	b.line, b.p, b.last = line, unsafe.Pointer(unsafe.SliceData(line)), n-8
	if n >= 16 {
		binary.LittleEndian.PutUint64(b.tail[0:], binary.LittleEndian.Uint64(line[n-16:]))
		binary.LittleEndian.PutUint64(b.tail[8:], binary.LittleEndian.Uint64(line[n-8:]))
	} else {
		copy(b.tail[16-n:16], line)
	}
	if b.tail[len(b.tail)-1] != ' ' { // a new lineBuf: the spaces after the tail, written once
		for k := 16; k < len(b.tail); k += 8 {
			binary.LittleEndian.PutUint64(b.tail[k:], ' '*ones)
		}
	}
}

// load8 returns the eight bytes at line[i:] (0 <= i <= len(line)+24), spaces past the end.
func (b *lineBuf) load8(i int) uint64 {
	if i <= b.last {
		return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(b.p, i))[:])
	}
	return binary.LittleEndian.Uint64(b.tail[i-b.last+8:])
}

// spaceFrom returns the index of the first space at or after i (0 <= i <= len(line)), or len(line).
func (b *lineBuf) spaceFrom(i int) int {
	for {
		if k := spaceAt(b.load8(i)); k < 8 {
			return min(i+k, len(b.line))
		}
		i += 8
	}
}

// spaceAt returns the index (0-8) of the first ' ' among the eight bytes of x (little-endian order).
func spaceAt(x uint64) int {
	y := x ^ (' ' * ones)
	// The lowest byte flagged is exactly the first zero byte of y (a borrow only runs up from a zero byte).
	return bits.TrailingZeros64((y-ones)&^y&highs) >> 3
}

// octet is the value of the k (1-3) decimal digits at the start of x.
func octet(x uint64, k int) uint64 {
	// The k digits to the top of three bytes (the bytes shifted in are leading zeros), then their value.
	d := (x - 0x303030) << ((24 - 8*uint(k)) & 63)
	return (d>>16&0xFF)*1 + (d>>8&0xFF)*10 + (d&0xFF)*100
}

// byteAt is byte k (0-7) of x.
func byteAt(x uint64, k int) uint64 { return x >> ((8 * uint(k)) & 63) & 0xFF }

// ipv4At parses a dotted-quad IPv4 address at line[i:] that ends at a space or the line's end: four 1-3 digit
// octets, no leading zeros, at most 255, an eight-byte load for each. It returns the address and its length;
// ok is false for anything else, which set then decides.
func (b *lineBuf) ipv4At(i int) (a netip.Addr, n int, ok bool) {
	x0 := b.load8(i)
	k0 := digitsIn8(x0)
	j := i + k0 + 1
	x1 := b.load8(j)
	k1 := digitsIn8(x1)
	j += k1 + 1
	x2 := b.load8(j)
	k2 := digitsIn8(x2)
	j += k2 + 1
	x3 := b.load8(j)
	k3 := digitsIn8(x3)
	if uint(k0-1) > 2 || uint(k1-1) > 2 || uint(k2-1) > 2 || uint(k3-1) > 2 ||
		byteAt(x0, k0)|byteAt(x1, k1)<<8|byteAt(x2, k2)<<16|byteAt(x3, k3)<<24 != '.'|'.'<<8|'.'<<16|' '<<24 {
		return a, 0, false
	}
	v0, v1, v2, v3 := octet(x0, k0), octet(x1, k1), octet(x2, k2), octet(x3, k3)
	// A leading zero makes an octet of two or three digits smaller than 10 or 100.
	if v0|v1|v2|v3 > 255 || v0 < lowest[k0&3] || v1 < lowest[k1&3] || v2 < lowest[k2&3] || v3 < lowest[k3&3] {
		return a, 0, false
	}
	return netip.AddrFrom4([4]byte{byte(v0), byte(v1), byte(v2), byte(v3)}), j + k3 - i, true
}

// lowest[k] is the smallest k-digit octet without a leading zero.
var lowest = [4]uint64{0, 0, 10, 100}

// tenPow[k] is 10^k, for joining the digits of two loads.
var tenPow = [8]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}
