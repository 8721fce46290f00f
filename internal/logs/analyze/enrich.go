package analyze

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

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

type rport struct {
	res         int32 // -1: the destination is not in the inventory
	port, proto int32
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

// resStat is what one worker counted for one resource, in one cache line.
type resStat struct {
	recs, bytes, rejs int64
	sent, recv        int64 // ACCEPTed bytes with the resource as source / destination
	rejSrc, rejDst    int64 // REJECTs with the resource as source / destination
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
	res                []resStat
	rejSrcA, rejDstA   *TopK[rkey]        // REJECTs per address held by several interfaces
	rejPort            *counter64         // (destination resource+1)<<24 | port<<8 | protocol
	causeN             map[uint64]int64   // REJECTs per cause naming an interface: interface<<32 | at's template
	causes             map[causeKey]int64 // … per cause naming none, with the record's resource
	kinds              [4]int64
	expo               []exposureStat // per exposure id of at
	resolved, unresolv int64
}

func newEnrichShard(ix *enrich.Index, capacity int) *enrichShard {
	return &enrichShard{ix: ix, at: ix.NewAttributor(0), res: make([]resStat, len(ix.Resources)),
		rejSrcA: NewTopK(capacity, rkey.compare), rejDstA: NewTopK(capacity, rkey.compare),
		rejPort: newCounter64(capacity), causeN: map[uint64]int64{}, causes: map[causeKey]int64{}}
}

// add counts one record; iface is its interface's index in the inventory (-1: none or unknown).
func (e *enrichShard) add(r *flowlog.Record, iface int32) {
	ix := e.ix
	si, di, sknown, dknown := ix.LookupRecord(r, iface)
	sres, dres, own := int32(-1), int32(-1), int32(-1)
	if si >= 0 {
		sres = ix.Res(si)
	}
	if di >= 0 {
		dres = ix.Res(di)
	}
	if iface >= 0 {
		own = ix.Res(iface)
	} else { // no interface field: the record belongs to whichever side is in the inventory
		own = dres
		if own < 0 {
			own = sres
		}
	}
	if own < 0 && sres < 0 && dres < 0 {
		e.unresolv++
		return
	}
	e.resolved++
	bytes := max(r.Bytes, 0)
	if own >= 0 {
		o := &e.res[own]
		o.recs++
		o.bytes += bytes
		if r.Action == flowlog.Reject {
			o.rejs++
		}
	}
	switch r.Action {
	case flowlog.Reject:
		// An address no interface holds is counted by the address table already; one several interfaces hold,
		// which the record does not single out, is kept by address.
		if sres >= 0 {
			e.res[sres].rejSrc++
		} else if sknown {
			e.rejSrcA.Add(rkey{a: keyOf(r.SrcAddr), res: -1}, 1)
		}
		if dres >= 0 {
			e.res[dres].rejDst++
		} else if dknown {
			e.rejDstA.Add(rkey{a: keyOf(r.DstAddr), res: -1}, 1)
		}
		if r.DstPort >= 0 && r.DstPort < 65536 {
			e.rejPort.Add(uint64(dres+1)<<24|uint64(r.DstPort)<<8|uint64(r.Protocol&0xff), 1)
		}
		x, t := e.at.Attribute(r, iface, si, di)
		if x >= 0 { // the resource is the interface's
			e.causeN[uint64(x)<<32|uint64(t)]++
		} else {
			e.causes[causeKey{own, e.at.Cause(x, t)}]++
		}
		e.kinds[e.at.Kind(t)]++
	case flowlog.Accept:
		if bytes > 0 {
			if sres >= 0 {
				e.res[sres].sent += bytes
			}
			if dres >= 0 {
				e.res[dres].recv += bytes
			}
		}
		if !ix.Sensitive(r.DstPort) {
			return
		}
		if id, src, ok := e.at.Exposure(r, iface, di); ok {
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
	}
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
	talk := NewTopK(max(n, 16), rkey.compare)
	recs, bytes, rejs, sent, recv := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	causes := map[causeKey]int64{}
	expo := map[enrich.ExposureKey]*exposureStat{}
	var kinds [4]int64
	for _, s := range e.shards {
		x := s.en
		if x == nil {
			continue
		}
		for i := range x.res {
			st := &x.res[i]
			sent[i] += st.sent
			recv[i] += st.recv
			if v := st.rejSrc; v > 0 {
				src.m[rkey{res: int32(i)}] += v
			}
			if v := st.rejDst; v > 0 {
				dst.m[rkey{res: int32(i)}] += v
			}
			recs[i] += st.recs
			bytes[i] += st.bytes
			rejs[i] += st.rejs
		}
		for k, v := range x.causes {
			causes[k] += v
		}
		for k, v := range x.causeN {
			c := x.at.Cause(int32(k>>32), int32(uint32(k)))
			causes[causeKey{ix.ResourceOf(c.Iface), c}] += v
		}
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
	// Addresses no interface holds: their rows are the address tables' rows, ranked with the others (TopWith)
	// rather than added to the maps one by one (a key the table holds already is added to it).
	outside := func(t *TopK[rkey], addrs *TopK[akey]) []Entry[rkey] {
		extra := make([]Entry[rkey], 0, addrs.Len())
		addrs.each(func(k akey, v int64) {
			if !ix.Known(k.addr()) {
				rk := rkey{a: k, res: -1}
				if _, ok := t.m[rk]; ok {
					t.m[rk] += v
				} else {
					extra = append(extra, Entry[rkey]{rk, v})
				}
			}
		})
		t.ErrBound += addrs.ErrBound
		return extra
	}
	srcOut, dstOut := outside(src, rejSrc), outside(dst, rejDst)
	for i := range n {
		if v := sent[i] + recv[i]; v > 0 {
			talk.m[rkey{res: int32(i)}] = v
		}
	}
	label := func(k rkey) string {
		if k.res >= 0 {
			return ix.Label(k.res)
		}
		return k.a.String()
	}
	var l1, l2, l3, l4 []Count
	for _, en := range src.TopWith(srcOut, c.TopN) {
		l1 = append(l1, Count{Key: label(en.Key), Value: en.Count})
	}
	for _, en := range dst.TopWith(dstOut, c.TopN) {
		l2 = append(l2, Count{Key: label(en.Key), Value: en.Count})
	}
	for _, en := range ports.Top(c.TopN) {
		r := "(not in the inventory)"
		if en.Key.res >= 0 {
			r = ix.Label(en.Key.res)
		}
		l3 = append(l3, Count{Key: r + " " + PortString(en.Key.port, en.Key.proto), Value: en.Count})
	}
	for _, en := range talk.Top(c.TopN) {
		l4 = append(l4, Count{Key: label(en.Key), Value: en.Count})
	}
	out.ByResource = []TopList{
		{Title: "Top rejected sources by resource", Key: "source", Unit: "records", Rows: nonNil(l1), ErrBound: src.ErrBound},
		{Title: "Top rejected destinations by resource", Key: "destination", Unit: "records", Rows: nonNil(l2), ErrBound: dst.ErrBound},
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

	type rc struct{ res, cause, rule string }
	grouped := map[rc]int64{}
	for k, v := range causes {
		res := "(not in the inventory)"
		if k.res >= 0 {
			res = ix.Label(k.res)
		}
		grouped[rc{res, k.c.Kind.String(), ix.Describe(k.c)}] += v
	}
	out.RejectCauses = []RejectCause{}
	for k, v := range grouped {
		out.RejectCauses = append(out.RejectCauses, RejectCause{Resource: k.res, Cause: k.cause, Rule: k.rule, Records: v})
	}
	slices.SortFunc(out.RejectCauses, func(a, b RejectCause) int {
		return cmp.Or(cmp.Compare(b.Records, a.Records), cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Rule, b.Rule))
	})
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
	for p := range int32(65536) {
		if ix.Sensitive(p) {
			out.SensitivePorts = append(out.SensitivePorts, p)
		}
	}
	return out
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
