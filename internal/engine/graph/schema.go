// Package graph turns an inventory snapshot into an asset graph: typed nodes with scalar fields and named
// relations, indexed for the query engine. The schema (types, fields, relations) is declared once here and is
// what `flowguard schema` prints and what the query language checks names against.
package graph

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Kind is the type of a scalar field.
type Kind uint8

const (
	KindString Kind = iota + 1
	KindInt
	KindBool
)

func (k Kind) String() string {
	switch k {
	case KindString:
		return "String"
	case KindInt:
		return "Int"
	case KindBool:
		return "Boolean"
	}
	return "Null"
}

// Value is a scalar field value. The zero Value is null: the field is absent on that node.
type Value struct {
	Kind Kind
	S    string
	I    int64 // Int value, or 1/0 for Boolean
}

// Null is the absent value.
var Null = Value{}

// Str returns a String value, or null for "" (AWS leaves unset strings empty).
func Str(s string) Value {
	if s == "" {
		return Null
	}
	return Value{Kind: KindString, S: s}
}

// Int returns an Int value.
func Int(i int64) Value { return Value{Kind: KindInt, I: i} }

// Bool returns a Boolean value.
func Bool(b bool) Value {
	if b {
		return Value{Kind: KindBool, I: 1}
	}
	return Value{Kind: KindBool}
}

// IsNull reports whether the value is absent.
func (v Value) IsNull() bool { return v.Kind == 0 }

// Any returns the value as a plain Go value for JSON: string, int64, bool or nil.
func (v Value) Any() any {
	switch v.Kind {
	case KindString:
		return v.S
	case KindInt:
		return v.I
	case KindBool:
		return v.I != 0
	}
	return nil
}

// String renders the value for tables and messages ("" for null).
func (v Value) String() string {
	switch v.Kind {
	case KindString:
		return v.S
	case KindInt:
		return strconv.FormatInt(v.I, 10)
	case KindBool:
		return strconv.FormatBool(v.I != 0)
	}
	return ""
}

// Field is a scalar property of a node type.
type Field struct {
	Name string
	Kind Kind
	Doc  string
	// Collection is set on a field read from an inventory collection of its own, apart from its type's (the
	// delivery evidence of a flow log): a query or check that uses the field needs that collection read.
	Collection inventory.Collection
	get        func(*Node) Value
}

// Relation is a named edge from a node type to another.
type Relation struct {
	Name   string
	Target *Type
	// Many is false for relations that have at most one related node (inRegion, deliversTo).
	Many  bool
	Doc   string
	index int
}

// Type is a node type of the asset graph.
type Type struct {
	Name string
	// Root is the query's top-level field that lists every node of this type ("vpcs"); "" if not queryable.
	Root string
	Doc  string
	// Collection is the inventory collection the nodes come from: when it was not read in a region, the
	// absence of nodes there means nothing.
	Collection inventory.Collection
	// ResourceType is the CloudFormation type used in findings.
	ResourceType string
	Fields       []*Field
	Relations    []*Relation
	index        int
	fields       map[string]*Field
	relations    map[string]*Relation
}

// Field returns the field called name, or nil.
func (t *Type) Field(name string) *Field { return t.fields[name] }

// Relation returns the relation called name, or nil.
func (t *Type) Relation(name string) *Relation { return t.relations[name] }

// FieldNames lists the fields, sorted.
func (t *Type) FieldNames() []string {
	out := make([]string, 0, len(t.Fields))
	for _, f := range t.Fields {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}

// RelationNames lists the relations, sorted.
func (t *Type) RelationNames() []string {
	out := make([]string, 0, len(t.Relations))
	for _, r := range t.Relations {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return out
}

// Schema is the set of node types.
type Schema struct {
	Types  []*Type
	byName map[string]*Type
	byRoot map[string]*Type
}

// Type returns the type called name, or nil.
func (s *Schema) Type(name string) *Type { return s.byName[name] }

// Root returns the type listed by the top-level query field root ("vpcs"), or nil.
func (s *Schema) Root(root string) *Type { return s.byRoot[root] }

// RootNames lists the top-level query fields, sorted.
func (s *Schema) RootNames() []string {
	var out []string
	for _, t := range s.Types {
		if t.Root != "" {
			out = append(out, t.Root)
		}
	}
	sort.Strings(out)
	return out
}

// TypeNames lists the type names, sorted.
func (s *Schema) TypeNames() []string {
	var out []string
	for _, t := range s.Types {
		out = append(out, t.Name)
	}
	sort.Strings(out)
	return out
}

// AssetInterface is the interface every type implements: the fields of AssetFields. Fragments may name it
// as their type condition ("fragment AssetFragment on Asset").
const AssetInterface = "Asset"

// AssetFields are the fields every type has.
var AssetFields = []string{"id", "assetType", "accountId", "region", "arn", "name"}

// Write prints the schema in GraphQL SDL, with the docs as descriptions.
func (s *Schema) Write(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# The flowguard asset graph. Query it with `flowguard query`; stored checks use the same language.\n")
	b.WriteString("# Filters: where: {field: value, field_NOT, _IN, _NOT_IN, _CONTAINS, _NOT_CONTAINS, _STARTS_WITH,\n")
	b.WriteString("#   _NOT_STARTS_WITH, _ENDS_WITH, _NOT_ENDS_WITH, _LT, _LTE, _GT, _GTE, _MATCHES (RE2 regexp),\n")
	b.WriteString("#   relation: null (no related node) | {filter} (some), relation_NOT: null, relation_SOME, _NONE, _ALL,\n")
	b.WriteString("#   _SINGLE, AND: [..], OR: [..], NOT: {..}}. field: null matches an absent field.\n\n")
	b.WriteString("type Query {\n")
	for _, t := range s.Types {
		if t.Root != "" {
			fmt.Fprintf(&b, "  %s(where: %sWhere): [%s!]!\n", t.Root, t.Name, t.Name)
		}
	}
	b.WriteString("}\n\n")
	b.WriteString("\"\"\"Fields every asset type has (fragment AssetFragment on Asset selects them).\"\"\"\ninterface Asset {\n")
	for _, n := range AssetFields {
		f := s.Types[0].Field(n)
		fmt.Fprintf(&b, "  %s: %s\n", n, f.Kind)
	}
	b.WriteString("}\n")
	for _, t := range s.Types {
		fmt.Fprintf(&b, "\n\"\"\"%s\"\"\"\ntype %s implements Asset {\n", t.Doc, t.Name)
		for _, f := range t.Fields {
			fmt.Fprintf(&b, "  %-26s # %s\n", f.Name+": "+f.Kind.String(), f.Doc)
		}
		for _, r := range t.Relations {
			typ := r.Target.Name
			if r.Many {
				typ = "[" + typ + "!]!"
			}
			fmt.Fprintf(&b, "  %-26s # %s\n", r.Name+": "+typ, r.Doc)
		}
		b.WriteString("}\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
