package analyze

import (
	"cmp"
	"math/bits"
	"slices"
	"sync/atomic"
	"time"
)

// Detection kinds.
const (
	KindVerticalScan   = "vertical_scan"
	KindHorizontalScan = "horizontal_scan"
	KindBruteForce     = "brute_force"
)

// Detection is one finding of a windowed detector.
type Detection struct {
	Kind        string    `json:"kind"`
	Source      string    `json:"source"`
	Destination string    `json:"destination,omitempty"` // vertical scan: the scanned host
	Port        int32     `json:"port,omitempty"`        // horizontal scan, brute force: the port
	Protocol    int32     `json:"protocol,omitempty"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	// Distinct is the number of distinct ports (vertical) or destinations (horizontal, brute force).
	Distinct int   `json:"distinct"`
	Records  int64 `json:"records"`
	First    int64 `json:"first_seen"` // Unix seconds
	Last     int64 `json:"last_seen"`
	// Resource names what holds Destination, with an inventory (Config.Enrich).
	Resource string `json:"resource,omitempty"`
}

// detRec is the part of a record the detectors need, copied so it outlives the parser's buffer.
type detRec struct {
	src, dst akey
	start    int64
	dstPort  int32
	proto    int32
	dstValid bool // (the flags last: 56 bytes, not 64)
	reject   bool
}

// srcState is a source the one-off filter has seen: promoted, or waiting with its first record (less the
// source, which is the key). used marks it held, in srcTable.
type srcState struct {
	dst            akey
	start          int64
	dstPort, proto int32
	dstValid       bool
	reject         bool
	promoted       bool
	used           bool
}

func waiting(r *detRec) srcState {
	return srcState{dst: r.dst, start: r.start, dstPort: r.dstPort, proto: r.proto, dstValid: r.dstValid, reject: r.reject, used: true}
}

// rec is the waiting record of source src.
func (w srcState) rec(src akey) detRec {
	return detRec{src: src, dst: w.dst, dstValid: w.dstValid, start: w.start, dstPort: w.dstPort, proto: w.proto, reject: w.reject}
}

type vKey struct{ src, dst akey }
type hKey struct {
	src         akey
	port, proto int32
}

// agg counts records and distinct values of one detector key. Most keys (one-off probes) see a single value,
// kept inline: the set is only allocated for the second distinct value.
type agg[T comparable] struct {
	records     int64
	first, last int64
	one         T
	n           int
	set         map[T]struct{}
}

func (a *agg[T]) add(v T, t int64, maxDistinct int) (grew bool) {
	a.records++
	if a.n == 0 {
		a.first, a.last, a.one, a.n = t, t, v, 1
		return true
	}
	a.first, a.last = min(a.first, t), max(a.last, t)
	if a.set == nil {
		if v == a.one || a.n >= maxDistinct {
			return false
		}
		a.set = map[T]struct{}{a.one: {}, v: {}}
		a.n = 2
		return true
	}
	if _, ok := a.set[v]; ok || a.n >= maxDistinct {
		return false
	}
	a.set[v] = struct{}{}
	a.n++
	return true
}

type window struct {
	vert  map[vKey]*agg[int32]
	horiz map[hKey]*agg[akey]
	brute map[hKey]*agg[akey]
}

// The detectors' memory bound, independent of the order records arrive in.
//
// Closing the oldest windows early, or forgetting the oldest one-off sources, when the state is full gives
// answers that depend on which records came first: with several workers, on scheduling. Instead, under
// pressure the detectors keep a deterministic sample of sources: a source is kept at level k when its
// address hash has at least k leading zero bits (one source in 2^k), and everything of every other source is
// dropped. The level only rises when the state held for the sources kept at the current level exceeds the
// budget. That state is a function of the set of records read, growing with it (every record adds to it, a
// promotion from one-off to tracked included, and nothing is evicted), so the state after any part of the
// input is at most the state after all of it: the level never rises past the lowest one at which the whole
// input fits, and Finish raises it to that level if the input ended before it did. The final level, and
// with it every detection, depends only on the input, not on its order, the number of workers or the
// number of partitions. Under the level, every kept source's detections are exact.
type sampler struct {
	level  atomic.Int32
	budget int64
	dets   []*detector
}

// levelOf is a source's level: the leading zero bits of its hash (a hash of its own, not the partition's).
func levelOf(k akey) int {
	return bits.LeadingZeros64(mix(k.hi ^ bits.RotateLeft64(k.lo, 29) ^ 0x9e3779b97f4a7c15))
}

// held returns the state held, in all partitions, for the sources kept at level k.
func (s *sampler) held(k int) int64 {
	var n int64
	for _, d := range s.dets {
		for j := k; j < len(d.held); j++ {
			n += d.held[j].Load()
		}
	}
	return n
}

// raise moves the level up while the sources kept at it hold more than the budget, and returns it.
func (s *sampler) raise() int {
	for {
		k := s.level.Load()
		if k >= 64 || s.held(int(k)) <= s.budget {
			return int(k)
		}
		s.level.CompareAndSwap(k, k+1)
	}
}

// detector owns every source address that hashes to it, so each key's state is complete and exact.
type detector struct {
	cfg      *Config
	windows  map[int64]*window // by window key: index*3 + kind (see win)
	out      []Detection
	winLen   [3]int64
	distinct int

	// One-off sources (most internet probes send one packet and leave) never reach any threshold. The first
	// record of a source waits in srcs; only a second record promotes the source to full tracking, with
	// both records replayed. This keeps the detectors' work and memory proportional to repeat offenders.
	// One table for both (a source waiting or promoted): one probe per record, and a waiting record is kept
	// without its source, the key, beside it (56 bytes a slot).
	prefilter bool
	srcs      srcTable

	// held[j] is the state held for sources of level j: waiting singles, promoted sources, keys and set
	// elements. Other partitions read it (sampler.held). What this partition added since it last published
	// waits in pend (pendN in all, < pendMax): an atomic add per record cost more than the rest of a one-off
	// source's record.
	held    [65]atomic.Int64
	pend    [65]int64
	pendN   int64
	s       *sampler
	level   int   // the level this partition's state is purged to
	checkAt int64 // local state at which to look at the shared total again
	local   int64 // state held at the current level by this partition
}

func newDetector(cfg *Config, s *sampler) *detector {
	d := &detector{
		cfg: cfg, windows: map[int64]*window{}, distinct: cfg.MaxDistinct, s: s,
		winLen: [3]int64{int64(cfg.VerticalWindow / time.Second), int64(cfg.HorizontalWindow / time.Second), int64(cfg.BruteForceWindow / time.Second)},
		srcs:   newSrcTable(),
	}
	// With a threshold of 1 a single record is a detection: then every record is tracked.
	d.prefilter = cfg.VerticalPorts > 1 && cfg.HorizontalHosts > 1 && cfg.BruteForceRejects > 1
	s.dets = append(s.dets, d)
	return d
}

// fetchAhead is how many records ahead of the one added a batch's table slots are prefetched: enough for a
// line to arrive from memory meanwhile.
const fetchAhead = 8

// addBatch takes a batch of records, and publishes the state they added.
func (d *detector) addBatch(b []detRec) {
	for i := range b {
		if j := i + fetchAhead; d.prefilter && j < len(b) {
			d.srcs.fetch(d.srcs.hash(b[j].src))
		}
		d.add(&b[i])
	}
	d.publish()
}

// add takes one record, through the one-off filter.
func (d *detector) add(r *detRec) {
	// Only records with a destination port count in any detector (track): others would only take state.
	if r.start < 0 || !r.dstValid || r.dstPort < 0 {
		return
	}
	if k := int(d.s.level.Load()); k != d.level {
		d.purge(k)
	}
	lvl := levelOf(r.src)
	if lvl < d.level {
		return // not in the sample
	}
	var grew int64
	if d.prefilter {
		grew = d.filter(r)
	} else {
		grew = d.track(r)
	}
	d.pend[lvl] += grew
	d.pendN += grew
	d.local += grew
	if d.pendN >= pendMax {
		d.publish()
	}
	// The shared total is summed only when this partition's share grows past its part of the budget (all
	// partitions within their part means the total is within the budget), and again every 256 entries.
	if d.local > d.checkAt {
		d.publish()
		if k := d.s.raise(); k != d.level {
			d.purge(k)
		}
		d.checkAt = max(d.local+256, d.s.budget/int64(len(d.s.dets)))
	}
}

// filter passes r on to track if its source was seen before (with the source's first record, at its second),
// else keeps r waiting, and returns the state added.
func (d *detector) filter(r *detRec) int64 {
	h := d.srcs.hash(r.src)
	s := d.srcs.find(r.src, h)
	switch {
	case s.st.promoted:
		return d.track(r)
	case s.st.used:
		w := s.st.rec(r.src)
		s.st = srcState{promoted: true, used: true}
		return d.track(&w) + d.track(r) // the single's entry becomes the promoted one's
	}
	s.src, s.st = r.src, waiting(r)
	d.srcs.added(h)
	return 1
}

// pendMax bounds the state a partition holds unpublished: the others may see the total low by that much each,
// which only delays a rise of the level (never past the final one, see sampler), by a few hundred entries.
const pendMax = 64

// publish adds the state counted since the last publish to held, for the other partitions to see. Called
// before held is read or reset here, and after each batch of records (so that Finish sees everything).
func (d *detector) publish() {
	if d.pendN == 0 {
		return
	}
	for j, n := range d.pend {
		if n != 0 {
			d.held[j].Add(n)
			d.pend[j] = 0
		}
	}
	d.pendN = 0
}

// purge drops the state of every source below level k.
func (d *detector) purge(k int) {
	if k <= d.level {
		return
	}
	d.publish()
	d.level = k
	keep := func(src akey) bool { return levelOf(src) >= k }
	d.srcs.keep(keep)
	for key, w := range d.windows {
		for kk := range w.vert {
			if !keep(kk.src) {
				delete(w.vert, kk)
			}
		}
		for kk := range w.horiz {
			if !keep(kk.src) {
				delete(w.horiz, kk)
			}
		}
		for kk := range w.brute {
			if !keep(kk.src) {
				delete(w.brute, kk)
			}
		}
		if len(w.vert)+len(w.horiz)+len(w.brute) == 0 {
			delete(d.windows, key)
		}
	}
	d.local = 0
	for j := range d.held {
		if j < k {
			d.held[j].Store(0)
		}
		d.local += d.held[j].Load()
	}
	d.checkAt = max(d.local+256, d.s.budget/int64(len(d.s.dets)))
}

// win returns the window of detector kind (0 vertical, 1 horizontal, 2 brute force) holding start. Windows are
// tumbling, aligned to multiples of their length since the Unix epoch, and keyed index*3+kind so that the three
// detectors' windows, which may differ in length, never collide.
func (d *detector) win(kind int, start int64) (int64, *window) {
	idx := start / d.winLen[kind]
	key := idx*3 + int64(kind)
	w := d.windows[key]
	if w == nil {
		w = &window{}
		switch kind {
		case 0:
			w.vert = map[vKey]*agg[int32]{}
		case 1:
			w.horiz = map[hKey]*agg[akey]{}
		case 2:
			w.brute = map[hKey]*agg[akey]{}
		}
		d.windows[key] = w
	}
	return key, w
}

// track adds a record to the windows of every detector it concerns and returns the state it added: a new
// key counts one, each new distinct value one (the first value of a key is held inline, with the key).
func (d *detector) track(r *detRec) (grew int64) {
	if r.reject || d.cfg.ScanAccepted {
		_, w := d.win(0, r.start)
		k := vKey{r.src, r.dst}
		a := w.vert[k]
		if a == nil {
			a = &agg[int32]{}
			w.vert[k] = a
		}
		if a.add(r.dstPort, r.start, d.distinct) {
			grew++
		}
		_, w = d.win(1, r.start)
		hk := hKey{r.src, r.dstPort, r.proto}
		h := w.horiz[hk]
		if h == nil {
			h = &agg[akey]{}
			w.horiz[hk] = h
		}
		if h.add(r.dst, r.start, d.distinct) {
			grew++
		}
	}
	if r.reject && slices.Contains(d.cfg.BruteForcePorts, r.dstPort) {
		_, w := d.win(2, r.start)
		hk := hKey{r.src, r.dstPort, r.proto}
		b := w.brute[hk]
		if b == nil {
			b = &agg[akey]{}
			w.brute[hk] = b
		}
		if b.add(r.dst, r.start, d.distinct) {
			grew++
		}
	}
	return grew
}

func (d *detector) finalize(key int64) {
	w := d.windows[key]
	delete(d.windows, key)
	kind := int(((key % 3) + 3) % 3)
	idx := (key - int64(kind)) / 3
	ws := time.Unix(idx*d.winLen[kind], 0).UTC()
	we := ws.Add(time.Duration(d.winLen[kind]) * time.Second)
	for k, a := range w.vert {
		if a.n >= d.cfg.VerticalPorts {
			d.out = append(d.out, Detection{Kind: KindVerticalScan, Source: k.src.String(), Destination: k.dst.String(),
				WindowStart: ws, WindowEnd: we, Distinct: a.n, Records: a.records, First: a.first, Last: a.last})
		}
	}
	for k, a := range w.horiz {
		if a.n >= d.cfg.HorizontalHosts {
			d.out = append(d.out, Detection{Kind: KindHorizontalScan, Source: k.src.String(), Port: k.port, Protocol: k.proto,
				WindowStart: ws, WindowEnd: we, Distinct: a.n, Records: a.records, First: a.first, Last: a.last})
		}
	}
	for k, a := range w.brute {
		if a.records >= int64(d.cfg.BruteForceRejects) {
			det := Detection{Kind: KindBruteForce, Source: k.src.String(), Port: k.port, Protocol: k.proto,
				WindowStart: ws, WindowEnd: we, Distinct: a.n, Records: a.records, First: a.first, Last: a.last}
			if a.n == 1 {
				det.Destination = a.one.String()
			}
			d.out = append(d.out, det)
		}
	}
}

// finish closes every window, with the state purged to level k.
func (d *detector) finish(k int) {
	d.purge(k)
	for key := range d.windows {
		d.finalize(key)
	}
}

func sortDetections(ds []Detection) {
	slices.SortFunc(ds, func(a, b Detection) int {
		return cmp.Or(
			cmp.Compare(a.Kind, b.Kind),
			a.WindowStart.Compare(b.WindowStart),
			cmp.Compare(b.Distinct, a.Distinct),
			cmp.Compare(a.Source, b.Source),
			cmp.Compare(a.Destination, b.Destination),
			cmp.Compare(a.Port, b.Port),
			cmp.Compare(a.Protocol, b.Protocol),
		)
	})
}
