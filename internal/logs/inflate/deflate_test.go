package inflate_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"

	"github.com/flowguard/flowguard/internal/logs/inflate"
)

// Hand-made deflate data for what an inflater written by hand can get wrong and encoders rarely write: every
// distance and length, codes of 15 bits, incomplete and over-subscribed codes, invalid symbols, references
// before a member's start.

// bitWriter writes deflate's bit order: values least significant bit first, Huffman codes most significant.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	w.acc |= uint64(v) << w.n
	for w.n += n; w.n >= 8; w.n -= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
	}
}

func (w *bitWriter) code(c uint32, n uint) { w.bits(bits.Reverse32(c)>>(32-n), n) }

func (w *bitWriter) bytes() []byte {
	if w.n > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc, w.n = 0, 0
	}
	return w.out
}

var (
	lengthBase = []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	distBase   = []int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
)

func lengthExtra(i int) uint { return uint(max(0, min((i-4)/4, 5))) * uint(b2i(i != 28)) }
func distExtra(i int) uint   { return uint(max(0, (i-2)/2)) }
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// codeOf returns the code (symbol index) and extra bits of v in bases.
func codeOf(v int, bases []int) int {
	i := len(bases) - 1
	for bases[i] > v {
		i--
	}
	return i
}

// fixedLit writes literal/length symbol s with the fixed code.
func (w *bitWriter) fixedLit(s int) {
	switch {
	case s < 144:
		w.code(uint32(0x30+s), 8)
	case s < 256:
		w.code(uint32(0x190+s-144), 9)
	case s < 280:
		w.code(uint32(s-256), 7)
	default:
		w.code(uint32(0xc0+s-280), 8)
	}
}

// fixedMatch writes a match with the fixed code.
func (w *bitWriter) fixedMatch(length, dist int) {
	i := codeOf(length, lengthBase)
	w.fixedLit(257 + i)
	w.bits(uint32(length-lengthBase[i]), lengthExtra(i))
	j := codeOf(dist, distBase)
	w.code(uint32(j), 5)
	w.bits(uint32(dist-distBase[j]), distExtra(j))
}

// wrapRaw wraps raw deflate data in a gzip member whose trailer is right for what klauspost inflates it to.
func wrapRaw(body []byte) []byte {
	out, _ := io.ReadAll(flate.NewReader(bytes.NewReader(body)))
	data := append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}, body...)
	data = binary.LittleEndian.AppendUint32(data, crc32.ChecksumIEEE(out))
	return binary.LittleEndian.AppendUint32(data, uint32(len(out)))
}

// canonical returns the canonical Huffman codes of lens (RFC 1951 3.2.2).
func canonical(lens []uint8) []uint32 {
	var count, next [17]uint32
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	for l := 1; l <= 16; l++ {
		next[l] = (next[l-1] + count[l-1]) << 1
	}
	codes := make([]uint32, len(lens))
	for s, l := range lens {
		if l > 0 {
			codes[s] = next[l]
			next[l]++
		}
	}
	return codes
}

// dynamicHeader writes a dynamic block's header for the code lengths lit and dist, coded with a precode of
// 4-bit codewords for lengths 0 to 15 (complete).
func (w *bitWriter) dynamicHeader(final bool, lit, dist []uint8) {
	w.bits(uint32(b2i(final)), 1)
	w.bits(2, 2)
	w.bits(uint32(len(lit)-257), 5)
	w.bits(uint32(len(dist)-1), 5)
	w.bits(19-4, 4)
	for _, s := range []int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15} {
		w.bits(uint32(4*b2i(s < 16)), 3)
	}
	for _, l := range append(append([]uint8{}, lit...), dist...) {
		w.code(uint32(l), 4)
	}
}

// dyn is a dynamic block being written with its codes.
type dyn struct {
	w                  *bitWriter
	lit, dist          []uint8
	litCodes, distCode []uint32
}

func newDyn(w *bitWriter, final bool, lit, dist []uint8) *dyn {
	w.dynamicHeader(final, lit, dist)
	return &dyn{w, lit, dist, canonical(lit), canonical(dist)}
}

