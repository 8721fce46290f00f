package analyze

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Key modes of the top lists: by address (the default) or by the resource that owns the address.
const (
	ByAddress  = "address"
	ByResource = "resource"
)

// Enrichment is the part of the report that joins the records to the inventory (Config.Enrich).
type Enrichment struct {
	Interfaces int `json:"inventory_interfaces"`
	Resources  int `json:"inventory_resources"`
	// Resolved counts the records whose interface, or one of whose addresses, is in the inventory.
	Resolved   int64 `json:"records_resolved"`
	Unresolved int64 `json:"records_unresolved"`
	// ByResource are the top lists keyed by resource: an address no inventory interface holds stays an
	// address row.
	ByResource   []TopList         `json:"top_by_resource"`
	PerResource  []ResourceTraffic `json:"resources"`
	RejectCauses []RejectCause     `json:"reject_causes"`
	// RejectsAttributed counts REJECT records by cause kind.
	RejectsByKind  map[string]int64 `json:"rejects_by_cause"`
	Exposure       []Exposure       `json:"exposure"`
	SensitivePorts []int32          `json:"sensitive_ports"`
	Notes          []string         `json:"notes,omitempty"`
}

// ResourceTraffic is what one resource's interfaces logged.
type ResourceTraffic struct {
	Resource string   `json:"resource"`
	Kind     string   `json:"kind"`
	ID       string   `json:"id"`
	Name     string   `json:"name,omitempty"`
	VPC      string   `json:"vpc_id,omitempty"`
	Account  string   `json:"account_id,omitempty"`
	Region   string   `json:"region,omitempty"`
	Ifaces   []string `json:"interfaces"`
	Records  int64    `json:"records"`
	Bytes    int64    `json:"bytes"`
	Rejects  int64    `json:"rejects"`
	// Sent and Received are the ACCEPTed bytes with the resource as source / destination, in any record.
	Sent     int64 `json:"bytes_sent"`
	Received int64 `json:"bytes_received"`
}

// RejectCause is one cause of REJECTs on one resource.
type RejectCause struct {
	Resource string `json:"resource"`
	Cause    string `json:"cause"` // network-acl, no-security-group-allow, reject-reason, undetermined
	Rule     string `json:"rule"`  // the rule (or the reason it is undetermined)
	Records  int64  `json:"records"`
}

// Exposure is internet traffic ACCEPTed to a sensitive port of a resource: evidence, not a guess from rules.
type Exposure struct {
	Resource  string    `json:"resource"`
	Interface string    `json:"interface"`
	Port      int32     `json:"port"`
	Protocol  int32     `json:"protocol"`
	Service   string    `json:"service,omitempty"`
	Rule      string    `json:"allowed_by"` // the security-group rule that lets it in, as read
	Records   int64     `json:"records"`
	Bytes     int64     `json:"bytes"`
	Sources   int       `json:"distinct_sources"` // at most maxExposureSources, then "at least"
	Examples  []string  `json:"example_sources"`
	First     time.Time `json:"first_seen,omitzero"`
	Last      time.Time `json:"last_seen,omitzero"`
}

// maxExposureSources bounds the distinct sources remembered per exposure row.
const maxExposureSources = 64

// rkey is an address, or a resource (res ≥ 0) of the enrichment index.
type rkey struct {
	a   akey
	res int32
}

func (k rkey) compare(o rkey) int { return cmp.Or(cmp.Compare(k.res, o.res), k.a.compare(o.a)) }

func (k rkey) hash(seed uint64) uint64 { return k.a.hash(mix(uint64(uint32(k.res)) ^ seed)) }

type rport struct {
	res         int32 // -1: the destination is not in the inventory
	port, proto int32
}

func (k rport) hash(seed uint64) uint64 {
	return mix(uint64(uint32(k.port))<<32 | uint64(uint32(k.proto)) ^ mix(uint64(uint32(k.res))^seed))
}

func (k rport) compare(o rport) int {
	return cmp.Or(cmp.Compare(k.res, o.res), cmp.Compare(k.port, o.port), cmp.Compare(k.proto, o.proto))
}

