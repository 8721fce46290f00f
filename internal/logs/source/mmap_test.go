//go:build unix

package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// cutParts cuts one unit's text as Run would, and describes every part: where it is, what it holds.
func cutParts(t testing.TB, u textUnit, opts flowlog.Options, wantMapped bool) []string {
	t.Helper()
	op, err := u.openText(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if (op.mapped != nil) != wantMapped {
		t.Fatalf("%s: mapped %v, want %v", u.Name(), op.mapped != nil, wantMapped)
	}
	s := newSched(1, 1)
	ur := &unitRun{i: 0, u: u, wrap: func(err error) error { return err }}
	go func() {
		s.cut(context.Background(), ur, op, opts)
		close(s.parts)
	}()
	var parts []string
	for p := range s.parts {
		format := "<nil>"
		if p.format != nil {
			format = p.format.Header()
		}
		parts = append(parts, fmt.Sprintf("chunk %d last %v line %d first %v format %q err %v nil %v data %q",
			p.chunk, p.last, p.line, p.first, format, p.err, p.data == nil, p.data))
		s.release(p)
	}
	s.maps.unmapAll()
	return parts
}

// sameParts checks that data, as a mapped file, is cut into exactly the parts the read path cuts it into.
func sameParts(t testing.TB, what string, data []byte, opts flowlog.Options) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	read := cutParts(t, Reader{R: bytes.NewReader(data), Label: path}, opts, false)
	mapped := cutParts(t, File{path}, opts, len(data) > 0)
	if strings.Join(read, "\n") != strings.Join(mapped, "\n") {
		for i := range max(len(read), len(mapped)) {
			r, m := "(none)", "(none)"
			if i < len(read) {
				r = read[i]
			}
			if i < len(mapped) {
				m = mapped[i]
			}
			if r != m {
				t.Fatalf("%s: part %d of %d/%d:\nmapped %.300s\nread   %.300s", what, i, len(mapped), len(read), m, r)
			}
		}
	}
}

// mappedCases are streams with every kind of cut: long lines within, across and at the end of chunks,
// sizes at and around multiples of the chunk size, format changes, no last newline.
func mappedCases(t testing.TB) map[string][]byte {
	v2 := genText(t, gen.Config{Seed: 11, Records: 2000}, true)
	v5 := genText(t, gen.Config{Seed: 12, Records: 300, Format: flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)}, true)
	long := withLongLines(v2, 0.3, 0.5)
	cases := map[string][]byte{
		"v2":               v2,
		"format change":    append(append([]byte{}, v2...), v5...),
		"headerless":       v2[bytes.IndexByte(v2, '\n')+1:],
		"no last newline":  bytes.TrimRight(v2, "\n"),
		"long lines":       long.Bytes(),
		"long last line":   append(append([]byte{}, v2...), strings.Repeat("w", 2*chunkSize+5)...),
		"long line at end": append(append([]byte{}, v2[:lineEndAfter(v2, 0.1)]...), strings.Repeat("w", maxLine)...),
		"one byte":         []byte("x"),
		"one line":         []byte("version srcaddr\n"),
		"empty":            nil,
	}
	for _, k := range []int{1, 2, 3} {
		for _, d := range []int{-1, 0, 1} {
			n := k*chunkSize + d
			cases[fmt.Sprintf("%d bytes", n)] = v2[:n]
			// The chunk's last byte a newline, or the first of the next one.
			b := append([]byte{}, v2[:n]...)
			b[n-1] = '\n'
			cases[fmt.Sprintf("%d bytes, newline last", n)] = b
		}
	}
	return cases
}

// A plain file read through memory maps is cut into the very parts the read path makes: the same bytes,
// line numbers, formats, header states and errors.
func TestMappedChunksMatchRead(t *testing.T) {
	withChunks(t, 4096)
	for name, data := range mappedCases(t) {
		sameParts(t, name, data, flowlog.Options{})
		sameParts(t, name+", --format v5", data, flowlog.Options{Format: flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)})
	}
}

// FuzzMappedChunksMatchRead: any plain-text file, mapped in 64-byte chunks, is cut as the read path cuts it.
// (A file that starts like gzip or Parquet is never mapped: File decompresses it or reads it as Parquet.)
func FuzzMappedChunksMatchRead(f *testing.F) {
	f.Add([]byte("version srcaddr dstaddr\n2 10.0.0.1 10.0.0.2\nbad\n\n2 10.0.0.3 10.0.0.4\r\n"))
	f.Add([]byte("2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK\nversion srcaddr\n2 10.0.0.9"))
	f.Add([]byte(strings.Repeat("x", 100) + "\nversion srcaddr\n" + strings.Repeat("y", 200)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if isGzip(data) || bytes.HasPrefix(data, []byte("PAR1")) {
			t.Skip("not plain text: never mapped")
		}
		withChunks(t, 64)
		sameParts(t, "fuzz", data, flowlog.Options{})
	})
}

