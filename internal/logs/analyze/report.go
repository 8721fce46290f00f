package analyze

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Schema names the JSON document.
const Schema = "flowguard.logs/v1"

// Count is one row of a top list.
type Count struct {
	Key   string `json:"key"`
	Value int64  `json:"value"`
	// Resource names what holds the key's address(es), with an inventory (Config.Enrich).
	Resource string `json:"resource,omitempty"`
}

// TopList is a ranked list with what its values count.
type TopList struct {
	Title string  `json:"title"`
	Key   string  `json:"key_label"`
	Unit  string  `json:"unit"` // records or bytes
	Rows  []Count `json:"rows"`
	// ErrBound > 0 means the table overflowed its capacity: each value may be low by at most this much.
	ErrBound int64 `json:"error_bound,omitempty"`
}

// Point is one timeline bucket.
type Point struct {
	Time    time.Time `json:"time"`
	Records int64     `json:"records"`
	Bytes   int64     `json:"bytes"`
	Accept  int64     `json:"accept"`
	Reject  int64     `json:"reject"`
}

// IfaceHealth is the SKIPDATA share of one interface.
type IfaceHealth struct {
	Interface string  `json:"interface"`
	Records   int64   `json:"records"`
	SkipData  int64   `json:"skipdata"`
	NoData    int64   `json:"nodata"`
	Share     float64 `json:"skipdata_share"`
	Resource  string  `json:"resource,omitempty"`
}

// Thresholds are the detector settings used.
type Thresholds struct {
	VerticalPorts     int     `json:"vertical_ports"`
	VerticalWindow    string  `json:"vertical_window"`
	HorizontalHosts   int     `json:"horizontal_hosts"`
	HorizontalWindow  string  `json:"horizontal_window"`
	BruteForceRejects int     `json:"brute_force_rejects"`
	BruteForceWindow  string  `json:"brute_force_window"`
	BruteForcePorts   []int32 `json:"brute_force_ports"`
	ScanAccepted      bool    `json:"scan_accepted"`
}

// Report is the result of reading flow logs.
type Report struct {
	Schema     string        `json:"schema"`
	Sources    []string      `json:"sources"`
	From       time.Time     `json:"from,omitzero"`
	To         time.Time     `json:"to,omitzero"`
	Totals     Totals        `json:"totals"`
	Input      flowlog.Stats `json:"input"`
	Top        []TopList     `json:"top"`
	Detections []Detection   `json:"detections"`
	// DetectorSample is N when the detectors covered 1 source in N (their state limit was reached), else 0.
	DetectorSample int64         `json:"detector_sample,omitempty"`
	SkipData       []IfaceHealth `json:"skipdata_interfaces"`
	Timeline       []Point       `json:"timeline"`
	Thresholds     Thresholds    `json:"thresholds"`
	// ReadErrors are inputs that could not be read (completely): the report covers the rest.
	ReadErrors []ReadError `json:"read_errors,omitempty"`
	Notes      []string    `json:"notes,omitempty"`
	// KeyBy is how the human tables are keyed (address or resource); Enrichment is set with an inventory.
	KeyBy      string      `json:"key_by,omitempty"`
	Enrichment *Enrichment `json:"enrichment,omitempty"`
}

// ReadError is an input that failed.
type ReadError struct {
	Source string `json:"source"`
	Error  string `json:"error"`
}

