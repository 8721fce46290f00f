package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/testenv/browser"
	"github.com/flowguard/flowguard/internal/testenv/estate"
)

var screenshotPath = flag.String("screenshot", "", "write a PNG of the HTML report to this path (go test -run Screenshot -screenshot docs/html-report.png)")

// prelude runs in every page before the page's own script and whatever CSP it has: it records CSP
// violations and uncaught errors. It does not define window.__pwned, which only an injected script would.
const prelude = `window.__violations = []; window.__errors = [];
document.addEventListener("securitypolicyviolation", function (e) { window.__violations.push(e.violatedDirective + " " + e.blockedURI); });
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });`

// pageState is what the tests read from the page.
type pageState struct {
	Shown      int      `json:"shown"` // rows in the page (the table holds the first page of the matches)
	IDs        []string `json:"ids"`   // their VPC ids, in page order
	Hash       string   `json:"hash"`
	Pwned      string   `json:"pwned"`
	Violations []string `json:"violations"`
	Errors     []string `json:"errors"`
	Markup     int      `json:"markup"`    // img, iframe, object, embed, or elements with an on* attribute or a javascript: URL
	Count      string   `json:"count"`     // the "N of M resources" line
	DataShown  string   `json:"dataShown"` // the table's data-shown attribute: how many rows match
	More       bool     `json:"more"`      // the "show all" button is there
}

const stateJS = `(function () {
  var rows = document.querySelectorAll("#findings .tbody .row");
  var ids = [];
  rows.forEach(function (tr) { if (!tr.hidden) { ids.push(tr.children[4].textContent); } });
  var all = document.getElementById("findings-more-all");
  var markup = document.querySelectorAll("img, iframe, object, embed, frame, base, link, meta[http-equiv=refresh]").length;
  document.querySelectorAll("*").forEach(function (el) {
    for (var i = 0; i < el.attributes.length; i++) {
      var a = el.attributes[i];
      if (/^on/i.test(a.name) || /^\s*javascript:/i.test(a.value) && /^(href|src|action|formaction|xlink:href)$/i.test(a.name)) { markup++; }
    }
  });
  return { shown: ids.length, ids: ids, hash: location.hash, pwned: typeof window.__pwned,
    violations: window.__violations || [], errors: window.__errors || [], markup: markup,
    count: document.getElementById("filter-count").textContent,
    dataShown: document.getElementById("findings").getAttribute("data-shown") || "",
    more: !!all && !all.hidden && !all.parentNode.hidden };
})()`

func readState(t testing.TB, ctx context.Context) pageState {
	t.Helper()
	st, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](stateJS))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return st
}

// pageSize is the number of rows the report puts in the page before "show more".
const pageSize = 100

// dataOrder is the display order of the report's rows: the VPC ids of its data block, in order.
func dataOrder(t testing.TB, page []byte) []string {
	t.Helper()
	const open = `<script type="application/json" id="fg-data">`
	i := bytes.Index(page, []byte(open))
	j := bytes.Index(page[i+len(open):], []byte("</script>"))
	if i < 0 || j < 0 {
		t.Fatal("no data block")
	}
	var d struct {
		Rows []struct {
			ID string `json:"id"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(page[i+len(open):i+len(open)+j], &d); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(d.Rows))
	for k, r := range d.Rows {
		ids[k] = r.ID
	}
	return ids
}

// checkView checks the table against want (the matching VPC ids computed in Go): the count of matches, the
// first page (the first pageSize matches in display order), and, after "show all", every match in order.
func checkView(t *testing.T, ctx context.Context, where string, order, want []string) pageState {
	t.Helper()
	in := map[string]bool{}
	for _, id := range want {
		in[id] = true
	}
	var ordered []string
	for _, id := range order {
		if in[id] {
			ordered = append(ordered, id)
		}
	}
	st := readState(t, ctx)
	if st.DataShown != fmt.Sprint(len(want)) || st.Count != fmt.Sprintf("%d of %d resources", len(want), len(order)) {
		t.Errorf("%s: count line %q, data-shown %q, want %d matches", where, st.Count, st.DataShown, len(want))
	}
	first := ordered[:min(pageSize, len(ordered))]
	if !slices.Equal(st.IDs, first) {
		t.Errorf("%s: the page shows %d rows, want the first %d of %d matches in order\n got %v\nwant %v", where, st.Shown, len(first), len(want), st.IDs, first)
	}
	if st.More != (len(want) > pageSize) {
		t.Errorf("%s: \"show all\" button present = %v with %d matches", where, st.More, len(want))
	}
	if len(want) > pageSize {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById("findings-more-all").click(), true)`)); err != nil {
			t.Fatal(err)
		}
		st = readState(t, ctx)
		if !slices.Equal(st.IDs, ordered) {
			t.Errorf("%s: after \"show all\" the page shows %d rows, want all %d matches in order", where, st.Shown, len(ordered))
		}
		if st.More {
			t.Errorf("%s: \"show all\" still offered with every row shown", where)
		}
	}
	return st
}

