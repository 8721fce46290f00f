package flowlog

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"unsafe"
)

// DefaultMaxSamples is how many malformed lines a Stats keeps as examples.
const DefaultMaxSamples = 5

// Malformed is one bad line, for the report.
type Malformed struct {
	Name string `json:"file"`
	Line int64  `json:"line"`
	Text string `json:"text"`
	Err  string `json:"error"`
}

func (m Malformed) String() string { return fmt.Sprintf("%s:%d: %s", m.Name, m.Line, m.Err) }

// Stats counts what a reader saw.
type Stats struct {
	Lines     int64       `json:"lines"`
	Records   int64       `json:"records"`
	Headers   int64       `json:"headers"`
	Malformed int64       `json:"malformed"`
	Samples   []Malformed `json:"malformed_samples,omitempty"`
}

// Add merges o into s, keeping at most max samples: the first ones by input name, then line number, so that
// the samples kept do not depend on the order in which parallel readers finish.
func (s *Stats) Add(o Stats, max int) {
	s.Lines += o.Lines
	s.Records += o.Records
	s.Headers += o.Headers
	s.Malformed += o.Malformed
	if len(o.Samples) == 0 {
		return
	}
	s.Samples = append(s.Samples, o.Samples...)
	slices.SortStableFunc(s.Samples, func(a, b Malformed) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.Line, b.Line))
	})
	if len(s.Samples) > max {
		s.Samples = s.Samples[:max:max]
	}
}

// Options control reading.
type Options struct {
	// Format of the lines; nil means: a header line if the input starts with one, else DefaultFormat.
	Format *Format
	// Strict makes the first malformed line an error instead of a counted, skipped line.
	Strict bool
	// MaxSamples is how many malformed lines to keep (DefaultMaxSamples when 0).
	MaxSamples int
}

// MalformedError is returned in strict mode.
type MalformedError struct{ Malformed }

func (e *MalformedError) Error() string { return e.Malformed.String() }

// Parser parses single lines of one format into a reused Record (for line-oriented sources such as
// CloudWatch Logs events). It is not safe for concurrent use.
type Parser struct {
	name  string
	opts  Options
	rec   Record
	ms    maskScratch // for the masked fast path (v5mask.go)
	Stats Stats
}

// NewParser returns a parser for lines of format f (DefaultFormat if nil) read from name.
func NewParser(name string, f *Format, opts Options) *Parser {
	if f == nil {
		f = DefaultFormat
	}
	if opts.MaxSamples == 0 {
		opts.MaxSamples = DefaultMaxSamples
	}
	p := &Parser{name: name, opts: opts}
	p.ms.on = classifyVec
	p.rec.reset(f)
	return p
}

// Format is the current format.
func (p *Parser) Format() *Format { return p.rec.format }

// LineTooLong counts line (its first bytes: a line too long to keep) as malformed, with a sample; in strict
// mode the error to stop with.
func (p *Parser) LineTooLong(line []byte, lineNo int64) error {
	p.Stats.Lines++
	p.Stats.Malformed++
	m := Malformed{Name: p.name, Line: lineNo, Err: "line too long", Text: string(line[:min(len(line), 80)])}
	if len(p.Stats.Samples) < p.opts.MaxSamples {
		p.Stats.Samples = append(p.Stats.Samples, m)
	}
	if p.opts.Strict {
		return &MalformedError{m}
	}
	return nil
}

// FirstLine takes a stream's first line (without its newline) for a header of field names when it looks like
// one: it is counted, and its format becomes the parser's. A header that does not parse is an error naming
// the line, which ends the stream.
func (p *Parser) FirstLine(line []byte, lineNo int64) (header bool, err error) {
	t := bytes.TrimRight(line, "\r")
	if !looksLikeHeader(t) {
		return false, nil
	}
	p.Stats.Lines++
	p.Stats.Headers++
	f, err := ParseFormat(string(t))
	if err != nil {
		return true, fmt.Errorf("%s:%d: header: %w", p.name, lineNo, err)
	}
	p.SetFormat(f)
	return true, nil
}

// SetFormat switches to format f (e.g. after a header line).
func (p *Parser) SetFormat(f *Format) {
	if !f.Equal(p.rec.format) {
		p.rec.reset(f)
	}
}

