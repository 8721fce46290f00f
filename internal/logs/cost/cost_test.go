package cost_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/cost"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// day generates one day of version-3 records for two VPCs (the second one quieter), as text with a header.
func day(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	f := flowlog.FormatOf(flowlog.FieldsOfVersion(3)...)
	for i, c := range []gen.Config{
		{Seed: 7, Records: 30000, Duration: 24 * time.Hour, VPC: "vpc-00000000000000aaa", Format: f, BruteForces: 1},
		{Seed: 8, Records: 10000, Duration: 24 * time.Hour, VPC: "vpc-00000000000000bbb", Format: f, Interfaces: 7},
	} {
		var b bytes.Buffer
		if err := gen.New(c).WriteStream(&b, i == 0); err != nil {
			t.Fatal(err)
		}
		buf.Write(b.Bytes())
	}
	return buf.Bytes()
}

// expected is what the test computes on its own from the text: per VPC, records, text bytes (line +
// newline) and the same for REJECT lines, and the time span.
type expected struct {
	recs, bytes, rejRecs, rejBytes float64
}

func tally(t *testing.T, text []byte) (map[string]*expected, *expected, int64, int64) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
	head := strings.Fields(lines[0])
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	per := map[string]*expected{}
	all := &expected{}
	var first, last int64 = math.MaxInt64, 0
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		e := per[f[col["vpc-id"]]]
		if e == nil {
			e = &expected{}
			per[f[col["vpc-id"]]] = e
		}
		n := float64(len(l) + 1)
		for _, x := range []*expected{e, all} {
			x.recs++
			x.bytes += n
			if f[col["action"]] == "REJECT" {
				x.rejRecs++
				x.rejBytes += n
			}
		}
		var s, en int64
		for _, c := range f[col["start"]] {
			s = s*10 + int64(c-'0')
		}
		for _, c := range f[col["end"]] {
			en = en*10 + int64(c-'0')
		}
		first, last = min(first, s), max(last, en)
	}
	return per, all, first, last
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

