package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/source"
)

// EnrichedDataset is uncompressed text of one VPC format version (2: the default format; 3–5: every field of
// that version) over gen.Estate(500), in files of about 64 MiB, each an hour of traffic with a vertical scan,
// a brute force and internet noise.
type EnrichedDataset struct {
	Dir     string
	Version int
	Files   []string
	Bytes   []int64 // per file
	Records int64
	Snap    *inventory.Snapshot
}

const enrichedManifest = "enriched-dataset.txt"

// GenerateEnriched writes about size bytes of version-2 text into dir, or reuses what an earlier call wrote
// there (a manifest names the size, files and records).
func GenerateEnriched(dir string, size int64) (*EnrichedDataset, error) {
	return GenerateEnrichedVersion(dir, size, 2)
}

// bytesPerRecord is about what a generated record over gen.Estate weighs in each version's text, to size the
// files; the manifest keeps the exact figures.
var bytesPerRecord = map[int]int64{2: 100, 3: 200, 4: 225, 5: 240}

// GenerateEnrichedVersion is GenerateEnriched for format version 2–5.
func GenerateEnrichedVersion(dir string, size int64, version int) (*EnrichedDataset, error) {
	perRecord, ok := bytesPerRecord[version]
	if !ok {
		return nil, fmt.Errorf("enriched dataset: version %d, want 2 to 5", version)
	}
	format := flowlog.DefaultFormat
	if version > 2 {
		format = flowlog.FormatOf(flowlog.FieldsOfVersion(version)...)
	}
	snap, enis := gen.Estate(500)
	ds := &EnrichedDataset{Dir: dir, Version: version, Snap: snap}
	head := "size " + strconv.FormatInt(size, 10)
	if version != 2 {
		head += " version " + strconv.Itoa(version) // a version-2 manifest keeps the form it had
	}
	if b, err := os.ReadFile(filepath.Join(dir, enrichedManifest)); err == nil {
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) > 1 && lines[0] == head {
			for _, l := range lines[1:] {
				var name string
				var n, recs int64
				if _, err := fmt.Sscanf(l, "%s %d %d", &name, &n, &recs); err != nil {
					return nil, fmt.Errorf("%s: %q: %v", enrichedManifest, l, err)
				}
				ds.Files, ds.Bytes, ds.Records = append(ds.Files, filepath.Join(dir, name)), append(ds.Bytes, n), ds.Records+recs
			}
			return ds, nil
		}
	}
	const perFile = 64 << 20
	nfiles := max(1, int((size+perFile-1)/perFile))
	recsPerFile := int(size / perRecord / int64(nfiles))
	var manifest bytes.Buffer
	fmt.Fprintf(&manifest, "%s\n", head)
	for i := range nfiles {
		g := gen.New(gen.Config{Seed: uint64(i + 1), Records: recsPerFile, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
			Duration: time.Hour, Format: format, ENIs: enis, VerticalScans: 1, BruteForces: 1})
		name := fmt.Sprintf("enriched-%04d.log", i)
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		cw := &countWriter{}
		bw := bufio.NewWriterSize(io.MultiWriter(f, cw), 1<<20)
		if err := g.WriteStream(bw, true); err != nil {
			return nil, err
		}
		if err := bw.Flush(); err != nil {
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		ds.Files, ds.Bytes, ds.Records = append(ds.Files, f.Name()), append(ds.Bytes, cw.n), ds.Records+g.Summary.Records
		fmt.Fprintf(&manifest, "%s %d %d\n", name, cw.n, g.Summary.Records)
	}
	return ds, os.WriteFile(filepath.Join(dir, enrichedManifest), manifest.Bytes(), 0o644)
}

// MemoryResult is one enriched report run.
type MemoryResult struct {
	Files                    int
	Bytes, Records           int64
	TopKCapacity, MaxState   int
	Elapsed, CPU             time.Duration
	PeakHeapMB, PeakRSSMB    float64
	Resolved, RejectsCaused  int64
	Detections, ExposureRows int
}

// Report runs the enriched report (parse, aggregate, detect, enrichment, attribution, exposure) over the
// first files of the dataset with procs workers and the given bounds, and measures its peak heap (sampled
// every 5 ms) and peak RSS (the kernel's high-water mark, reset before the run).
func (ds *EnrichedDataset) Report(files, procs, topk, maxState int) (MemoryResult, error) {
	return ds.report(files, procs, topk, maxState, true)
}

// PlainReport is Report without the inventory: the same reading, parsing, aggregation and detection.
func (ds *EnrichedDataset) PlainReport(files, procs int) (MemoryResult, error) {
	def := analyze.Defaults()
	return ds.report(files, procs, def.TopKCapacity, def.MaxDetectorState, false)
}

func (ds *EnrichedDataset) report(files, procs, topk, maxState int, enriched bool) (MemoryResult, error) {
	var ix *enrich.Index
	if enriched {
		ix = enrich.New(ds.Snap, enrich.Options{})
	}
	res := MemoryResult{Files: files, TopKCapacity: topk, MaxState: maxState}
	for _, n := range ds.Bytes[:files] {
		res.Bytes += n
	}
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	stop := peakHeap()
	start, c0 := time.Now(), cpuTime()
	units, err := source.Files(ds.Files[:files], nil)
	if err != nil {
		return res, err
	}
	eng := analyze.New(analyze.Config{Enrich: ix, TopKCapacity: topk, MaxDetectorState: maxState}, procs)
	st, err := source.Run(context.Background(), units, procs, flowlog.Options{}, func() source.Sink { return eng.Shard() })
	rep := eng.Finish(st, nil)
	res.Elapsed, res.CPU = time.Since(start), cpuTime()-c0
	res.PeakHeapMB, res.PeakRSSMB = stop(), peakRSS()
	if err != nil {
		return res, err
	}
	res.Records = rep.Totals.Records
	if !enriched {
		return res, nil
	}
	if en := rep.Enrichment; en != nil {
		res.Resolved = en.Resolved
		for _, v := range en.RejectsByKind {
			res.RejectsCaused += v
		}
		res.ExposureRows = len(en.Exposure)
	}
	res.Detections = len(rep.Detections)
	if res.Resolved == 0 || res.RejectsCaused == 0 {
		return res, fmt.Errorf("enrichment did nothing: %+v", rep.Enrichment)
	}
	return res, nil
}

// resetPeakRSS resets the kernel's peak-RSS mark of this process (Linux: clear_refs 5), so that peakRSS
// reads the peak of what follows.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is VmHWM, the process's peak resident set, in MiB (0 where /proc is not there).
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