type causeKey struct {
	res int32
	c   enrich.Cause
}

type exposureStat struct {
	records, bytes int64
	first, last    int64
	srcs           []akey
	hi             int // when len(srcs) is maxExposureSources: the index of the highest source kept
	more           bool
}

// addSource remembers source a: the maxExposureSources lowest addresses are kept (whatever the order they
// come in, so the report does not depend on which worker read what), and more says some were not. Once the
// list is full, a source above the highest kept (most sources of a busy row) costs one compare.
func (x *exposureStat) addSource(a akey) {
	if len(x.srcs) == maxExposureSources {
		switch c := a.compare(x.srcs[x.hi]); {
		case c > 0:
			x.more = true
			return
		case c == 0:
			return
		}
	}
	if slices.Contains(x.srcs, a) {
		return
	}
	if len(x.srcs) < maxExposureSources {
		x.srcs = append(x.srcs, a)
		if len(x.srcs) == maxExposureSources {
			x.findHi()
		}
		return
	}
	x.more = true
	x.srcs[x.hi] = a // a is below the highest
	x.findHi()
}

func (x *exposureStat) findHi() {
	x.hi = 0
	for i, s := range x.srcs {
		if s.compare(x.srcs[x.hi]) > 0 {
			x.hi = i
		}
	}
}

// resStat is what one worker counted for one resource on every record: 32 bytes, so that the counters
// most records touch stay few cache lines; the REJECTs' are apart (rejStat).
type resStat struct {
	recs, bytes int64
	sent, recv  int64 // ACCEPTed bytes with the resource as source / destination
}

// rejStat is what one worker counted for one resource on REJECT records.
type rejStat struct {
	rejs           int64
	rejSrc, rejDst int64 // REJECTs with the resource as source / destination
}

// enrichShard is one worker's enrichment state. What resolves to a resource is counted in flat structures
// (an array indexed by resource, counter64 tables keyed by packed resource numbers, counts indexed by the
// attributor's cause and exposure ids): O(1) per record, no allocation. Addresses held by several
// interfaces, which the record does not single out, go to small top-k tables, and so do the rejected
// destination ports: those three are the bounded ones (they prune past TopKCapacity), so they are the part's,
// handed over at Shard.EndPart and merged in (unit, chunk) order with the main tables (enrTables), never per
// worker. The rest are exact sums (resources, causes, kinds, resolved counts) or order-independent
// (exposure rows keep the lowest maxExposureSources source addresses, and first/last are min/max); each
// structure is bounded by the inventory's size or by TopKCapacity (the part tables: as many as the main
// ones, at most 2×workers+2 waiting), and the attribution memo (a cache: it changes no answer) by
// enrich.MemoSlots.
type enrichShard struct {
	ix                 *enrich.Index
	at                 *enrich.Attributor
	res                []resStat // per resource + 1; res[0] takes what has no resource
	rej                []rejStat
	rejSrcA, rejDstA   *TopK[rkey]        // REJECTs per address held by several interfaces
	rejPort            *lagged            // (destination resource+1)<<24 | port<<8 | protocol
	causeN             flatCount          // REJECTs per cause naming an interface: interface<<32 | at's template
	causes             map[causeKey]int64 // … per cause naming none, with the record's resource
	kinds              [4]int64
	expo               []exposureStat // per exposure id of at
	resolved, unresolv int64
}

// flatCount counts per uint64 key in an open-addressing table (linear probing, load ≤ 1/2, doubled when
// fuller): one multiply and usually one slot per count, where a Go map costs a hash call. Unbounded by
// itself: its keys must be (they are interface<<32 | template, bounded by the inventory). Its counts are
// applied lagLen late, as lagged's (the slots of a batch prefetched while the batch before is applied): the
// table is larger than the L1 cache and an inc's slot was usually a miss. The counts are exact sums, read only
// by each, which applies the queued ones first.
type flatCount struct {
	slots []flatSlot
	n     int
	shift uint // 64 - log2(len(slots)): Fibonacci hashing takes the product's top bits
	lag   lagQueue
}

