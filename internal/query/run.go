package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/flowguard/flowguard/internal/graph"
)

// Match reports whether node n (of r.Type) passes the root's where filter.
func (r *Root) Match(n *graph.Node) bool { return r.filter(n) }

// Find returns the nodes of g that the root selects, in graph order.
func (r *Root) Find(g *graph.Graph) []*graph.Node {
	var out []*graph.Node
	for _, n := range g.Nodes(r.Type) {
		if r.filter(n) {
			out = append(out, n)
		}
	}
	return out
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

// Project renders what the root's selection shows about n.
func (r *Root) Project(n *graph.Node) Object { return project(n, r.sel) }

func project(n *graph.Node, sel []*outField) Object {
	o := Object{Keys: make([]string, 0, len(sel)), Values: make([]any, 0, len(sel))}
	for _, f := range sel {
		o.Keys = append(o.Keys, f.name)
		switch {
		case f.typename:
			o.Values = append(o.Values, n.Type.Name)
		case f.field != nil:
			o.Values = append(o.Values, n.Get(f.field).Any())
		default:
			var list []Object
			for _, m := range n.Rel(f.rel) {
				if f.filter(m) {
					list = append(list, project(m, f.sub))
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
func (r *Root) Row(n *graph.Node) []string {
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
				if f.filter(m) {
					ids = append(ids, m.ID)
				}
			}
			out[i] = strings.Join(ids, ",")
		}
	}
	return out
}

// Result is what one root of a query found.
type Result struct {
	Root  *Root
	Nodes []*graph.Node
}

// Run runs every root of p over g.
func (p *Program) Run(g *graph.Graph) []Result {
	out := make([]Result, 0, len(p.Roots))
	for _, r := range p.Roots {
		out = append(out, Result{Root: r, Nodes: r.Find(g)})
	}
	return out
}

// JSON renders results as {"ROOT": [ {selected fields}, … ], …}, in query order.
func JSON(rs []Result) Object {
	o := Object{}
	for _, r := range rs {
		list := make([]Object, 0, len(r.Nodes))
		for _, n := range r.Nodes {
			list = append(list, r.Root.Project(n))
		}
		o.Keys = append(o.Keys, r.Root.Name)
		o.Values = append(o.Values, list)
	}
	return o
}

// Filter compiles the text of a where filter ({flowLogStatus: ACTIVE, trafficType_IN: [ALL, REJECT]}) for
// nodes of type t, outside of a query: message templates of stored checks use it.
func Filter(s *graph.Schema, t *graph.Type, src string, vars map[string]any) (func(*graph.Node) bool, error) {
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
	return p, nil
}
