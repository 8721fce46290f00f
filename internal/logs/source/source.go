// Package source finds flow-log records wherever they are delivered (local files and directories, plain,
// gzip or Parquet; S3 buckets; CloudWatch Logs groups) and reads them in parallel into per-worker sinks.
package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parquet-go/parquet-go"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/inflate"
)

// Unit is one independently readable piece of input: a file, an S3 object, a CloudWatch Logs stream.
type Unit interface {
	Name() string
	// Read feeds every record to fn (the record is only valid during the call) and returns what it counted.
	Read(ctx context.Context, opts flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error)
}

// Sink receives the records of one worker; Run gives each worker its own, so sinks need no locking.
type Sink interface{ Add(*flowlog.Record) }

// UnitSink is a Sink that is told where the pieces of the input end. Run reads a unit in parts: a text
// stream (file or S3 object, plain or gzip) in chunks of a fixed size cut at line boundaries, any other unit
// (Parquet, CloudWatch Logs) whole as one part. Units are numbered by their position in the list given to
// Run, the parts of a unit from 0 in stream order; where a stream is cut depends on its bytes only, never on
// the number of workers. Each part is read start to end by one worker, and the records that worker passes
// to Add before EndPart(unit, chunk, last) are exactly that part's; last marks the unit's final part (EndPart
// comes for every part, also when the unit failed). A sink that merges per-part results in (unit, chunk)
// order gives the same result whichever worker read which part. Run begins unit i only once unit i−2×workers
// is complete (all its parts ended), so at most 2×workers+1 units are begun and not yet merged.
type UnitSink interface {
	Sink
	EndPart(unit, chunk int, last bool)
}

// Failure is a unit that could not be read (completely).
type Failure struct {
	Source string `json:"source"`
	Error  string `json:"error"`
}

// Run reads units with the given number of workers; newSink is called once per worker. It returns the merged
// counts; the first error (a read failure, or a malformed line in strict mode) cancels the rest.
func Run(ctx context.Context, units []Unit, workers int, opts flowlog.Options, newSink func() Sink, ro ...RunOption) (flowlog.Stats, error) {
	st, _, err := run(ctx, units, workers, opts, newSink, false, ro)
	return st, err
}

// RunAll is Run that goes on past units that fail to read and lists them; only cancellation and, in strict
// mode, a malformed line stop it. Records a failed unit yielded before its error are counted.
func RunAll(ctx context.Context, units []Unit, workers int, opts flowlog.Options, newSink func() Sink, ro ...RunOption) (flowlog.Stats, []Failure, error) {
	return run(ctx, units, workers, opts, newSink, true, ro)
}

// Progress is how far a Run is: records passed to the sinks and bytes read (as stored: compressed bytes for
// gzip, the whole object for Parquet once read) so far, and units finished of all.
type Progress struct {
	Records, Bytes int64
	Done, Total    int
}

// RunOption configures Run and RunAll.
type RunOption func(*runConfig)

type runConfig struct {
	progress func(Progress)
	every    time.Duration
}

// WithProgress calls fn with the progress every interval while units are read, and once at the end (also
// after an error). Calls come from one goroutine, never two at once; fn should be quick (redraw a status line).
func WithProgress(every time.Duration, fn func(Progress)) RunOption {
	return func(c *runConfig) { c.progress, c.every = fn, every }
}

// counters are the live progress counts, shared by the workers.
type counters struct {
	records, bytes atomic.Int64
	done           atomic.Int64
}

type countersKey struct{}

// addBytes counts n bytes read, when the context carries progress counters.
func addBytes(ctx context.Context, n int64) {
	if c, ok := ctx.Value(countersKey{}).(*counters); ok {
		c.bytes.Add(n)
	}
}

// countingSink passes records on to s and counts them into c, 1,024 at a time (n: since the part began).
type countingSink struct {
	s Sink
	c *counters
	n int64
}

func (cs *countingSink) Add(r *flowlog.Record) {
	cs.s.Add(r)
	if cs.n++; cs.n&1023 == 0 {
		cs.c.records.Add(1024)
	}
}

// countingReader counts the bytes read through it into c.
type countingReader struct {
	r io.Reader
	c *counters
}

