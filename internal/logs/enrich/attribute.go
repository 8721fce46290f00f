package enrich

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// CauseKind is why a REJECT record was rejected.
type CauseKind uint8

const (
	// CauseUndetermined: the inventory cannot say (Why tells what was missing).
	CauseUndetermined CauseKind = iota
	// CauseNACL: the subnet's network ACL denied it (ACL, Rule; Egress for the outbound rules).
	CauseNACL
	// CauseNoSGAllow: the ACL allowed it, and no rule of the interface's security groups allows it.
	CauseNoSGAllow
	// CauseRecordReason: the record's own reject-reason field (v8), e.g. BPA (VPC Block Public Access).
	CauseRecordReason
)

func (k CauseKind) String() string {
	switch k {
	case CauseNACL:
		return "network-acl"
	case CauseNoSGAllow:
		return "no-security-group-allow"
	case CauseRecordReason:
		return "reject-reason"
	}
	return "undetermined"
}

// Why codes of an undetermined cause.
const (
	WhyNone         uint8 = iota
	WhyNoAddrs            // no addresses (NODATA, SKIPDATA, or the fields are not in the format)
	WhyUnknownIface       // the record's interface is not in the inventory
	WhyNoOwner            // no interface of the inventory holds either address
	WhyPassThrough        // the interface holds neither address: traffic through a NAT gateway, load balancer, endpoint
	WhyRulesNotRead       // security groups / network ACLs of the region were not read
	WhyNoACL              // the subnet's network ACL is not in the inventory
	WhyAllowed            // the ACL and security groups as read allow it
	WhyMaybe              // a security-group rule names a prefix list or a group outside the inventory
	WhyBadProto           // no protocol in the record
)

var whyText = [...]string{
	WhyNone:         "",
	WhyNoAddrs:      "the record has no addresses or protocol",
	WhyUnknownIface: "the record's interface is not in the inventory",
	WhyNoOwner:      "no interface of the inventory holds either address",
	WhyPassThrough:  "the interface holds neither address (traffic passing through a NAT gateway, load balancer or endpoint)",
	WhyRulesNotRead: "the region's security groups and network ACLs were not read (a snapshot saved without scan --read-network, or a read error)",
	WhyNoACL:        "the subnet's network ACL is not in the inventory",
	WhyAllowed:      "the network ACL and security groups as read allow it: the rules changed since the record, or it was an invalid or out-of-state packet",
	WhyMaybe:        "a security-group rule names a prefix list or a group outside the inventory: it may allow it",
	WhyBadProto:     "the record has no protocol",
}

// Cause is the attribution of one REJECT record: comparable, allocation-free, rendered by Describe.
type Cause struct {
	Kind   CauseKind
	Why    uint8 // CauseUndetermined: one of the Why codes
	Egress bool  // the rule direction: outbound of the interface
	Iface  int32 // the interface whose rules decided (-1: none)
	ACL    int32 // CauseNACL: the ACL's index
	Rule   int32 // CauseNACL: the rule number (32767 or -1: the final "*" deny)
	Reason int32 // CauseRecordReason: the interned reject-reason value
}

// Attribute says why REJECT record r (whose interface-id resolved to iface, -1 when absent or unknown)
// was rejected. The network ACL is evaluated first (it filters at the subnet boundary, before the security
// groups), statelessly and in rule-number order, for the record's own direction and ports; then the security
// groups of the interface, for that direction.
func (ix *Index) Attribute(r *flowlog.Record, iface int32) Cause {
	return ix.AttributeAt(r, iface, ix.Addr(r.SrcAddr, iface), ix.Addr(r.DstAddr, iface))
}

