package bench

import "testing"

// BenchmarkOneFileReport runs only the report pipeline on the one gzip file of BenchmarkSingleGzipVsZcat, on
// 2 cores, and reports its CPU seconds: for A/B comparisons of the pipeline by CPU time (or by instructions,
// e.g. under `perf stat -e instructions:u`) on a machine too busy for wall times.
//
//	go test ./internal/logs/bench -run '^$' -bench OneFileReport -benchtime 3x -logs.records 4000000 -logs.dir /tmp/fl1
func BenchmarkOneFileReport(b *testing.B) {
	ds := singleFile(b)
	b.ResetTimer()
	best := 0.0
	for i := 0; i < b.N; i++ {
		r, err := ds.Pipeline("report", ds.Files, 2)
		if err != nil {
			b.Fatal(err)
		}
		if c := r.CPU.Seconds(); i == 0 || c < best {
			best = c
		}
	}
	b.ReportMetric(best, "best-cpu-s")
}
