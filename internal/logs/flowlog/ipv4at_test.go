package flowlog

import (
	"net/netip"
	"strings"
	"testing"
)

// checkIPv4At checks lineBuf.ipv4At on the field at the start of s: whatever it accepts must be exactly the
// IPv4 address netip.ParseAddr reads in the text up to the next space (or the end), and it must accept every
// address the previous parser's fast path (refIpv4Fast) accepts.
func checkIPv4At(t *testing.T, s string) {
	var b lineBuf
	b.init([]byte(s))
	a, n, ok := b.ipv4At(0)
	field := s
	if j := strings.IndexByte(s, ' '); j >= 0 {
		field = s[:j]
	}
	want, err := netip.ParseAddr(field)
	if ok {
		if n != len(field) || err != nil || !want.Is4() || want != a {
			t.Fatalf("%q: got %v (length %d), ParseAddr says %v, %v", s, a, n, want, err)
		}
		return
	}
	if fa, _, fok := refIpv4Fast([]byte(s), 0); fok {
		t.Fatalf("%q: refused, refIpv4Fast reads %v", s, fa)
	}
	if err == nil && want.Is4() && len(field) <= 15 {
		t.Fatalf("%q: refused, ParseAddr reads %v", s, want)
	}
}

func TestIPv4At(t *testing.T) {
	for _, s := range []string{"10.0.1.17 xxxxxxx", "0.0.0.0 1234567", "255.255.255.255 9 pad pad", "1.2.3.4", "1.2.3.4 x",
		"192.168.100.9 443 pad", "10.0.1.193 52.94.19.29 53394", "256.1.1.1 x", "1.2.3.04", "01.2.3.4", "1.2.3", "1.2.3.4.5",
		"1.2.3.4-x", "1..2.3", "1234.1.1.1", "::1", "1.2.3.4\t", "9.9.9.9", "100.100.100.100", "199.255.0.249 1",
		".1.2.3", "1.2.3.", "1.2.3.4.", "1.2.3.400", "300.2.3.4", "1.2.3.4 ", "", "1", "1.", "1.2.3.45678",
		"10.0..7 40031", "1..2.3 x", "...", "... ", "1.2.3.4..", "255.255.255.2555", "255.255.2555.1 x",
		"1.2.3.999 x", "999.1.1.1", "0.00.0.0", "0.0.0.00", "1.2.3.4x", "1.2.3/4 ", "1.2.3.4/", "1.2.3.:"} {
		checkIPv4At(t, s)
	}
}

// TestIPv4AtOffsets reads addresses at every offset of longer lines, so that both of lineBuf.window's
// sources (the line itself, and the padded copy of its end) are used, with the address ending at the line's
// end or followed by more fields.
func TestIPv4AtOffsets(t *testing.T) {
	for _, addr := range []string{"1.2.3.4", "10.0.1.17", "255.255.255.255", "1.2.3.04", "1.2..3", "256.1.1.1"} {
		want, err := netip.ParseAddr(addr)
		valid := err == nil && want.Is4()
		for pre := 0; pre < 40; pre++ {
			for _, post := range []string{"", " ", " 443 6 1 40", " x"} {
				line := strings.Repeat("x", pre) + " " + addr + post
				var b lineBuf
				b.init([]byte(line))
				a, n, ok := b.ipv4At(pre + 1)
				if ok != valid || ok && (a != want || n != len(addr)) {
					t.Fatalf("%q at %d: got %v %d %v, want %v %v", line, pre+1, a, n, ok, want, valid)
				}
			}
		}
	}
}

// FuzzIPv4At: the parser's IPv4 reader agrees with netip.ParseAddr, and with refIpv4Fast on what that accepts.
func FuzzIPv4At(f *testing.F) {
	for _, s := range []string{"10.0.1.17 x", "255.255.255.255 9", "256.1.1.1 xxxxxxxx", "1.2.3.04 xxxxxxxx", "1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIPv4At(t, s) })
}
