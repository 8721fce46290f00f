package flowlog

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"unsafe"
)

// NA is the value of a numeric field that is "-" (not applicable) or absent from the format.
const NA = -1

// ActionValue is a record's action.
type ActionValue uint8

const (
	ActionNone ActionValue = iota // "-" or absent
	Accept
	Reject
)

func (a ActionValue) String() string {
	switch a {
	case Accept:
		return "ACCEPT"
	case Reject:
		return "REJECT"
	}
	return "-"
}

// Status is a record's log-status.
type Status uint8

const (
	StatusNone Status = iota // "-" or absent
	OK
	NoData
	SkipData
)

func (s Status) String() string {
	switch s {
	case OK:
		return "OK"
	case NoData:
		return "NODATA"
	case SkipData:
		return "SKIPDATA"
	}
	return "-"
}

// Record is one flow-log record. Byte slices point into the reader's buffer and are valid only until the
// next record is read: copy what you keep.
type Record struct {
	Version                    int32
	SrcPort, DstPort, Protocol int32 // NA when "-"
	TCPFlags, TrafficPath      int32 // NA when "-"
	Packets, Bytes             int64 // NA when "-"
	Start, End                 int64 // Unix seconds; NA when "-"
	// Addresses are the zero netip.Addr (IsValid false) when "-".
	SrcAddr, DstAddr, PktSrcAddr, PktDstAddr netip.Addr
	Action                                   ActionValue
	LogStatus                                Status
	// LineLen is the length of the record's text line, without its line end (for Parquet, of the row rendered
	// as text): what the record weighs when delivered as text, for volume and cost estimates.
	LineLen int32

	// line is the record's text line; raw says where in it each known string field (and each number kept as
	// text) is: Field builds the slice on demand, so the parser stores one word per field, not a slice.
	line   []byte
	raw    [numFields]span
	extra  [][]byte
	format *Format
	lb     lineBuf // the parser's view of the current line (swar.go), kept to write its padding once
}

// span is where a field is in Record.line, or the zero span for a field the format does not carry (a field
// is never empty: it ends where a non-space byte was found, so end > 0). Two halves rather than one word with
// a shift: the parser stores each with one instruction.
type span struct{ start, end uint32 }

func spanAt(start, end int) span { return span{uint32(start), uint32(end)} }

// rawAt returns the text of field f, nil when the format does not carry it.
func (r *Record) rawAt(f Field) []byte {
	s := r.raw[f]
	if s.end == 0 {
		return nil
	}
	return r.line[s.start:s.end]
}

// setRaw records b, a part of r.line, as field f's text.
func (r *Record) setRaw(f Field, b []byte) {
	off := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(r.line)))
	if off > uintptr(len(r.line)) || uintptr(len(b)) > uintptr(len(r.line))-off || len(b) == 0 {
		panic("flowlog: a field's value outside its line")
	}
	r.raw[f] = spanAt(int(off), int(off)+len(b))
}

// Field returns the raw text of a known string field, or of a number read by Int (nil when the format does
// not carry it). The numbers and addresses of the typed fields are only kept parsed: not storing their text
// saves the parser work.
func (r *Record) Field(f Field) []byte {
	if f >= numFields {
		return nil
	}
	return r.rawAt(f)
}

// Str returns a known string field's text, "" for "-" or absent. It allocates: use Field in hot paths.
func (r *Record) Str(f Field) string {
	b := r.Field(f)
	if len(b) == 1 && b[0] == '-' {
		return ""
	}
	return string(b)
}

// Extra returns the raw values of the format's unknown fields, in column order (Format.ExtraNames).
func (r *Record) Extra() [][]byte { return r.extra }

// ByName returns the raw text of a column by its hyphenated name: a known string field, a number read by
// Int, or an unknown (newer) field; false when the format has no such column or keeps it parsed only (the
// typed numbers and addresses: read them from the Record's fields).
func (r *Record) ByName(name string) ([]byte, bool) {
	if f, ok := fieldByName[name]; ok {
		if f.Kind() == KindString || rawNumber(f) {
			b := r.rawAt(f)
			return b, b != nil
		}
		return nil, false
	}
	return r.ExtraField(name)
}