type flatSlot struct {
	k uint64 // the key + 1; 0: empty
	v int64
}

// flatSlot is slot64's size: prefetchHomes finds a slot at 16 bytes × its index.
var _ = [1]struct{}{}[unsafe.Sizeof(flatSlot{})-unsafe.Sizeof(slot64{})]

func newFlatCount() flatCount { return flatCount{slots: make([]flatSlot, 64), shift: 64 - 6} }

// inc adds 1 to k's count (once lagLen more incs are made, or at each); k must not be the largest uint64.
func (c *flatCount) inc(k uint64) {
	if c.lag.push(k+1, 1) {
		c.batch()
	}
}

// batch prefetches the slots of the lagLen incs just queued and, if there are lagLen before them, applies
// those (lagged.batch's scheme).
func (c *flatCount) batch() {
	es := c.lag.fresh()
	for j := range es {
		es[j].i = (es[j].k * 0x9e3779b97f4a7c15) >> c.shift
	}
	prefetchHomes(unsafe.Pointer(unsafe.SliceData(c.slots)), es)
	if c.lag.n == lagLen {
		return
	}
	c.apply(c.lag.q[:lagLen])
	c.lag.shift()
}

// apply adds 1 to the count of each queued key (k + 1; the home slot is found again: the table may have grown
// since the prefetch).
func (c *flatCount) apply(es []lagEntry) {
	for _, e := range es {
		k := e.k
		mask := uint64(len(c.slots) - 1)
		for j := (k * 0x9e3779b97f4a7c15) >> c.shift; ; j = (j + 1) & mask {
			s := &c.slots[j]
			if s.k == k {
				s.v++
				break
			}
			if s.k == 0 {
				s.k, s.v = k, 1
				if c.n++; 2*c.n > len(c.slots) {
					c.grow()
				}
				break
			}
		}
	}
}

func (c *flatCount) grow() {
	old := c.slots
	c.slots, c.shift = make([]flatSlot, 2*len(old)), c.shift-1
	mask := uint64(len(c.slots) - 1)
	for _, s := range old {
		if s.k == 0 {
			continue
		}
		j := (s.k * 0x9e3779b97f4a7c15) >> c.shift
		for c.slots[j].k != 0 {
			j = (j + 1) & mask
		}
		c.slots[j] = s
	}
}

// each applies the queued incs, then calls f with every key and its count, in table order.
func (c *flatCount) each(f func(k uint64, v int64)) {
	c.apply(c.lag.q[:c.lag.n])
	c.lag.n = 0
	for _, s := range c.slots {
		if s.k != 0 {
			f(s.k-1, s.v)
		}
	}
}

func newEnrichShard(ix *enrich.Index, capacity int) *enrichShard {
	return &enrichShard{ix: ix, at: ix.NewAttributor(0), res: make([]resStat, len(ix.Resources)+1), rej: make([]rejStat, len(ix.Resources)),
		rejSrcA: newTopK(capacity, rkey.compare, rkey.hash), rejDstA: newTopK(capacity, rkey.compare, rkey.hash),
		rejPort: newLagged(capacity), causeN: newFlatCount(), causes: map[causeKey]int64{}}
}

