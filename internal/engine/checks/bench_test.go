package checks

import (
	"syscall"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/engine/query"
)

// cpuTime is the process's user+system CPU time: on a shared machine it says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBuiltinChecks evaluates every built-in check over 100,000 VPCs and 300,000 flow logs (graph built
// once, outside the timer). Run: go test ./internal/checks -run XXX -bench . -benchmem
func BenchmarkBuiltinChecks(b *testing.B) {
	g := graph.Build(graphtest.Large(100_000, 3))
	cs := Default(Builtin())
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	var n int
	for i := 0; i < b.N; i++ {
		n = len(Run(g, cs, Options{}).Findings)
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(n), "findings/op")
}

// BenchmarkBuildGraph builds the asset graph of 100,000 VPCs and 300,000 flow logs.
func BenchmarkBuildGraph(b *testing.B) {
	snap := graphtest.Large(100_000, 3)
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for i := 0; i < b.N; i++ {
		graph.Build(snap)
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkSeedQuery runs the seed's query over the same graph.
func BenchmarkSeedQuery(b *testing.B) {
	g := graph.Build(graphtest.Large(100_000, 3))
	r := mustRoot(b, `vpcs(where: {OR: [{hasFlowLog: null}, {hasFlowLog_NONE: {flowLogStatus: "ACTIVE"}}]}){...AssetFragment}`)
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	e := query.NewEval(b.Context())
	for i := 0; i < b.N; i++ {
		found, err := r.Find(e, g)
		if err != nil {
			b.Fatal(err)
		}
		n = len(found)
	}
	b.ReportMetric(float64(n), "vpcs/op")
}