// ExtraField returns the raw value of an unknown field by name.
func (r *Record) ExtraField(name string) ([]byte, bool) {
	if r.format == nil {
		return nil, false
	}
	for i, n := range r.format.Names {
		if n == name && r.format.extraIdx[i] >= 0 {
			return r.extra[r.format.extraIdx[i]], true
		}
	}
	return nil, false
}

// Format is the format the record was read with.
func (r *Record) Format() *Format { return r.format }

// IsNA reports whether a raw value is the "-" placeholder.
func IsNA(b []byte) bool { return len(b) == 1 && b[0] == '-' }

// reset prepares r for records of format f: fields the format does not carry read as NA.
func (r *Record) reset(f *Format) {
	*r = Record{
		Version: NA, SrcPort: NA, DstPort: NA, Protocol: NA, TCPFlags: NA, TrafficPath: NA,
		Packets: NA, Bytes: NA, Start: NA, End: NA,
		format: f,
	}
	if f.nExtra > 0 {
		r.extra = make([][]byte, f.nExtra)
	}
}

var (
	errNumber = errors.New("not a number")
	errAddr   = errors.New("not an IP address")
)

// FieldError says which field of a line could not be read.
type FieldError struct {
	Field string
	Value string
	Err   error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("field %s: %q: %v", e.Field, e.Value, e.Err)
}

// rawNumber reports whether fl is a number kept as its text (checked when read, parsed by Int): the newer
// counters and codes (encryption-status, packets-lost-*) that no report aggregates, so the hot path does not
// carry a typed slot for each.
func rawNumber(fl Field) bool {
	return fl > RejectReason && fl < numFields && (fieldInfos[fl].kind == KindInt32 || fieldInfos[fl].kind == KindInt64)
}

// Int returns a numeric field's value: NA for "-" or a field the format does not carry.
func (r *Record) Int(f Field) int64 {
	switch f {
	case Version:
		return int64(r.Version)
	case SrcPort:
		return int64(r.SrcPort)
	case DstPort:
		return int64(r.DstPort)
	case Protocol:
		return int64(r.Protocol)
	case TCPFlags:
		return int64(r.TCPFlags)
	case TrafficPath:
		return int64(r.TrafficPath)
	case Packets:
		return r.Packets
	case Bytes:
		return r.Bytes
	case Start:
		return r.Start
	case End:
		return r.End
	}
	if !rawNumber(f) {
		return NA
	}
	b := r.rawAt(f)
	if b == nil || IsNA(b) {
		return NA
	}
	v, err := parseInt64(b, false)
	if err != nil {
		return NA
	}
	return v
}

