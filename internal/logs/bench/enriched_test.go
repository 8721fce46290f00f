package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/flowguard/flowguard/internal/logs/analyze"
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
