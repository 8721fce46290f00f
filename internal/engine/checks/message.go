package checks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template/parse"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/query"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Messages are written in Go template syntax and run by a small interpreter of their own: text/template's
// reflection cost 15µs a message, which made 200,000 findings take seconds. The supported subset:
//
//	{{.ID}} {{.Name}} {{.F "field"}} {{.Rel "relation"}} {{.Where "relation" "{filter}"}} {{.Read "collection"}}
//	{{.Param "name"}}; functions first, values, uniq, related, filter, join, quote, len, not, and, or, eq,
//	plural ({{plural 2 "flow log"}} is "2 flow logs", {{plural 1 "policy" "policies"}} "1 policy"; the count
//	may also be a list, counted), seconds ({{seconds (.F "deliveryLagSeconds")}} is "3d 0h", "12m 5s");
//	{{if}}, {{with}}, {{range $i, $x := …}}, {{else}}, variables, parentheses and pipes.
//
// Node is what the dot is in a message.
type Node struct {
	n   *graph.Node
	ctx *msgCtx
}

type msgCtx struct {
	params map[string]any
	// ev evaluates the filters of .Where and filter (nil: a fresh one per call).
	ev *query.Eval
}

// eval is the query.Eval of messages rendered with c.
func (c *msgCtx) eval() *query.Eval {
	if c == nil || c.ev == nil {
		return query.NewEval(context.Background())
	}
	return c.ev
}

// ID is the node's id.
func (t Node) ID() string { return t.n.ID }

// Name is the node's name field ("" when absent).
func (t Node) Name() string { return t.n.Name().String() }

// F returns a field as text ("" when absent).
func (t Node) F(field string) (string, error) {
	f := t.n.Type.Field(field)
	if f == nil {
		return "", fmt.Errorf("unknown field %q on %s (fields: %s)", field, t.n.Type.Name, strings.Join(t.n.Type.FieldNames(), ", "))
	}
	return t.n.Get(f).String(), nil
}

func (t Node) relation(rel string) (*graph.Relation, error) {
	r := t.n.Type.Relation(rel)
	if r == nil {
		return nil, fmt.Errorf("unknown relation %q on %s (relations: %s)", rel, t.n.Type.Name, strings.Join(t.n.Type.RelationNames(), ", "))
	}
	return r, nil
}

// Rel returns the related nodes.
func (t Node) Rel(rel string) ([]Node, error) {
	r, err := t.relation(rel)
	if err != nil {
		return nil, err
	}
	ns := t.n.Rel(r)
	out := make([]Node, len(ns))
	for i, m := range ns {
		out[i] = Node{m, t.ctx}
	}
	return out, nil
}

// Read reports whether a collection was read in the node's region.
func (t Node) Read(coll string) bool {
	return t.n.Region == nil || t.n.Region.Read(inventory.Collection(coll))
}

// Param returns a check parameter.
func (t Node) Param(name string) (any, error) {
	v, ok := t.ctx.params[name]
	if !ok {
		return nil, fmt.Errorf("unknown parameter %q", name)
	}
	return v, nil
}

// funcNames are the functions messages may call.
var funcNames = map[string]any{"first": 0, "values": 0, "uniq": 0, "related": 0, "filter": 0, "join": 0, "quote": 0,
	"len": 0, "not": 0, "and": 0, "or": 0, "eq": 0, "plural": 0, "seconds": 0}

// message is a compiled message template.
type message struct {
	list []stmt
	// The buffer and state are reused from one render to the next: a compiled message belongs to one
	// evaluation worker and is never rendered concurrently.
	buf bytes.Buffer
	st  state
}

type state struct {
	dot  any
	vars []binding
	ctx  *msgCtx
	// steps counts the work of the current render (range iterations, list items) against maxRenderSteps.
	steps int
}

// A message is a sentence or two; a template that loops over relations of relations could otherwise render
// fan-out^depth text for every finding.
const maxMessageBytes = 64 << 10

// maxRenderSteps: a variable so that fuzzers can lower it.
var maxRenderSteps = 1_000_000

// budgetError is a message that needs too much work or text.
type budgetError struct{ msg string }

func (e *budgetError) Error() string { return e.msg }

var errMessageTooLong = &budgetError{fmt.Sprintf("the message is longer than %d bytes", maxMessageBytes)}

