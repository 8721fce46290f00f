package flowlog

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"strconv"
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

// lineBuf reads a line eight bytes at a time at any index up to 24 past its end, bytes past the end reading
// as spaces (a field's end), so that the parser's fast paths need no end-of-line cases.
type lineBuf struct {
	line []byte
	p    unsafe.Pointer // &line[0]
	last int            // the last index with eight bytes of line from there
	// tail holds the line's last 24 bytes (fewer when shorter, right-aligned) at [0:24], then spaces.
	tail [72]byte
}

func (b *lineBuf) init(line []byte) {
	n := len(line)
	b.line, b.p, b.last = line, unsafe.Pointer(unsafe.SliceData(line)), n-8
	if n >= 24 {
		binary.LittleEndian.PutUint64(b.tail[0:], binary.LittleEndian.Uint64(line[n-24:]))
		binary.LittleEndian.PutUint64(b.tail[8:], binary.LittleEndian.Uint64(line[n-16:]))
		binary.LittleEndian.PutUint64(b.tail[16:], binary.LittleEndian.Uint64(line[n-8:]))
	} else {
		copy(b.tail[24-n:24], line)
	}
	if b.tail[len(b.tail)-1] != ' ' { // a new lineBuf: the spaces after the tail, written once
		for k := 24; k < len(b.tail); k += 8 {
			binary.LittleEndian.PutUint64(b.tail[k:], ' '*ones)
		}
	}
}

// window returns a pointer to 24 readable bytes equal to line[i:] (0 <= i <= len(line)+24), spaces past
// the end.
func (b *lineBuf) window(i int) unsafe.Pointer {
	if i <= b.last-16 {
		return unsafe.Add(b.p, i)
	}
	return unsafe.Add(unsafe.Pointer(&b.tail), i-b.last+16)
}

// load8 returns the eight bytes at line[i:] (0 <= i <= len(line)+24), spaces past the end.
func (b *lineBuf) load8(i int) uint64 {
	if i <= b.last {
		return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(b.p, i))[:])
	}
	return binary.LittleEndian.Uint64(b.tail[i-b.last+16:])
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

// byteAt is byte k (0-7) of x.
func byteAt(x uint64, k int) uint64 { return x >> ((8 * uint(k)) & 63) & 0xFF }

// ipv4At parses a dotted-quad IPv4 address at line[i:] that ends at a space or the line's end: four 1-3 digit
// octets, no leading zeros, at most 255. It returns the address and its length; ok is false for anything else,
// which set then decides.
//
// Branch-light: the 16 bytes from i (an address and its space fit) are loaded once and classified at once
// (a mask of the bytes that are not digits); the first four such bytes are the separators, found with
// TrailingZeros, and checked to be "...", then " ". Each octet's digits are loaded from its start and moved
// to the top of a 32-bit lane (the bytes shifted in are leading zeros), two octets per 64-bit word are
// converted together, and one table lookup per octet checks both the value (at most 255) and the number of
// digits it was written with (no leading zeros, 1-3 digits). Nothing depends on a previous octet's length
// except the addresses of the loads.
func (b *lineBuf) ipv4At(i int) (a netip.Addr, n int, ok bool) {
	p := b.window(i)
	x0 := binary.LittleEndian.Uint64((*[8]byte)(p)[:])
	x1 := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, 8))[:])
	m := uint32(nonDigits8(x0)) | uint32(nonDigits8(x1))<<8 | 0xF<<16 // bits 16-19: fewer than four separators
	p0 := bits.TrailingZeros32(m)
	m &= m - 1
	p1 := bits.TrailingZeros32(m)
	m &= m - 1
	p2 := bits.TrailingZeros32(m)
	m &= m - 1
	p3 := bits.TrailingZeros32(m) // p0-p3 are at most 19: the loads below stay in the window's 24 bytes
	if uint32(*(*byte)(unsafe.Add(p, p0)))|uint32(*(*byte)(unsafe.Add(p, p1)))<<8|
		uint32(*(*byte)(unsafe.Add(p, p2)))<<16|uint32(*(*byte)(unsafe.Add(p, p3)))<<24 != '.'|'.'<<8|'.'<<16|' '<<24 {
		return a, 0, false
	}
	k0, k1, k2, k3 := p0, p1-p0-1, p2-p1-1, p3-p2-1 // 0 to 16
	// The octets' digits, each at the top of a 32-bit lane (byte 0 zero for 1-3 digits). The bytes after an
	// octet are shifted out; the borrows of subtracting '0' from them only run upwards, out of the octet.
	d0 := (load4(p) - 0x30303030) << ((32 - 8*uint(k0)) & 31)
	d1 := (load4(unsafe.Add(p, p0+1)) - 0x30303030) << ((32 - 8*uint(k1)) & 31)
	d2 := (load4(unsafe.Add(p, p1+1)) - 0x30303030) << ((32 - 8*uint(k2)) & 31)
	d3 := (load4(unsafe.Add(p, p2+1)) - 0x30303030) << ((32 - 8*uint(k3)) & 31)
	v01, v23 := octets2(uint64(d0)|uint64(d1)<<32), octets2(uint64(d2)|uint64(d3)<<32)
	// octetLen[v] is v's number of digits, 255 above 255: equal to k only for a valid octet of k digits (a k of
	// 0 or over 3, whose lane holds anything, never matches).
	if int(octetLen[v01&1023]) != k0 || int(octetLen[v01>>32&1023]) != k1 ||
		int(octetLen[v23&1023]) != k2 || int(octetLen[v23>>32&1023]) != k3 {
		return a, 0, false
	}
	return netip.AddrFrom4([4]byte{byte(v01), byte(v01 >> 32), byte(v23), byte(v23 >> 32)}), p3, true
}

// nonDigits8 has bit j set iff byte j of x (little-endian order) is not an ASCII digit.
func nonDigits8(x uint64) uint64 {
	t := x ^ 0x3030303030303030 // digits become 0-9
	// High bit of a byte set iff t's byte is over 9: no carry leaves a byte (0x7F + 0x76 < 0x100).
	t = ((t &^ highs) + 0x7676767676767676 | t) & highs
	return (t >> 7) * 0x0102040810204080 >> 56 // the eight flags to the top byte, byte j's as bit j
}

// load4 is the four bytes at p, little-endian.
func load4(p unsafe.Pointer) uint32 { return binary.LittleEndian.Uint32((*[4]byte)(p)[:]) }

// octets2 converts two octets, each of three digit bytes (hundreds, tens, units) at bytes 1-3 of a 32-bit lane
// of d, to their values (0-999) in the lanes.
func octets2(d uint64) uint64 {
	t := d*10 + d>>8 // byte 1 of a lane: 10×hundreds + tens (no byte overflows: at most 99)
	return (t>>8&0x000000FF000000FF)*10 + d>>24&0x000000FF000000FF
}

// octetLen[v] is the number of decimal digits of v if v <= 255, else 255.
var octetLen = func() (t [1024]uint8) {
	for v := range t {
		t[v] = 255
		if v <= 255 {
			t[v] = uint8(len(strconv.Itoa(v)))
		}
	}
	return t
}()

// tenPow[k] is 10^k, for joining the digits of two loads.
var tenPow = [8]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}
