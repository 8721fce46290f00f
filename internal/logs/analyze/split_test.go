package analyze_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// splitFile writes g's records (header first) to dir/name, gzip if name ends in .gz, with a malformed line
// every `every` bytes of text (0: none), and returns the path.
func splitFile(t *testing.T, dir, name string, g *gen.Generator, every int) string {
	t.Helper()
	var text bytes.Buffer
	if err := g.WriteStream(&text, true); err != nil {
		t.Fatal(err)
	}
	data := text.Bytes()
	if every > 0 {
		var b bytes.Buffer
		for n := 0; len(data) > 0; n++ {
			k := min(len(data), every)
			if k < len(data) {
				k += bytes.IndexByte(data[k:], '\n') + 1
			}
			b.Write(data[:k])
			fmt.Fprintf(&b, "malformed line %d\n", n)
			data = data[k:]
		}
		data = b.Bytes()
	}
	if filepath.Ext(name) == ".gz" {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		data = z.Bytes()
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func fileReport(t *testing.T, paths []string, ac analyze.Config, workers, procs int, opts flowlog.Options) ([]byte, *analyze.Report, error) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	var units []source.Unit
	for _, p := range paths {
		units = append(units, source.File{Path: p})
	}
	eng := analyze.New(ac, 3)
	st, err := source.Run(context.Background(), units, workers, opts, func() source.Sink { return eng.Shard() })
	rep := eng.Finish(st, []string{"test"})
	b, jerr := json.Marshal(rep)
	if jerr != nil {
		t.Fatal(jerr)
	}
	return b, rep, err
}

// Files larger than a chunk are parsed by all workers at once: the report is byte-identical for 1, 2, 3
// and 8 workers on 1 or 2 cores: one big gzip file, files of several sizes, top-k tables that overflow,
// malformed lines (their samples by file:line), a header line in each file.
func TestSplitReportIsByteIdentical(t *testing.T) {
	dir := t.TempDir()
	big := splitFile(t, dir, "big.log.gz", gen.New(gen.Config{Seed: 11, Records: 100_000, Duration: 12 * time.Hour, BruteForces: 2, VerticalScans: 1, SkipData: 9}), 0)
	mid := splitFile(t, dir, "mid.log", gen.New(gen.Config{Seed: 12, Records: 40_000, Duration: 6 * time.Hour, HorizontalScans: 1}), 1<<20+7)
	small := splitFile(t, dir, "small.log.gz", gen.New(gen.Config{Seed: 13, Records: 700}), 0)
	bad := splitFile(t, dir, "bad.log.gz", gen.New(gen.Config{Seed: 14, Records: 60_000}), 2<<20-40)
	cases := []struct {
		name  string
		paths []string
		ac    analyze.Config
	}{
		{"one big gzip file", []string{big}, analyze.Config{}},
		{"files of several sizes", []string{small, big, mid, bad}, analyze.Config{}},
		{"overflowing top-k tables", []string{big, small, mid}, analyze.Config{TopKCapacity: 64, TopN: 20}},
		{"malformed lines at chunk edges", []string{bad, mid}, analyze.Config{}},
	}
	for _, c := range cases {
		first, rep, err := fileReport(t, c.paths, c.ac, 1, 1, flowlog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Input.Headers != int64(len(c.paths)) {
			t.Fatalf("%s: %d headers", c.name, rep.Input.Headers)
		}
		if c.ac.TopKCapacity == 64 {
			approx := 0
			for _, tl := range rep.Top {
				if tl.ErrBound > 0 {
					approx++
				}
			}
			if approx == 0 {
				t.Fatalf("%s: no top list overflowed", c.name)
			}
		}
		for _, procs := range []int{1, 2} {
			for _, w := range []int{1, 2, 3, 8} {
				b, _, err := fileReport(t, c.paths, c.ac, w, procs, flowlog.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(b, first) {
					t.Fatalf("%s: %d workers on %d cores differ from 1 worker:\n%s", c.name, w, procs, firstDiff(first, b))
				}
			}
		}
	}
	// The samples are the whole-file Scanner's: the same files, lines and texts.
	_, rep, _ := fileReport(t, []string{bad, mid}, analyze.Config{}, 8, 2, flowlog.Options{MaxSamples: 1000})
	var want flowlog.Stats
	for _, p := range []string{bad, mid} {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		st, err := source.ReadStream(context.Background(), f, p, flowlog.Options{MaxSamples: 1000}, func(*flowlog.Record) {})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want.Add(st, 1000)
	}
	if rep.Input.Malformed < 5 || fmt.Sprint(rep.Input) != fmt.Sprint(want) {
		t.Fatalf("input counts %.500v,\nwhole-file Scanner %.500v", fmt.Sprint(rep.Input), fmt.Sprint(want))
	}
	// Strict: the first malformed line of the file, whatever the workers.
	f, _ := os.Open(bad)
	_, werr := source.ReadStream(context.Background(), f, bad, flowlog.Options{Strict: true}, func(*flowlog.Record) {})
	f.Close()
	for _, w := range []int{1, 2, 3, 8} {
		_, _, err := fileReport(t, []string{bad}, analyze.Config{}, w, 2, flowlog.Options{Strict: true})
		if err == nil || err.Error() != werr.Error() {
			t.Fatalf("strict, %d workers: %v, want %v", w, err, werr)
		}
	}
}

// skipFile is splitFile with a SKIPDATA line for interface enis[n%len(enis)] and a REJECT line naming no
// interface of a third VPC after every `every`-th record line, so that many interfaces have SKIPDATA shares.
func skipFile(t *testing.T, dir, name string, g *gen.Generator, enis []gen.ENI, every int) string {
	t.Helper()
	var text bytes.Buffer
	if err := g.WriteStream(&text, true); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for n, l := range bytes.SplitAfter(text.Bytes(), []byte("\n")) {
		b.Write(l)
		if n > 0 && n%every == 0 {
			fmt.Fprintf(&b, "2 123456789012 %s - - - - - - - %d %d - SKIPDATA\n", enis[(n/every)%len(enis)].ID, 1767225600+n, 1767225660+n)
			// A REJECT on an interface of a third VPC between its address and one the two others both hold
			// (see the test): kept by address in the enrichment's own top-k tables. Half of them from or to
			// two addresses, to top the lists; the others from or to any.
			m := n / every
			a := enis[m*7%len(enis)].Addr
			if m%4 < 2 {
				a = enis[m%2].Addr
			}
			src, dst := a.String(), "10.1.0.9"
			if m%2 == 1 {
				src, dst = dst, src
			}
			fmt.Fprintf(&b, "2 123456789012 eni-0c0000000000000c3 %s %s %d %d 6 1 40 %d %d REJECT OK\n", src, dst, 40000+m%977, m%1500, 1767225600+n, 1767225660+n)
		}
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b.Bytes())
	zw.Close()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// With an inventory and every bounded table overflowing (the main and the enrichment top-k tables, the
// interface table), the report is still byte-identical for 1, 2, 3 and 8 workers on 1 or 2 cores, and for
// the files in any order of the input list... of the same list: which keys survive must not depend on which
// worker read which part.
func TestSplitEnrichedOverflowIsByteIdentical(t *testing.T) {
	dir := t.TempDir()
	snap, enis := gen.Estate(60)
	// A second VPC whose interfaces hold the same addresses: a record naming no interface does not say whose.
	reg := snap.Regions[0]
	reg.VPCs = append(reg.VPCs, inventory.VPC{ID: "vpc-00000000000000002", CIDR: "10.0.0.0/16"})
	for _, ni := range slices.Clone(reg.NetworkInterfaces) {
		ni.ID, ni.VPCID, ni.Attachment = strings.Replace(ni.ID, "eni-0", "eni-f", 1), "vpc-00000000000000002", nil
		reg.NetworkInterfaces = append(reg.NetworkInterfaces, ni)
	}
	reg.VPCs = append(reg.VPCs, inventory.VPC{ID: "vpc-00000000000000003", CIDR: "10.1.0.0/16"})
	reg.NetworkInterfaces = append(reg.NetworkInterfaces, inventory.NetworkInterface{ID: "eni-0c0000000000000c3", VPCID: "vpc-00000000000000003",
		Type: "interface", ENIDetails: inventory.ENIDetails{PrivateIPs: []string{"10.1.0.9"}}})
	big := skipFile(t, dir, "big.log.gz", gen.New(gen.Config{Seed: 21, Records: 120_000, Duration: 12 * time.Hour, ENIs: enis, BruteForces: 2, VerticalScans: 1, HorizontalScans: 1}), enis, 97)
	mid := skipFile(t, dir, "mid.log.gz", gen.New(gen.Config{Seed: 22, Records: 30_000, Duration: 6 * time.Hour, ENIs: enis[20:], HorizontalScans: 1}), enis[30:], 13)
	small := skipFile(t, dir, "small.log.gz", gen.New(gen.Config{Seed: 23, Records: 2000, ENIs: enis[:25]}), enis[:10], 7)
	ac := analyze.Config{TopKCapacity: 16, TopN: 12, MaxInterfaces: 8, Enrich: enrich.New(snap, enrich.Options{}), KeyBy: analyze.ByResource}
	for _, paths := range [][]string{{big, mid, small}, {small, big, mid}} {
		first, rep, err := fileReport(t, paths, ac, 1, 1, flowlog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := rep.Enrichment
		if e == nil || e.ByResource[2].ErrBound == 0 || len(rep.SkipData) < 2 {
			t.Fatalf("enrichment port table or interface table not overflowing: %+v %+v", e, rep.SkipData)
		}
		for _, l := range e.ByResource[:2] {
			if !slices.ContainsFunc(l.Rows, func(c analyze.Count) bool { return strings.HasPrefix(c.Key, "10.0.") }) {
				t.Fatalf("%s: no address several interfaces hold: %+v", l.Title, l.Rows)
			}
		}
		ifNote := false
		for _, n := range rep.Notes {
			ifNote = ifNote || strings.Contains(n, "interfaces")
		}
		if !ifNote {
			t.Fatalf("interface table did not overflow: %q", rep.Notes)
		}
		for _, procs := range []int{1, 2} {
			for _, w := range []int{1, 2, 3, 8} {
				for range 2 {
					b, _, err := fileReport(t, paths, ac, w, procs, flowlog.Options{})
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(b, first) {
						t.Fatalf("%q: %d workers on %d cores differ from 1 worker:\n%s", paths, w, procs, firstDiff(first, b))
					}
				}
			}
		}
	}
}
