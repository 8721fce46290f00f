package analyze_test

import (
	"bytes"
	stdcmp "cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// run generates logs with cfg, reads them through workers shards and returns the report and the generator.
func run(t *testing.T, gc gen.Config, ac analyze.Config, workers int) (*analyze.Report, *gen.Generator) {
	t.Helper()
	g := gen.New(gc)
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, true); err != nil {
		t.Fatal(err)
	}
	// Split into several units so that several shards see parts of the same windows.
	lines := bytes.SplitAfter(buf.Bytes(), []byte("\n"))
	header, lines := lines[0], lines[1:]
	var units []source.Unit
	per := max(len(lines)/7, 1)
	for i := 0; i < len(lines); i += per {
		chunk := append([]byte{}, header...)
		chunk = append(chunk, bytes.Join(lines[i:min(i+per, len(lines))], nil)...)
		units = append(units, source.Reader{R: bytes.NewReader(chunk), Label: fmt.Sprintf("part%d", i/per)})
	}
	eng := analyze.New(ac, 3)
	st, err := source.Run(context.Background(), units, workers, flowlog.Options{Strict: true}, func() source.Sink { return eng.Shard() })
	if err != nil {
		t.Fatal(err)
	}
	return eng.Finish(st, []string{"test"}), g
}

func expected(p []gen.Planted) []analyze.Detection {
	var out []analyze.Detection
	for _, x := range p {
		d := analyze.Detection{Kind: x.Kind, Source: x.Source, Distinct: x.Distinct, Records: x.Records, WindowStart: x.WindowStart,
			WindowEnd: x.WindowStart.Add(time.Hour)}
		switch x.Kind {
		case analyze.KindVerticalScan:
			d.Destination = x.Destination
		case analyze.KindHorizontalScan:
			d.Port, d.Protocol = x.Port, x.Protocol
		case analyze.KindBruteForce:
			d.Port, d.Protocol, d.Destination = x.Port, x.Protocol, x.Destination
		}
		out = append(out, d)
	}
	return out
}

var ignoreTimes = cmpopts.IgnoreFields(analyze.Detection{}, "First", "Last")

func TestPlantedAttacksFoundExactly(t *testing.T) {
	for _, v := range []int{2, 3, 5, 8} {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("v%d/workers%d", v, workers), func(t *testing.T) {
				t.Parallel()
				f := flowlog.DefaultFormat
				if v > 2 {
					f = flowlog.FormatOf(flowlog.FieldsOfVersion(v)...)
				}
				gc := gen.Config{Seed: uint64(v), Records: 60000, Format: f, VerticalScans: 3, HorizontalScans: 3, BruteForces: 4, SkipData: 17, Duration: 12 * time.Hour}
				rep, g := run(t, gc, analyze.Config{}, workers)
				want := expected(g.Summary.Planted)
				got := slices.Clone(rep.Detections)
				slices.SortFunc(got, func(a, b analyze.Detection) int { return a.WindowStart.Compare(b.WindowStart) })
				slices.SortFunc(want, func(a, b analyze.Detection) int { return a.WindowStart.Compare(b.WindowStart) })
				if d := cmp.Diff(want, got, ignoreTimes); d != "" {
					t.Errorf("detections (-want +got):\n%s", d)
				}
				if rep.Totals.Records != g.Summary.Records || rep.Input.Records != g.Summary.Records || rep.Input.Malformed != 0 {
					t.Errorf("records: report %d/%d, generated %d", rep.Totals.Records, rep.Input.Records, g.Summary.Records)
				}
				if rep.Totals.Accept+rep.Totals.Reject+rep.Totals.NoData+rep.Totals.SkipData != rep.Totals.Records {
					t.Errorf("totals do not add up: %+v", rep.Totals)
				}
				if len(rep.SkipData) != 1 || rep.SkipData[0].Interface != g.Summary.SkipDataENI || rep.SkipData[0].SkipData != 17 {
					t.Errorf("skipdata: %+v, want %s with 17", rep.SkipData, g.Summary.SkipDataENI)
				}
				var tl int64
				for _, p := range rep.Timeline {
					tl += p.Records
				}
				if tl != rep.Totals.Records {
					t.Errorf("timeline sums to %d, want %d", tl, rep.Totals.Records)
				}
				if len(rep.Notes) != 0 {
					t.Errorf("notes: %v", rep.Notes)
				}
			})
		}
	}
}

