package enrich

import (
	"cmp"
	"encoding/binary"
	"math"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// The per-record lookups. Everything here is built once by New and then only read, except the Attributor,
// which is one worker's memo of attribution answers.
//
//   - IPv4 addresses → interface: a flat open-addressing table of (uint32 address, interface) slots, 8 bytes
//     each, load ≤ 1/4: one multiply, and a probe that ends in one test at its first slot whether the address
//     is held or not (no branch the predictor must guess per record).
//   - interface → resource and its own IPv4 address: flat arrays (4 and 8 bytes an interface), the resource
//     array offset so that none and ambiguous index it too. A record's interface usually holds one of its two
//     addresses, which Lookup then settles with a compare instead of a probe. Find4, Addr4 and Res are small
//     enough to be inlined into the caller's per-record path (analyze's enrichShard.add: a probe per address),
//     Sides is the whole lookup in one call. Its rule policies, subnet and groups (attribution only) are in
//     ifHot.
//   - attribution and exposure: memoised per worker by what determines their answer (the subject interface,
//     the direction, the peer's interface, the protocol, and the classes of the port and of the peer's address
//     under the subject's rules), so that one-off internet sources reuse the answer computed for the first.

// ifHot is the rule data of one interface (attribution); what every record needs of its interface (own4,
// res) is in flat arrays of the Index, 12 bytes an interface, so that it stays in the closest cache.
type ifHot struct {
	pol    [2]int32 // the rule policy of the inbound / outbound direction; -1: no rules read
	subnet int32    // the subnet, numbered
	sgset  int32    // the list of security groups, numbered (equal lists, equal numbers)
}

// noOwn4 is Index.own4's entry for an interface holding no IPv4 address of its own: above every uint32, so
// that one compare settles "is this address the interface's own" without a test of whether it has one.
const noOwn4 = 1 << 32

type slot4 struct {
	k uint32 // 0: empty (0.0.0.0 is never an interface address), e then none
	e int32  // interface index, or ambiguous
}

// table4 maps IPv4 addresses to interface indexes (ambiguous when several interfaces hold one): 8 bytes a
// slot, at most a quarter of the slots used.
type table4 struct {
	slots []slot4 // a power of two: an index masked by len-1 needs no bounds check
	shift uint32  // 32 - log2(len(slots)): Fibonacci hashing takes the product's top bits
}

// at is the home slot of k: one multiply (shift < 32: the mask spares the compiler's oversized-shift test).
func (t *table4) at(k uint32) uint32 { return (k * 0x9e3779b1) >> (t.shift & 31) }

func newTable4(m map[uint32]int32) table4 {
	size := 16
	for size < 4*len(m) { // load ≤ 1/4: most probes, found or not, end at their first slot
		size <<= 1
	}
	t := table4{slots: make([]slot4, size), shift: uint32(32 - bits.TrailingZeros(uint(size)))}
	for i := range t.slots {
		t.slots[i].e = none // so that a probe for key 0 ends, at the first empty slot, with none
	}
	for k, v := range m {
		if k == 0 {
			continue
		}
		j := t.at(k)
		for t.slots[j].k != 0 {
			j = (j + 1) & uint32(size-1)
		}
		t.slots[j] = slot4{k, v}
	}
	return t
}

// find is k's slot, or an empty one (e none) when no interface holds k.
func (t *table4) find(k uint32) slot4 {
	j := t.at(k) // the table is never empty (16 slots at least) nor full (load ≤ 1/4)
	for {
		s := t.slots[j&uint32(len(t.slots)-1)]
		// s.k == k || s.k == 0 in one test (a product of two uint32 in 64 bits is 0 only when one is): the
		// loop's one branch is then almost always taken the same way, where "found" against "empty" — an
		// inventory peer against an internet one — was a coin toss for the branch predictor.
		if uint64(s.k)*uint64(s.k^k) == 0 {
			return s
		}
		j++
	}
}

func (t *table4) get(k uint32) int32 { return t.find(k).e }

// Addr4 is IPv4 address *a as a number (key4), a must be IPv4, in one load where netip.Addr's layout is as
// checked by addrWordOK: its 128-bit value as two uint64, high then low, the IPv4 address in the low word's
// low 32 bits (as ::ffff:a.b.c.d). As4 tests the address's kind again, against a variable it must load, and
// goes through memory with two byte swaps: some 14 instructions an address, on the path of every record.
func Addr4(a *netip.Addr) uint32 {
	if addrWordOK {
		return uint32((*[2]uint64)(unsafe.Pointer(a))[1])
	}
	return key4Of(a)
}

// key4Of is key4 out of line, so that Addr4 stays small enough to be inlined.
//
//go:noinline
func key4Of(a *netip.Addr) uint32 { return key4(*a) }

// addrWordOK: netip.Addr starts with its 128-bit value as two uint64, high then low (checked on addresses
// whose words all differ, so that a different layout cannot pass); else Addr4 uses As4.
var addrWordOK = func() bool {
	if unsafe.Sizeof(netip.Addr{}) < 16 {
		return false
	}
	for _, s := range []string{"1.2.3.4", "203.0.113.77", "255.254.253.252"} {
		a := netip.MustParseAddr(s)
		w := (*[2]uint64)(unsafe.Pointer(&a))
		if w[0] != 0 || w[1] != 0xffff<<32|uint64(key4(a)) {
			return false
		}
	}
	a := netip.MustParseAddr("2001:db8:1:2:3:4:5:6")
	w := (*[2]uint64)(unsafe.Pointer(&a))
	return w[0] == 0x20010db800010002 && w[1] == 0x0003000400050006
}()

// key4 is IPv4 address a as a number; a must be IPv4.
func key4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// Lookup is Addr and Known in one probe: the interface holding a (resolved near, as Addr), and whether some
// inventory interface holds a at all.
func (ix *Index) Lookup(a netip.Addr, near int32) (int32, bool) {
	if a.Is4() {
		return ix.lookup4(key4(a), near)
	}
	return ix.lookup6(a, near)
}

func (ix *Index) lookup4(k uint32, near int32) (int32, bool) {
	if near >= 0 && ix.own4[near] == uint64(k) {
		return near, true
	}
	e := ix.v4.get(k)
	if e == ambiguous {
		return ix.resolve4(k, near), true
	}
	return e, e != none
}

func (ix *Index) resolve4(k uint32, near int32) int32 {
	b := [4]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)}
	return ix.resolve(netip.AddrFrom4(b), near)
}