// Finish waits for the detectors, merges the shards and builds the report. Call it once, after every shard's
// last Add.
func (e *Engine) Finish(stats flowlog.Stats, sources []string) *Report {
	for _, s := range e.shards {
		s.flush()
	}
	for _, ch := range e.chans {
		close(ch)
	}
	e.wg.Wait()
	level := e.sample.raise() // all partitions are done: the level at which the whole input fits
	for _, d := range e.dets {
		d.finish(level)
	}

	c := e.cfg
	tot := Totals{}
	// Units finished after a gap (a unit that was never read: cancelled) are merged in order, and so are the
	// parts merged of units left incomplete; then whatever a shard counted outside any part (callers feeding
	// a shard directly), in shard order.
	for i, u := range e.units {
		if u.acc != nil {
			e.pending[i] = u.acc.take()
		}
		delete(e.units, i)
	}
	rest := make([]int, 0, len(e.pending))
	for i := range e.pending {
		rest = append(rest, i)
	}
	slices.Sort(rest)
	for _, i := range rest {
		e.tables.merge(e.pending[i])
		delete(e.pending, i)
	}
	for _, s := range e.shards {
		e.tables.merge(s.takeTop())
	}
	rejSrc, rejDst, rejPort, talkers := e.tables.rejSrc, e.tables.rejDst, e.tables.rejPort, e.tables.talkers
	hist := map[int64]*Bucket{}
	ifaces := map[string]*ifaceStat{}
	ifLevel := 0
	for _, s := range e.shards {
		t := s.T
		tot.Records += t.Records
		tot.Accept += t.Accept
		tot.Reject += t.Reject
		tot.NoData += t.NoData
		tot.SkipData += t.SkipData
		tot.Bytes += t.Bytes
		tot.Packets += t.Packets
		tot.AcceptBytes += t.AcceptBytes
		tot.RejectBytes += t.RejectBytes
		tot.FilteredOut += t.FilteredOut
		if t.First != 0 && (tot.First == 0 || t.First < tot.First) {
			tot.First = t.First
		}
		tot.Last = max(tot.Last, t.Last)
		s.hist.each(func(m int64, b *Bucket) {
			h := hist[m]
			if h == nil {
				h = &Bucket{}
				hist[m] = h
			}
			h.Records += b.Records
			h.Bytes += b.Bytes
			h.Packets += b.Packets
			h.Accept += b.Accept
			h.Reject += b.Reject
		})
		s.ifaces.each(func(name string, sh uint64, v *ifaceCount) {
			x := ifaces[name]
			if x == nil {
				x = &ifaceStat{sh: sh}
				ifaces[name] = x
			}
			x.records += v.records
			x.skip += v.skip
			x.nodata += v.nodata
		})
		ifLevel = max(ifLevel, s.ifaces.level)
	}
	// Each shard kept the interfaces sampled at its level, exactly counted; at the highest level every shard
	// has all of the sampled ones, and the union is cut further until it fits: the sample depends on the
	// input's interface ids only.
	for {
		n := 0
		for _, v := range ifaces {
			if sampled(v.sh, ifLevel) {
				n++
			}
		}
		if n <= c.MaxInterfaces {
			break
		}
		ifLevel++
	}
	for k, v := range ifaces {
		if !sampled(v.sh, ifLevel) {
			delete(ifaces, k)
		}
	}

	r := &Report{Schema: Schema, Sources: sources, Totals: tot, Input: stats}
	if tot.First != 0 {
		r.From = time.Unix(tot.First, 0).UTC()
	}
	if tot.Last != 0 {
		r.To = time.Unix(tot.Last, 0).UTC()
	}
	addrRows := func(es []Entry[akey]) []Count {
		out := make([]Count, len(es))
		for i, e := range es {
			out[i] = Count{Key: e.Key.addr().String(), Value: e.Count}
		}
		return out
	}
	r.Top = append(r.Top,
		TopList{Title: "Top rejected sources", Key: "source", Unit: "records", Rows: addrRows(rejSrc.Top(c.TopN)), ErrBound: rejSrc.ErrBound},
		TopList{Title: "Top rejected destinations", Key: "destination", Unit: "records", Rows: addrRows(rejDst.Top(c.TopN)), ErrBound: rejDst.ErrBound},
	)
	var ports []Count
	for _, e := range rejPort.Top(c.TopN) {
		ports = append(ports, Count{Key: PortString(e.Key.Port, e.Key.Proto), Value: e.Count})
	}
	r.Top = append(r.Top, TopList{Title: "Top rejected destination ports", Key: "port", Unit: "records", Rows: ports, ErrBound: rejPort.ErrBound})
	var talk []Count
	for _, e := range talkers.Top(c.TopN) {
		talk = append(talk, Count{Key: e.Key.src.String() + " -> " + e.Key.dst.String(), Value: e.Count})
	}
	r.Top = append(r.Top, TopList{Title: "Top talkers by bytes (not rejected)", Key: "source -> destination", Unit: "bytes", Rows: talk, ErrBound: talkers.ErrBound})
	for i := range r.Top {
		if r.Top[i].Rows == nil {
			r.Top[i].Rows = []Count{}
		}
		if r.Top[i].ErrBound > 0 {
			r.Notes = append(r.Notes, fmt.Sprintf("%s: more distinct keys than the table holds; values may be low by up to %d", r.Top[i].Title, r.Top[i].ErrBound))
		}
	}

	r.Detections = []Detection{}
	for _, d := range e.dets {
		r.Detections = append(r.Detections, d.out...)
	}
	sortDetections(r.Detections)
	if level > 0 {
		r.DetectorSample = 1 << min(level, 62)
		r.Notes = append(r.Notes, fmt.Sprintf("detector state limit (%d) reached: detections cover 1 source address in %d, chosen by a hash of the address, so the same input always gives the same sample; a larger --max-detector-state covers more", c.MaxDetectorState, r.DetectorSample))
	}

	r.SkipData = []IfaceHealth{}
	for k, v := range ifaces {
		if v.skip > 0 {
			r.SkipData = append(r.SkipData, IfaceHealth{Interface: k, Records: v.records, SkipData: v.skip, NoData: v.nodata, Share: float64(v.skip) / float64(v.records)})
		}
	}
	slices.SortFunc(r.SkipData, func(a, b IfaceHealth) int {
		return cmp.Or(cmp.Compare(b.Share, a.Share), cmp.Compare(b.SkipData, a.SkipData), cmp.Compare(a.Interface, b.Interface))
	})
	if ifLevel > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("more than %d interfaces: SKIPDATA shares cover 1 interface in %d, chosen by a hash of its id, so the same input always gives the same sample", c.MaxInterfaces, 1<<min(ifLevel, 62)))
	}

	if ix := c.Enrich; ix != nil {
		r.KeyBy = cmp.Or(c.KeyBy, ByAddress)
		r.Enrichment = e.finishEnrichment(rejSrc, rejDst)
		for i := range r.Top {
			for j := range r.Top[i].Rows {
				row := &r.Top[i].Rows[j]
				row.Resource = labelKey(ix, row.Key)
			}
		}
		for i := range r.Detections {
			r.Detections[i].Resource = labelOf(ix, r.Detections[i].Destination)
		}
		for i := range r.SkipData {
			if x := ix.Interface([]byte(r.SkipData[i].Interface)); x >= 0 {
				r.SkipData[i].Resource = ix.Label(ix.ResourceOf(x))
			}
		}
	}
	r.Timeline = timeline(hist)
	r.Thresholds = Thresholds{
		VerticalPorts: c.VerticalPorts, VerticalWindow: shortDur(c.VerticalWindow),
		HorizontalHosts: c.HorizontalHosts, HorizontalWindow: shortDur(c.HorizontalWindow),
		BruteForceRejects: c.BruteForceRejects, BruteForceWindow: shortDur(c.BruteForceWindow),
		BruteForcePorts: c.BruteForcePorts, ScanAccepted: c.ScanAccepted,
	}
	if stats.Malformed > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d malformed lines skipped", stats.Malformed))
	}
	if r.MostlyMalformed() {
		r.Notes = append(r.Notes, fmt.Sprintf("more than half of the lines are malformed (%d of %d): the report covers only the rest; is the record format right (header line, --log-format)?",
			stats.Malformed, stats.Records+stats.Malformed))
	}
	return r
}

