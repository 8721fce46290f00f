package v5gen

// masked writes parseV5Masked (v5mask.go has its helpers: digitsOf, digitsOf4, ld, tenPowU; ipv4span*.go the address readers;
// numbers*.go the reader of the number columns numsRun). Every
// block starts with the column's end e (the next set bit of the space mask) and its start s; it ends with
// s = e + 1.
var masked = parser{
	file: "v5mask_gen.go",
	head: header + `package flowlog

import (
	"math/bits"
	"net/netip"
	"unsafe"
)

// parseV5Masked is parseV5 for a line of at most maskWords×64 bytes whose masks m are computed, read from
// p, which has the line's bytes and at least maskedPad readable bytes after them (their values do not
// matter: every load's bytes past the column are shifted out or masked off). Each column's end is the next
// set bit of the space mask; IPv4 addresses are read two at a time by ipv4PairVec (each pair of adjacent
// address columns), one at a time by ipv4SpanVec when one of a pair is not an address; the seven numbers
// from srcport to end by one numbersVec call where it takes them (numbers.go). It reads what
// parseV5 reads (fields one space apart, numbers of 1 to 15 digits that fit their field, times up to
// MaxTime, IPv4 addresses, "-", the usual action and log-status words) and returns false for anything else: an empty
// field (two spaces in a row, a leading space, too few fields), a longer number, IPv6... The caller then
// reads the line from its start the general way, which defines every result. Straight-line code, one
// block per column generated from one template per kind (internal/v5gen), as parseV5.
func (r *Record) parseV5Masked(m *lineMasks, p unsafe.Pointer, cols int) (int, bool) {
	sp := &m.sp
	c, base := sp[0], 0 // the space bits not taken yet: those of the word at bit base
	s, e, k := 0, 0, 0  // the column's start, end and length
	var x uint64
	var ea, fe int      // the end of the first column of a pair of addresses; the first pair's end
	t6, tx := uint64(0), uint64(' '*ones) // the first time's first six digits, and their bytes (masked64)
	// One block per column, from its kind's template in internal/v5gen (string, int32, int64, time, address,
	// action, log-status): edit the template and run go generate, never the blocks.
`,
	column: `	// {{.Name}}
	for c == 0 { // the next word with a set bit: never past the last, all ones (29 columns take 29 bits)
		base += 64
		c = *(*uint64)(unsafe.Add(unsafe.Pointer(sp), base>>3)) // sp[base>>6] without its bounds check
	}
	e = base + bits.TrailingZeros64(c)
	c &= c - 1
`,
	kinds: [...]string{
		Int32: `	k, x = e-s, ld(p, s)
{{- if eq .Digits 1}}
	if d := x&0xFF - '0'; k == 1 && d < 10 {
		r.{{.Name}} = int32(d)
	} else if k == 1 && x&0xFF == '-' {
		r.{{.Name}} = NA
	} else if v, digits := digitsOf4(uint32(x), k); digits && uint(k-1) < 4 {
		r.{{.Name}} = int32(v)
	} else if v, digits := digitsOf(x, k); digits && uint(k-5) < 4 {
		r.{{.Name}} = int32(v)
{{- else if eq .Digits 4}}
	if v, digits := digitsOf4(uint32(x), k); digits && uint(k-1) < 4 {
		r.{{.Name}} = int32(v)
	} else if k == 1 && x&0xFF == '-' {
		r.{{.Name}} = NA
	} else if v, digits := digitsOf(x, k); digits && uint(k-5) < 4 {
		r.{{.Name}} = int32(v)
{{- else}}
	if v, digits := digitsOf(x, k); digits && uint(k-1) < 8 {
		r.{{.Name}} = int32(v)
	} else if k == 1 && x&0xFF == '-' {
		r.{{.Name}} = NA
{{- end}}
	} else {
		return 0, false
	}
	s = e + 1
`,
		Int64: masked64,
		Time:  masked64,
		String: `	if e <= s {
		return 0, false
	}
	r.raw[{{.Name}}] = spanAt(s, e)
	s = e + 1
`,
		Addr: `	if k = e - s; uint(k-7) <= 15-7 {
		var a uint32
		var ok bool
		if ipv4Vec { // always where the masked path runs (its AVX2 classify implies it); tests turn it off
			a, ok = ipv4SpanVec(unsafe.Add(p, s), k)
		} else {
			a, ok = ipv4SpanGo(unsafe.Add(p, s), k)
		}
		if !ok {
			return 0, false
		}
		r.{{.Name}} = addrOf4(a)
	} else if k == 1 && ld(p, s)&0xFF == '-' {
		r.{{.Name}} = netip.Addr{}
	} else {
		return 0, false
	}
	s = e + 1
`,
		Action: `	switch k, x = e-s, ld(p, s); {
	case k == 6 && x&0xFFFFFFFFFFFF == accept&0xFFFFFFFFFFFF:
		r.{{.Name}} = Accept
	case k == 6 && x&0xFFFFFFFFFFFF == reject&0xFFFFFFFFFFFF:
		r.{{.Name}} = Reject
	case k == 1 && x&0xFF == '-':
		r.{{.Name}} = ActionNone
	default:
		return 0, false
	}
	r.raw[{{.Name}}] = spanAt(s, e)
	s = e + 1
`,
		LogStatus: `	switch k, x = e-s, ld(p, s); {
	case k == 2 && x&0xFFFF == ok&0xFFFF:
		r.{{.Name}} = OK
	case k == 1 && x&0xFF == '-':
		r.{{.Name}} = StatusNone
	case k == 6 && x&0xFFFFFFFFFFFF == noData&0xFFFFFFFFFFFF:
		r.{{.Name}} = NoData
	case k == 8 && x == skipData:
		r.{{.Name}} = SkipData
	default:
		return 0, false
	}
	r.raw[{{.Name}}] = spanAt(s, e)
	s = e + 1
`,
	},
	pairMid: `	ea = e
`,
	pair: `
{{- if .First}}	// {{.A.Name}} and {{.B.Name}}: usually the text of {{(index .First 1).Name}} and {{(index .First 2).Name}} again (a
	// packet's addresses are the flow's unless it passed a NAT or a load balancer): then their values. That
	// text is [q, fe), q just after {{(index .First 0).Name}}'s span; equal bytes put the one space between
	// the two addresses at the same place. Pairs under 16 bytes ("-", short addresses) take the reads below.
	if n, q := e-s, int(r.raw[{{(index .First 0).Name}}].end)+1; n == fe-q && uint(n-16) <= 32-16 && sameSpan(p, s, q, n) {
		r.{{.A.Name}}, r.{{.B.Name}} = r.{{(index .First 1).Name}}, r.{{(index .First 2).Name}}
		s = e + 1
		goto {{.A.Name}}Read
	}
{{- else}}	fe = e
	// {{.A.Name}} and {{.B.Name}}: read by the vector classify (m.pair), unless one is not an address or they
	// end past the first mask word.
	if m.pair.ok {
		r.{{.A.Name}}, r.{{.B.Name}} = addrOf4(m.pair.a0), addrOf4(m.pair.a1)
		s = e + 1
		goto {{.A.Name}}Read
	}
{{end}}	// {{.A.Name}} and {{.B.Name}} in one ipv4PairVec call (ea is {{.A.Name}}'s end, e {{.B.Name}}'s); on
	// anything else ("-", IPv6, not an address), each on its own. (A goto, not a flag: a flag's value merged
	// from the call and the other paths went through the stack.)
	if k, k1 := ea-s, e-ea-1; ipv4Vec && uint(k-7) <= 15-7 && uint(k1-7) <= 15-7 {
		if a0, a1, ok := ipv4PairVec(unsafe.Add(p, s), k, k1); ok {
			r.{{.A.Name}}, r.{{.B.Name}} = addrOf4(a0), addrOf4(a1)
			s = e + 1
			goto {{.A.Name}}Read
		}
	}
	{
		eb := e
		e = ea
{{.SingleA}}		e = eb
{{.SingleB}}	}
{{.A.Name}}Read:
`,
	nums: `	// {{.First.Name}} to {{.Last.Name}} in one numbersVec call (numbers.go), which also finds their ends and
	// returns the walk's state (c, base) after {{.Last.Name}} and the next column's start; on anything else
	// ("-", lengths it does not take, not a number), each on its own. (A goto over the blocks, as for
	// addresses.)
	if numsVec {
		if c1, base1, s1 := numbersVec(r, p, sp, s); s1 != 0 {
			c, base, s = c1, base1, s1
			goto {{.Last.Name}}Read
		}
	}
	{
{{- range .Blocks}}
{{.Text}}
{{- end}}
	}
{{.Last.Name}}Read:
`,
	stop: `	if cols == {{.Cols}} {
		return s, true
	}
	// Version {{.Next}}.
`,
	tail: `	return s, true
}
`,
}

