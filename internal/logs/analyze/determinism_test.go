package analyze_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// jitterUnit delays its read by a random few milliseconds, so that which worker reads which unit, and in which
// order the workers finish, differs from run to run: the report must not.
type jitterUnit struct {
	source.Unit
	delay time.Duration
}

func (u jitterUnit) Read(ctx context.Context, o flowlog.Options, fn func(*flowlog.Record)) (flowlog.Stats, error) {
	time.Sleep(u.delay)
	return u.Unit.Read(ctx, o, fn)
}

// splitUnits writes g's records as n header-led parts.
func splitUnits(t *testing.T, g *gen.Generator, n int) [][]byte {
	t.Helper()
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, true); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(buf.Bytes(), []byte("\n"))
	header, lines := lines[0], lines[1:]
	var parts [][]byte
	per := (len(lines) + n - 1) / n
	for i := 0; i < len(lines); i += per {
		parts = append(parts, append(append([]byte{}, header...), bytes.Join(lines[i:min(i+per, len(lines))], nil)...))
	}
	return parts
}

func reportJSON(t *testing.T, parts [][]byte, ac analyze.Config, workers int, rng *rand.Rand) ([]byte, *analyze.Report) {
	t.Helper()
	var units []source.Unit
	for i, p := range parts {
		units = append(units, jitterUnit{source.Reader{R: bytes.NewReader(p), Label: fmt.Sprintf("part%02d", i)}, time.Duration(rng.IntN(4000)) * time.Microsecond})
	}
	eng := analyze.New(ac, 3)
	st, err := source.Run(context.Background(), units, workers, flowlog.Options{MaxSamples: 2}, func() source.Sink { return eng.Shard() })
	if err != nil {
		t.Fatal(err)
	}
	rep := eng.Finish(st, []string{"test"})
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	return b, rep
}

// TestReportIsByteIdentical reads the same input many times with several workers and several files, in an
// order that varies (random delays), with top-k tables far too small for the keys, so that the approximation
// and its bound are exercised: every run must give the same bytes.
func TestReportIsByteIdentical(t *testing.T) {
	gc := gen.Config{Seed: 5, Records: 40000, Duration: 6 * time.Hour, BruteForces: 2, VerticalScans: 1, SkipData: 9}
	parts := splitUnits(t, gen.New(gc), 12)
	// Malformed lines in several parts: which samples are kept must not depend on the order either.
	for i := range parts {
		if i%3 == 0 {
			parts[i] = append(parts[i], []byte(fmt.Sprintf("garbage line %d\nmore garbage\n", i))...)
		}
	}
	ac := analyze.Config{TopKCapacity: 64, TopN: 20}
	rng := rand.New(rand.NewPCG(1, 2))
	first, rep := reportJSON(t, parts, ac, 4, rng)
	approx := 0
	for _, tl := range rep.Top {
		if tl.ErrBound > 0 {
			approx++
		}
	}
	if approx == 0 {
		t.Fatalf("no top list overflowed its table: the test does not exercise the approximation: %+v", rep.Top)
	}
	for run := 0; run < 8; run++ {
		b, _ := reportJSON(t, parts, ac, 1+run%4, rng)
		if !bytes.Equal(first, b) {
			t.Fatalf("run %d (%d workers) differs from the first:\n%s", run, 1+run%4, firstDiff(first, b))
		}
	}
}

func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-200, 0)
	return fmt.Sprintf("first: …%s…\nthen:  …%s…", a[lo:min(i+200, len(a))], b[lo:min(i+200, len(b))])
}

// With an inventory, too: resource tables, reject causes and exposure rows (past the remembered sources of
// a row) are the same whichever worker read which part.
func TestEnrichedReportIsByteIdentical(t *testing.T) {
	snap, enis := gen.Estate(40)
	gc := gen.Config{Seed: 9, Records: 30000, Duration: 6 * time.Hour, ENIs: enis, BruteForces: 1}
	parts := splitUnits(t, gen.New(gc), 10)
	// Internet SSH accepted into the first interface from 300 sources, spread over the parts.
	for i := range 300 {
		line := fmt.Sprintf("2 123456789012 %s 198.18.%d.%d %s %d 22 6 3 180 1767225600 1767225660 ACCEPT OK\n", enis[0].ID, i/200, i%200+1, enis[0].Addr, 40000+i)
		parts[i%len(parts)] = append(parts[i%len(parts)], line...)
	}
	ac := analyze.Config{Enrich: enrich.New(snap, enrich.Options{}), KeyBy: analyze.ByResource}
	rng := rand.New(rand.NewPCG(3, 4))
	first, rep := reportJSON(t, parts, ac, 4, rng)
	e := rep.Enrichment
	if e == nil || len(e.Exposure) == 0 || e.Exposure[0].Sources != 64 || e.Exposure[0].Examples[0] != "198.18.0.1" || len(e.RejectCauses) == 0 {
		t.Fatalf("enrichment not exercised: %+v", e)
	}
	for i := range 6 {
		if got, _ := reportJSON(t, parts, ac, 1+i%4, rng); !bytes.Equal(got, first) {
			t.Fatalf("run %d differs", i)
		}
	}
	// Every bounded table overflowing: the enrichment's top-k tables and the interface table keep the same
	// keys whichever worker read which part, on 1 or 2 cores.
	ac.TopKCapacity, ac.MaxInterfaces, ac.TopN = 16, 8, 12
	first, rep = reportJSON(t, parts, ac, 1, rng)
	if e := rep.Enrichment; e.ByResource[2].ErrBound == 0 || !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "interfaces") }) {
		t.Fatalf("enrichment port table or interface table not overflowing: %+v %q", e.ByResource, rep.Notes)
	}
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		for i, w := range []int{1, 2, 3, 8, 4, 2} {
			if got, _ := reportJSON(t, parts, ac, w, rng); !bytes.Equal(got, first) {
				runtime.GOMAXPROCS(prev)
				t.Fatalf("overflowing, run %d (%d workers, %d cores) differs:\n%s", i, w, procs, firstDiff(first, got))
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}
