package flowlog

import (
	"fmt"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// BenchmarkParseParts splits the masked parser's cost on generated lines of VPC versions 2 to 5: classify
// alone (classifyImpl: the generic one unless a vector one is installed), classify then parseV5Masked, the
// whole Parser.Parse on the masked path, and Parser.Parse on parseV5 (the path without a vector classify).
// "parse minus classify" is what a faster classify cannot remove.
func BenchmarkParseParts(b *testing.B) {
	for v := 2; v <= 5; v++ {
		b.Run(fmt.Sprint("v", v), func(b *testing.B) { benchParts(b, v) })
	}
}

func benchParts(b *testing.B, v int) {
	f, lines := GenLinesForTest(b, v, 200_000)
	for _, part := range []string{"classify", "masked", "parse", "parseV5"} {
		b.Run(part, func(b *testing.B) {
			p := NewParser("b", f, Options{})
			p.ms.on = part != "parseV5"
			r, ms := &p.rec, &p.ms
			n := 0
			cpu0 := cpuTime()
			for b.Loop() {
				for i, line := range lines {
					switch part {
					case "classify":
						ms.m.classify(line)
					case "masked":
						// As Parser.Parse does.
						ms.m.classify(line)
						p := unsafe.Pointer(unsafe.SliceData(line))
						if cap(line)-len(line) < maskedPad {
							copy(ms.pad[:], line)
							p = unsafe.Pointer(&ms.pad)
						}
						if _, ok := r.parseV5Masked(&ms.m, p, f.v5); !ok {
							b.Fatalf("line %d: not read by the masked path: %q", i+1, line)
						}
					case "parse", "parseV5":
						if rec, _ := p.Parse(line, int64(i+1)); rec == nil {
							b.Fatalf("line %d: %q", i+1, line)
						}
					}
				}
				n += len(lines)
			}
			b.ReportMetric((cpuTime()-cpu0).Seconds()*1e9/float64(n), "cpu-ns/record")
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n), "ns/record")
		})
	}
}

// cpuTime is the process's CPU time so far (user and system), for a machine shared with other jobs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
