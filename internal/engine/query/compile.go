package query

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/inventory"
)

// pred is a compiled where filter.
type pred func(*graph.Node, *Eval) bool

func all(*graph.Node, *Eval) bool { return true }

// Field operators, longest suffix first so that _NOT_IN is not read as _IN.
var fieldOps = []string{"_NOT_STARTS_WITH", "_NOT_ENDS_WITH", "_NOT_CONTAINS", "_STARTS_WITH", "_ENDS_WITH",
	"_CONTAINS", "_NOT_IN", "_MATCHES", "_NOT", "_LTE", "_GTE", "_IN", "_LT", "_GT"}

// Relation operators.
var relOps = []string{"_SINGLE", "_SOME", "_NONE", "_ALL", "_NOT"}

// Operators lists every operator suffix, for documentation and error messages.
func Operators() (field, relation []string) {
	return append([]string(nil), fieldOps...), append([]string(nil), relOps...)
}

// MaxExpansion bounds the compiled size of a query: every selected field, fragment spread, inline fragment,
// filter condition and literal value counts one, each time a fragment spread repeats it. Fragments make a
// small text expand exponentially (fragment A spreads B twice, B spreads C twice, … 20 levels: 2^20 fields
// from 1 KB); compiling must refuse that before any work proportional to the expansion is done. 100,000
// leaves two orders of magnitude of room: the built-in checks compile to well under 1,000 units, a
// selection of every field of every type a few relations deep to a few thousand, and a literal list of
// tens of thousands of ids still fits; 100,000 units compile in tens of milliseconds and a few MB.
const MaxExpansion = 100_000

// maxExpansion is the limit in force: fuzzers lower it to keep every input fast.
var maxExpansion = MaxExpansion

type compiler struct {
	q      *Query
	schema *graph.Schema
	vars   map[string]any
	// spent counts expansion units against MaxExpansion; via is the chain of fragments being expanded.
	spent int
	via   []string
	// cur is the root being compiled: the types its conditions and selections reach are added to it.
	cur *Root
}

// touch records that the root being compiled reads nodes of type t.
func (c *compiler) touch(t *graph.Type) {
	if c.cur != nil && !slices.Contains(c.cur.types, t) {
		c.cur.types = append(c.cur.types, t)
	}
}

// use records that the root being compiled reads field f: a field with a collection of its own (delivery
// evidence) needs that collection read.
func (c *compiler) use(f *graph.Field) {
	if c.cur != nil && f.Collection != "" && !slices.Contains(c.cur.fieldColls, f.Collection) {
		c.cur.fieldColls = append(c.cur.fieldColls, f.Collection)
	}
}

// spend counts one unit of the expansion at p.
func (c *compiler) spend(p *ast.Position) error {
	if c.spent++; c.spent <= maxExpansion {
		return nil
	}
	via := ""
	if len(c.via) > 0 {
		chain := c.via
		if len(chain) > 6 {
			chain = append(append(append([]string(nil), chain[:3]...), "…"), chain[len(chain)-2:]...)
		}
		via = " via " + strings.Join(chain, " → ")
	}
	return c.q.errorf(p, "query expands to more than %d fields, conditions and values%s "+
		"(fragment spreads nested or repeated too much)", maxExpansion, via)
}

// Program is a compiled query: one Root per top-level field.
type Program struct {
	Query *Query
	Roots []*Root
}

// Root is one top-level field of a query, such as vpcs(where: …){…}.
type Root struct {
	// Name is the output name: the alias, else the field.
	Name   string
	Type   *graph.Type
	filter pred
	sel    []*outField
	// types are the types the root reads: its own, and every relation's target its filters and selection
	// follow (fragments included), in the order first met.
	types []*graph.Type
	// fieldColls are the collections of the fields it reads that come from one of their own (graph.Field).
	fieldColls []inventory.Collection
}

