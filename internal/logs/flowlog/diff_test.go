package flowlog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Differential tests: the parser against the reference copy in ref_test.go, line by line, on the same
// sequence of lines (records keep state across lines only through the format, which a header may change).

// diffFormats are the formats the differential tests try each line with.
var diffFormats = func() []*Format {
	fs := []*Format{DefaultFormat}
	for v := 3; v <= MaxVPCVersion; v++ {
		fs = append(fs, FormatOf(FieldsOfVersion(v)...))
	}
	fs = append(fs, TransitGatewayDefaultFormat,
		mustFormat("version srcaddr start end"),
		mustFormat("${srcport} ${srcport} ${x-new} ${bytes} ${dstaddr} ${y-new}"),
		mustFormat("${encryption-status} ${packets-lost-no-route} ${action} ${log-status} ${tcp-flags} ${traffic-path}"),
		mustFormat("${end} ${start} ${pkt-dstaddr} ${pkt-srcaddr} ${version} ${protocol} ${packets} ${dstport}"),
		mustFormat("${account-id} ${interface-id} ${resource-id}"),
	)
	return fs
}()

type diffPair struct {
	new, ref *Parser
}

// newDiffPair's parser takes the masked path (v5mask.go) whatever the processor; newDiffPairV5 is the pair
// whose parser takes parseV5 instead.
func newDiffPair(f *Format, opts Options) diffPair {
	d := diffPair{NewParser("d", f, opts), NewParser("d", f, opts)}
	d.new.ms.on = true
	return d
}

func newDiffPairV5(f *Format, opts Options) diffPair {
	d := newDiffPair(f, opts)
	d.new.ms.on = false
	return d
}

// check parses line with both parsers and fails on any difference in result, error, stats or format.
func (d diffPair) check(t testing.TB, line []byte, lineNo int64) {
	t.Helper()
	a, aerr := d.new.Parse(line, lineNo)
	b, berr := d.ref.refParse(line, lineNo)
	if fmt.Sprint(aerr) != fmt.Sprint(berr) {
		t.Fatalf("line %q (format %s): error %v, reference %v", line, d.ref.Format(), aerr, berr)
	}
	if (a == nil) != (b == nil) {
		t.Fatalf("line %q (format %s): record %v, reference %v", line, d.ref.Format(), a != nil, b != nil)
	}
	if a != nil && !sameRecord(a, b) {
		t.Fatalf("line %q (format %s):\n got %+v\nwant %+v", line, d.ref.Format(), *a, *b)
	}
	if !reflect.DeepEqual(d.new.Stats, d.ref.Stats) {
		t.Fatalf("line %q (format %s): stats %+v, reference %+v", line, d.ref.Format(), d.new.Stats, d.ref.Stats)
	}
	if !d.new.Format().Equal(d.ref.Format()) {
		t.Fatalf("line %q: format %s, reference %s", line, d.new.Format(), d.ref.Format())
	}
}

func sameRecord(a, b *Record) bool {
	if a.Version != b.Version || a.SrcPort != b.SrcPort || a.DstPort != b.DstPort || a.Protocol != b.Protocol ||
		a.TCPFlags != b.TCPFlags || a.TrafficPath != b.TrafficPath || a.Packets != b.Packets || a.Bytes != b.Bytes ||
		a.Start != b.Start || a.End != b.End || a.SrcAddr != b.SrcAddr || a.DstAddr != b.DstAddr ||
		a.PktSrcAddr != b.PktSrcAddr || a.PktDstAddr != b.PktDstAddr || a.Action != b.Action ||
		a.LogStatus != b.LogStatus || a.LineLen != b.LineLen || !a.format.Equal(b.format) || len(a.extra) != len(b.extra) {
		return false
	}
	for i := range a.raw {
		if x, y := a.Field(Field(i)), b.Field(Field(i)); (x == nil) != (y == nil) || !bytes.Equal(x, y) {
			return false
		}
	}
	for i := range a.extra {
		if (a.extra[i] == nil) != (b.extra[i] == nil) || !bytes.Equal(a.extra[i], b.extra[i]) {
			return false
		}
	}
	return true
}

