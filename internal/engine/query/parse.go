// Package query parses and runs flowguard's GraphQL-style asset queries, the language of the stored checks:
//
//	vpcs(where: {OR: [{hasFlowLog: null}, {hasFlowLog_NONE: {flowLogStatus: "ACTIVE"}}]}){...AssetFragment}
//
// Documents are GraphQL (parsed with gqlparser); a document that starts with a field, like the one above,
// is read as the query shorthand "{ … }". Names are checked against the asset graph's schema, the where
// filters are compiled into predicates once, and a compiled query runs over a graph without further lookups.
package query

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// Error is a query error with the position it refers to (1-based line and column of the query text).
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Column)
	} else if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

//go:embed fragments.graphql
var builtinFragmentsSrc string

// BuiltinFragments is the fragment library every query can spread without defining it (AssetFragment, …).
// A fragment the query defines itself takes precedence over a built-in one of the same name.
func BuiltinFragments() string { return builtinFragmentsSrc }

var builtinFragments = func() map[string]*ast.FragmentDefinition {
	doc, err := parser.ParseQuery(&ast.Source{Name: "builtin-fragments.graphql", Input: builtinFragmentsSrc})
	if err != nil {
		panic("built-in fragments: " + err.Error())
	}
	m := map[string]*ast.FragmentDefinition{}
	for _, f := range doc.Fragments {
		m[f.Name] = f
	}
	return m
}()

// Query is a parsed query document: one operation and its fragments.
type Query struct {
	// Name is the file the query came from ("" for a command-line query); used in error messages.
	Name      string
	Source    string
	op        *ast.OperationDefinition
	fragments map[string]*ast.FragmentDefinition
	// Where the parser's text differs from Source: the shorthand form is wrapped in braces.
	wrapped bool
	cut     int // rune offset in Source where the closing brace was inserted
	orig    []rune
	parsed  []rune
}

// Parse parses a query document. Errors are *Error with line:column in src.
func Parse(name, src string) (*Query, error) {
	q := &Query{Name: name, Source: src, orig: []rune(src)}
	input := src
	if cut, ok := shorthandEnd(src); ok {
		r := q.orig
		input = "{" + string(r[:cut]) + "}" + string(r[cut:])
		q.wrapped, q.cut = true, cut
	}
	q.parsed = []rune(input)
	doc, err := parser.ParseQuery(&ast.Source{Name: name, Input: input})
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) && len(ge.Locations) > 0 {
			l, c := q.mapLineCol(ge.Locations[0].Line, ge.Locations[0].Column)
			return nil, &Error{File: name, Line: l, Column: c, Msg: ge.Message}
		}
		return nil, &Error{File: name, Msg: err.Error()}
	}
	switch len(doc.Operations) {
	case 0:
		return nil, &Error{File: name, Line: 1, Column: 1, Msg: "no query: write a selection such as vpcs { id }"}
	case 1:
	default:
		p := q.pos(doc.Operations[1].Position)
		return nil, &Error{File: name, Line: p.Line, Column: p.Column, Msg: "more than one operation in the document"}
	}
	q.op = doc.Operations[0]
	if q.op.Operation != ast.Query {
		p := q.pos(q.op.Position)
		return nil, &Error{File: name, Line: p.Line, Column: p.Column,
			Msg: fmt.Sprintf("only queries are supported, not %s", q.op.Operation)}
	}
	q.fragments = map[string]*ast.FragmentDefinition{}
	for _, f := range doc.Fragments {
		if _, dup := q.fragments[f.Name]; dup {
			p := q.pos(f.Position)
			return nil, &Error{File: name, Line: p.Line, Column: p.Column, Msg: fmt.Sprintf("fragment %s is defined twice", f.Name)}
		}
		q.fragments[f.Name] = f
	}
	return q, nil
}

// shorthandEnd reports whether src starts with a field rather than "{", "query" or "fragment", and where the
// top-level selection ends (before the first top-level "fragment" definition, or at the end).
func shorthandEnd(src string) (int, bool) {
	lx := lexer.New(&ast.Source{Input: src})
	next := func() (lexer.Token, error) {
		for {
			t, err := lx.ReadToken()
			if err != nil || t.Kind != lexer.Comment {
				return t, err
			}
		}
	}
	tok, err := next()
	if err != nil || tok.Kind != lexer.Name {
		return 0, false
	}
	switch tok.Value {
	case "query", "mutation", "subscription", "fragment":
		return 0, false
	}
	depth := 0
	for {
		switch tok.Kind {
		case lexer.BraceL, lexer.ParenL, lexer.BracketL:
			depth++
		case lexer.BraceR, lexer.ParenR, lexer.BracketR:
			depth--
		case lexer.Name:
			if depth == 0 && tok.Value == "fragment" {
				return tok.Pos.Start, true
			}
		case lexer.EOF:
			return tok.Pos.Start, true
		}
		if tok, err = next(); err != nil {
			// Let the parser report the lexical error, with the shorthand wrapped so the position is right.
			return len([]rune(src)), true
		}
	}
}

// origOffset maps a rune offset of the parsed text to one of the source text.
func (q *Query) origOffset(m int) int {
	if !q.wrapped {
		return m
	}
	switch {
	case m <= 0:
		return 0
	case m <= q.cut+1:
		return m - 1
	default:
		return m - 2
	}
}

// lineCol gives the 1-based line and column of rune offset o in rs.
func lineCol(rs []rune, o int) (int, int) {
	if o > len(rs) {
		o = len(rs)
	}
	line, col := 1, 1
	for _, r := range rs[:o] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// offsetOf is the inverse of lineCol.
func offsetOf(rs []rune, line, col int) int {
	l, o := 1, 0
	for o < len(rs) && l < line {
		if rs[o] == '\n' {
			l++
		}
		o++
	}
	return min(o+col-1, len(rs))
}

func (q *Query) mapLineCol(line, col int) (int, int) {
	if !q.wrapped {
		return line, col
	}
	return lineCol(q.orig, q.origOffset(offsetOf(q.parsed, line, col)))
}

// pos maps a parser position to the query text; built-in fragments keep their own.
func (q *Query) pos(p *ast.Position) ast.Position {
	if p == nil {
		return ast.Position{}
	}
	if p.Src != nil && p.Src.Name == "builtin-fragments.graphql" {
		return *p
	}
	l, c := q.mapLineCol(p.Line, p.Column)
	return ast.Position{Line: l, Column: c}
}

// errorf makes an *Error at p.
func (q *Query) errorf(p *ast.Position, format string, args ...any) *Error {
	e := &Error{File: q.Name, Msg: fmt.Sprintf(format, args...)}
	if p != nil && p.Src != nil && p.Src.Name == "builtin-fragments.graphql" {
		e.File = "builtin-fragments.graphql"
	}
	pp := q.pos(p)
	e.Line, e.Column = pp.Line, pp.Column
	return e
}

// Variables lists the variables the operation declares, with their GraphQL types.
func (q *Query) Variables() map[string]string {
	m := map[string]string{}
	for _, v := range q.op.VariableDefinitions {
		m[v.Variable] = v.Type.String()
	}
	return m
}