// LookupRecord is Lookup of a record's source and destination addresses (near: the record's interface) in
// one call (Sides without the resources).
func (ix *Index) LookupRecord(r *flowlog.Record, near int32) (si, di int32, sk, dk bool) {
	sd := ix.Sides(r, near)
	return sd.Src, sd.Dst, sd.SrcKnown, sd.DstKnown
}

// Sides is what enrichment needs of a record's addresses, from one call (Index.Sides).
type Sides struct {
	Src, Dst           int32 // the interfaces holding the source and destination addresses: Lookup(a, near)
	SrcRes, DstRes     int32 // their resources; -1: none
	SrcKnown, DstKnown bool  // some inventory interface holds the address (also when several do)
}

// Sides looks up a record's source and destination addresses (near: the record's interface, as Lookup) and
// their resources, in one call without calls on its common path (both addresses IPv4): the interface usually
// holds one of them, which a compare with its own address settles, and the other costs one probe of the flat
// table, written out here (a call would spill every live register).
func (ix *Index) Sides(r *flowlog.Record, near int32) (sd Sides) {
	if !r.SrcAddr.Is4() || !r.DstAddr.Is4() {
		sd.Src, sd.SrcKnown = ix.Lookup(r.SrcAddr, near)
		sd.Dst, sd.DstKnown = ix.Lookup(r.DstAddr, near)
		sd.SrcRes, sd.DstRes = ix.ResourceOf(sd.Src), ix.ResourceOf(sd.Dst)
		return sd
	}
	s, d := key4(r.SrcAddr), key4(r.DstAddr)
	var se, de int32
	if near >= 0 {
		switch ix.own4[near] {
		case uint64(s):
			se, de = near, ix.v4.get(d)
		case uint64(d):
			se, de = ix.v4.get(s), near
		default:
			se, de = ix.v4.get(s), ix.v4.get(d)
		}
	} else {
		se, de = ix.v4.get(s), ix.v4.get(d)
	}
	sd = Sides{Src: se, Dst: de, SrcKnown: se != none, DstKnown: de != none}
	if se == ambiguous {
		sd.Src = ix.resolve4(s, near)
	}
	if de == ambiguous {
		sd.Dst = ix.resolve4(d, near)
	}
	sd.SrcRes, sd.DstRes = ix.ResourceOf(sd.Src), ix.ResourceOf(sd.Dst)
	return sd
}