func (d *dyn) sym(s int)  { d.w.code(d.litCodes[s], uint(d.lit[s])) }
func (d *dyn) dsym(s int) { d.w.code(d.distCode[s], uint(d.dist[s])) }

// lens returns n code lengths, those of the symbols given, the others 0.
func lens(n int, set map[int]uint8) []uint8 {
	l := make([]uint8, n)
	for s, v := range set {
		l[s] = v
	}
	return l
}

// TestEveryDistanceAndLength: one fixed-code stream with a match at every distance 1 to 32768 and every length
// 3 to 258, its output (4 MB) sliding through the inflater's buffer many times.
func TestEveryDistanceAndLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	w := &bitWriter{}
	w.bits(1, 1) // final
	w.bits(1, 2) // fixed
	for range 40000 {
		w.fixedLit(rng.IntN(256))
	}
	for d := 1; d <= 32768; d++ {
		w.fixedMatch(3+d*7%256, d)
		if d%5 == 0 {
			w.fixedLit(d % 256)
		}
	}
	w.fixedLit(256)
	data := wrapRaw(w.bytes())
	if want := readVia(openKlauspost, bytes.NewReader(data), 0); want.err != nil || len(want.out) < 4<<20 {
		t.Fatalf("the reference reads %d bytes, %v", len(want.out), want.err)
	}
	if d := differ(data, false, false); d != "" {
		t.Error(d)
	}
	// Every way of reading, on the first 64 KiB of output.
	cut := append([]byte{}, data[:len(data)-8]...)
	if d := differ(cut[:20000], true, false); d != "" {
		t.Error("cut:", d)
	}
}

