package bench

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
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

var dir = flag.String("logs.dir", "", "BenchmarkParseVsGunzip: dataset directory, reused when it holds one (default: a fresh temporary one)")

// BenchmarkParseVsGunzip alternates parse+aggregate of the uncompressed text (one core) with gunzip of the same
// data, b.N times each, and reports the best CPU time of each and their ratio: on a shared machine,
// interleaving and taking the best of several runs is what keeps the ratio comparable between builds (run two
// builds on the same -logs.dir).
//
//	go test ./internal/logs/bench -run '^$' -bench ParseVsGunzip -benchtime 3x -logs.size 1073741824 -logs.dir /tmp/fl1g
func BenchmarkParseVsGunzip(b *testing.B) {
	d := datasetDir(b)
	var ds *Dataset
	if gz, _ := filepath.Glob(filepath.Join(d, "part-*.log.gz")); len(gz) > 0 {
		ds = &Dataset{Dir: d, Files: gz}
		for _, f := range gz {
			ds.Plain = append(ds.Plain, strings.TrimSuffix(f, ".gz"))
		}
	} else {
		var err error
		if ds, err = Generate(d, *size, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	bestP, bestG := math.Inf(1), math.Inf(1)
	for i := 0; i < b.N; i++ {
		p, err := ds.Pipeline("parse+aggregate, uncompressed, 1 core", ds.Plain, 1)
		if err != nil {
			b.Fatal(err)
		}
		g, err := ds.Gunzip()
		if err != nil {
			b.Fatal(err)
		}
		bestP, bestG = min(bestP, p.CPU.Seconds()), min(bestG, g.CPU.Seconds())
	}
	b.ReportMetric(bestP, "parse-cpu-s")
	b.ReportMetric(bestG, "gunzip-cpu-s")
	b.ReportMetric(bestP/bestG, "ratio")
}

var singleRecords = flag.Int("logs.records", 200_000, "BenchmarkSingleGzipVsZcat: records in the one gzip file (4000000 for the README figures)")

// BenchmarkSingleGzipVsZcat compares the report on one gzip file, on 2 cores (decompression and parsing
// pipelined), with `zcat FILE > /dev/null`, alternating the two b.N times and keeping the best of each:
//
//	go test ./internal/logs/bench -run '^$' -bench SingleGzipVsZcat -benchtime 3x -logs.records 4000000 -logs.dir /tmp/fl1
func BenchmarkSingleGzipVsZcat(b *testing.B) {
	ds := singleFile(b)
	b.ResetTimer()
	z, r, err := ds.SingleVsZcat(os.Stdout, 2, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(z.Elapsed.Seconds(), "zcat-s")
	b.ReportMetric(r.Elapsed.Seconds(), "report-s")
	b.ReportMetric(r.Elapsed.Seconds()/z.Elapsed.Seconds(), "ratio")
}

// TestSingleVsZcat keeps the comparison harness honest: a small file, both measured, the report complete.
func TestSingleVsZcat(t *testing.T) {
	ds, err := GenerateOne(t.TempDir(), 20000)
	if err != nil {
		t.Fatal(err)
	}
	z, r, err := ds.SingleVsZcat(testWriter{t}, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if z.Elapsed <= 0 || r.Records != ds.Records {
		t.Errorf("zcat %v, report %d records of %d", z.Elapsed, r.Records, ds.Records)
	}
}

// datasetDir is -logs.dir, created if need be, or a fresh temporary directory.
func datasetDir(b *testing.B) string {
	if *dir == "" {
		return b.TempDir()
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		b.Fatal(err)
	}
	return *dir
}

// singleFile is the one gzip file of -logs.records records, generated in datasetDir or reused from there.
func singleFile(b *testing.B) *Dataset {
	ds, err := GenerateOne(datasetDir(b), *singleRecords)
	if err != nil {
		b.Fatal(err)
	}
	return ds
}
