package inflate_test

import (
	"bytes"
	stdgzip "compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"

	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/inflate"
)

// The tests compare inflate.NewReader with the reader the code used before it, klauspost/compress/gzip, on
// the same bytes: the same output and the same kind of error, read in every way (small reads, a source that
// returns a byte at a time). That compares the package's own inflater with klauspost in the default build, and
// ISA-L with klauspost built with -tags isal; TestErrorKinds pins the kinds of error either way. (The standard library's compress/gzip is
// no oracle: it differs from klauspost on reserved header flags and on a header cut inside its name.)

// class names the kind of an error, which is what callers' messages depend on.
func class(err error) string {
	var kc flate.CorruptInputError
	var ki flate.InternalError // klauspost's word for some invalid data, such as length code 286 or 287
	switch {
	case err == nil, err == io.EOF:
		return "ok"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected EOF"
	case errors.Is(err, gzip.ErrChecksum):
		return "checksum"
	case errors.Is(err, gzip.ErrHeader):
		return "header"
	case errors.As(err, &kc), errors.As(err, &ki):
		return "corrupt"
	}
	return "other: " + err.Error()
}

type result struct {
	out []byte
	err error
}

// readVia reads the whole stream with open, through src (the source as read) and reads of bufSize bytes
// (0: io.Copy, which uses WriteTo when the reader has it).
func readVia(open func(io.Reader) (io.ReadCloser, error), src io.Reader, bufSize int) result {
	zr, err := open(src)
	if err != nil {
		return result{nil, err}
	}
	defer zr.Close()
	var out bytes.Buffer
	if bufSize == 0 {
		_, err = io.Copy(&out, zr)
		return result{out.Bytes(), err}
	}
	buf := make([]byte, bufSize)
	for {
		n, err := zr.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return result{out.Bytes(), nil}
		}
		if err != nil {
			return result{out.Bytes(), err}
		}
	}
}

func openKlauspost(r io.Reader) (io.ReadCloser, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	return zr, nil
}

// agree reports how got differs from want, or "": the same class of error and, with no error or one found
// after the data, the same bytes; a truncated or corrupt stream may stop at a different point, so there one
// output must be a prefix of the other.
//
// With damaged (the input may hold corrupt deflate data), "unexpected EOF" and "corrupt" are one class: in a
// stream both damaged and cut short, which of the two a decoder meets first depends on how far it reads
// ahead (ISA-L buffers a whole block header, up to 328 bytes, before it judges it; klauspost reads its code
// lengths a symbol at a time), and both readers fail. A clean truncation of a valid stream must be
// "unexpected EOF" in both.
func agree(got, want result, damaged bool) string {
	gc, wc := class(got.err), class(want.err)
	if damaged && gc != wc && (gc == "unexpected EOF" || gc == "corrupt") && (wc == "unexpected EOF" || wc == "corrupt") {
		wc = gc
	}
	if gc != wc {
		return fmt.Sprintf("error %q (%v), want %q (%v); %d bytes out, want %d", gc, got.err, wc, want.err, len(got.out), len(want.out))
	}
	switch gc {
	case "unexpected EOF", "corrupt":
		if !bytes.HasPrefix(got.out, want.out) && !bytes.HasPrefix(want.out, got.out) {
			return fmt.Sprintf("%s: outputs differ at byte %d (%d and %d bytes)", gc, commonPrefix(got.out, want.out), len(got.out), len(want.out))
		}
	default:
		if !bytes.Equal(got.out, want.out) {
			return fmt.Sprintf("%s: %d bytes out, want %d, first difference at byte %d", gc, len(got.out), len(want.out), commonPrefix(got.out, want.out))
		}
	}
	return ""
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// differ checks data read through inflate.NewReader against klauspost, reading it in several ways (source
// chunking and read buffer size): with thorough, also in small pieces, which costs a call per piece.
func differ(data []byte, thorough, damaged bool) string {
	want := readVia(openKlauspost, bytes.NewReader(data), 0)
	type way struct {
		name string
		src  func() io.Reader
		buf  int
	}
	ways := []way{
		{"io.Copy", func() io.Reader { return bytes.NewReader(data) }, 0},
		{"512 KiB reads", func() io.Reader { return bytes.NewReader(data) }, 512 << 10},
	}
	if thorough {
		ways = append(ways,
			way{"7-byte reads", func() io.Reader { return bytes.NewReader(data) }, 7},
			way{"one byte at a time from the source", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }, 4096},
			way{"half reads, EOF with the data", func() io.Reader { return iotest.DataErrReader(iotest.HalfReader(bytes.NewReader(data))) }, 1000},
		)
	}
	for _, w := range ways {
		if d := agree(readVia(inflate.NewReader, w.src(), w.buf), want, damaged); d != "" {
			return w.name + ": " + d
		}
	}
	return ""
}

