package flowlog_test

import (
	"bytes"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// generatedLines returns n generated lines (no header, no newlines) in the fields of VPC version v
// (DefaultFormat for 2), and their format.
func generatedLines(tb testing.TB, v, n int) (*flowlog.Format, [][]byte, []byte) {
	f := flowlog.DefaultFormat
	if v > 2 {
		f = flowlog.FormatOf(flowlog.FieldsOfVersion(v)...)
	}
	g := gen.New(gen.Config{Seed: 1, Records: n, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour,
		Format: f, Interfaces: 500, VerticalScans: 1, BruteForces: 1, SkipData: 3})
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, false); err != nil {
		tb.Fatal(err)
	}
	// gen.Lines: slices of the text with the rest after them, as the sources pass lines.
	text := buf.Bytes()
	return f, gen.Lines(text), text
}

func init() {
	flowlog.GenLinesForTest = func(tb testing.TB, v, n int) (*flowlog.Format, [][]byte) {
		f, lines, _ := generatedLines(tb, v, n)
		return f, lines
	}
}

func benchCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParseVersions is the parser alone (Parser.Parse over pre-split lines) on generated lines of the
// fields of VPC versions 2 to 5; cpu-ns/record is CPU time, for a machine shared with other jobs.
func BenchmarkParseVersions(b *testing.B) {
	for v := 2; v <= 5; v++ {
		b.Run(fmt.Sprint("v", v), func(b *testing.B) {
			f, lines, text := generatedLines(b, v, 200_000)
			p := flowlog.NewParser("b", f, flowlog.Options{})
			b.SetBytes(int64(len(text)))
			cpu0 := benchCPUTime()
			n := 0
			for b.Loop() {
				for i, line := range lines {
					if _, err := p.Parse(line, int64(i+1)); err != nil {
						b.Fatal(err)
					}
				}
				n += len(lines)
			}
			b.ReportMetric((benchCPUTime()-cpu0).Seconds()*1e9/float64(n), "cpu-ns/record")
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n), "ns/record")
			b.ReportMetric(float64(len(text))/float64(len(lines)), "bytes/line")
		})
	}
}

// BenchmarkScanVersions is the Scanner (line splitting + parsing) over the same generated text in memory.
func BenchmarkScanVersions(b *testing.B) {
	for v := 2; v <= 5; v++ {
		b.Run(fmt.Sprint("v", v), func(b *testing.B) {
			f, _, text := generatedLines(b, v, 200_000)
			b.SetBytes(int64(len(text)))
			cpu0 := benchCPUTime()
			n := 0
			for b.Loop() {
				s := flowlog.NewScanner(onlyReader{bytes.NewReader(text)}, "b", flowlog.Options{Format: f})
				for s.Scan() {
					n++
				}
				if s.Err() != nil || s.Stats().Malformed != 0 {
					b.Fatal(s.Err(), s.Stats())
				}
			}
			b.ReportMetric((benchCPUTime()-cpu0).Seconds()*1e9/float64(n), "cpu-ns/record")
			b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(n), "ns/record")
		})
	}
}

// onlyReader hides WriteTo and the like, as a decompressor's reader would.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }
