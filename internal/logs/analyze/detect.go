package analyze

import (
	"cmp"
	"slices"
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
	dstValid bool
	start    int64
	dstPort  int32
	proto    int32
	reject   bool
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

// detector owns every source address that hashes to it, so each key's state is complete and exact.
type detector struct {
	cfg      *Config
	windows  map[int64]*window // by window key: index*3 + kind (see win)
	entries  int               // keys + set elements held, bounded by budget
	budget   int
	out      []Detection
	evicted  int64 // windows finalised early because the state budget was reached
	winLen   [3]int64
	distinct int

	// One-off sources (most internet probes send one packet and leave) never reach any threshold. The first
	// record of a source waits in first; only a second record promotes the source to full tracking, with
	// both records replayed. This keeps the detectors' work and memory proportional to repeat offenders.
	prefilter bool
	first     map[akey]detRec
	promoted  map[akey]struct{}
	maxStart  int64 // newest start seen
	swept     int64 // maxStart at the last sweep of stale singles
	maxLen    int64 // longest window, seconds
	dropped   int64 // singles dropped under budget pressure
}

func newDetector(cfg *Config, budget int) *detector {
	d := &detector{
		cfg: cfg, windows: map[int64]*window{}, budget: max(budget, 1024), distinct: cfg.MaxDistinct,
		winLen: [3]int64{int64(cfg.VerticalWindow / time.Second), int64(cfg.HorizontalWindow / time.Second), int64(cfg.BruteForceWindow / time.Second)},
		first:  map[akey]detRec{}, promoted: map[akey]struct{}{},
	}
	d.maxLen = max(d.winLen[0], d.winLen[1], d.winLen[2])
	// With a threshold of 1 a single record is a detection: then every record is tracked.
	d.prefilter = cfg.VerticalPorts > 1 && cfg.HorizontalHosts > 1 && cfg.BruteForceRejects > 1
	return d
}

// add takes one record, through the one-off filter.
func (d *detector) add(r detRec) {
	if r.start < 0 || !r.dstValid {
		return
	}
	if !d.prefilter {
		d.track(r)
		d.enforceBudget()
		return
	}
	if r.start > d.maxStart {
		d.maxStart = r.start
		if d.maxStart-d.swept >= d.maxLen {
			d.sweepStale()
		}
	}
	if _, ok := d.promoted[r.src]; ok {
		d.track(r)
	} else if f, ok := d.first[r.src]; ok {
		delete(d.first, r.src)
		d.promoted[r.src] = struct{}{}
		d.track(f)
		d.track(r)
	} else {
		d.first[r.src] = r
		d.entries++
	}
	d.enforceBudget()
}

// sweepStale forgets singles more than two windows older than the newest record: a later record from the
// same source cannot fall in their window unless input arrives that far out of order.
func (d *detector) sweepStale() {
	d.swept = d.maxStart
	cut := d.maxStart - 2*d.maxLen
	for k, r := range d.first {
		if r.start < cut {
			delete(d.first, k)
			d.entries--
		}
	}
}

func (d *detector) enforceBudget() {
	for d.entries > d.budget {
		switch {
		case len(d.first) > d.budget/2:
			d.dropOldSingles()
		case len(d.windows) > 1:
			d.evictOldest()
		case len(d.first) > 0:
			d.dropOldSingles()
		default:
			return
		}
	}
}

// dropOldSingles forgets the older half of the waiting singles (counted in the report's notes).
func (d *detector) dropOldSingles() {
	starts := make([]int64, 0, len(d.first))
	for _, r := range d.first {
		starts = append(starts, r.start)
	}
	cut := nthLargest(starts, len(starts)/2) // the median start
	n := len(d.first)
	for k, r := range d.first {
		if r.start < cut {
			delete(d.first, k)
		}
	}
	if len(d.first) == n { // no start below the median: drop the median ones too
		for k, r := range d.first {
			if r.start <= cut {
				delete(d.first, k)
			}
		}
	}
	d.entries -= n - len(d.first)
	d.dropped += int64(n - len(d.first))
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

// track adds a record to the windows of every detector it concerns.
func (d *detector) track(r detRec) {
	hasPort := r.dstPort >= 0
	if hasPort && (r.reject || d.cfg.ScanAccepted) {
		_, w := d.win(0, r.start)
		k := vKey{r.src, r.dst}
		a := w.vert[k]
		if a == nil {
			a = &agg[int32]{}
			w.vert[k] = a
		}
		if a.add(r.dstPort, r.start, d.distinct) {
			d.entries++
		}
		_, w = d.win(1, r.start)
		hk := hKey{r.src, r.dstPort, r.proto}
		h := w.horiz[hk]
		if h == nil {
			h = &agg[akey]{}
			w.horiz[hk] = h
		}
		if h.add(r.dst, r.start, d.distinct) {
			d.entries++
		}
	}
	if r.reject && hasPort && slices.Contains(d.cfg.BruteForcePorts, r.dstPort) {
		_, w := d.win(2, r.start)
		hk := hKey{r.src, r.dstPort, r.proto}
		b := w.brute[hk]
		if b == nil {
			b = &agg[akey]{}
			w.brute[hk] = b
		}
		if b.add(r.dst, r.start, d.distinct) {
			d.entries++
		}
	}
}

func (d *detector) evictOldest() {
	oldest := int64(1<<63 - 1)
	for k := range d.windows {
		oldest = min(oldest, k)
	}
	d.finalize(oldest)
	d.evicted++
}

func (d *detector) finalize(key int64) {
	w := d.windows[key]
	delete(d.windows, key)
	kind := int(((key % 3) + 3) % 3)
	idx := (key - int64(kind)) / 3
	ws := time.Unix(idx*d.winLen[kind], 0).UTC()
	we := ws.Add(time.Duration(d.winLen[kind]) * time.Second)
	for k, a := range w.vert {
		d.entries -= a.n
		if a.n >= d.cfg.VerticalPorts {
			d.out = append(d.out, Detection{Kind: KindVerticalScan, Source: k.src.String(), Destination: k.dst.String(),
				WindowStart: ws, WindowEnd: we, Distinct: a.n, Records: a.records, First: a.first, Last: a.last})
		}
	}
	for k, a := range w.horiz {
		d.entries -= a.n
		if a.n >= d.cfg.HorizontalHosts {
			d.out = append(d.out, Detection{Kind: KindHorizontalScan, Source: k.src.String(), Port: k.port, Protocol: k.proto,
				WindowStart: ws, WindowEnd: we, Distinct: a.n, Records: a.records, First: a.first, Last: a.last})
		}
	}
	for k, a := range w.brute {
		d.entries -= a.n
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

func (d *detector) finish() {
	for len(d.windows) > 0 {
		for k := range d.windows {
			d.finalize(k)
		}
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
