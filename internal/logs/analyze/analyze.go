// Package analyze turns a stream of flow-log records into a report: totals, accepted vs rejected, top rejected
// sources, destinations and ports, top talkers, traffic over time, SKIPDATA share per interface, and windowed
// detectors for vertical scans, horizontal scans and brute force, in memory bounded by configuration rather
// than by input size.
//
// Memory bound: each worker shard holds four top-k tables of at most Config.TopKCapacity keys (exact while
// the distinct keys fit, otherwise counts are low by at most the reported error bound; the tables are handed
// over after each part of the input (a unit, or a chunk of a stream: see source.UnitSink) and replaced by
// empty ones; a unit's parts are merged in chunk order, the units' tables in unit order into four more, so the
// lists and bounds do not depend on which worker read what; parts finished out of order hold their tables
// until merged, at most 2×workers+2 of them (the reader's chunk buffers), and finished units wait for the
// merge, at most about two per worker; IPv4 keys live in flat
// tables of 2×capacity slots of 16 B, plus a pruning scratch of capacity slots once a table has overflowed,
// and a queue of 16 adds of 24 B each (lagged.go)),
// with an inventory (Config.Enrich) three more top-k tables of at most TopKCapacity keys, handed over and
// merged the same way (enrich.go), an interface table of at most Config.MaxInterfaces entries (past it a
// sample of the ids by hash, the same whichever worker saw which id: iface.go), and one timeline bucket per
// minute of the time span read (a dense window of at most 4,096 of them, 160 KB, then a map: timeline.go).
// Every other per-worker count is an exact sum. The detectors together hold at most Config.MaxDetectorState keys plus distinct values (a few
// hundred more while partitions catch up); past it they keep a deterministic sample of sources, one in 2^k
// by address hash, and the report says so: the same input gives the same detections in any order. Nothing
// is closed or forgotten by arrival time (that made the answer depend on which worker read what first), so
// one-off sources wait for the whole input: the default state limit is 1,000,000 entries, which a 1 GiB
// input of 10 million generated records (760,000 REJECTs) fits in with 95 MB of heap in use in all. At an
// estimated 250 B per entry at worst, that is workers × (4 × 768 KB + 10 MB) + 250 MB, whatever the input size
// (per set of part tables; with an inventory each set has three more tables, about 768 KB + 2 × 800 KB full).
package analyze