// AttributeAt is Attribute with the interfaces holding the source and destination addresses already looked
// up (Addr with near = iface), so that a caller that has them does not look them up again.
func (ix *Index) AttributeAt(r *flowlog.Record, iface, src, dst int32) Cause {
	if v := r.Field(flowlog.RejectReason); len(v) > 0 && !flowlog.IsNA(v) {
		return Cause{Kind: CauseRecordReason, Iface: iface, Reason: ix.internReason(v), ACL: none, Rule: none}
	}
	u := func(why uint8, x int32) Cause {
		return Cause{Kind: CauseUndetermined, Why: why, Iface: x, ACL: none, Rule: none}
	}
	if !r.SrcAddr.IsValid() || !r.DstAddr.IsValid() {
		return u(WhyNoAddrs, iface)
	}
	if r.Protocol < 0 {
		return u(WhyBadProto, iface)
	}
	x, egress, peer, why := ix.subject(r, iface, src, dst)
	if why != WhyNone {
		return u(why, x)
	}
	it := &ix.Interfaces[x]
	if !it.rulesRead {
		return u(WhyRulesNotRead, x)
	}
	peerAddr := r.SrcAddr
	if egress {
		peerAddr = r.DstAddr
	}
	// Traffic between two interfaces of one subnet does not cross its network ACL.
	if peer < 0 || ix.Interfaces[peer].Subnet != it.Subnet {
		if it.acl < 0 {
			return u(WhyNoACL, x)
		}
		acl := &ix.acls[it.acl]
		es := acl.entries(egress)
		e, ok := evalACL(es, r.Protocol, r.DstPort, peerAddr)
		if !ok {
			return Cause{Kind: CauseNACL, Egress: egress, Iface: x, ACL: it.acl, Rule: none}
		}
		if !e.allow {
			return Cause{Kind: CauseNACL, Egress: egress, Iface: x, ACL: it.acl, Rule: e.rule}
		}
	}
	switch ix.sgAllows(it, egress, r.Protocol, r.DstPort, peerAddr, peer) {
	case yes:
		return u(WhyAllowed, x)
	case maybe:
		return u(WhyMaybe, x)
	}
	return Cause{Kind: CauseNoSGAllow, Egress: egress, Iface: x, ACL: none, Rule: none}
}

// subject finds the interface whose rules decide the record, the direction for it, and the peer's interface.
func (ix *Index) subject(r *flowlog.Record, iface, src, dst int32) (x int32, egress bool, peer int32, why uint8) {
	if iface >= 0 {
		switch {
		case dst == iface:
			return iface, false, src, WhyNone
		case src == iface:
			return iface, true, dst, WhyNone
		}
		return iface, false, none, WhyPassThrough
	}
	if id := r.Field(flowlog.InterfaceID); len(id) > 0 && !flowlog.IsNA(id) {
		return none, false, none, WhyUnknownIface
	}
	if d := r.Field(flowlog.FlowDirection); string(d) == "egress" && src >= 0 {
		return src, true, dst, WhyNone
	}
	switch {
	case dst >= 0:
		return dst, false, src, WhyNone
	case src >= 0:
		return src, true, dst, WhyNone
	}
	return none, false, none, WhyNoOwner
}

// sgAllows evaluates the interface's security groups for one direction.
func (ix *Index) sgAllows(it *Interface, egress bool, proto, port int32, peerAddr netip.Addr, peer int32) match {
	res := no
	for _, gi := range it.SGs {
		g := &ix.sgs[gi]
		rs := g.rules(egress)
		for i := range rs {
			switch ix.allows(&rs[i], proto, port, peerAddr, peer) {
			case yes:
				return yes
			case maybe:
				res = maybe
			}
		}
	}
	if len(it.SGs) < len(it.sgIDs) {
		res = maybe // a group the interface names is not in the inventory
	}
	return res
}

func (ix *Index) internReason(v []byte) int32 {
	for i, r := range ix.reasons { // a handful of known values
		if string(v) == r {
			return int32(i)
		}
	}
	return -1
}

// ReasonText is the reject-reason value a Cause's Reason stands for.
func (ix *Index) ReasonText(i int32) string {
	if i >= 0 && int(i) < len(ix.reasons) {
		return ix.reasons[i]
	}
	return "other"
}

// knownReasons are the reject-reason values kept by name (AWS documents BPA, VPC Block Public Access); the
// index is shared read-only by the workers, so values are not interned while records are read: others read
// as "other".
var knownReasons = []string{"BPA"}

func (ix *Index) initReasons() {
	ix.reasons = append(ix.reasons, knownReasons...)
}

