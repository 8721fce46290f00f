package cost

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Volume is what a set of records weighs as delivered.
type Volume struct {
	Records       int64 `json:"records"`
	RejectRecords int64 `json:"reject_records"`
	// LineBytes is the text of the records with their newlines (S3 text, Firehose); EventBytes the same
	// records as CloudWatch Logs events (line without newline + the event overhead), computed at pricing.
	LineBytes       int64 `json:"line_bytes"`
	RejectLineBytes int64 `json:"reject_line_bytes"`
}

func (v *Volume) add(o Volume) {
	v.Records += o.Records
	v.RejectRecords += o.RejectRecords
	v.LineBytes += o.LineBytes
	v.RejectLineBytes += o.RejectLineBytes
}

// MaxKeys bounds the VPCs and interfaces a collector tracks each; the rest are summed under OtherKey.
const MaxKeys = 100_000

// OtherKey collects what is past MaxKeys; UnknownKey records without the field (e.g. no vpc-id in a v2 log).
const (
	OtherKey   = "(other)"
	UnknownKey = "(not in the records)"
)

// Collector gathers volumes from the records, in memory bounded by MaxKeys. Make one Shard per worker.
type Collector struct {
	match  func(*flowlog.Record) bool
	mu     sync.Mutex
	shards []*Shard
}

// NewCollector returns a collector counting the records match accepts (all when nil).
func NewCollector(match func(*flowlog.Record) bool) *Collector {
	return &Collector{match: match}
}

// Shard is one worker's counts.
type Shard struct {
	c           *Collector
	total       Volume
	filtered    int64
	first, last int64
	vpc, iface  map[string]*Volume
	hasVPC      bool
	hasIface    bool
}

// Shard returns a new worker shard.
func (c *Collector) Shard() *Shard {
	s := &Shard{c: c, vpc: map[string]*Volume{}, iface: map[string]*Volume{}}
	c.mu.Lock()
	c.shards = append(c.shards, s)
	c.mu.Unlock()
	return s
}

// Add counts one record.
func (s *Shard) Add(r *flowlog.Record) {
	if s.c.match != nil && !s.c.match(r) {
		s.filtered++
		return
	}
	v := Volume{Records: 1, LineBytes: int64(r.LineLen) + 1}
	if r.Action == flowlog.Reject {
		v.RejectRecords, v.RejectLineBytes = 1, v.LineBytes
	}
	s.total.add(v)
	if r.Start > 0 && r.Start <= flowlog.MaxTime && (s.first == 0 || r.Start < s.first) {
		s.first = r.Start
	}
	end := r.End
	if end <= 0 || end > flowlog.MaxTime {
		end = r.Start
	}
	if end > s.last && end <= flowlog.MaxTime {
		s.last = end
	}
	if f := r.Field(flowlog.VPCID); f != nil {
		s.hasVPC = true
		addKey(s.vpc, f, v)
	}
	if f := r.Field(flowlog.InterfaceID); f != nil {
		s.hasIface = true
		addKey(s.iface, f, v)
	}
}

func addKey(m map[string]*Volume, k []byte, v Volume) {
	if flowlog.IsNA(k) {
		k = []byte(UnknownKey)
	}
	e := m[string(k)] // no allocation for the lookup
	if e == nil {
		key := string(k)
		if len(m) >= MaxKeys {
			key = OtherKey
		}
		if e = m[key]; e == nil {
			e = &Volume{}
			m[key] = e
		}
	}
	e.add(v)
}

// Read is what the collector gathered, merged over its shards.
type Read struct {
	Total       Volume
	FilteredOut int64
	First, Last int64 // Unix seconds
	VPCs        map[string]*Volume
	Interfaces  map[string]*Volume
	HasVPC      bool // the records carry vpc-id
	HasIface    bool // the records carry interface-id
}

