package enrich

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/flowguard/flowguard/internal/inventory"
)

// protoAny is "all protocols" in a compiled rule.
const protoAny = -1

// ProtoNumber reads a rule's protocol: "-1"/"all" → -1, a name or an IANA number; ok false when unknown.
func ProtoNumber(s string) (int32, bool) {
	switch strings.ToLower(s) {
	case "-1", "all", "":
		return protoAny, true
	case "tcp":
		return 6, true
	case "udp":
		return 17, true
	case "icmp":
		return 1, true
	case "icmpv6":
		return 58, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return 0, false
	}
	return int32(n), true
}

// hasPorts says whether a protocol's rules carry port ranges (TCP, UDP; and SCTP for NACLs).
func hasPorts(p int32) bool { return p == 6 || p == 17 || p == 132 }

// match is a three-valued rule match: a rule naming a prefix list, or a group outside the inventory, may
// match without the inventory saying so.
type match uint8

const (
	no match = iota
	yes
	maybe
)

type sgRule struct {
	proto      int32
	from, to   int32 // port range; from -1: all ports
	prefix     netip.Prefix
	group      int32 // index of the referenced group; -1 none; -2 a group outside the inventory
	prefixList string
	bad        bool // an unreadable protocol or CIDR: never matches, maybe
	src        *inventory.SGRule
}

type secGroup struct {
	id, name string
	in, out  []sgRule
	raw      *inventory.SecurityGroup
}

// rules are the group's rules for one direction.
func (g *secGroup) rules(egress bool) []sgRule {
	if egress {
		return g.out
	}
	return g.in
}

func compileSG(g *inventory.SecurityGroup) secGroup {
	out := secGroup{id: g.ID, name: g.Name, raw: g}
	comp := func(rs []inventory.SGRule) []sgRule {
		var cs []sgRule
		for i := range rs {
			r := &rs[i]
			c := sgRule{from: r.FromPort, to: r.ToPort, group: none, prefixList: r.PrefixList, src: r}
			p, ok := ProtoNumber(r.Protocol)
			c.proto, c.bad = p, !ok
			if p == protoAny || !hasPorts(p) {
				c.from, c.to = -1, -1
			}
			switch {
			case r.CIDR != "":
				pf, err := netip.ParsePrefix(r.CIDR)
				c.prefix, c.bad = pf.Masked(), c.bad || err != nil
			case r.Group != "":
				c.group = ambiguous // resolved once every group of the region is known
			}
			cs = append(cs, c)
		}
		return cs
	}
	out.in, out.out = comp(g.Ingress), comp(g.Egress)
	return out
}

func (g secGroup) resolve(byID map[string]int32) {
	for _, rs := range [][]sgRule{g.in, g.out} {
		for i := range rs {
			if rs[i].src.Group == "" {
				continue
			}
			if gi, ok := byID[rs[i].src.Group]; ok {
				rs[i].group = gi
			} else {
				rs[i].group = ambiguous
			}
		}
	}
}

// allows says whether rule r lets traffic of proto to port from/to peer (an address; peerIface its
// interface, -1 when not in the inventory).
func (ix *Index) allows(r *sgRule, proto, port int32, peer netip.Addr, peerIface int32) match {
	if r.bad {
		return maybe
	}
	if r.proto != protoAny && r.proto != proto {
		return no
	}
	if r.from >= 0 && hasPorts(proto) && (port < r.from || port > r.to) {
		return no
	}
	switch {
	case r.prefix.IsValid():
		if peer.IsValid() && r.prefix.Contains(peer.Unmap()) {
			return yes
		}
		return no
	case r.prefixList != "":
		return maybe // the list's ranges are not in the inventory
	case r.group >= 0:
		if peerIface < 0 {
			return no
		}
		if slices.Contains(ix.Interfaces[peerIface].SGs, r.group) {
			return yes
		}
		return no
	case r.group == ambiguous:
		return maybe
	}
	return no
}

type aclEntry struct {
	rule     int32
	allow    bool
	proto    int32
	from, to int32 // -1: all ports
	prefix   netip.Prefix
	bad      bool
}

type networkACL struct {
	id      string
	in, out []aclEntry
}

// entries are the ACL's entries for one direction.
func (a *networkACL) entries(egress bool) []aclEntry {
	if egress {
		return a.out
	}
	return a.in
}

func compileACL(a *inventory.NetworkACL) networkACL {
	out := networkACL{id: a.ID}
	for _, e := range a.Entries {
		c := aclEntry{rule: e.RuleNumber, allow: e.Allow, from: e.FromPort, to: e.ToPort}
		p, ok := ProtoNumber(e.Protocol)
		c.proto, c.bad = p, !ok
		if p == protoAny || !hasPorts(p) || (e.FromPort == 0 && e.ToPort == 0) {
			c.from, c.to = -1, -1
		}
		pf, err := netip.ParsePrefix(e.CIDR)
		c.prefix, c.bad = pf.Masked(), c.bad || err != nil
		if e.Egress {
			out.out = append(out.out, c)
		} else {
			out.in = append(out.in, c)
		}
	}
	for _, l := range [][]aclEntry{out.in, out.out} {
		slices.SortStableFunc(l, func(a, b aclEntry) int { return cmp.Compare(a.rule, b.rule) })
	}
	return out
}

// evalACL returns the first entry matching (in rule-number order) and whether one did. With no match the
// traffic is denied (AWS's "*" rule, which DescribeNetworkAcls lists as 32767, is then missing).
func evalACL(es []aclEntry, proto, port int32, peer netip.Addr) (aclEntry, bool) {
	for _, e := range es {
		if e.bad || (e.proto != protoAny && e.proto != proto) {
			continue
		}
		if e.from >= 0 && hasPorts(proto) && (port < e.from || port > e.to) {
			continue
		}
		if !peer.IsValid() || e.prefix.Addr().Is4() != peer.Unmap().Is4() || !e.prefix.Contains(peer.Unmap()) {
			continue
		}
		return e, true
	}
	return aclEntry{}, false
}

// describeACLEntry renders an entry: "deny tcp 22 from 0.0.0.0/0".
func describeACLEntry(e aclEntry, egress bool) string {
	s := "allow "
	if !e.allow {
		s = "deny "
	}
	s += protoText(e.proto)
	if e.from >= 0 {
		s += " " + portRange(e.from, e.to)
	}
	if egress {
		return s + " to " + e.prefix.String()
	}
	return s + " from " + e.prefix.String()
}

// DescribeSGRule renders a rule: "tcp 22 from 0.0.0.0/0", "all to sg-0abc".
func DescribeSGRule(r *inventory.SGRule, egress bool) string {
	p, ok := ProtoNumber(r.Protocol)
	s := r.Protocol
	if ok {
		s = protoText(p)
	}
	if ok && hasPorts(p) && r.FromPort >= 0 {
		s += " " + portRange(r.FromPort, r.ToPort)
	}
	peer := r.CIDR + r.PrefixList + r.Group
	if egress {
		return s + " to " + peer
	}
	return s + " from " + peer
}

func portRange(from, to int32) string {
	if from == to {
		return strconv.Itoa(int(from))
	}
	if from == 0 && to == 65535 {
		return "all ports"
	}
	return fmt.Sprintf("%d-%d", from, to)
}

func protoText(p int32) string {
	switch p {
	case protoAny:
		return "all"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1:
		return "icmp"
	case 58:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}