func TestThresholdsAndWindows(t *testing.T) {
	gc := gen.Config{Seed: 9, Records: 20000, VerticalScans: 2, BruteForces: 2, Duration: 6 * time.Hour}
	// The first vertical scan has 40 ports, the second 60; brute force 25 and 30 tries.
	rep, _ := run(t, gc, analyze.Config{VerticalPorts: 50, BruteForceRejects: 28}, 2)
	var got []string
	for _, d := range rep.Detections {
		got = append(got, fmt.Sprintf("%s %s %d", d.Kind, d.Source, d.Records))
	}
	want := []string{"brute_force 192.0.2.11 30", "vertical_scan 203.0.113.11 60"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// A 10-minute window splits the brute force (one try a minute): at most 10 per window, so none reaches 28.
	rep, _ = run(t, gc, analyze.Config{BruteForceRejects: 11, BruteForceWindow: 10 * time.Minute, VerticalPorts: 1000}, 2)
	if len(rep.Detections) != 0 {
		t.Errorf("with 10m windows: %+v", rep.Detections)
	}
}

func TestFilters(t *testing.T) {
	gc := gen.Config{Seed: 3, Records: 20000, VerticalScans: 1, HorizontalScans: 1, BruteForces: 1, Duration: 6 * time.Hour}
	all, _ := run(t, gc, analyze.Config{}, 2)
	tests := []struct {
		name  string
		f     analyze.Filter
		check func(r *analyze.Report) error
	}{
		{"reject only", analyze.Filter{Action: flowlog.Reject}, func(r *analyze.Report) error {
			if r.Totals.Records != all.Totals.Reject || r.Totals.Accept != 0 {
				return fmt.Errorf("%+v", r.Totals)
			}
			return nil
		}},
		{"port 22", analyze.Filter{Ports: []int32{22}}, func(r *analyze.Report) error {
			if len(r.Detections) != 1 || r.Detections[0].Kind != analyze.KindBruteForce {
				return fmt.Errorf("%+v", r.Detections)
			}
			return nil
		}},
		{"scanner address", analyze.Filter{Addrs: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}}, func(r *analyze.Report) error {
			if r.Totals.Records != 40 || len(r.Detections) != 1 || r.Detections[0].Kind != analyze.KindVerticalScan {
				return fmt.Errorf("%d records, %+v", r.Totals.Records, r.Detections)
			}
			return nil
		}},
		{"time range", analyze.Filter{Since: time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC), Until: time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)}, func(r *analyze.Report) error {
			if r.From.Before(time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)) || r.Totals.Records == 0 || r.Totals.FilteredOut == 0 {
				return fmt.Errorf("from %v, %+v", r.From, r.Totals)
			}
			if len(r.Detections) != 1 || r.Detections[0].Kind != analyze.KindHorizontalScan {
				return fmt.Errorf("%+v", r.Detections)
			}
			return nil
		}},
		{"udp", analyze.Filter{Protocols: []int32{17}}, func(r *analyze.Report) error {
			if r.Totals.Records == 0 || r.Totals.Reject != 0 {
				return fmt.Errorf("%+v", r.Totals)
			}
			return nil
		}},
		{"interface", analyze.Filter{Interfaces: []string{"eni-nope"}}, func(r *analyze.Report) error {
			if r.Totals.Records != 0 || r.Totals.FilteredOut != all.Totals.Records {
				return fmt.Errorf("%+v", r.Totals)
			}
			return nil
		}},
		{"account", analyze.Filter{Accounts: []string{"123456789012"}}, func(r *analyze.Report) error {
			if r.Totals.Records != all.Totals.Records {
				return fmt.Errorf("%+v", r.Totals)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := run(t, gc, analyze.Config{Filter: tt.f}, 2)
			if err := tt.check(r); err != nil {
				t.Error(err)
			}
			if r.Totals.Records+r.Totals.FilteredOut != all.Totals.Records {
				t.Errorf("kept %d + filtered %d != %d", r.Totals.Records, r.Totals.FilteredOut, all.Totals.Records)
			}
		})
	}
}

