package flowlog

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// TestSWARMatchesByteLoops checks the word-at-a-time helpers against plain byte loops on random and edge-case
// inputs: every byte value around the digits and the space, every length and offset.
func TestSWARMatchesByteLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("0123456789 /:-.\x00\xff\xfa\xf9\x2f\x3a\x20\x21\x1f\xb0\xb9\xc0")
	for n := 0; n < 200000; n++ {
		l := rng.IntN(40)
		line := make([]byte, l)
		digitsOnly := rng.IntN(4) == 0
		for i := range line {
			if digitsOnly && rng.IntN(30) > 0 {
				line[i] = '0' + byte(rng.IntN(10))
				continue
			}
			switch rng.IntN(3) {
			case 0:
				line[i] = byte(rng.IntN(256))
			default:
				line[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		for i := 0; i <= l; i++ {
			// byte loops
			j, want := i, int64(0)
			for j < l && j-i <= 18 && line[j]-'0' <= 9 {
				want = want*10 + int64(line[j]-'0')
				j++
			}
			v, end, nd := scanNum(line, i)
			if j-i > 18 { // too long for any field: scanNum only has to say so
				if nd <= 18 {
					t.Fatalf("scanNum(%q, %d): %d digits, want > 18", line, i, nd)
				}
				continue
			}
			if end != j || nd != j-i || v != want {
				t.Fatalf("scanNum(%q, %d) = %d, %d, %d; want %d, %d", line, i, v, end, nd, want, j)
			}
			e := i
			for e < l && line[e] != ' ' {
				e++
			}
			if got := fieldEnd(line, i); got != e {
				t.Fatalf("fieldEnd(%q, %d) = %d, want %d", line, i, got, e)
			}
		}
	}
	for _, s := range []string{"1767225600 ", "99999999", "123456789012345678", "1234567890123456789 ", "00000000000000000001"} {
		v, end, nd := scanNum([]byte(s), 0)
		if nd <= 18 {
			want, _ := strconv.ParseInt(s[:end], 10, 64)
			if v != want {
				t.Errorf("scanNum(%q) = %d, want %d", s, v, want)
			}
		}
	}
}

var pow10 = [9]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// scanNum (the test's harness for digitsIn8 and digits8) parses the run of digits at line[i:] eight bytes at a time while eight bytes are readable, and
// returns the value, the index after the run, and the number of digits (more than 18 stops early: the caller
// rejects it, and the value is then meaningless).
func scanNum(line []byte, i int) (v int64, end, nd int) {
	start := i
	for i+8 <= len(line) && i-start <= 18 {
		x := binary.LittleEndian.Uint64(line[i:])
		k := digitsIn8(x)
		if k == 0 {
			return v, i, i - start
		}
		v = v*pow10[k] + int64(digits8(x, k))
		i += k
		if k < 8 {
			return v, i, i - start
		}
	}
	for i < len(line) && i-start <= 18 {
		c := line[i] - '0'
		if c > 9 {
			break
		}
		v = v*10 + int64(c)
		i++
	}
	return v, i, i - start
}

// checkIPv4Fast checks refIpv4Fast on the field at the start of s against netip.ParseAddr: whatever it accepts
// must be exactly the address ParseAddr reads in the text up to the next space, ending there.
func checkIPv4Fast(t *testing.T, s string) {
	a, end, ok := refIpv4Fast([]byte(s), 0)
	if !ok {
		return
	}
	if end < 1 || end > len(s) || s[end-1] != ' ' {
		t.Fatalf("%q: ends at %d", s, end)
	}
	want, err := netip.ParseAddr(s[:end-1])
	if err != nil || !want.Is4() || want != a {
		t.Fatalf("%q: got %v, ParseAddr says %v, %v", s, a, want, err)
	}
}

func TestIPv4Fast(t *testing.T) {
	accept := []string{"10.0.1.17 xxxxxxx", "0.0.0.0 1234567", "255.255.255.255 9 pad pad", "1.2.3.4 pad pad", "192.168.100.9 443 pad"}
	for _, s := range accept {
		if _, _, ok := refIpv4Fast([]byte(s), 0); !ok {
			t.Errorf("%q: not parsed", s)
		}
		checkIPv4Fast(t, s)
	}
	// Refused here (the byte loop decides, and refuses all but the last two too): out of range, leading
	// zeros, too few or many octets, other separators, too near the end for the eight-byte loads.
	refuse := []string{"256.1.1.1 xxxxxxxx", "1.2.3.04 xxxxxxxx", "01.2.3.4 xxxxxxxx", "1.2.3 xxxxxxxxx", "1.2.3.4.5 xxxxxxx",
		"1.2.3.4-xxxxxxxxx", "1..2.3 xxxxxxxx", "1234.1.1.1 xxxxxx", "::1 xxxxxxxxxxxx", "1.2.3.4", "1.2.3.4 x"}
	for _, s := range refuse {
		if a, _, ok := refIpv4Fast([]byte(s), 0); ok {
			t.Errorf("%q: parsed as %v", s, a)
		}
	}
}

// FuzzIPv4Fast: the word-at-a-time IPv4 parser agrees with netip.ParseAddr on whatever it accepts.
func FuzzIPv4Fast(f *testing.F) {
	for _, s := range []string{"10.0.1.17 x", "255.255.255.255 9", "256.1.1.1 xxxxxxxx", "1.2.3.04 xxxxxxxx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkIPv4Fast(t, s) })
}

// checkAgainstReference parses a default-format line and, when it is a record, compares every number and
// address with what strconv and netip read from the same space-separated text: the word-at-a-time fast
// paths must agree with the plain parsers wherever they accept.
func checkAgainstReference(t *testing.T, line string) {
	p := NewParser("ref", nil, Options{})
	rec, _ := p.Parse([]byte(line), 1)
	if rec == nil {
		return
	}
	cols := strings.Fields(line)
	if len(cols) != len(DefaultFormat.Fields) {
		t.Fatalf("%q: parsed, but %d columns", line, len(cols))
	}
	nums := map[Field]int64{Version: int64(rec.Version), SrcPort: int64(rec.SrcPort), DstPort: int64(rec.DstPort), Protocol: int64(rec.Protocol),
		Packets: rec.Packets, Bytes: rec.Bytes, Start: rec.Start, End: rec.End}
	for i, fl := range DefaultFormat.Fields {
		switch fl {
		case SrcAddr, DstAddr:
			got := rec.SrcAddr
			if fl == DstAddr {
				got = rec.DstAddr
			}
			if want, err := netip.ParseAddr(cols[i]); err == nil && want.Is4() && got != want {
				t.Errorf("%q: %s %v, want %v", line, fl.Name(), got, want)
			}
		default:
			if v, ok := nums[fl]; ok {
				if want, err := strconv.ParseInt(cols[i], 10, 64); err == nil && want >= 0 && v != want {
					t.Errorf("%q: %s %d, want %d", line, fl.Name(), v, want)
				}
			}
		}
	}
}

func TestFastPathsMatchReference(t *testing.T) {
	for _, l := range []string{
		"2 123456789012 eni-1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK",
		"2 1 eni-1 255.255.255.255 0.0.0.0 65535 0 17 123456789 123456789012345 1767225600 1767225660 REJECT OK",
		"2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 12345678 1234567890123456 253402300799 253402300800 ACCEPT OK",
		"2 1 eni-1 1.2.3.4 5.6.7.8 2147483647 2147483648 6 99999999 100000000 1 22 ACCEPT OK",
		"2  1  eni-1  1.2.3.4  5.6.7.8  1  2  6  1  1  1767225600  1767225660  ACCEPT  OK",
	} {
		checkAgainstReference(t, l)
	}
}

// FuzzParseReference: whatever the line, numbers and addresses parsed agree with strconv and netip.
func FuzzParseReference(f *testing.F) {
	f.Add("2 1 eni-1 1.2.3.4 5.6.7.8 1 2 6 12345678 1234567890123456 253402300799 253402300800 ACCEPT OK")
	f.Add("2 123456789012 eni-1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK")
	f.Fuzz(func(t *testing.T, line string) { checkAgainstReference(t, line) })
}
