package analyze_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// detectorInput is a day-window estate with many planted attacks among many one-off sources: the state the
// detectors need is far above a budget of a few thousand.
func detectorInput(t *testing.T) (header []byte, lines [][]byte) {
	t.Helper()
	g := gen.New(gen.Config{Seed: 11, Records: 60000, Duration: 48 * time.Hour, BruteForces: 40, VerticalScans: 40, HorizontalScans: 40})
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, true); err != nil {
		t.Fatal(err)
	}
	ls := bytes.SplitAfter(buf.Bytes(), []byte("\n"))
	return ls[0], ls[1:]
}

var dayWindows = analyze.Config{VerticalWindow: 24 * time.Hour, HorizontalWindow: 24 * time.Hour, BruteForceWindow: 24 * time.Hour}

// detect runs the engine on lines split into units, with the given workers and detector partitions.
func detect(t *testing.T, header []byte, lines [][]byte, units, workers, partitions int, budget int) *analyze.Report {
	t.Helper()
	var us []source.Unit
	per := (len(lines) + units - 1) / units
	for i := 0; i < len(lines); i += per {
		part := append(append([]byte{}, header...), bytes.Join(lines[i:min(i+per, len(lines))], nil)...)
		us = append(us, source.Reader{R: bytes.NewReader(part), Label: fmt.Sprintf("part%02d", i/per)})
	}
	ac := dayWindows
	ac.MaxDetectorState = budget
	eng := analyze.New(ac, partitions)
	st, err := source.Run(context.Background(), us, workers, flowlog.Options{Strict: true}, func() source.Sink { return eng.Shard() })
	if err != nil {
		t.Fatal(err)
	}
	return eng.Finish(st, []string{"test"})
}

func detectionsJSON(t *testing.T, r *analyze.Report) string {
	b, err := json.Marshal(struct {
		D      []analyze.Detection
		Sample int64
	}{r.Detections, r.DetectorSample})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Under a state budget far too small for the input, the detections do not depend on the order the records
// come in, how they are split into units, how many workers read them or how many partitions detect: the
// input is shuffled, split and read differently each run.
func TestDetectionsIndependentOfOrderUnderMemoryPressure(t *testing.T) {
	header, lines := detectorInput(t)
	const budget = 6000
	first := detect(t, header, lines, 7, 2, 3, budget)
	if first.DetectorSample < 2 {
		t.Fatalf("detector sample %d: the budget is not reached, the test exercises nothing", first.DetectorSample)
	}
	if len(first.Detections) < 10 {
		t.Fatalf("%d detections at 1 in %d: too few to compare", len(first.Detections), first.DetectorSample)
	}
	want := detectionsJSON(t, first)
	rng := rand.New(rand.NewPCG(7, 8))
	for run := 0; run < 8; run++ {
		shuffled := append([][]byte{}, lines...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		units, workers, parts := 1+rng.IntN(12), 1+rng.IntN(4), 1+rng.IntN(5)
		r := detect(t, header, shuffled, units, workers, parts, budget)
		if got := detectionsJSON(t, r); got != want {
			t.Fatalf("run %d (%d units, %d workers, %d partitions, shuffled): detections differ (sample %d vs %d, %d vs %d detections)\n%s",
				run, units, workers, parts, r.DetectorSample, first.DetectorSample, len(r.Detections), len(first.Detections), firstDiff([]byte(want), []byte(got)))
		}
	}
	t.Logf("%d detections at 1 source in %d, identical in 9 orders", len(first.Detections), first.DetectorSample)
}

// Under the budget, the detections are exactly those of an unbounded run for the sources in the sample:
// nothing is split, missed or miscounted for a kept source.
func TestSampledDetectionsAreExact(t *testing.T) {
	header, lines := detectorInput(t)
	full := detect(t, header, lines, 5, 3, 2, 10_000_000)
	if full.DetectorSample != 0 || len(full.Notes) != 0 && bytes.Contains([]byte(fmt.Sprint(full.Notes)), []byte("detector")) {
		t.Fatalf("an unbounded run sampled: %d %v", full.DetectorSample, full.Notes)
	}
	if len(full.Detections) < 120 {
		t.Fatalf("%d detections, want at least the 120 planted", len(full.Detections))
	}
	for _, budget := range []int{20000, 6000, 2000} {
		r := detect(t, header, lines, 5, 3, 2, budget)
		var want []analyze.Detection
		for _, d := range full.Detections {
			if analyze.Sampled(d.Source, r.DetectorSample) {
				want = append(want, d)
			}
		}
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(r.Detections)
		if !bytes.Equal(w, g) {
			t.Errorf("budget %d, 1 in %d: %d detections, want the %d of the unbounded run for sampled sources\n%s", budget, r.DetectorSample, len(r.Detections), len(want), firstDiff(w, g))
		}
		noted := false
		for _, n := range r.Notes {
			noted = noted || bytes.Contains([]byte(n), []byte(fmt.Sprintf("1 source address in %d", r.DetectorSample)))
		}
		if r.DetectorSample > 1 && !noted {
			t.Errorf("budget %d: sample 1 in %d but no note: %v", budget, r.DetectorSample, r.Notes)
		}
		t.Logf("budget %d: 1 source in %d, %d of %d detections", budget, r.DetectorSample, len(r.Detections), len(full.Detections))
	}
}
