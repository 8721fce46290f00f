package graph

import "github.com/flowguard/flowguard/internal/inventory"

// unknowns are the fields and relations of one node that its reader could not resolve. Nodes without any
// (every node of a live scan) have none allocated: the query engine looks at one nil pointer.
type unknowns struct {
	fields map[*Field][]*inventory.Unknown
	rels   map[*Relation][]*inventory.Unknown
	// any are Unknowns whose Field the schema does not know: every field of the node is unknown.
	any []*inventory.Unknown
}

// HasUnknowns reports whether some field or relation of n is not known.
func (n *Node) HasUnknowns() bool { return n.unk != nil }

// FieldUnknowns returns why field f of n is not known, or nil when it is.
func (n *Node) FieldUnknowns(f *Field) []*inventory.Unknown {
	if n.unk == nil {
		return nil
	}
	if u := n.unk.fields[f]; u != nil {
		return u
	}
	return n.unk.any
}

// RelUnknowns returns why the relation r of n may be incomplete (related nodes the reader could not see), or
// nil when it is complete.
func (n *Node) RelUnknowns(r *Relation) []*inventory.Unknown {
	if n.unk == nil {
		return nil
	}
	return n.unk.rels[r]
}

// derived lists, per relation, the fields computed from it: they are as unknown as the relation.
var derived = map[*Relation][]string{}

// markUnknown records u on n, under the field or relation it names.
func (n *Node) markUnknown(u *inventory.Unknown) {
	if n.unk == nil {
		n.unk = &unknowns{}
	}
	if f := n.Type.fields[u.Field]; f != nil {
		n.markField(f, u)
		return
	}
	if r := n.Type.relations[u.Field]; r != nil {
		n.markRel(r, u)
		return
	}
	n.unk.any = append(n.unk.any, u)
}

func (n *Node) markField(f *Field, u *inventory.Unknown) {
	if n.unk.fields == nil {
		n.unk.fields = map[*Field][]*inventory.Unknown{}
	}
	n.unk.fields[f] = append(n.unk.fields[f], u)
}

func (n *Node) markRel(r *Relation, u *inventory.Unknown) {
	if n.unk == nil {
		n.unk = &unknowns{}
	}
	if n.unk.rels == nil {
		n.unk.rels = map[*Relation][]*inventory.Unknown{}
	}
	n.unk.rels[r] = append(n.unk.rels[r], u)
	for _, name := range derived[r] {
		n.markField(n.Type.fields[name], u)
	}
}

// markUnknowns records the Unknowns of an inventory entity on its node.
func (n *Node) markUnknowns(us []inventory.Unknown) {
	for i := range us {
		n.markUnknown(&us[i])
	}
}