// Describe renders a cause for people and for grouping: its rule ("network ACL acl-… inbound rule 90: deny
// tcp 22 from 0.0.0.0/0"), or why it is undetermined.
func (ix *Index) Describe(c Cause) string {
	dir := "inbound"
	if c.Egress {
		dir = "outbound"
	}
	switch c.Kind {
	case CauseRecordReason:
		s := "record reject-reason " + ix.ReasonText(c.Reason)
		if ix.ReasonText(c.Reason) == "BPA" {
			s += " (VPC Block Public Access)"
		}
		return s
	case CauseNACL:
		a := &ix.acls[c.ACL]
		if c.Rule < 0 || c.Rule == 32767 {
			return fmt.Sprintf("network ACL %s %s rule *: no rule allows it (final deny)", a.id, dir)
		}
		es := a.entries(c.Egress)
		for _, e := range es {
			if e.rule == c.Rule {
				return fmt.Sprintf("network ACL %s %s rule %d: %s", a.id, dir, c.Rule, describeACLEntry(e, c.Egress))
			}
		}
		return fmt.Sprintf("network ACL %s %s rule %d", a.id, dir, c.Rule)
	case CauseNoSGAllow:
		it := &ix.Interfaces[c.Iface]
		return fmt.Sprintf("no %s security group rule allows it (considered %s)", dir, or(strings.Join(it.sgIDs, ", "), "no groups"))
	}
	return "undetermined: " + whyText[c.Why]
}

// Describer is Describe with its answers remembered: causes whose text is the same share one entry (the
// interface matters only to "no security group rule allows it", through the groups it names), so that a
// report's thousands of causes cost a map lookup each and a Sprintf per distinct text. Not safe for
// concurrent use; bounded by the inventory (its ACL rules, group lists and reasons).
type Describer struct {
	ix *Index
	m  map[Cause]string
}

// NewDescriber returns an empty Describer.
func (ix *Index) NewDescriber() *Describer { return &Describer{ix: ix, m: map[Cause]string{}} }

// Describe is Index.Describe(c).
func (d *Describer) Describe(c Cause) string {
	k := c
	k.Iface = none
	if c.Kind == CauseNoSGAllow {
		k.Iface = d.ix.sgText[c.Iface] // the number of its groups' text: equal texts, equal numbers
	}
	s, ok := d.m[k]
	if !ok {
		s = d.ix.Describe(c)
		d.m[k] = s
	}
	return s
}

// ExposureKey identifies one kind of exposure evidence: internet traffic ACCEPTed into interface Iface on
// Port/Proto, let in by rule Rule of security group SG (-1, -1: no rule found as read).
type ExposureKey struct {
	Iface       int32
	Port, Proto int32
	SG, Rule    int32
}

// Exposure says whether ACCEPT record r is internet traffic into an inventory interface on a sensitive
// port; the source is pkt-srcaddr when the record has it (the original client behind a load balancer or NAT).
func (ix *Index) Exposure(r *flowlog.Record, iface int32) (ExposureKey, netip.Addr, bool) {
	return ix.ExposureAt(r, iface, ix.Addr(r.DstAddr, iface))
}

// ExposureAt is Exposure with the interface holding the destination address already looked up (Addr with
// near = iface).
func (ix *Index) ExposureAt(r *flowlog.Record, iface, dst int32) (ExposureKey, netip.Addr, bool) {
	if r.DstPort < 0 || !ix.Sensitive(r.DstPort) || !r.DstAddr.IsValid() {
		return ExposureKey{}, netip.Addr{}, false
	}
	src := r.SrcAddr
	if r.PktSrcAddr.IsValid() {
		src = r.PktSrcAddr
	}
	if !src.IsValid() || ix.Internal(src) {
		return ExposureKey{}, netip.Addr{}, false
	}
	x := dst
	if x < 0 || iface >= 0 && x != iface {
		return ExposureKey{}, netip.Addr{}, false // not into an inventory interface: outbound, or passing through
	}
	k := ExposureKey{Iface: x, Port: r.DstPort, Proto: r.Protocol, SG: none, Rule: none}
	for _, gi := range ix.Interfaces[x].SGs {
		g := &ix.sgs[gi]
		for i := range g.in {
			if ix.allows(&g.in[i], r.Protocol, r.DstPort, src, none) == yes {
				k.SG, k.Rule = gi, int32(i)
				return k, src, true
			}
		}
	}
	return k, src, true
}

// SGRuleText names the rule of an ExposureKey: "sg-0abc (web) inbound tcp 22 from 0.0.0.0/0".
func (ix *Index) SGRuleText(sg, rule int32) string {
	if sg < 0 || rule < 0 {
		return ""
	}
	g := &ix.sgs[sg]
	s := g.id
	if g.name != "" {
		s += " (" + g.name + ")"
	}
	return s + " inbound " + DescribeSGRule(g.in[rule].src, false)
}
