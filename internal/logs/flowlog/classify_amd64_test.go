package flowlog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasClassifyAVX2 is whether this processor can run classifyAVX2; the tests that call it directly skip
// where it cannot (and then check that classify is the generic one).
var hasClassifyAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasBMI2

func needAVX2(tb testing.TB) {
	tb.Helper()
	if !hasClassifyAVX2 {
		tb.Skip("no AVX2 and BMI2 on this processor")
	}
}

func funcPC(f func(*lineMasks, []byte)) uintptr { return reflect.ValueOf(f).Pointer() }

func TestClassifyDispatch(t *testing.T) {
	generic, avx2 := funcPC(classifyGeneric), funcPC(classifyAVX2)
	for _, c := range []struct {
		avx2, bmi2 bool
		want       uintptr
	}{{false, false, generic}, {false, true, generic}, {true, false, generic}, {true, true, avx2}} {
		if got := funcPC(classifyFor(c.avx2, c.bmi2)); got != c.want {
			t.Errorf("classifyFor(avx2 %v, bmi2 %v) is not the expected function", c.avx2, c.bmi2)
		}
	}
	want := generic
	if hasClassifyAVX2 {
		want = avx2
	}
	if funcPC(classifyImpl) != want {
		t.Errorf("classifyImpl does not match the processor (AVX2 and BMI2: %v)", hasClassifyAVX2)
	}
	if classifyVec != hasClassifyAVX2 {
		t.Errorf("classifyVec %v does not match the processor (AVX2 and BMI2: %v)", classifyVec, hasClassifyAVX2)
	}
	t.Logf("AVX2 and BMI2: %v", hasClassifyAVX2)
}

// classifyEdges are the bytes at and beside a space, digits and other bytes, in both signed halves.
var classifyEdges = []byte(" 0123456789.-/:aZ\x00\xff\x7f\x80\x81\x1f\x21\x2f\x3a\xa0\xb0\xb9\xaf\xba")

// randomLine fills line with edge bytes, and one byte in four uniformly random.
func randomLine(rng *rand.Rand, line []byte) {
	for j := range line {
		if r := rng.Uint32(); r&3 == 0 {
			line[j] = byte(r >> 8)
		} else {
			line[j] = classifyEdges[(r>>8)%uint32(len(classifyEdges))]
		}
	}
}

func randomMasks(rng *rand.Rand) lineMasks {
	var m lineMasks
	for w := range m.sp {
		m.sp[w] = rng.Uint64()
	}
	return m
}

func checkClassify(t *testing.T, name string, f func(*lineMasks, []byte), m lineMasks, line []byte) {
	t.Helper()
	f(&m, line)
	if want := refMasks(line); m != want {
		t.Fatalf("%s len %d %q:\n got %x %v\nwant %x %v", name, len(line), line, m.sp, m.pair, want.sp, want.pair)
	}
}

// TestClassifyAVX2MatchesBytes compares classifyAVX2 with the byte-by-byte reference for every length,
// start alignments 0..31 within a larger buffer, and random prior contents of the masks.
func TestClassifyAVX2MatchesBytes(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(3, 4))
	buf := make([]byte, 32+maskWords*64+64)
	for n := 0; n <= maskWords*64; n++ {
		for off := range 32 {
			randomLine(rng, buf)
			checkClassify(t, "avx2", classifyAVX2, randomMasks(rng), buf[off:off+n:off+n])
		}
	}
}

// TestClassifyAVX2PageTail places lines of every length so that their last partial 64-byte block starts
// in the last 64 bytes of a 4 KiB page of a Go buffer, where classifyAVX2 loads the 64 bytes ending at the
// line's end instead (the other path), and right after, where it loads forward again.
func TestClassifyAVX2PageTail(t *testing.T) {
	needAVX2(t)
	rng := rand.New(rand.NewPCG(5, 6))
	buf := make([]byte, 3*4096)
	base := 4096 - int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))&4095) // offset in buf of a page start
	for n := 0; n <= maskWords*64; n++ {
		full := n &^ 63
		for _, pos := range []int{-64, -63, -33, -32, -31, -2, -1, 0, 1} { // page offset of the partial block
			start := base + 4096 + pos - full
			line := buf[start : start+n : start+n]
			randomLine(rng, line)
			checkClassify(t, "avx2", classifyAVX2, randomMasks(rng), line)
		}
	}
}

