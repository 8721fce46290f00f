package flowlog

import (
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// Tests of numbersVec (numbers.go): numbersGo against the spec and the reference parser, numbersVec against
// numbersGo, and the whole parser against the reference with every kind of value in each of the seven columns.

// numberValues are the values tried in each number column: every length of 1 to 20 digits (all nines, a one
// and zeros, all zeros, leading zeros), "-", empty, the int32 and time limits, and a non-digit at every place
// of numbers of 1 to 16 digits.
func numberValues() []string {
	out := append(digitRuns(), "-", "", "--", "-1", "+1", "0", "00000000", "000000000", "0000000000", "99999999", "100000000",
		"1767225600", "0001767225", "253402300799", "253402300800", "999999999999999", "1000000000000000", "123456789012345")
	for k := 1; k <= 16; k++ {
		num := "1234567890123456"[:k]
		for i := range k {
			for _, c := range []byte{'/', ':', '.', '-', 'a', '\t', 0, 0x80, 0xB0, 0xFF} {
				b := []byte(num)
				b[i] = c
				out = append(out, string(b))
			}
		}
	}
	return out
}

// numberEnds returns, for a line of fields split on single spaces, SrcPort's start and the ends of columns 5 to
// 11 (as parseV5Masked finds them: a column ends at the next space, or at the line's end).
func numberEnds(line string) (int, [7]int) {
	var e [7]int
	s, col := 0, 0
	for i := 0; col < 12; i++ {
		if i >= len(line) || line[i] == ' ' {
			if col == 4 {
				s = i + 1
			}
			if col >= 5 {
				e[col-5] = i
			}
			col++
		}
	}
	return s, e
}

// refNumbers is the spec of numbersVec: the columns' values, and whether it reads them.
func refNumbers(line string, s int, e [7]int) ([7]int64, bool) {
	var v [7]int64
	if e[0] < 16 || e[6]-s > 56 {
		return [7]int64{}, false
	}
	for i, end := range e {
		if end > len(line) || s > end {
			return [7]int64{}, false
		}
		text := line[s:end]
		n, err := strconv.ParseInt(text, 10, 64)
		k := len(text)
		switch {
		case err != nil || strings.TrimLeft(text, "0123456789") != "":
			return [7]int64{}, false
		case i < 3 && k > 8, i >= 3 && i < 5 && k > 15, i >= 5 && k != 10:
			return [7]int64{}, false
		}
		v[i] = n
		s = end + 1
	}
	return v, true
}

// checkNumbers runs numbersGo and numbersVec on line (with 16 bytes of padding after it, as parseV5Masked
// gives) and fails unless both agree with refNumbers; a refusal must leave the record alone.
func checkNumbers(t testing.TB, line string) bool {
	t.Helper()
	return checkNumbersIn(t, line, append([]byte(line), strings.Repeat("\xff", maskedPad)...))
}

// checkNumbersIn is checkNumbers with the line at the start of buf, and whatever buf has after it. A read
// also returns the walk of the space mask after End's end e6, as parseV5Masked's would be: the bits of e6's
// word above it, that word's bit, and e6+1.
func checkNumbersIn(t testing.TB, line string, buf []byte) bool {
	t.Helper()
	s, e := numberEnds(line)
	want, wantOK := refNumbers(line, s, e)
	var m lineMasks
	classifyGeneric(&m, []byte(line))
	var wantC uint64
	wantBase, wantNext := 0, 0
	if wantOK {
		wantBase, wantNext = e[6]&^63, e[6]+1
		wantC = m.sp[e[6]>>6] >> (e[6] & 63) >> 1 << (e[6] & 63) << 1
	}
	for _, impl := range []struct {
		name string
		f    func(*Record, unsafe.Pointer, *[maskWords + 1]uint64, int) (uint64, int, int)
	}{{"numbersGo", numbersGo}, {"numbersVec", numbersVec}} {
		if impl.name == "numbersVec" && !numsVec {
			continue
		}
		r := Record{Version: 7, SrcPort: 7, DstPort: 7, Protocol: 7, TCPFlags: 7, TrafficPath: 7, Packets: 7, Bytes: 7, Start: 7, End: 7}
		c, base, next := impl.f(&r, unsafe.Pointer(&buf[0]), &m.sp, s)
		ok := next != 0
		got := [7]int64{int64(r.SrcPort), int64(r.DstPort), int64(r.Protocol), r.Packets, r.Bytes, r.Start, r.End}
		if !ok && got != [7]int64{7, 7, 7, 7, 7, 7, 7} {
			t.Fatalf("%s(%q): refused, but wrote %v", impl.name, line, got)
		}
		if !ok {
			got, c, base = [7]int64{}, 0, 0
		}
		if ok != wantOK || got != want || r.Version != 7 || r.TCPFlags != 7 || r.TrafficPath != 7 {
			t.Fatalf("%s(%q, s=%d, e=%v) = %v %v (version, tcp-flags, traffic-path %d %d %d), want %v %v",
				impl.name, line, s, e, got, ok, r.Version, r.TCPFlags, r.TrafficPath, want, wantOK)
		}
		if c != wantC || base != wantBase || next != wantNext {
			t.Fatalf("%s(%q, s=%d, e=%v): walk %#x %d %d, want %#x %d %d", impl.name, line, s, e, c, base, next, wantC, wantBase, wantNext)
		}
	}
	return wantOK
}

// TestNumbers puts every value of numberValues in each of the seven columns of the v2 and v5 shapes, and
// moves the columns' start by changing the account-id's length: numbersGo and numbersVec agree with
// refNumbers, and the parser (both paths, numsVec on) with the reference parser.
func TestNumbers(t *testing.T) {
	f := strings.Split(v5Line, " ")
	read := 0
	for col := 5; col <= 11; col++ {
		for _, v := range numberValues() {
			g := append([]string(nil), f...)
			g[col] = v
			for _, acct := range []string{"1", "123456789012"} {
				g[1] = acct
				for i, n := range []int{14, 29} {
					line := strings.Join(g[:n], " ")
					if checkNumbers(t, line) {
						read++
					}
					checkMasked(t, maskedFormats[3*i], line)
				}
			}
		}
	}
	if read == 0 {
		t.Fatal("numbersVec read no line")
	}
	// Columns that start near the line's start: SrcPort ending before byte 16 is refused.
	for _, line := range []string{"2 1 e - - 1 2 3 4 5 6 7 ACCEPT OK", "2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 1767225600 1767225600 ACCEPT OK",
		"2 1 e 1.2.3.4 5.6.7.8 1 2 3 4 5 1767225600 1767225600 ACCEPT OK", "2 1 eni-12 1.2.3.4 5.6.7.8 1 2 3 4 5 1767225600 1767225600 ACCEPT OK"} {
		checkNumbers(t, line)
		checkMasked(t, DefaultFormat, line)
	}
}

// TestNumbersLengths: every combination of lengths 0 to 17 in pairs of columns, times of 9 to 11 digits.
func TestNumbersLengths(t *testing.T) {
	f := strings.Split(v5Line, " ")
	for a := 5; a <= 11; a++ {
		for b := a + 1; b <= 11; b++ {
			for ka := 0; ka <= 17; ka++ {
				for kb := 0; kb <= 17; kb++ {
					g := append([]string(nil), f[:14]...)
					g[a], g[b] = strings.Repeat("3", ka), strings.Repeat("8", kb)
					line := strings.Join(g, " ")
					checkNumbers(t, line)
					checkMasked(t, DefaultFormat, line)
				}
			}
		}
	}
}

// TestNumbersSpans: the seven columns with their spaces 50 to 60 bytes long (numbersVec takes at most 56:
// End's end in the 57 bits of the space mask that it reads from SrcPort's start), starting at every bit of a byte of the mask and across
// the mask's words; and 512-byte lines cut after each column, so that the columns from SrcPort on start at
// or past the line's end, in the last words of the mask.
func TestNumbersSpans(t *testing.T) {
	f := strings.Split(v5Line, " ")
	read, refused := 0, 0
	for acct := 1; acct <= 140; acct++ {
		for span := 50; span <= 60; span++ {
			// 5+1+3+1+1+1+k3+1+k4+1+10+1+10 bytes: packets and bytes share the rest.
			g := append([]string(nil), f[:14]...)
			g[1] = strings.Repeat("1", acct)
			g[5], g[6], g[7] = "49152", "443", "6"
			rest := span - 35
			g[8], g[9] = strings.Repeat("7", rest/2), strings.Repeat("8", rest-rest/2)
			line := strings.Join(g, " ")
			if checkNumbers(t, line) {
				read++
			} else {
				refused++
			}
			if acct%8 == 0 {
				checkMasked(t, DefaultFormat, line)
			}
		}
	}
	if read == 0 || refused == 0 {
		t.Fatalf("%d lines read, %d refused: the spans miss the limit", read, refused)
	}
	for n := 1; n <= 14; n++ {
		g := append([]string(nil), f[:n]...)
		line := strings.Join(g, " ")
		g[0] += strings.Repeat("9", maskWords*64-len(line))
		line = strings.Join(g, " ")
		checkNumbers(t, line)
		checkMasked(t, DefaultFormat, line)
	}
}

// FuzzNumbers: numbersVec and numbersGo agree with refNumbers on any line's columns 5 to 11, and the parser
// with the reference.
func FuzzNumbers(f *testing.F) {
	f.Add(v5Line)
	f.Add("2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK")
	f.Add("2 123456789012 eni-0000000a00000f2a1 10.0.1.17 52.94.12.22 99999999 0 255 999999999999999 1 9999999999 0000000000 ACCEPT OK")
	f.Add("2 123456789012 eni-0000000a00000f2a1 10.0.1.17 52.94.12.22 - - - - - - - - NODATA")
	f.Add("2 123456789012 eni-0000000a00000f2a1 10.0.1.17 52.94.12.22 49152 443 6 12345678901 1234567890 1767225600 1767225660 ACCEPT OK")
	f.Add("2 123456789012 eni-0000000a00000f2a1 10.0.1.17 52.94.12.22 49152 443 6 12345678901 12345678901 1767225600 1767225660 ACCEPT OK")
	f.Fuzz(func(t *testing.T, line string) {
		if strings.IndexByte(line, '\n') >= 0 || len(line) > maskWords*64 {
			return
		}
		checkNumbers(t, line)
		checkMasked(t, DefaultFormat, line)
	})
}

// TestNumbersReads: numbersVec itself reads the usual lines (not only the same results as the blocks).
func TestNumbersReads(t *testing.T) {
	lines := []string{v5Line}
	if GenLinesForTest != nil {
		_, gl := GenLinesForTest(t, 5, 200)
		for _, l := range gl {
			lines = append(lines, string(l))
		}
	}
	n := 0
	for _, l := range lines {
		if checkNumbers(t, l) {
			n++
		}
	}
	if n < len(lines)*9/10 {
		t.Errorf("numbersGo read %d of %d generated lines", n, len(lines))
	}
	t.Logf("%d of %d lines read", n, len(lines))
}

// TestNumbersLayout: numbersVec stores SrcPort and DstPort with one 8-byte store and Packets to End with one
// 32-byte store (numbers_amd64.s), so the Record must keep them adjacent, in this order.
func TestNumbersLayout(t *testing.T) {
	var r Record
	if unsafe.Offsetof(r.DstPort) != unsafe.Offsetof(r.SrcPort)+4 || unsafe.Offsetof(r.Bytes) != unsafe.Offsetof(r.Packets)+8 ||
		unsafe.Offsetof(r.Start) != unsafe.Offsetof(r.Packets)+16 || unsafe.Offsetof(r.End) != unsafe.Offsetof(r.Packets)+24 {
		t.Fatal("Record: SrcPort, DstPort or Packets, Bytes, Start, End no longer adjacent (numbersVec's stores)")
	}
}
