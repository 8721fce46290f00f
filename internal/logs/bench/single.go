package bench

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/flowguard/flowguard/internal/logs/gen"
)

// GenerateOne writes records of generated flow logs (version 2, a day, 500 interfaces, a vertical scan and a
// brute force) into one gzip file in dir, as S3 delivers them, and returns it as a dataset of one file. A file
// already there (from an earlier run with the same dir and records) is reused.
func GenerateOne(dir string, records int) (*Dataset, error) {
	name := filepath.Join(dir, fmt.Sprintf("single-%d.log.gz", records))
	g := gen.New(gen.Config{Seed: 42, Records: records, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: 24 * time.Hour,
		Interfaces: 500, VerticalScans: 1, BruteForces: 1})
	ds := &Dataset{Dir: dir, Files: []string{name}, Records: g.Total()}
	if st, err := os.Stat(name); err == nil && st.Size() > 0 {
		ds.Compressed = st.Size()
		return ds, ds.measureText()
	}
	f, err := os.Create(name + ".tmp")
	if err != nil {
		return nil, err
	}
	cw := &countWriter{}
	zw, _ := gzip.NewWriterLevel(f, gzip.DefaultCompression)
	if err := g.WriteStream(io.MultiWriter(zw, cw), true); err != nil {
		f.Close()
		return nil, err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return nil, err
	}
	st, _ := f.Stat()
	if err := f.Close(); err != nil {
		return nil, err
	}
	ds.Compressed, ds.Uncompressed = st.Size(), cw.n
	return ds, os.Rename(name+".tmp", name)
}

// measureText sets the uncompressed size of a reused file.
func (ds *Dataset) measureText() error {
	f, err := os.Open(ds.Files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	ds.Uncompressed, err = io.Copy(io.Discard, zr)
	return err
}

// Zcat times `zcat FILE > /dev/null` (GNU gzip): the floor the issue measures a single file against.
func (ds *Dataset) Zcat() (Result, error) {
	zcat, err := exec.LookPath("zcat")
	if err != nil {
		return Result{}, fmt.Errorf("zcat is needed for this comparison: %w", err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return Result{}, err
	}
	defer null.Close()
	start := time.Now()
	cmd := exec.Command(zcat, ds.Files...)
	cmd.Stdout = null
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("zcat: %w", err)
	}
	el := time.Since(start)
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return Result{Name: "zcat FILE > /dev/null", Elapsed: el, Records: ds.Records, Bytes: ds.Uncompressed, CPU: cpu}, nil
}

// SingleVsZcat alternates zcat and the whole report pipeline on the one file with procs cores, runs times
// each, and writes both best wall times and their ratio (the report's over zcat's) to w.
//
// On a machine shared with other jobs wall times measure the other jobs too; CPU times do not. So it also
// times the inflater alone (the pure-Go one of package inflate, or ISA-L's when built with -tags isal) and prints what the CPU times imply on procs idle cores: one goroutine
// inflates the stream and cuts it into chunks, which every core parses, aggregates and runs detectors on, so
// the pipeline's wall time is at least the inflate's CPU time and at least its own CPU time over procs; zcat's
// is its CPU time.
func (ds *Dataset) SingleVsZcat(w io.Writer, procs, runs int) (zcat, report Result, err error) {
	var inflate Result
	for i := 0; i < runs; i++ {
		g, err := ds.Gunzip()
		if err != nil {
			return zcat, report, err
		}
		if i == 0 || g.CPU < inflate.CPU {
			inflate = g
		}
		z, err := ds.Zcat()
		if err != nil {
			return zcat, report, err
		}
		r, err := ds.Pipeline(fmt.Sprintf("gzip -> report, one file, %d cores", procs), ds.Files, procs)
		if err != nil {
			return zcat, report, err
		}
		if i == 0 || z.Elapsed < zcat.Elapsed {
			zcat = z
		}
		if i == 0 || r.Elapsed < report.Elapsed {
			report = r
		}
	}
	fmt.Fprintf(w, "one gzip file: %d records, %.1f MB text, %.1f MB gzip; best of %d runs each, alternated; inflater: %s\n",
		ds.Records, float64(ds.Uncompressed)/1e6, float64(ds.Compressed)/1e6, runs, inflaterName())
	fmt.Fprintf(w, "%-40s %8s %8s %12s %10s\n", "measurement", "wall s", "CPU s", "records/s", "peak heap")
	for _, r := range []Result{zcat, inflate, report} {
		fmt.Fprintf(w, "%-40s %8.2f %8.2f %12.0f %8.1fMB\n", r.Name, r.Elapsed.Seconds(), r.CPU.Seconds(), r.RecordsPerSec(), r.PeakHeapMB)
	}
	fmt.Fprintf(w, "report / zcat, wall time: %.2f (target ≤ 0.75 on 2 cores)\n", report.Elapsed.Seconds()/zcat.Elapsed.Seconds())
	rest := report.CPU - inflate.CPU
	floor := max(inflate.CPU, report.CPU/time.Duration(procs))
	fmt.Fprintf(w, "CPU times: inflate %.2f s (one goroutine), parse+aggregate+detect %.2f s (chunks, all cores); on %d idle cores the report takes ≥ max(inflate, total/%d) = %.2f s, zcat %.2f s: %.2f\n",
		inflate.CPU.Seconds(), rest.Seconds(), procs, procs, floor.Seconds(), zcat.CPU.Seconds(), floor.Seconds()/zcat.CPU.Seconds())
	return zcat, report, nil
}