// Result merges the shards (call once they are done).
func (c *Collector) Result() *Read {
	r := &Read{VPCs: map[string]*Volume{}, Interfaces: map[string]*Volume{}}
	for _, s := range c.shards {
		r.Total.add(s.total)
		r.FilteredOut += s.filtered
		if s.first != 0 && (r.First == 0 || s.first < r.First) {
			r.First = s.first
		}
		r.Last = max(r.Last, s.last)
		r.HasVPC = r.HasVPC || s.hasVPC
		r.HasIface = r.HasIface || s.hasIface
		merge(r.VPCs, s.vpc)
		merge(r.Interfaces, s.iface)
	}
	return r
}

func merge(dst, src map[string]*Volume) {
	// Shards each hold up to MaxKeys: merged, the map could hold more. Keys past MaxKeys go to OtherKey, in
	// key order, so the result does not depend on which worker saw what.
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		e := dst[k]
		if e == nil {
			if len(dst) >= MaxKeys && k != OtherKey {
				k = OtherKey
				e = dst[k]
			}
			if e == nil {
				e = &Volume{}
				dst[k] = e
			}
		}
		e.add(*src[k])
	}
}

// Traffic types a flow log captures (TrafficType): ALL, or REJECT only (what the control needs at least).
const (
	TrafficAll    = "ALL"
	TrafficReject = "REJECT"
)

// Line is the monthly estimate of one destination for one traffic type.
type Line struct {
	Destination string  `json:"destination"`
	Name        string  `json:"name"`
	Traffic     string  `json:"traffic_type"`
	Records     float64 `json:"records_per_month"`
	// Bytes is the billed volume a month (events for CloudWatch Logs, text lines otherwise).
	Bytes    float64 `json:"bytes_per_month"`
	Delivery float64 `json:"delivery"`
	Extra    float64 `json:"extra,omitempty"`
	// StoredBytes is what is kept at steady state (retention days of compressed data); Storage its monthly price.
	StoredBytes float64 `json:"stored_bytes"`
	Storage     float64 `json:"storage"`
	Total       float64 `json:"total"`
}

// Share is one VPC's or interface's part of the estimate.
type Share struct {
	Key         string  `json:"id"`
	Records     int64   `json:"records_read"`
	RejectShare float64 `json:"reject_share"`
	BytesPerDay float64 `json:"line_bytes_per_day"`
	BytesMonth  float64 `json:"line_bytes_per_month"`
	Fraction    float64 `json:"fraction_of_all"`
	FractionRej float64 `json:"fraction_of_reject"`
	PerDest     []Cost  `json:"monthly"`
}

// Cost is a share's monthly cost at one destination.
type Cost struct {
	Destination string  `json:"destination"`
	All         float64 `json:"all"`
	Reject      float64 `json:"reject"`
}

// Estimate is the document `logs cost` prints (schema flowguard.logs-cost/v1).
type Estimate struct {
	Schema        string     `json:"schema"`
	Sources       []string   `json:"sources"`
	Prices        PriceInfo  `json:"prices"`
	RetentionDays int        `json:"retention_days"`
	From          int64      `json:"from"`
	To            int64      `json:"to"`
	SpanSeconds   int64      `json:"span_seconds"`
	Read          Volume     `json:"read"`
	FilteredOut   int64      `json:"filtered_out,omitempty"`
	RejectShare   float64    `json:"reject_share"`
	PerDay        Volume     `json:"per_day"`
	Lines         []Line     `json:"estimates"`
	GroupedBy     string     `json:"grouped_by"` // vpc or interface
	Groups        []Share    `json:"groups"`
	Notes         []string   `json:"notes,omitempty"`
	Input         *InputInfo `json:"input,omitempty"`
}

// InputInfo is what the reader counted (lines, malformed) and inputs that failed.
type InputInfo struct {
	Stats      flowlog.Stats `json:"stats"`
	ReadErrors []ReadError   `json:"read_errors,omitempty"`
}

