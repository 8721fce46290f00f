package flowlog

import (
	"encoding/binary"
	"net/netip"
)

// The octet-per-load IPv4 parser of the parser before the one-pass rewrite, kept for swar_test.go's tests
// (TestIPv4Fast, FuzzIPv4Fast); the parser now uses lineBuf.ipv4At, compared with it in TestIPv4AtMatchesFast.

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