// A budget far below what the input needs: the detectors keep a sample of sources, say so, and report every
// planted attack of a sampled source (and nothing for the others).
func TestDetectorMemoryBound(t *testing.T) {
	gc := gen.Config{Seed: 5, Records: 100000, BruteForces: 40, Duration: 48 * time.Hour}
	day := 24 * time.Hour // long windows keep one-off sources waiting, so the budget fills up
	rep, g := run(t, gc, analyze.Config{MaxDetectorState: 3000, VerticalWindow: day, HorizontalWindow: day, BruteForceWindow: day}, 2)
	if rep.DetectorSample < 2 || len(rep.Notes) == 0 || !strings.Contains(strings.Join(rep.Notes, "\n"), "detector state limit (3000) reached") {
		t.Fatalf("sample %d, notes %v", rep.DetectorSample, rep.Notes)
	}
	kept := 0
	for _, p := range g.Summary.Planted {
		found := slices.ContainsFunc(rep.Detections, func(d analyze.Detection) bool { return d.Source == p.Source && d.Kind == p.Kind })
		if want := analyze.Sampled(p.Source, rep.DetectorSample); found != want {
			t.Errorf("planted %s from %s: found %v, in the sample %v", p.Kind, p.Source, found, want)
		}
		if found {
			kept++
		}
	}
	if kept == 0 {
		t.Errorf("no planted attack in the 1-in-%d sample: the test shows nothing", rep.DetectorSample)
	}
	for _, d := range rep.Detections {
		if !analyze.Sampled(d.Source, rep.DetectorSample) {
			t.Errorf("detection of %s, outside the sample", d.Source)
		}
	}
	t.Logf("1 source in %d: %d of %d planted attacks", rep.DetectorSample, kept, len(g.Summary.Planted))
}

func TestTopK(t *testing.T) {
	k := analyze.NewTopK[int](16, stdcmp.Compare[int])
	for i := 0; i < 10; i++ {
		k.Add(i, int64(100-i))
	}
	top := k.Top(3)
	if d := cmp.Diff([]analyze.Entry[int]{{0, 100}, {1, 99}, {2, 98}}, top); d != "" {
		t.Error(d)
	}
	if k.ErrBound != 0 {
		t.Errorf("exact table has error bound %d", k.ErrBound)
	}
	// Overflow: heavy keys survive, error bound covers what was lost.
	for i := 0; i < 1000; i++ {
		k.Add(1000+i, 1)
		k.Add(0, 1)
	}
	if k.Len() > 16 {
		t.Errorf("holds %d keys", k.Len())
	}
	top = k.Top(1)
	if top[0].Key != 0 || top[0].Count > 1100 || top[0].Count < 1100-k.ErrBound {
		t.Errorf("top %+v, bound %d", top, k.ErrBound)
	}
}

func TestCounter64(t *testing.T) {
	c := analyze.NewCounter64(64)
	want := map[uint64]int64{}
	for i := uint64(0); i < 60; i++ {
		for j := uint64(0); j <= i; j++ {
			c.Add(i*0x9e3779b97f4a7c15, 1)
		}
		want[i*0x9e3779b97f4a7c15] = int64(i + 1)
	}
	c.Add(5, 0) // zero weights are ignored
	for k, v := range want {
		if got := c.Get(k); got != v {
			t.Fatalf("key %x: %d, want %d", k, got, v)
		}
	}
	if c.ErrBound != 0 {
		t.Fatal("pruned below capacity")
	}
	// Overflow with light keys: the heavy ones survive and the bound covers the loss.
	for i := uint64(1000); i < 3000; i++ {
		c.Add(i, 1)
	}
	if c.Len() > 64 || c.ErrBound == 0 {
		t.Fatalf("len %d bound %d", c.Len(), c.ErrBound)
	}
	if k := uint64(59); c.Get(k*0x9e3779b97f4a7c15) != 60 {
		t.Errorf("heaviest key: %d, want 60", c.Get(k*0x9e3779b97f4a7c15))
	}
}