// masked64 is the Int64 and Time template of parseV5Masked: Time first tries ten digits, and adds the MaxTime
// check. A time of ten digits is read as six and four; the first time keeps its six (t6, their bytes in tx)
// for the next one, which usually starts with the same six (a record spans minutes, not hours) and then
// reads only its last four.
const masked64 = `	k, x = e-s, ld(p, s)
{{- if .IsTime}}
{{- if not .FirstTime}}
	if k == 10 && (x^tx)<<16 == 0 {
		// The first time's six digits (tx holds a space unless it had ten digits), then four.
		w, lo := digitsOf4(uint32(ld(p, s+6)), 4)
		if !lo {
			return 0, false
		}
		r.{{.Name}} = int64(t6*10000 + uint64(w))
	} else
{{- end}}
	if k == 10 {
		// Every time from 2001 to 2286 (no MaxTime check: it has 12 digits).
		v, hi := digitsOf(x, 6)
		w, lo := digitsOf4(uint32(ld(p, s+6)), 4)
		if !hi || !lo {
			return 0, false
		}
		r.{{.Name}} = int64(v*10000 + uint64(w))
{{- if .FirstTime}}
		t6, tx = v, x
{{- end}}
	} else if uint(k-1) < 8 {
{{- else}}
	if uint(k-1) < 8 {
{{- end}}
		if v, digits := digitsOf(x, k); digits {
			r.{{.Name}} = int64(v)
		} else if k == 1 && x&0xFF == '-' {
			r.{{.Name}} = NA
		} else {
			return 0, false
		}
	} else if uint(k-9) < 7 {
		// 9 to 15 digits: the first 8 and the rest from a second load.
		v, hi := digitsOf(x, 8)
		w, lo := digitsOf(ld(p, s+8), k-8)
		if v = v*tenPowU[(k-8)&7] + w; !hi || !lo{{if .IsTime}} || v > MaxTime{{end}} {
			return 0, false
		}
		r.{{.Name}} = int64(v)
	} else {
		return 0, false
	}
	s = e + 1
`
