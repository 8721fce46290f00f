package flowlog

// The parser as it was before the one-pass rewrite (commit 3037cc3: parse.go parseLine, setNum, setAddr;
// record.go set and its number/address helpers; swar.go), kept verbatim under ref* names as the reference
// that the differential tests and FuzzParseDifferential compare the parser against.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"strconv"
)

// Parse reads one line (without its newline). It returns the record, or nil for a blank, header or
// malformed line; err is non-nil only for a malformed line in strict mode.
func (p *Parser) refParse(line []byte, lineNo int64) (*Record, error) {
	p.Stats.Lines++
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) == 0 {
		return nil, nil
	}
	err := p.rec.refParseLine(line)
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

// refParseLine splits line on spaces and sets every column. Numbers and IPv4 addresses are parsed in the same
// pass that finds the field's end; anything unusual ("-", IPv6, errors) takes the general path in set.
func (r *Record) refParseLine(line []byte) error {
	r.line = line // where setRaw records the string fields (the only change to this copy: how they are kept)
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
		switch refKindOf(fl) {
		case kindNum:
			var v int64
			if i+8 <= n { // the first eight bytes at once (see swar.go), then byte by byte
				x := binary.LittleEndian.Uint64(line[i:])
				k := refDigitsIn8(x)
				if k > 0 && k < 8 && byte(x>>(8*uint(k))) == ' ' {
					// The whole field is in x and a space follows it (most numbers: ports, protocol, counts, times).
					if k == 1 {
						v = int64(x & 0x0F) // one digit: versions, protocols, small counts
					} else {
						v = int64(refDigits8(x, k))
					}
					if r.refSetNum(fl, v) {
						i += k + 1 // past the space too: the next field starts there
						continue
					}
				} else if k == 8 && i+16 <= n {
					// Nine to fifteen digits (times, byte counts): the rest from a second load.
					y := binary.LittleEndian.Uint64(line[i+8:])
					if k2 := refDigitsIn8(y); k2 > 0 && k2 < 8 && byte(y>>(8*uint(k2))) == ' ' {
						v = int64(refDigits8(x, 8))*refTenPow[k2] + int64(refDigits8(y, k2))
						if r.refSetNum(fl, v) {
							i += 8 + k2 + 1
							continue
						}
						v = 0
					} else {
						v, i = int64(refDigits8(x, 8)), i+8
					}
				} else if k > 0 {
					v, i = int64(refDigits8(x, k)), i+k
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
			if i-start > 0 && i-start <= 18 && (i == n || line[i] == ' ') && r.refSetNum(fl, v) {
				continue
			}
		case kindIPv4:
			if a, j, ok := refIpv4Fast(line, i); ok {
				i = j // past the address's space
				r.refSetAddr(fl, a)
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
				r.refSetAddr(fl, netip.AddrFrom4(ip))
				continue
			}
		case kindString, kindAction, kindStatus:
			i = refFieldEnd(line, i)
			v := line[start:i]
			if i < n {
				i++ // past the space: the next field starts there (or further spaces, skipped above)
			}
			switch refKindOf(fl) {
			case kindString:
				r.setRaw(fl, v)
				continue
			case kindAction:
				if string(v) == "ACCEPT" {
					r.setRaw(fl, v)
					r.Action = Accept
					continue
				}
				if string(v) == "REJECT" {
					r.setRaw(fl, v)
					r.Action = Reject
					continue
				}
			case kindStatus:
				if string(v) == "OK" {
					r.setRaw(fl, v)
					r.LogStatus = OK
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
			if err := r.refSet(fl, v); err != nil {
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

// refSetNum stores a parsed non-negative number; false if it does not fit the field.
func (r *Record) refSetNum(fl Field, v int64) bool {
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

func (r *Record) refSetAddr(fl Field, a netip.Addr) {
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

// set stores the raw value b of column i (field fl) and parses typed fields.
func (r *Record) refSet(fl Field, b []byte) error {
	if fl.Kind() == KindString {
		r.setRaw(fl, b)
	}
	if rawNumber(fl) {
		na := len(b) == 1 && b[0] == '-'
		var err error
		if fl.Kind() == KindInt32 {
			_, err = refParseInt32(b, na)
		} else {
			_, err = refParseInt64(b, na)
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
		r.Version, err = refParseInt32(b, na)
	case SrcPort:
		r.SrcPort, err = refParseInt32(b, na)
	case DstPort:
		r.DstPort, err = refParseInt32(b, na)
	case Protocol:
		r.Protocol, err = refParseInt32(b, na)
	case TCPFlags:
		r.TCPFlags, err = refParseInt32(b, na)
	case TrafficPath:
		r.TrafficPath, err = refParseInt32(b, na)
	case Packets:
		r.Packets, err = refParseInt64(b, na)
	case Bytes:
		r.Bytes, err = refParseInt64(b, na)
	case Start:
		r.Start, err = refParseTime(b, na)
	case End:
		r.End, err = refParseTime(b, na)
	case SrcAddr:
		r.SrcAddr, err = refParseAddr(b, na)
	case DstAddr:
		r.DstAddr, err = refParseAddr(b, na)
	case PktSrcAddr:
		r.PktSrcAddr, err = refParseAddr(b, na)
	case PktDstAddr:
		r.PktDstAddr, err = refParseAddr(b, na)
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

func refParseInt64(b []byte, na bool) (int64, error) {
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

func refParseTime(b []byte, na bool) (int64, error) {
	v, err := refParseInt64(b, na)
	if err == nil && v > MaxTime {
		return 0, errTime
	}
	return v, err
}

func refParseInt32(b []byte, na bool) (int32, error) {
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

// refParseAddr parses an IPv4 address without allocating; IPv6 goes through netip.
func refParseAddr(b []byte, na bool) (netip.Addr, error) {
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
				return refSlowAddr(b)
			}
			octet = octet*10 + int(c-'0')
			digits++
			if octet > 255 {
				return refSlowAddr(b)
			}
		case c == '.':
			if digits == 0 || n == 3 {
				return netip.Addr{}, errAddr
			}
			ip[n] = byte(octet)
			n++
			octet, digits = 0, 0
		default:
			return refSlowAddr(b)
		}
	}
	if n != 3 || digits == 0 {
		return netip.Addr{}, errAddr
	}
	ip[3] = byte(octet)
	return netip.AddrFrom4(ip), nil
}

func refSlowAddr(b []byte) (netip.Addr, error) {
	a, err := netip.ParseAddr(string(b))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, errAddr
	}
	return a, nil
}

// refSpaceIn8 returns the index (0-8) of the first ' ' among the eight bytes of x (little-endian order).
func refSpaceIn8(x uint64) int {
	y := x ^ (' ' * ones) // zero bytes where x has a space
	// Exact zero-byte test (no false positives from borrows): a byte of t has its high bit set iff y's is 0.
	t := ^(((y & ^uint64(highs)) + ^uint64(highs)) | y) & highs
	return bits.TrailingZeros64(t) / 8
}

// refDigitsIn8 returns how many of the eight bytes of x (little-endian order) are ASCII digits before the first
// byte that is not.
func refDigitsIn8(x uint64) int {
	// A byte b is a digit iff its high nibble is 3 and so is (b+6)'s. The +6 may carry into the next byte only
	// from a byte ≥ 0xFA, which is not a digit, so it cannot change the answer before the first non-digit.
	nd := (x & 0xF0F0F0F0F0F0F0F0) ^ 0x3030303030303030
	nd |= ((x + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) ^ 0x3030303030303030
	return bits.TrailingZeros64(nd) / 8
}

// refDigits8 converts the first k (1-8) digit bytes of x to their value.
func refDigits8(x uint64, k int) uint64 {
	x -= 0x3030303030303030
	x <<= 8 * (8 - uint(k)) // the k digits to the top; the bytes shifted in are leading zeros
	x = x*10 + x>>8
	x = ((x&0x000000FF000000FF)*(100+1000000<<32) + (x>>16&0x000000FF000000FF)*(1+10000<<32)) >> 32
	return x & 0xFFFFFFFF
}

// refFieldEnd returns the index of the first ' ' at or after i, or len(line).
func refFieldEnd(line []byte, i int) int {
	for i+8 <= len(line) {
		if k := refSpaceIn8(binary.LittleEndian.Uint64(line[i:])); k < 8 {
			return i + k
		}
		i += 8
	}
	for i < len(line) && line[i] != ' ' {
		i++
	}
	return i
}

// refIpv4Fast parses a dotted-quad IPv4 address at line[i:] that ends at a space or the line's end, an octet
// (1-3 digits, no leading zero, ≤ 255) per eight-byte load instead of a byte at a time. It returns the
// address and the index after its space; ok is false for anything else (too near the line's end for the loads
// included), which the byte loop then decides.
func refIpv4Fast(line []byte, i int) (a netip.Addr, end int, ok bool) {
	var ip [4]byte
	for o := range 4 {
		if i+8 > len(line) {
			return a, 0, false
		}
		x := binary.LittleEndian.Uint64(line[i:])
		k := refDigitsIn8(x)
		if k == 0 || k > 3 || (k > 1 && x&0xFF == '0') {
			return a, 0, false
		}
		sep := byte(x >> (8 * uint(k)))
		if o < 3 && sep != '.' || o == 3 && sep != ' ' {
			return a, 0, false
		}
		d0, d1, d2 := uint(x&0x0F), uint(x>>8&0x0F), uint(x>>16&0x0F)
		v := d0
		switch k {
		case 2:
			v = d0*10 + d1
		case 3:
			v = d0*100 + d1*10 + d2
		}
		if v > 255 {
			return a, 0, false
		}
		ip[o] = byte(v)
		i += k + 1
	}
	return netip.AddrFrom4(ip), i, true
}

var refTenPow = [8]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}

type refScanKind uint8

const (
	kindOther refScanKind = iota // unknown (extra) columns
	kindNum
	kindIPv4
	kindString
	kindAction
	kindStatus
)

// refKindOf is how the reference scans a column of field fl (what NewFormat stored in Format.kinds).
func refKindOf(fl Field) refScanKind {
	if fl == FieldNone {
		return kindOther
	}
	switch fl {
	case Action:
		return kindAction
	case LogStatus:
		return kindStatus
	}
	switch fl.Kind() {
	case KindInt32, KindInt64:
		return kindNum
	case KindAddr:
		return kindIPv4
	}
	return kindString
}
