package terraform

import (
	"bytes"
	"fmt"
)

// maxNesting bounds how deep an HCL source may nest before it is parsed. The HCL parser and the evaluator
// recurse once per bracket, string, interpolation, template directive and operator: 100,000 nested
// parentheses overflow the Go stack, which is fatal (not a panic that can be recovered). Real configurations
// nest a few dozen levels at most.
const maxNesting = 1000

// NestingError is a source that nests deeper than flowguard parses, with file:line where the limit was
// exceeded.
type NestingError struct {
	File string
	Line int
	What string
}

func (e *NestingError) Error() string {
	return fmt.Sprintf("%s:%d: %s nest more than %d levels deep: not parsed", e.File, e.Line, e.What, maxNesting)
}

// frame kinds of the nesting scanner.
const (
	fBody    = 'T' // the top level of a configuration file
	fParen   = '('
	fBrack   = '['
	fBrace   = '{'
	fInterp  = 'i' // ${ … } or %{ … } inside a template
	fQuoted  = '"' // "…" template
	fHeredoc = 'h' // <<EOF … EOF template
	fTmpl    = 't' // the top level of a template file (templatefile)
)

type frame struct {
	kind   byte
	ops    int    // operators (expression frames) or open directives (template frames) seen in this frame
	marker []byte // heredoc end marker
}

// checkNesting scans src the way the HCL scanner splits it (comments, quoted and heredoc templates with their
// interpolations and directives) and measures the deepest nesting: one level per bracket, template and
// interpolation, plus the operators of an expression (a chain of operators is a chain of recursive calls) and
// the open %{if}/%{for} directives of a template. It never recurses itself. With template, src is a template
// file (templatefile) rather than a configuration.
func checkNesting(file string, src []byte, template bool) error {
	base := frame{kind: fBody}
	if template {
		base.kind = fTmpl
	}
	stack := []frame{base}
	weight := 0 // sum over the frames above the base of 1 + ops, plus the base's ops
	line := 1
	atLineStart := true
	over := func() error {
		what := "expressions"
		switch top := stack[len(stack)-1].kind; top {
		case fQuoted, fHeredoc, fTmpl:
			what = "templates"
		}
		return &NestingError{File: file, Line: line, What: what}
	}
	push := func(k byte, marker []byte) {
		stack = append(stack, frame{kind: k, marker: marker})
		weight++
	}
	pop := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		weight -= 1 + top.ops
	}
	addOps := func(n int) {
		stack[len(stack)-1].ops += n
		weight += n
	}
	resetOps := func() {
		weight -= stack[len(stack)-1].ops
		stack[len(stack)-1].ops = 0
	}
	for i := 0; i < len(src); {
		if weight > maxNesting {
			return over()
		}
		c := src[i]
		top := &stack[len(stack)-1]
		if c == '\n' {
			line++
		}
		switch top.kind {
		case fQuoted, fHeredoc, fTmpl:
			if top.kind == fHeredoc && atLineStart {
				rest := src[i:]
				if end := bytes.IndexByte(rest, '\n'); end >= 0 {
					rest = rest[:end]
				}
				if bytes.Equal(bytes.TrimSpace(rest), top.marker) {
					pop()
					i += len(rest)
					atLineStart = false
					continue
				}
			}
			atLineStart = c == '\n'
			switch {
			case c == '\\' && top.kind == fQuoted:
				if i+1 < len(src) && src[i+1] == '\n' {
					line++
				}
				i += 2
			case c == '"' && top.kind == fQuoted:
				pop()
				i++
			case c == '\n' && top.kind == fQuoted:
				pop() // an unterminated string ends at the line; the parser reports it
				i++
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 3 // $${ and %%{ are literal
			case c == '$' && i+1 < len(src) && src[i+1] == '{':
				push(fInterp, nil)
				i += 2
			case c == '%' && i+1 < len(src) && src[i+1] == '{':
				switch directive(src[i+2:]) {
				case "if", "for":
					addOps(1)
				case "endif", "endfor":
					if top.ops > 0 {
						addOps(-1)
					}
				}
				push(fInterp, nil)
				i += 2
			default:
				i++
			}
			continue
		}
		// Expression frames: body, brackets, interpolations.
		atLineStart = c == '\n'
		switch {
		case c == '#' || (c == '/' && i+1 < len(src) && src[i+1] == '/'):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := bytes.Index(src[i+2:], []byte("*/"))
			if end < 0 {
				end = len(src) - i - 2
			}
			line += bytes.Count(src[i:i+2+end], []byte("\n"))
			i += 2 + end + 2
		case c == '"':
			push(fQuoted, nil)
			i++
		case c == '<' && i+1 < len(src) && src[i+1] == '<':
			if m, n := heredocStart(src[i:]); n > 0 {
				push(fHeredoc, m)
				i += n
				line++
				atLineStart = true
				continue
			}
			addOps(2)
			i += 2
		case c == '(' || c == '[' || c == '{':
			push(c, nil)
			i++
		case c == ')' || c == ']' || c == '}':
			want := map[byte]byte{')': fParen, ']': fBrack, '}': fBrace}[c]
			// A closer that does not match is ignored: the parser fails on it, and ignoring it can only
			// overestimate the depth.
			if top.kind == want || (c == '}' && top.kind == fInterp) {
				pop()
			}
			i++
		case c == ',':
			if top.kind != fBody {
				resetOps() // items and arguments are separate expressions
			}
			i++
		case c == '\n':
			if top.kind == fBody || top.kind == fBrace {
				resetOps() // attributes and object items end at the line
			}
			i++
		case bytes.IndexByte([]byte("!-+*/%?:=<>&|"), c) >= 0:
			addOps(1)
			i++
		default:
			i++
		}
	}
	if weight > maxNesting {
		return over()
	}
	return nil
}

// directive returns the keyword after %{ (if, for, endif, …), or "".
func directive(b []byte) string {
	i := 0
	for i < len(b) && (b[i] == '~' || b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	j := i
	for j < len(b) && j-i < 8 && b[j] >= 'a' && b[j] <= 'z' {
		j++
	}
	return string(b[i:j])
}

// heredocStart matches <<ID or <<-ID followed by a newline, returning the marker and the length consumed
// (through the newline), or 0.
func heredocStart(b []byte) ([]byte, int) {
	i := 2
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) || !(b[i] == '_' || b[i] >= 'a' && b[i] <= 'z' || b[i] >= 'A' && b[i] <= 'Z' || b[i] >= 0x80) {
		return nil, 0
	}
	j := i
	for j < len(b) && (b[j] == '_' || b[j] == '-' || b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z' || b[j] >= '0' && b[j] <= '9' || b[j] >= 0x80) {
		j++
	}
	if j == i {
		return nil, 0
	}
	k := j
	if k < len(b) && b[k] == '\r' {
		k++
	}
	if k >= len(b) || b[k] != '\n' {
		return nil, 0
	}
	return b[i:j], k + 1
}

// jsonDepth returns the deepest nesting of [ and { in JSON text outside strings (jsondecode recurses once per
// level), and the line where it is reached.
func jsonDepth(s string) (max, line int) {
	depth, ln := 0, 1
	inStr := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			ln++
		}
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			depth++
			if depth > max {
				max, line = depth, ln
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return max, line
}