// withMaps replaces mapRegion for the test.
func withMaps(t testing.TB, m func(f *os.File, off int64, n int) ([]byte, func(), error)) {
	old := mapRegion
	mapRegion = m
	t.Cleanup(func() { mapRegion = old })
}

// guardedRegion maps like mapRegion, between two inaccessible pages: a read before or past the map faults
// outside it, which no one recovers.
func guardedRegion(calls *atomic.Int64) func(f *os.File, off int64, n int) ([]byte, func(), error) {
	return func(f *os.File, off int64, n int) ([]byte, func(), error) {
		calls.Add(1)
		ps := os.Getpagesize()
		region, err := unix.Mmap(-1, 0, (n+ps-1)&^(ps-1)+2*ps, unix.PROT_NONE, unix.MAP_ANON|unix.MAP_PRIVATE)
		if err != nil {
			return nil, nil, err
		}
		at := unsafe.Pointer(&region[ps])
		if _, err := unix.MmapPtr(int(f.Fd()), off, at, uintptr(n), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_FIXED); err != nil {
			unix.Munmap(region)
			return nil, nil, err
		}
		return unsafe.Slice((*byte)(at), n), func() { unix.Munmap(region) }, nil
	}
}

// A file whose size is a multiple of the page size, its last line without a newline, is parsed in place to
// its very last byte and not one byte further: its chunks are mapped between inaccessible pages. Formats
// v2, v3 and v5 (each with its own parser paths), last records of every length the generator gives.
func TestMappedFileEndingAtPageEnd(t *testing.T) {
	var calls atomic.Int64
	withMaps(t, guardedRegion(&calls))
	ps := os.Getpagesize()
	dir := t.TempDir()
	for _, v := range []int{2, 3, 5} {
		text := genText(t, gen.Config{Seed: uint64(v), Records: 400, Format: flowlog.FormatOf(flowlog.FieldsOfVersion(v)...)}, true)
		lines := bytes.SplitAfter(bytes.TrimRight(text, "\n"), []byte("\n"))
		for last := len(lines) - 20; last < len(lines); last++ {
			// The header, a filler line of the length that makes the size a multiple of the page size, the
			// records up to last, the last without its newline.
			body := bytes.Join(lines[1:last+1], nil)
			body = bytes.TrimRight(body, "\n")
			size := (len(lines[0]) + len(body) + 2 + ps - 1) &^ (ps - 1)
			var b bytes.Buffer
			b.Write(lines[0])
			for fill := size - len(lines[0]) - len(body); fill > 0; {
				n := min(fill, 80)
				if fill-n == 1 {
					n-- // no line of only its newline left
				}
				b.WriteString(strings.Repeat("f", n-1) + "\n")
				fill -= n
			}
			b.Write(body)
			if b.Len()%ps != 0 || b.Bytes()[b.Len()-1] == '\n' {
				t.Fatalf("%d bytes", b.Len())
			}
			path := filepath.Join(dir, fmt.Sprintf("v%d-%d", v, last))
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, cs := range []int{4 << 20, 2 * ps, ps} {
				withChunks(t, cs)
				want, wst, werr := scanWhole(b.Bytes(), path, flowlog.Options{MaxSamples: 100})
				var got bytes.Buffer
				n := calls.Load()
				st, err := Run(context.Background(), []Unit{File{path}}, 1, flowlog.Options{MaxSamples: 100}, func() Sink { return renderSink{&got} })
				if calls.Load() == n {
					t.Fatal("not mapped")
				}
				if fmt.Sprint(err) != fmt.Sprint(werr) || fmt.Sprintf("%+v", st) != fmt.Sprintf("%+v", wst) || got.String() != want {
					t.Fatalf("v%d, last line %d, chunks of %d: %v %+v, want %v %+v", v, last, cs, err, st, werr, wst)
				}
				if wst.Records != int64(last) {
					t.Fatalf("%d records, want %d", wst.Records, last)
				}
			}
		}
	}
}

// When a map fails, the rest of the file is read with read(2): the same parts, the progress counts every
// byte once.
func TestMapFailureFallsBackToRead(t *testing.T) {
	withChunks(t, 4096)
	cases := mappedCases(t)
	for fail := int64(1); fail <= 60; fail++ { // the long lines start near map 17
		var calls atomic.Int64
		withMaps(t, func(f *os.File, off int64, n int) ([]byte, func(), error) {
			if calls.Add(1) == fail {
				return nil, nil, errors.New("no map")
			}
			return guardedRegion(new(atomic.Int64))(f, off, n)
		})
		for _, name := range []string{"long lines", "v2", "long last line"} {
			sameParts(t, fmt.Sprintf("%s, map %d fails", name, fail), cases[name], flowlog.Options{})
			calls.Store(0)
			path := filepath.Join(t.TempDir(), "in")
			os.WriteFile(path, cases[name], 0o644)
			var last Progress
			back := false
			_, err := Run(context.Background(), []Unit{File{path}}, 2, flowlog.Options{}, func() Sink { return countSink{new(int64)} },
				WithProgress(time.Microsecond, func(p Progress) {
					back = back || p.Bytes < last.Bytes
					last = p
				}))
			if err != nil || last.Bytes != int64(len(cases[name])) || back {
				t.Fatalf("%s, map %d fails: %v, progress %+v (went back: %v), want %d bytes", name, fail, err, last, back, len(cases[name]))
			}
			calls.Store(0)
		}
	}
}