// Parse reads one line (without its newline). It returns the record, or nil for a blank, header or
// malformed line; err is non-nil only for a malformed line in strict mode.
//
// A line splits on spaces and every column is set in one pass, following the format's plan. A format that
// starts with the VPC columns (f.v5 > 0) has them read by parseV5Masked from the line's masks (v5mask.go),
// or by parseV5 where the processor has no vector classify; parseColumns reads the rest, and any line these
// refuse, the general way, which defines every result. The masked path is written here rather than in a
// function of its own: one call fewer per record.
func (p *Parser) Parse(line []byte, lineNo int64) (*Record, error) {
	p.Stats.Lines++
	if n := len(line); n == 0 || line[n-1] == '\r' && n == 1 {
		return nil, nil
	} else if line[n-1] == '\r' {
		line = line[:n-1]
	}
	r, ms := &p.rec, &p.ms
	r.line = line
	var err error
	if f := r.format; f.v5 == 0 || !ms.on || len(line) > maskWords*64 {
		err = r.parseColumns(line, 0, 0, f.v5 > 0)
	} else {
		ptr := unsafe.Pointer(unsafe.SliceData(line))
		if cap(line)-len(line) < maskedPad {
			copy(ms.pad[:], line)
			ptr = unsafe.Pointer(&ms.pad)
		}
		if classifyVec {
			classifyVecAsm(&ms.m, line, ptr)
		} else {
			ms.m.classify(line)
		}
		// The usual line has the VPC columns only, read whole (j is then past its end).
		if j, ok := r.parseV5Masked(&ms.m, ptr, f.v5); !ok || j <= len(line) || f.v5 < len(f.plan) {
			err = r.afterMasked(line, j, ok)
		}
	}
	if err != nil {
		return p.notRecord(line, lineNo, err)
	}
	p.Stats.Records++
	r.LineLen = int32(min(len(line), 1<<30))
	return r, nil
}

// notRecord is Parse for a line that did not parse (err): a header, or a malformed line.
func (p *Parser) notRecord(line []byte, lineNo int64, err error) (*Record, error) {
	if looksLikeHeader(line) {
		p.Stats.Headers++
		if f, ferr := ParseFormat(string(line)); ferr == nil {
			p.SetFormat(f)
		}
		return nil, nil
	}
	p.Stats.Malformed++
	m := Malformed{Name: p.name, Line: lineNo, Err: err.Error()}
	if len(p.Stats.Samples) < p.opts.MaxSamples || p.opts.Strict {
		text := line
		if len(text) > 200 {
			text = text[:200]
		}
		m.Text = string(text)
		if len(p.Stats.Samples) < p.opts.MaxSamples {
			p.Stats.Samples = append(p.Stats.Samples, m)
		}
	}
	if p.opts.Strict {
		return nil, &MalformedError{m}
	}
	return nil, nil
}

// How parseColumns reads a column.
type colOp uint8

const (
	opExtra  colOp = iota // an unknown field: kept raw in Record.extra
	opString              // a known string field: kept raw
	opRawNum              // a number kept as its text (rawNumber): checked by set
	opInt32               // a typed int32 number
	opInt64               // a typed int64 number
	opTime                // start or end: an int64 number up to MaxTime
	opAddr                // an address
	opAction
	opStatus
)

// column is one column of a Format's plan: what to do with it and where the value goes.
type column struct {
	op  colOp
	fl  Field
	off uintptr // offset in Record of the typed field (opInt32, opInt64, opTime, opAddr)
	idx int     // index in Record.extra (opExtra)
}

func columnOf(fl Field) column {
	var r Record
	c := column{op: opString, fl: fl}
	switch fl {
	case Version, SrcPort, DstPort, Protocol, TCPFlags, TrafficPath:
		c.op = opInt32
		c.off = map[Field]uintptr{Version: unsafe.Offsetof(r.Version), SrcPort: unsafe.Offsetof(r.SrcPort),
			DstPort: unsafe.Offsetof(r.DstPort), Protocol: unsafe.Offsetof(r.Protocol),
			TCPFlags: unsafe.Offsetof(r.TCPFlags), TrafficPath: unsafe.Offsetof(r.TrafficPath)}[fl]
	case Packets:
		c.op, c.off = opInt64, unsafe.Offsetof(r.Packets)
	case Bytes:
		c.op, c.off = opInt64, unsafe.Offsetof(r.Bytes)
	case Start:
		c.op, c.off = opTime, unsafe.Offsetof(r.Start)
	case End:
		c.op, c.off = opTime, unsafe.Offsetof(r.End)
	case SrcAddr:
		c.op, c.off = opAddr, unsafe.Offsetof(r.SrcAddr)
	case DstAddr:
		c.op, c.off = opAddr, unsafe.Offsetof(r.DstAddr)
	case PktSrcAddr:
		c.op, c.off = opAddr, unsafe.Offsetof(r.PktSrcAddr)
	case PktDstAddr:
		c.op, c.off = opAddr, unsafe.Offsetof(r.PktDstAddr)
	case Action:
		c.op = opAction
	case LogStatus:
		c.op = opStatus
	default:
		if rawNumber(fl) {
			c.op = opRawNum
		}
	}
	return c
}