// add counts one record; iface is its interface's index in the inventory (-1: none or unknown). Only the
// common case is written out here: an IPv4 record of an inventory interface, whose two addresses cost a probe
// each of the flat table (Find4, inlined: fewer instructions than settling the interface's own one by a
// compare, and no branch on which side it is), then an ACCEPT's counters. The rest — other records' lookups
// (sides), REJECTs (reject) and exposure (exposure) — are calls, so that this frame holds only what the
// common case needs and spills nothing on its way (a call spills every live register).
func (e *enrichShard) add(r *flowlog.Record, iface int32) {
	ix := e.ix
	var si, di, sres, dres, own int32
	var sknown, dknown bool
	if iface >= 0 && r.SrcAddr.Is4() && r.DstAddr.Is4() {
		si, sres = ix.Find4(enrich.Addr4(&r.SrcAddr))
		di, dres = ix.Find4(enrich.Addr4(&r.DstAddr))
		own = ix.Res(iface)
		sknown, dknown = si != -1, di != -1  // an ambiguous address is known, resolved or not
		if min(si, di) == enrich.Ambiguous { // resolved by the interface's VPC: Sides does
			si, di, sres, dres, own, sknown, dknown = e.sides(r, iface)
		}
	} else {
		si, di, sres, dres, own, sknown, dknown = e.sides(r, iface)
		if own < 0 && sres < 0 && dres < 0 { // (an inventory interface has a resource: own ≥ 0 above)
			e.unresolv++
			return
		}
	}
	e.resolved++
	bytes := max(r.Bytes, 0)
	// res is indexed by resource + 1: slot 0 takes the counts of "no resource" (-1), so that they cost no branch.
	res := e.res // (a store through e.res could change e.res for all the compiler knows)
	o := &res[own+1]
	o.recs++
	o.bytes += bytes
	switch r.Action {
	case flowlog.Reject:
		e.reject(r, iface, si, di, sres, dres, own, sknown, dknown)
	case flowlog.Accept:
		res[sres+1].sent += bytes // no branch on whether the peer is in the inventory: see o
		res[dres+1].recv += bytes
		if ix.Sensitive(r.DstPort) {
			e.exposure(r, iface, di, bytes)
		}
	}
}

// sides is add's lookup of a record that is not an IPv4 record of an inventory interface, or whose address
// several interfaces hold: the interfaces and resources of its addresses, the resource the record belongs to
// (the interface's; without one, whichever side is in the inventory, the destination first), and whether
// some interface holds each address.
//
//go:noinline
func (e *enrichShard) sides(r *flowlog.Record, iface int32) (si, di, sres, dres, own int32, sknown, dknown bool) {
	ix := e.ix
	sd := ix.Sides(r, iface)
	own = sd.DstRes // no interface field: the record belongs to whichever side is in the inventory
	if iface >= 0 {
		own = ix.Res(iface)
	} else if own < 0 {
		own = sd.SrcRes
	}
	return sd.Src, sd.Dst, sd.SrcRes, sd.DstRes, own, sd.SrcKnown, sd.DstKnown
}

// reject counts a REJECT record (add's lookups as arguments): per resource and side, the ambiguous addresses,
// the destination port, and its attribution.
//
//go:noinline
func (e *enrichShard) reject(r *flowlog.Record, iface, si, di, sres, dres, own int32, sknown, dknown bool) {
	if own >= 0 {
		e.rej[own].rejs++
	}
	// An address no interface holds is counted by the address table already; one several interfaces hold,
	// which the record does not single out, is kept by address.
	if sres >= 0 {
		e.rej[sres].rejSrc++
	} else if sknown {
		e.rejSrcA.Add(rkey{a: keyOf(r.SrcAddr), res: -1}, 1)
	}
	if dres >= 0 {
		e.rej[dres].rejDst++
	} else if dknown {
		e.rejDstA.Add(rkey{a: keyOf(r.DstAddr), res: -1}, 1)
	}
	if r.DstPort >= 0 && r.DstPort < 65536 {
		e.rejPort.add(uint64(dres+1)<<24|uint64(r.DstPort)<<8|uint64(r.Protocol&0xff), 1)
	}
	x, t := e.at.Attribute(r, iface, si, di)
	if x >= 0 { // the resource is the interface's
		e.causeN.inc(uint64(x)<<32 | uint64(t))
	} else {
		e.causes[causeKey{own, e.at.Cause(x, t)}]++
	}
	e.kinds[e.at.Kind(t)]++
}

// exposure counts an ACCEPT record to a sensitive port (di: the interface holding its destination) when it is
// exposure evidence.
//
//go:noinline
func (e *enrichShard) exposure(r *flowlog.Record, iface, di int32, bytes int64) {
	id, src, ok := e.at.Exposure(r, iface, di)
	if !ok {
		return
	}
	if int(id) >= len(e.expo) {
		e.expo = append(e.expo, make([]exposureStat, int(id)+1-len(e.expo))...)
	}
	x := &e.expo[id]
	if x.records == 0 {
		x.first, x.last = r.Start, r.End
	}
	x.records++
	x.bytes += bytes
	if r.Start >= 0 && (x.first < 0 || r.Start < x.first) {
		x.first = r.Start
	}
	x.last = max(x.last, r.End, r.Start)
	x.addSource(keyOf(src))
}

