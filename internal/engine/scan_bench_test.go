package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source/accounts"

	"github.com/flowguard/flowguard/internal/source/awsapi"
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
	p := faultproxy.New(srv.URL, faultproxy.Options{Latency: latency, Answer: awsTelemetry})
	defer p.Close()
	cfg := acct.Config(p.URL, "us-east-1")
	opts := scanOptions{Collect: awsapi.Options{Regions: fixture.DemoRegions}}
	regions := float64(len(fixture.DemoRegions))
	const criticalPath = 4 // calls in the longest dependent chain
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if res, _ := scanLive(b.Context(), cfg, opts); res.Incomplete {
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

// BenchmarkOrganizationScan scans an organization of 200 member accounts × 4 regions with 50 ms added to
// every call, entering each account through AssumeRole, and prints total wall time, calls, and the ratio to
// the critical-path bound (GetCallerIdentity → ListAccounts pages → AssumeRole → DescribeFlowLogs, × latency).
//
//	go test ./internal/scan -run '^$' -bench OrganizationScan -benchtime 1x
func BenchmarkOrganizationScan(b *testing.B) {
	const (
		latency  = 50 * time.Millisecond
		members  = 200
		parallel = 64
	)
	srv := moto.Shared(b)
	ctx := b.Context()
	mgmt, err := srv.NewAccount(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	org := organizations.NewFromConfig(mgmt.Config(srv.URL, "us-east-1"))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		b.Fatal(err)
	}
	for i := range members {
		name := fmt.Sprintf("member-%03d", i)
		if _, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")}); err != nil {
			b.Fatal(err)
		}
	}
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"}
	p := faultproxy.New(srv.URL, faultproxy.Options{Latency: latency, Answer: awsTelemetry})
	defer p.Close()
	cfg := mgmt.Config(p.URL, "us-east-1")
	opts := scanOptions{Collect: awsapi.Options{Regions: regions, Concurrency: parallel}}
	var wall time.Duration
	var res *finding.Result
	b.ResetTimer()
	for b.Loop() {
		p.Reset()
		start := time.Now()
		targets, notEntered, err := accounts.Resolve(ctx, cfg, accounts.Options{Org: true, Concurrency: parallel})
		if err != nil {
			b.Fatal(err)
		}
		res, _ = scanTargets(ctx, targets, notEntered, opts)
		wall = time.Since(start)
	}
	if len(res.Accounts) != members+1 || res.Incomplete {
		b.Fatalf("scanned %d accounts, incomplete=%v: %+v", len(res.Accounts), res.Incomplete, res.Errors)
	}
	calls := p.Calls()
	chain := 1 + calls["organizations:ListAccounts"] + 1 + 1
	bound := time.Duration(chain) * latency
	b.ReportMetric(float64(len(res.Accounts)*len(regions)), "account-regions")
	b.ReportMetric(float64(p.Total()), "calls")
	b.ReportMetric(float64(p.Total())/float64(len(res.Accounts)*len(regions)), "calls/account-region")
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(bound.Seconds(), "critical-path-s")
	b.ReportMetric(float64(wall)/float64(bound), "wall/critical-path")
	b.ReportMetric(float64(parallel), "concurrency")
}