// maxPoints bounds the timeline: minute buckets are merged into coarser steps (1, 5, 15 min, 1 h, 6 h, 1 day …).
const maxPoints = 400

func timeline(hist map[int64]*Bucket) []Point {
	if len(hist) == 0 {
		return []Point{}
	}
	lo, hi := int64(1<<62), int64(-1<<62)
	for m := range hist {
		lo, hi = min(lo, m), max(hi, m)
	}
	step := int64(1)
	for _, s := range []int64{1, 5, 15, 60, 360, 1440, 10080} {
		step = s
		if (hi-lo)/s < maxPoints {
			break
		}
	}
	agg := map[int64]*Point{}
	for m, b := range hist {
		k := m / step * step
		p := agg[k]
		if p == nil {
			p = &Point{Time: time.Unix(k*60, 0).UTC()}
			agg[k] = p
		}
		p.Records += b.Records
		p.Bytes += b.Bytes
		p.Accept += b.Accept
		p.Reject += b.Reject
	}
	out := make([]Point, 0, len(agg))
	for k := lo / step * step; k <= hi; k += step {
		if p := agg[k]; p != nil {
			out = append(out, *p)
		} else {
			out = append(out, Point{Time: time.Unix(k*60, 0).UTC()})
		}
	}
	return out
}

var protoNames = map[int32]string{1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 50: "esp", 58: "icmpv6", 132: "sctp"}

// ProtoName is the IANA name of a protocol number, or the number.
func ProtoName(p int32) string {
	if n, ok := protoNames[p]; ok {
		return n
	}
	if p < 0 {
		return "-"
	}
	return fmt.Sprint(p)
}

// PortString renders "22/tcp".
func PortString(port, proto int32) string { return fmt.Sprintf("%d/%s", port, ProtoName(proto)) }

// shortDur renders 1h0m0s as 1h and 30m0s as 30m.
func shortDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MostlyMalformed reports whether more than half of the data lines read (records and malformed lines; blank
// and header lines do not count) were malformed: the report then describes a small, arbitrary part of the
// input, and the usual cause is reading in the wrong record format. A command should not treat that as a
// clean report (flowguard exits 2 with MalformedHint).
func (r *Report) MostlyMalformed() bool {
	in := r.Input
	return in.Malformed > 0 && 2*in.Malformed > in.Records+in.Malformed
}

// MalformedHint says what most likely went wrong when the report is MostlyMalformed, and what to do; ""
// otherwise. formatGiven says whether the record format was given (--log-format).
func (r *Report) MalformedHint(formatGiven bool) string {
	if !r.MostlyMalformed() {
		return ""
	}
	in := r.Input
	what := fmt.Sprintf("%d of %d lines malformed", in.Malformed, in.Records+in.Malformed)
	switch {
	case formatGiven:
		return what + ": the lines do not match --log-format: give the flow log's LogFormat (aws ec2 describe-flow-logs), or leave --log-format out if the files start with a header line"
	case in.Headers == 0:
		return what + ": no header line and no --log-format: say the record format with --log-format, or keep the header line"
	default:
		return what + ": the lines do not match their header line: check that the files are flow logs"
	}
}