// edgeLines are hand-made lines around every branch of the parser, tried with every diffFormat.
var edgeLines = []string{
	"",
	" ",
	"\r",
	"2 123456789012 eni-0000000a00000f2a1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK",
	"2 123456789012 eni-0000000a00000f2a1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK\r",
	"2 123456789012 eni-0000000a00000f2a1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK ",
	"  2  123456789012   eni-1  10.0.1.17    52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 REJECT OK   ",
	"2\t123456789012 eni-1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK",
	"2 123456789012 eni-1 10.0.1.17\t52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK",
	"2 123456789012 eni-1 - - - - - - - 1767225600 1767225660 - NODATA",
	"2 123456789012 eni-1 - - - - - - - 1767225600 1767225660 - SKIPDATA",
	"2 123456789012 eni-1 - - - - - - - - - - -",
	"2 123456789012 eni-1 -- - - - - - - - - - -",
	"2 123456789012 eni-1 2001:db8::1 fe80::1 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK",
	"2 123456789012 eni-1 ::ffff:10.0.0.1 fe80::1%eth0 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK",
	"2 123456789012 eni-1 2001:db8:0:0:0:0:0:1 ::1 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 010.0.1.17 10.00.1.17 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 10.0.1.017 10.0.1.256 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 255.255.255.255 0.0.0.0 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 1.2.3 1.2.3.4.5 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 1..2.3 .1.2.3 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 1.2.3.4. 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.1000 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK extra",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT O",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPTED OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 accept ok",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OKAY",
	"2 1 e 1.2.3.4 1.2.3.4 0001 00 007 000000000 0000000000000000000 0 0 REJECT OK",
	"2 1 e 1.2.3.4 1.2.3.4 2147483647 2147483648 4294967296 9 9 9 9 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 123456789 1234567890 12345678901 123456789012 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 1234567890123 12345678901234 123456789012345 1234567890123456 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 12345678901234567 123456789012345678 1 2 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 1234567890123456789 9223372036854775807 1 2 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 9223372036854775808 99999999999999999999 1 2 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 253402300799 253402300800 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 0253402300799 9999999999999 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 1000000000000000000 2 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 -1 +2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4x 5 6 7 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7x ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 12345678x 7 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 1234567890123456x 7 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 1234567890123456",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 12345678",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6",
	"2 1 e 1.2.3.4",
	"2 1 e 1.2.3.4 1.2",
	"2 1 e 1.2.3.4 1.2.3.4",
	"2",
	"23",
	"1.2.3.4",
	"1.2.3.4 5.6.7.8 9.10.11.12 13.14.15.16 17.18.19.20",
	"12345678 12345678 12345678 12345678 12345678 12345678 12345678 12345678 12345678",
	"123456789012345678 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
	"- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -",
	"2 123456789012 eni-1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK vpc-1 subnet-1 i-1 3 IPv4 10.0.1.17 52.94.12.22 us-east-1 use1-az1 wavelength wl-1 S3 - egress 7",
	"11 123456789012 eni-1 10.0.1.17 52.94.12.22 49152 443 6 20 4249 1767225600 1767225660 ACCEPT OK vpc-1 subnet-1 i-1 3 IPv6 2001:db8::1 - us-east-1 use1-az1 - - - S3 ingress 2147483648",
	"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
	"version srcaddr start end",
	"version srcaddr",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK \xff\xfe",
	"2 1 é 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCÉPT OK",
	"2 1 e １.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK",
	"\x00 \x00 \x00 \x00 \x00 \x00 \x00 \x00 \x00 \x00 \x00 \x00 \x00 \x00",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK\r\r",
	"2 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT\rOK",
	"3 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK vpc-1 subnet-1 i-1 4294967295 IPv4 1.2.3.4 -",
	"3 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK vpc-1 subnet-1 i-1 - IPv4 - 10.0.0.1",
	"3 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK vpc-1 subnet-1 i-1 - IPv4 - 10.0.0.1x",
	"3 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK vpc-1 subnet-1 i-1 - IPv4 - 10.0.0.1 ",
	"5 1 e 1.2.3.4 1.2.3.4 1 2 3 4 5 6 7 ACCEPT OK v s i 0 IPv4 1.2.3.4 1.2.3.4 r a t l - - ingress 99999999999",
	// srcport to end of 56 and 57 bytes with their spaces (numbersVec takes at most 56), and longer
	"2 123456789012 eni-1 10.0.1.17 52.94.12.22 49152 443 6 12345678901 1234567890 1767225600 1767225660 ACCEPT OK",
	"2 123456789012 eni-1 10.0.1.17 52.94.12.22 49152 443 6 12345678901 12345678901 1767225600 1767225660 ACCEPT OK",
	"2 123456789012 eni-1 10.0.1.17 52.94.12.22 12345678 12345678 12345678 123456789012345 123456789012345 1767225600 1767225660 ACCEPT OK",
}

// digitRuns are numbers of 1 to 21 digits, with and without leading zeros, around every limit.
func digitRuns() []string {
	var out []string
	for k := 1; k <= 21; k++ {
		out = append(out, strings.Repeat("9", k), "1"+strings.Repeat("0", k-1), strings.Repeat("0", k), "0"+strings.Repeat("7", k))
	}
	return append(out, "2147483647", "2147483648", "253402300799", "253402300800", "9223372036854775807", "9223372036854775808", "18446744073709551616")
}

