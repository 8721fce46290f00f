// Package bench measures flow-log reading against its floor, gzip decompression: it generates gzip flow logs
// of a chosen size and times pure decompression, parse+aggregate of the uncompressed text, and the whole
// pipeline on one core and on all cores, with peak heap, so the parse+aggregate : decompress ratio is visible.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/inflate"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// Dataset is a directory of generated gzip flow logs.
type Dataset struct {
	Dir          string
	Files        []string // gzip files
	Plain        []string // the same data uncompressed
	Records      int64
	Compressed   int64
	Uncompressed int64
}

// Generate writes about size bytes of uncompressed flow logs (version 2), gzip-compressed into files of about
// 64 MiB uncompressed each, plus an uncompressed copy when plain is set.
func Generate(dir string, size int64, plain bool) (*Dataset, error) {
	const perFile = 64 << 20
	const bytesPerRecord = 110 // measured on generated v2 records
	ds := &Dataset{Dir: dir}
	nfiles := max(1, int((size+perFile-1)/perFile))
	recsPerFile := int(size / bytesPerRecord / int64(nfiles))
	for i := 0; i < nfiles; i++ {
		g := gen.New(gen.Config{Seed: uint64(i + 1), Records: recsPerFile, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
			Duration: time.Hour, Interfaces: 500, VerticalScans: 1, BruteForces: 1})
		name := filepath.Join(dir, fmt.Sprintf("part-%04d.log.gz", i))
		f, err := os.Create(name)
		if err != nil {
			return nil, err
		}
		var w io.Writer = f
		var pf *os.File
		if plain {
			if pf, err = os.Create(name[:len(name)-3]); err != nil {
				return nil, err
			}
			ds.Plain = append(ds.Plain, pf.Name())
		}
		cw := &countWriter{}
		zw, _ := gzip.NewWriterLevel(f, gzip.DefaultCompression)
		w = io.MultiWriter(zw, cw)
		if pf != nil {
			bw := bufio.NewWriterSize(pf, 1<<20)
			w = io.MultiWriter(zw, cw, bw)
			defer bw.Flush()
			if err := g.WriteStream(w, true); err != nil {
				return nil, err
			}
			bw.Flush()
			pf.Close()
		} else if err := g.WriteStream(w, true); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		st, _ := f.Stat()
		ds.Compressed += st.Size()
		f.Close()
		ds.Files = append(ds.Files, name)
		ds.Uncompressed += cw.n
		ds.Records += g.Summary.Records
	}
	return ds, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// Result is one measurement.
type Result struct {
	Name       string
	Elapsed    time.Duration
	Records    int64
	Bytes      int64 // uncompressed bytes processed
	PeakHeapMB float64
	// CPU is the process CPU time (user+system) the measurement used: on a shared machine it is the honest
	// figure of cost, wall time also counts waiting for other processes.
	CPU time.Duration
}

// RecordsPerCPUSec is records per CPU-second: the per-core rate.
func (r Result) RecordsPerCPUSec() float64 { return float64(r.Records) / r.CPU.Seconds() }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r Result) RecordsPerSec() float64 { return float64(r.Records) / r.Elapsed.Seconds() }
func (r Result) MBPerSec() float64      { return float64(r.Bytes) / 1e6 / r.Elapsed.Seconds() }

// peakHeap samples the live heap every few milliseconds until stop is called, and returns the peak.
func peakHeap() (stop func() float64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 { close(done); <-finished; return float64(peak.Load()) / (1 << 20) }
}

func measure(name string, bytes int64, fn func() (int64, error)) (Result, error) {
	runtime.GC()
	debug.FreeOSMemory()
	stop := peakHeap()
	start, c0 := time.Now(), cpuTime()
	n, err := fn()
	el, cpu := time.Since(start), cpuTime()-c0
	return Result{Name: name, Elapsed: el, Records: n, Bytes: bytes, PeakHeapMB: stop(), CPU: cpu}, err
}

