package flowlog

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

// Tests of the masked fast path (parseV5Masked): the whole parser against the reference parser on lines of
// the v2-v5 shapes with the edits that the masked path must refuse or read exactly, each line given both
// inside a larger buffer (loads straight from it) and as a slice without spare capacity (a padded copy).

// maskedFormats are the formats parseV5Masked serves: the VPC versions 2 to 5 (all of their columns), and
// later versions (the plan loop reads the columns after the first 29).
var maskedFormats = func() []*Format {
	fs := []*Format{DefaultFormat}
	for v := 3; v <= MaxVPCVersion; v++ {
		fs = append(fs, FormatOf(FieldsOfVersion(v)...))
	}
	return fs
}()

const v5Line = "5 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK " +
	"vpc-0a1b2c3d4e5f60718 subnet-0a1b2c3d4e5f60718 i-0a1b2c3d4e5f60718 19 IPv4 10.0.1.17 52.94.12.22 us-east-1 use1-az1 - - " +
	"S3 - ingress 8"

// maskedEdit applies edit op (at column col, or byte pos) to a v2-v5 shaped line.
func maskedEdit(line string, op, col uint8, pos uint16) string {
	f := strings.Split(line, " ")
	c := int(col) % len(f)
	switch op % 24 {
	case 0: // as is
	case 1: // two spaces between columns
		f[c] += " "
	case 2: // a leading space
		return " " + line
	case 3: // trailing spaces
		return line + strings.Repeat(" ", 1+int(pos%3))
	case 4: // a carriage return
		return line + "\r"
	case 5: // "-" in one column
		f[c] = "-"
	case 6: // "-" everywhere
		for i := range f {
			f[i] = "-"
		}
	case 7: // a long number: 8 to 19 digits
		f[c] = strings.Repeat("9", 8+int(pos%12))
	case 8: // 16 to 19 digits that fit an int64
		f[c] = "1" + strings.Repeat("0", 15+int(pos%4))
	case 9: // a time just over MaxTime, or at it
		f[c] = []string{"253402300800", "253402300799", "999999999999999"}[pos%3]
	case 10: // IPv6
		f[c] = []string{"2001:db8::1", "::ffff:10.0.0.1", "fe80::1%eth0"}[pos%3]
	case 11: // leading zeros, long octets, out-of-range octets
		f[c] = []string{"010.0.0.1", "10.0.0.01", "10.0.0.0001", "10.0.0.256", "1.2.3", "1.2.3.4.5", "1..2.3", "255.255.255.255", "0.0.0.0", "1.2.3.4."}[pos%10]
	case 12: // a column dropped
		f = append(f[:c], f[c+1:]...)
	case 13: // a column added
		f = append(f[:c], append([]string{"x"}, f[c:]...)...)
	case 14: // exactly 512 bytes, or 511 or 513, by a longer column
		n := 511 + int(pos%3)
		if d := n - len(line); d > 0 {
			f[c] += strings.Repeat("z", d)
		}
	case 15: // a byte replaced
		b := []byte(strings.Join(f, " "))
		if len(b) == 0 {
			return ""
		}
		b[int(pos)%len(b)] = " \t-0.9:aA\r\x00\xff/"[int(col)%13]
		return string(b)
	case 16: // leading zeros in a number
		f[c] = "00" + f[c]
	case 17: // the action and log-status words, and near misses
		f[c] = []string{"ACCEPT", "REJECT", "OK", "NODATA", "SKIPDATA", "ACCEPTED", "OKAY", "NODAT", "SKIPDAT", "accept", "-"}[pos%11]
	case 18: // a tab inside a column
		f[c] += "\t1"
	case 19: // int32 limits
		f[c] = []string{"2147483647", "2147483648", "99999999", "100000000", "4294967296"}[pos%5]
	case 20: // the line cut short
		b := strings.Join(f, " ")
		return b[:int(pos)%(len(b)+1)]
	case 21: // empty
		return ""
	case 22: // a dot or a sign in a number
		f[c] = []string{"1.5", "+1", "-1", "1e3", "0x1"}[pos%5]
	case 23: // two edits
		return maskedEdit(maskedEdit(line, op/24+1, col+7, pos/3), op/7, col, pos)
	}
	return strings.Join(f, " ")
}