import (
	"cmp"
	"hash/maphash"
	"net/netip"
	"sync"
	"time"

	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Config holds thresholds and bounds. Zero values take the defaults (see Defaults).
type Config struct {
	Filter Filter

	VerticalPorts     int           // distinct destination ports on one destination from one source ...
	VerticalWindow    time.Duration // ... within this window
	HorizontalHosts   int           // distinct destinations on one port from one source ...
	HorizontalWindow  time.Duration // ... within this window
	BruteForceRejects int           // REJECTs from one source to one of BruteForcePorts ...
	BruteForceWindow  time.Duration // ... within this window
	BruteForcePorts   []int32
	// ScanAccepted makes the scan detectors count ACCEPTed records too (by default only REJECTs count: reply
	// traffic to ephemeral ports would otherwise look like scans).
	ScanAccepted bool

	TopN             int // rows per top list
	TopKCapacity     int // keys per top-k table per worker
	MaxInterfaces    int // interfaces tracked for SKIPDATA share (past it: a sample by hash of the id)
	MaxDetectorState int // detector keys + set elements, all detectors together
	MaxDistinct      int // distinct values counted per detector key

	// Enrich, when set, joins the records to the inventory (enrich.go): resources, reject causes, exposure.
	Enrich *enrich.Index
	// KeyBy is how the human tables are keyed: ByAddress ("" too) or ByResource. JSON carries both.
	KeyBy string
}

// Defaults from flowlog-fields.md's reference detections.
func Defaults() Config {
	return Config{
		VerticalPorts: 10, VerticalWindow: time.Hour,
		HorizontalHosts: 10, HorizontalWindow: time.Hour,
		BruteForceRejects: 10, BruteForceWindow: time.Hour, BruteForcePorts: []int32{22, 3389},
		TopN: 10, TopKCapacity: 16384, MaxInterfaces: 100_000, MaxDetectorState: 1_000_000, MaxDistinct: 65536,
	}
}

// WithDefaults returns c with every zero threshold, window and bound set to its default.
func (c Config) WithDefaults() Config {
	c.fill()
	return c
}

func (c *Config) fill() {
	d := Defaults()
	if c.VerticalPorts <= 0 {
		c.VerticalPorts = d.VerticalPorts
	}
	if c.VerticalWindow <= 0 {
		c.VerticalWindow = d.VerticalWindow
	}
	if c.HorizontalHosts <= 0 {
		c.HorizontalHosts = d.HorizontalHosts
	}
	if c.HorizontalWindow <= 0 {
		c.HorizontalWindow = d.HorizontalWindow
	}
	if c.BruteForceRejects <= 0 {
		c.BruteForceRejects = d.BruteForceRejects
	}
	if c.BruteForceWindow <= 0 {
		c.BruteForceWindow = d.BruteForceWindow
	}
	if c.BruteForcePorts == nil {
		c.BruteForcePorts = d.BruteForcePorts
	}
	if c.TopN <= 0 {
		c.TopN = d.TopN
	}
	if c.TopKCapacity <= 0 {
		c.TopKCapacity = d.TopKCapacity
	}
	if c.MaxInterfaces <= 0 {
		c.MaxInterfaces = d.MaxInterfaces
	}
	if c.MaxDetectorState <= 0 {
		c.MaxDetectorState = d.MaxDetectorState
	}
	if c.MaxDistinct <= 0 {
		c.MaxDistinct = d.MaxDistinct
	}
	for _, w := range []*time.Duration{&c.VerticalWindow, &c.HorizontalWindow, &c.BruteForceWindow} {
		if *w < time.Second {
			*w = time.Second
		}
	}
}

// PortProto is a port and IANA protocol number.
type PortProto struct{ Port, Proto int32 }

// Bucket is one minute of traffic.
type Bucket struct {
	Records, Bytes, Packets, Accept, Reject int64
}

// ifaceCount is what is counted per interface.
type ifaceCount struct {
	records, skip, nodata int64
	enr                   int32 // the interface's index in Config.Enrich (enrUnknown: not looked up yet)
}

// ifaceStat is an interface's id and counters (a long id's in the interface table; and Finish's).
type ifaceStat struct {
	name string
	sh   uint64 // sampleHash of name
	ifaceCount
}

// enrUnknown marks an ifaceCount whose enrichment index is not looked up yet.
const enrUnknown = -2

// Totals are the headline counts.
type Totals struct {
	Records     int64 `json:"records"`
	Accept      int64 `json:"accept"`
	Reject      int64 `json:"reject"`
	NoData      int64 `json:"nodata"`
	SkipData    int64 `json:"skipdata"`
	Bytes       int64 `json:"bytes"`
	Packets     int64 `json:"packets"`
	AcceptBytes int64 `json:"accept_bytes"`
	RejectBytes int64 `json:"reject_bytes"`
	FilteredOut int64 `json:"filtered_out"`
	First       int64 `json:"first"` // earliest start, Unix seconds (0 if none)
	Last        int64 `json:"last"`  // latest end
}

// Engine aggregates records from several workers. Create one shard per worker with Shard, feed it, then call
// Finish once every shard is done.
type Engine struct {
	cfg     Config
	filter  compiledFilter
	shards  []*Shard
	dets    []*detector
	sample  *sampler
	chans   []chan []detRec
	wg      sync.WaitGroup
	mu      sync.Mutex
	batches sync.Pool
	seed    maphash.Seed

	// The top lists are order-dependent once a table overflows (what is pruned depends on what came
	// before), so they are not merged per worker: each unit (file, object, stream: read start to end by one
	// worker) is counted on its own, and the units' tables are merged here in unit order, whichever worker
	// read them and whenever it finished. The same input then gives the same lists and the same bounds.
	// A unit read in several parts (chunks of a stream, which any worker may parse) is merged part by part
	// in chunk order into the unit's tables first.
	tables  *topTables         // the merged tables
	units   map[int]*unitParts // units whose parts are being merged
	free    []*partTables      // emptied part tables, for shards to take
	pending map[int]*unitTop   // units finished ahead of next
	next    int                // the next unit to merge
}

// topTables are the merged top-k tables.
type topTables struct {
	rejSrc, rejDst *TopK[akey]
	rejPort        *TopK[PortProto]
	talkers        *TopK[pairKey]
	// The enrichment's (nil without Config.Enrich): REJECTs per address several interfaces hold, and per
	// destination resource and port.
	enSrc, enDst *TopK[rkey]
	enPort       *TopK[rport]
}

// unitTop is one unit's top-k tables, as entries, with their error bounds.
type unitTop struct {
	rejSrc, rejDst                   []Entry[akey]
	rejPort                          []Entry[PortProto]
	talkers                          []Entry[pairKey]
	errSrc, errDst, errPort, errTalk int64
	// Whether each list's keys are distinct (an IPv4-mapped IPv6 address counted apart from its IPv4 form
	// gives one key twice): the merged tables then adopt the first unit's lists as they are (TopK.adopt).
	oneSrc, oneDst, oneTalk       bool
	enSrc, enDst                  []Entry[rkey]
	enPort                        []Entry[rport]
	errEnSrc, errEnDst, errEnPort int64
}

func comparePortProto(a, b PortProto) int {
	return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Proto, b.Proto))
}

