package report_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/testenv/browser"
	"github.com/flowguard/flowguard/internal/testenv/estate"
)

// BenchmarkHTMLReportInBrowser measures the HTML report of 5,000 VPCs in headless Chromium, per load: the
// wall time from navigation to the page's ready mark (ms-load), the in-page times to parse the embedded JSON
// and build the first page of rows, and the time of each filter a user applies (set through the control, layout
// included): status FAIL, then one account, then back to everything; then a free-text search (the first one
// builds each row's search text) and its clearing.
//
//	go test ./internal/sink/report -run '^$' -bench HTMLReportInBrowser -benchtime 5x
func BenchmarkHTMLReportInBrowser(b *testing.B) {
	for _, o := range []estate.Options{{Accounts: 10, Regions: 5, VPCs: 100}, {Accounts: 200, Regions: 5, VPCs: 5}} {
		b.Run(fmt.Sprintf("%dx%dx%d", o.Accounts, o.Regions, o.VPCs), func(b *testing.B) {
			o.Hostile = true
			res := estate.Result(o)
			var buf bytes.Buffer
			if err := report.WriteHTML(&buf, res, report.Options{}); err != nil {
				b.Fatal(err)
			}
			failIn2, payments := 0, 0
			for _, fs := range vpcs(res) {
				if fs[0].AccountID == estate.AccountID(2) && worst(fs) == finding.StatusFail {
					failIn2++
				}
				if strings.Contains(fs[0].ResourceName, "payments-prod") {
					payments++
				}
			}
			url := serve(b, map[string][]byte{"/r.html": buf.Bytes()}) + "/r.html"
			ctx := browser.Start(b, browser.Options{Prelude: prelude})
			var load time.Duration
			var parsed, built, fStatus, fAccount, fClear, fSearch, fSearchClear float64
			n := 0
			for b.Loop() {
				load += open(b, ctx, url)
				m, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(function () {
					var m = {};
					performance.getEntriesByType("mark").forEach(function (e) { m[e.name] = e.startTime; });
					function set(id, v, ev) {
						var t = performance.now(), s = document.getElementById(id);
						s.value = v; s.dispatchEvent(new Event(ev || "change"));
						void document.body.offsetHeight;
						return performance.now() - t;
					}
					return { parsed: m["fg-parsed"] - m["fg-start"], built: m["fg-built"] - m["fg-parsed"],
						status: set("filter-status", "FAIL"), account: set("filter-account", "`+estate.AccountID(2)+`"),
						shown: +document.getElementById("findings").getAttribute("data-shown"),
						rendered: document.querySelectorAll("#findings .tbody .row:not([hidden])").length,
						clear: (set("filter-account", ""), set("filter-status", "")),
						search: set("filter-q", "payments-prod", "input"), searchShown: +document.getElementById("findings").getAttribute("data-shown"),
						searchClear: set("filter-q", "", "input") };
				})()`))
				if err != nil {
					b.Fatal(err)
				}
				if int(m["shown"]) != failIn2 || int(m["rendered"]) != min(failIn2, pageSize) {
					b.Fatalf("after the filters %v rows match and %v are in the page, want the %d failing VPCs of %s", m["shown"], m["rendered"], failIn2, estate.AccountID(2))
				}
				if int(m["searchShown"]) != payments {
					b.Fatalf("searching payments-prod shows %v rows, want %d", m["searchShown"], payments)
				}
				parsed, built, fStatus, fAccount, fClear = parsed+m["parsed"], built+m["built"], fStatus+m["status"], fAccount+m["account"], fClear+m["clear"]
				fSearch, fSearchClear = fSearch+m["search"], fSearchClear+m["searchClear"]
				n++
			}
			per := func(v float64) float64 { return v / float64(n) }
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(float64(load.Microseconds())/1000/float64(n), "ms-load")
			b.ReportMetric(per(parsed), "ms-parse")
			b.ReportMetric(per(built), "ms-build")
			b.ReportMetric(per(fStatus), "ms-filter-status")
			b.ReportMetric(per(fAccount), "ms-filter-account")
			b.ReportMetric(per(fClear), "ms-filter-clear")
			b.ReportMetric(per(fSearch), "ms-filter-search")
			b.ReportMetric(per(fSearchClear), "ms-filter-search-clear")
			b.ReportMetric(float64(buf.Len())/(1<<20), "MiB-page")
		})
	}
}
