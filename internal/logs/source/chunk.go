package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// One text stream (a file or S3 object, plain or gzip) is read by one goroutine, which cuts the decompressed
// bytes into chunks at line boundaries; any worker parses any chunk. The chunk size is fixed, whatever the
// number of workers: where a stream is cut, and so every per-chunk result merged in (unit, chunk) order,
// depends on the input only. 16 MiB: well over twice flowlog.Scanner's 1 MiB line limit, so that a chunk
// always holds the longest line that is not malformed plus as much again; 70,000 (v5) to 160,000 (v2)
// records, 25 to 55 ms of a worker's time. A chunk's fixed cost is above all handing over and merging its top-k tables (up
// to 4 × 16,384 keys, and with an inventory three more tables, whose merges and prunes cost the same whether
// the chunk held few records or many): it is paid per chunk, so long-line formats pay it per fewer records.
// Measured over 1 GiB of files per version on 2 workers, records per CPU-second: 8 MiB against 4 MiB +10%
// (merges halved); 16 MiB against 8 MiB +4–5% on v3 and v5, +3% on v2 (merges were ≈10% of the CPU at 8 MiB);
// 32 MiB would add ≈3% more, for twice the buffers again. The price: up to ≈50 ms of uneven work for the
// workers at the end of a stream, and a file under 16 MiB is parsed by one worker. Memory: a plain local file
// is mapped chunk by chunk (mmap.go), so chunks cost no heap; any other stream is read into at most
// 2×workers+2 chunk buffers (96 MiB for 2 workers, 288 MiB for 8), of which Run makes only those it needs
// (workers+1 for a stream read in order), plus a carried partial line per open stream (see sched), and per
// chunk in hand up to 2 MiB of its line ends (lines.go).
//
// (Variables only so that tests can cut small inputs into many chunks.)
var (
	chunkSize = 16 << 20
	maxLine   = 1 << 20 // flowlog.Scanner's buffer: a line this long or longer is malformed ("line too long")
)

// textUnit is a unit whose content may be a text stream that Run cuts into chunks.
type textUnit interface {
	Unit
	// openText opens the unit. text is nil when the unit is not text (Parquet): Run then calls Read.
	// wrap turns the errors of reading the text into the errors Read would have returned; done releases the unit.
	openText(ctx context.Context) (o opened, err error)
}

type opened struct {
	text   io.Reader
	mapped *mapFeed // instead of text: a plain file read through memory maps
	done   func()
	wrap   func(error) error
}

func (f File) openText(ctx context.Context) (opened, error) {
	fh, err := os.Open(f.Path)
	if err != nil {
		return opened{}, err
	}
	var magic [4]byte
	n, _ := fh.ReadAt(magic[:], 0)
	if n == 4 && string(magic[:]) == "PAR1" {
		fh.Close()
		return opened{}, nil
	}
	if !isGzip(magic[:n]) {
		if m := newMapFeed(ctx, fh); m != nil {
			return opened{mapped: m, done: func() { fh.Close() }}, nil
		}
	}
	text, done, err := decompressed(ctx, fh, f.Path)
	if err != nil {
		fh.Close()
		return opened{}, err
	}
	return opened{text: text, done: func() { done(); fh.Close() }}, nil
}

func (r Reader) openText(ctx context.Context) (opened, error) {
	text, done, err := decompressed(ctx, r.R, r.Label)
	if err != nil {
		return opened{}, err
	}
	return opened{text: text, done: done}, nil
}

func (o S3Object) openText(ctx context.Context) (opened, error) {
	if strings.HasSuffix(o.Key, ".parquet") {
		return opened{}, nil
	}
	out, err := o.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String(o.Key)})
	if err != nil {
		return opened{}, fmt.Errorf("get %s: %w", o.Name(), err)
	}
	wrap := func(err error) error { return fmt.Errorf("%s: %w", o.Name(), err) }
	text, done, err := decompressed(ctx, out.Body, o.Name())
	if err != nil {
		out.Body.Close()
		return opened{}, wrap(err)
	}
	return opened{text: text, done: func() { done(); out.Body.Close() }, wrap: wrap}, nil
}