func (r countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.c.bytes.Add(int64(n))
	return n, err
}

func run(ctx context.Context, units []Unit, workers int, opts flowlog.Options, newSink func() Sink, keepGoing bool, ro []RunOption) (flowlog.Stats, []Failure, error) {
	var rc runConfig
	for _, o := range ro {
		o(&rc)
	}
	var cnt *counters
	if rc.progress != nil {
		cnt = &counters{}
		ctx = context.WithValue(ctx, countersKey{}, cnt)
		snapshot := func() Progress {
			return Progress{Records: cnt.records.Load(), Bytes: cnt.bytes.Load(), Done: int(cnt.done.Load()), Total: len(units)}
		}
		stop := make(chan struct{})
		ticked := make(chan struct{})
		go func() {
			defer close(ticked)
			t := time.NewTicker(max(rc.every, time.Millisecond))
			defer t.Stop()
			for {
				select {
				case <-t.C:
					rc.progress(snapshot())
				case <-stop:
					return
				}
			}
		}()
		defer func() {
			close(stop)
			<-ticked
			rc.progress(snapshot())
		}()
	}
	// More workers than units is no waste: the chunks of one stream go to any worker.
	workers = max(1, workers)
	if opts.MaxSamples == 0 {
		opts.MaxSamples = flowlog.DefaultMaxSamples
	}
	g, ctx := errgroup.WithContext(ctx)
	s := newSched(len(units), workers)
	var mu sync.Mutex
	var total flowlog.Stats
	var failed []Failure
	for w := 0; w < workers; w++ {
		sink := newSink()
		g.Go(func() error {
			us, _ := sink.(UnitSink)
			to := sink // where the records go: the sink itself (one call per record), or through a counter
			var cs *countingSink
			if cnt != nil {
				cs = &countingSink{s: sink, c: cnt}
				to = cs
			}
			for p := range s.parts {
				st, err := s.read(ctx, p, opts, to)
				if us != nil {
					us.EndPart(p.ur.i, p.chunk, p.last)
				}
				if cs != nil {
					cnt.records.Add(cs.n & 1023)
					cs.n = 0
				}
				mu.Lock()
				total.Add(st, opts.MaxSamples)
				mu.Unlock()
				if ctx.Err() != nil {
					return ctx.Err()
				}
				complete, err := s.finished(p, err)
				if !complete {
					continue
				}
				if cnt != nil {
					cnt.done.Add(1)
				}
				if err == nil {
					continue
				}
				var me *flowlog.MalformedError
				if !keepGoing || errors.As(err, &me) {
					return err
				}
				mu.Lock()
				failed = append(failed, Failure{Source: p.ur.u.Name(), Error: err.Error()})
				mu.Unlock()
			}
			return nil
		})
	}
	g.Go(func() error {
		var readers sync.WaitGroup
		defer func() {
			readers.Wait()
			close(s.parts)
		}()
		for i, u := range units {
			if !s.begin(ctx, i) {
				return ctx.Err()
			}
			ur := &unitRun{i: i, u: u}
			readers.Add(1)
			go func() {
				defer readers.Done()
				s.open(ctx, ur, opts)
			}()
		}
		return nil
	})
	err := g.Wait()
	s.maps.unmapAll()
	// Samples and failures come from parallel workers: order them so reports are stable.
	slices.SortFunc(total.Samples, func(a, b flowlog.Malformed) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return int(a.Line - b.Line)
	})
	slices.SortFunc(failed, func(a, b Failure) int { return strings.Compare(a.Source, b.Source) })
	return total, failed, err
}

// decompressed returns the text of stream r: r itself, or what it inflates to if it is gzip (by its magic
// bytes); done releases the decompressor. With progress counters in ctx, the bytes of r are counted.
func decompressed(ctx context.Context, r io.Reader, name string) (text io.Reader, done func(), err error) {
	if c, ok := ctx.Value(countersKey{}).(*counters); ok {
		r = countingReader{r, c}
	}
	br := bufio.NewReaderSize(r, 256<<10)
	if magic, _ := br.Peek(2); isGzip(magic) {
		zr, err := inflate.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", name, err)
		}
		return zr, func() { zr.Close() }, nil
	}
	return br, func() {}, nil
}