func comparePair(a, b pairKey) int { return cmp.Or(a.src.compare(b.src), a.dst.compare(b.dst)) }

// New starts an engine with the given number of detector partitions (≥1, usually GOMAXPROCS).
func New(cfg Config, partitions int) *Engine {
	cfg.fill()
	partitions = max(partitions, 1)
	e := &Engine{cfg: cfg, filter: compile(cfg.Filter), seed: maphash.MakeSeed(), units: map[int]*unitParts{}, pending: map[int]*unitTop{},
		tables: newTopTables(cfg.TopKCapacity, cfg.Enrich != nil)}
	e.batches.New = func() any { return make([]detRec, 0, batchSize) }
	e.sample = &sampler{budget: int64(max(cfg.MaxDetectorState, 1024))}
	for i := 0; i < partitions; i++ {
		d := newDetector(&e.cfg, e.sample)
		ch := make(chan []detRec, 8)
		e.dets = append(e.dets, d)
		e.chans = append(e.chans, ch)
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			for b := range ch {
				d.addBatch(b)
				//lint:ignore SA6002 one small slice header per batch of records, not per record
				e.batches.Put(b[:0]) // batches are recycled between shards and detectors
			}
		}()
	}
	return e
}

const batchSize = 4096

// Shard is one worker's aggregation state. Not safe for concurrent use; each worker takes its own.
type Shard struct {
	e       *Engine
	T       Totals
	rejSrc  addrCounter
	rejDst  addrCounter
	rejPort *lagged        // port<<32 | protocol
	talkers *TopK[pairKey] // pairs involving IPv6
	talk4   *lagged        // IPv4 pairs, src<<32|dst: an 8-byte key keeps the table small and cache-friendly
	hist    minutes
	ifaces  *ifaceTable
	pending [][]detRec
	en      *enrichShard   // nil: no enrichment
	fix     flowlog.Record // withoutTimes's copy
}

// Shard returns a new worker shard.
func (e *Engine) Shard() *Shard {
	c := e.cfg.TopKCapacity
	s := &Shard{
		e: e, rejSrc: newAddrCounter(c), rejDst: newAddrCounter(c), rejPort: newLagged(c),
		talkers: newTopK(c, comparePair, pairKey.hash), talk4: newLagged(c), ifaces: newIfaceTable(e.seed),
		pending: make([][]detRec, len(e.dets)),
	}
	if e.cfg.Enrich != nil {
		s.en = newEnrichShard(e.cfg.Enrich, c)
	}
	e.mu.Lock()
	e.shards = append(e.shards, s)
	e.mu.Unlock()
	return s
}