// ReadError is an input that could not be read.
type ReadError struct {
	Source string `json:"source"`
	Error  string `json:"error"`
}

// PriceInfo says which price table the estimate used.
type PriceInfo struct {
	File     string      `json:"file"`
	Region   string      `json:"region"`
	Currency string      `json:"currency"`
	AsOf     string      `json:"as_of"`
	Sources  []string    `json:"sources"`
	Assume   Assumptions `json:"assumptions"`
}

// EstimateSchema names the JSON document.
const EstimateSchema = "flowguard.logs-cost/v1"

// Options shape the estimate.
type Options struct {
	RetentionDays int    // days stored (steady state); 0 means 365
	GroupBy       string // "vpc", "interface", or "" (vpc when the records carry vpc-id)
}

// MinSpan is the shortest span projected to a month: under it the estimate says it is unreliable.
const MinSpan = 3600

// Compute prices what r read with p.
func Compute(r *Read, p *Prices, o Options) (*Estimate, error) {
	if r.Total.Records == 0 {
		return nil, fmt.Errorf("no records to estimate from")
	}
	if o.RetentionDays <= 0 {
		o.RetentionDays = 365
	}
	span := r.Last - r.First
	e := &Estimate{Schema: EstimateSchema, RetentionDays: o.RetentionDays, From: r.First, To: r.Last, Read: r.Total, FilteredOut: r.FilteredOut,
		Prices: PriceInfo{File: p.File, Region: p.Region, Currency: p.Currency, AsOf: p.AsOf, Sources: p.Sources, Assume: p.Assumptions}}
	if r.First == 0 || span <= 0 {
		return nil, fmt.Errorf("the records carry no start and end times (or all start at the same second): no rate to project a month from; include the start and end fields")
	}
	if span < MinSpan {
		e.Notes = append(e.Notes, fmt.Sprintf("the records span only %ds: a month projected from under an hour follows that hour's traffic, not the day's", span))
	}
	e.SpanSeconds = span
	e.RejectShare = ratio(float64(r.Total.RejectLineBytes), float64(r.Total.LineBytes))
	perDay := 86400 / float64(span)
	e.PerDay = Volume{Records: round(float64(r.Total.Records) * perDay), RejectRecords: round(float64(r.Total.RejectRecords) * perDay),
		LineBytes: round(float64(r.Total.LineBytes) * perDay), RejectLineBytes: round(float64(r.Total.RejectLineBytes) * perDay)}
	if r.Total.RejectRecords == r.Total.Records {
		e.Notes = append(e.Notes, "every record read is a REJECT: the input looks like a REJECT-only flow log, so the ALL estimates are only a floor")
	}
	if r.Total.RejectRecords == 0 {
		e.Notes = append(e.Notes, "no REJECT records read: the REJECT-only estimates are zero (or the input is an ACCEPT-only flow log)")
	}
	month := perDay * p.Assumptions.DaysPerMonth
	for _, d := range p.Destinations {
		for _, tt := range []string{TrafficAll, TrafficReject} {
			recs, lines := float64(r.Total.Records), float64(r.Total.LineBytes)
			if tt == TrafficReject {
				recs, lines = float64(r.Total.RejectRecords), float64(r.Total.RejectLineBytes)
			}
			e.Lines = append(e.Lines, price(d, p.Assumptions, recs*month, lines*month, o.RetentionDays, tt))
		}
	}
	e.GroupedBy = o.GroupBy
	if e.GroupedBy == "" {
		e.GroupedBy = "interface"
		if r.HasVPC {
			e.GroupedBy = "vpc"
		}
	}
	groups := r.Interfaces
	if e.GroupedBy == "vpc" {
		groups = r.VPCs
		if !r.HasVPC {
			e.Notes = append(e.Notes, "the records carry no vpc-id (version 2 format): grouped by interface instead")
			e.GroupedBy, groups = "interface", r.Interfaces
		}
	}
	if e.GroupedBy == "interface" && !r.HasIface {
		e.Notes = append(e.Notes, "the records carry no interface-id: no per-interface breakdown")
	}
	for k, v := range groups {
		s := Share{Key: k, Records: v.Records, RejectShare: ratio(float64(v.RejectLineBytes), float64(v.LineBytes)),
			BytesPerDay: float64(v.LineBytes) * perDay, BytesMonth: float64(v.LineBytes) * month,
			Fraction: ratio(float64(v.LineBytes), float64(r.Total.LineBytes)), FractionRej: ratio(float64(v.RejectLineBytes), float64(r.Total.RejectLineBytes))}
		// Tiers are per account and region, on the whole volume: each group pays its share of the total (the
		// average price), not the first tier's price on its own volume. Event overhead differs per record, so
		// the share is by the destination's own billed volume.
		for _, d := range p.Destinations {
			c := Cost{Destination: d.ID}
			for _, l := range e.Lines {
				if l.Destination != d.ID {
					continue
				}
				if l.Traffic == TrafficAll {
					c.All = l.Total * shareOf(d, p.Assumptions, v.Records, v.LineBytes, r.Total.Records, r.Total.LineBytes)
				} else {
					c.Reject = l.Total * shareOf(d, p.Assumptions, v.RejectRecords, v.RejectLineBytes, r.Total.RejectRecords, r.Total.RejectLineBytes)
				}
			}
			s.PerDest = append(s.PerDest, c)
		}
		e.Groups = append(e.Groups, s)
	}
	slices.SortFunc(e.Groups, func(a, b Share) int {
		return cmp.Or(cmp.Compare(b.BytesMonth, a.BytesMonth), cmp.Compare(a.Key, b.Key))
	})
	return e, nil
}