// flowLogs returns n generated version-2 flow-log records as text.
func flowLogs(t testing.TB, n int) []byte {
	g := gen.New(gen.Config{Seed: uint64(n), Records: n, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour, Interfaces: 50})
	var b bytes.Buffer
	if err := g.WriteStream(&b, true); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(t testing.TB, text []byte, level int, hdr gzip.Header) []byte {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Header = hdr
	if _, err := zw.Write(text); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gzStd compresses with the standard library's encoder (other block choices than klauspost's).
func gzStd(t testing.TB, text []byte, level int) []byte {
	var b bytes.Buffer
	zw, err := stdgzip.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(text)
	zw.Close()
	return b.Bytes()
}

// member builds a gzip member by hand, with the header flags no Go encoder writes (FHCRC) and any
// combination of the optional fields.
func member(t testing.TB, text []byte, flags byte, extra []byte, name, comment string) []byte {
	h := []byte{0x1f, 0x8b, 8, flags, 1, 2, 3, 4, 0, 3}
	if flags&4 != 0 {
		h = binary.LittleEndian.AppendUint16(h, uint16(len(extra)))
		h = append(h, extra...)
	}
	if flags&8 != 0 {
		h = append(append(h, name...), 0)
	}
	if flags&16 != 0 {
		h = append(append(h, comment...), 0)
	}
	if flags&2 != 0 {
		h = binary.LittleEndian.AppendUint16(h, uint16(crc32.ChecksumIEEE(h)))
	}
	var b bytes.Buffer
	fw, _ := flate.NewWriter(&b, 6)
	fw.Write(text)
	fw.Close()
	h = append(h, b.Bytes()...)
	h = binary.LittleEndian.AppendUint32(h, crc32.ChecksumIEEE(text))
	return binary.LittleEndian.AppendUint32(h, uint32(len(text)))
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// corpus is every input the differential test reads whole, valid or not, by name.
func corpus(t testing.TB, short bool) map[string][]byte {
	small, mid := flowLogs(t, 300), flowLogs(t, 20000)
	c := map[string][]byte{}
	sizes := map[string][]byte{"empty": nil, "one line": small[:bytes.IndexByte(small, '\n')+1], "300 records": small, "20k records": mid}
	for name, text := range sizes {
		for _, lvl := range []int{gzip.NoCompression, gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression, gzip.HuffmanOnly} {
			c[fmt.Sprintf("%s, klauspost level %d", name, lvl)] = gz(t, text, lvl, gzip.Header{})
		}
		for _, lvl := range []int{stdgzip.NoCompression, stdgzip.BestSpeed, stdgzip.DefaultCompression, stdgzip.BestCompression} {
			c[fmt.Sprintf("%s, compress/gzip level %d", name, lvl)] = gzStd(t, text, lvl)
		}
	}
	if !short {
		big := flowLogs(t, 200000) // 22 MB of text: many blocks, a full window
		c["200k records, klauspost level 1"] = gz(t, big, 1, gzip.Header{})
		c["200k records, compress/gzip level 6"] = gzStd(t, big, 6)
	}
	named := gzip.Header{Name: "flow.log", Comment: "generated", Extra: []byte{'F', 'G', 2, 0, 1, 2}, ModTime: time.Unix(1e9, 0)}
	c["FNAME FCOMMENT FEXTRA"] = gz(t, small, 6, named)
	c["latin-1 name"] = gz(t, small, 6, gzip.Header{Name: "flöw.log"})
	for flags := byte(0); flags < 32; flags += 2 {
		c[fmt.Sprintf("hand-made header flags %#x", flags)] = member(t, small, flags, []byte("xyz"), "a.log", "c")
	}
	c["FHCRC wrong"] = func() []byte { m := member(t, small, 2, nil, "", ""); m[10] ^= 1; return m }()
	c["FEXTRA empty"] = member(t, small, 4, nil, "", "")
	c["FEXTRA 64 KiB"] = member(t, small, 4|2, bytes.Repeat([]byte{7}, 65535), "", "")
	c["FNAME 511 bytes"] = member(t, small, 8, nil, strings.Repeat("n", 511), "")
	c["FNAME 512 bytes"] = member(t, small, 8, nil, strings.Repeat("n", 512), "")
	c["reserved flag bit"] = member(t, small, 0x20, nil, "", "")
	c["method 7"] = func() []byte { m := member(t, small, 0, nil, "", ""); m[2] = 7; return m }()
	c["not gzip"] = []byte("version account-id interface-id srcaddr dstaddr\n")

	a, b := gz(t, small, 6, gzip.Header{}), gz(t, mid, 1, named)
	empty := gz(t, nil, 6, gzip.Header{})
	c["three members"] = cat(a, b, a)
	c["empty member first, between, last"] = cat(empty, a, empty, b, empty)
	c["only empty members"] = cat(empty, empty)
	c["hand-made members"] = cat(member(t, small, 2|4|8|16, []byte("e"), "n", "c"), member(t, mid, 0, nil, "", ""))
	c["stored blocks, two members"] = cat(gz(t, mid, 0, gzip.Header{}), gz(t, small, 0, gzip.Header{}))

	for _, n := range []int{1, 2, 9, 10, 11, 100} {
		c[fmt.Sprintf("%d trailing zeros", n)] = cat(a, make([]byte, n))
	}
	c["trailing text"] = cat(a, []byte("trailing garbage after the member\n"))
	c["trailing gzip magic only"] = cat(a, []byte{0x1f, 0x8b})
	c["trailing header only"] = cat(a, a[:10])
	c["trailing header, name cut"] = cat(a, member(t, nil, 8, nil, "cut-name", "")[:14])
	return c
}

// mutate derives broken inputs from a valid one: truncations, flipped bytes, bad CRC and ISIZE.
func mutate(data []byte, every int, rng *rand.Rand) map[string][]byte {
	c := map[string][]byte{}
	for n := 0; n < len(data); n += every {
		c[fmt.Sprintf("truncated to %d", n)] = data[:n]
		if n < 40 {
			n -= every - 1 // every header offset
		}
	}
	for _, n := range []int{len(data) - 1, len(data) - 4, len(data) - 5, len(data) - 8, len(data) - 9} {
		if n > 0 {
			c[fmt.Sprintf("truncated to %d", n)] = data[:n]
		}
	}
	flip := func(i int, x byte) []byte { d := bytes.Clone(data); d[i] ^= x; return d }
	c["bad CRC"] = flip(len(data)-8, 0x01)
	c["bad CRC high byte"] = flip(len(data)-5, 0x80)
	c["bad ISIZE"] = flip(len(data)-4, 0x01)
	c["bad ISIZE high byte"] = flip(len(data)-1, 0x80)
	for _, i := range []int{0, 1, 2, 3, 8, 9, 10, 11, 12} {
		c[fmt.Sprintf("byte %d flipped", i)] = flip(i, 0xff)
	}
	for range 40 {
		i, x := 10+rng.IntN(len(data)-18), byte(1+rng.IntN(255))
		c[fmt.Sprintf("byte %d ^ %#x", i, x)] = flip(i, x)
	}
	return c
}

func TestDifferential(t *testing.T) {
	t.Logf("inflater: %s", inflate.Name())
	rng := rand.New(rand.NewPCG(1, 2))
	fails := 0
	check := func(name string, data []byte, thorough bool) {
		damaged := strings.Contains(name, " ^ ") || strings.Contains(name, "flipped")
		if d := differ(data, thorough, damaged); d != "" {
			if fails++; fails <= 20 {
				t.Errorf("%s (%d bytes): %s", name, len(data), d)
			}
		}
	}
	c := corpus(t, testing.Short())
	for name, data := range c {
		check(name, data, len(data) < 64<<10)
	}
	for _, base := range []string{"300 records, klauspost level -1", "300 records, klauspost level 0", "300 records, klauspost level -2",
		"hand-made header flags 0x1e", "three members", "empty member first, between, last"} {
		if c[base] == nil {
			t.Fatalf("no input %q", base)
		}
		every := 13
		if len(c[base]) > 20000 {
			every = len(c[base]) / 60 // multi-member inputs of 2 MB: each cut is read whole
		}
		for name, data := range mutate(c[base], every, rng) {
			check(base+", "+name, data, len(data) < 20000 && rng.IntN(8) == 0)
		}
	}
	for name, data := range mutate(c["20k records, klauspost level 1"], 24571, rng) {
		check("20k records level 1, "+name, data, false)
	}
	if fails > 20 {
		t.Errorf("... and %d more", fails-20)
	}
}

// TestErrorsKinds pins the errors callers see, whatever the inflater.
func TestErrorKinds(t *testing.T) {
	text := flowLogs(t, 100)
	a := gz(t, text, 6, gzip.Header{})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"valid", a, "ok"},
		{"truncated in the data", a[:len(a)/2], "unexpected EOF"},
		{"truncated in the trailer", a[:len(a)-3], "unexpected EOF"},
		{"bad CRC", func() []byte { d := bytes.Clone(a); d[len(d)-8] ^= 1; return d }(), "checksum"},
		{"bad ISIZE", func() []byte { d := bytes.Clone(a); d[len(d)-1] ^= 1; return d }(), "checksum"},
		{"trailing garbage", cat(a, []byte("0123456789abcdef")), "header"},
		{"trailing zeros", cat(a, make([]byte, 512)), "header"},
		{"corrupt deflate data", func() []byte { d := bytes.Clone(a); d[10] = 0xff; return d }(), "corrupt"},
	} {
		got := readVia(inflate.NewReader, bytes.NewReader(tc.data), 0)
		if c := class(got.err); c != tc.want {
			t.Errorf("%s: %s (%v), want %s", tc.name, c, got.err, tc.want)
		}
		if tc.want == "ok" || tc.want == "checksum" || tc.want == "header" {
			if !bytes.Equal(got.out, text) {
				t.Errorf("%s: %d bytes out, want the %d of the text", tc.name, len(got.out), len(text))
			}
		}
	}
}