// isGzip reports whether a stream that starts with magic (its first bytes, or all of it if shorter) is gzip.
func isGzip(magic []byte) bool { return len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b }

// ReadStream reads text or gzip text (detected by its magic bytes) from r. (Run does not call it for the
// units of this package: it cuts their text into chunks for all workers, see chunk.go.)
func ReadStream(ctx context.Context, r io.Reader, name string, opts flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	text, done, err := decompressed(ctx, r, name)
	if err != nil {
		return flowlog.Stats{}, err
	}
	defer done()
	if _, plain := text.(*bufio.Reader); !plain {
		// Inflate in a goroutine of its own, parse here: one stream keeps two cores busy.
		p := newPipe(text)
		defer p.Close()
		text = p
	}
	return readText(ctx, text, name, opts, fn)
}

func readText(ctx context.Context, r io.Reader, name string, opts flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	s := flowlog.NewScanner(r, name, opts)
	n := 0
	for s.Scan() {
		fn(s.Record())
		if n++; n&0xffff == 0 && ctx.Err() != nil {
			return s.Stats(), ctx.Err()
		}
	}
	return s.Stats(), s.Err()
}

// ReadParquet reads a Parquet flow-log file: columns named like the fields (underscores), any subset and order.
func ReadParquet(ctx context.Context, ra io.ReaderAt, size int64, name string, opts flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	pf, err := parquet.OpenFile(ra, size)
	if err != nil {
		return flowlog.Stats{}, fmt.Errorf("open parquet %s: %w", name, err)
	}
	cols := pf.Schema().Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = strings.Join(c, ".")
	}
	format := flowlog.NewFormat(names)
	if opts.Format != nil {
		// A --format only names columns for text; Parquet carries its own.
		opts.Format = nil
	}
	p := flowlog.NewParser(name, format, opts)
	r := parquet.NewReader(pf)
	defer r.Close()
	rows := make([]parquet.Row, 256)
	var line []byte
	vals := make([]parquet.Value, len(names))
	var rowNo int64
	for {
		n, err := r.ReadRows(rows)
		for _, row := range rows[:n] {
			rowNo++
			line = parquetLine(line[:0], row, vals)
			rec, perr := p.Parse(line, rowNo)
			if perr != nil {
				return p.Stats, perr
			}
			if rec != nil {
				fn(rec)
			}
		}
		if errors.Is(err, io.EOF) {
			return p.Stats, nil
		}
		if err != nil {
			return p.Stats, fmt.Errorf("read parquet %s: %w", name, err)
		}
		if ctx.Err() != nil {
			return p.Stats, ctx.Err()
		}
	}
}

// parquetLine renders a row as a text record so Parquet and text share one parser (nulls become "-").
func parquetLine(b []byte, row parquet.Row, vals []parquet.Value) []byte {
	ncol := len(vals)
	clear(vals)
	for _, v := range row {
		if c := v.Column(); c >= 0 && c < ncol {
			vals[c] = v
		}
	}
	for i, v := range vals {
		if i > 0 {
			b = append(b, ' ')
		}
		switch {
		case v.IsNull():
			b = append(b, '-')
		case v.Kind() == parquet.Int32:
			b = strconv.AppendInt(b, int64(v.Int32()), 10)
		case v.Kind() == parquet.Int64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case v.Kind() == parquet.ByteArray || v.Kind() == parquet.FixedLenByteArray:
			s := v.ByteArray()
			if len(s) == 0 {
				b = append(b, '-')
			} else {
				b = append(b, bytes.ReplaceAll(s, []byte(" "), []byte("_"))...)
			}
		default:
			b = append(b, v.String()...)
		}
	}
	return b
}

// File is a local file: plain text, gzip text, or Parquet (detected by content).
type File struct{ Path string }

func (f File) Name() string { return f.Path }

func (f File) Read(ctx context.Context, opts flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return flowlog.Stats{}, err
	}
	defer fh.Close()
	var magic [4]byte
	if n, _ := fh.ReadAt(magic[:], 0); n == 4 && string(magic[:]) == "PAR1" {
		st, err := fh.Stat()
		if err != nil {
			return flowlog.Stats{}, err
		}
		defer addBytes(ctx, st.Size())
		return ReadParquet(ctx, fh, st.Size(), f.Path, opts, fn)
	}
	return ReadStream(ctx, fh, f.Path, opts, fn)
}