// TestEstimateArithmetic reads a generated day of records and checks every figure of the estimate against
// the price table, computed here independently from the text itself.
func TestEstimateArithmetic(t *testing.T) {
	text := day(t)
	per, all, first, last := tally(t, text)
	col := cost.NewCollector(nil)
	if _, err := source.Run(context.Background(), []source.Unit{source.Reader{R: bytes.NewReader(text), Label: "day"}}, 1,
		flowlog.Options{}, func() source.Sink { return col.Shard() }); err != nil {
		t.Fatal(err)
	}
	p := cost.Builtin()
	const retention = 90
	e, err := cost.Compute(col.Result(), p, cost.Options{RetentionDays: retention})
	if err != nil {
		t.Fatal(err)
	}
	if e.Prices.Region != "us-east-1" || e.Prices.AsOf == "" || len(e.Prices.Sources) == 0 {
		t.Errorf("the estimate does not state its price table: %+v", e.Prices)
	}
	if e.From != first || e.To != last || e.SpanSeconds != last-first {
		t.Errorf("span %d..%d, want %d..%d", e.From, e.To, first, last)
	}
	a := p.Assumptions
	month := 86400 / float64(last-first) * a.DaysPerMonth
	near(t, "reject share", e.RejectShare, all.rejBytes/all.bytes)
	if len(e.Lines) != 2*len(p.Destinations) || len(p.Destinations) != 5 {
		t.Fatalf("%d estimate lines for %d destinations", len(e.Lines), len(p.Destinations))
	}
	totals := map[string]float64{}
	for i, l := range e.Lines {
		d := p.Destinations[i/2]
		recs, txt := all.recs, all.bytes
		if l.Traffic == cost.TrafficReject {
			recs, txt = all.rejRecs, all.rejBytes
		}
		recs, txt = recs*month, txt*month
		vol := txt
		if d.Volume == "event" { // CloudWatch Logs events: text without newline + 26 bytes each
			vol = txt - recs + recs*a.EventOverhead
		}
		gb := vol / a.GBBytes
		// A month of this is far below 10 TB: the first tier's price applies to all of it.
		wantDelivery := gb * d.DeliveryTiers[0].PerGB
		stored := 0.0
		switch d.Storage {
		case "gzip":
			stored = txt / a.DaysPerMonth * retention / a.GzipRatio
		case "parquet":
			stored = txt / a.DaysPerMonth * retention / a.GzipRatio * a.ParquetVsGzip
		}
		what := d.ID + " " + l.Traffic
		near(t, what+" records", l.Records, recs)
		near(t, what+" bytes", l.Bytes, vol)
		near(t, what+" delivery", l.Delivery, wantDelivery)
		near(t, what+" extra", l.Extra, gb*d.ExtraPerGB)
		near(t, what+" stored", l.StoredBytes, stored)
		near(t, what+" storage", l.Storage, stored/a.GBBytes*d.StoragePerGBMonth)
		near(t, what+" total", l.Total, wantDelivery+gb*d.ExtraPerGB+stored/a.GBBytes*d.StoragePerGBMonth)
		totals[d.ID+l.Traffic] = l.Total
	}
	// Hand-checked anchors: CloudWatch Standard ingests at 0.50/GB, S3 at 0.25/GB.
	if p.Destinations[0].DeliveryTiers[0].PerGB != 0.50 || p.Destinations[2].DeliveryTiers[0].PerGB != 0.25 {
		t.Errorf("built-in first tiers changed: %+v", p.Destinations)
	}
	if e.GroupedBy != "vpc" || len(e.Groups) != 2 {
		t.Fatalf("grouped by %s: %d groups", e.GroupedBy, len(e.Groups))
	}
	if e.Groups[0].Key != "vpc-00000000000000aaa" {
		t.Errorf("groups not heaviest first: %s", e.Groups[0].Key)
	}
	sum := map[string]float64{}
	for _, g := range e.Groups {
		x := per[g.Key]
		near(t, g.Key+" records", float64(g.Records), x.recs)
		near(t, g.Key+" share", g.Fraction, x.bytes/all.bytes)
		near(t, g.Key+" per day", g.BytesPerDay, x.bytes*86400/float64(last-first))
		for i, c := range g.PerDest {
			d := p.Destinations[i]
			share, rshare := x.bytes/all.bytes, x.rejBytes/all.rejBytes
			if d.Volume == "event" {
				ev := func(r, b float64) float64 { return b - r + r*a.EventOverhead }
				share = ev(x.recs, x.bytes) / ev(all.recs, all.bytes)
				rshare = ev(x.rejRecs, x.rejBytes) / ev(all.rejRecs, all.rejBytes)
			}
			near(t, g.Key+" "+d.ID+" all", c.All, totals[d.ID+cost.TrafficAll]*share)
			near(t, g.Key+" "+d.ID+" reject", c.Reject, totals[d.ID+cost.TrafficReject]*rshare)
			sum[d.ID] += c.All
		}
	}
	for id, s := range sum {
		near(t, id+" groups add up", s, totals[id+cost.TrafficAll])
	}
	var out bytes.Buffer
	if err := cost.WriteTable(&out, e, 10); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"region us-east-1", "as of " + p.AsOf, "CloudWatch Logs (Infrequent Access class)", "S3, Apache Parquet", "Amazon Data Firehose", "vpc-00000000000000bbb", "90 days"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestTiered checks the tiered delivery price across every band boundary.
func TestTiered(t *testing.T) {
	tiers := cost.Builtin().Destinations[0].DeliveryTiers // 0.50 to 10 TB, 0.25 to 30, 0.10 to 50, then 0.05
	for _, c := range []struct{ gb, want float64 }{
		{0, 0}, {1, 0.50}, {10240, 5120}, {10241, 5120.25},
		{30720, 5120 + 20480*0.25}, {51200, 5120 + 5120 + 20480*0.10}, {61440, 5120 + 5120 + 2048 + 10240*0.05},
	} {
		near(t, "tiered", cost.Tiered(tiers, c.gb, 1024), c.want)
	}
}
