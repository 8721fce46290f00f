package flowlog

import (
	"math/bits"
	"unsafe"
)

// ipv4SpanGo reads the dotted quad at q[0:k] (7 <= k <= 15; 16 bytes readable from q) as parseV5Masked's
// address blocks do: exactly three non-digits, each a dot, and four octets of 1-3 digits, no leading zeros,
// at most 255. It returns the octets (the first in the low byte) and whether the span is such an address. It is ipv4SpanVec
// where no vector one is installed, and the reference for the vector one (ipv4span_test.go).
func ipv4SpanGo(q unsafe.Pointer, k int) (uint32, bool) {
	d := (nonDigits8(ld(q, 0)) | nonDigits8(ld(q, 8))<<8) & (1<<uint(k&15) - 1)
	p0 := bits.TrailingZeros64(d)
	d &= d - 1
	p1 := bits.TrailingZeros64(d)
	d &= d - 1
	p2 := bits.TrailingZeros64(d) // 64 when fewer than three
	if d&(d-1) != 0 || p2 >= k {
		return 0, false
	}
	if uint32(*(*byte)(unsafe.Add(q, p0)))|uint32(*(*byte)(unsafe.Add(q, p1)))<<8|
		uint32(*(*byte)(unsafe.Add(q, p2)))<<16 != '.'|'.'<<8|'.'<<16 {
		return 0, false
	}
	k0, k1, k2, k3 := p0, p1-p0-1, p2-p1-1, k-p2-1 // 0 to 13
	d0 := (load4(q) - 0x30303030) << ((32 - 8*uint(k0)) & 31)
	d1 := (load4(unsafe.Add(q, p0+1)) - 0x30303030) << ((32 - 8*uint(k1)) & 31)
	d2 := (load4(unsafe.Add(q, p1+1)) - 0x30303030) << ((32 - 8*uint(k2)) & 31)
	d3 := (load4(unsafe.Add(q, p2+1)) - 0x30303030) << ((32 - 8*uint(k3)) & 31)
	v01, v23 := octets2(uint64(d0)|uint64(d1)<<32), octets2(uint64(d2)|uint64(d3)<<32)
	if int(octetLen[v01&1023]) != k0 || int(octetLen[v01>>32&1023]) != k1 ||
		int(octetLen[v23&1023]) != k2 || int(octetLen[v23>>32&1023]) != k3 {
		return 0, false
	}
	return uint32(v01&0xFF) | uint32(v01>>32&0xFF)<<8 | uint32(v23&0xFF)<<16 | uint32(v23>>32&0xFF)<<24, true
}