// Add counts one record.
func (s *Shard) Add(r *flowlog.Record) {
	if f := &s.e.filter; f.any && !f.match(r) { // no call when there is no filter
		s.T.FilteredOut++
		return
	}
	// The parser keeps times within 1970..9999 (flowlog.MaxTime); a record built otherwise must not put an
	// unwritable time into the report (time.Time has no JSON past year 9999): its times count as absent.
	if uint64(r.Start-flowlog.NA) > flowlog.MaxTime-flowlog.NA || uint64(r.End-flowlog.NA) > flowlog.MaxTime-flowlog.NA {
		r = s.withoutTimes(r)
	}
	t := &s.T
	t.Records++
	bytes, packets := max(r.Bytes, 0), max(r.Packets, 0)
	t.Bytes += bytes
	t.Packets += packets
	start := r.Start
	if start != flowlog.NA && (t.First == 0 || start < t.First) {
		t.First = start
	}
	if r.End > t.Last {
		t.Last = r.End
	} else if r.End == flowlog.NA && start > t.Last {
		t.Last = start
	}
	var b *Bucket // the record's minute
	if start != flowlog.NA {
		b = s.hist.bucket(start) // start ≥ 0: the check above
		b.Records++
		b.Bytes += bytes
		b.Packets += packets
	}
	ifc := r.Field(flowlog.InterfaceID)
	var is *ifaceCount // the record's interface (nil: none, or not in the sample)
	if ifc != nil {
		is = s.countIface(ifc, r.LogStatus)
	}
	switch r.LogStatus {
	case flowlog.NoData:
		t.NoData++
	case flowlog.SkipData:
		t.SkipData++
	}
	detect := false // sent to the detectors (which drop records without a destination address and port)
	switch r.Action {
	case flowlog.Reject:
		t.Reject++
		t.RejectBytes += bytes
		if b != nil {
			b.Reject++
		}
		s.rejSrc.add(r.SrcAddr)
		s.rejDst.add(r.DstAddr)
		if r.DstPort >= 0 {
			if s.rejPort.push(uint64(r.DstPort)<<32|uint64(uint32(r.Protocol)), 1) {
				s.rejPort.batch()
			}
		}
		detect = true
	case flowlog.Accept:
		t.Accept++
		t.AcceptBytes += bytes
		if b != nil {
			b.Accept++
		}
		detect = s.e.cfg.ScanAccepted
		fallthrough
	default:
		// Talkers are who exchanged data: REJECTed bytes never arrived (and are mostly one-off probes).
		if bytes > 0 {
			if r.SrcAddr.Is4() && r.DstAddr.Is4() { // (valid, both)
				if s.talk4.push(uint64(enrich.Addr4(&r.SrcAddr))<<32|uint64(enrich.Addr4(&r.DstAddr)), bytes) {
					s.talk4.batch()
				}
			} else if r.SrcAddr.IsValid() && r.DstAddr.IsValid() {
				s.talkers.Add(pairKey{keyOf(r.SrcAddr), keyOf(r.DstAddr)}, bytes)
			}
		}
	}
	if s.en != nil {
		// The interface's index comes with its counters: one lookup per interface, not per record.
		var iface int32
		if is != nil && is.enr != enrUnknown {
			iface = is.enr
		} else {
			iface = s.enrIface(r, is)
		}
		s.en.add(r, iface)
	}
	if detect && r.SrcAddr.IsValid() && start >= 0 && r.DstAddr.IsValid() && r.DstPort >= 0 {
		s.route(detRec{src: keyOf(r.SrcAddr), dst: keyOf(r.DstAddr), dstValid: true, start: start, dstPort: r.DstPort, proto: r.Protocol, reject: r.Action == flowlog.Reject})
	}
}