func TestIPv6AndMixedTopLists(t *testing.T) {
	lines := []string{
		"2 1 eni-a 2001:db8::1 2001:db8::2 40000 443 6 10 5000 1767225600 1767225660 ACCEPT OK",
		"2 1 eni-a 2001:db8::1 2001:db8::2 40001 443 6 10 5000 1767225600 1767225660 ACCEPT OK",
		"2 1 eni-a 10.0.0.1 10.0.0.2 40000 443 6 10 7000 1767225600 1767225660 ACCEPT OK",
	}
	for p := 0; p < 12; p++ { // an IPv6 vertical scan
		lines = append(lines, fmt.Sprintf("2 1 eni-a 2001:db8:bad::7 2001:db8::2 5555 %d 6 1 60 %d %d REJECT OK", 100+p, 1767225600+p, 1767225601+p))
	}
	eng := analyze.New(analyze.Config{}, 2)
	st, err := source.Run(context.Background(), []source.Unit{source.Reader{R: bytes.NewReader([]byte(strings.Join(lines, "\n"))), Label: "v6"}}, 1,
		flowlog.Options{Strict: true}, func() source.Sink { return eng.Shard() })
	if err != nil {
		t.Fatal(err)
	}
	rep := eng.Finish(st, nil)
	talkers := rep.Top[3]
	// The scan's rejected bytes are not talk.
	want := []analyze.Count{{Key: "2001:db8::1 -> 2001:db8::2", Value: 10000}, {Key: "10.0.0.1 -> 10.0.0.2", Value: 7000}}
	if d := cmp.Diff(want, talkers.Rows); d != "" {
		t.Errorf("talkers (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]analyze.Count{{Key: "2001:db8:bad::7", Value: 12}}, rep.Top[0].Rows); d != "" {
		t.Errorf("rejected sources (-want +got):\n%s", d)
	}
	if len(rep.Detections) != 1 || rep.Detections[0].Source != "2001:db8:bad::7" || rep.Detections[0].Distinct != 12 {
		t.Errorf("detections %+v", rep.Detections)
	}
}

func TestIfaceTable(t *testing.T) {
	var ids []string
	for i := 0; i < 3000; i++ {
		switch i % 4 {
		case 0:
			ids = append(ids, fmt.Sprintf("eni-%017x", i*7919)) // the usual 21 bytes
		case 1:
			ids = append(ids, fmt.Sprintf("e%d", i)) // shorter than a word
		case 2:
			ids = append(ids, fmt.Sprintf("eni-%017x-with-a-long-suffix", i)) // longer than three words
		default:
			ids = append(ids, fmt.Sprintf("eni-0000%05d0000000", i)) // differs only in the middle
		}
	}
	for n := range 27 { // every length, the empty id included: the table gives each its own name back
		ids = append(ids, "eni-0123456789abcdefghijklm"[:n])
	}
	ids = append(ids, ids[:10]...) // repeats find the same entry
	got, level := analyze.IfaceTableCheck(ids, 1<<20)
	if got == nil || !slices.Equal(got, ids) || level != 0 {
		t.Fatalf("every id must map to its own entry")
	}
	// Full, the table keeps a sample by hash of the id, the largest that fits: the same ids whatever their order.
	got, level = analyze.IfaceTableCheck(ids, 100)
	if got == nil {
		t.Fatal("a full table changed its answers")
	}
	n, below := 0, 0
	for i, g := range got {
		if want := analyze.IfaceSampled(ids[i], level); want && g != ids[i] || !want && g != "" {
			t.Fatalf("id %d (%s): got %q, sampled at level %d: %v", i, ids[i], g, level, want)
		}
		if i < 3027 && g != "" {
			n++
		}
		if i < 3027 && analyze.IfaceSampled(ids[i], level-1) {
			below++
		}
	}
	if level == 0 || n > 100 || n == 0 || below <= 100 {
		t.Fatalf("level %d keeps %d ids (%d a level below): want the lowest level at which they fit in 100", level, n, below)
	}
	rev := slices.Clone(ids)
	slices.Reverse(rev)
	got2, level2 := analyze.IfaceTableCheck(rev, 100)
	slices.Reverse(got2)
	if level2 != level || !slices.Equal(got, got2) {
		t.Fatalf("the sample depends on the order of the ids")
	}
}

// TestCounter64OneOffsDoNotCluster streams distinct keys of count 1 (internet probes) through a table far
// smaller than their number: pruning keeps half of them, all tied, and must not keep them from one end of the
// table, or they cluster and every later Add probes through thousands of slots.
func TestCounter64OneOffsDoNotCluster(t *testing.T) {
	c := analyze.NewCounter64(4096)
	for n := uint64(1); n < 200_000; n++ {
		c.Add(45<<24|(n*2654435761)&0xFFFFFF, 1)
		if n%10_000 == 0 {
			if r := c.LongestRun(); r > 200 {
				t.Fatalf("after %d keys: a run of %d occupied slots (table of %d keys)", n, r, 4096)
			}
		}
	}
	// Each prune drops keys of count 1: the bound grows by one per prune, one per 2048 new keys.
	if c.Len() > 4096 || c.ErrBound < 1 || c.ErrBound > 200_000/2048+1 {
		t.Fatalf("len %d, bound %d", c.Len(), c.ErrBound)
	}
}

// A record whose time is past year 9999 is a malformed line (file:line); the rest makes a report that can be
// written as JSON. A record built in code with such a time (not through the parser) has its times ignored.
func TestTimeOutOfRange(t *testing.T) {
	lines := []string{
		"2 1 eni-a 10.0.0.1 10.0.0.2 40000 443 6 10 7000 1767225600 1767225660 ACCEPT OK",
		"2 1 eni-a 10.0.0.1 10.0.0.2 40000 443 6 10 7000 1767225600 253402300800 ACCEPT OK",
		"2 1 eni-a 10.0.0.1 10.0.0.2 40000 443 6 10 7000 99999999999999 1767225660 ACCEPT OK",
	}
	eng := analyze.New(analyze.Config{}, 1)
	shard := eng.Shard()
	st, err := source.Run(context.Background(), []source.Unit{source.Reader{R: strings.NewReader(strings.Join(lines, "\n")), Label: "y10k.log"}}, 1,
		flowlog.Options{}, func() source.Sink { return shard })
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 1 || st.Malformed != 2 || len(st.Samples) != 2 || st.Samples[0].Name != "y10k.log" || st.Samples[0].Line != 2 ||
		st.Samples[1].Line != 3 {
		t.Fatalf("stats %+v", st)
	}
	p := flowlog.NewParser("x", nil, flowlog.Options{})
	rec, err := p.Parse([]byte(lines[0]), 1)
	if err != nil || rec == nil {
		t.Fatal(rec, err)
	}
	rec.End = 1 << 62 // not through the parser
	shard.Add(rec)
	rep := eng.Finish(st, []string{"y10k.log"})
	if _, err := json.Marshal(rep); err != nil {
		t.Fatalf("the report cannot be written as JSON: %v", err)
	}
	if rep.Totals.Records != 2 || rep.To.Year() != 2026 {
		t.Errorf("totals %+v, to %v", rep.Totals, rep.To)
	}
}

// TestMappedAddressCountedOnce: an IPv4 address and its IPv4-mapped IPv6 form are one key in the top lists
// (the IPv4 table and the IPv6 map each count one of them; the merged list sums them), whether the tables
// are merged from parts or taken at Finish, as a source, a destination and a talker pair.
func TestMappedAddressCountedOnce(t *testing.T) {
	for _, parts := range []bool{false, true} {
		eng := analyze.New(analyze.Config{}, 1)
		s := eng.Shard()
		v4, v6 := netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("::ffff:192.0.2.7")
		dst := netip.MustParseAddr("198.51.100.1")
		for i, a := range []netip.Addr{v4, v6, v4} {
			r := &flowlog.Record{SrcAddr: a, DstAddr: dst, DstPort: 22, Protocol: 6, Start: 1767225600, End: 1767225660, Bytes: 10, Packets: 1,
				Action: flowlog.Reject}
			s.Add(r)
			r2 := *r
			r2.Action, r2.SrcAddr, r2.DstAddr = flowlog.Accept, dst, a
			s.Add(&r2)
			if parts {
				s.EndPart(0, i, i == 2)
			}
		}
		rep := eng.Finish(flowlog.Stats{}, nil)
		for _, l := range rep.Top[:1] {
			if len(l.Rows) != 1 || l.Rows[0].Key != "192.0.2.7" || l.Rows[0].Value != 3 {
				t.Errorf("parts %v: %s rows %+v, want 192.0.2.7 counted 3 times", parts, l.Title, l.Rows)
			}
		}
		if l := rep.Top[3]; len(l.Rows) != 1 || l.Rows[0].Key != "198.51.100.1 -> 192.0.2.7" || l.Rows[0].Value != 30 {
			t.Errorf("parts %v: talkers rows %+v, want one pair of 30 bytes", parts, l.Rows)
		}
	}
}