// afterMasked finishes Parse's masked path after parseV5Masked: the columns after the VPC ones from index j,
// or the whole line the general way when parseV5Masked did not read it (!ok).
func (r *Record) afterMasked(line []byte, j int, ok bool) error {
	f := r.format
	if !ok {
		return r.parseColumns(line, 0, 0, false)
	}
	if f.v5 < len(f.plan) {
		return r.parseColumns(line, f.v5, j, false)
	}
	for j < len(line) && line[j] == ' ' {
		j++
	}
	if j < len(line) {
		return fmt.Errorf("more than %d fields", len(f.plan))
	}
	return nil
}

// parseColumns is Parse's general path: the columns from col0 on, the first one at or after byte i of
// line; with tryV5, first parseV5 for the format's leading VPC columns.
func (r *Record) parseColumns(line []byte, col0, i int, tryV5 bool) error {
	f := r.format
	n := len(line)
	b := &r.lb
	b.init(line)
	base := unsafe.Pointer(r)
	if tryV5 {
		if j, ok := r.parseV5(b, f.v5); ok {
			col0, i = f.v5, j
		}
	}
	for col := col0; col < len(f.plan); col++ {
		c := &f.plan[col]
		for i < n && line[i] == ' ' {
			i++
		}
		if i >= n {
			return fmt.Errorf("%d fields, want %d", col, len(f.plan))
		}
		start := i
		x := b.load8(i)
		k := spaceAt(x) // the field's length if under 8
		switch c.op {
		case opInt32:
			if uint(k-1) < 7 && digitsIn8(x) == k {
				*(*int32)(unsafe.Add(base, c.off)) = int32(digits8(x, k))
				i += k + 1
				continue
			}
			if x&0xFFFF == naWord {
				*(*int32)(unsafe.Add(base, c.off)) = NA
				i += 2
				continue
			}
		case opInt64, opTime:
			var v int64
			if uint(k-1) < 7 && digitsIn8(x) == k {
				v = int64(digits8(x, k))
				k++
			} else if k == 8 && digitsIn8(x) == 8 {
				// Nine to fifteen digits (times, byte counts): the rest from a second load.
				y := b.load8(i + 8)
				k2 := spaceAt(y)
				if k2 == 8 || digitsIn8(y) != k2 {
					break
				}
				v = int64(digits8(x, 8))*tenPow[k2] + int64(digits8(y, k2)) // digits8(y, 0) is 0
				k = 8 + k2 + 1
			} else {
				if x&0xFFFF == naWord {
					*(*int64)(unsafe.Add(base, c.off)) = NA
					i += 2
					continue
				}
				break
			}
			if c.op == opTime && v > MaxTime {
				break // set says why
			}
			*(*int64)(unsafe.Add(base, c.off)) = v
			i += k
			continue
		case opAddr:
			if a, end, ok := b.ipv4At(i); ok {
				*(*netip.Addr)(unsafe.Add(base, c.off)) = a
				i += end + 1
				continue
			}
			if x&0xFFFF == naWord {
				*(*netip.Addr)(unsafe.Add(base, c.off)) = netip.Addr{}
				i += 2
				continue
			}
		case opString:
			end := i + k
			if k == 8 {
				end = b.spaceFrom(i + 8)
			}
			r.raw[c.fl] = spanAt(start, end)
			i = end + 1
			continue
		case opExtra:
			end := i + k
			if k == 8 {
				end = b.spaceFrom(i + 8)
			}
			r.extra[c.idx] = line[start:end]
			i = end + 1
			continue
		case opAction:
			switch x & 0x00FFFFFFFFFFFFFF {
			case accept:
				r.raw[Action], r.Action = spanAt(i, i+6), Accept
				i += 7
				continue
			case reject:
				r.raw[Action], r.Action = spanAt(i, i+6), Reject
				i += 7
				continue
			}
		case opStatus:
			if x&0xFFFFFF == ok {
				r.raw[LogStatus], r.LogStatus = spanAt(i, i+2), OK
				i += 3
				continue
			}
		}
		// General path: find the end, then let set parse or store the value.
		i = fieldEnd(line, i)
		v := line[start:i]
		if c.op == opInt32 || c.op == opInt64 || c.op == opTime {
			// Up to 18 digits are read as a number and kept if it fits the field (leading zeros and all), as
			// the fast paths do for the common widths; anything else is set's to read or refuse.
			if x, ok := digitsValue(v); ok && r.setNum(c, x) {
				continue
			}
		}
		if c.op != opExtra {
			if err := r.set(c.fl, v); err != nil {
				return err
			}
		} else {
			r.extra[c.idx] = v
		}
	}
	for i < n && line[i] == ' ' {
		i++
	}
	if i < n {
		return fmt.Errorf("more than %d fields", len(f.plan))
	}
	return nil
}

