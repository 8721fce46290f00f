// parseV5Masked: parseV5's columns, read from the line's masks (classify.go) instead of a search per field.

package flowlog

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"reflect"
	"sync"
	"unsafe"
)

// nextWord returns the next word of m after the one at bit base that has a bit set, and its base; past the
// last word, one bit at maskWords×64 (as nextSet: a line of exactly maskWords×64 bytes ends there).
func nextWord(m *[maskWords]uint64, base int) (int, uint64) {
	for base += 64; base < maskWords*64; base += 64 {
		if w := m[base>>6]; w != 0 {
			return base, w
		}
	}
	return maskWords * 64, 1
}

// ndAt returns the bits of a line mask from bit i on (i < maskWords×64; bits from maskWords×64 on are
// meaningless: the callers look at a field's bits only, and a field ends at maskWords×64 at the latest).
func ndAt(m *[maskWords]uint64, i int) uint64 {
	w, s := uint(i>>6)&(maskWords-1), uint(i&63)
	return m[w]>>s | m[(w+1)&(maskWords-1)]<<1<<(63-s)
}

// maskedPad is how many readable bytes parseV5Masked needs after a line's end: its loads read up to 9 bytes
// past it (8 from a column's start, which is at most one past the end).
const maskedPad = 16

// maskScratch is the parser's room for the masked fast path: the current line's masks, and a copy of a line
// whose slice does not have maskedPad bytes of capacity after its end.
type maskScratch struct {
	on  bool // take the masked path (maskedFaster)
	m   lineMasks
	pad [maskWords*64 + maskedPad]byte
}

// maskedFaster reports whether the masked path is the faster one here: with a vector classify. With the
// portable classifyGeneric, classifying a line costs more than the masks save over parseV5
// (BenchmarkParseParts), so parsers keep parseV5 there.
var maskedFaster = sync.OnceValue(func() bool {
	return reflect.ValueOf(classifyImpl).Pointer() != reflect.ValueOf(classifyGeneric).Pointer()
})