// part is a piece of work for a worker: a chunk of a text stream, or a whole unit read with Unit.Read.
type part struct {
	ur     *unitRun
	chunk  int
	last   bool     // the unit's last part
	whole  bool     // read the unit with Unit.Read
	data   []byte   // the chunk's lines; the last line may lack its newline
	slot   bool     // the part holds a pool slot (sched.getSlot), to return after parsing
	buf    []byte   // the slot's buffer (it may hold data), nil if it has none
	mem    []byte   // the memory map holding data, to unmap after parsing (mmap.go), nil if data is in buf
	ends   []uint32 // the offsets in data of its first newlines, found by the cutter (lineEnds)
	line   int64    // lines before the chunk
	format *flowlog.Format
	first  bool  // the stream's first line is yet to come: check for a header as flowlog.Scanner does
	err    error // a read error after data (last part only), as Read would return it
}

// cutter follows a text stream line by line as flowlog.Scanner would read it (line numbers, the first-line
// header, header lines that change the format), without parsing the records, so that each chunk starts with
// the line number, format and header state the Scanner would have there. It hands the line ends it finds
// on to the worker with the chunk.
type cutter struct {
	lines int64
	first bool
	hp    *flowlog.Parser // parses the lines that look like headers, to follow format changes
}

// scan follows the complete lines of data and appends the offsets of their newlines to ends while it has room
// (lineEnds), for the worker; stop reports a bad first-line header (the Scanner's error there ends the
// stream).
func (c *cutter) scan(data []byte, ends []uint32) (stop bool, _ []uint32) {
	for at := 0; at < len(data); {
		// Parser.Parse takes a line that does not parse and looks like a header for a new header. A header
		// starts with a lower-case name, after blanks: lines with a number, "-" or an upper-case word
		// first are not one, and are only counted.
		if !c.first && !headStart(data[at]) {
			var n int
			at, n, ends = lineEnds(data, at, ends)
			c.lines += int64(n)
			if at == len(data) && data[at-1] != '\n' {
				c.lines++ // the last line, without its newline
			}
			continue
		}
		line, next := data[at:], len(data)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], at+i+1
			if len(ends) < cap(ends) {
				ends = append(ends, uint32(at+i))
			}
		}
		at = next
		c.lines++
		if len(line) >= maxLine {
			continue
		}
		if c.first {
			c.first = false
			if _, err := c.hp.FirstLine(line, c.lines); err != nil {
				return true, ends
			}
			continue
		}
		t := line
		if n := len(t); t[n-1] == '\r' {
			t = t[:n-1]
		}
		if flowlog.LooksLikeHeader(t) {
			c.hp.Parse(line, c.lines)
		}
	}
	return false, ends
}

// feed is where cut takes the bytes of a stream from: a reader, copied into the pool's buffers, or a file
// mapped chunk by chunk (mmap.go). Both give the same chunks: cut decides where they end.
type feed interface {
	// next returns p's bytes: the rest of the previous chunk (the partial line at its end), then the
	// stream's next bytes, up to chunkSize in all; when skip, first the rest of a line too long to keep is
	// skipped. rerr is the error that ends the stream after them (io.EOF at its end), nil if more may follow.
	next(p *part, skip bool) (data []byte, rerr error)
	// keep ends the chunk after its first n bytes: the rest starts the next one.
	keep(n int)
}

// readFeed reads a stream into the pool's buffers.
type readFeed struct {
	r     io.Reader
	data  []byte // the chunk being cut
	carry []byte // its partial line, copied out for the next chunk
}