// TestCloseTwice: Close may be called again, and Read after it fails instead of touching freed memory.
func TestCloseTwice(t *testing.T) {
	zr, err := inflate.NewReader(bytes.NewReader(gz(t, flowLogs(t, 10), 6, gzip.Header{})))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := zr.Read(buf); err != nil {
		t.Fatal(err)
	}
	if err := zr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := zr.Read(buf); err == nil {
		t.Fatal("Read after Close succeeded")
	}
}

// FuzzInflate reads arbitrary bytes through inflate.NewReader and its reference. An input whose first byte is
// odd is taken as raw deflate data and wrapped in a gzip header and a trailer (the right one when the data
// decodes), so that the fuzzer explores the decoders rather than header checks.
func FuzzInflate(f *testing.F) {
	text := flowLogs(f, 30)
	for _, lvl := range []int{0, 1, 6, 9, -2} {
		f.Add(gz(f, text, lvl, gzip.Header{}))
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, lvl)
		fw.Write(text[:500])
		fw.Close()
		f.Add(append([]byte{1}, b.Bytes()...))
	}
	f.Add(cat(gz(f, text[:100], 6, gzip.Header{Name: "n", Comment: "c", Extra: []byte{1, 2, 0, 0}}), gz(f, nil, 1, gzip.Header{})))
	f.Add(member(f, text[:50], 2|4|8|16, []byte("x"), "n", "c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 0 && data[0]&1 == 1 {
			body := data[1:]
			out, _ := io.ReadAll(flate.NewReader(bytes.NewReader(body)))
			data = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}
			data = append(data, body...)
			data = binary.LittleEndian.AppendUint32(data, crc32.ChecksumIEEE(out))
			data = binary.LittleEndian.AppendUint32(data, uint32(len(out)))
		}
		if d := differ(data, len(data) < 4096, true); d != "" {
			t.Fatal(d)
		}
	})
}

// BenchmarkInflate inflates 200k generated flow-log records (22 MB of text, gzip level 6) with the inflater
// compiled in; MB/s are of text. Compare builds with `-tags isal` and without, alternated, with -count.
func BenchmarkInflate(b *testing.B) {
	text := flowLogs(b, 200000)
	data := gz(b, text, gzip.DefaultCompression, gzip.Header{})
	b.Logf("inflater: %s; %d bytes of text, %d of gzip", inflate.Name(), len(text), len(data))
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for range b.N {
		zr, err := inflate.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, zr); err != nil || n != int64(len(text)) {
			b.Fatalf("%d bytes, %v", n, err)
		}
		zr.Close()
	}
}