// parseV5Masked is parseV5 for a line of at most maskWords×64 bytes whose masks m are computed, read from
// p, which has the line's bytes and at least maskedPad readable bytes after them (their values do not
// matter: every load's bytes past the column are shifted out or masked off). Each column's end is the next
// set bit of the space mask; the non-digit mask finds an IPv4 address's dots. It reads what parseV5 reads
// (fields one space apart, numbers of 1 to 15 digits that fit their field, times up to MaxTime, IPv4
// addresses, "-", the usual action and log-status words) and returns false for anything else: an empty
// field (two spaces in a row, a leading space, too few fields), a longer number, IPv6... The caller then
// reads the line from its start the general way, which defines every result. Straight-line code, one
// block per column written from one template per kind, as parseV5.
func (r *Record) parseV5Masked(m *lineMasks, p unsafe.Pointer, cols int) (int, bool) {
	sp, nd := &m.sp, &m.nd
	c, base := sp[0], 0 // the space bits not taken yet: those of the word at bit base
	s, e, k := 0, 0, 0  // the column's start, end and length
	var x uint64
	// One block per column; the blocks of a kind (string, int32, int64, time, address, action, log-status) are
	// the same text but for the destination: change them together.
	// Version
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if v, digits := digitsOf(x, k); digits && uint(k-1) < 8 {
		r.Version = int32(v)
	} else if k == 1 && x&0xFF == '-' {
		r.Version = NA
	} else {
		return 0, false
	}
	s = e + 1
	// AccountID
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[AccountID] = spanAt(s, e)
	s = e + 1
	// InterfaceID
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[InterfaceID] = spanAt(s, e)
	s = e + 1
	// SrcAddr
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if k = e - s; uint(k-7) <= 15-7 && ipv4Vec {
		a, ok := ipv4SpanVec(unsafe.Add(p, s), k)
		if !ok {
			return 0, false
		}
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], a) // one store, then one load and BSWAP in AddrFrom4
		r.SrcAddr = netip.AddrFrom4(b)
	} else if uint(k-7) <= 15-7 {
		// Exactly three non-digits, each a dot: then dottedQuad's octet checks.
		d := ndAt(nd, s) & (1<<uint(k) - 1)
		p0 := bits.TrailingZeros64(d)
		d &= d - 1
		p1 := bits.TrailingZeros64(d)
		d &= d - 1
		p2 := bits.TrailingZeros64(d) // 64 when fewer than three
		if d&(d-1) != 0 || p2 >= k {
			return 0, false
		}
		q := unsafe.Add(p, s)
		if uint32(*(*byte)(unsafe.Add(q, p0)))|uint32(*(*byte)(unsafe.Add(q, p1)))<<8|
			uint32(*(*byte)(unsafe.Add(q, p2)))<<16 != '.'|'.'<<8|'.'<<16 {
			return 0, false
		}
		k0, k1, k2, k3 := p0, p1-p0-1, p2-p1-1, k-p2-1 // 0 to 13
		d0 := (load4(q) - 0x30303030) << ((32 - 8*uint(k0)) & 31)
		d1 := (load4(unsafe.Add(q, p0+1)) - 0x30303030) << ((32 - 8*uint(k1)) & 31)
		d2 := (load4(unsafe.Add(q, p1+1)) - 0x30303030) << ((32 - 8*uint(k2)) & 31)
		d3 := (load4(unsafe.Add(q, p2+1)) - 0x30303030) << ((32 - 8*uint(k3)) & 31)
		v01, v23 := octets2(uint64(d0)|uint64(d1)<<32), octets2(uint64(d2)|uint64(d3)<<32)
		if int(octetLen[v01&1023]) != k0 || int(octetLen[v01>>32&1023]) != k1 ||
			int(octetLen[v23&1023]) != k2 || int(octetLen[v23>>32&1023]) != k3 {
			return 0, false
		}
		r.SrcAddr = netip.AddrFrom4([4]byte{byte(v01), byte(v01 >> 32), byte(v23), byte(v23 >> 32)})
	} else if k == 1 && ld(p, s)&0xFF == '-' {
		r.SrcAddr = netip.Addr{}
	} else {
		return 0, false
	}
	s = e + 1
	// DstAddr
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if k = e - s; uint(k-7) <= 15-7 && ipv4Vec {
		a, ok := ipv4SpanVec(unsafe.Add(p, s), k)
		if !ok {
			return 0, false
		}
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], a) // one store, then one load and BSWAP in AddrFrom4
		r.DstAddr = netip.AddrFrom4(b)
	} else if uint(k-7) <= 15-7 {
		// Exactly three non-digits, each a dot: then dottedQuad's octet checks.
		d := ndAt(nd, s) & (1<<uint(k) - 1)
		p0 := bits.TrailingZeros64(d)
		d &= d - 1
		p1 := bits.TrailingZeros64(d)
		d &= d - 1
		p2 := bits.TrailingZeros64(d) // 64 when fewer than three
		if d&(d-1) != 0 || p2 >= k {
			return 0, false
		}
		q := unsafe.Add(p, s)
		if uint32(*(*byte)(unsafe.Add(q, p0)))|uint32(*(*byte)(unsafe.Add(q, p1)))<<8|
			uint32(*(*byte)(unsafe.Add(q, p2)))<<16 != '.'|'.'<<8|'.'<<16 {
			return 0, false
		}
		k0, k1, k2, k3 := p0, p1-p0-1, p2-p1-1, k-p2-1 // 0 to 13
		d0 := (load4(q) - 0x30303030) << ((32 - 8*uint(k0)) & 31)
		d1 := (load4(unsafe.Add(q, p0+1)) - 0x30303030) << ((32 - 8*uint(k1)) & 31)
		d2 := (load4(unsafe.Add(q, p1+1)) - 0x30303030) << ((32 - 8*uint(k2)) & 31)
		d3 := (load4(unsafe.Add(q, p2+1)) - 0x30303030) << ((32 - 8*uint(k3)) & 31)
		v01, v23 := octets2(uint64(d0)|uint64(d1)<<32), octets2(uint64(d2)|uint64(d3)<<32)
		if int(octetLen[v01&1023]) != k0 || int(octetLen[v01>>32&1023]) != k1 ||
			int(octetLen[v23&1023]) != k2 || int(octetLen[v23>>32&1023]) != k3 {
			return 0, false
		}
		r.DstAddr = netip.AddrFrom4([4]byte{byte(v01), byte(v01 >> 32), byte(v23), byte(v23 >> 32)})
	} else if k == 1 && ld(p, s)&0xFF == '-' {
		r.DstAddr = netip.Addr{}
	} else {
		return 0, false
	}
	s = e + 1
	// SrcPort
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if v, digits := digitsOf(x, k); digits && uint(k-1) < 8 {
		r.SrcPort = int32(v)
	} else if k == 1 && x&0xFF == '-' {
		r.SrcPort = NA
	} else {
		return 0, false
	}
	s = e + 1
	// DstPort
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if v, digits := digitsOf(x, k); digits && uint(k-1) < 8 {
		r.DstPort = int32(v)
	} else if k == 1 && x&0xFF == '-' {
		r.DstPort = NA
	} else {
		return 0, false
	}
	s = e + 1
	// Protocol
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if v, digits := digitsOf(x, k); digits && uint(k-1) < 8 {
		r.Protocol = int32(v)
	} else if k == 1 && x&0xFF == '-' {
		r.Protocol = NA
	} else {
		return 0, false
	}
	s = e + 1
	// Packets
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if uint(k-1) < 8 {
		if v, digits := digitsOf(x, k); digits {
			r.Packets = int64(v)
		} else if k == 1 && x&0xFF == '-' {
			r.Packets = NA
		} else {
			return 0, false
		}
	} else if uint(k-9) < 7 {
		// 9 to 15 digits: the first 8 and the rest from a second load.
		v, hi := digitsOf(x, 8)
		w, lo := digitsOf(ld(p, s+8), k-8)
		if v = v*tenPowU[(k-8)&7] + w; !hi || !lo {
			return 0, false
		}
		r.Packets = int64(v)
	} else {
		return 0, false
	}
	s = e + 1
	// Bytes
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if uint(k-1) < 8 {
		if v, digits := digitsOf(x, k); digits {
			r.Bytes = int64(v)
		} else if k == 1 && x&0xFF == '-' {
			r.Bytes = NA
		} else {
			return 0, false
		}
	} else if uint(k-9) < 7 {
		// 9 to 15 digits: the first 8 and the rest from a second load.
		v, hi := digitsOf(x, 8)
		w, lo := digitsOf(ld(p, s+8), k-8)
		if v = v*tenPowU[(k-8)&7] + w; !hi || !lo {
			return 0, false
		}
		r.Bytes = int64(v)
	} else {
		return 0, false
	}
	s = e + 1
	// Start
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if uint(k-1) < 8 {
		if v, digits := digitsOf(x, k); digits {
			r.Start = int64(v)
		} else if k == 1 && x&0xFF == '-' {
			r.Start = NA
		} else {
			return 0, false
		}
	} else if uint(k-9) < 7 {
		// 9 to 15 digits: the first 8 and the rest from a second load.
		v, hi := digitsOf(x, 8)
		w, lo := digitsOf(ld(p, s+8), k-8)
		if v = v*tenPowU[(k-8)&7] + w; !hi || !lo || v > MaxTime {
			return 0, false
		}
		r.Start = int64(v)
	} else {
		return 0, false
	}
	s = e + 1
	// End
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if uint(k-1) < 8 {
		if v, digits := digitsOf(x, k); digits {
			r.End = int64(v)
		} else if k == 1 && x&0xFF == '-' {
			r.End = NA
		} else {
			return 0, false
		}
	} else if uint(k-9) < 7 {
		// 9 to 15 digits: the first 8 and the rest from a second load.
		v, hi := digitsOf(x, 8)
		w, lo := digitsOf(ld(p, s+8), k-8)
		if v = v*tenPowU[(k-8)&7] + w; !hi || !lo || v > MaxTime {
			return 0, false
		}
		r.End = int64(v)
	} else {
		return 0, false
	}
	s = e + 1
	// Action
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	switch k, x = e-s, ld(p, s); {
	case k == 6 && x&0xFFFFFFFFFFFF == accept&0xFFFFFFFFFFFF:
		r.Action = Accept
	case k == 6 && x&0xFFFFFFFFFFFF == reject&0xFFFFFFFFFFFF:
		r.Action = Reject
	case k == 1 && x&0xFF == '-':
		r.Action = ActionNone
	default:
		return 0, false
	}
	r.raw[Action] = spanAt(s, e)
	s = e + 1
	// LogStatus
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	switch k, x = e-s, ld(p, s); {
	case k == 2 && x&0xFFFF == ok&0xFFFF:
		r.LogStatus = OK
	case k == 1 && x&0xFF == '-':
		r.LogStatus = StatusNone
	case k == 6 && x&0xFFFFFFFFFFFF == noData&0xFFFFFFFFFFFF:
		r.LogStatus = NoData
	case k == 8 && x == skipData:
		r.LogStatus = SkipData
	default:
		return 0, false
	}
	r.raw[LogStatus] = spanAt(s, e)
	s = e + 1
	if cols == 14 {
		return s, true
	}
	// Version 3.
	// VPCID
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[VPCID] = spanAt(s, e)
	s = e + 1
	// SubnetID
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[SubnetID] = spanAt(s, e)
	s = e + 1
	// InstanceID
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[InstanceID] = spanAt(s, e)
	s = e + 1
	// TCPFlags
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if v, digits := digitsOf(x, k); digits && uint(k-1) < 8 {
		r.TCPFlags = int32(v)
	} else if k == 1 && x&0xFF == '-' {
		r.TCPFlags = NA
	} else {
		return 0, false
	}
	s = e + 1
	// Type
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[Type] = spanAt(s, e)
	s = e + 1
	// PktSrcAddr
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if k = e - s; uint(k-7) <= 15-7 && ipv4Vec {
		a, ok := ipv4SpanVec(unsafe.Add(p, s), k)
		if !ok {
			return 0, false
		}
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], a) // one store, then one load and BSWAP in AddrFrom4
		r.PktSrcAddr = netip.AddrFrom4(b)
	} else if uint(k-7) <= 15-7 {
		// Exactly three non-digits, each a dot: then dottedQuad's octet checks.
		d := ndAt(nd, s) & (1<<uint(k) - 1)
		p0 := bits.TrailingZeros64(d)
		d &= d - 1
		p1 := bits.TrailingZeros64(d)
		d &= d - 1
		p2 := bits.TrailingZeros64(d) // 64 when fewer than three
		if d&(d-1) != 0 || p2 >= k {
			return 0, false
		}
		q := unsafe.Add(p, s)
		if uint32(*(*byte)(unsafe.Add(q, p0)))|uint32(*(*byte)(unsafe.Add(q, p1)))<<8|
			uint32(*(*byte)(unsafe.Add(q, p2)))<<16 != '.'|'.'<<8|'.'<<16 {
			return 0, false
		}
		k0, k1, k2, k3 := p0, p1-p0-1, p2-p1-1, k-p2-1 // 0 to 13
		d0 := (load4(q) - 0x30303030) << ((32 - 8*uint(k0)) & 31)
		d1 := (load4(unsafe.Add(q, p0+1)) - 0x30303030) << ((32 - 8*uint(k1)) & 31)
		d2 := (load4(unsafe.Add(q, p1+1)) - 0x30303030) << ((32 - 8*uint(k2)) & 31)
		d3 := (load4(unsafe.Add(q, p2+1)) - 0x30303030) << ((32 - 8*uint(k3)) & 31)
		v01, v23 := octets2(uint64(d0)|uint64(d1)<<32), octets2(uint64(d2)|uint64(d3)<<32)
		if int(octetLen[v01&1023]) != k0 || int(octetLen[v01>>32&1023]) != k1 ||
			int(octetLen[v23&1023]) != k2 || int(octetLen[v23>>32&1023]) != k3 {
			return 0, false
		}
		r.PktSrcAddr = netip.AddrFrom4([4]byte{byte(v01), byte(v01 >> 32), byte(v23), byte(v23 >> 32)})
	} else if k == 1 && ld(p, s)&0xFF == '-' {
		r.PktSrcAddr = netip.Addr{}
	} else {
		return 0, false
	}
	s = e + 1
	// PktDstAddr
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if k = e - s; uint(k-7) <= 15-7 && ipv4Vec {
		a, ok := ipv4SpanVec(unsafe.Add(p, s), k)
		if !ok {
			return 0, false
		}
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], a) // one store, then one load and BSWAP in AddrFrom4
		r.PktDstAddr = netip.AddrFrom4(b)
	} else if uint(k-7) <= 15-7 {
		// Exactly three non-digits, each a dot: then dottedQuad's octet checks.
		d := ndAt(nd, s) & (1<<uint(k) - 1)
		p0 := bits.TrailingZeros64(d)
		d &= d - 1
		p1 := bits.TrailingZeros64(d)
		d &= d - 1
		p2 := bits.TrailingZeros64(d) // 64 when fewer than three
		if d&(d-1) != 0 || p2 >= k {
			return 0, false
		}
		q := unsafe.Add(p, s)
		if uint32(*(*byte)(unsafe.Add(q, p0)))|uint32(*(*byte)(unsafe.Add(q, p1)))<<8|
			uint32(*(*byte)(unsafe.Add(q, p2)))<<16 != '.'|'.'<<8|'.'<<16 {
			return 0, false
		}
		k0, k1, k2, k3 := p0, p1-p0-1, p2-p1-1, k-p2-1 // 0 to 13
		d0 := (load4(q) - 0x30303030) << ((32 - 8*uint(k0)) & 31)
		d1 := (load4(unsafe.Add(q, p0+1)) - 0x30303030) << ((32 - 8*uint(k1)) & 31)
		d2 := (load4(unsafe.Add(q, p1+1)) - 0x30303030) << ((32 - 8*uint(k2)) & 31)
		d3 := (load4(unsafe.Add(q, p2+1)) - 0x30303030) << ((32 - 8*uint(k3)) & 31)
		v01, v23 := octets2(uint64(d0)|uint64(d1)<<32), octets2(uint64(d2)|uint64(d3)<<32)
		if int(octetLen[v01&1023]) != k0 || int(octetLen[v01>>32&1023]) != k1 ||
			int(octetLen[v23&1023]) != k2 || int(octetLen[v23>>32&1023]) != k3 {
			return 0, false
		}
		r.PktDstAddr = netip.AddrFrom4([4]byte{byte(v01), byte(v01 >> 32), byte(v23), byte(v23 >> 32)})
	} else if k == 1 && ld(p, s)&0xFF == '-' {
		r.PktDstAddr = netip.Addr{}
	} else {
		return 0, false
	}
	s = e + 1
	if cols == 21 {
		return s, true
	}
	// Version 4.
	// Region
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[Region] = spanAt(s, e)
	s = e + 1
	// AZID
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[AZID] = spanAt(s, e)
	s = e + 1
	// SublocationType
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[SublocationType] = spanAt(s, e)
	s = e + 1
	// SublocationID
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[SublocationID] = spanAt(s, e)
	s = e + 1
	if cols == 25 {
		return s, true
	}
	// Version 5.
	// PktSrcAWSService
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[PktSrcAWSService] = spanAt(s, e)
	s = e + 1
	// PktDstAWSService
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[PktDstAWSService] = spanAt(s, e)
	s = e + 1
	// FlowDirection
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	if e <= s {
		return 0, false
	}
	r.raw[FlowDirection] = spanAt(s, e)
	s = e + 1
	// TrafficPath
	if c == 0 {
		base, c = nextWord(sp, base)
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
	k, x = e-s, ld(p, s)
	if v, digits := digitsOf(x, k); digits && uint(k-1) < 8 {
		r.TrafficPath = int32(v)
	} else if k == 1 && x&0xFF == '-' {
		r.TrafficPath = NA
	} else {
		return 0, false
	}
	s = e + 1
	return s, true
}