// set stores the raw value b of column i (field fl) and parses typed fields.
func (r *Record) set(fl Field, b []byte) error {
	if fl.Kind() == KindString {
		r.setRaw(fl, b)
	}
	if rawNumber(fl) {
		na := len(b) == 1 && b[0] == '-'
		var err error
		if fl.Kind() == KindInt32 {
			_, err = parseInt32(b, na)
		} else {
			_, err = parseInt64(b, na)
		}
		if err != nil {
			return &FieldError{Field: fl.Name(), Value: string(b), Err: err}
		}
		r.setRaw(fl, b)
		return nil
	}
	na := len(b) == 1 && b[0] == '-'
	var err error
	switch fl {
	case Version:
		r.Version, err = parseInt32(b, na)
	case SrcPort:
		r.SrcPort, err = parseInt32(b, na)
	case DstPort:
		r.DstPort, err = parseInt32(b, na)
	case Protocol:
		r.Protocol, err = parseInt32(b, na)
	case TCPFlags:
		r.TCPFlags, err = parseInt32(b, na)
	case TrafficPath:
		r.TrafficPath, err = parseInt32(b, na)
	case Packets:
		r.Packets, err = parseInt64(b, na)
	case Bytes:
		r.Bytes, err = parseInt64(b, na)
	case Start:
		r.Start, err = parseTime(b, na)
	case End:
		r.End, err = parseTime(b, na)
	case SrcAddr:
		r.SrcAddr, err = parseAddr(b, na)
	case DstAddr:
		r.DstAddr, err = parseAddr(b, na)
	case PktSrcAddr:
		r.PktSrcAddr, err = parseAddr(b, na)
	case PktDstAddr:
		r.PktDstAddr, err = parseAddr(b, na)
	case Action:
		switch {
		case na:
			r.Action = ActionNone
		case string(b) == "ACCEPT":
			r.Action = Accept
		case string(b) == "REJECT":
			r.Action = Reject
		default:
			err = errors.New("want ACCEPT, REJECT or -")
		}
	case LogStatus:
		switch {
		case na:
			r.LogStatus = StatusNone
		case string(b) == "OK":
			r.LogStatus = OK
		case string(b) == "NODATA":
			r.LogStatus = NoData
		case string(b) == "SKIPDATA":
			r.LogStatus = SkipData
		default:
			err = errors.New("want OK, NODATA, SKIPDATA or -")
		}
	}
	if err != nil {
		return &FieldError{Field: fl.Name(), Value: string(b), Err: err}
	}
	return nil
}

func parseInt64(b []byte, na bool) (int64, error) {
	if na {
		return NA, nil
	}
	if len(b) == 0 || len(b) > 18 {
		if len(b) > 18 {
			v, err := strconv.ParseInt(string(b), 10, 64)
			if err == nil && v >= 0 {
				return v, nil
			}
		}
		return 0, errNumber
	}
	var v int64
	for _, c := range b {
		c -= '0'
		if c > 9 {
			return 0, errNumber
		}
		v = v*10 + int64(c)
	}
	return v, nil
}

// MaxTime is the last second a start or end time may be: 9999-12-31T23:59:59Z. Later times (and negative
// ones, which are not numbers here) make a line malformed: nothing can be said about them, and time.Time
// cannot even be written as JSON past year 9999.
const MaxTime = 253402300799

var errTime = errors.New("time out of range (Unix seconds of 1970-01-01 to 9999-12-31)")

func parseTime(b []byte, na bool) (int64, error) {
	v, err := parseInt64(b, na)
	if err == nil && v > MaxTime {
		return 0, errTime
	}
	return v, err
}

func parseInt32(b []byte, na bool) (int32, error) {
	if na {
		return NA, nil
	}
	if len(b) == 0 || len(b) > 10 {
		return 0, errNumber
	}
	var v int64
	for _, c := range b {
		c -= '0'
		if c > 9 {
			return 0, errNumber
		}
		v = v*10 + int64(c)
	}
	if v > 1<<31-1 {
		return 0, errNumber
	}
	return int32(v), nil
}

// parseAddr parses an IPv4 address without allocating; IPv6 goes through netip.
func parseAddr(b []byte, na bool) (netip.Addr, error) {
	if na {
		return netip.Addr{}, nil
	}
	var ip [4]byte
	n, octet, digits := 0, 0, 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 && octet == 0 { // leading zero
				return slowAddr(b)
			}
			octet = octet*10 + int(c-'0')
			digits++
			if octet > 255 {
				return slowAddr(b)
			}
		case c == '.':
			if digits == 0 || n == 3 {
				return netip.Addr{}, errAddr
			}
			ip[n] = byte(octet)
			n++
			octet, digits = 0, 0
		default:
			return slowAddr(b)
		}
	}
	if n != 3 || digits == 0 {
		return netip.Addr{}, errAddr
	}
	ip[3] = byte(octet)
	return netip.AddrFrom4(ip), nil
}

func slowAddr(b []byte) (netip.Addr, error) {
	a, err := netip.ParseAddr(string(b))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, errAddr
	}
	return a, nil
}