// step counts n units of work; an error when the render must stop (too much work, or the context ended).
func (s *state) step(n int) error {
	before := s.steps
	s.steps += n
	if s.steps > maxRenderSteps {
		return &budgetError{fmt.Sprintf("the message takes more than %d steps to render (loops over relations nested too deep)", maxRenderSteps)}
	}
	if before>>12 != s.steps>>12 {
		if err := s.ctx.eval().Context().Err(); err != nil {
			return err
		}
	}
	return nil
}

type binding struct {
	name string
	v    any
}

func (s *state) lookup(name string) (any, error) {
	for i := len(s.vars) - 1; i >= 0; i-- {
		if s.vars[i].name == name {
			return s.vars[i].v, nil
		}
	}
	return nil, fmt.Errorf("undefined variable %s", name)
}

type stmt func(s *state, b *bytes.Buffer) error
type expr func(s *state, final any, hasFinal bool) (any, error)

// compileMessage parses and compiles a message template.
func compileMessage(name, src string) (*message, error) {
	trees, err := parse.Parse(name, src, "", "", funcNames)
	if err != nil {
		return nil, err
	}
	t := trees[name]
	if t == nil || t.Root == nil {
		return &message{}, nil
	}
	if len(trees) > 1 {
		return nil, fmt.Errorf("%s: {{define}} and {{template}} are not supported", name)
	}
	list, err := compileList(t.Root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &message{list: list}, nil
}

func (m *message) render(n Node) (string, error) {
	b := &m.buf
	b.Reset()
	s := &m.st
	s.dot, s.ctx, s.steps = n, n.ctx, 0
	s.vars = append(s.vars[:0], binding{"$", n})
	for _, st := range m.list {
		if err := st(s, b); err != nil {
			return "", err
		}
		if b.Len() > maxMessageBytes {
			return "", errMessageTooLong
		}
	}
	return string(bytes.TrimSpace(b.Bytes())), nil
}

func compileList(l *parse.ListNode) ([]stmt, error) {
	if l == nil {
		return nil, nil
	}
	var out []stmt
	for _, n := range l.Nodes {
		st, err := compileNode(n)
		if err != nil {
			return nil, err
		}
		if st != nil {
			out = append(out, st)
		}
	}
	return out, nil
}

func runList(list []stmt, s *state, b *bytes.Buffer) error {
	for _, st := range list {
		if err := st(s, b); err != nil {
			return err
		}
	}
	return nil
}

func compileNode(n parse.Node) (stmt, error) {
	switch n := n.(type) {
	case *parse.TextNode:
		text := string(n.Text)
		return func(s *state, b *bytes.Buffer) error { b.WriteString(text); return nil }, nil
	case *parse.CommentNode:
		return nil, nil
	case *parse.ActionNode:
		p, decl, err := compilePipe(n.Pipe)
		if err != nil {
			return nil, err
		}
		return func(s *state, b *bytes.Buffer) error {
			v, err := p(s, nil, false)
			if err != nil {
				return err
			}
			if decl != nil {
				s.vars = append(s.vars, binding{decl[0], v})
				return nil
			}
			b.WriteString(text(v))
			return nil
		}, nil
	case *parse.IfNode:
		return compileBranch(&n.BranchNode, false)
	case *parse.WithNode:
		return compileBranch(&n.BranchNode, true)
	case *parse.RangeNode:
		p, decl, err := compilePipe(n.Pipe)
		if err != nil {
			return nil, err
		}
		body, err := compileList(n.List)
		if err != nil {
			return nil, err
		}
		els, err := compileList(n.ElseList)
		if err != nil {
			return nil, err
		}
		return func(s *state, b *bytes.Buffer) error {
			v, err := p(s, nil, false)
			if err != nil {
				return err
			}
			items, err := asList(v)
			if err != nil {
				return fmt.Errorf("range: %w", err)
			}
			if len(items) == 0 {
				return runList(els, s, b)
			}
			dot, depth := s.dot, len(s.vars)
			defer func() { s.dot, s.vars = dot, s.vars[:depth] }()
			for i, it := range items {
				if err := s.step(1); err != nil {
					return err
				}
				if b.Len() > maxMessageBytes {
					return errMessageTooLong
				}
				s.vars = s.vars[:depth]
				switch len(decl) {
				case 1:
					s.vars = append(s.vars, binding{decl[0], it})
				case 2:
					s.vars = append(s.vars, binding{decl[0], i}, binding{decl[1], it})
				}
				s.dot = it
				if err := runList(body, s, b); err != nil {
					return err
				}
			}
			return nil
		}, nil
	}
	return nil, fmt.Errorf("unsupported template construct %s", n)
}

func compileBranch(n *parse.BranchNode, with bool) (stmt, error) {
	p, decl, err := compilePipe(n.Pipe)
	if err != nil {
		return nil, err
	}
	body, err := compileList(n.List)
	if err != nil {
		return nil, err
	}
	els, err := compileList(n.ElseList)
	if err != nil {
		return nil, err
	}
	return func(s *state, b *bytes.Buffer) error {
		v, err := p(s, nil, false)
		if err != nil {
			return err
		}
		if !truth(v) {
			return runList(els, s, b)
		}
		dot, depth := s.dot, len(s.vars)
		defer func() { s.dot, s.vars = dot, s.vars[:depth] }()
		if decl != nil {
			s.vars = append(s.vars, binding{decl[0], v})
		}
		if with {
			s.dot = v
		}
		return runList(body, s, b)
	}, nil
}

func compilePipe(p *parse.PipeNode) (expr, []string, error) {
	if p == nil {
		return nil, nil, errors.New("empty pipeline")
	}
	var decl []string
	for _, d := range p.Decl {
		decl = append(decl, d.Ident[0])
	}
	cmds := make([]expr, 0, len(p.Cmds))
	for _, c := range p.Cmds {
		e, err := compileCommand(c)
		if err != nil {
			return nil, nil, err
		}
		cmds = append(cmds, e)
	}
	return func(s *state, final any, hasFinal bool) (any, error) {
		var v any
		for i, c := range cmds {
			var err error
			if v, err = c(s, v, i > 0); err != nil {
				return nil, err
			}
		}
		return v, nil
	}, decl, nil
}

// compileCommand compiles one command: a method on the dot or a variable, a function, or an operand.
func compileCommand(c *parse.CommandNode) (expr, error) {
	args := make([]expr, 0, len(c.Args)-1)
	for _, a := range c.Args[1:] {
		e, err := compileOperand(a)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	// The argument slice is reused from call to call: functions and methods do not keep it, and a command
	// is never evaluated inside itself.
	buf := make([]any, 0, len(args)+1)
	evalArgs := func(s *state, final any, hasFinal bool) ([]any, error) {
		out := buf[:0]
		for _, a := range args {
			v, err := a(s, nil, false)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if hasFinal {
			out = append(out, final)
		}
		return out, nil
	}
	switch h := c.Args[0].(type) {
	case *parse.FieldNode:
		if len(h.Ident) != 1 {
			return nil, fmt.Errorf("%s: write one method per step", h)
		}
		m, err := method(h.Ident[0], c.Args[1:])
		if err != nil {
			return nil, err
		}
		return func(s *state, final any, hasFinal bool) (any, error) {
			a, err := evalArgs(s, final, hasFinal)
			if err != nil {
				return nil, err
			}
			return m(s.dot, a)
		}, nil
	case *parse.VariableNode:
		if len(h.Ident) == 1 {
			if len(args) > 0 {
				return nil, fmt.Errorf("%s is not a function", h)
			}
			name := h.Ident[0]
			return func(s *state, _ any, _ bool) (any, error) { return s.lookup(name) }, nil
		}
		if len(h.Ident) != 2 {
			return nil, fmt.Errorf("%s: write one method per step", h)
		}
		name := h.Ident[0]
		m, err := method(h.Ident[1], c.Args[1:])
		if err != nil {
			return nil, err
		}
		return func(s *state, final any, hasFinal bool) (any, error) {
			recv, err := s.lookup(name)
			if err != nil {
				return nil, err
			}
			a, err := evalArgs(s, final, hasFinal)
			if err != nil {
				return nil, err
			}
			return m(recv, a)
		}, nil
	case *parse.IdentifierNode:
		fn, err := function(h.Ident)
		if err != nil {
			return nil, err
		}
		return func(s *state, final any, hasFinal bool) (any, error) {
			a, err := evalArgs(s, final, hasFinal)
			if err != nil {
				return nil, err
			}
			return fn(s, a)
		}, nil
	}
	if len(args) > 0 {
		return nil, fmt.Errorf("%s is not a function", c.Args[0])
	}
	return compileOperand(c.Args[0])
}

func compileOperand(n parse.Node) (expr, error) {
	switch n := n.(type) {
	case *parse.StringNode:
		var v any = n.Text // boxed once, not per call
		return func(*state, any, bool) (any, error) { return v, nil }, nil
	case *parse.NumberNode:
		if !n.IsInt {
			return nil, fmt.Errorf("%s: only integers", n)
		}
		var v any = int(n.Int64)
		return func(*state, any, bool) (any, error) { return v, nil }, nil
	case *parse.BoolNode:
		var v any = n.True
		return func(*state, any, bool) (any, error) { return v, nil }, nil
	case *parse.NilNode:
		return func(*state, any, bool) (any, error) { return nil, nil }, nil
	case *parse.DotNode:
		return func(s *state, _ any, _ bool) (any, error) { return s.dot, nil }, nil
	case *parse.PipeNode:
		p, decl, err := compilePipe(n)
		if err != nil {
			return nil, err
		}
		if decl != nil {
			return nil, fmt.Errorf("%s: no declarations inside parentheses", n)
		}
		return p, nil
	case *parse.FieldNode, *parse.VariableNode, *parse.IdentifierNode:
		return compileCommand(&parse.CommandNode{NodeType: parse.NodeCommand, Args: []parse.Node{n}})
	}
	return nil, fmt.Errorf("unsupported operand %s", n)
}

type methodFn func(recv any, args []any) (any, error)

func wantArgs(name string, args []any, n int) error {
	if len(args) != n {
		return fmt.Errorf(".%s takes %d argument(s), got %d", name, n, len(args))
	}
	return nil
}

func strArg(name string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf(".%s: want a string argument, got %T", name, v)
	}
	return s, nil
}

// filterCache holds a compiled filter per node type, for one call site of a message.
type filterCache struct {
	t   *graph.Type
	src string
	p   *query.Pred
}

func (c *filterCache) get(ctx *msgCtx, t *graph.Type, src string) (*query.Pred, error) {
	if c.p != nil && c.t == t && c.src == src {
		return c.p, nil
	}
	p, err := query.Filter(graph.Default, t, src, ctx.params)
	if err != nil {
		return nil, err
	}
	c.t, c.src, c.p = t, src, p
	return p, nil
}

// method resolves a method of Node by name, once, when the message is compiled.
func method(name string, _ []parse.Node) (methodFn, error) {
	node := func(recv any) (Node, error) {
		n, ok := recv.(Node)
		if !ok {
			return Node{}, fmt.Errorf(".%s: not on a node (%T)", name, recv)
		}
		return n, nil
	}
	switch name {
	case "ID", "Name":
		return func(recv any, args []any) (any, error) {
			n, err := node(recv)
			if err != nil {
				return nil, err
			}
			if err := wantArgs(name, args, 0); err != nil {
				return nil, err
			}
			if name == "ID" {
				return n.ID(), nil
			}
			return n.Name(), nil
		}, nil
	case "F", "Rel", "Read", "Param":
		// One call site usually sees one node type and one name: remember the last lookup.
		var lastT *graph.Type
		var lastName string
		var lastF *graph.Field
		var lastR *graph.Relation
		var relBuf []Node // reused like Where's result
		return func(recv any, args []any) (any, error) {
			n, err := node(recv)
			if err != nil {
				return nil, err
			}
			if err := wantArgs(name, args, 1); err != nil {
				return nil, err
			}
			a, err := strArg(name, args[0])
			if err != nil {
				return nil, err
			}
			switch name {
			case "F":
				if lastF == nil || lastT != n.n.Type || lastName != a {
					if lastF = n.n.Type.Field(a); lastF == nil {
						return n.F(a) // the error
					}
					lastT, lastName = n.n.Type, a
				}
				return n.n.Get(lastF).String(), nil
			case "Rel":
				if lastR == nil || lastT != n.n.Type || lastName != a {
					if lastR = n.n.Type.Relation(a); lastR == nil {
						return n.Rel(a) // the error
					}
					lastT, lastName = n.n.Type, a
				}
				ns := n.n.Rel(lastR)
				out := relBuf[:0]
				for _, m := range ns {
					out = append(out, Node{m, n.ctx})
				}
				relBuf = out
				return out, nil
			case "Read":
				return n.Read(a), nil
			}
			return n.Param(a)
		}, nil
	case "Where":
		cache := &filterCache{}
		var buf []Node
		return func(recv any, args []any) (any, error) {
			n, err := node(recv)
			if err != nil {
				return nil, err
			}
			if err := wantArgs(name, args, 2); err != nil {
				return nil, err
			}
			rel, err := strArg(name, args[0])
			if err != nil {
				return nil, err
			}
			src, err := strArg(name, args[1])
			if err != nil {
				return nil, err
			}
			r, err := n.relation(rel)
			if err != nil {
				return nil, err
			}
			p, err := cache.get(n.ctx, r.Target, src)
			if err != nil {
				return nil, err
			}
			// The result slice is reused by the next call at this site: a call site's earlier result is
			// out of use by then (renders do not nest, loop bodies drop their variables each iteration).
			out := buf[:0]
			ev := n.ctx.eval()
			for _, m := range n.n.Rel(r) {
				ok, err := p.Match(ev, m)
				if err != nil {
					return nil, fmt.Errorf(".Where %q: %w", src, err)
				}
				if ok {
					out = append(out, Node{m, n.ctx})
				}
			}
			buf = out
			if len(out) == 0 {
				return []Node(nil), nil
			}
			return out, nil
		}, nil
	}
	return nil, fmt.Errorf("unknown method .%s (valid: .ID, .Name, .F, .Rel, .Where, .Read, .Param)", name)
}

type funcFn func(s *state, args []any) (any, error)

func nodes(fn string, v any) ([]Node, error) {
	switch v := v.(type) {
	case []Node:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("%s: want a list of nodes, got %T", fn, v)
}

func strs(fn string, v any) ([]string, error) {
	switch v := v.(type) {
	case []string:
		return v, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("%s: want a list of strings, got %T", fn, v)
}

func argc(fn string, args []any, n int) error {
	if len(args) != n {
		return fmt.Errorf("%s takes %d argument(s), got %d", fn, n, len(args))
	}
	return nil
}

// function resolves a message function by name.
func function(name string) (funcFn, error) {
	switch name {
	case "first":
		return func(_ *state, a []any) (any, error) {
			if err := argc(name, a, 1); err != nil {
				return nil, err
			}
			l, err := nodes(name, a[0])
			if err != nil || len(l) == 0 {
				return nil, err
			}
			return l[0], nil
		}, nil
	case "values":
		return func(_ *state, a []any) (any, error) {
			if err := argc(name, a, 2); err != nil {
				return nil, err
			}
			l, err := nodes(name, a[0])
			if err != nil {
				return nil, err
			}
			field, ok := a[1].(string)
			if !ok {
				return nil, fmt.Errorf("values: the field name must be a string")
			}
			var out []string
			for _, n := range l {
				v, err := n.F(field)
				if err != nil {
					return nil, err
				}
				if v != "" {
					out = append(out, v)
				}
			}
			return out, nil
		}, nil
	case "uniq":
		return func(s *state, a []any) (any, error) {
			if err := argc(name, a, 1); err != nil {
				return nil, err
			}
			l, err := strs(name, a[0])
			if err != nil {
				return nil, err
			}
			if err := s.step(len(l)); err != nil {
				return nil, err
			}
			var out []string
			seen := make(map[string]bool, len(l))
			for _, x := range l {
				if !seen[x] {
					seen[x] = true
					out = append(out, x)
				}
			}
			return out, nil
		}, nil
	case "related":
		return func(s *state, a []any) (any, error) {
			if err := argc(name, a, 2); err != nil {
				return nil, err
			}
			l, err := nodes(name, a[0])
			if err != nil {
				return nil, err
			}
			rel, ok := a[1].(string)
			if !ok {
				return nil, fmt.Errorf("related: the relation name must be a string")
			}
			var out []Node
			seen := map[*graph.Node]bool{}
			for _, n := range l {
				ms, err := n.Rel(rel)
				if err != nil {
					return nil, err
				}
				if err := s.step(1 + len(ms)); err != nil {
					return nil, err
				}
				for _, m := range ms {
					if !seen[m.n] {
						seen[m.n] = true
						out = append(out, m)
					}
				}
			}
			return out, nil
		}, nil
	case "filter":
		cache := &filterCache{}
		return func(s *state, a []any) (any, error) {
			if err := argc(name, a, 2); err != nil {
				return nil, err
			}
			l, err := nodes(name, a[0])
			if err != nil {
				return nil, err
			}
			src, ok := a[1].(string)
			if !ok {
				return nil, fmt.Errorf("filter: the filter must be a string")
			}
			var out []Node
			for _, n := range l {
				p, err := cache.get(s.ctx, n.n.Type, src)
				if err != nil {
					return nil, err
				}
				ok, err := p.Match(s.ctx.eval(), n.n)
				if err != nil {
					return nil, fmt.Errorf("filter %q: %w", src, err)
				}
				if ok {
					out = append(out, n)
				}
			}
			return out, nil
		}, nil
	case "join":
		return func(_ *state, a []any) (any, error) {
			if err := argc(name, a, 2); err != nil {
				return nil, err
			}
			l, err := strs(name, a[0])
			if err != nil {
				return nil, err
			}
			sep, ok := a[1].(string)
			if !ok {
				return nil, fmt.Errorf("join: the separator must be a string")
			}
			return strings.Join(l, sep), nil
		}, nil
	case "quote":
		return func(_ *state, a []any) (any, error) {
			if err := argc(name, a, 1); err != nil {
				return nil, err
			}
			return strconv.Quote(text(a[0])), nil
		}, nil
	case "len":
		return func(_ *state, a []any) (any, error) {
			if err := argc(name, a, 1); err != nil {
				return nil, err
			}
			switch v := a[0].(type) {
			case []Node:
				return len(v), nil
			case []string:
				return len(v), nil
			case string:
				return len(v), nil
			case nil:
				return 0, nil
			}
			return nil, fmt.Errorf("len of %T", a[0])
		}, nil
	case "plural":
		return func(_ *state, a []any) (any, error) {
			if len(a) != 2 && len(a) != 3 {
				return nil, fmt.Errorf("plural takes a count, a noun and optionally its plural form, got %d argument(s)", len(a))
			}
			var n int
			switch v := a[0].(type) {
			case int:
				n = v
			case []Node:
				n = len(v)
			case []string:
				n = len(v)
			case nil:
			default:
				return nil, fmt.Errorf("plural: want a count or a list, got %T", a[0])
			}
			one, ok := a[1].(string)
			if !ok {
				return nil, fmt.Errorf("plural: the noun must be a string")
			}
			if len(a) == 3 {
				many, ok := a[2].(string)
				if !ok {
					return nil, fmt.Errorf("plural: the plural form must be a string")
				}
				return human.PluralOf(n, one, many), nil
			}
			return human.Plural(n, one), nil
		}, nil
	case "not":
		return func(_ *state, a []any) (any, error) {
			if err := argc(name, a, 1); err != nil {
				return nil, err
			}
			return !truth(a[0]), nil
		}, nil
	case "and", "or":
		return func(_ *state, a []any) (any, error) {
			if len(a) == 0 {
				return nil, fmt.Errorf("%s needs arguments", name)
			}
			for _, v := range a[:len(a)-1] {
				if truth(v) == (name == "or") {
					return v, nil
				}
			}
			return a[len(a)-1], nil
		}, nil
	case "seconds":
		return func(_ *state, a []any) (any, error) {
			if err := argc(name, a, 1); err != nil {
				return nil, err
			}
			if text(a[0]) == "" {
				return "", nil
			}
			n, err := strconv.ParseInt(text(a[0]), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("seconds: %q is not a number of seconds", text(a[0]))
			}
			return humanSeconds(n), nil
		}, nil
	case "eq":
		return func(_ *state, a []any) (any, error) {
			if err := argc(name, a, 2); err != nil {
				return nil, err
			}
			return text(a[0]) == text(a[1]), nil
		}, nil
	}
	return nil, fmt.Errorf("unknown function %s", name)
}

func asList(v any) ([]any, error) {
	switch v := v.(type) {
	case []Node:
		out := make([]any, len(v))
		for i, n := range v {
			out[i] = n
		}
		return out, nil
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("cannot range over %T", v)
}

func truth(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case int:
		return v != 0
	case []Node:
		return len(v) > 0
	case []string:
		return len(v) > 0
	}
	return true
}

func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case Node:
		return v.ID()
	}
	return fmt.Sprint(v)
}

// humanSeconds renders a number of seconds with its two largest units: "3d 2h", "1h 5m", "42s".
func humanSeconds(n int64) string {
	if n < 0 {
		return "-" + humanSeconds(-n)
	}
	units := []struct {
		s    int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}
	for i, u := range units {
		if n >= u.s || u.s == 1 {
			out := strconv.FormatInt(n/u.s, 10) + u.name
			if i+1 < len(units) {
				if r := (n % u.s) / units[i+1].s; r > 0 {
					out += " " + strconv.FormatInt(r, 10) + units[i+1].name
				}
			}
			return out
		}
	}
	return "0s"
}