// digitsOf returns the value of the first k (1-8) bytes of x (little-endian order), and whether they are all
// ASCII digits. A byte that is not a digit gets its high bit in bad (y over 0x7F, or y+0x76 over 0x7F) and is
// the only one that may borrow from, or carry into, the bytes after it: so the first non-digit is always
// flagged, and the flags after it add nothing wrong. The bytes from k on are shifted out; then three multiplies
// join adjacent digits, pairs and quads (the bytes shifted in are leading zeros).
func digitsOf(x uint64, k int) (uint64, bool) {
	sh := (64 - 8*uint(k)) & 63
	y := x - 0x3030303030303030
	bad := (y + 0x7676767676767676 | y) & highs
	y <<= sh
	y = y * (1 + 10<<8) >> 8                             // byte 2i: 10×digit 2i + digit 2i+1
	y = (y & 0x00FF00FF00FF00FF) * (1 + 100<<16) >> 16   // 16-bit lane 2i: four digits
	y = (y & 0x0000FFFF0000FFFF) * (1 + 10000<<32) >> 32 // eight digits
	return y, bad<<sh == 0
}

// ld is the eight bytes at p+i, little-endian.
func ld(p unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, i))[:])
}

// tenPowU[k] is 10^k, for joining the digits of two loads.
var tenPowU = [8]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}
