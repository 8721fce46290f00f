package bench

import (
	"flag"
	"os"
	"testing"
)

var size = flag.Int64("logs.size", 8<<20, "uncompressed bytes of flow logs to generate for BenchmarkReadFlowLogs (1<<30 for the README figures)")

// BenchmarkReadFlowLogs prints the figures table once and reports the per-measurement metrics.
//
//	go test ./internal/logs/bench -run '^$' -bench ReadFlowLogs -benchtime 1x -logs.size 1073741824
func BenchmarkReadFlowLogs(b *testing.B) {
	ds, err := Generate(b.TempDir(), *size, true)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := ds.RunAll(os.Stdout)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			_ = r
		}
		b.ReportMetric(res[len(res)-1].RecordsPerSec(), "records/s-allcore")
		b.ReportMetric(res[0].MBPerSec(), "MB/s-gunzip")
	}
}

// TestSmallDataset keeps the harness honest in normal test runs: a tiny dataset through every measurement.
func TestSmallDataset(t *testing.T) {
	ds, err := Generate(t.TempDir(), 1<<20, true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ds.RunAll(testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results", len(res))
	}
	for _, r := range res {
		if r.Records != ds.Records {
			t.Errorf("%s: %d records, want %d", r.Name, r.Records, ds.Records)
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
