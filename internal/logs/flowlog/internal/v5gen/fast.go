package v5gen

// fast writes parseV5 (swar.go has its helpers: lineBuf, spaceAt, spaceFrom, ipv4At, digitsIn8, digits8).
// Every block reads the column at i and leaves i after its separator.
var fast = parser{
	file: "v5fast_gen.go",
	head: header + `package flowlog

import "net/netip"

// parseV5 reads the first cols columns (one of v5Stops) of a line whose format starts with the fields of VPC
// version 5 in their documented order (versions 2 to 5, and the first 29 columns of later versions), as the
// general loop in parseColumns would, but for the common shapes only: fields one space apart, numbers of up to
// 15 digits (times up to MaxTime), IPv4 addresses, the usual action and log-status words, and "-". It returns
// the index after the last column's separator, or false for anything else: the caller then reads the line
// from its start the general way. Straight-line code with fixed destinations: no per-column dispatch; one
// block per column generated from one template per kind (internal/v5gen).
func (r *Record) parseV5(b *lineBuf, cols int) (int, bool) {
	i, k := 0, 0
	var x uint64
`,
	column: `	// {{.Name}}
`,
	kinds: [...]string{
		Int32: `	x = b.load8(i)
	if k := digitsIn8(x); uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.{{.Name}} = int32(digits8(x, k))
		i += k + 1
	} else if x&0xFFFF == naWord {
		r.{{.Name}} = NA
		i += 2
	} else {
		return 0, false
	}
`,
		Int64: fast64,
		Time:  fast64,
		String: `	if k := spaceAt(b.load8(i)); k < 8 {
		if k == 0 {
			return 0, false
		}
		r.raw[{{.Name}}] = spanAt(i, i+k)
		i += k + 1
	} else {
		e := b.spaceFrom(i + 8)
		r.raw[{{.Name}}] = spanAt(i, e)
		i = e + 1
	}
`,
		Addr: `	if a, k, ok := b.ipv4At(i); ok {
		r.{{.Name}} = a
		i += k + 1
	} else if b.load8(i)&0xFFFF == naWord {
		r.{{.Name}} = netip.Addr{}
		i += 2
	} else {
		return 0, false
	}
`,
		Action: `	switch x = b.load8(i); x & 0x00FFFFFFFFFFFFFF {
	case accept:
		r.raw[{{.Name}}], r.{{.Name}} = spanAt(i, i+6), Accept
		i += 7
	case reject:
		r.raw[{{.Name}}], r.{{.Name}} = spanAt(i, i+6), Reject
		i += 7
	default:
		if x&0xFFFF != naWord {
			return 0, false
		}
		r.raw[{{.Name}}], r.{{.Name}} = spanAt(i, i+1), ActionNone
		i += 2
	}
`,
		LogStatus: `	x = b.load8(i)
	switch {
	case x&0xFFFFFF == ok:
		r.raw[{{.Name}}], r.{{.Name}} = spanAt(i, i+2), OK
		i += 3
	case x&0xFFFF == naWord:
		r.raw[{{.Name}}], r.{{.Name}} = spanAt(i, i+1), StatusNone
		i += 2
	case x&0x00FFFFFFFFFFFFFF == noData:
		r.raw[{{.Name}}], r.{{.Name}} = spanAt(i, i+6), NoData
		i += 7
	case x == skipData && b.load8(i+8)&0xFF == ' ':
		r.raw[{{.Name}}], r.{{.Name}} = spanAt(i, i+8), SkipData
		i += 9
	default:
		return 0, false
	}
`,
	},
	stop: `	if cols == {{.Cols}} {
		return i, true
	}
	// Version {{.Next}}.
`,
	tail: `	return i, true
}

// v5Order is the order of the columns parseV5 and parseV5Masked read (TestV5Order checks it against
// FieldsOfVersion(5)).
var v5Order = [...]Field{ {{- range $i, $c := .}}{{if $i}}, {{end}}{{$c.Name}}{{end}}}
`,
}

// fast64 is the Int64 and Time template of parseV5: Time checks MaxTime where Int64 cannot overflow.
const fast64 = `	x = b.load8(i)
	k = digitsIn8(x)
	if uint(k-1) < 7 && byteAt(x, k) == ' ' {
		r.{{.Name}} = int64(digits8(x, k))
		i += k + 1
		goto {{.Name}}Done
	}
	if k == 8 {
		// Eight to fifteen digits (times, byte counts): the rest from a second load.
		y := b.load8(i + 8)
		if k2 := digitsIn8(y); k2 < 8 && byteAt(y, k2) == ' ' {
			if v := int64(digits8(x, 8))*tenPow[k2&7] + int64(digits8(y, k2)); {{if .IsTime}}v <= MaxTime{{else}}v >= 0{{end}} {{"{"}}{{if not .IsTime}} // always (15 digits at most){{end}}
				r.{{.Name}} = v
				i += 8 + k2 + 1
				goto {{.Name}}Done
			}
		}
	}
	if x&0xFFFF != naWord {
		return 0, false
	}
	r.{{.Name}} = NA
	i += 2
{{.Name}}Done:
`
