package flowlog

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// ipv4Vec reports whether ipv4SpanVec may run here: it uses AVX (VEX-encoded SSSE3/SSE4.1 instructions,
// which also take unaligned memory operands) and BMI2 (BZHI).
var ipv4Vec = cpu.X86.HasAVX && cpu.X86.HasBMI2

// ipv4SpanVec is ipv4SpanGo with 128-bit vectors (ipv4span_amd64.s); only where ipv4Vec. It reads the 16
// bytes at q (the caller guarantees they are readable) and nothing else but its tables.
//
//go:noescape
func ipv4SpanVec(q unsafe.Pointer, k int) (uint32, bool)

// ipv4PairVec is ipv4SpanVec on two adjacent spans, k0 bytes at q and k1 bytes at q+k0+1, in one call; ok
// when both are addresses. Only where ipv4Vec; the 16 bytes at each span must be readable.
//
//go:noescape
func ipv4PairVec(q unsafe.Pointer, k0, k1 int) (a0, a1 uint32, ok bool)

// ipv4Hash is the multiplier of ipv4SpanVec's hash of a span's layout key (its dots' bits and bit k): the top
// byte of key×ipv4Hash (32 bits) differs between the 81 keys of valid layouts (octets of 1-3 digits; found by
// search, checked by TestIPv4Table). The assembly has the same constant.
const ipv4Hash = 0x892ebe63

// ipv4Entry is the row of ipv4Tab for one layout of a dotted quad: octets of k0 to k3 digits (1-3 each).
type ipv4Entry struct {
	// shuf is the PSHUFB control that spreads the digits into four 32-bit lanes: bytes 0-2 of lane i the
	// hundreds, tens and units of octet i (0x80, which PSHUFB turns into zero, for the digits an octet
	// lacks), byte 3 zero.
	shuf [16]byte
	key  uint16 // the layout's key: a bit at each dot and at the span's end; 0 in an unused row
	lead uint16 // a bit at the start of each octet of two or three digits: a '0' there is a leading zero
	_    [12]byte
}

// ipv4Tab[key×ipv4Hash>>24] is the ipv4Entry of layout key; rows no layout hashes to are zero. ipv4SpanVec
// checks a span's key against the row's (any other key, the spans that are no dotted quad, differs).
var ipv4Tab = func() (t [256]ipv4Entry) {
	for x := range 81 {
		var k [4]int
		for i := range k {
			k[i] = x%3 + 1
			x /= 3
		}
		var e ipv4Entry
		start := 0
		for i, ki := range k {
			for j := range 4 {
				e.shuf[4*i+j] = 0x80
				if src := start + ki - 3 + j; j < 3 && src >= start {
					e.shuf[4*i+j] = byte(src)
				}
			}
			if ki > 1 {
				e.lead |= 1 << start
			}
			start += ki + 1
			e.key |= 1 << (start - 1)
		}
		h := uint32(e.key) * ipv4Hash >> 24
		if t[h].key != 0 {
			panic("flowlog: ipv4Hash collides")
		}
		t[h] = e
	}
	return t
}()