// TestCodes: dynamic blocks with codes at the limits, valid or not; each must give what klauspost gives.
func TestCodes(t *testing.T) {
	// ISA-L, like libdeflate, decodes with an incomplete code (until it meets an unused codeword); klauspost
	// and zlib refuse the code. Built with -tags isal, those inputs are only read, not compared.
	isal := strings.HasPrefix(inflate.Name(), "ISA-L")
	run := func(name string, body func(w *bitWriter), want string) {
		w := &bitWriter{}
		body(w)
		data := wrapRaw(w.bytes())
		if c := class(readVia(openKlauspost, bytes.NewReader(data), 0).err); c != want {
			t.Fatalf("%s: the reference says %s, the test expects %s", name, c, want)
		}
		if strings.HasPrefix(name, "incomplete") && isal {
			readVia(inflate.NewReader, bytes.NewReader(data), 0)
			return
		}
		if d := differ(data, true, false); d != "" {
			t.Errorf("%s: %s", name, d)
		}
	}
	x := int('x')
	// A complete literal code: 'x', end of block, and length 3 (symbol 257).
	small := map[int]uint8{x: 1, 256: 2, 257: 2}
	run("single distance code of length 1", func(w *bitWriter) {
		d := newDyn(w, true, lens(258, small), lens(1, map[int]uint8{0: 1}))
		d.sym(x)
		d.sym(257)
		d.dsym(0)
		d.sym(256)
	}, "ok")
	run("single distance code of length 1, its unused codeword", func(w *bitWriter) {
		d := newDyn(w, true, lens(258, small), lens(1, map[int]uint8{0: 1}))
		d.sym(x)
		d.sym(257)
		w.bits(1, 1)
		d.sym(256)
	}, "corrupt")
	run("incomplete distance code: one code of length 2", func(w *bitWriter) {
		newDyn(w, true, lens(258, small), lens(1, map[int]uint8{0: 2})).sym(256)
	}, "corrupt")
	run("no distance code, no match", func(w *bitWriter) {
		d := newDyn(w, true, lens(258, small), lens(1, nil))
		d.sym(x)
		d.sym(256)
	}, "ok")
	run("no distance code, a match", func(w *bitWriter) {
		d := newDyn(w, true, lens(258, small), lens(1, nil))
		d.sym(x)
		d.sym(257)
		w.bits(0, 8)
		d.sym(256)
	}, "corrupt")
	run("incomplete literal/length code", func(w *bitWriter) {
		newDyn(w, true, lens(257, map[int]uint8{x: 2, 256: 1}), lens(1, map[int]uint8{0: 1})).sym(256)
	}, "corrupt")
	run("over-subscribed literal code", func(w *bitWriter) {
		newDyn(w, true, lens(258, map[int]uint8{x: 1, 256: 1, 257: 1}), lens(1, map[int]uint8{0: 1})).sym(256)
	}, "corrupt")
	run("over-subscribed distance code", func(w *bitWriter) {
		newDyn(w, true, lens(258, small), lens(3, map[int]uint8{0: 1, 1: 1, 2: 1})).sym(256)
	}, "corrupt")

	// Codes of 15 bits: literals 0..13 with lengths 1..14, literal 14 and the end of block 15; distance codes
	// 0..13 with lengths 1..14, 14 and 15 with 15; the literal/length code then has lengths 1..15 too.
	long := map[int]uint8{}
	for s := range 14 {
		long[s] = uint8(s + 1)
	}
	long[14], long[256] = 15, 15
	run("literal codes of 15 bits", func(w *bitWriter) {
		d := newDyn(w, false, lens(257, long), lens(1, map[int]uint8{0: 1}))
		for r := range 3 {
			for s := range 15 {
				d.sym((s + r) % 15)
			}
		}
		d.sym(256)
		w.bits(1, 1) // a final, empty fixed block
		w.bits(1, 2)
		w.fixedLit(256)
	}, "ok")
	longLit := map[int]uint8{x: 1, 256: 2}
	for s := range 14 {
		longLit[257+s] = uint8(s + 3)
	}
	longLit[269], longLit[270] = 15, 15 // 257..268: lengths 3..14; complete with 'x' (1) and end of block (2)
	longDist := map[int]uint8{14: 15, 15: 15}
	for s := range 14 {
		longDist[s] = uint8(s + 1)
	}
	run("distance and length codes of 15 bits", func(w *bitWriter) {
		d := newDyn(w, true, lens(271, longLit), lens(16, longDist))
		for range 300 {
			d.sym(x)
		}
		for s := range 16 {
			d.sym(257 + s%14)
			w.bits(0, lengthExtra(s%14))
			d.dsym(s)
			w.bits(uint32(s)&(1<<distExtra(s)-1), distExtra(s))
		}
		d.sym(270)
		w.bits(3, lengthExtra(13))
		d.dsym(15)
		w.bits(5, distExtra(15))
		d.sym(256)
	}, "ok")

	header := func(final bool, hlit, hdist, hclen uint32) func(w *bitWriter) {
		return func(w *bitWriter) {
			w.bits(uint32(b2i(final)), 1)
			w.bits(2, 2)
			w.bits(hlit, 5)
			w.bits(hdist, 5)
			w.bits(hclen, 4)
			w.bits(0, 32)
		}
	}
	run("287 literal/length codes", header(true, 30, 0, 15), "corrupt")
	run("31 distance codes", header(true, 0, 30, 15), "corrupt")
	run("a repeat first", func(w *bitWriter) {
		w.bits(1, 1)
		w.bits(2, 2)
		w.bits(0, 5)
		w.bits(0, 5)
		w.bits(0, 4) // 4 precode lengths: 16, 17, 18, 0
		for _, l := range []uint32{1, 0, 0, 1} {
			w.bits(l, 3)
		}
		w.code(1, 1) // 16 (code 1; 0 has code 0)
		w.bits(0, 2)
	}, "corrupt")
	run("a repeat past the lengths", func(w *bitWriter) {
		w.bits(1, 1)
		w.bits(2, 2)
		w.bits(0, 5)
		w.bits(0, 5)
		w.bits(0, 4)
		for _, l := range []uint32{0, 0, 1, 1} { // 18 (code 0) and 0 (code 1)
			w.bits(l, 3)
		}
		for range 2 {
			w.code(1, 1)
			w.bits(127, 7) // 138 zeros, twice: 276 of 258
		}
	}, "corrupt")
	run("reserved block type", func(w *bitWriter) { w.bits(7, 3); w.bits(0, 16) }, "corrupt")
	run("stored length without its complement", func(w *bitWriter) {
		w.bits(1, 3)
		w.bits(0, 5)
		w.bits(5, 16)
		w.bits(5, 16)
		w.bits(0, 40)
	}, "corrupt")
	run("fixed literal/length symbol 286", func(w *bitWriter) {
		w.bits(3, 3)
		w.fixedLit(x)
		w.fixedLit(286)
		w.bits(0, 16)
	}, "corrupt")
	run("fixed distance code 30", func(w *bitWriter) {
		w.bits(3, 3)
		w.fixedLit(x)
		w.fixedLit(257)
		w.code(30, 5)
		w.bits(0, 16)
	}, "corrupt")
	run("distance before the start", func(w *bitWriter) {
		w.bits(3, 3)
		w.fixedLit(x)
		w.fixedLit(x)
		w.fixedMatch(3, 3)
		for range 30 { // input left for the fast loop
			w.fixedLit(x)
		}
		w.fixedLit(256)
	}, "corrupt")
	run("empty blocks of each type", func(w *bitWriter) {
		w.bits(0, 3) // stored, empty
		w.bytes()
		w.out = append(w.out, 0, 0, 0xff, 0xff)
		w.bits(2, 3) // fixed, empty
		w.fixedLit(256)
		newDyn(w, false, lens(257, map[int]uint8{x: 1, 256: 1}), lens(1, nil)).sym(256)
		w.bits(3, 3)
		w.fixedLit(x)
		w.fixedLit(256)
	}, "ok")
}

