package flowlog

import (
	"bytes"
	"strconv"
	"testing"
	"unsafe"
)

// refIPv4Span is the plain reading of a dotted quad for ipv4SpanGo and ipv4SpanVec: four octets separated by
// dots, each 1-3 ASCII digits, no leading zero, at most 255; the first octet in the low byte.
func refIPv4Span(b []byte) (uint32, bool) {
	parts := bytes.Split(b, []byte("."))
	if len(parts) != 4 {
		return 0, false
	}
	var a uint32
	for i, o := range parts {
		if len(o) < 1 || len(o) > 3 || len(o) > 1 && o[0] == '0' {
			return 0, false
		}
		v := 0
		for _, c := range o {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = 10*v + int(c-'0')
		}
		if v > 255 {
			return 0, false
		}
		a |= uint32(v) << (8 * i)
	}
	return a, true
}

// checkIPv4Span compares ipv4SpanGo, ipv4SpanVec (where it runs) and refIPv4Span on span (7-15 bytes),
// followed in memory by each of a few fillers (bytes that must not matter).
func checkIPv4Span(t testing.TB, span []byte) {
	t.Helper()
	if len(span) < 7 || len(span) > 15 {
		return
	}
	want, wantOK := refIPv4Span(span)
	var buf [32]byte
	for _, fill := range []byte{' ', '9', '.', '0', 0xFF} {
		for i := range buf {
			buf[i] = fill
		}
		copy(buf[:], span)
		q := unsafe.Pointer(&buf)
		if a, ok := ipv4SpanGo(q, len(span)); ok != wantOK || ok && a != want {
			t.Fatalf("ipv4SpanGo(%q) = %#x, %v; want %#x, %v", span, a, ok, want, wantOK)
		}
		if ipv4Vec {
			if a, ok := ipv4SpanVec(q, len(span)); ok != wantOK || ok && a != want {
				t.Fatalf("ipv4SpanVec(%q) (filler %q) = %#x, %v; want %#x, %v", span, fill, a, ok, want, wantOK)
			}
		}
	}
	// As either span of a pair, with a valid address or itself as the other.
	for _, other := range [][]byte{[]byte("10.0.1.17"), []byte("1.2.3.4"), []byte("255.255.255.255"), span} {
		checkIPv4Pair(t, span, other)
		checkIPv4Pair(t, other, span)
	}
}

// checkIPv4Pair compares ipv4PairVec on spans a and b, one space apart and followed by filler bytes, with
// refIPv4Span on each; and so the pair the vector classify reads (its own IPV4PAIR) from a line whose columns
// 3 and 4 they are.
func checkIPv4Pair(t testing.TB, a, b []byte) {
	t.Helper()
	wa, oka := refIPv4Span(a)
	wb, okb := refIPv4Span(b)
	var buf [48]byte
	for _, fill := range []byte{' ', '9', '.'} {
		for i := range buf {
			buf[i] = fill
		}
		copy(buf[:], a)
		buf[len(a)] = ' '
		copy(buf[len(a)+1:], b)
		ga, gb, ok := ipv4PairVec(unsafe.Pointer(&buf), len(a), len(b))
		if ok != (oka && okb) || ok && (ga != wa || gb != wb) {
			t.Fatalf("ipv4PairVec(%q, %q) (filler %q) = %#x, %#x, %v; want %#x, %#x, %v", a, b, fill, ga, gb, ok, wa, wb, oka && okb)
		}
	}
	if classifyVec && !bytes.ContainsRune(a, ' ') && !bytes.ContainsRune(b, ' ') {
		line := append(append(append(append([]byte("1 2 3 "), a...), ' '), b...), " 5"...)
		padded := append(bytes.Clone(line), "99999999999999999"...)
		var m lineMasks
		classifyVecAsm(&m, line, unsafe.Pointer(&padded[0]))
		if ok := oka && okb; m.pair.ok != ok || ok && (m.pair.a0 != wa || m.pair.a1 != wb) {
			t.Fatalf("classify pair of %q = %+v; want %#x, %#x, %v", line, m.pair, wa, wb, ok)
		}
	}
}

// TestIPv4SpanLayouts: every octet value 0-999 and a set of invalid octets in each position, with the other
// octets of every length (1, 2, 3 digits); each separator replaced by other bytes; junk at either end.
func TestIPv4SpanLayouts(t *testing.T) {
	if !ipv4Vec {
		t.Log("no vector ipv4SpanVec on this processor: checking ipv4SpanGo only")
	}
	var octets []string
	for v := range 1000 {
		octets = append(octets, strconv.Itoa(v))
	}
	octets = append(octets, "", "00", "01", "09", "000", "001", "010", "099", "0000", "1234", "2550", "0255",
		"1a", "a", "a1", "-1", "+1", " 1", "1 ", ":", "1/", "/", "\x00", "\xff", "12:", "..", "1.2")
	others := []string{"1", "25", "255", "0", "10", "199"}
	n := 0
	for pos := range 4 {
		for _, o := range octets {
			for _, a := range others {
				for _, b := range others {
					for _, c := range others[:4] {
						f := []string{a, b, c}
						quad := append(append(append([]string{}, f[:pos]...), o), f[pos:]...)
						s := []byte(quad[0] + "." + quad[1] + "." + quad[2] + "." + quad[3])
						checkIPv4Span(t, s)
						n++
					}
				}
			}
		}
	}
	// Separators: each dot replaced; junk before or after; the first and last octets' lengths.
	for _, s := range []string{"1.2.3.4", "10.20.30.40", "192.168.100.200", "255.255.255.255", "0.0.0.0", "1.22.3.44"} {
		for i := range len(s) {
			for _, c := range []byte(" -:/,;0x\x00\xff\t.") {
				b := []byte(s)
				b[i] = c
				checkIPv4Span(t, b)
				checkIPv4Span(t, append([]byte{c}, s...))
				checkIPv4Span(t, append([]byte(s), c))
				n += 3
			}
		}
	}
	// Every span of 7-15 bytes over the alphabet {'1', '.'} (2^15 spans at most per length) and {'0', '.'}.
	for k := 7; k <= 15; k++ {
		for m := range 1 << k {
			for _, d := range []byte("10") {
				b := make([]byte, k)
				for i := range b {
					b[i] = d
					if m>>i&1 != 0 {
						b[i] = '.'
					}
				}
				checkIPv4Span(t, b)
				n++
			}
		}
	}
	t.Logf("%d spans", n)
}

// FuzzIPv4Span: ipv4SpanVec and ipv4SpanGo agree with refIPv4Span on any span of 7-15 bytes.
func FuzzIPv4Span(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "10.0.1.17", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1..2.34", "1.2.3.4.",
		"1.2.3.4.5", "1234.1.1.1", "1.2.3.40000", "1,2.3.4", "  1.2.3.4"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkIPv4Span(t, b)
		// The same bytes as spans of every length they allow.
		for k := 7; k <= 15 && k <= len(b); k++ {
			checkIPv4Span(t, b[:k])
		}
	})
}
