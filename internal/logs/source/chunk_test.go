package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// withChunks cuts streams into chunks of size bytes for the test (lines must stay shorter than size/2).
func withChunks(t testing.TB, size int) {
	cs, ml := chunkSize, maxLine
	chunkSize, maxLine = size, size/2
	t.Cleanup(func() { chunkSize, maxLine = cs, ml })
}

// withEndsRoom keeps the offsets of up to chunkSize/room line ends per chunk for the test.
func withEndsRoom(t testing.TB, room int) {
	old := endsRoom
	endsRoom = room
	t.Cleanup(func() { endsRoom = old })
}

// render writes what a record holds, with its format, one line per record.
func render(b *bytes.Buffer, r *flowlog.Record) {
	fmt.Fprintf(b, "%s|%d %d %d %d %d %d %d %d %d %d|%v %v %v %v|%v %v %d|%s", r.Format().Header(), r.Version, r.SrcPort, r.DstPort,
		r.Protocol, r.TCPFlags, r.TrafficPath, r.Packets, r.Bytes, r.Start, r.End, r.SrcAddr, r.DstAddr, r.PktSrcAddr, r.PktDstAddr,
		r.Action, r.LogStatus, r.LineLen, r.Field(flowlog.InterfaceID))
	for _, x := range r.Extra() {
		fmt.Fprintf(b, " %s", x)
	}
	b.WriteByte('\n')
}

type renderSink struct{ b *bytes.Buffer }

func (s renderSink) Add(r *flowlog.Record) { render(s.b, r) }

// scanWhole is the reference: flowlog.Scanner over the whole stream, as ReadStream read it before chunks.
func scanWhole(data []byte, name string, opts flowlog.Options) (string, flowlog.Stats, error) {
	var b bytes.Buffer
	st, err := ReadStream(context.Background(), bytes.NewReader(data), name, opts, func(r *flowlog.Record) { render(&b, r) })
	return b.String(), st, err
}

// readChunked reads data as one unit with Run (cut into chunks), on one worker so records come in order.
func readChunked(data []byte, name string, opts flowlog.Options) (string, flowlog.Stats, error) {
	var b bytes.Buffer
	st, err := Run(context.Background(), []Unit{Reader{R: bytes.NewReader(data), Label: name}}, 1, opts, func() Sink { return renderSink{&b} })
	return b.String(), st, err
}

func sameAsWhole(t *testing.T, what string, data []byte, opts flowlog.Options) (flowlog.Stats, error) {
	t.Helper()
	if opts.MaxSamples == 0 {
		opts.MaxSamples = 1000
	}
	wr, wst, werr := scanWhole(data, "in", opts)
	cr, cst, cerr := readChunked(data, "in", opts)
	if fmt.Sprint(werr) != fmt.Sprint(cerr) {
		t.Fatalf("%s: error %v, whole stream %v", what, cerr, werr)
	}
	if fmt.Sprintf("%+v", wst) != fmt.Sprintf("%+v", cst) {
		t.Fatalf("%s: stats\n%.2000v\nwhole stream\n%.2000v", what, fmt.Sprintf("%+v", cst), fmt.Sprintf("%+v", wst))
	}
	if wr != cr {
		t.Fatalf("%s: records differ from the whole stream's (%d vs %d bytes)", what, len(cr), len(wr))
	}
	return cst, cerr
}