// safe fails t when anything injected ran or was blocked, or the page's own script threw.
func safe(t *testing.T, where string, st pageState) {
	t.Helper()
	if st.Pwned != "undefined" {
		t.Errorf("%s: window.__pwned is %s: a hostile value ran as script", where, st.Pwned)
	}
	if st.Markup != 0 {
		t.Errorf("%s: %d elements or attributes from data became markup", where, st.Markup)
	}
	if len(st.Violations) > 0 {
		t.Errorf("%s: CSP violations (something tried to run or load): %v", where, st.Violations)
	}
	if len(st.Errors) > 0 {
		t.Errorf("%s: script errors: %v", where, st.Errors)
	}
}

// open loads url in the tab (from about:blank, so that a URL that differs only in its fragment loads again)
// and waits for the report's script to finish; it returns the wall time from navigation to ready.
func open(t testing.TB, ctx context.Context, url string) time.Duration {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	var err error
	for try := 0; try < 3; try++ {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.getAttribute("data-ready") === "1"`, chromedp.WithPollingTimeout(30*time.Second)))
		// Right after a navigation the poll can land in the page's previous JavaScript context: poll again.
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") {
			break
		}
	}
	if err != nil {
		t.Fatalf("%s: the report's script did not finish: %v", url, err)
	}
	return time.Since(start)
}

func serve(t testing.TB, pages map[string][]byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("the test server is not on loopback: %s", srv.URL)
	}
	return srv.URL
}

// vpcs groups a result's findings by VPC id (ids are unique in the generated estate).
func vpcs(res *finding.Result) map[string][]finding.Finding {
	m := map[string][]finding.Finding{}
	for _, f := range res.Findings {
		m[f.ResourceID] = append(m[f.ResourceID], f)
	}
	return m
}

func expect(m map[string][]finding.Finding, keep func(fs []finding.Finding) bool) []string {
	var ids []string
	for id, fs := range m {
		if keep(fs) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func anyF(fs []finding.Finding, p func(f finding.Finding) bool) bool {
	return slices.ContainsFunc(fs, p)
}

func worst(fs []finding.Finding) finding.Status {
	best := len(finding.Statuses)
	for _, f := range fs {
		best = min(best, slices.Index(finding.Statuses, f.Status))
	}
	return finding.Statuses[best]
}

var cspMeta = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`)

// TestHTMLReportInBrowser opens the report of a 5,000-VPC estate (200 accounts × 5 regions × 5 VPCs, with
// hostile tags) in headless Chromium: it loads, filters give exactly the rows computed here, the fragment
// shares a view, a row expands to its evidence, and no hostile value runs, with or without the page's CSP.
func TestHTMLReportInBrowser(t *testing.T) {
	res := estate.Result(estate.Options{Accounts: 200, Regions: 5, VPCs: 5, Hostile: true})
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, res, report.Options{}); err != nil {
		t.Fatal(err)
	}
	pageBytes := buf.Bytes()
	noCSP := cspMeta.ReplaceAll(pageBytes, nil)
	if bytes.Equal(noCSP, pageBytes) {
		t.Fatal("the report has no CSP meta element to remove")
	}
	base := serve(t, map[string][]byte{"/flowguard.html": pageBytes, "/nocsp.html": noCSP})
	t.Logf("report: %d VPCs, %d findings, %.1f MiB", res.Summary.VPCs, len(res.Findings), float64(len(pageBytes))/(1<<20))

	ctx := browser.Start(t, browser.Options{Prelude: prelude})
	url := base + "/flowguard.html"
	load := open(t, ctx, url)
	timing, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(function () {
		var n = performance.getEntriesByType("navigation")[0];
		var m = {};
		performance.getEntriesByType("mark").forEach(function (e) { m[e.name] = e.startTime; });
		return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, resp: n.responseEnd, start: m["fg-start"], parsed: m["fg-parsed"], built: m["fg-built"], filtered: m["fg-filtered"] };
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load: %v from navigation to ready (response end %.0f ms, script start %.0f, JSON parsed %.0f, rows built %.0f, filtered %.0f, DOMContentLoaded %.0f, load %.0f)",
		load.Round(time.Millisecond), timing["resp"], timing["start"], timing["parsed"], timing["built"], timing["filtered"], timing["dcl"], timing["load"])

	byVPC := vpcs(res)
	order := dataOrder(t, pageBytes)
	if len(byVPC) != 5000 || len(order) != 5000 {
		t.Fatalf("%d VPCs, %d rows in the data block, want 5000", len(byVPC), len(order))
	}
	st := readState(t, ctx)
	safe(t, "on load", st)
	if st.Shown != pageSize || !slices.Equal(st.IDs, order[:pageSize]) || st.DataShown != "5000" || !st.More {
		t.Fatalf("on load %d rows in the page (%s match), want the first %d of all 5000", st.Shown, st.DataShown, pageSize)
	}

	// Two filters through the controls, as a user sets them; each timed in the page, layout included.
	acct := estate.AccountID(2)
	times, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`(function () {
		function set(id, v) {
			var t = performance.now(), s = document.getElementById(id);
			s.value = v; s.dispatchEvent(new Event("change"));
			void document.body.offsetHeight;
			return performance.now() - t;
		}
		return [set("filter-status", "FAIL"), set("filter-account", %q)];
	})()`, acct)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("filter: status=FAIL in %.1f ms, then account=%s in %.1f ms (5,000 rows)", times[0], acct, times[1])
	want := expect(byVPC, func(fs []finding.Finding) bool {
		return fs[0].AccountID == acct && anyF(fs, func(f finding.Finding) bool { return f.Status == finding.StatusFail })
	})
	if len(want) < 5 {
		t.Fatalf("the estate gives only %d failing VPCs in %s: pick another account", len(want), acct)
	}
	st = checkView(t, ctx, "status=FAIL account="+acct, order, want)
	if wantHash := "#status=FAIL&account=" + acct; st.Hash != wantHash {
		t.Errorf("fragment = %q, want %q", st.Hash, wantHash)
	}

	// The fragment shares the view: a fresh load of the URL with it shows the same rows.
	open(t, ctx, url+st.Hash)
	checkView(t, ctx, "shared URL "+st.Hash, order, want)

	// Paging: status=FAIL alone matches far more than a page; "show more" adds exactly the next page.
	set := func(id, v string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(function () {
			var s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event("change")); return true; })()`, id, v))); err != nil {
			t.Fatal(err)
		}
	}
	set("filter-account", "")
	failing := expect(byVPC, func(fs []finding.Finding) bool { return worst(fs) == finding.StatusFail })
	if len(failing) < 2*pageSize+1 {
		t.Fatalf("only %d failing VPCs: the paging case tests nothing", len(failing))
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById("findings-more-next").click(), true)`)); err != nil {
		t.Fatal(err)
	}
	if st := readState(t, ctx); st.Shown != 2*pageSize || st.DataShown != fmt.Sprint(len(failing)) {
		t.Errorf("status=FAIL after one \"show more\": %d rows in the page, %s matching; want %d and %d", st.Shown, st.DataShown, 2*pageSize, len(failing))
	}
	set("filter-status", "FAIL") // applying a filter starts again from the first page
	checkView(t, ctx, "status=FAIL", order, failing)

	// Sorting orders every match, not just the page: by account, descending (the header clicked twice), ties
	// in the report's order; the fragment keeps the order.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		var th = document.querySelector("#findings-head [data-sort=account]"); th.click(); th.click(); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	byAccount := slices.Clone(order)
	slices.SortStableFunc(byAccount, func(a, b string) int { return strings.Compare(byVPC[b][0].AccountID, byVPC[a][0].AccountID) })
	if st := checkView(t, ctx, "status=FAIL sorted by account, descending", byAccount, failing); st.Hash != "#status=FAIL&sort=-account" {
		t.Errorf("sorted: fragment = %q", st.Hash)
	}

	// More filters, each from a URL as a shared link would give it; the README documents #status=FAIL.
	for _, c := range []struct {
		frag string
		keep func(fs []finding.Finding) bool
	}{
		{"status=FAIL", func(fs []finding.Finding) bool { return worst(fs) == finding.StatusFail }},
		{"status=PASS", func(fs []finding.Finding) bool { return worst(fs) == finding.StatusPass }},
		{"status=FAIL,ERROR,UNKNOWN&region=ap-southeast-2", func(fs []finding.Finding) bool {
			return fs[0].Region == "ap-southeast-2" && worst(fs) == finding.StatusFail
		}},
		{"check=vpc-flow-logs-retention&status=FAIL&region=eu-west-1", func(fs []finding.Finding) bool {
			return fs[0].Region == "eu-west-1" && anyF(fs, func(f finding.Finding) bool {
				return f.CheckID == estate.CheckRetention && f.Status == finding.StatusFail
			})
		}},
		{"reason=DELIVERY_FAILED&exposed=yes", func(fs []finding.Finding) bool {
			return *fs[0].Evidence.InternetExposed && anyF(fs, func(f finding.Finding) bool { return f.Reason == finding.ReasonDeliveryFailed })
		}},
		{"severity=low&status=FAIL", func(fs []finding.Finding) bool {
			return anyF(fs, func(f finding.Finding) bool { return f.Severity == "low" && f.Status == finding.StatusFail })
		}},
		{"tag=env%3Dprod&status=EXCEPTED", func(fs []finding.Finding) bool {
			return fs[0].Evidence.Tags["env"] == "prod" && worst(fs) == finding.StatusExcepted
		}},
		{"tag=hostile2", func(fs []finding.Finding) bool { _, ok := fs[0].Evidence.Tags["hostile2"]; return ok }},
		{"q=payments-prod", func(fs []finding.Finding) bool { return strings.Contains(fs[0].ResourceName, "payments-prod") }},
	} {
		open(t, ctx, url+"#"+c.frag)
		want := expect(byVPC, c.keep)
		st := checkView(t, ctx, "#"+c.frag, order, want)
		t.Logf("#%s: %d rows match, %d in the page after show all", c.frag, len(want), st.Shown)
		if len(want) == 0 {
			t.Errorf("#%s: the estate has no such VPC; the case tests nothing", c.frag)
		}
		safe(t, "#"+c.frag, st)
	}

	// No match: an empty table says so.
	open(t, ctx, url+"#q=no-such-vpc&status=FAIL")
	st = checkView(t, ctx, "no match", order, nil)
	if empty, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var m = document.getElementById("findings-more"); return m.hidden ? "" : m.textContent; })()`)); err != nil || !strings.Contains(empty, "No resource matches the filters.") {
		t.Errorf("no match: the table says %q (%v), want that no resource matches", empty, err)
	}
	safe(t, "no match", st)

	// Expanding a row shows its evidence: flow log id, destination, delivery status; remediation; controls.
	var target finding.Finding
	for _, f := range res.Findings {
		if f.Reason == finding.ReasonDeliveryFailed {
			target = f
			break
		}
	}
	open(t, ctx, url+"#q="+target.ResourceID)
	detail, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var tr = document.querySelector("#findings .tbody .row:not([hidden])");
		tr.click();
		var d = tr.nextElementSibling;
		return d && d.classList.contains("detail") && !d.hidden ? d.textContent : "";
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	fl := target.Evidence.FlowLogs[0]
	for _, want := range []string{fl.ID, fl.Destination, "FAILED: Access error", fl.TrafficType, target.Message,
		"Remediation: Create a flow log", "AWS Security Hub EC2.6", "CIS AWS Foundations Benchmark 3.0.0 3.7", target.Evidence.Tags["team"]} {
		if !strings.Contains(detail, want) {
			t.Errorf("the expanded row lacks %q:\n%s", want, detail)
		}
	}

	// Hostile tags: expand every VPC that carries them, with and without the page's CSP. The values show as
	// text, exactly; nothing runs.
	for _, p := range []string{"/flowguard.html", "/nocsp.html"} {
		open(t, ctx, base+p+"#tag=hostile0")
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
			var all = document.getElementById("findings-more-all");
			if (!all.hidden) { all.click(); }
			document.querySelectorAll("#findings .tbody .row:not([hidden])").forEach(function (tr) { tr.click(); });
			return document.getElementById("findings").textContent;
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		// Let any injected image fail to load and its handler run before looking.
		time.Sleep(300 * time.Millisecond)
		st := readState(t, ctx)
		safe(t, p+" with hostile rows expanded", st)
		if st.Shown != 200 {
			t.Errorf("%s: %d VPCs with hostile tags shown, want 200", p, st.Shown)
		}
		for _, v := range estate.HostileValues {
			if !strings.Contains(text, v) {
				t.Errorf("%s: the hostile value %q is not shown as text", p, v)
			}
		}
	}
}

// TestPwnedDetectorWorks shows the test above can fail: a page that inserts a hostile value as markup (no
// CSP) sets window.__pwned, and the checks see it.
func TestPwnedDetectorWorks(t *testing.T) {
	page := `<!DOCTYPE html><html><body><div id="d"></div><script>
