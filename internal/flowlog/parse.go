package flowlog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxSamples is how many malformed lines a Stats keeps as examples.
const DefaultMaxSamples = 5

// maxLine is the longest line read; longer lines are malformed (real records are well under 4 KiB).
const maxLine = 256 << 10

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

// Add merges o into s, keeping at most max samples.
func (s *Stats) Add(o Stats, max int) {
	s.Lines += o.Lines
	s.Records += o.Records
	s.Headers += o.Headers
	s.Malformed += o.Malformed
	for _, m := range o.Samples {
		if len(s.Samples) < max {
			s.Samples = append(s.Samples, m)
		}
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
	p.rec.reset(f)
	return p
}

// Format is the current format.
func (p *Parser) Format() *Format { return p.rec.format }

// SetFormat switches to format f (e.g. after a header line).
func (p *Parser) SetFormat(f *Format) {
	if !f.Equal(p.rec.format) {
		p.rec.reset(f)
	}
}

// Parse reads one line (without its newline). It returns the record, or nil for a blank, header or
// malformed line; err is non-nil only for a malformed line in strict mode.
func (p *Parser) Parse(line []byte, lineNo int64) (*Record, error) {
	p.Stats.Lines++
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		return nil, nil
	}
	err := p.rec.parseLine(line)
	if err == nil {
		p.Stats.Records++
		return &p.rec, nil
	}
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

// parseLine splits line on spaces and sets every column.
func (r *Record) parseLine(line []byte) error {
	f := r.format
	want := len(f.Fields)
	col := 0
	i := 0
	for i < len(line) {
		// skip separators (one space normally; tolerate runs and tabs)
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) {
			break
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		if col >= want {
			return fmt.Errorf("more than %d fields", want)
		}
		v := line[i:j]
		if fl := f.Fields[col]; fl != FieldNone {
			if err := r.set(fl, v); err != nil {
				return err
			}
		} else {
			r.extra[f.extraIdx[col]] = v
		}
		col++
		i = j
	}
	if col != want {
		return fmt.Errorf("%d fields, want %d", col, want)
	}
	return nil
}

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
	s := &Scanner{p: NewParser(name, opts.Format, opts), br: bufio.NewReaderSize(r, 1<<20), first: opts.Format == nil}
	return s
}

// Scan advances to the next record; it returns false at the end or on an error (see Err).
func (s *Scanner) Scan() bool {
	for s.err == nil {
		line, err := s.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			s.lineNo++
			s.p.Stats.Lines++
			s.p.Stats.Malformed++
			m := Malformed{Name: s.p.name, Line: s.lineNo, Err: "line too long", Text: string(line[:80])}
			if len(s.p.Stats.Samples) < s.p.opts.MaxSamples {
				s.p.Stats.Samples = append(s.p.Stats.Samples, m)
			}
			for err == bufio.ErrBufferFull {
				_, err = s.br.ReadSlice('\n')
			}
			if s.p.opts.Strict {
				s.err = &MalformedError{m}
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
			if looksLikeHeader(bytes.TrimRight(line, "\r")) {
				s.p.Stats.Lines++
				s.p.Stats.Headers++
				f, ferr := ParseFormat(string(bytes.TrimRight(line, "\r")))
				if ferr != nil {
					s.err = fmt.Errorf("%s:%d: header: %w", s.p.name, s.lineNo, ferr)
					return false
				}
				s.p.SetFormat(f)
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