func genText(t testing.TB, cfg gen.Config, header bool) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gen.New(cfg).WriteStream(&b, header); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Cut into many small chunks, a stream reads exactly as the Scanner reads it whole: the same records in the
// same order, the same counts and malformed samples (file:line), the same error; also across format changes,
// CRLF, blank lines, a missing last newline and a truncated gzip stream.
func TestChunkedReadMatchesScanner(t *testing.T) {
	withChunks(t, 4096)
	v2 := genText(t, gen.Config{Seed: 1, Records: 3000}, true)
	lines := strings.SplitAfter(string(v2), "\n")
	// A malformed line every 7th line: some land first, last or alone at a chunk's edge.
	var bad strings.Builder
	inserted := 0
	for i, l := range lines {
		bad.WriteString(l)
		if i%7 == 3 {
			fmt.Fprintf(&bad, "garbage %d\n", i)
			inserted++
		}
	}
	v5 := genText(t, gen.Config{Seed: 2, Records: 500, Format: flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)}, true)
	crlf := strings.ReplaceAll(string(v2[:20000]), "\n", "\r\n\n")
	cases := map[string][]byte{
		"v2":                   v2,
		"malformed":            []byte(bad.String()),
		"format change":        append(append([]byte{}, v2...), v5...),
		"headerless":           v2[bytes.IndexByte(v2, '\n')+1:],
		"crlf and blank lines": []byte(crlf),
		"no last newline":      bytes.TrimRight(v2, "\n"),
		"empty":                nil,
		"one line":             []byte("version srcaddr\n"),
	}
	for name, data := range cases {
		for _, strict := range []bool{false, true} {
			sameAsWhole(t, fmt.Sprintf("%s, strict %v", name, strict), data, flowlog.Options{Strict: strict})
		}
		sameAsWhole(t, name+", --format v5", data, flowlog.Options{Format: flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)})
	}
	// Room for 4 line ends per chunk: the worker finds the rest of each chunk's lines itself.
	withEndsRoom(t, 1024)
	for name, data := range cases {
		sameAsWhole(t, name+", 4 line ends kept", data, flowlog.Options{})
	}
	st, err := sameAsWhole(t, "malformed, strict", []byte(bad.String()), flowlog.Options{Strict: true})
	var me *flowlog.MalformedError
	if !errors.As(err, &me) || me.Line != 5 || st.Malformed != 1 {
		t.Fatalf("strict: %v, %+v", err, st)
	}
	st, _ = sameAsWhole(t, "malformed", []byte(bad.String()), flowlog.Options{})
	if st.Malformed != int64(inserted) || len(st.Samples) != inserted || st.Samples[1].Line != 13 {
		t.Fatalf("malformed: %d, %d samples, want %d; %+v", st.Malformed, len(st.Samples), inserted, st.Samples[:3])
	}
	// gzip, whole and cut short: the records before the break count, the error is the Scanner's.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(bad.String()))
	zw.Close()
	sameAsWhole(t, "gzip", z.Bytes(), flowlog.Options{})
	st, err = sameAsWhole(t, "truncated gzip", z.Bytes()[:z.Len()*2/3], flowlog.Options{})
	if err == nil || st.Records == 0 {
		t.Fatalf("truncated gzip: %v, %+v", err, st)
	}
}