// finishEnrichment merges the shards' enrichment state into the report section. rejSrc and rejDst are the
// merged address tables, whose rows for addresses outside the inventory join the resource-keyed lists.
func (e *Engine) finishEnrichment(rejSrc, rejDst *TopK[akey]) *Enrichment {
	ix := e.cfg.Enrich
	c := e.cfg
	n := len(ix.Resources)
	out := &Enrichment{Interfaces: ix.Len(), Resources: n, RejectsByKind: map[string]int64{}, Notes: append([]string{}, ix.Notes...)}
	// The top-k tables were counted per part and merged in (unit, chunk) order with the others (see
	// Shard.EndPart): what survived their pruning does not depend on which worker read which part. The
	// resources' counts are exact sums, added (unpruned) after.
	src, dst, ports := e.tables.enSrc, e.tables.enDst, e.tables.enPort
	recs, bytes, rejs, sent, recv := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	rsrc, rdst := make([]int64, n), make([]int64, n)
	causes := map[causeKey]int64{}
	expo := map[enrich.ExposureKey]*exposureStat{}
	var kinds [4]int64
	for _, s := range e.shards {
		x := s.en
		if x == nil {
			continue
		}
		for i := range n {
			st := &x.res[i+1]
			sent[i] += st.sent
			recv[i] += st.recv
			rsrc[i] += x.rej[i].rejSrc
			rdst[i] += x.rej[i].rejDst
			recs[i] += st.recs
			bytes[i] += st.bytes
			rejs[i] += x.rej[i].rejs
		}
		for k, v := range x.causes {
			causes[k] += v
		}
		x.causeN.each(func(k uint64, v int64) {
			c := x.at.Cause(int32(k>>32), int32(uint32(k)))
			causes[causeKey{ix.ResourceOf(c.Iface), c}] += v
		})
		for i, v := range x.kinds {
			kinds[i] += v
		}
		for id := range x.expo {
			v := &x.expo[id]
			if v.records == 0 {
				continue
			}
			k := x.at.ExposureKey(int32(id))
			m := expo[k]
			if m == nil {
				expo[k] = v
				continue
			}
			m.records += v.records
			m.bytes += v.bytes
			if v.first >= 0 && (m.first < 0 || v.first < m.first) {
				m.first = v.first
			}
			m.last = max(m.last, v.last)
			for _, a := range v.srcs {
				m.addSource(a)
			}
			m.more = m.more || v.more
		}
		out.Resolved += x.resolved
		out.Unresolved += x.unresolv
	}
	// A list's rows are, with keys that cannot meet (so no sums between them): the addresses several
	// interfaces hold (the enrichment's table), the resources (exact sums), and the addresses no interface
	// holds (the address table's rows). Its top rows are picked from the three at once, in the table's order.
	talk := make([]Entry[rkey], 0, n)
	for i := range n {
		if v := sent[i] + recv[i]; v > 0 {
			talk = append(talk, Entry[rkey]{rkey{res: int32(i)}, v})
		}
	}
	label := func(k rkey) string {
		if k.res >= 0 {
			return ix.Label(k.res)
		}
		return k.a.String()
	}
	var l1, l2, l3, l4 []Count
	for _, en := range resourceTop(ix, src, rsrc, rejSrc, c.TopN) {
		l1 = append(l1, Count{Key: label(en.Key), Value: en.Count})
	}
	for _, en := range resourceTop(ix, dst, rdst, rejDst, c.TopN) {
		l2 = append(l2, Count{Key: label(en.Key), Value: en.Count})
	}
	for _, en := range ports.Top(c.TopN) {
		r := "(not in the inventory)"
		if en.Key.res >= 0 {
			r = ix.Label(en.Key.res)
		}
		l3 = append(l3, Count{Key: r + " " + PortString(en.Key.port, en.Key.proto), Value: en.Count})
	}
	for _, en := range topEntries(talk, c.TopN, rkey.compare) {
		l4 = append(l4, Count{Key: label(en.Key), Value: en.Count})
	}
	out.ByResource = []TopList{
		{Title: "Top rejected sources by resource", Key: "source", Unit: "records", Rows: nonNil(l1), ErrBound: src.ErrBound + rejSrc.ErrBound},
		{Title: "Top rejected destinations by resource", Key: "destination", Unit: "records", Rows: nonNil(l2), ErrBound: dst.ErrBound + rejDst.ErrBound},
		{Title: "Top rejected destination ports by resource", Key: "destination port", Unit: "records", Rows: nonNil(l3), ErrBound: ports.ErrBound},
		{Title: "Top talkers by bytes by resource (sent + received, not rejected)", Key: "resource", Unit: "bytes", Rows: nonNil(l4)},
	}

	out.PerResource = []ResourceTraffic{}
	order := make([]int, 0, n)
	for i := range n {
		if recs[i] > 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(recs[b], recs[a]), cmp.Compare(ix.Label(int32(a)), ix.Label(int32(b))))
	})
	for _, i := range order[:min(len(order), max(c.TopN, 50))] {
		r := &ix.Resources[i]
		out.PerResource = append(out.PerResource, ResourceTraffic{Resource: ix.Label(int32(i)), Kind: r.Kind, ID: r.ID, Name: r.Name, VPC: r.VPC,
			Account: r.Account, Region: r.Region, Ifaces: r.Interfaces, Records: recs[i], Bytes: bytes[i], Rejects: rejs[i], Sent: sent[i], Received: recv[i]})
	}

	// Causes are grouped and ordered by their resource's label and their text: as numbers (ranks among the
	// distinct strings, equal strings equal ranks), so that neither the grouping nor the sort hashes or
	// compares strings per cause.
	desc := ix.NewDescriber()
	type rc struct {
		res, rule int32 // ranks of the resource label and the cause's text
		kind      enrich.CauseKind
	}
	resRank, resText := rankStrings(n+1, func(i int) string {
		if i == n {
			return "(not in the inventory)"
		}
		return ix.Label(int32(i))
	})
	ruleIdx := map[string]int32{}
	var rules []string
	type keyed struct {
		k    causeKey
		rule int32
	}
	ks := make([]keyed, 0, len(causes))
	for k := range causes {
		d := desc.Describe(k.c)
		j, ok := ruleIdx[d]
		if !ok {
			j = int32(len(rules))
			ruleIdx[d] = j
			rules = append(rules, d)
		}
		ks = append(ks, keyed{k, j})
	}
	ruleRank, ruleText := rankStrings(len(rules), func(i int) string { return rules[i] })
	grouped := map[rc]int64{}
	for _, x := range ks {
		r := int32(n)
		if x.k.res >= 0 {
			r = x.k.res
		}
		grouped[rc{resRank[r], ruleRank[x.rule], x.k.c.Kind}] += causes[x.k]
	}
	type row struct {
		k rc
		v int64
	}
	rows := make([]row, 0, len(grouped))
	for k, v := range grouped {
		rows = append(rows, row{k, v})
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.v, a.v), cmp.Compare(a.k.res, b.k.res), cmp.Compare(a.k.rule, b.k.rule))
	})
	out.RejectCauses = make([]RejectCause, 0, len(rows))
	for _, x := range rows {
		out.RejectCauses = append(out.RejectCauses, RejectCause{Resource: resText[x.k.res], Cause: x.k.kind.String(), Rule: ruleText[x.k.rule], Records: x.v})
	}
	for i, v := range kinds {
		if v > 0 {
			out.RejectsByKind[enrich.CauseKind(i).String()] = v
		}
	}

	out.Exposure = []Exposure{}
	for k, v := range expo {
		it := &ix.Interfaces[k.Iface]
		x := Exposure{Resource: ix.Label(it.Resource), Interface: it.ID, Port: k.Port, Protocol: k.Proto,
			Service: enrich.PortName[k.Port], Rule: ix.SGRuleText(k.SG, k.Rule), Records: v.records, Bytes: v.bytes, Sources: len(v.srcs)}
		if x.Rule == "" {
			x.Rule = "no security-group rule as read allows it (changed since the record?)"
		}
		ex := append([]akey{}, v.srcs...)
		slices.SortFunc(ex, akey.compare)
		for _, a := range ex[:min(len(ex), 5)] {
			x.Examples = append(x.Examples, a.String())
		}
		if v.first > 0 {
			x.First = time.Unix(v.first, 0).UTC()
		}
		if v.last > 0 {
			x.Last = time.Unix(v.last, 0).UTC()
		}
		if v.more {
			out.Notes = append(out.Notes, fmt.Sprintf("%s port %d: more than %d distinct sources; the count is a lower bound", x.Resource, x.Port, maxExposureSources))
		}
		out.Exposure = append(out.Exposure, x)
	}
	slices.SortFunc(out.Exposure, func(a, b Exposure) int {
		return cmp.Or(cmp.Compare(b.Records, a.Records), cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Port, b.Port), cmp.Compare(a.Rule, b.Rule))
	})
	slices.Sort(out.Notes)
	out.SensitivePorts = ix.SensitivePorts()
	return out
}