func (f *readFeed) next(p *part, skip bool) ([]byte, error) {
	if p.buf == nil {
		p.buf = make([]byte, chunkSize)
	}
	buf := p.buf
	n := copy(buf, f.carry)
	var rerr error
	for n < len(buf) && rerr == nil {
		var k int
		k, rerr = f.r.Read(buf[n:])
		if skip && k > 0 {
			if j := bytes.IndexByte(buf[n:n+k], '\n'); j < 0 {
				k = 0
			} else {
				skip = false
				k = copy(buf[n:], buf[n+j+1:n+k])
			}
		}
		n += k
	}
	f.data = buf[:n]
	return f.data, rerr
}

func (f *readFeed) keep(n int) { f.carry = append(f.carry[:0], f.data[n:]...) }

// cut reads ur's text and sends its chunks to the workers, then closes the stream.
func (s *sched) cut(ctx context.Context, ur *unitRun, op opened, opts flowlog.Options) {
	defer op.done()
	name := ur.u.Name()
	hopts := opts
	hopts.Strict = false
	c := cutter{first: opts.Format == nil, hp: flowlog.NewParser(name, opts.Format, hopts)}
	var f feed = &readFeed{r: op.text}
	var p *part // the part being cut
	if op.mapped != nil {
		f = op.mapped
		op.mapped.maps = s.maps
		// Mapped memory faults if the file shrinks: the stream ends there with an error (see mmap.go).
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				p.data, p.last, p.err = nil, true, s.maps.faultError(r, name)
				s.send(ctx, p)
			}
		}()
	}
	skip := false // the next chunk starts with the rest of a line too long to keep
	for chunk := 0; ; chunk++ {
		if s.stopped(ur) {
			s.send(ctx, &part{ur: ur, chunk: chunk, last: true})
			return
		}
		buf, ok := s.getSlot(ctx)
		if !ok {
			return
		}
		p = &part{ur: ur, chunk: chunk, slot: true, buf: buf, line: c.lines, format: c.hp.Format(), first: c.first}
		data, rerr := f.next(p, skip)
		skip = false
		if rerr == nil {
			// Cut after the last newline; a partial line goes on to the next chunk, unless it is too long
			// to be a record: it stays (the Scanner reports its start) and its rest is skipped.
			cut := bytes.LastIndexByte(data, '\n') + 1
			if len(data)-cut >= maxLine {
				skip = true
			} else {
				data = data[:cut]
			}
		}
		f.keep(len(data))
		p.data = data
		var stop bool
		stop, p.ends = c.scan(data, getEnds())
		p.last = rerr != nil || stop
		if rerr != nil && !errors.Is(rerr, io.EOF) && !stop {
			p.err = fmt.Errorf("read %s: %w", name, rerr)
		}
		if !s.send(ctx, p) || p.last {
			return
		}
	}
}

// parseChunk parses a chunk's lines exactly as flowlog.Scanner parses them in the whole stream, into sink
// (an interface call per record, where a func made of sink.Add would be two) with ps, a parser of p.format.
func parseChunk(ctx context.Context, p *part, ps *flowlog.Parser, name string, sink Sink) (flowlog.Stats, error) {
	first, lineNo, data, ends := p.first, p.line, p.data, p.ends
	for n, at := 0, 0; at < len(data); n++ {
		if n&0xffff == 0xffff && ctx.Err() != nil {
			return ps.Stats, ctx.Err()
		}
		var line []byte
		if n < len(ends) {
			e := int(ends[n])
			line, at = data[at:e], e+1
		} else if i := bytes.IndexByte(data[at:], '\n'); i >= 0 {
			line, at = data[at:at+i], at+i+1
		} else {
			line, at = data[at:], len(data)
		}
		lineNo++
		if len(line) >= maxLine {
			if err := ps.LineTooLong(line, lineNo); err != nil {
				return ps.Stats, err
			}
			continue
		}
		if first {
			first = false
			if header, err := ps.FirstLine(line, lineNo); err != nil {
				return ps.Stats, fmt.Errorf("read %s: %w", name, err)
			} else if header {
				continue
			}
		}
		rec, err := ps.Parse(line, lineNo)
		if err != nil {
			return ps.Stats, err
		}
		if rec != nil {
			sink.Add(rec)
		}
	}
	return ps.Stats, p.err
}