// Malformed lines placed exactly at the first and last line of every chunk carry their own line numbers.
func TestMalformedAtChunkEdges(t *testing.T) {
	withChunks(t, 4096)
	text := genText(t, gen.Config{Seed: 3, Records: 2000}, true)
	// Find where the cutter cuts: after the last newline of each chunkSize window.
	var out bytes.Buffer
	var want []int64
	line := int64(0)
	// Each piece is exactly chunkSize bytes (the last bad line padded to fit) and the next starts with a
	// line longer than nothing: the cutter cuts exactly between the pieces.
	const first, last = "first bad line\n", "last bad line "
	for len(text) > 0 {
		n := min(len(text), chunkSize-len(first)-len(last)-100)
		c := text[:n]
		if n < len(text) {
			c = text[:bytes.LastIndexByte(c, '\n')+1]
		}
		text = text[len(c):]
		line++
		want = append(want, line)
		out.WriteString(first)
		out.Write(c)
		line += int64(bytes.Count(c, []byte("\n")))
		line++
		want = append(want, line)
		pad := chunkSize - len(first) - len(c) - len(last) - 1
		out.WriteString(last + strings.Repeat("x", pad) + "\n")
	}
	st, err := sameAsWhole(t, "edges", out.Bytes(), flowlog.Options{})
	if err != nil || len(st.Samples) != len(want) {
		t.Fatalf("%v, %d samples, want %d", err, len(st.Samples), len(want))
	}
	for i, s := range st.Samples {
		if s.Line != want[i] || s.Name != "in" {
			t.Fatalf("sample %d at %s:%d, want line %d", i, s.Name, s.Line, want[i])
		}
	}
	// The chunk boundaries really fall next to the bad lines: every chunk of the stream starts with one.
	var firsts []string
	s := newSched(1, 1)
	ur := &unitRun{i: 0, u: Reader{}, wrap: func(err error) error { return err }}
	go func() {
		s.cut(context.Background(), ur, opened{text: bytes.NewReader(out.Bytes()), done: func() {}}, flowlog.Options{})
		close(s.parts)
	}()
	for p := range s.parts {
		if len(p.data) > 0 {
			firsts = append(firsts, string(p.data[:bytes.IndexByte(p.data, '\n')]))
		}
		s.release(p)
	}
	if len(firsts) < 10 {
		t.Fatalf("%d chunks", len(firsts))
	}
	for i, f := range firsts {
		if f+"\n" != first {
			t.Fatalf("chunk %d starts with %q", i, f)
		}
	}
	st, err = sameAsWhole(t, "edges, strict", out.Bytes(), flowlog.Options{Strict: true})
	if err == nil || st.Malformed != 1 {
		t.Fatal("strict: no error")
	}
}

// withLongLines is text with lines too long to be records, at the real sizes, put at the line ends after the
// fractions first and second of it: one over the limit inside a chunk, then one longer than a chunk followed
// by one just under the limit.
func withLongLines(text []byte, first, second float64) *bytes.Buffer {
	a, b2 := lineEndAfter(text, first), lineEndAfter(text, second)
	var b bytes.Buffer
	b.Write(text[:a])
	b.WriteString(strings.Repeat("x", maxLine+maxLine/2) + "\n")
	b.Write(text[a:b2])
	b.WriteString(strings.Repeat("y", 3*chunkSize) + "\n")
	b.WriteString(strings.Repeat("z", maxLine-1) + "\n")
	b.Write(text[b2:])
	return &b
}

// lineEndAfter is the index just past the first newline after the fraction f of text.
func lineEndAfter(text []byte, f float64) int {
	i := int(f * float64(len(text)))
	return bytes.IndexByte(text[i:], '\n') + i + 1
}

// Lines too long to be records, at the real sizes: inside a chunk, longer than a chunk, and last.
func TestLongLines(t *testing.T) {
	b := withLongLines(genText(t, gen.Config{Seed: 4, Records: 30000}, true), 0.33, 0.5)
	b.WriteString(strings.Repeat("w", maxLine))
	for _, strict := range []bool{false, true} {
		st, _ := sameAsWhole(t, fmt.Sprintf("long lines, strict %v", strict), b.Bytes(), flowlog.Options{Strict: strict})
		if !strict && (st.Malformed != 4 || st.Samples[0].Err != "line too long" || st.Samples[2].Err == "line too long") {
			t.Fatalf("%d malformed", st.Malformed)
		}
	}
}

// FuzzChunkedMatchesScanner: any stream, cut into 64-byte chunks, reads as the Scanner reads it whole.
func FuzzChunkedMatchesScanner(f *testing.F) {
	f.Add([]byte("version srcaddr dstaddr\n2 10.0.0.1 10.0.0.2\nbad\n\n2 10.0.0.3 10.0.0.4\r\n"))
	f.Add([]byte("2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 ACCEPT OK\nversion srcaddr\n2 10.0.0.9"))
	f.Add([]byte("account-id action log-status end\n1 ACCEPT OK 9\n\n\nversion\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		withChunks(t, 64)
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(l) >= maxLine {
				t.Skip("a line the Scanner would read but the small chunks call too long")
			}
		}
		for _, strict := range []bool{false, true} {
			sameAsWhole(t, "fuzz", data, flowlog.Options{Strict: strict})
		}
	})
}