func TestClassifyAVX2TooLong(t *testing.T) {
	needAVX2(t)
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a line longer than maskWords×64")
		}
	}()
	var m lineMasks
	classifyAVX2(&m, make([]byte, maskWords*64+1))
}

// refPair is lineMasks.pair computed plainly: columns 3 and 4 of line (split at single spaces, the line's
// end counting as a space), when both end in the first 64 bytes and are IPv4 addresses.
func refPair(line []byte) (p struct {
	a0, a1 uint32
	ok     bool
}) {
	var ends []int
	for j := 0; j < 64 && len(ends) < 5; j++ {
		if j >= len(line) || line[j] == ' ' {
			ends = append(ends, j)
		}
	}
	if len(ends) < 5 || ends[4] > len(line) {
		return p
	}
	a0, ok0 := refIPv4Span(line[ends[2]+1 : ends[3]])
	a1, ok1 := refIPv4Span(line[ends[3]+1 : ends[4]])
	if ok0 && ok1 {
		p.a0, p.a1, p.ok = a0, a1, true
	}
	return p
}

// checkClassifyPair: classifyVecAsm given the line's bytes followed by maskedPad bytes of fill (which must
// not matter) reads refPair's pair and the masks, over a stale pair.
func checkClassifyPair(t testing.TB, line []byte, fill byte) {
	t.Helper()
	padded := bytes.Repeat([]byte{fill}, len(line)+maskedPad)
	copy(padded, line)
	var m lineMasks
	m.pair.a0, m.pair.a1, m.pair.ok = 1, 2, true
	classifyVecAsm(&m, line, unsafe.Pointer(&padded[0]))
	if want := refPair(line); m.pair != want || m.sp != refMasks(line).sp {
		t.Fatalf("%q (fill %q): pair %+v, want %+v (masks %x)", line, fill, m.pair, want, m.sp)
	}
}

// TestClassifyPair: the pair read by classifyVecAsm on v2-v5 lines whose address columns end at every
// position around the first word's end, with the edits of maskedEdit.
func TestClassifyPair(t *testing.T) {
	if !classifyVec {
		t.Skip("no vector classify")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	f := strings.Split(v5Line, " ")
	for n := 1; n <= 40; n++ {
		f[1] = strings.Repeat("1", n)
		line := strings.Join(f, " ")
		for op := range uint8(24) {
			e := maskedEdit(line, op, uint8(rng.IntN(6)), uint16(rng.IntN(1<<16)))
			for _, fill := range []byte(" 0.\xff") {
				checkClassifyPair(t, []byte(e), fill)
			}
		}
	}
}

// FuzzClassify compares classifyAVX2 (where the processor has it), classifyGeneric and the byte-by-byte
// reference on a line of up to maskWords×64 bytes in a buffer: starting off&63 bytes after a 4 KiB page
// boundary, or, when off has its top bit, ending off&63 bytes before one (where classifyAVX2 may load the
// tail backwards).
func FuzzClassify(f *testing.F) {
	f.Add([]byte("5 2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.9 443 49152 6 10 5000 1767225600 1767225660 ACCEPT OK"), uint8(0))
	f.Add([]byte("5 2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.9 443 49152 6 10 5000 1767225600 1767225660 ACCEPT OK"), uint8(0x81))
	f.Add([]byte("- 0 9 / : \x00\xff\x7f\x80 "), uint8(7))
	f.Add([]byte{}, uint8(31))
	buf := make([]byte, 3*4096)
	base := 4096 - int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))&4095) // offset in buf of a page start
	f.Fuzz(func(t *testing.T, data []byte, off uint8) {
		data = data[:min(len(data), maskWords*64)]
		start := base + int(off&63)
		if off&0x80 != 0 {
			start = base + 4096 - int(off&63) - len(data)
		}
		line := buf[start : start+len(data) : start+len(data)]
		copy(line, data)
		want := refMasks(line)
		m := lineMasks{}
		for w := range m.sp {
			m.sp[w] = uint64(off)*0x9E3779B97F4A7C15 ^ uint64(w)
		}
		g := m
		classifyGeneric(&g, line)
		if g != want {
			t.Fatalf("generic %q:\n got %x %v\nwant %x", line, g.sp, g.pair, want.sp)
		}
		if hasClassifyAVX2 {
			a := m
			classifyAVX2(&a, line)
			if a != want {
				t.Fatalf("avx2 %q:\n got %x %v\nwant %x", line, a.sp, a.pair, want.sp)
			}
		}
		if classifyVec {
			checkClassifyPair(t, line, off)
		}
	})
}