// resourceTop is the n heaviest rows of one by-resource list (heaviest first, ties in key order, as TopK.Top):
// the addresses several interfaces hold (t's rows), the resources (per[i]: resource i's count) and the rows of
// addr, the address table, for the addresses no interface holds. Their keys cannot meet: t's are held by
// some interface, addr's that are kept by none, and resources are not addresses.
func resourceTop(ix *enrich.Index, t *TopK[rkey], per []int64, addr *TopK[akey], n int) []Entry[rkey] {
	es := make([]Entry[rkey], 0, t.Len()+len(per)+addr.Len())
	t.each(func(k rkey, v int64) { es = append(es, Entry[rkey]{k, v}) })
	for i, v := range per {
		if v > 0 {
			es = append(es, Entry[rkey]{rkey{res: int32(i)}, v})
		}
	}
	addr.each(func(k akey, v int64) {
		if !knownKey(ix, k) {
			es = append(es, Entry[rkey]{rkey{a: k, res: -1}, v})
		}
	})
	return topEntries(es, n, rkey.compare)
}

// knownKey is ix.Known(k.addr()), an IPv4 key without building the address.
func knownKey(ix *enrich.Index, k akey) bool {
	if k.hi == 0 && k.lo>>32 == 0xffff {
		e, _ := ix.Find4(uint32(k.lo))
		return e != -1
	}
	return ix.Known(k.addr())
}