document.getElementById("d").innerHTML = ` + mustJSON(estate.HostileValues[0]) + `;
document.documentElement.setAttribute("data-ready", "1");
</script></body></html>`
	base := serve(t, map[string][]byte{"/bad.html": []byte(page)})
	ctx := browser.Start(t, browser.Options{Prelude: prelude})
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/bad.html")); err != nil {
		t.Fatal(err)
	}
	var pwned string
	var err error
	for try := 0; try < 3; try++ {
		pwned, err = chromedp.Run(ctx, chromedp.Poll[string](`window.__pwned`, chromedp.WithPollingTimeout(5*time.Second)))
		// Right after a navigation the poll can land in the page's previous JavaScript context: poll again.
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") {
			break
		}
	}
	if err != nil || pwned != "img" {
		t.Fatalf("the injected handler did not run (%q, %v): the detector cannot see injection", pwned, err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestHTMLReportScreenshot renders the report of the estate a new user tries (10 accounts × 5 regions × 10
// VPCs) with a failing row expanded, and checks the PNG. With -screenshot PATH it keeps the image there:
//
//	go test ./internal/sink/report -run Screenshot -screenshot "$PWD/docs/html-report.png"
func TestHTMLReportScreenshot(t *testing.T) {
	res := estate.Result(estate.Options{Accounts: 10, Regions: 5, VPCs: 10})
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, res, report.Options{}); err != nil {
		t.Fatal(err)
	}
	base := serve(t, map[string][]byte{"/flowguard.html": buf.Bytes()})
	ctx := browser.Start(t, browser.Options{Prelude: prelude, Width: 1440, Height: 1560})
	open(t, ctx, base+"/flowguard.html#status=FAIL")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		var rows = document.querySelectorAll("#findings .tbody .row:not([hidden])");
		rows[1].click();
		window.scrollTo(0, 0);
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	safe(t, "screenshot page", readState(t, ctx))
	img, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil || cfg.Width < 1000 || cfg.Height < 1000 {
		t.Fatalf("screenshot: %v, %dx%d", err, cfg.Width, cfg.Height)
	}
	path := *screenshotPath
	if path == "" {
		path = filepath.Join(t.TempDir(), "html-report.png")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%dx%d, %d KiB)", path, cfg.Width, cfg.Height, len(img)>>10)
}

// evidenceJS expands the first row shown and returns the text of its detail's evidence sections: each
// section's headings, and its tables as rows of cell texts with the row's class ("uncovered", "problem").
const evidenceJS = `(function () {
  var tr = document.querySelector("#findings .tbody .row:not([hidden])");
  if (!tr) { return null; }
  tr.click();
  var d = tr.nextElementSibling, out = { id: tr.children[4].textContent, text: d.textContent, sections: {} };
  ["attachments", "telemetry-rules", "delivery"].forEach(function (cls) {
    var s = d.querySelector("." + cls);
    if (!s) { return; }
    var sec = { headings: [], tables: [] };
    s.querySelectorAll("h5").forEach(function (h) { sec.headings.push(h.textContent); });
    s.querySelectorAll("table").forEach(function (t) {
      var rows = [];
      t.querySelectorAll("tr").forEach(function (r) {
        var cells = [];
        r.querySelectorAll("th, td").forEach(function (c) { cells.push(c.textContent); });
        rows.push({ cls: r.className, cells: cells });
      });
      sec.tables.push(rows);
    });
    out.sections[cls] = sec;
  });
  return out;
})()`

type evidenceRow struct {
	Cls   string   `json:"cls"`
	Cells []string `json:"cells"`
}

type evidenceSection struct {
	Headings []string        `json:"headings"`
	Tables   [][]evidenceRow `json:"tables"`
}

type evidenceDetail struct {
	ID       string                     `json:"id"`
	Text     string                     `json:"text"`
	Sections map[string]evidenceSection `json:"sections"`
}

func openEvidence(t *testing.T, ctx context.Context, url string) evidenceDetail {
	t.Helper()
	open(t, ctx, url)
	d, err := chromedp.Run(ctx, chromedp.Evaluate[*evidenceDetail](evidenceJS))
	if err != nil {
		t.Fatal(err)
	}
	if d == nil {
		t.Fatalf("%s: no row shown", url)
	}
	return *d
}

// lines returns table i of a section as "class|cell|cell…" lines, the header row first.
func (s evidenceSection) lines(i int) []string {
	if i >= len(s.Tables) {
		return nil
	}
	var out []string
	for _, r := range s.Tables[i] {
		out = append(out, r.Cls+"|"+strings.Join(r.Cells, "|"))
	}
	return out
}

// TestHTMLReportEvidenceInBrowser opens a Transit Gateway row and a VPC row with telemetry rules and delivery
// evidence, and reads the sections of their details: which attachments are uncovered (marked), the rules,
// the delivery lags in human units; then rows whose every evidence value is hostile, with and without the
// page's CSP: shown as text, nothing runs.
func TestHTMLReportEvidenceInBrowser(t *testing.T) {
	res := report.EvidenceResult()
	h := estate.HostileValues
	at := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	lag := int64(7)
	res.Findings = append(res.Findings,
		finding.Finding{CheckID: "tgw-flow-logs-enabled", Status: finding.StatusFail, Reason: "ATTACHMENTS_UNCOVERED", Message: h[0],
			AccountID: "111111111111", Region: "eu-west-1", ResourceType: "AWS::EC2::TransitGateway", ResourceID: "tgw-hostile",
			Evidence: finding.Evidence{TransitGatewayAttachments: []finding.AttachmentEvidence{
				{ID: h[1], ResourceType: h[2], ResourceID: h[3], ResourceOwnerID: h[4], State: h[5], Coverage: h[6],
					FlowLogs: []finding.FlowLogEvidence{{ID: h[6], ResourceID: h[0], Status: h[1], TrafficType: h[2], DestinationType: h[3], Destination: h[4], DeliverLogsStatus: h[5], DeliverLogsError: h[6]}}},
			}}},
		finding.Finding{CheckID: "vpc-flow-logs-delivering", Status: finding.StatusFail, Reason: finding.ReasonStale, Message: h[1],
			AccountID: "111111111111", Region: "eu-west-1", ResourceType: finding.ResourceVPC, ResourceID: "vpc-hostile",
			Evidence: finding.Evidence{
				TelemetryRules: []finding.TelemetryRuleEvidence{{Name: h[0], Coverage: h[1], EvaluationStatus: h[2], SelectionCriteria: h[3], Scope: h[4], DestinationType: h[5], TrafficType: h[6]}},
				Delivery: &finding.DeliveryEvidence{ReadAt: &at, MaxLagSeconds: 60,
					InterfacesWithRecords:    []finding.InterfaceRecord{{ID: h[0], Stream: h[1], LastRecord: &at, LagSeconds: &lag}},
					InterfacesWithoutRecords: []finding.InterfaceRecord{{ID: h[2], Stream: h[3]}},
					FlowLogs:                 []finding.FlowLogDelivery{{ID: h[4], Where: h[5], Source: h[6], StreamStatus: h[0], ErrorCode: h[1], Error: h[2]}}},
			}},
	)
	res.Summarize()
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, res, report.Options{}); err != nil {
		t.Fatal(err)
	}
	noCSP := cspMeta.ReplaceAll(buf.Bytes(), nil)
	base := serve(t, map[string][]byte{"/e.html": buf.Bytes(), "/nocsp.html": noCSP})
	ctx := browser.Start(t, browser.Options{Prelude: prelude})

	// The Transit Gateway: five attachments (merged from two findings), three uncovered and marked so.
	d := openEvidence(t, ctx, base+"/e.html#q="+report.EvidenceTGW)
	if d.ID != report.EvidenceTGW {
		t.Fatalf("#q=%s shows %s first", report.EvidenceTGW, d.ID)
	}
	att := d.Sections["attachments"]
	wantAtt := []string{
		"|Attachment|Coverage|Resource type|Resource|Resource owner|State|Flow logs",
		"|tgw-attach-1|covered (own flow log)|vpc|vpc-0aaa|111111111111|available|fl-att1 ACTIVE ALL → cloud-watch-logs arn:aws:logs:eu-west-1:111111111111:log-group:/tgw (delivery SUCCESS)",
		"uncovered|tgw-attach-5|UNCOVERED|direct-connect-gateway|dxgw-1|—|available|none",
		"uncovered|tgw-attach-2|UNCOVERED|vpn|vpn-0f2|222222222222|available|none",
		"muted|tgw-attach-3|not live|vpc|vpc-0gone|—|deleted|none",
		"uncovered|tgw-attach-4|UNCOVERED|peering|tgw-0peer|—|pendingAcceptance|fl-att4 ACTIVE ALL → s3 arn:aws:s3:::tgw-logs (delivery FAILED: Access error)",
	}
	if got := att.lines(0); !slices.Equal(got, wantAtt) {
		t.Errorf("attachments table:\n got %q\nwant %q", got, wantAtt)
	}
	if want := "Transit Gateway attachments: 5, 3 uncovered (live, without an ACTIVE flow log that delivers)"; !slices.Contains(att.Headings, want) {
		t.Errorf("attachments headings %q, want %q", att.Headings, want)
	}
	if !strings.Contains(d.Text, "Flow logs on the Transit Gateway") || d.Sections["telemetry-rules"].Headings != nil || d.Sections["delivery"].Headings != nil {
		t.Errorf("TGW detail: %q", d.Text)
	}
	safe(t, "TGW row expanded", readState(t, ctx))

	// The VPC: three telemetry rules (the repeated one once), and what its destinations hold.
	d = openEvidence(t, ctx, base+"/e.html#q="+report.EvidenceVPC)
	if d.ID != report.EvidenceVPC {
		t.Fatalf("#q=%s shows %s first", report.EvidenceVPC, d.ID)
	}
	wantRules := []string{
		"|Rule|Level|Coverage|Evaluation|Selection criteria|Scope|Destination type|Traffic",
		"|org-vpc-flow-logs|organization|covers (every VPC of the region)|RUNNING|every VPC|OU ou-ab12-cdef3456|cloud-watch-logs|ALL",
		`|prod-vpcs|account|may cover (depends on selection or scope)|RUNNING|tag:env = "prod"|—|s3|REJECT`,
		"muted|org-vpc-flow-logs|account|inactive|STOPPED|every VPC|—|—|—",
	}
	if got := d.Sections["telemetry-rules"].lines(0); !slices.Equal(got, wantRules) {
		t.Errorf("telemetry rules table:\n got %q\nwant %q", got, wantRules)
	}
	del := d.Sections["delivery"]
	for i, want := range [][]string{
		{"|Read at|2026-11-23 04:00:00 UTC", "|Newest record|2026-11-23 01:30:00 UTC", "|Lag|2 h 30 min — OVER the maximum",
			"|Maximum lag|1 h", "|In-use interfaces with records|1", "|In-use interfaces without records|2"},
		{"|Flow log|Destination read|Newest record|Found in|Lag|Read since|Flow log age|Stream status|Error",
			"problem|fl-0d1|log group /vpc/fl|2026-11-23 01:30:00 UTC|eni-0old-all|2 h 30 min (over)|2026-11-22 04:00:00 UTC|10 d|—|—",
			"problem|fl-0d2|s3://flow-bucket/AWSLogs/|NEVER DELIVERED|—|—|2026-11-22 04:00:00 UTC|2 h|—|AccessDenied: not authorized to perform s3:ListBucket"},
		{"|Interface|Log stream|Last record|Lag", "problem|eni-0never|eni-0never-all|—|—", "problem|eni-0old|—|2026-11-22 00:00:00 UTC|28 h"},
		{"|Interface|Log stream|Last record|Lag", "|eni-0with|eni-0with-all|2026-11-23 03:59:00 UTC|1 min"},
	} {
		if got := del.lines(i); !slices.Equal(got, want) {
			t.Errorf("delivery table %d:\n got %q\nwant %q", i, got, want)
		}
	}
	if want := []string{"Delivery (what the destinations hold)", "Interfaces without a record within 1 h", "Interfaces with records"}; !slices.Equal(del.Headings, want) {
		t.Errorf("delivery headings %q, want %q", del.Headings, want)
	}
	if d.Sections["attachments"].Headings != nil {
		t.Errorf("the VPC row shows attachments")
	}
	safe(t, "VPC row expanded", readState(t, ctx))

	// A row without any of it shows none of the sections.
	if d = openEvidence(t, ctx, base+"/e.html#q=vpc-0fff"); len(d.Sections) != 0 {
		t.Errorf("vpc-0fff shows evidence sections %v", d.Sections)
	}

	// Hostile values in every new field: text, exactly; nothing runs, with or without the CSP.
	for _, p := range []string{"/e.html", "/nocsp.html"} {
		for _, id := range []string{"tgw-hostile", "vpc-hostile"} {
			d := openEvidence(t, ctx, base+p+"#q="+id)
			if d.ID != id {
				t.Fatalf("%s#q=%s shows %s first", p, id, d.ID)
			}
			time.Sleep(300 * time.Millisecond) // let an injected image fail and its handler run
			safe(t, p+" "+id+" expanded", readState(t, ctx))
			for _, v := range h {
				if !strings.Contains(d.Text, v) {
					t.Errorf("%s %s: the hostile value %q is not shown as text", p, id, v)
				}
			}
		}
	}
}
