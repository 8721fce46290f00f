package store_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/serve"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/testenv/estate"
	"github.com/flowguard/flowguard/internal/testenv/postgres"
)

var (
	benchDays     = flag.Int("store.days", 365, "daily scans the history benchmark stores")
	benchAccounts = flag.Int("store.accounts", 50, "accounts of the benchmark organization (×10 regions ×10 VPCs each)")
	benchChurn    = flag.Int("store.churn", 25, "enabled-check findings that change status each day")
	benchBackends = flag.String("store.backends", "sqlite", "backends of the history benchmark: sqlite, postgres (the harness's) or both, comma-separated")
)

// day is the organization as scanned on day d: every day, churn findings flip (the failing get fixed, some
// passing ones break), the rest is unchanged, so unchanged evidence is deduplicated.
func benchDay(o estate.Options, base *finding.Result, d, churn int) *finding.Result {
	r := *base
	r.Findings = append([]finding.Finding(nil), base.Findings...)
	shift := time.Duration(d) * 24 * time.Hour
	r.StartedAt, r.FinishedAt = base.StartedAt.Add(shift), base.FinishedAt.Add(shift)
	n := len(r.Findings)
	for i := 0; i < churn && d > 0; i++ {
		// Findings flipped on day d stay flipped for a week, then recover: fixes and regressions every day.
		for _, age := range []int{0, 7} {
			dd := d - age
			if dd <= 0 {
				continue
			}
			j := (dd*7919 + i*104729) % n
			f := &r.Findings[j]
			if f.CheckID != estate.CheckEnabled || f.Status == finding.StatusSkipped {
				continue
			}
			if age == 0 {
				if f.Status == finding.StatusFail {
					f.Status, f.Reason, f.Message = finding.StatusPass, "", "fixed on day "+fmt.Sprint(d)
				} else {
					f.Status, f.Reason, f.Message = finding.StatusFail, finding.ReasonNoFlowLog, "no flow log on the VPC"
				}
			}
		}
	}
	r.Summarize()
	return &r
}

type benchStore struct {
	st    store.Store
	write time.Duration
	// writeCPU is the process's CPU time while writing (the result generation included).
	writeCPU time.Duration
	scans    int
	vpcs     int
	bytes    int64
	rows     map[string]int64
	lastSet  int64
}

var (
	benchOnce  = map[string]*sync.Once{"sqlite": {}, "postgres": {}}
	benchState = map[string]*benchStore{}
	benchErr   = map[string]error{}
)

// buildBench fills the backend's store once; b is the parent benchmark, whose temporary directory outlives
// the page sub-benchmarks.
func buildBench(b *testing.B, backend string) *benchStore {
	benchOnce[backend].Do(func() {
		ctx := context.Background()
		var dsn string
		if backend == "postgres" {
			dsn = postgres.NewDatabase(b)
		} else {
			dsn = filepath.Join(b.TempDir(), "history.db")
		}
		st, err := store.Open(ctx, dsn)
		if err != nil {
			benchErr[backend] = err
			return
		}
		o := estate.Options{Accounts: *benchAccounts, Regions: 10, VPCs: 10}
		base := estate.Result(o)
		bs := &benchStore{st: st, scans: *benchDays, vpcs: base.Summary.VPCs}
		cpu0 := cpuTime()
		for d := 0; d < *benchDays; d++ {
			r := benchDay(o, base, d, *benchChurn)
			start := time.Now()
			saved, err := st.SaveScan(ctx, r, store.SaveOptions{})
			if err != nil {
				benchErr[backend] = err
				return
			}
			bs.write += time.Since(start)
			bs.lastSet = saved.ID
		}
		bs.writeCPU = cpuTime() - cpu0
		desc, err := st.Describe(ctx)
		if err != nil {
			benchErr[backend] = err
			return
		}
		bs.bytes, bs.rows = desc.Bytes, desc.Rows
		benchState[backend] = bs
	})
	if err := benchErr[backend]; err != nil {
		b.Fatal(err)
	}
	return benchState[backend]
}

// BenchmarkHistory stores -store.days daily scans of a 5,000-VPC organization (50 accounts × 10 regions × 10
// VPCs, about 8,600 findings a scan, -store.churn status changes a day), then measures the dashboard pages.
// It prints the store's size and the write time per scan; ns/op is one render of the page.
//
//	go test ./internal/store -run '^$' -bench History -benchtime 20x
//	go test ./internal/store -run '^$' -bench History -benchtime 20x -store.backends sqlite,postgres
func BenchmarkHistory(b *testing.B) {
	for _, backend := range strings.Split(*benchBackends, ",") {
		if benchOnce[backend] == nil {
			b.Fatalf("-store.backends: unknown backend %q", backend)
		}
		bs := buildBench(b, backend)
		for _, page := range []string{"/", "/failures", "/changes", "/exceptions"} {
			b.Run(backend+page, func(b *testing.B) {
				h, err := serve.New(bs.st, serve.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("%s: %d scans of %d VPCs stored in %v (%v a scan, %v CPU a scan); store %.1f MiB; rows %v", backend, bs.scans, bs.vpcs,
					bs.write.Round(time.Millisecond), (bs.write / time.Duration(bs.scans)).Round(time.Millisecond),
					(bs.writeCPU / time.Duration(bs.scans)).Round(time.Millisecond), float64(bs.bytes)/(1<<20), bs.rows)
				b.ReportMetric(float64(bs.bytes)/(1<<20), "MiB-store")
				b.ReportMetric(float64(bs.write.Milliseconds())/float64(bs.scans), "ms-write/scan")
				// CPU time per render beside the wall time: on a shared machine the wall time says more about the
				// neighbours than about the page.
				cpu0 := cpuTime()
				n := 0
				b.ResetTimer()
				for b.Loop() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, page, nil))
					if rec.Code != 200 {
						b.Fatalf("%s: %d %s", page, rec.Code, rec.Body)
					}
					n++
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(n), "cpu-ms/op")
			})
		}
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