// TestMatchAcrossMembers: a member's matches cannot reach into the member before it.
func TestMatchAcrossMembers(t *testing.T) {
	first := gz(t, bytes.Repeat([]byte("abc"), 100), 6, gzip.Header{})
	w := &bitWriter{}
	w.bits(3, 3)
	w.fixedLit('a')
	w.fixedMatch(10, 5)
	for range 30 { // input left for the fast loop
		w.fixedLit('a')
	}
	w.fixedLit(256)
	second := wrapRaw(w.bytes())
	got := readVia(inflate.NewReader, bytes.NewReader(cat(first, second)), 0)
	if c := class(got.err); c != "corrupt" {
		t.Errorf("%s (%v), want corrupt", c, got.err)
	}
	if d := differ(cat(first, second), true, false); d != "" {
		t.Error(d)
	}
}

// TestEveryCut reads a stream of many blocks of every type, in two members, cut at every byte and read in
// pieces of every size up to 17 bytes.
func TestEveryCut(t *testing.T) {
	text := flowLogs(t, 40)
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, 6)
	for i := 0; i < len(text); i += 700 {
		fw.Write(text[i:min(i+700, len(text))])
		fw.Flush() // an empty stored block after each piece
	}
	fw.Close()
	one := wrapRaw(b.Bytes())
	data := cat(one, gz(t, text[:900], 0, gzip.Header{}), gz(t, text[:900], gzip.HuffmanOnly, gzip.Header{}))
	for n := 0; n <= len(data); n++ {
		if d := differ(data[:n], n%7 == 0, false); d != "" {
			t.Fatalf("cut to %d bytes: %s", n, d)
		}
	}
	want := readVia(openKlauspost, bytes.NewReader(data), 0)
	for k := 1; k <= 17; k++ {
		src := iotest.HalfReader(&chunked{data, k})
		if d := agree(readVia(inflate.NewReader, src, 100+k), want, false); d != "" {
			t.Errorf("%d-byte pieces: %s", k, d)
		}
	}
}

// chunked returns at most k bytes a read.
type chunked struct {
	b []byte
	k int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.k)], c.b)
	c.b = c.b[n:]
	return n, nil
}

// TestSizeLie: a trailer that claims 4 GiB is a checksum error after the data, not an allocation.
func TestSizeLie(t *testing.T) {
	text := flowLogs(t, 10)
	data := gz(t, text, 6, gzip.Header{})
	binary.LittleEndian.PutUint32(data[len(data)-4:], 0xffffffff)
	got := readVia(inflate.NewReader, bytes.NewReader(data), 0)
	if class(got.err) != "checksum" || !bytes.Equal(got.out, text) {
		t.Errorf("%s (%v), %d bytes, want checksum after the %d of the text", class(got.err), got.err, len(got.out), len(text))
	}
}