// Types are the node types r reads: its own and those its filters and selection reach through relations.
func (r *Root) Types() []*graph.Type { return r.types }

// Collections are the inventory collections the nodes r reads come from (each once, in the order met), then
// those of the fields it reads that have their own: what must have been read for its answer to mean anything.
func (r *Root) Collections() []inventory.Collection {
	var out []inventory.Collection
	for _, t := range r.types {
		if t.Collection != "" && !slices.Contains(out, t.Collection) {
			out = append(out, t.Collection)
		}
	}
	for _, c := range r.fieldColls {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Collections are the inventory collections of every root of p (each once).
func (p *Program) Collections() []inventory.Collection {
	var out []inventory.Collection
	for _, r := range p.Roots {
		for _, c := range r.Collections() {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// outField is one selected output field.
type outField struct {
	name     string
	field    *graph.Field
	typename bool
	rel      *graph.Relation
	filter   pred
	sub      []*outField
}

// Compile checks q against schema s and compiles it, with vars as the values of its variables.
func (q *Query) Compile(s *graph.Schema, vars map[string]any) (*Program, error) {
	c := &compiler{q: q, schema: s, vars: vars}
	p := &Program{Query: q}
	if len(q.op.Directives) > 0 {
		return nil, q.errorf(q.op.Directives[0].Position, "directives are not supported")
	}
	seen := map[string]bool{}
	for _, sel := range q.op.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok {
			return nil, q.errorf(sel.GetPosition(), "fragments cannot be spread at the top level; select a field (%s)",
				strings.Join(s.RootNames(), ", "))
		}
		r, err := c.root(f)
		if err != nil {
			return nil, err
		}
		if seen[r.Name] {
			return nil, q.errorf(f.Position, "%s selected twice; give one an alias (other: %s(…))", r.Name, f.Name)
		}
		seen[r.Name] = true
		p.Roots = append(p.Roots, r)
	}
	return p, nil
}

func (c *compiler) root(f *ast.Field) (*Root, error) {
	t := c.schema.Root(f.Name)
	if t == nil {
		return nil, c.q.errorf(f.Position, "unknown query field %q (valid: %s)", f.Name, strings.Join(c.schema.RootNames(), ", "))
	}
	if len(f.Directives) > 0 {
		return nil, c.q.errorf(f.Directives[0].Position, "directives are not supported")
	}
	r := &Root{Name: f.Name, Type: t, filter: all}
	c.cur = r
	defer func() { c.cur = nil }()
	c.touch(t)
	if f.Alias != "" {
		r.Name = f.Alias
	}
	filter, err := c.arguments(f, t)
	if err != nil {
		return nil, err
	}
	r.filter = filter
	if r.sel, err = c.selection(f.SelectionSet, t, nil); err != nil {
		return nil, err
	}
	return r, nil
}

// arguments compiles a field's arguments: only where.
func (c *compiler) arguments(f *ast.Field, t *graph.Type) (pred, error) {
	p := pred(all)
	for _, a := range f.Arguments {
		if a.Name != "where" {
			return nil, c.q.errorf(a.Position, "unknown argument %q of %s (valid: where)", a.Name, f.Name)
		}
		v, err := c.resolve(a.Value)
		if err != nil {
			return nil, err
		}
		if p, err = c.where(v, t); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// where compiles a filter object over type t.
func (c *compiler) where(v *val, t *graph.Type) (pred, error) {
	if v.kind != vObject {
		return nil, c.q.errorf(v.pos, "a filter on %s must be an object such as {id: \"…\"}, not %s", t.Name, v.describe())
	}
	preds := make([]pred, 0, len(v.obj))
	for _, e := range v.obj {
		p, err := c.condition(e, t)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return and(preds), nil
}

// and is true when every p is. Over unknowns (Kleene's logic): a known false decides, whatever else is not
// known; otherwise the result depends on every unknown its operands consulted. The boolean is always the
// one the values as read give.
func and(ps []pred) pred {
	switch len(ps) {
	case 0:
		return all
	case 1:
		return ps[0]
	case 2:
		a, b := ps[0], ps[1]
		return func(n *graph.Node, ev *Eval) bool {
			m, w := len(ev.why), ev.witness
			ra := a(n, ev)
			if !ra && len(ev.why) == m {
				return false // known false; a left ev as it was
			}
			m2 := len(ev.why)
			rb := b(n, ev)
			if !rb && len(ev.why) == m2 {
				ev.why, ev.witness = ev.why[:m], w
				return false
			}
			if ra && rb {
				return true
			}
			ev.witness = w
			return false
		}
	}
	return func(n *graph.Node, ev *Eval) bool {
		m, w := len(ev.why), ev.witness
		res := true
		for _, p := range ps {
			mi := len(ev.why)
			if !p(n, ev) {
				if len(ev.why) == mi {
					ev.why, ev.witness = ev.why[:m], w
					return false
				}
				res = false
			}
		}
		if !res {
			ev.witness = w
		}
		return res
	}
}

// or is true when some p is: a known true decides, whatever else is not known.
func or(ps []pred) pred {
	if len(ps) == 1 {
		return ps[0]
	}
	return func(n *graph.Node, ev *Eval) bool {
		m, w := len(ev.why), ev.witness
		res := false
		var rw *graph.Node
		for _, p := range ps {
			mi := len(ev.why)
			ev.witness = w
			if p(n, ev) {
				if len(ev.why) == mi {
					ev.why = ev.why[:m]
					return true
				}
				if !res {
					res, rw = true, ev.witness
				}
			}
		}
		ev.witness = w
		if res {
			ev.witness = rw
		}
		return res
	}
}

// not negates p; what p depends on, the negation depends on too.
func not(p pred) pred {
	return func(n *graph.Node, ev *Eval) bool {
		w := ev.witness
		r := p(n, ev)
		ev.witness = w
		return !r
	}
}

// filters compiles the value of AND or OR: a list of filter objects (a single object counts as a list of one).
func (c *compiler) filters(e entry, t *graph.Type) ([]pred, error) {
	items := []*val{e.v}
	switch e.v.kind {
	case vList:
		items = e.v.list
	case vObject:
	default:
		return nil, c.q.errorf(posOr(e.v.pos, e.pos), "%s takes a list of filter objects, not %s", e.name, e.v.describe())
	}
	ps := make([]pred, 0, len(items))
	for _, it := range items {
		p, err := c.where(it, t)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

func posOr(a, b *ast.Position) *ast.Position {
	if a != nil {
		return a
	}
	return b
}

// condition compiles one key of a filter object.
func (c *compiler) condition(e entry, t *graph.Type) (pred, error) {
	if err := c.spend(e.pos); err != nil {
		return nil, err
	}
	switch e.name {
	case "AND":
		ps, err := c.filters(e, t)
		if err != nil {
			return nil, err
		}
		return and(ps), nil
	case "OR":
		ps, err := c.filters(e, t)
		if err != nil {
			return nil, err
		}
		return or(ps), nil
	case "NOT":
		p, err := c.where(e.v, t)
		if err != nil {
			return nil, err
		}
		return not(p), nil
	}
	base, op := e.name, ""
	if t.Field(base) == nil && t.Relation(base) == nil {
		for _, s := range append(fieldOps, relOps...) {
			if strings.HasSuffix(e.name, s) && len(e.name) > len(s) {
				base, op = strings.TrimSuffix(e.name, s), s
				break
			}
		}
	}
	if f := t.Field(base); f != nil {
		c.use(f)
		if op != "" && !contains(fieldOps, op) {
			return nil, c.q.errorf(e.pos, "%s is a field of %s; operator %s is for relations (field operators: %s)",
				base, t.Name, op, strings.Join(sorted(fieldOps), ", "))
		}
		p, err := c.fieldCond(e, f, op)
		if err != nil {
			return nil, err
		}
		// A field the reader could not resolve: the comparison runs on the value as read, and the result
		// depends on the unknown.
		return func(n *graph.Node, ev *Eval) bool {
			if n.HasUnknowns() {
				if us := n.FieldUnknowns(f); us != nil {
					ev.consult(us)
				}
			}
			return p(n, ev)
		}, nil
	}
	if r := t.Relation(base); r != nil {
		if op != "" && !contains(relOps, op) {
			return nil, c.q.errorf(e.pos, "%s is a relation of %s; operator %s is for fields (relation operators: %s)",
				base, t.Name, op, strings.Join(sorted(relOps), ", "))
		}
		return c.relCond(e, r, op)
	}
	// A known name with a suffix that is no operator: name the operators, not the fields.
	for i := len(e.name) - 1; i > 0; i-- {
		if e.name[i] != '_' {
			continue
		}
		name, suffix := e.name[:i], e.name[i:]
		if t.Field(name) != nil {
			return nil, c.q.errorf(e.pos, "unknown operator %s on field %s.%s (valid: %s)", suffix, t.Name, name,
				strings.Join(sorted(fieldOps), ", "))
		}
		if t.Relation(name) != nil {
			return nil, c.q.errorf(e.pos, "unknown operator %s on relation %s.%s (valid: %s)", suffix, t.Name, name,
				strings.Join(sorted(relOps), ", "))
		}
	}
	return nil, c.q.errorf(e.pos, "unknown field or relation %q on %s (fields: %s; relations: %s; also AND, OR, NOT)",
		base, t.Name, strings.Join(t.FieldNames(), ", "), strings.Join(t.RelationNames(), ", "))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sorted(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}

// scalar converts v to a value of f's kind.
func (c *compiler) scalar(v *val, f *graph.Field, key string, pos *ast.Position) (graph.Value, error) {
	bad := func() (graph.Value, error) {
		return graph.Null, c.q.errorf(posOr(v.pos, pos), "%s: %s is %s, got %s", key, f.Name, f.Kind, v.describe())
	}
	switch v.kind {
	case vNull:
		return graph.Null, nil
	case vString, vEnum:
		if f.Kind == graph.KindString {
			return graph.Value{Kind: graph.KindString, S: v.s}, nil
		}
	case vInt:
		if f.Kind == graph.KindInt {
			return graph.Int(v.i), nil
		}
	case vBool:
		if f.Kind == graph.KindBool {
			return graph.Bool(v.b), nil
		}
	}
	return bad()
}

func (c *compiler) fieldCond(e entry, f *graph.Field, op string) (pred, error) {
	pos := e.pos
	switch op {
	case "", "_NOT":
		want, err := c.scalar(e.v, f, e.name, pos)
		if err != nil {
			return nil, err
		}
		if op == "_NOT" {
			return func(n *graph.Node, ev *Eval) bool { return n.Get(f) != want }, nil
		}
		return func(n *graph.Node, ev *Eval) bool { return n.Get(f) == want }, nil
	case "_IN", "_NOT_IN":
		items := []*val{e.v}
		if e.v.kind == vList {
			items = e.v.list
		}
		set := make([]graph.Value, 0, len(items))
		for _, it := range items {
			x, err := c.scalar(it, f, e.name, pos)
			if err != nil {
				return nil, err
			}
			set = append(set, x)
		}
		in := func(n *graph.Node, ev *Eval) bool {
			x := n.Get(f)
			for _, s := range set {
				if s == x {
					return true
				}
			}
			return false
		}
		if len(set) > 8 {
			m := make(map[graph.Value]struct{}, len(set))
			for _, s := range set {
				m[s] = struct{}{}
			}
			in = func(n *graph.Node, ev *Eval) bool { _, ok := m[n.Get(f)]; return ok }
		}
		if op == "_NOT_IN" {
			return func(n *graph.Node, ev *Eval) bool { return !in(n, ev) }, nil
		}
		return in, nil
	case "_CONTAINS", "_NOT_CONTAINS", "_STARTS_WITH", "_NOT_STARTS_WITH", "_ENDS_WITH", "_NOT_ENDS_WITH", "_MATCHES":
		if f.Kind != graph.KindString {
			return nil, c.q.errorf(pos, "%s: %s applies to String fields; %s is %s", e.name, op, f.Name, f.Kind)
		}
		if e.v.kind != vString && e.v.kind != vEnum {
			return nil, c.q.errorf(posOr(e.v.pos, pos), "%s needs a string, got %s", e.name, e.v.describe())
		}
		s := e.v.s
		var test func(string) bool
		switch strings.TrimPrefix(op, "_NOT") {
		case "_CONTAINS":
			test = func(x string) bool { return strings.Contains(x, s) }
		case "_STARTS_WITH":
			test = func(x string) bool { return strings.HasPrefix(x, s) }
		case "_ENDS_WITH":
			test = func(x string) bool { return strings.HasSuffix(x, s) }
		case "_MATCHES":
			re, err := regexp.Compile(s)
			if err != nil {
				return nil, c.q.errorf(posOr(e.v.pos, pos), "%s: bad regular expression: %v", e.name, err)
			}
			test = re.MatchString
		}
		match := func(n *graph.Node, ev *Eval) bool {
			x := n.Get(f)
			return x.Kind == graph.KindString && test(x.S)
		}
		if strings.HasPrefix(op, "_NOT_") {
			return func(n *graph.Node, ev *Eval) bool { return !match(n, ev) }, nil
		}
		return match, nil
	case "_LT", "_LTE", "_GT", "_GTE":
		if f.Kind == graph.KindBool {
			return nil, c.q.errorf(pos, "%s: %s applies to Int and String fields; %s is Boolean", e.name, op, f.Name)
		}
		want, err := c.scalar(e.v, f, e.name, pos)
		if err != nil {
			return nil, err
		}
		if want.IsNull() {
			return nil, c.q.errorf(posOr(e.v.pos, pos), "%s needs a value, not null", e.name)
		}
		cmp := func(x graph.Value) int {
			if f.Kind == graph.KindInt {
				switch {
				case x.I < want.I:
					return -1
				case x.I > want.I:
					return 1
				}
				return 0
			}
			return strings.Compare(x.S, want.S)
		}
		var ok func(int) bool
		switch op {
		case "_LT":
			ok = func(c int) bool { return c < 0 }
		case "_LTE":
			ok = func(c int) bool { return c <= 0 }
		case "_GT":
			ok = func(c int) bool { return c > 0 }
		default:
			ok = func(c int) bool { return c >= 0 }
		}
		k := f.Kind
		return func(n *graph.Node, ev *Eval) bool {
			x := n.Get(f)
			return x.Kind == k && ok(cmp(x))
		}, nil
	}
	return nil, c.q.errorf(pos, "unknown operator %s", op)
}

func (c *compiler) relCond(e entry, r *graph.Relation, op string) (pred, error) {
	c.touch(r.Target)
	// incomplete records that n's r may miss nodes the reader could not see.
	incomplete := func(n *graph.Node, ev *Eval) {
		if n.HasUnknowns() {
			if us := n.RelUnknowns(r); us != nil {
				ev.consult(us)
			}
		}
	}
	if e.v.kind == vNull {
		switch op {
		case "":
			return func(n *graph.Node, ev *Eval) bool {
				if len(n.Rel(r)) > 0 {
					return false
				}
				incomplete(n, ev)
				return true
			}, nil
		case "_NOT":
			return func(n *graph.Node, ev *Eval) bool {
				if len(n.Rel(r)) > 0 {
					return true
				}
				incomplete(n, ev)
				return false
			}, nil
		}
		return nil, c.q.errorf(posOr(e.v.pos, e.pos), "%s needs a filter on %s ({} matches any), not null", e.name, r.Target.Name)
	}
	p, err := c.where(e.v, r.Target)
	if err != nil {
		return nil, err
	}
	// some: a related node known to match decides; else an incomplete relation or a member not known to
	// fail leaves the answer unknown. The first matching node becomes the witness.
	some := func(n *graph.Node, ev *Eval) bool {
		m0, w := len(ev.why), ev.witness
		incomplete(n, ev)
		res := false
		var rw *graph.Node
		for _, m := range n.Rel(r) {
			if !ev.tick() {
				return false
			}
			mi := len(ev.why)
			ev.witness = w
			if p(m, ev) {
				if len(ev.why) == mi {
					ev.why = ev.why[:m0]
					if ev.witness == nil {
						ev.witness = m
					}
					return true
				}
				if !res {
					res, rw = true, ev.witness
				}
			}
		}
		ev.witness = w
		if res {
			ev.witness = rw
		}
		return res
	}
	switch op {
	case "", "_SOME":
		return some, nil
	case "_NONE", "_NOT":
		return not(some), nil
	case "_ALL":
		return func(n *graph.Node, ev *Eval) bool {
			m0, w := len(ev.why), ev.witness
			incomplete(n, ev)
			res := true
			for _, m := range n.Rel(r) {
				if !ev.tick() {
					return false
				}
				mi := len(ev.why)
				if !p(m, ev) {
					if len(ev.why) == mi {
						ev.why, ev.witness = ev.why[:m0], w
						return false
					}
					res = false
				}
			}
			ev.witness = w
			return res
		}, nil
	case "_SINGLE":
		return func(n *graph.Node, ev *Eval) bool {
			m0, w := len(ev.why), ev.witness
			incomplete(n, ev)
			k, known := 0, 0
			for _, m := range n.Rel(r) {
				if !ev.tick() {
					return false
				}
				mi := len(ev.why)
				if p(m, ev) {
					k++
					if len(ev.why) == mi {
						if known++; known > 1 {
							ev.why, ev.witness = ev.why[:m0], w
							return false
						}
					}
				}
			}
			ev.witness = w
			return k == 1
		}, nil
	}
	return nil, c.q.errorf(e.pos, "unknown operator %s", op)
}

// selection compiles a selection set over t. visiting guards against fragments that spread themselves.
func (c *compiler) selection(set ast.SelectionSet, t *graph.Type, visiting []string) ([]*outField, error) {
	if len(set) == 0 {
		// No selection: what AssetFragment selects.
		set = builtinFragments["AssetFragment"].SelectionSet
	}
	prev := c.via
	c.via = visiting
	defer func() { c.via = prev }()
	var out []*outField
	index := map[string]*outField{}
	add := func(o *outField) {
		if x := index[o.name]; x != nil {
			if x.rel != nil && o.rel == x.rel {
				x.sub = mergeFields(x.sub, o.sub)
			}
			return
		}
		index[o.name] = o
		out = append(out, o)
	}
	for _, sel := range set {
		if err := c.spend(sel.GetPosition()); err != nil {
			return nil, err
		}
		switch s := sel.(type) {
		case *ast.Field:
			o, err := c.outField(s, t, visiting)
			if err != nil {
				return nil, err
			}
			add(o)
		case *ast.FragmentSpread:
			if len(s.Directives) > 0 {
				return nil, c.q.errorf(s.Directives[0].Position, "directives are not supported")
			}
			fd := c.q.fragments[s.Name]
			if fd == nil {
				fd = builtinFragments[s.Name]
			}
			if fd == nil {
				return nil, c.q.errorf(s.Position, "unknown fragment %s (built-in: %s)", s.Name, strings.Join(builtinFragmentNames(), ", "))
			}
			if contains(visiting, s.Name) {
				return nil, c.q.errorf(s.Position, "fragment %s spreads itself (%s)", s.Name, strings.Join(append(visiting, s.Name), " → "))
			}
			if err := c.typeCondition(fd.TypeCondition, t, s.Position, "fragment "+s.Name); err != nil {
				return nil, err
			}
			sub, err := c.selection(fd.SelectionSet, t, append(visiting, s.Name))
			if err != nil {
				return nil, err
			}
			for _, o := range sub {
				add(o)
			}
		case *ast.InlineFragment:
			if len(s.Directives) > 0 {
				return nil, c.q.errorf(s.Directives[0].Position, "directives are not supported")
			}
			if s.TypeCondition != "" {
				if err := c.typeCondition(s.TypeCondition, t, s.Position, "inline fragment"); err != nil {
					return nil, err
				}
			}
			sub, err := c.selection(s.SelectionSet, t, visiting)
			if err != nil {
				return nil, err
			}
			for _, o := range sub {
				add(o)
			}
		}
	}
	return out, nil
}

func mergeFields(a, b []*outField) []*outField {
	index := make(map[string]*outField, len(a))
	for _, x := range a {
		if index[x.name] == nil {
			index[x.name] = x
		}
	}
	for _, o := range b {
		if x := index[o.name]; x != nil {
			if x.rel != nil && x.rel == o.rel {
				x.sub = mergeFields(x.sub, o.sub)
			}
			continue
		}
		index[o.name] = o
		a = append(a, o)
	}
	return a
}

func builtinFragmentNames() []string {
	var out []string
	for n := range builtinFragments {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (c *compiler) typeCondition(cond string, t *graph.Type, pos *ast.Position, what string) error {
	if cond == t.Name || cond == graph.AssetInterface {
		return nil
	}
	if c.schema.Type(cond) == nil {
		return c.q.errorf(pos, "%s: unknown type %s (valid: %s, %s)", what, cond, graph.AssetInterface, strings.Join(c.schema.TypeNames(), ", "))
	}
	return c.q.errorf(pos, "%s is on %s and cannot be used on %s", what, cond, t.Name)
}

func (c *compiler) outField(f *ast.Field, t *graph.Type, visiting []string) (*outField, error) {
	if len(f.Directives) > 0 {
		return nil, c.q.errorf(f.Directives[0].Position, "directives are not supported")
	}
	name := f.Name
	if f.Alias != "" {
		name = f.Alias
	}
	if f.Name == "__typename" {
		return &outField{name: name, typename: true}, nil
	}
	if fd := t.Field(f.Name); fd != nil {
		if len(f.Arguments) > 0 {
			return nil, c.q.errorf(f.Arguments[0].Position, "field %s takes no arguments", f.Name)
		}
		if len(f.SelectionSet) > 0 {
			return nil, c.q.errorf(f.SelectionSet[0].GetPosition(), "%s is a %s field and has no subfields", f.Name, fd.Kind)
		}
		c.use(fd)
		return &outField{name: name, field: fd}, nil
	}
	if r := t.Relation(f.Name); r != nil {
		c.touch(r.Target)
		p, err := c.arguments(f, r.Target)
		if err != nil {
			return nil, err
		}
		sub, err := c.selection(f.SelectionSet, r.Target, visiting)
		if err != nil {
			return nil, err
		}
		return &outField{name: name, rel: r, filter: p, sub: sub}, nil
	}
	return nil, c.q.errorf(f.Position, "unknown field %q on %s (fields: %s; relations: %s)", f.Name, t.Name,
		strings.Join(t.FieldNames(), ", "), strings.Join(t.RelationNames(), ", "))
}

// String describes the root for messages: vpcs(where: …).
func (r *Root) String() string { return fmt.Sprintf("%s: [%s]", r.Name, r.Type.Name) }