// Files expands paths (files and directories, recursively) into units in name order; "-" is standard input.
// It is List with every listing problem turned into an error.
func Files(paths []string, stdin io.Reader) ([]Unit, error) {
	units, problems, err := List(paths, stdin)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("list %s: %s", problems[0].Source, problems[0].Error)
	}
	return units, nil
}

// maxDirDepth caps how deep List descends below a path it was given (symbolic links make the tree a graph).
const maxDirDepth = 64

// List expands paths (files and directories, recursively) into units in name order; "-" is standard input.
// Hidden files and directories are skipped. Symbolic links are followed, those given as paths and those found
// inside the directories given: a link to a directory is read as that directory, a link to a file as that
// file. A file or directory reached twice (through links) is read once; a link back to a directory being
// read (a loop), a broken link, an unreadable directory, a directory deeper than 64 levels or one with no
// files at all is not read and is returned as a problem, with the path, for the report to list. A path that
// does not exist is an error.
func List(paths []string, stdin io.Reader) ([]Unit, []Failure, error) {
	l := &lister{dirs: map[fileKey]bool{}, files: map[fileKey]bool{}}
	for _, p := range paths {
		if p == "-" {
			l.units = append(l.units, Reader{R: stdin, Label: "stdin"})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			l.file(p, st)
			continue
		}
		units, problems := len(l.units), len(l.problems)
		l.dir(p, st, nil)
		if len(l.units) == units && len(l.problems) == problems {
			l.problem(p, "no files in this directory (hidden files and directories are skipped)")
		}
	}
	return l.units, l.problems, nil
}

// fileKey identifies a file or directory (device and inode), where the system says.
type fileKey struct{ dev, ino uint64 }

type lister struct {
	units    []Unit
	problems []Failure
	dirs     map[fileKey]bool
	files    map[fileKey]bool
}

func (l *lister) problem(path, format string, args ...any) {
	l.problems = append(l.problems, Failure{Source: path, Error: fmt.Sprintf(format, args...)})
}

func (l *lister) file(path string, st os.FileInfo) {
	if k, ok := keyOf(st); ok {
		if l.files[k] {
			return
		}
		l.files[k] = true
	}
	l.units = append(l.units, File{path})
}

// dir lists directory path (st is what it resolves to); ancestors are the directories above it being read.
func (l *lister) dir(path string, st os.FileInfo, ancestors []os.FileInfo) {
	for _, a := range ancestors {
		if os.SameFile(a, st) {
			l.problem(path, "symbolic link loop: the directory is one of its own parents; not followed")
			return
		}
	}
	if len(ancestors) >= maxDirDepth {
		l.problem(path, "more than %d directory levels deep; not read", maxDirDepth)
		return
	}
	if k, ok := keyOf(st); ok {
		if l.dirs[k] {
			return // read already, through another path
		}
		l.dirs[k] = true
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		// ReadDir returns what it could read before the error: read those, and report the rest.
		l.problem(path, "list: %v", err)
	}
	ancestors = append(ancestors[:len(ancestors):len(ancestors)], st)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		child := filepath.Join(path, e.Name())
		var info os.FileInfo
		switch t := e.Type(); {
		case t&os.ModeSymlink != 0:
			if info, err = os.Stat(child); err != nil {
				l.problem(child, "broken symbolic link: %v", err)
				continue
			}
		case t.IsDir() || t.IsRegular():
			if info, err = os.Stat(child); err != nil {
				l.problem(child, "%v", err)
				continue
			}
		default:
			continue // devices, sockets, pipes: not flow logs
		}
		switch {
		case info.IsDir():
			l.dir(child, info, ancestors)
		case info.Mode().IsRegular():
			l.file(child, info)
		}
	}
}

// Reader is a one-shot stream such as standard input.
type Reader struct {
	R     io.Reader
	Label string
}

func (r Reader) Name() string { return r.Label }

func (r Reader) Read(ctx context.Context, opts flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	return ReadStream(ctx, r.R, r.Label, opts, fn)
}