// reportPerLine reports ns/line (wall) and, where the process's CPU time is known, cpu-ns/line.
func reportPerLine(b *testing.B, cpu0 time.Duration, lines int) {
	if cpu1 := classifyCPUTime(); cpu1 != 0 {
		b.ReportMetric(float64(cpu1-cpu0)/float64(lines), "cpu-ns/line")
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(lines), "ns/line")
}

// BenchmarkClassify is classify on generated lines of VPC versions 2 (about 110 bytes) and 5 (about 243),
// generic and AVX2, through the classifyImpl-style indirect call that lineMasks.classify makes. ns/line is
// wall time per line, cpu-ns/line the process's CPU time per line (Linux); compare the two on the same run.
func BenchmarkClassify(b *testing.B) {
	impls := []struct {
		name string
		f    func(*lineMasks, []byte)
	}{{"generic", classifyGeneric}, {"avx2", classifyAVX2}}
	for _, v := range []int{2, 5} {
		_, lines := GenLinesForTest(b, v, 4096)
		size := 0
		for _, l := range lines {
			size += len(l)
		}
		for _, impl := range impls {
			b.Run(fmt.Sprintf("v%d/%s", v, impl.name), func(b *testing.B) {
				if impl.name == "avx2" {
					needAVX2(b)
				}
				f := impl.f
				var m lineMasks
				n := 0
				cpu0 := classifyCPUTime()
				for b.Loop() {
					for _, l := range lines {
						f(&m, l)
					}
					n += len(lines)
				}
				reportPerLine(b, cpu0, n)
				b.ReportMetric(float64(size)/float64(len(lines)), "bytes/line")
			})
		}
	}
}

// BenchmarkClassifyLengths is what the masked parser pays per line for classify at line lengths 100 to 512:
// 1024 lines of generated v5 text cut to the length, at the varied start alignments of lines in a chunk.
// "impl" is the call through classifyImpl (lineMasks.classify as it is), "avx2-direct" a direct call of
// classifyAVX2, which the compiler inlines down to the assembly call (what a direct dispatch would cost).
func BenchmarkClassifyLengths(b *testing.B) {
	_, gen := GenLinesForTest(b, 5, 4096)
	var text []byte
	for _, l := range gen {
		text = append(append(text, l...), '\n')
	}
	for _, n := range []int{100, 128, 192, 243, 256, 320, 384, 448, 512} {
		lines := make([][]byte, 1024)
		for i, off := 0, 0; i < len(lines); i, off = i+1, off+n+37 {
			off %= len(text) - n
			lines[i] = text[off : off+n : off+n]
		}
		run := func(name string, body func(m *lineMasks, lines [][]byte)) {
			b.Run(fmt.Sprintf("%d/%s", n, name), func(b *testing.B) {
				var m lineMasks
				k := 0
				cpu0 := classifyCPUTime()
				for b.Loop() {
					body(&m, lines)
					k += len(lines)
				}
				reportPerLine(b, cpu0, k)
			})
		}
		run("impl", func(m *lineMasks, lines [][]byte) {
			for _, l := range lines {
				m.classify(l)
			}
		})
		if hasClassifyAVX2 {
			run("avx2-direct", func(m *lineMasks, lines [][]byte) {
				for _, l := range lines {
					classifyAVX2(m, l)
				}
			})
		}
	}
}
