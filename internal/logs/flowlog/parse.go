package flowlog

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
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
		p.rec.LineLen = int32(min(len(line), 1<<30))
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

// parseLine splits line on spaces and sets every column. Numbers and IPv4 addresses are parsed in the same
// pass that finds the field's end; anything unusual ("-", IPv6, errors) takes the general path in set.
func (r *Record) parseLine(line []byte) error {
	f := r.format
	n := len(line)
	i := 0
	for col, fl := range f.Fields {
		for i < n && line[i] == ' ' {
			i++
		}
		if i >= n {
			return fmt.Errorf("%d fields, want %d", col, len(f.Fields))
		}
		start := i
		switch f.kinds[col] {
		case kindNum:
			var v int64
			if i+8 <= n { // the first eight bytes at once (see swar.go), then byte by byte
				x := binary.LittleEndian.Uint64(line[i:])
				k := digitsIn8(x)
				if k > 0 && k < 8 && byte(x>>(8*uint(k))) == ' ' {
					// The whole field is in x and a space follows it (most numbers: ports, protocol, counts, times).
					if k == 1 {
						v = int64(x & 0x0F) // one digit: versions, protocols, small counts
					} else {
						v = int64(digits8(x, k))
					}
					if r.setNum(fl, v) {
						i += k + 1 // past the space too: the next field starts there
						continue
					}
				} else if k == 8 && i+16 <= n {
					// Nine to fifteen digits (times, byte counts): the rest from a second load.
					y := binary.LittleEndian.Uint64(line[i+8:])
					if k2 := digitsIn8(y); k2 > 0 && k2 < 8 && byte(y>>(8*uint(k2))) == ' ' {
						v = int64(digits8(x, 8))*tenPow[k2] + int64(digits8(y, k2))
						if r.setNum(fl, v) {
							i += 8 + k2 + 1
							continue
						}
						v = 0
					} else {
						v, i = int64(digits8(x, 8)), i+8
					}
				} else if k > 0 {
					v, i = int64(digits8(x, k)), i+k
				}
			}
			for i < n {
				c := line[i] - '0'
				if c > 9 {
					break
				}
				v = v*10 + int64(c)
				i++
			}
			if i-start > 0 && i-start <= 18 && (i == n || line[i] == ' ') && r.setNum(fl, v) {
				continue
			}
		case kindIPv4:
			if a, j, ok := ipv4Fast(line, i); ok {
				i = j // past the address's space
				r.setAddr(fl, a)
				continue
			}
			var ip [4]byte
			oct, dots, digits := 0, 0, 0
			ok := true
			for i < n && line[i] != ' ' {
				c := line[i]
				if c == '.' {
					if digits == 0 || dots == 3 || oct > 255 {
						ok = false
						break
					}
					ip[dots] = byte(oct)
					dots++
					oct, digits = 0, 0
				} else if c -= '0'; c <= 9 && digits < 3 && !(digits > 0 && oct == 0) {
					oct = oct*10 + int(c)
					digits++
				} else {
					ok = false
					break
				}
				i++
			}
			if ok && dots == 3 && digits > 0 && oct <= 255 && (i == n || line[i] == ' ') {
				ip[3] = byte(oct)
				r.setAddr(fl, netip.AddrFrom4(ip))
				continue
			}
		case kindString, kindAction, kindStatus:
			i = fieldEnd(line, i)
			v := line[start:i]
			if i < n {
				i++ // past the space: the next field starts there (or further spaces, skipped above)
			}
			switch f.kinds[col] {
			case kindString:
				r.raw[fl] = v
				continue
			case kindAction:
				if string(v) == "ACCEPT" {
					r.raw[fl], r.Action = v, Accept
					continue
				}
				if string(v) == "REJECT" {
					r.raw[fl], r.Action = v, Reject
					continue
				}
			case kindStatus:
				if string(v) == "OK" {
					r.raw[fl], r.LogStatus = v, OK
					continue
				}
			}
		}
		// General path: find the end, then let set parse or store the value.
		i = start
		for k := 0; k < 24 && i < n && line[i] != ' '; k++ { // short fields: a plain loop beats a call
			i++
		}
		if i < n && line[i] != ' ' {
			if j := bytes.IndexByte(line[i:], ' '); j >= 0 {
				i += j
			} else {
				i = n
			}
		}
		v := line[start:i]
		if fl != FieldNone {
			if err := r.set(fl, v); err != nil {
				return err
			}
		} else {
			r.extra[f.extraIdx[col]] = v
		}
	}
	for i < n && line[i] == ' ' {
		i++
	}
	if i < n {
		return fmt.Errorf("more than %d fields", len(f.Fields))
	}
	return nil
}

// setNum stores a parsed non-negative number; false if it does not fit the field.
func (r *Record) setNum(fl Field, v int64) bool {
	if v > 1<<31-1 && fl.Kind() == KindInt32 {
		return false
	}
	switch fl {
	case Version:
		r.Version = int32(v)
	case SrcPort:
		r.SrcPort = int32(v)
	case DstPort:
		r.DstPort = int32(v)
	case Protocol:
		r.Protocol = int32(v)
	case TCPFlags:
		r.TCPFlags = int32(v)
	case TrafficPath:
		r.TrafficPath = int32(v)
	case Packets:
		r.Packets = v
	case Bytes:
		r.Bytes = v
	case Start, End:
		if v > MaxTime {
			return false // set says why
		}
		if fl == Start {
			r.Start = v
		} else {
			r.End = v
		}
	default:
		return false
	}
	return true
}

func (r *Record) setAddr(fl Field, a netip.Addr) {
	switch fl {
	case SrcAddr:
		r.SrcAddr = a
	case DstAddr:
		r.DstAddr = a
	case PktSrcAddr:
		r.PktSrcAddr = a
	case PktDstAddr:
		r.PktDstAddr = a
	}
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