// checkMasked compares the parser with the reference on line in format fm, the line given with spare
// capacity after it and without.
func checkMasked(t testing.TB, fm *Format, line string) {
	t.Helper()
	buf := []byte(line + " 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6") // the same line, inside a larger buffer
	tight := bytes.Clone([]byte(line))
	tight = tight[:len(tight):len(tight)]
	for _, l := range [][]byte{buf[:len(line)], tight} {
		for _, d := range []diffPair{newDiffPair(fm, Options{}), newDiffPairV5(fm, Options{})} {
			d.check(t, l, 1)
			d.check(t, l, 2) // again: nothing may depend on the previous line
		}
	}
}

func TestParseMaskedEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lines := []string{v5Line, strings.Join(strings.Split(v5Line, " ")[:14], " "), strings.Join(strings.Split(v5Line, " ")[:21], " ")}
	if GenLinesForTest != nil {
		for v := 2; v <= 5; v++ {
			_, gl := GenLinesForTest(t, v, 200)
			for _, l := range gl {
				lines = append(lines, string(l))
			}
		}
	}
	for _, l := range lines {
		for op := range uint8(24) {
			e := maskedEdit(l, op, uint8(rng.IntN(256)), uint16(rng.IntN(1<<16)))
			checkMasked(t, maskedFormats[rng.IntN(len(maskedFormats))], e)
		}
	}
	// Every format on the unedited shapes, and the masked path's share of them.
	for _, fm := range maskedFormats {
		for _, l := range lines[:3] {
			checkMasked(t, fm, l)
		}
	}
}

// TestParseMaskedTimes: start and end in every combination of ten digits (the end sharing the start's first
// six or not, a bad byte in its last four or in its first six), other lengths, "-" and near misses: the end
// read from the start's first six digits must be exactly what the reference reads.
func TestParseMaskedTimes(t *testing.T) {
	starts := []string{"1767225600", "1767229999", "-", "176722560", "17672256000", "1767a25600", "176722560a", "0000000000", "9999999999"}
	ends := []string{"1767225639", "1767229999", "1767230000", "1767225600", "176722563x", "17672256:9", "1767-25639",
		"17672 5639", "1767 25639", "-", "176722563", "17672256390", "176722", "0000009999", "9999999999", "1767a25600"}
	f := strings.Split(v5Line, " ")
	for _, st := range starts {
		for _, en := range ends {
			f[10], f[11] = st, en
			for i, n := range []int{14, 21, 25, 29} { // the columns of versions 2 to 5: maskedFormats[i]
				checkMasked(t, maskedFormats[i], strings.Join(f[:n], " "))
			}
		}
	}
}

// TestParseMaskedPacketAddrs: pkt-srcaddr and pkt-dstaddr the same text as srcaddr and dstaddr (read from
// their values), or nearly (a byte changed anywhere, one address longer or shorter, swapped, "-"), with the
// pair ending the line (version 3) or not: the parser agrees with the reference.
func TestParseMaskedPacketAddrs(t *testing.T) {
	addrs := []string{"10.0.1.17", "52.94.12.22", "255.255.255.255", "1.2.3.4", "10.0.1.170", "10.0.1.1", "-", "010.0.1.17", "2001:db8::1", "10.0.1.17x"}
	f := strings.Split(v5Line, " ")
	// The flow pairs: 21, 23, 3, 11, 31, 15 and 16 bytes (the shortcut compares pairs of 16 to 32).
	for _, src := range [][2]string{{"10.0.1.17", "52.94.12.22"}, {"255.255.255.255", "1.2.3.4"}, {"-", "-"}, {"10.0.1.17", "-"},
		{"255.255.255.255", "255.255.255.254"}, {"1.2.3.4", "5.6.7.8"}, {"1.2.3.4", "5.6.7.89"}} {
		f[3], f[4] = src[0], src[1]
		var pkts [][2]string
		for _, a := range addrs {
			pkts = append(pkts, [2]string{a, src[1]}, [2]string{src[0], a})
		}
		text := src[0] + " " + src[1]
		for i := range len(text) {
			b := []byte(text)
			b[i] ^= 1 // one byte changed
			if a, c, ok := strings.Cut(string(b), " "); ok {
				pkts = append(pkts, [2]string{a, c})
			}
			b[i] = ' ' // the same bytes, split elsewhere
			if a, c, ok := strings.Cut(string(b), " "); ok {
				if c, _, _ = strings.Cut(c, " "); a != "" && c != "" {
					pkts = append(pkts, [2]string{a, c})
				}
			}
		}
		// Swapped, the same, and one of the two a prefix of the flow's.
		pkts = append(pkts, [2]string{src[1], src[0]}, src, [2]string{src[0][:len(src[0])-1], src[1]},
			[2]string{src[0], src[1][:max(len(src[1])-1, 1)]}, [2]string{src[0], src[1] + "1"})
		for _, pkt := range pkts {
			f[19], f[20] = pkt[0], pkt[1]
			for i, n := range []int{21, 25, 29} { // the columns of versions 3 to 5: maskedFormats[i+1]
				checkMasked(t, maskedFormats[i+1], strings.Join(f[:n], " "))
			}
		}
	}
}