// enrIface is the index in Config.Enrich of r's interface (-1: none or unknown), whose counters are is (nil:
// none, or not in the sample), when is does not hold it yet. Out of line, and reading the id again, so that
// Add keeps nothing of it across its calls.
//
//go:noinline
func (s *Shard) enrIface(r *flowlog.Record, is *ifaceCount) int32 {
	ifc := r.Field(flowlog.InterfaceID)
	if ifc == nil {
		return -1
	}
	if is == nil {
		return s.en.ix.Interface(ifc)
	}
	is.enr = s.en.ix.Interface(ifc)
	return is.enr
}

// withoutTimes returns a copy of r (in the shard, reused) with its times absent. Out of line: a Record is over
// 1 KB, which Add's frame need not hold for a record the parser never gives.
//
//go:noinline
func (s *Shard) withoutTimes(r *flowlog.Record) *flowlog.Record {
	s.fix = *r
	s.fix.Start, s.fix.End = flowlog.NA, flowlog.NA
	return &s.fix
}

// countIface counts a record of interface ifc and returns the interface's counters (nil: not in the sample).
func (s *Shard) countIface(ifc []byte, st flowlog.Status) *ifaceCount {
	k, short := ifaceKeyOf(ifc)
	// Inline, the usual case: the id in its home slot (load ≤ 1/4). Else the probe, the other ids' map and the
	// additions (countIfaceSlow). Checking the last id seen first cost as much as this when ids alternate.
	t := s.ifaces
	sl := &t.slots[t.home(k)]
	if !short || !sl.k.eq(k) { // (an empty slot's key is no short id's)
		return s.countIfaceSlow(ifc, st)
	}
	sl.c.count(st)
	return &sl.c
}

// countIfaceSlow is countIface past the home slot (a call that ends countIface, so that nothing of it is
// kept across the call: it takes the id, not its key, which it finds again, so that countIface keeps
// nothing on its stack for it).
//
//go:noinline
func (s *Shard) countIfaceSlow(ifc []byte, st flowlog.Status) *ifaceCount {
	k, short := ifaceKeyOf(ifc)
	return s.ifaces.count(ifc, k, short, s.e.cfg.MaxInterfaces, st)
}

// count counts a record of status st.
func (c *ifaceCount) count(st flowlog.Status) {
	c.records++
	switch st {
	case flowlog.SkipData:
		c.skip++
	case flowlog.NoData:
		c.nodata++
	}
}

func (s *Shard) route(r detRec) {
	p := 0
	if n := len(s.pending); n > 1 {
		p = int(mix(r.src.hi^r.src.lo) % uint64(n))
	}
	buf := s.pending[p]
	if buf == nil {
		buf = s.e.batches.Get().([]detRec)
	}
	buf = append(buf, r)
	if len(buf) == batchSize {
		s.e.chans[p] <- buf
		buf = nil
	}
	s.pending[p] = buf
}

func (s *Shard) flush() {
	for p, buf := range s.pending {
		if len(buf) > 0 {
			s.e.chans[p] <- buf
		}
		s.pending[p] = nil
	}
}

// mix spreads the bits of a key (splitmix64 finaliser) to pick a detector partition.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// addrCounter counts per address: IPv4 in a flat uint64 table, IPv6 in a TopK.
type addrCounter struct {
	v4 *lagged
	v6 *TopK[akey]
}

func newAddrCounter(capacity int) addrCounter {
	return addrCounter{v4: newLagged(capacity), v6: newTopK(capacity, akey.compare, akey.hash)}
}

func (c addrCounter) add(a netip.Addr) {
	switch {
	case a.Is4():
		if c.v4.push(uint64(enrich.Addr4(&a)), 1) {
			c.v4.batch()
		}
	case a.IsValid():
		c.v6.Add(keyOf(a), 1)
	}
}

// entries returns the counts (IPv4 first, in table order; then IPv6) and their error bound, and empties c.
// The lagged IPv4 table must be flushed first (partTables.flush).
// distinct says whether the keys are distinct.
func (c addrCounter) entries() (out []Entry[akey], bound int64, distinct bool) {
	v4 := c.v4.c
	out = make([]Entry[akey], 0, v4.n+c.v6.Len())
	v4.each(func(k uint64, v int64) { out = append(out, Entry[akey]{akey{0, 0xffff<<32 | k}, v}) })
	distinct = true
	for _, e := range c.v6.es {
		out = append(out, e)
		distinct = distinct && !e.Key.mapped4()
	}
	bound = v4.ErrBound + c.v6.ErrBound
	v4.reset()
	c.v6.reset()
	return out, bound, distinct
}