// billed is a destination's billed bytes for records and their text bytes (lines with newlines).
func billed(d Destination, a Assumptions, records, lineBytes float64) float64 {
	if d.Volume == "event" {
		return lineBytes - records + records*a.EventOverhead // the newline is not part of an event
	}
	return lineBytes
}

func shareOf(d Destination, a Assumptions, rec, lines, totRec, totLines int64) float64 {
	return ratio(billed(d, a, float64(rec), float64(lines)), billed(d, a, float64(totRec), float64(totLines)))
}

// price is one destination's monthly cost for a monthly volume of records and text bytes.
func price(d Destination, a Assumptions, records, lineBytes float64, retention int, traffic string) Line {
	l := Line{Destination: d.ID, Name: d.Name, Traffic: traffic, Records: records}
	l.Bytes = billed(d, a, records, lineBytes)
	gb := l.Bytes / a.GBBytes
	l.Delivery = Tiered(d.DeliveryTiers, gb, a.TierGB)
	l.Extra = gb * d.ExtraPerGB
	// Steady state: retention days of data are kept. CloudWatch Logs stores (and bills) the events compressed.
	perDay := lineBytes / a.DaysPerMonth
	switch d.Storage {
	case "gzip":
		l.StoredBytes = perDay * float64(retention) / a.GzipRatio
	case "parquet":
		l.StoredBytes = perDay * float64(retention) / a.GzipRatio * a.ParquetVsGzip
	}
	l.Storage = l.StoredBytes / a.GBBytes * d.StoragePerGBMonth
	l.Total = l.Delivery + l.Extra + l.Storage
	return l
}

// Tiered prices gb a month on the tiers (upper bounds in TB of tierGB GB each).
func Tiered(tiers []Tier, gb, tierGB float64) float64 {
	total, lo := 0.0, 0.0
	for _, t := range tiers {
		hi := math.Inf(1)
		if t.UpToTB > 0 {
			hi = t.UpToTB * tierGB
		}
		if gb <= lo {
			break
		}
		total += (min(gb, hi) - lo) * t.PerGB
		lo = hi
	}
	return total
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func round(f float64) int64 { return int64(math.Round(f)) }