// TestParseMaskedReads checks that the masked path itself reads the common shapes (not only that the results
// agree, which the general path would also give): a v5 line, with "-" in every column, at 512 bytes.
func TestParseMaskedReads(t *testing.T) {
	f := FormatOf(FieldsOfVersion(5)...)
	long := strings.Replace(v5Line, " S3 ", " "+strings.Repeat("s", 512-len(v5Line)+2)+" ", 1)
	for _, line := range []string{v5Line, strings.TrimSpace(strings.Repeat("- ", 29)), long} {
		var ms maskScratch
		var r Record
		r.reset(f)
		r.line = []byte(line)
		ms.m.classify(r.line)
		copy(ms.pad[:], line)
		if len(line) > maskWords*64 {
			t.Fatalf("test line of %d bytes", len(line))
		}
		j, ok := r.parseV5Masked(&ms.m, unsafe.Pointer(&ms.pad), 29)
		if !ok || j != len(line)+1 {
			t.Errorf("%d-byte line: masked path %v, end %d", len(line), ok, j)
		}
	}
}

// FuzzParseMasked: v5-shaped lines with the edits of maskedEdit, and whatever the fuzzer makes of them, parse
// exactly as the reference parser reads them, in every format the masked path serves.
func FuzzParseMasked(f *testing.F) {
	for op := range uint8(24) {
		f.Add(v5Line, op, uint8(op*5), uint16(op)*977, uint8(op))
	}
	f.Add("2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK", uint8(0), uint8(0), uint16(0), uint8(0))
	f.Add(strings.Replace(v5Line, " 20 4249 ", " 12345678901 1234567890 ", 1), uint8(7), uint8(9), uint16(0), uint8(3))
	f.Fuzz(func(t *testing.T, line string, op, col uint8, pos uint16, sel uint8) {
		fm := maskedFormats[int(sel)%len(maskedFormats)]
		checkMasked(t, fm, line)
		checkMasked(t, fm, maskedEdit(line, op, col, pos))
		if strings.Count(line, " ") > 3 {
			checkMasked(t, FormatOf(FieldsOfVersion(5)...), maskedEdit(v5Line, op, col, pos))
		}
	})
}

// TestParseMaskedWordBoundaries lengthens the account-id column of the v2, v3 and v5 shapes byte by byte up
// to 512-byte lines, so that every later column ends at every position around a mask word's boundary and the
// lines take every length up to the limit (exactly 64, 128, ... 512 bytes among them), with "-" in each pair
// of address columns, a pair of one address and one "-", and a 9- and 11-digit time: the parser agrees
// with the reference, and the masked path itself reads every line of a v2-v5 shape of at most 512 bytes.
func TestParseMaskedWordBoundaries(t *testing.T) {
	cols := strings.Split(v5Line, " ")
	variants := func(f []string) [][]string {
		out := [][]string{f}
		for _, edit := range []map[int]string{{3: "-", 4: "-"}, {3: "-"}, {4: "-"}, {10: "999999999", 11: "10000000000"}, {19: "-", 20: "-"}, {20: "-"}} {
			g := append([]string(nil), f...)
			for c, v := range edit {
				if c < len(g) {
					g[c] = v
				}
			}
			out = append(out, g)
		}
		return out
	}
	for _, n := range []int{14, 21, 29} {
		fm := FormatOf(FieldsOfVersion(map[int]int{14: 2, 21: 3, 29: 5}[n])...)
		for _, f := range variants(cols[:n]) {
			base := strings.Join(f, " ")
			for pad := 0; len(base)+pad <= maskWords*64+1; pad++ {
				g := append([]string(nil), f...)
				g[1] += strings.Repeat("7", pad)
				line := strings.Join(g, " ")
				checkMasked(t, fm, line)
				if len(line) > maskWords*64 {
					continue
				}
				var ms maskScratch
				var r Record
				r.reset(fm)
				r.line = []byte(line)
				ms.m.classify(r.line)
				copy(ms.pad[:], line)
				if j, ok := r.parseV5Masked(&ms.m, unsafe.Pointer(&ms.pad), n); !ok || j != len(line)+1 {
					t.Fatalf("%d-byte line %q: masked path %v, end %d", len(line), line, ok, j)
				}
			}
		}
	}
}
