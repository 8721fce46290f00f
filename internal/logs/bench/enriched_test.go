package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// BenchmarkEnrichedMemory streams -logs.size bytes of generated uncompressed v2 text (over a 500-interface
// inventory, with scans and internet noise) through the enriched report on every core, and prints, per
// run, peak heap, peak RSS, records/s and records per CPU-second: over a fifth, three fifths and all of the
// files with the default bounds (the peak levels off once the detectors' state reaches its bound: it does not
// follow the input), then over all of them with
// --topk-capacity and --max-detector-state quartered and doubled (the peak follows the flags). The dataset is
// written once into -logs.dir and reused (delete it afterwards).
//
//	go test ./internal/logs/bench -run '^$' -bench EnrichedMemory -benchtime 1x -timeout 2h -logs.size 5368709120 -logs.dir /work/fl5g
func BenchmarkEnrichedMemory(b *testing.B) {
	d := datasetDir(b)
	ds, err := GenerateEnriched(d, *size)
	if err != nil {
		b.Fatal(err)
	}
	def := analyze.Defaults()
	fifth := max(1, len(ds.Files)/5)
	runs := []struct{ files, topk, state int }{
		{fifth, def.TopKCapacity, def.MaxDetectorState},
		{3 * fifth, def.TopKCapacity, def.MaxDetectorState},
		{len(ds.Files), def.TopKCapacity, def.MaxDetectorState},
		{len(ds.Files), def.TopKCapacity / 4, def.MaxDetectorState / 4},
		{len(ds.Files), def.TopKCapacity * 2, def.MaxDetectorState * 2},
	}
	for b.Loop() {
		printMemoryHeader(os.Stdout)
		for _, r := range runs {
			res, err := ds.Report(r.files, runtime.GOMAXPROCS(0), r.topk, r.state)
			if err != nil {
				b.Fatal(err)
			}
			printMemoryRow(os.Stdout, res)
		}
	}
}

func printMemoryHeader(w io.Writer) {
	fmt.Fprintf(w, "%-9s %11s %9s %10s %12s %12s %10s %14s\n", "INPUT", "RECORDS", "TOPK", "DET-STATE", "PEAK-HEAP-MB", "PEAK-RSS-MB", "M-REC/S", "M-REC/CPU-S")
}

func printMemoryRow(w io.Writer, r MemoryResult) {
	fmt.Fprintf(w, "%-9s %11d %9d %10d %12.0f %12.0f %10.2f %14.2f\n", fmt.Sprintf("%.2fGiB", float64(r.Bytes)/(1<<30)), r.Records,
		r.TopKCapacity, r.MaxState, r.PeakHeapMB, r.PeakRSSMB, float64(r.Records)/r.Elapsed.Seconds()/1e6, float64(r.Records)/r.CPU.Seconds()/1e6)
}

// TestEnrichedMemorySmall runs the harness over a small dataset: generated, reused, enriched.
func TestEnrichedMemorySmall(t *testing.T) {
	d := t.TempDir()
	ds, err := GenerateEnriched(d, 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	again, err := GenerateEnriched(d, 2<<20)
	if err != nil || again.Records != ds.Records || len(again.Files) != len(ds.Files) {
		t.Fatalf("reuse: %v %+v, want %+v", err, again, ds)
	}
	res, err := ds.Report(len(ds.Files), 2, 1024, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != ds.Records || res.Detections == 0 || res.PeakHeapMB <= 0 {
		t.Fatalf("%+v (dataset %d records)", res, ds.Records)
	}
	printMemoryHeader(testWriter{t})
	printMemoryRow(testWriter{t}, res)
}

// BenchmarkEnrichedPipeline is the per-core figure measured through the whole reader, not the engine
// alone: for each format version 2–5 it writes -logs.size bytes of uncompressed text over the 500-interface
// inventory (into -logs.dir/vN, reused), then reads it as `logs report --snapshot` does — files, 16 MiB
// chunks, parse, aggregate, detect, and with the inventory enrichment, attribution and exposure — on one
// worker and on every core, with and without the inventory, and prints records per CPU-second of the
// process (the reading goroutine, the detectors and GC included) beside records per wall-second.
//
//	go test ./internal/logs/bench -run '^$' -bench EnrichedPipeline -benchtime 1x -logs.size 268435456 -logs.dir /tmp/flv
func BenchmarkEnrichedPipeline(b *testing.B) {
	d := datasetDir(b)
	for v := 2; v <= 5; v++ {
		dir := filepath.Join(d, fmt.Sprintf("v%d", v))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		ds, err := GenerateEnrichedVersion(dir, *size, v)
		if err != nil {
			b.Fatal(err)
		}
		for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
			for _, enriched := range []bool{true, false} {
				name := fmt.Sprintf("v%d/workers=%d/plain", v, procs)
				if enriched {
					name = fmt.Sprintf("v%d/workers=%d/enriched", v, procs)
				}
				b.Run(name, func(b *testing.B) {
					var recs int64
					var cpu, wall time.Duration
					for b.Loop() {
						var res MemoryResult
						var err error
						if enriched {
							def := analyze.Defaults()
							res, err = ds.Report(len(ds.Files), procs, def.TopKCapacity, def.MaxDetectorState)
						} else {
							res, err = ds.PlainReport(len(ds.Files), procs)
						}
						if err != nil {
							b.Fatal(err)
						}
						if res.Records != ds.Records {
							b.Fatalf("%d records read, the dataset has %d", res.Records, ds.Records)
						}
						recs, cpu, wall = recs+res.Records, cpu+res.CPU, wall+res.Elapsed
					}
					b.ReportMetric(float64(recs)/cpu.Seconds()/1e6, "M-records/cpu-s")
					b.ReportMetric(float64(recs)/wall.Seconds()/1e6, "M-records/wall-s")
				})
			}
		}
	}
}

// TestEnrichedDatasetVersions: each version's dataset has that version's header and is read whole.
func TestEnrichedDatasetVersions(t *testing.T) {
	for v := 3; v <= 5; v++ {
		d := t.TempDir()
		ds, err := GenerateEnrichedVersion(d, 1<<20, v)
		if err != nil {
			t.Fatal(err)
		}
		head, err := os.ReadFile(ds.Files[0])
		if err != nil {
			t.Fatal(err)
		}
		want := flowlog.FormatOf(flowlog.FieldsOfVersion(v)...).Header()
		if line, _, _ := strings.Cut(string(head), "\n"); line != want {
			t.Fatalf("v%d header %q, want %q", v, line, want)
		}
		res, err := ds.Report(len(ds.Files), 2, 1024, 10_000)
		if err != nil || res.Records != ds.Records || res.Records == 0 {
			t.Fatalf("v%d: %v, %d records of %d", v, err, res.Records, ds.Records)
		}
		if plain, err := ds.PlainReport(len(ds.Files), 1); err != nil || plain.Records != ds.Records {
			t.Fatalf("v%d plain: %v, %d records of %d", v, err, plain.Records, ds.Records)
		}
		if again, err := GenerateEnrichedVersion(d, 1<<20, v); err != nil || again.Records != ds.Records {
			t.Fatalf("v%d reuse: %v %+v", v, err, again)
		}
	}
	if _, err := GenerateEnrichedVersion(t.TempDir(), 1<<20, 6); err == nil {
		t.Fatal("version 6: no error")
	}
}