// truncatingSink truncates a file when it gets the first v2 record (the file's, where other files hold v5),
// and counts.
type truncatingSink struct {
	path string
	n    *atomic.Int64
	once *sync.Once
}

func (s truncatingSink) Add(r *flowlog.Record) {
	s.n.Add(1)
	if r.Version == 2 {
		s.once.Do(s.truncate)
	}
}

func (s truncatingSink) truncate() {
	if err := os.Truncate(s.path, 0); err != nil {
		panic(err)
	}
}

// A file truncated while it is mapped and read does not crash the process: the faults of the worker in its
// chunk and of the cutter ahead of it end that unit with a read error; RunAll reads the other units.
func TestFileTruncatedWhileMapped(t *testing.T) {
	withChunks(t, 64<<10)
	dir := t.TempDir()
	text := genText(t, gen.Config{Seed: 13, Records: 20000}, true)
	v5 := genText(t, gen.Config{Seed: 14, Records: 20000, Format: flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)}, true)
	for _, workers := range []int{1, 2} {
		a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
		os.WriteFile(a, text, 0o644)
		os.WriteFile(b, v5, 0o644)
		var n atomic.Int64
		once := new(sync.Once)
		sink := func() Sink { return truncatingSink{a, &n, once} }
		st, failed, err := RunAll(context.Background(), []Unit{File{a}}, workers, flowlog.Options{}, sink)
		want := fmt.Sprintf("read %s: %v", a, errChanged)
		if err != nil || len(failed) != 1 || failed[0].Error != want || st.Records >= 20000 {
			t.Fatalf("%d workers: %v %+v, %d records, want the error %q", workers, err, failed, st.Records, want)
		}
		os.WriteFile(a, text, 0o644)
		n.Store(0)
		once = new(sync.Once)
		_, failed, err = RunAll(context.Background(), []Unit{File{a}, File{b}}, workers, flowlog.Options{}, sink)
		if err != nil || len(failed) != 1 || failed[0].Source != a || n.Load() < 20000 {
			t.Fatalf("%d workers, two files: %v %+v, %d records", workers, err, failed, n.Load())
		}
		os.WriteFile(a, text, 0o644)
		once = new(sync.Once)
		if _, err := Run(context.Background(), []Unit{File{a}}, workers, flowlog.Options{}, sink); !errors.Is(err, errChanged) {
			t.Fatalf("%d workers, Run: %v", workers, err)
		}
	}
}

// BenchmarkCutFile cuts a 24 MB v5 file into chunks as Run does, without parsing (a worker only touches each
// chunk's last byte), read with read(2) into the pool's buffers (every map fails: the fallback) or mapped, and
// prints the CPU time of the process per GiB of text: the reader's own cost.
//
//	go test ./internal/logs/source -run '^$' -bench CutFile -benchtime 20x
func BenchmarkCutFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "v5.log")
	text := genText(b, gen.Config{Seed: 15, Records: 100_000, Format: flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)}, true)
	if err := os.WriteFile(path, text, 0o644); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"read", "mmap"} {
		b.Run(mode, func(b *testing.B) {
			if mode == "read" {
				withMaps(b, func(*os.File, int64, int) ([]byte, func(), error) { return nil, nil, errors.New("read instead") })
			}
			b.SetBytes(int64(len(text)))
			var cpu time.Duration
			for b.Loop() {
				c0 := processCPU()
				s := newSched(1, 1)
				u := File{path}
				op, err := u.openText(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				ur := &unitRun{i: 0, u: u, wrap: func(err error) error { return err }}
				go func() {
					s.cut(context.Background(), ur, op, flowlog.Options{})
					close(s.parts)
				}()
				n := 0
				for p := range s.parts {
					if len(p.data) > 0 {
						n += int(p.data[len(p.data)-1])
					}
					s.release(p)
				}
				if n == 0 {
					b.Fatal("no chunks")
				}
				cpu += processCPU() - c0
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N)*float64(1<<30)/float64(len(text)), "cpu-s/GiB")
		})
	}
}

// processCPU is the CPU time of the process so far, user and system.
func processCPU() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