// barrierSink holds the first record of each part until `want` workers hold parts of the same unit at once
// (once that was seen, it holds no more).
type barrierSink struct {
	mu       *sync.Mutex
	cond     *sync.Cond
	holding  *int
	want     int
	waiting  bool
	seen     *atomic.Int64
	deadline time.Time
}

func (s *barrierSink) Add(*flowlog.Record) {
	if s.waiting {
		return
	}
	s.waiting = true
	s.mu.Lock()
	*s.holding++
	s.cond.Broadcast()
	for *s.holding < s.want && s.seen.Load() == 0 && time.Now().Before(s.deadline) {
		s.mu.Unlock()
		time.Sleep(time.Millisecond)
		s.mu.Lock()
	}
	if *s.holding >= s.want {
		s.seen.Add(1)
	}
	s.mu.Unlock()
}

func (s *barrierSink) EndPart(unit, chunk int, last bool) {
	if s.waiting {
		s.mu.Lock()
		*s.holding--
		s.mu.Unlock()
	}
	s.waiting = false
}

// One file is parsed by several workers at once.
func TestOneFileOnSeveralWorkers(t *testing.T) {
	withChunks(t, 16<<10)
	dir := t.TempDir()
	path := filepath.Join(dir, "one.log")
	if err := os.WriteFile(path, genText(t, gen.Config{Seed: 5, Records: 5000}, true), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	holding := 0
	var seen atomic.Int64
	deadline := time.Now().Add(10 * time.Second)
	st, err := Run(context.Background(), []Unit{File{path}}, 3, flowlog.Options{Strict: true}, func() Sink {
		return &barrierSink{mu: &mu, cond: cond, holding: &holding, want: 3, seen: &seen, deadline: deadline}
	})
	if err != nil || st.Records != 5000 {
		t.Fatal(err, st)
	}
	if seen.Load() == 0 {
		t.Fatal("never were three workers inside parts of the one file at once")
	}
}

// Progress counts every record and unit of chunked streams; a cancelled run of one big stream stops.
func TestChunkedProgressAndCancel(t *testing.T) {
	withChunks(t, 8<<10)
	var units []Unit
	total := 0
	for i, n := range []int{3000, 10, 700} {
		units = append(units, Reader{R: bytes.NewReader(genText(t, gen.Config{Seed: uint64(i), Records: n}, true)), Label: fmt.Sprint(i)})
		total += n
	}
	var last Progress
	st, err := Run(context.Background(), units, 2, flowlog.Options{Strict: true}, func() Sink { return countSink{new(int64)} },
		WithProgress(time.Millisecond, func(p Progress) { last = p }))
	if err != nil || st.Records != int64(total) || last.Records != int64(total) || last.Done != 3 || last.Total != 3 {
		t.Fatalf("%v %+v %+v", err, st, last)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var n atomic.Int64
	big := genText(t, gen.Config{Seed: 6, Records: 20000}, true)
	done := make(chan error)
	go func() {
		_, err := Run(ctx, []Unit{Reader{R: io.MultiReader(bytes.NewReader(big), bytes.NewReader(big[bytes.IndexByte(big, '\n')+1:])), Label: "big"}}, 2,
			flowlog.Options{}, func() Sink { return funcSink(func() { n.Add(1); time.Sleep(10 * time.Microsecond) }) })
		done <- err
	}()
	for n.Load() < 100 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || n.Load() >= 40000 {
			t.Fatalf("%v after %d records", err, n.Load())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

type funcSink func()

func (f funcSink) Add(*flowlog.Record) { f() }

// RunAll goes on past a truncated gzip file cut into chunks and lists it with Read's error; its records up to
// the break count.
func TestChunkedUnitFailure(t *testing.T) {
	withChunks(t, 8<<10)
	dir := t.TempDir()
	text := genText(t, gen.Config{Seed: 7, Records: 3000}, true)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(text)
	zw.Close()
	bad, good := filepath.Join(dir, "a.log.gz"), filepath.Join(dir, "b.log")
	os.WriteFile(bad, z.Bytes()[:z.Len()/2], 0o644)
	os.WriteFile(good, text, 0o644)
	wst, werr := File{bad}.Read(context.Background(), flowlog.Options{}, func(*flowlog.Record) {})
	st, failed, err := RunAll(context.Background(), []Unit{File{bad}, File{good}, File{filepath.Join(dir, "gone")}}, 2, flowlog.Options{},
		func() Sink { return countSink{new(int64)} })
	if err != nil || len(failed) != 2 || failed[0].Error != werr.Error() || failed[1].Source != filepath.Join(dir, "gone") {
		t.Fatalf("%v %+v (whole read: %v)", err, failed, werr)
	}
	if st.Records != wst.Records+3000 || wst.Records == 0 {
		t.Fatalf("%d records, want %d + 3000", st.Records, wst.Records)
	}
}

// In strict mode the error is the stream's first malformed line, also when a later chunk fails first: here
// chunk 0 ends with a bad line that its worker reaches only after a slow walk through the records, and
// chunk 1 starts with one.
func TestStrictFirstInStreamOrder(t *testing.T) {
	withChunks(t, 4096)
	text := genText(t, gen.Config{Seed: 8, Records: 500}, true)
	c := text[:bytes.LastIndexByte(text[:chunkSize-200], '\n')+1]
	const badA, badB = "bad line A ", "bad line B\n"
	var b bytes.Buffer
	b.Write(c)
	b.WriteString(badA + strings.Repeat("x", chunkSize-len(c)-len(badA)-1) + "\n")
	b.WriteString(badB)
	b.Write(text[len(c):])
	_, _, werr := scanWhole(b.Bytes(), "in", flowlog.Options{Strict: true})
	if werr == nil || !strings.Contains(werr.Error(), "\"bad\"") {
		t.Fatalf("whole stream: %v", werr)
	}
	for _, w := range []int{2, 3} {
		_, err := Run(context.Background(), []Unit{Reader{R: bytes.NewReader(b.Bytes()), Label: "in"}}, w, flowlog.Options{Strict: true},
			func() Sink { return funcSink(func() { time.Sleep(time.Millisecond) }) })
		if err == nil || err.Error() != werr.Error() {
			t.Fatalf("%d workers: %v, want %v", w, err, werr)
		}
	}
}

// TestChunkBuffersFollowWorkers: a stream read in order keeps workers+1 chunk buffers in use (each worker's
// chunk and the one the cutter holds for the next), whatever the pool's size, so that a run touches no more
// memory than that; with several workers, never more than the pool.
func TestChunkBuffersFollowWorkers(t *testing.T) {
	withChunks(t, 4096)
	text := genText(t, gen.Config{Seed: 9, Records: 3000}, true)
	for _, workers := range []int{1, 2, 4} {
		s := newSched(1, workers)
		ur := &unitRun{i: 0, u: Reader{}, wrap: func(err error) error { return err }}
		go s.cut(context.Background(), ur, opened{text: bytes.NewReader(text), done: func() {}}, flowlog.Options{})
		var wg sync.WaitGroup
		var parts atomic.Int64
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := range s.parts {
					parts.Add(1)
					if complete, _ := s.finished(p, nil); complete {
						close(s.parts)
					}
				}
			}()
		}
		wg.Wait()
		made := cap(s.free) - s.unmade
		if parts.Load() < 20 {
			t.Fatalf("%d workers: %d parts", workers, parts.Load())
		}
		if workers == 1 && made != 2 || made > 2*workers+2 {
			t.Fatalf("%d workers: %d chunk buffers made for %d parts", workers, made, parts.Load())
		}
	}
}
