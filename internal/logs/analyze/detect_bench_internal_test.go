package analyze

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// detectorRecs is a detector partition's share of the reader benchmark's traffic (bench.EnrichedPipeline: 1
// GiB of text sends ≈ 200,000 records to each of two partitions, ≈ 160,000 of them from one-off sources):
// REJECTed records from sources seen once, among the records of a few hundred sources seen often.
func detectorRecs(n int) []detRec {
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	repeat := make([]akey, 300)
	for i := range repeat {
		repeat[i] = akey{0, 0xffff<<32 | rng.Uint64()&0xffffffff}
	}
	rs := make([]detRec, n)
	for i := range rs {
		// A one-off source, or a repeat one scanning the ports of one host of its own.
		r := detRec{src: akey{0, 0xffff<<32 | rng.Uint64()&0xffffffff}, dst: akey{0, 0xffff<<32 | 0x0a000000 | rng.Uint64()&0xffff},
			dstValid: true, start: start + int64(i)*3600/int64(n), dstPort: int32(rng.IntN(1024)), proto: 6, reject: true}
		if j := rng.IntN(5 * len(repeat)); j < len(repeat) {
			r.src, r.dst = repeat[j], akey{0, 0xffff<<32 | 0x0a010000 | uint64(j)}
		}
		rs[i] = r
	}
	return rs
}

// BenchmarkDetector measures one detector partition alone (its goroutine's work: the one-off filter, the
// windows, Finish's detections) on detectorRecs, in batches as Shard.route sends them, from an empty
// detector each iteration as in a report. It prints the CPU time per record of the whole process (page
// faults of the detector's growing tables included).
func BenchmarkDetector(b *testing.B) {
	rs := detectorRecs(200_000)
	cfg := Config{}
	cfg.fill()
	cpu0 := procCPU()
	for b.Loop() {
		d := newDetector(&cfg, &sampler{budget: int64(cfg.MaxDetectorState)})
		for i := 0; i < len(rs); i += batchSize {
			d.addBatch(rs[i:min(i+batchSize, len(rs))])
		}
		d.finish(0)
		if len(d.out) == 0 {
			b.Fatal("no detections")
		}
	}
	b.ReportMetric((procCPU()-cpu0).Seconds()*1e9/float64(len(rs)*b.N), "cpu-ns/record")
}

// procCPU is the process's user + system CPU time (cpuTime, in the external test package).
func procCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