// TestParseDifferentialEdges tries every hand-made line with every format, every number width in every
// column of several formats, and each line again after its columns one by one cut short.
func TestParseDifferentialEdges(t *testing.T) {
	for _, f := range diffFormats {
		for _, strict := range []bool{false, true} {
			d := newDiffPair(f, Options{Strict: strict, MaxSamples: 3})
			no := int64(0)
			for _, l := range edgeLines {
				no++
				d.check(t, []byte(l), no)
				for cut := 0; cut < len(l); cut++ {
					no++
					d.check(t, []byte(l[:cut]), no)
				}
			}
			// A number of every width (and a few non-numbers) in every column.
			base := strings.Fields(edgeLines[3])
			for col := range len(f.Fields) {
				for _, v := range append(digitRuns(), "-", "x", "1.2.3.4", "::1", "ACCEPT", "OK") {
					toks := make([]string, len(f.Fields))
					for i := range toks {
						toks[i] = base[i%len(base)]
					}
					toks[col] = v
					no++
					d.check(t, []byte(strings.Join(toks, " ")), no)
				}
			}
		}
	}
}

// GenLinesForTest returns n generated lines in the fields of VPC version v and their format. Set by the
// external test package (parsebench_test.go), which may import the generator.
var GenLinesForTest func(tb testing.TB, v, n int) (*Format, [][]byte)

// mutate returns line with a few random edits drawn from the bytes that matter to the parser.
func mutate(rng *rand.Rand, line []byte) []byte {
	const alphabet = " \t-0123456789.:abcdefxACCEPTREJECTOKNODATASKIPDATA\r\xff\x00%"
	b := append([]byte(nil), line...)
	for range 1 + rng.IntN(3) {
		if len(b) == 0 {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
			continue
		}
		p := rng.IntN(len(b))
		switch rng.IntN(5) {
		case 0: // replace
			b[p] = alphabet[rng.IntN(len(alphabet))]
		case 1: // delete
			b = append(b[:p], b[p+1:]...)
		case 2: // insert
			b = append(b[:p], append([]byte{alphabet[rng.IntN(len(alphabet))]}, b[p:]...)...)
		case 3: // truncate
			b = b[:p]
		case 4: // a run of digits
			b = append(b[:p], append([]byte(strings.Repeat(string(rune('0'+rng.IntN(10))), 1+rng.IntN(20))), b[p:]...)...)
		}
	}
	return b
}

// TestParseDifferentialGenerated compares the parsers on generated lines of every VPC version, as written and
// randomly mutated, with the lines' own format and with every other one.
func TestParseDifferentialGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for v := 2; v <= MaxVPCVersion; v++ {
		lf, lines := GenLinesForTest(t, v, 3000)
		for _, f := range append([]*Format{lf}, diffFormats...) {
			d, d5 := newDiffPair(f, Options{}), newDiffPairV5(f, Options{})
			for i, l := range lines {
				m := mutate(rng, l)
				d.check(t, l, int64(i+1))
				d.check(t, m, int64(i+1))
				d5.check(t, l, int64(i+1))
				d5.check(t, m, int64(i+1))
			}
		}
	}
}

// FuzzParseDifferential parses every line of data with the parser and the reference, in the format chosen by
// the selector byte, and fails on any difference.
func FuzzParseDifferential(f *testing.F) {
	for i, l := range edgeLines {
		f.Add(uint8(i), l+"\n"+l)
	}
	f.Add(uint8(0), s3Sample)
	f.Add(uint8(9), TransitGatewayDefaultFormat.Header()+"\n"+tgwLine+"\n"+strings.Replace(tgwLine, " 0 7 ", " - 99999999999999999999 ", 1))
	f.Fuzz(func(t *testing.T, sel uint8, data string) {
		fm := diffFormats[int(sel)%len(diffFormats)]
		d, d5 := newDiffPair(fm, Options{Strict: sel&0x80 != 0}), newDiffPairV5(fm, Options{Strict: sel&0x80 != 0})
		for i, l := range strings.Split(data, "\n") {
			d.check(t, []byte(l), int64(i+1))
			d5.check(t, []byte(l), int64(i+1))
		}
	})
}

// TestV5Order: parseV5's straight-line column order is the documented order of the version 2-5 fields, and
// the formats that use it are the ones whose columns start with those fields.
func TestV5Order(t *testing.T) {
	if !slices.Equal(v5Order[:], FieldsOfVersion(5)) {
		t.Fatalf("parseV5 reads %v, version 5 has %v", v5Order, FieldsOfVersion(5))
	}
	for v, want := range map[int]int{2: 14, 3: 21, 4: 25, 5: 29, 6: 29, 11: 29} {
		if got := FormatOf(FieldsOfVersion(v)...).v5; got != want {
			t.Errorf("version %d format: parseV5 reads %d columns, want %d", v, got, want)
		}
	}
	if DefaultFormat.v5 != 14 || TransitGatewayDefaultFormat.v5 != 0 || mustFormat("version srcaddr start end").v5 != 0 {
		t.Errorf("v5 columns: default %d, transit gateway %d, custom %d", DefaultFormat.v5, TransitGatewayDefaultFormat.v5, mustFormat("version srcaddr start end").v5)
	}
}
