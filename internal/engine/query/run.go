package query

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/flowguard/flowguard/internal/engine/graph"
)

// Match reports whether node n (of r.Type) passes the root's where filter. The error is e's context error,
// or a *LimitError when the filter needs more than MaxMatchSteps steps on n; the boolean is then meaningless.
func (r *Root) Match(e *Eval, n *graph.Node) (bool, error) {
	e.begin()
	if !e.tick() {
		return false, e.fail(n.ID)
	}
	ok := r.filter(n, e)
	if e.err != nil {
		return false, e.fail(n.ID)
	}
	return ok, nil
}

// Find returns the nodes of g that the root selects, in graph order.
func (r *Root) Find(e *Eval, g *graph.Graph) ([]*graph.Node, error) {
	var out []*graph.Node
	for _, n := range g.Nodes(r.Type) {
		ok, err := r.Match(e, n)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// Columns lists the output names of the root's top-level selection.
func (r *Root) Columns() []string {
	out := make([]string, len(r.sel))
	for i, o := range r.sel {
		out[i] = o.name
	}
	return out
}

// Object is a JSON object whose keys keep the order of the selection.
type Object struct {
	Keys   []string
	Values []any
}

// Get returns the value of key k, or nil.
func (o Object) Get(k string) any {
	for i, x := range o.Keys {
		if x == k {
			return o.Values[i]
		}
	}
	return nil
}

// MarshalJSON writes the keys in order.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.Values[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Project renders what the root's selection shows about n: at most MaxProjectValues values.
func (r *Root) Project(e *Eval, n *graph.Node) (Object, error) {
	e.begin()
	e.vlimit = MaxProjectValues
	o := project(e, n, r.sel)
	if e.err != nil {
		return Object{}, e.fail(n.ID)
	}
	return o, nil
}

// project renders sel on n; it stops (with e.err set) when e says so.
func project(e *Eval, n *graph.Node, sel []*outField) Object {
	o := Object{Keys: make([]string, 0, len(sel)), Values: make([]any, 0, len(sel))}
	for _, f := range sel {
		if !e.value() {
			return o
		}
		o.Keys = append(o.Keys, f.name)
		switch {
		case f.typename:
			o.Values = append(o.Values, n.Type.Name)
		case f.field != nil:
			o.Values = append(o.Values, n.Get(f.field).Any())
		default:
			var list []Object
			for _, m := range n.Rel(f.rel) {
				if !e.tick() {
					break
				}
				if f.filter(m, e) {
					list = append(list, project(e, m, f.sub))
				}
			}
			if f.rel.Many {
				if list == nil {
					list = []Object{}
				}
				o.Values = append(o.Values, list)
			} else if len(list) > 0 {
				o.Values = append(o.Values, list[0])
			} else {
				o.Values = append(o.Values, nil)
			}
		}
	}
	return o
}

// Row renders the root's top-level selection of n as table cells: scalars as text, relations as the ids of
// the related nodes.
func (r *Root) Row(e *Eval, n *graph.Node) ([]string, error) {
	e.begin()
	out := make([]string, len(r.sel))
	for i, f := range r.sel {
		switch {
		case f.typename:
			out[i] = n.Type.Name
		case f.field != nil:
			out[i] = n.Get(f.field).String()
		default:
			var ids []string
			for _, m := range n.Rel(f.rel) {
				if !e.tick() {
					return nil, e.fail(n.ID)
				}
				if f.filter(m, e) {
					ids = append(ids, m.ID)
				}
			}
			if e.err != nil {
				return nil, e.fail(n.ID)
			}
			out[i] = strings.Join(ids, ",")
		}
	}
	return out, nil
}

// Result is what one root of a query found.
type Result struct {
	Root  *Root
	Nodes []*graph.Node
}

// Run runs every root of p over g; it stops when ctx is done, or when a node needs more than MaxMatchSteps.
func (p *Program) Run(ctx context.Context, g *graph.Graph) ([]Result, error) {
	e := NewEval(ctx)
	out := make([]Result, 0, len(p.Roots))
	for _, r := range p.Roots {
		nodes, err := r.Find(e, g)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		out = append(out, Result{Root: r, Nodes: nodes})
	}
	return out, nil
}

// JSON renders results as {"ROOT": [ {selected fields}, … ], …}, in query order. It stops when ctx is done,
// or when the rendering would hold more than a few million values (a *LimitError).
func JSON(ctx context.Context, rs []Result) (Object, error) {
	e := NewEval(ctx)
	e.vlimit = maxResultValues
	o := Object{}
	for _, r := range rs {
		list := make([]Object, 0, len(r.Nodes))
		for _, n := range r.Nodes {
			values := e.values
			e.begin() // a fresh step budget per node; the value budget is for the whole result
			e.values = values
			list = append(list, project(e, n, r.Root.sel))
			if e.err != nil {
				return Object{}, fmt.Errorf("%s: %w", r.Root.Name, e.fail(n.ID))
			}
		}
		o.Keys = append(o.Keys, r.Root.Name)
		o.Values = append(o.Values, list)
	}
	return o, nil
}

// Filter compiles the text of a where filter ({flowLogStatus: ACTIVE, trafficType_IN: [ALL, REJECT]}) for
// nodes of type t, outside of a query: message templates of stored checks use it. Run the filter with Match.
func Filter(s *graph.Schema, t *graph.Type, src string, vars map[string]any) (*Pred, error) {
	q, err := Parse("filter", "{ f(where: "+src+"\n) }")
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", src, err)
	}
	f, ok := q.op.SelectionSet[0].(*ast.Field)
	if !ok || len(q.op.SelectionSet) != 1 || len(f.Arguments) != 1 {
		return nil, fmt.Errorf("filter %s: not a single filter object", src)
	}
	c := &compiler{q: q, schema: s, vars: vars}
	v, err := c.resolve(f.Arguments[0].Value)
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", src, err)
	}
	p, err := c.where(v, t)
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", src, err)
	}
	return &Pred{p}, nil
}

// Pred is a compiled filter (Filter).
type Pred struct{ p pred }

// Match reports whether n passes the filter; errors as for Root.Match.
func (p *Pred) Match(e *Eval, n *graph.Node) (bool, error) {
	e.begin()
	if !e.tick() {
		return false, e.fail(n.ID)
	}
	ok := p.p(n, e)
	if e.err != nil {
		return false, e.fail(n.ID)
	}
	return ok, nil
}