// EndPart is called by the reader after the shard read part chunk of unit i (completely or not; last: the
// unit's final part). The shard hands its top-k tables over and goes on with empty ones. A unit's parts are
// merged in chunk order into the first part's tables, and complete units into the engine's tables in unit
// order: the lists depend on where the input is cut into parts (by its bytes only, see source.UnitSink),
// never on which worker read which part. The reader bounds how many units are begun ahead of the first
// incomplete one, hence how many wait here; a unit's parts wait only for the ones being read before them.
func (s *Shard) EndPart(i, chunk int, last bool) {
	e := s.e
	pt := s.tables()
	pt.flush()
	e.mu.Lock()
	u := e.units[i]
	if u == nil {
		u = &unitParts{parts: map[int]*partTables{}}
		e.units[i] = u
	}
	e.mu.Unlock()
	merged, done := u.add(chunk, last, pt)
	var t *unitTop
	if done {
		t = u.acc.take()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	// The shard takes its next tables after the merge, so that it reuses the ones just emptied (often its
	// own): a worker reading a stream in order keeps two sets of tables in use, not three.
	defer func() { s.setTables(e.freeTables()) }()
	e.free = append(e.free, merged...)
	if !done {
		return
	}
	e.free = append(e.free, u.acc)
	delete(e.units, i)
	e.pending[i] = t
	for {
		t, ok := e.pending[e.next]
		if !ok {
			break
		}
		delete(e.pending, e.next)
		e.tables.merge(t)
		e.next++
	}
}

// setTables makes f the shard's top-k tables.
func (s *Shard) setTables(f *partTables) {
	s.rejSrc, s.rejDst, s.rejPort, s.talk4, s.talkers = f.rejSrc, f.rejDst, f.rejPort, f.talk4, f.talkers
	if s.en != nil {
		s.en.rejSrcA, s.en.rejDstA, s.en.rejPort = f.en.rejSrcA, f.en.rejDstA, f.en.rejPort
	}
}

// freeTables returns empty part tables, reused or new. Called with e.mu held.
func (e *Engine) freeTables() *partTables {
	if n := len(e.free); n > 0 {
		t := e.free[n-1]
		e.free = e.free[:n-1]
		return t
	}
	return newPartTables(e.cfg.TopKCapacity, e.cfg.Enrich != nil)
}

// flush applies the adds the lagged tables hold back, so that the tables are complete: before they are
// handed over or read.
func (t *partTables) flush() {
	t.rejSrc.v4.flush()
	t.rejDst.v4.flush()
	t.rejPort.flush()
	t.talk4.flush()
	if t.en != nil {
		t.en.rejPort.flush()
	}
}

// tables returns the shard's current top-k tables.
func (s *Shard) tables() *partTables {
	t := &partTables{rejSrc: s.rejSrc, rejDst: s.rejDst, rejPort: s.rejPort, talk4: s.talk4, talkers: s.talkers}
	if x := s.en; x != nil {
		t.en = &enrTables{rejSrcA: x.rejSrcA, rejDstA: x.rejDstA, rejPort: x.rejPort}
	}
	return t
}

// partTables are the top-k tables a shard counts one part into (IPv4 keys in flat tables, see Shard).
type partTables struct {
	rejSrc, rejDst addrCounter
	rejPort        *lagged
	talk4          *lagged
	talkers        *TopK[pairKey]
	en             *enrTables // nil without enrichment
}

// enrTables are the enrichment's top-k tables (see enrichShard), counted per part like the others.
type enrTables struct {
	rejSrcA, rejDstA *TopK[rkey]
	rejPort          *lagged
}

func newEnrTables(c int) *enrTables {
	return &enrTables{rejSrcA: newTopK(c, rkey.compare, rkey.hash), rejDstA: newTopK(c, rkey.compare, rkey.hash), rejPort: newLagged(c)}
}

func newPartTables(c int, enriched bool) *partTables {
	t := &partTables{rejSrc: newAddrCounter(c), rejDst: newAddrCounter(c), rejPort: newLagged(c), talk4: newLagged(c), talkers: newTopK(c, comparePair, pairKey.hash)}
	if enriched {
		t.en = newEnrTables(c)
	}
	return t
}

// merge adds o's counts and bounds into t (in o's table order, which depends on o's history only) and
// empties o.
func (t *partTables) merge(o *partTables) {
	t.rejSrc.merge(o.rejSrc)
	t.rejDst.merge(o.rejDst)
	t.rejPort.c.merge(o.rejPort.c)
	t.talk4.c.merge(o.talk4.c)
	t.talkers.Merge(o.talkers)
	o.talkers.reset()
	if t.en != nil {
		t.en.rejSrcA.Merge(o.en.rejSrcA)
		o.en.rejSrcA.reset()
		t.en.rejDstA.Merge(o.en.rejDstA)
		o.en.rejDstA.reset()
		t.en.rejPort.c.merge(o.en.rejPort.c)
	}
}

func (c addrCounter) merge(o addrCounter) {
	c.v4.c.merge(o.v4.c)
	c.v6.Merge(o.v6)
	o.v6.reset()
}

// merge adds o's counts and bound into c and empties o: o's entries go in in o's slot order (which depends on
// o's history only), and o's slots are zeroed as they are read, while their lines are in cache, rather than
// all cleared after (a part's table is mostly empty slots: clearing them all cost as much as the adds).
// (Prefetching c's lines a few entries ahead, as lagged does for Add, measured no faster here: the adds of a
// merge are independent, and the CPU overlaps their misses on its own.)
func (c *counter64) merge(o *counter64) {
	if o.n > 0 {
		slots := o.slots // held in a register: c.apply could change o for all the compiler knows
		// The adds go to c lagLen at a time (in order, as lagged's): one call to apply a batch, not one per add.
		var q [lagLen]lagEntry
		n := 0
		// Four slots at a time (a table has a power of two slots, at least 32): most of a part's are empty.
		for i := 0; i+4 <= len(slots); i += 4 {
			g := slots[i : i+4 : i+4]
			if g[0].v|g[1].v|g[2].v|g[3].v == 0 {
				continue
			}
			for j := range g {
				if s := &g[j]; s.v != 0 {
					q[n&(lagLen-1)] = lagEntry{s.k, s.v, mix(s.k) & c.mask} // n < lagLen: the mask spares a check
					*s = slot64{}
					if n++; n == lagLen {
						c.apply(q[:])
						n = 0
					}
				}
			}
		}
		c.apply(q[:n])
	}
	c.ErrBound += o.ErrBound
	o.n, o.ErrBound = 0, 0
}

// unitParts merges the parts of one unit in chunk order, as they finish.
type unitParts struct {
	mu      sync.Mutex
	parts   map[int]*partTables // finished ahead of next
	next    int                 // the next part to merge
	n       int                 // parts in all, once the last has finished (0: not yet)
	merging bool                // a worker is merging: the others leave their parts to it
	acc     *partTables         // the parts merged so far: part 0's tables, with the later ones added
}

// add hands over part chunk's tables. It returns the tables it emptied, for reuse, and whether the unit is
// complete (for the one caller that merged its last part): acc is then the unit's tables.
func (u *unitParts) add(chunk int, last bool, t *partTables) (emptied []*partTables, done bool) {
	u.mu.Lock()
	u.parts[chunk] = t
	if last {
		u.n = chunk + 1
	}
	if u.merging {
		u.mu.Unlock()
		return nil, false
	}
	u.merging = true
	for {
		t, ok := u.parts[u.next]
		if !ok {
			break
		}
		delete(u.parts, u.next)
		u.mu.Unlock()
		if u.acc == nil {
			u.acc = t
		} else {
			u.acc.merge(t)
			emptied = append(emptied, t)
		}
		u.mu.Lock()
		u.next++
	}
	u.merging = false
	done = u.n > 0 && u.next == u.n
	u.mu.Unlock()
	return emptied, done
}

// takeTop returns the shard's top-k tables as a unitTop and empties them.
func (s *Shard) takeTop() *unitTop {
	return s.tables().take()
}

// take returns the tables as a unitTop and empties them.
func (t *partTables) take() *unitTop {
	t.flush()
	u := &unitTop{}
	u.rejSrc, u.errSrc, u.oneSrc = t.rejSrc.entries()
	u.rejDst, u.errDst, u.oneDst = t.rejDst.entries()
	u.rejPort = make([]Entry[PortProto], 0, t.rejPort.c.n)
	t.rejPort.c.each(func(k uint64, v int64) {
		u.rejPort = append(u.rejPort, Entry[PortProto]{PortProto{int32(k >> 32), int32(uint32(k))}, v})
	})
	u.errPort = t.rejPort.c.ErrBound
	t.rejPort.c.reset()
	u.talkers = make([]Entry[pairKey], 0, t.talk4.c.n+t.talkers.Len())
	t.talk4.c.each(func(k uint64, v int64) {
		u.talkers = append(u.talkers, Entry[pairKey]{pairKey{akey{0, 0xffff<<32 | k>>32}, akey{0, 0xffff<<32 | k&0xffffffff}}, v})
	})
	u.oneTalk = true
	for _, e := range t.talkers.es {
		u.talkers = append(u.talkers, e)
		u.oneTalk = u.oneTalk && !(e.Key.src.mapped4() && e.Key.dst.mapped4())
	}
	u.errTalk = t.talk4.c.ErrBound + t.talkers.ErrBound
	t.talk4.c.reset()
	t.talkers.reset()
	if x := t.en; x != nil {
		u.enSrc, u.errEnSrc = x.rejSrcA.entries(), x.rejSrcA.ErrBound
		u.enDst, u.errEnDst = x.rejDstA.entries(), x.rejDstA.ErrBound
		u.enPort = make([]Entry[rport], 0, x.rejPort.c.n)
		x.rejPort.c.each(func(k uint64, v int64) {
			u.enPort = append(u.enPort, Entry[rport]{rport{int32(k>>24) - 1, int32(k >> 8 & 0xffff), int32(k & 0xff)}, v})
		})
		u.errEnPort = x.rejPort.c.ErrBound
		x.rejSrcA.reset()
		x.rejDstA.reset()
		x.rejPort.c.reset()
	}
	return u
}

func newTopTables(c int, enriched bool) *topTables {
	t := &topTables{rejSrc: newTopK(c, akey.compare, akey.hash), rejDst: newTopK(c, akey.compare, akey.hash),
		rejPort: newTopK(c, comparePortProto, PortProto.hash), talkers: newTopK(c, comparePair, pairKey.hash)}
	if enriched {
		t.enSrc, t.enDst = newTopK(c, rkey.compare, rkey.hash), newTopK(c, rkey.compare, rkey.hash)
		t.enPort = newTopK(c, rport.compare, rport.hash)
	}
	return t
}

func (t *topTables) merge(u *unitTop) {
	if u.oneSrc {
		t.rejSrc.adopt(u.rejSrc, u.errSrc)
	} else {
		t.rejSrc.mergeEntries(u.rejSrc, u.errSrc)
	}
	if u.oneDst {
		t.rejDst.adopt(u.rejDst, u.errDst)
	} else {
		t.rejDst.mergeEntries(u.rejDst, u.errDst)
	}
	t.rejPort.adopt(u.rejPort, u.errPort) // a counter64's keys
	if u.oneTalk {
		t.talkers.adopt(u.talkers, u.errTalk)
	} else {
		t.talkers.mergeEntries(u.talkers, u.errTalk)
	}
	if t.enSrc != nil {
		t.enSrc.mergeEntries(u.enSrc, u.errEnSrc)
		t.enDst.mergeEntries(u.enDst, u.errEnDst)
		t.enPort.mergeEntries(u.enPort, u.errEnPort)
	}
}