// rankStrings numbers the strings str(0) … str(n-1) by their order: rank[i] is the number of distinct
// strings below str(i), and text[r] the string of rank r.
func rankStrings(n int, str func(int) string) (rank []int32, text []string) {
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return strings.Compare(str(int(a)), str(int(b))) })
	rank = make([]int32, n)
	for j, i := range idx {
		if j == 0 || str(int(i)) != text[len(text)-1] {
			text = append(text, str(int(i)))
		}
		rank[i] = int32(len(text) - 1)
	}
	return rank, text
}

func nonNil(c []Count) []Count {
	if c == nil {
		return []Count{}
	}
	return c
}

// labelAddr names the resource that holds address s ("" when none does).
func labelAddr(ix *enrich.Index, a netip.Addr) string {
	if r := ix.ResourceOf(ix.Addr(a, -1)); r >= 0 {
		return ix.Label(r)
	}
	return ""
}

// labelKey names the resources of a top-list key: an address, "a -> b", or "22/tcp" (no resource).
func labelKey(ix *enrich.Index, key string) string {
	if a, b, ok := strings.Cut(key, " -> "); ok {
		la, lb := labelOf(ix, a), labelOf(ix, b)
		if la == "" && lb == "" {
			return ""
		}
		return cmp.Or(la, a) + " -> " + cmp.Or(lb, b)
	}
	return labelOf(ix, key)
}

func labelOf(ix *enrich.Index, s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return labelAddr(ix, a)
}
