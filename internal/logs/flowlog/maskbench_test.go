package flowlog

import (
	"fmt"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// BenchmarkParseParts splits the masked parser's cost on generated lines of VPC versions 2 to 5: classify
// alone (classifyImpl: the generic one unless a vector one is installed), classify then parseV5Masked, and
// the whole Parser.Parse. "Parse minus classify" is what a faster classify cannot remove.
func BenchmarkParseParts(b *testing.B) {
	for v := 2; v <= 5; v++ {
		b.Run(fmt.Sprint("v", v), func(b *testing.B) { benchParts(b, v) })
	}
}

func benchParts(b *testing.B, v int) {
	f, lines := GenLinesForTest(b, v, 200_000)
	for _, part := range []string{"classify", "masked", "parse"} {
		b.Run(part, func(b *testing.B) {
			p := NewParser("b", f, Options{})
			r, ms := &p.rec, &p.ms
			n := 0
			cpu0 := cpuTime()
			for b.Loop() {
				for i, line := range lines {
					switch part {
					case "classify":
						ms.m.classify(line)
					case "masked":
						// As parseLine does for a line without spare capacity (bytes.Split's).
						ms.m.classify(line)
						copy(ms.pad[:], line)
						if _, ok := r.parseV5Masked(&ms.m, unsafe.Pointer(&ms.pad), f.v5); !ok {
							b.Fatalf("line %d: not read by the masked path: %q", i+1, line)
						}
					case "parse":
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
