package scan_test

import (
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/collect"
	"github.com/flowguard/flowguard/internal/scan"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/fixture"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// BenchmarkScanUnderLatency scans the demo account (3 regions) with 50 ms added to every API call and prints
// the API calls per account-region and the wall time next to the critical-path bound: the longest chain of
// calls that must wait for each other (GetCallerIdentity → DescribeFlowLogs → DescribeLogGroups →
// HeadBucket), times the latency. A scan that ran its calls one after another would take calls × latency.
//
//	go test ./internal/scan -run '^$' -bench ScanUnderLatency
func BenchmarkScanUnderLatency(b *testing.B) {
	const latency = 50 * time.Millisecond
	srv := moto.Shared(b)
	acct, err := srv.NewAccount(b.Context(), "")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := fixture.Demo(b.Context(), fixture.New(acct.Config(srv.URL, "us-east-1"), acct.ID)); err != nil {
		b.Fatal(err)
	}
	p := faultproxy.New(srv.URL, faultproxy.Options{Latency: latency})
	defer p.Close()
	cfg := acct.Config(p.URL, "us-east-1")
	opts := scan.Options{Collect: collect.Options{Regions: fixture.DemoRegions}}
	regions := float64(len(fixture.DemoRegions))
	const criticalPath = 4 // calls in the longest dependent chain
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if res, _ := scan.Live(b.Context(), cfg, opts); res.Incomplete {
			b.Fatalf("scan incomplete: %+v", res.Errors)
		}
	}
	wall := time.Since(start) / time.Duration(b.N)
	calls := float64(p.Total()) / float64(b.N)
	bound := criticalPath * latency
	b.ReportMetric(calls/regions, "calls/region")
	b.ReportMetric(calls, "calls/scan")
	b.ReportMetric(float64(wall.Milliseconds()), "wall-ms")
	b.ReportMetric(float64(bound.Milliseconds()), "critical-path-ms")
	b.ReportMetric(float64(wall)/float64(bound), "wall/critical-path")
	b.ReportMetric(calls*float64(latency.Milliseconds()), "sequential-ms")
}