func (ix *Index) lookup6(a netip.Addr, near int32) (int32, bool) {
	if !a.IsValid() || a.Is4In6() { // an IPv4-mapped address is never an interface's (New unmaps them)
		return none, false
	}
	e, ok := ix.v6[a.As16()]
	if !ok {
		return none, false
	}
	if e == ambiguous {
		return ix.resolve(a, near), true
	}
	return e, true
}

// resolve picks, among the interfaces holding a, the first in near's VPC.
func (ix *Index) resolve(a netip.Addr, near int32) int32 {
	if near >= 0 {
		for _, c := range ix.multi[a] {
			if ix.Interfaces[c].VPC == ix.Interfaces[near].VPC {
				return c
			}
		}
	}
	return none
}

// ranges are sorted disjoint closed address ranges, for Internal.
type ranges4 struct{ lo, hi []uint32 }

type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int { return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo)) }

func key6(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

type ranges6 struct{ lo, hi []u128 }

// prefixRange4 is the first and last address of an IPv4 prefix.
func prefixRange4(p netip.Prefix) (uint32, uint32) {
	lo := key4(p.Masked().Addr())
	if p.Bits() == 0 {
		return lo, ^uint32(0)
	}
	return lo, lo | (1<<(32-p.Bits()) - 1)
}

func prefixRange6(p netip.Prefix) (u128, u128) {
	lo := key6(p.Masked().Addr())
	hi := lo
	switch b := p.Bits(); {
	case b == 0:
		hi = u128{^uint64(0), ^uint64(0)}
	case b < 64:
		hi.hi |= 1<<(64-b) - 1
		hi.lo = ^uint64(0)
	case b < 128:
		hi.lo |= 1<<(128-b) - 1
	}
	return lo, hi
}

// buildInternal merges the internal prefixes into sorted disjoint ranges.
func (ix *Index) buildInternal() {
	type r4 struct{ lo, hi uint32 }
	type r6 struct{ lo, hi u128 }
	var v4 []r4
	var v6 []r6
	for _, p := range ix.internal {
		if !p.IsValid() {
			continue
		}
		if p.Addr().Is4() {
			lo, hi := prefixRange4(p)
			v4 = append(v4, r4{lo, hi})
		} else {
			lo, hi := prefixRange6(p)
			v6 = append(v6, r6{lo, hi})
		}
	}
	slices.SortFunc(v4, func(a, b r4) int { return cmp.Compare(a.lo, b.lo) })
	for _, r := range v4 {
		if n := len(ix.in4.lo); n > 0 && uint64(r.lo) <= uint64(ix.in4.hi[n-1])+1 {
			ix.in4.hi[n-1] = max(ix.in4.hi[n-1], r.hi)
			continue
		}
		ix.in4.lo, ix.in4.hi = append(ix.in4.lo, r.lo), append(ix.in4.hi, r.hi)
	}
	slices.SortFunc(v6, func(a, b r6) int { return a.lo.cmp(b.lo) })
	for _, r := range v6 {
		if n := len(ix.in6.lo); n > 0 && r.lo.cmp(ix.in6.hi[n-1]) <= 0 {
			if r.hi.cmp(ix.in6.hi[n-1]) > 0 {
				ix.in6.hi[n-1] = r.hi
			}
			continue
		}
		ix.in6.lo, ix.in6.hi = append(ix.in6.lo, r.lo), append(ix.in6.hi, r.hi)
	}
}

// inRanges4 reports whether k is in one of the ranges (binary search).
func (r *ranges4) contains(k uint32) bool {
	i := upper(r.lo, k) // ranges starting at or before k
	return i > 0 && k <= r.hi[i-1]
}

func (r *ranges6) contains(k u128) bool {
	i := upper6(r.lo, k)
	return i > 0 && k.cmp(r.hi[i-1]) <= 0
}

// upper is the number of elements of sorted s that are ≤ k: a binary search without a data-dependent
// branch (the halving is fixed by len(s), and the step is taken by a mask: the compiler keeps branches in
// loops), so that the peers' random addresses and ports cost no mispredictions.
func upper[T int32 | uint32](s []T, k T) int {
	n := len(s)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 {
		half := n >> 1
		below := int((int64(k) - int64(s[base+half])) >> 63) // -1 when s[base+half] > k, else 0
		base += half &^ below
		n -= half
	}
	if s[base] <= k {
		base++
	}
	return base
}

// upper6 is upper for IPv6 keys.
func upper6(s []u128, k u128) int {
	lo, n := 0, len(s)
	for n > 0 {
		h := n >> 1
		if s[lo+h].cmp(k) <= 0 {
			lo += h + 1
			n -= h + 1
		} else {
			n = h
		}
	}
	return lo
}

// policy is what one direction of an interface's rules (its subnet's ACL entries and its groups' rules for
// that direction) distinguish in a peer address and a port: the boundaries of the elementary intervals that
// their prefixes and port ranges cut the address and port spaces into. Within one interval every prefix
// (port range) either contains every value or none, so every rule of the policy answers the same for all of
// them: the interval's index (its class) stands for the value in the memo key.
type policy struct {
	v4    []uint32 // sorted, distinct interval starts (the class of k is the number ≤ k)
	v6    []u128
	ports []int32
	// groupRefs: a security-group rule of the direction refers to a group of the inventory, so the peer's
	// groups matter (else only whether the peer is in the inventory, and in the subject's subnet, does).
	groupRefs bool
}

// buildPolicies gives every interface whose rules were read a policy per direction, shared by the
// interfaces with the same ACL and groups.
func (ix *Index) buildPolicies() {
	var byKey, subnets, sgsets interner[string]
	var sb strings.Builder
	for e := range ix.Interfaces {
		it := &ix.Interfaces[e]
		ix.hot[e].subnet, _ = subnets.add(it.Subnet)
		sb.Reset()
		for _, g := range it.SGs {
			sb.WriteString(strconv.Itoa(int(g)) + "/")
		}
		if it.SGs == nil {
			sb.WriteString("nil") // not read: not the same as no groups
		}
		ix.hot[e].sgset, _ = sgsets.add(sb.String())
		for d, egress := range []bool{false, true} {
			if !it.rulesRead {
				ix.hot[e].pol[d] = none
				continue
			}
			sb.Reset()
			sb.WriteString(strconv.FormatBool(egress))
			sb.WriteString("/" + strconv.Itoa(int(it.acl)))
			for _, g := range it.SGs {
				sb.WriteString("/" + strconv.Itoa(int(g)))
			}
			if len(it.SGs) < len(it.sgIDs) {
				sb.WriteString("/missing") // a group the interface names is not in the inventory: maybe
			}
			p, added := byKey.add(sb.String())
			if added { // policies are numbered as their keys are
				ix.pols = append(ix.pols, ix.compilePolicy(it, egress))
			}
			ix.hot[e].pol[d] = p
		}
	}
}

func (ix *Index) compilePolicy(it *Interface, egress bool) policy {
	var v4 []uint32
	var v6 []u128
	var ports []int32
	groupRefs := false
	addPrefix := func(p netip.Prefix) {
		if !p.IsValid() {
			return
		}
		if p.Addr().Is4() {
			lo, hi := prefixRange4(p)
			v4 = append(v4, lo)
			if hi != ^uint32(0) {
				v4 = append(v4, hi+1)
			}
			return
		}
		lo, hi := prefixRange6(p)
		v6 = append(v6, lo)
		if hi != (u128{^uint64(0), ^uint64(0)}) {
			n := hi
			n.lo++
			if n.lo == 0 {
				n.hi++
			}
			v6 = append(v6, n)
		}
	}
	addPorts := func(from, to int32) {
		if from >= 0 {
			ports = append(ports, from)
			if to < math.MaxInt32 {
				ports = append(ports, to+1)
			}
		}
	}
	if it.acl >= 0 {
		a := &ix.acls[it.acl]
		es := a.entries(egress)
		for _, e := range es {
			addPrefix(e.prefix)
			addPorts(e.from, e.to)
		}
	}
	for _, gi := range it.SGs {
		g := &ix.sgs[gi]
		rs := g.rules(egress)
		for i := range rs {
			addPrefix(rs[i].prefix)
			addPorts(rs[i].from, rs[i].to)
			groupRefs = groupRefs || rs[i].group >= 0
		}
	}
	slices.Sort(v4)
	slices.SortFunc(v6, u128.cmp)
	slices.Sort(ports)
	return policy{v4: slices.Compact(v4), v6: slices.CompactFunc(v6, func(a, b u128) bool { return a == b }), ports: slices.Compact(ports), groupRefs: groupRefs}
}

// Memo keys: b's low two bits are never 0, so b == 0 marks an empty slot; bit 2 marks exposure answers,
// bit 3 the outbound direction, bit 4 an IPv6 peer, bits 5–12 the protocol, 13–31 the port class, 32–63 the
// address class. a: the policy and the peer's key (attribution), or the interface and port (exposure).
const (
	tagRules    = 3
	tagExposure = 1 << 2
	egressBit   = 1 << 3
)

// ruleKey is the memo key of the rules' answer for a record whose subject x (outbound when egress) and peer
// are known and whose rules were read (policy pi): the policy, what the rules can tell of the peer, and the
// classes of port and peer address. ok false: evaluate directly.
func (ix *Index) ruleKey(r *flowlog.Record, pi, x int32, egress bool, peer int32) (a, b uint64, ok bool) {
	peerAddr := r.SrcAddr
	if egress {
		peerAddr = r.DstAddr
	}
	if r.Protocol > 255 {
		return 0, 0, false
	}
	p := &ix.pols[pi]
	b, ok = ix.classes(p, r.Protocol, r.DstPort, peerAddr)
	if !ok {
		return 0, 0, false
	}
	if egress {
		b |= egressBit
	}
	// The peer matters through whether it is in the inventory, whether it is in x's subnet (traffic inside a
	// subnet does not cross its ACL) and, when a rule refers to a group, which groups it holds.
	var pk uint64
	if peer >= 0 {
		ph := &ix.hot[peer]
		pk = 1
		if ph.subnet == ix.hot[x].subnet {
			pk |= 2
		}
		if p.groupRefs {
			pk |= uint64(ph.sgset) << 2
		}
	}
	if pk >= 1<<32 {
		return 0, 0, false
	}
	return uint64(uint32(pi))<<32 | pk, b | tagRules, true
}

// classes packs the classes of port and peer (under policy p) and the protocol into the high bits of a key:
// addr class <<32 | port class <<13 | proto <<5 | family <<4.
func (ix *Index) classes(p *policy, proto, port int32, peer netip.Addr) (uint64, bool) {
	peer = peer.Unmap()
	var ac, fam uint64
	if peer.Is4() {
		ac = uint64(upper(p.v4, key4(peer)))
	} else {
		if peer.Zone() != "" {
			return 0, false // a zoned address matches no prefix: not worth a class of its own
		}
		ac, fam = uint64(upper6(p.v6, key6(peer))), 1
	}
	var pc uint64
	if hasPorts(proto) {
		pc = uint64(upper(p.ports, port))
	}
	if pc >= 1<<19 || ac >= 1<<32 {
		return 0, false
	}
	return ac<<32 | pc<<13 | uint64(proto)<<5 | fam<<4, true
}

// exposureKey is the memo key of ExposureAt's answer for a record that passed its filters: subject x, port,
// and the classes of the protocol and of the source under x's inbound policy; ok false: evaluate directly.
func (ix *Index) exposureKey(x, proto, port int32, src netip.Addr) (a, b uint64, ok bool) {
	pi := ix.hot[x].pol[0]
	if pi < 0 || proto < 0 || proto > 255 || port < 0 || port > 65535 {
		return 0, 0, false
	}
	b, ok = ix.classes(&ix.pols[pi], proto, port, src)
	return uint64(uint32(x))<<32 | uint64(port), b | tagExposure | tagRules, ok
}

type memoSlot struct {
	a, b uint64
	id   int32
}

// Attributor is one worker's attribution and exposure, memoised. An answer is split into the interface it
// names and the rest, a template (a Cause with Iface -1), interned: templates are bounded by the inventory's
// ACL entries (a few per entry) and the undetermined reasons. A two-way memo of MemoSlots entries maps
// what determines the rules' answer — the subject's policy (its ACL, its groups, the direction), what the
// rules can tell of the peer, the protocol and the classes of port and peer address — to the template, so
// that interfaces sharing rules, and sources the rules do not tell apart (one-off internet scanners), share
// one entry. Exposure answers are interned whole (ExposureKey ids) and memoised per interface. Not safe for
// concurrent use; one per worker. Memory: the memo (24 bytes a slot), plus the interned templates and
// exposure keys, bounded by the inventory.
type Attributor struct {
	ix     *Index
	memo   [][2]memoSlot // two-way sets, the most recently used first
	mask   uint64
	tmpls  interner[Cause]
	early  [16]int32 // the template of each undetermined Why code
	reason []int32   // the template of each record reject-reason (index reason id + 1)
	expos  interner[ExposureKey]
	// Hits and Misses count the memo's answers: for benchmarks and tests.
	Hits, Misses int64
}

// MemoSlots is the default number of memo entries per Attributor (24 bytes each: 96 KiB).
const MemoSlots = 4096

// NewAttributor returns a worker's attributor with a memo of slots entries in two-way sets (a power of two
// ≥ 16 is used; MemoSlots when slots ≤ 0).
func (ix *Index) NewAttributor(slots int) *Attributor {
	if slots <= 0 {
		slots = MemoSlots
	}
	n := 16
	for n < slots {
		n <<= 1
	}
	at := &Attributor{ix: ix, memo: make([][2]memoSlot, n/2), mask: uint64(n/2 - 1)}
	for why := range at.early {
		at.early[why] = at.template(Cause{Kind: CauseUndetermined, Why: uint8(why), Iface: none, ACL: none, Rule: none})
	}
	for rid := int32(-1); rid < int32(len(ix.reasons)); rid++ {
		at.reason = append(at.reason, at.template(Cause{Kind: CauseRecordReason, Iface: none, Reason: rid, ACL: none, Rule: none}))
	}
	return at
}

// set returns the memo set of key (a, b): two slots, the most recently used first.
func (at *Attributor) set(a, b uint64) *[2]memoSlot {
	h := a*0x9e3779b97f4a7c15 + b*0xc2b2ae3d27d4eb4f
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return &at.memo[h&at.mask]
}

// lookup finds (a, b) in its set, making it the set's first.
func (at *Attributor) lookup(s *[2]memoSlot, a, b uint64) (int32, bool) {
	if s[0].a == a && s[0].b == b {
		at.Hits++
		return s[0].id, true
	}
	if s[1].a == a && s[1].b == b {
		at.Hits++
		s[0], s[1] = s[1], s[0]
		return s[0].id, true
	}
	at.Misses++
	return 0, false
}

// store puts (a, b) → id first in its set, the least recently used entry leaving.
func store(s *[2]memoSlot, a, b uint64, id int32) {
	s[1] = s[0]
	s[0] = memoSlot{a, b, id}
}

// Attribute is AttributeAt (same arguments) as the interface the cause names (its Iface) and a template id:
// Cause(x, t) is AttributeAt's answer. Only a record whose rules must be evaluated and whose determining
// inputs were not seen lately costs an evaluation.
func (at *Attributor) Attribute(r *flowlog.Record, iface, src, dst int32) (x, t int32) {
	ix := at.ix
	if v := r.Field(flowlog.RejectReason); len(v) > 0 && !flowlog.IsNA(v) {
		return iface, at.reason[ix.internReason(v)+1]
	}
	if !r.SrcAddr.IsValid() || !r.DstAddr.IsValid() {
		return iface, at.early[WhyNoAddrs]
	}
	if r.Protocol < 0 {
		return iface, at.early[WhyBadProto]
	}
	x, egress, peer, why := ix.subject(r, iface, src, dst)
	if why != WhyNone {
		return x, at.early[why]
	}
	d := 0
	if egress {
		d = 1
	}
	pi := ix.hot[x].pol[d]
	if pi < 0 {
		return x, at.early[WhyRulesNotRead]
	}
	a, b, ok := ix.ruleKey(r, pi, x, egress, peer)
	if !ok {
		return at.split(ix.AttributeAt(r, iface, src, dst))
	}
	s := at.set(a, b)
	if t, ok := at.lookup(s, a, b); ok {
		return x, t
	}
	x, t = at.split(ix.AttributeAt(r, iface, src, dst))
	store(s, a, b, t)
	return x, t
}

// split interns c's template.
func (at *Attributor) split(c Cause) (int32, int32) {
	x := c.Iface
	c.Iface = none
	return x, at.template(c)
}

func (at *Attributor) template(c Cause) int32 {
	id, _ := at.tmpls.add(c)
	return id
}

// Cause is the cause of interface x and template t (from Attribute).
func (at *Attributor) Cause(x, t int32) Cause {
	c := at.tmpls.keys[t]
	c.Iface = x
	return c
}

// Kind is template t's cause kind.
func (at *Attributor) Kind(t int32) CauseKind { return at.tmpls.keys[t].Kind }

// Exposure is ExposureAt (same arguments) with the answer's id (ExposureKey gives the key); the source is
// returned as ExposureAt returns it.
func (at *Attributor) Exposure(r *flowlog.Record, iface, dst int32) (int32, netip.Addr, bool) {
	ix := at.ix
	if r.DstPort < 0 || !ix.Sensitive(r.DstPort) || !r.DstAddr.IsValid() {
		return 0, netip.Addr{}, false
	}
	x := dst
	if x < 0 || iface >= 0 && x != iface { // first: cheaper than Internal, and no other effect
		return 0, netip.Addr{}, false
	}
	src := r.SrcAddr
	if r.PktSrcAddr.IsValid() {
		src = r.PktSrcAddr
	}
	if !src.IsValid() || ix.Internal(src) {
		return 0, netip.Addr{}, false
	}
	a, b, ok := ix.exposureKey(x, r.Protocol, r.DstPort, src)
	if !ok {
		k, s, _ := ix.ExposureAt(r, iface, dst)
		return at.expoOf(k), s, true
	}
	s := at.set(a, b)
	if id, ok := at.lookup(s, a, b); ok {
		return id, src, true
	}
	k, _, _ := ix.ExposureAt(r, iface, dst)
	id := at.expoOf(k)
	store(s, a, b, id)
	return id, src, true
}

func (at *Attributor) expoOf(k ExposureKey) int32 {
	id, _ := at.expos.add(k)
	return id
}

// ExposureKey is the exposure key with id id (from Exposure).
func (at *Attributor) ExposureKey(id int32) ExposureKey { return at.expos.keys[id] }

// Find4 is the interface holding IPv4 address k (as a number) and its resource: (-1, -1) when none does;
// (Ambiguous, -1) when several do, which Lookup resolves (by the record's interface).
func (ix *Index) Find4(k uint32) (int32, int32) {
	e := ix.v4.get(k)
	return e, ix.res2[e+2] // without a branch on whether some interface holds k
}

// Ambiguous is Find4's answer for an address several interfaces hold.
const Ambiguous = ambiguous

// Res is the resource of interface e (e ≥ 0).
func (ix *Index) Res(e int32) int32 { return ix.res[e] }

// interner numbers distinct keys 0, 1, 2… in the order they are first added.
type interner[K comparable] struct {
	id   map[K]int32
	keys []K // keys[id] is the key numbered id
}

// add returns k's number, and whether k was new.
func (in *interner[K]) add(k K) (int32, bool) {
	if id, ok := in.id[k]; ok {
		return id, false
	}
	if in.id == nil {
		in.id = map[K]int32{}
	}
	id := int32(len(in.keys))
	in.id[k] = id
	in.keys = append(in.keys, k)
	return id, true
}