// inflaterName says which gzip inflater the measurements use (build tag isal: ISA-L).
func inflaterName() string { return inflate.Name() }

// Gunzip decompresses every file on one goroutine with the inflater compiled in (inflate.Name()), discarding
// the output.
func (ds *Dataset) Gunzip() (Result, error) {
	return measure("gunzip only, 1 core", ds.Uncompressed, func() (int64, error) {
		for _, p := range ds.Files {
			f, err := os.Open(p)
			if err != nil {
				return 0, err
			}
			zr, err := inflate.NewReader(bufio.NewReaderSize(f, 256<<10))
			if err != nil {
				return 0, err
			}
			if _, err := io.Copy(io.Discard, zr); err != nil {
				return 0, err
			}
			zr.Close()
			f.Close()
		}
		return ds.Records, nil
	})
}

// Pipeline runs the report pipeline (read, parse, aggregate, detect) over files with workers readers and
// GOMAXPROCS set to procs.
func (ds *Dataset) Pipeline(name string, files []string, procs int) (Result, error) {
	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	return measure(name, ds.Uncompressed, func() (int64, error) {
		units, err := source.Files(files, nil)
		if err != nil {
			return 0, err
		}
		eng := analyze.New(analyze.Config{}, procs)
		st, err := source.Run(context.Background(), units, procs, flowlog.Options{}, func() source.Sink { return eng.Shard() })
		rep := eng.Finish(st, nil)
		if err == nil && len(rep.Detections) != 2*len(files) {
			err = fmt.Errorf("found %d detections, want %d", len(rep.Detections), 2*len(files))
		}
		return rep.Totals.Records, err
	})
}

// RunAll runs every measurement and writes a table to w.
func (ds *Dataset) RunAll(w io.Writer) ([]Result, error) {
	var out []Result
	add := func(r Result, err error) error {
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}
	if err := add(ds.Gunzip()); err != nil {
		return nil, err
	}
	if len(ds.Plain) > 0 {
		if err := add(ds.Pipeline("parse+aggregate, uncompressed, 1 core", ds.Plain, 1)); err != nil {
			return nil, err
		}
	}
	if err := add(ds.Pipeline("gzip -> report, 1 core", ds.Files, 1)); err != nil {
		return nil, err
	}
	all := runtime.NumCPU()
	if err := add(ds.Pipeline(fmt.Sprintf("gzip -> report, %d cores", all), ds.Files, all)); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "dataset: %d records, %.1f MB uncompressed, %.1f MB gzip (%.1fx), %d files; inflater: %s\n",
		ds.Records, float64(ds.Uncompressed)/1e6, float64(ds.Compressed)/1e6, float64(ds.Uncompressed)/float64(ds.Compressed), len(ds.Files), inflaterName())
	fmt.Fprintf(w, "%-40s %8s %8s %12s %14s %10s %10s\n", "measurement", "wall s", "CPU s", "records/s", "records/CPU-s", "MB/s text", "peak heap")
	for _, r := range out {
		fmt.Fprintf(w, "%-40s %8.2f %8.2f %12.0f %14.0f %10.1f %8.1fMB\n", r.Name, r.Elapsed.Seconds(), r.CPU.Seconds(), r.RecordsPerSec(), r.RecordsPerCPUSec(), r.MBPerSec(), r.PeakHeapMB)
	}
	gz := out[0].CPU.Seconds()
	for _, r := range out {
		if r.Name == "gzip -> report, 1 core" {
			fmt.Fprintf(w, "parse+aggregate : decompress, CPU time, gzip input = %.2f : 1\n", (r.CPU.Seconds()-gz)/gz)
		}
		if r.Name == "parse+aggregate, uncompressed, 1 core" {
			fmt.Fprintf(w, "parse+aggregate (uncompressed input) : decompress, CPU time = %.2f : 1\n", r.CPU.Seconds()/gz)
		}
	}
	return out, nil
}
