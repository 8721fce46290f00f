package query

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// valKind is the kind of an argument value after variables are substituted.
type valKind uint8

const (
	vNull valKind = iota
	vString
	vEnum
	vInt
	vFloat
	vBool
	vList
	vObject
)

func (k valKind) String() string {
	return [...]string{"null", "String", "enum", "Int", "Float", "Boolean", "list", "object"}[k]
}

// val is a literal or variable value of a query argument.
type val struct {
	kind valKind
	s    string
	i    int64
	f    float64
	b    bool
	list []*val
	obj  []entry
	pos  *ast.Position
}

type entry struct {
	name string
	v    *val
	pos  *ast.Position
}

func (v *val) describe() string {
	switch v.kind {
	case vString:
		return strconv.Quote(v.s)
	case vEnum:
		return v.s
	case vInt:
		return strconv.FormatInt(v.i, 10)
	case vFloat:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	case vBool:
		return strconv.FormatBool(v.b)
	case vList:
		return "a list"
	case vObject:
		return "an object"
	}
	return "null"
}

// resolve turns a parsed value into a val, substituting variables.
func (c *compiler) resolve(v *ast.Value) (*val, error) {
	if v == nil {
		return &val{kind: vNull}, nil
	}
	if err := c.spend(v.Position); err != nil {
		return nil, err
	}
	out := &val{pos: v.Position}
	switch v.Kind {
	case ast.Variable:
		return c.variable(v)
	case ast.IntValue:
		i, err := strconv.ParseInt(v.Raw, 10, 64)
		if err != nil {
			return nil, c.q.errorf(v.Position, "integer %s out of range", v.Raw)
		}
		out.kind, out.i = vInt, i
	case ast.FloatValue:
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil {
			return nil, c.q.errorf(v.Position, "bad number %s", v.Raw)
		}
		out.kind, out.f = vFloat, f
	case ast.StringValue, ast.BlockValue:
		out.kind, out.s = vString, v.Raw
	case ast.EnumValue:
		out.kind, out.s = vEnum, v.Raw
	case ast.BooleanValue:
		out.kind, out.b = vBool, v.Raw == "true"
	case ast.NullValue:
		out.kind = vNull
	case ast.ListValue:
		out.kind = vList
		for _, ch := range v.Children {
			e, err := c.resolve(ch.Value)
			if err != nil {
				return nil, err
			}
			out.list = append(out.list, e)
		}
	case ast.ObjectValue:
		out.kind = vObject
		seen := map[string]bool{}
		for _, ch := range v.Children {
			if seen[ch.Name] {
				return nil, c.q.errorf(ch.Position, "%s given twice in the same object", ch.Name)
			}
			seen[ch.Name] = true
			e, err := c.resolve(ch.Value)
			if err != nil {
				return nil, err
			}
			out.obj = append(out.obj, entry{ch.Name, e, ch.Position})
		}
	default:
		return nil, c.q.errorf(v.Position, "unsupported value %s", v.Raw)
	}
	return out, nil
}

// variable resolves $name: the value passed in, else the declared default.
func (c *compiler) variable(v *ast.Value) (*val, error) {
	name := v.Raw
	var decl *ast.VariableDefinition
	for _, d := range c.q.op.VariableDefinitions {
		if d.Variable == name {
			decl = d
		}
	}
	if x, ok := c.vars[name]; ok {
		if decl != nil && decl.Type != nil && decl.Type.Elem == nil {
			var err error
			if x, err = coerce(x, decl.Type.NamedType); err != nil {
				return nil, c.q.errorf(v.Position, "variable $%s: %v", name, err)
			}
		}
		out, err := fromGo(x, v.Position)
		if err != nil {
			return nil, c.q.errorf(v.Position, "variable $%s: %v", name, err)
		}
		return out, nil
	}
	if decl != nil && decl.DefaultValue != nil {
		return c.resolve(decl.DefaultValue)
	}
	have := make([]string, 0, len(c.vars))
	for k := range c.vars {
		have = append(have, "$"+k)
	}
	sort.Strings(have)
	given := "none given"
	if len(have) > 0 {
		given = "given: " + strings.Join(have, ", ")
	}
	return nil, c.q.errorf(v.Position, "variable $%s has no value (%s)", name, given)
}

// coerce converts a string given on the command line to the declared scalar type.
func coerce(x any, typ string) (any, error) {
	s, ok := x.(string)
	if !ok {
		return x, nil
	}
	switch typ {
	case "Int":
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an Int, got %q", s)
		}
		return i, nil
	case "Boolean":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("want a Boolean, got %q", s)
		}
		return b, nil
	}
	return s, nil
}

// fromGo converts a variable's Go value (from YAML, JSON or flags) to a val.
func fromGo(x any, pos *ast.Position) (*val, error) {
	out := &val{pos: pos}
	switch x := x.(type) {
	case nil:
		out.kind = vNull
	case string:
		out.kind, out.s = vString, x
	case bool:
		out.kind, out.b = vBool, x
	case int:
		out.kind, out.i = vInt, int64(x)
	case int32:
		out.kind, out.i = vInt, int64(x)
	case int64:
		out.kind, out.i = vInt, x
	case uint64:
		if x > math.MaxInt64 {
			return nil, fmt.Errorf("%d out of range", x)
		}
		out.kind, out.i = vInt, int64(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			out.kind, out.i = vInt, int64(x)
		} else {
			out.kind, out.f = vFloat, x
		}
	case []string:
		out.kind = vList
		for _, e := range x {
			out.list = append(out.list, &val{kind: vString, s: e, pos: pos})
		}
	case []any:
		out.kind = vList
		for _, e := range x {
			ev, err := fromGo(e, pos)
			if err != nil {
				return nil, err
			}
			out.list = append(out.list, ev)
		}
	case map[string]any:
		out.kind = vObject
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ev, err := fromGo(x[k], pos)
			if err != nil {
				return nil, err
			}
			out.obj = append(out.obj, entry{k, ev, pos})
		}
	default:
		return nil, fmt.Errorf("unsupported value %v (%T)", x, x)
	}
	return out, nil
}
