package flowlog

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// ipv4Vec reports whether ipv4SpanVec may run here: it uses AVX (VEX-encoded SSE4.1/SSSE3), BMI1, BMI2
// and POPCNT.
var ipv4Vec = cpu.X86.HasAVX && cpu.X86.HasBMI1 && cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT

// ipv4SpanVec is ipv4SpanGo with 128-bit vectors (ipv4span_amd64.s); only where ipv4Vec. It reads the 16
// bytes at q (the caller guarantees they are readable) and nothing else but its tables.
//
//go:noescape
func ipv4SpanVec(q unsafe.Pointer, k int) (uint32, bool)

// ipv4Shuf[k0 | k1<<2 | k2<<4 | k3<<6] is the PSHUFB control that spreads a dotted quad whose octets have k0
// to k3 digits (1-3 each) into four 32-bit lanes: bytes 0-2 of lane i the hundreds, tens and units of octet
// i (0x80, which PSHUFB turns into zero, for the digits an octet lacks), byte 3 zero. An index with a field of
// 0 is never used (ipv4SpanVec rejects an empty octet first); its entry is all zeros.
var ipv4Shuf = func() (t [256][16]byte) {
	for idx := range t {
		k := [4]int{idx & 3, idx >> 2 & 3, idx >> 4 & 3, idx >> 6}
		if k[0] == 0 || k[1] == 0 || k[2] == 0 || k[3] == 0 {
			continue
		}
		start := 0
		for i, ki := range k {
			for j := range 4 {
				t[idx][4*i+j] = 0x80
				if src := start + ki - 3 + j; j < 3 && src >= start {
					t[idx][4*i+j] = byte(src)
				}
			}
			start += ki + 1
		}
	}
	return t
}()