// digitsValue is the value of b if it is 1 to 18 ASCII digits.
func digitsValue(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		c -= '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + int64(c)
	}
	return v, true
}

// setNum stores a non-negative number in column c's typed field; false if it does not fit.
func (r *Record) setNum(c *column, v int64) bool {
	p := unsafe.Add(unsafe.Pointer(r), c.off)
	switch c.op {
	case opInt32:
		if v > 1<<31-1 {
			return false
		}
		*(*int32)(p) = int32(v)
	case opTime:
		if v > MaxTime {
			return false // set says why
		}
		*(*int64)(p) = v
	default:
		*(*int64)(p) = v
	}
	return true
}

// Eight bytes as a little-endian word: "- " (a "-" value), "ACCEPT ", "REJECT ", "OK ".
const (
	naWord = '-' | ' '<<8
	accept = 'A' | 'C'<<8 | 'C'<<16 | 'E'<<24 | 'P'<<32 | 'T'<<40 | ' '<<48
	reject = 'R' | 'E'<<8 | 'J'<<16 | 'E'<<24 | 'C'<<32 | 'T'<<40 | ' '<<48
	ok     = 'O' | 'K'<<8 | ' '<<16
	// "NODATA " and "SKIPDATA" (followed by a space in the next word).
	noData   = 'N' | 'O'<<8 | 'D'<<16 | 'A'<<24 | 'T'<<32 | 'A'<<40 | ' '<<48
	skipData = 'S' | 'K'<<8 | 'I'<<16 | 'P'<<24 | 'D'<<32 | 'A'<<40 | 'T'<<48 | 'A'<<56
)

// Scanner reads records from a text stream, one per line.
type Scanner struct {
	p      *Parser
	br     *bufio.Reader
	lineNo int64
	rec    *Record
	err    error
	first  bool
}

// NewScanner reads r (already decompressed); name is used in malformed-line reports.
func NewScanner(r io.Reader, name string, opts Options) *Scanner {
	// Lines longer than the 1 MiB buffer are malformed (real records are well under 4 KiB).
	s := &Scanner{p: NewParser(name, opts.Format, opts), br: bufio.NewReaderSize(r, 1<<20), first: opts.Format == nil}
	return s
}

// Scan advances to the next record; it returns false at the end or on an error (see Err).
func (s *Scanner) Scan() bool {
	for s.err == nil {
		line, err := s.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			s.lineNo++
			lerr := s.p.LineTooLong(line, s.lineNo)
			for err == bufio.ErrBufferFull {
				_, err = s.br.ReadSlice('\n')
			}
			if lerr != nil {
				s.err = lerr
				return false
			}
			if err != nil && err != io.EOF {
				s.err = err
			}
			if err != nil {
				return false
			}
			continue
		}
		if len(line) == 0 && err != nil {
			if err != io.EOF {
				s.err = err
			}
			return false
		}
		s.lineNo++
		if n := len(line); line[n-1] == '\n' {
			line = line[:n-1]
		}
		if s.first {
			s.first = false
			if header, herr := s.p.FirstLine(line, s.lineNo); herr != nil {
				s.err = herr
				return false
			} else if header {
				continue
			}
		}
		rec, perr := s.p.Parse(line, s.lineNo)
		if perr != nil {
			s.err = perr
			return false
		}
		if rec != nil {
			s.rec = rec
			return true
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
			return false
		}
	}
	return false
}

// Record is the current record (valid until the next Scan).
func (s *Scanner) Record() *Record { return s.rec }

// Err is the first read error, or the malformed line in strict mode.
func (s *Scanner) Err() error {
	if s.err == nil {
		return nil
	}
	var me *MalformedError
	if errors.As(s.err, &me) {
		return s.err
	}
	return fmt.Errorf("read %s: %w", s.p.name, s.err)
}

// Stats are the counts so far.
func (s *Scanner) Stats() Stats { return s.p.Stats }

// Format is the format in use (after any header).
func (s *Scanner) Format() *Format { return s.p.Format() }
