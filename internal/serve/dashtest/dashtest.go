// Package dashtest drives the dashboard in headless Chromium for tests: load the main page, filter, drill
// down from the chart to the changes and from a change to the finding's evidence, compare every number read
// on screen with what the store says, and check that no script ran from the data (hostile tag values set
// window.__pwned if they ever run) and that the Content-Security-Policy never had to block anything.
package dashtest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/testenv/browser"
)

// Prelude runs before every page's own script: it counts Content-Security-Policy violations (an injected
// inline script or handler that the policy blocked) in window.__csp.
const Prelude = `window.__csp = 0; document.addEventListener("securitypolicyviolation", function () { window.__csp++; });`

// Start launches Chromium with the prelude.
func Start(t testing.TB) context.Context {
	ctx := browser.Start(t, browser.Options{Prelude: Prelude})
	c, cancel := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel)
	return c
}

// eval runs js in the page and returns its value.
func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// Clean fails t when a script ran from the data or the policy blocked something on the current page.
func Clean(t testing.TB, ctx context.Context, where string) {
	t.Helper()
	pwned := eval[string](t, ctx, `typeof window.__pwned === "undefined" ? "" : String(window.__pwned)`)
	csp := eval[int](t, ctx, `window.__csp || 0`)
	if pwned != "" {
		t.Errorf("%s: a script from the data ran (window.__pwned = %q)", where, pwned)
	}
	if csp != 0 {
		t.Errorf("%s: the Content-Security-Policy blocked %d thing(s): markup from the data reached the page", where, csp)
	}
}

// Text returns the text of the first element sel matches.
func Text(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(eval[string](t, ctx, fmt.Sprintf(`(function(){var e=document.querySelector(%q); return e ? e.textContent : "<no "+%q+">"})()`, sel, sel)))
}

// Count returns how many elements sel matches.
func Count(t testing.TB, ctx context.Context, sel string) int {
	t.Helper()
	return eval[int](t, ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// Click clicks the first element sel matches.
func Click(t testing.TB, ctx context.Context, sel string) {
	t.Helper()
	if !eval[bool](t, ctx, fmt.Sprintf(`(function(){var e=document.querySelector(%q); if (!e) return false; e.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true})); return true})()`, sel)) {
		t.Fatalf("click: nothing matches %s", sel)
	}
}

func ready(t testing.TB, ctx context.Context) {
	t.Helper()
	var err error
	for range 20 {
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === "complete" && !!document.querySelector("main")`, chromedp.WithPollingTimeout(20*time.Second))); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("page not ready: %v", err)
}

// Go navigates to u and waits for the page.
func Go(t testing.TB, ctx context.Context, u string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	ready(t, ctx)
}

// Location is the page's URL.
func Location(t testing.TB, ctx context.Context) *url.URL {
	t.Helper()
	u, err := url.Parse(eval[string](t, ctx, `location.href`))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// waitFor polls until the page's URL satisfies ok.
func waitFor(t testing.TB, ctx context.Context, what string, ok func(*url.URL) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		// While the page navigates, evaluating fails: try again.
		href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
		if u, perr := url.Parse(href); err == nil && perr == nil && ok(u) {
			ready(t, ctx)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: still at %s", what, Location(t, ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func pct(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", *p)
}

// Want is what the walk expects beyond what it reads from the store.
type Want struct {
	// Account is an account to filter on (its trend is compared with the store's).
	Account string
	// TagValues must each appear, as text, in the evidence of the first finding that changed in the latest
	// scan whose evidence has tags (hostile values: they must be shown, not run).
	TagValues []string
	// Kinds are change kinds the latest scan must show ("fixed", "new failure", …).
	Kinds []string
}

// Walk loads the dashboard at base, checks the main page against st, filters by w.Account through the form,
// drills down from the chart's latest point to its changes and from a change to its evidence.
func Walk(t testing.TB, ctx context.Context, base string, st store.Store, w Want) {
	t.Helper()
	sctx := context.Background()
	trend, err := st.Trend(sctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(trend) < 2 {
		t.Fatalf("the store has %d scans: the walk needs a trend", len(trend))
	}
	last := trend[len(trend)-1]
	Go(t, ctx, base+"/")
	Clean(t, ctx, "main page")
	if got, want := Text(t, ctx, "#compliance"), pct(last.Compliance); got != want {
		t.Errorf("main page: compliance %q, store says %q", got, want)
	}
	if got, want := Text(t, ctx, "#fail-count"), fmt.Sprint(last.Counts.Fail); got != want {
		t.Errorf("main page: %s failing, store says %s", got, want)
	}
	if got, want := Text(t, ctx, "#new-failures"), fmt.Sprint(last.NewFailures); got != want {
		t.Errorf("main page: %s new failures, store says %s", got, want)
	}
	if got, want := Text(t, ctx, "#fixed"), fmt.Sprint(last.Fixed); got != want {
		t.Errorf("main page: %s fixed, store says %s", got, want)
	}
	if n := Count(t, ctx, "#trend-table tbody tr"); n != min(len(trend), 30) {
		t.Errorf("main page: %d trend rows, store has %d scans (the table shows the newest 30)", n, len(trend))
	}
	if n := Count(t, ctx, "#trend a.point"); n != len(trend) {
		t.Errorf("chart: %d points, want %d", n, len(trend))
	}
	open, err := st.CountOpen(sctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := Text(t, ctx, "#open-failures"); got != fmt.Sprint(open) {
		t.Errorf("main page: %s open failures, store says %d", got, open)
	}

	if w.Account != "" {
		// Filter through the form, as a person would: the select submits itself.
		eval[bool](t, ctx, fmt.Sprintf(`(function(){var s=document.querySelector("select[name=account]"); s.value=%q; s.dispatchEvent(new Event("change")); return true})()`, w.Account))
		waitFor(t, ctx, "the account filter", func(u *url.URL) bool { return u.Query().Get("account") == w.Account })
		Clean(t, ctx, "filtered page")
		at, err := st.Trend(sctx, store.Filter{Account: w.Account})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := Text(t, ctx, "#compliance"), pct(at[len(at)-1].Compliance); got != want {
			t.Errorf("account %s: compliance %q, store says %q", w.Account, got, want)
		}
		if n := Count(t, ctx, "#by-account tbody tr"); n != 1 {
			t.Errorf("account filter: %d account rows, want 1", n)
		}
		// The filter is in the URL: a shared link shows the same.
		u := Location(t, ctx)
		Go(t, ctx, u.String())
		if got, want := Text(t, ctx, "#compliance"), pct(at[len(at)-1].Compliance); got != want {
			t.Errorf("shared link %s: compliance %q, want %q", u, got, want)
		}
		Go(t, ctx, base+"/")
	}

	// Drill down: the chart's latest point → that scan's changes.
	Click(t, ctx, "#trend a.point:last-of-type")
	scan := fmt.Sprint(last.ScanID)
	waitFor(t, ctx, "the changes of the latest scan", func(u *url.URL) bool { return u.Path == "/changes" && u.Query().Get("scan") == scan })
	Clean(t, ctx, "changes page")
	changes, err := st.Changes(sctx, store.Filter{Scan: last.ScanID})
	if err != nil {
		t.Fatal(err)
	}
	if n := Count(t, ctx, "tr.change"); n != len(changes) {
		t.Errorf("changes page: %d rows, store has %d changes in scan %d", n, len(changes), last.ScanID)
	}
	kinds := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("tr.change")).map(function(r){return r.dataset.kind})`)
	for _, k := range w.Kinds {
		found := false
		for _, g := range kinds {
			found = found || g == k
		}
		if !found {
			t.Errorf("changes page: no %q change among %v", k, kinds)
		}
	}
	// … → a finding's evidence: the first change whose evidence holds every w.TagValues (or has tags at all).
	picked := false
	for _, c := range changes {
		_, hist, err := st.Finding(sctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) == 0 || hist[0].Detail == nil || len(hist[0].Detail.Evidence.Tags) == 0 {
			continue
		}
		tags := hist[0].Detail.Evidence.Tags
		all := true
		for _, want := range w.TagValues {
			found := false
			for _, v := range tags {
				found = found || v == want
			}
			all = all && found
		}
		if !all {
			continue
		}
		picked = true
		sel := fmt.Sprintf(`tr.change[data-key="%d"] a.resource`, c.ID)
		Click(t, ctx, sel)
		waitFor(t, ctx, "the finding page", func(u *url.URL) bool { return u.Path == fmt.Sprintf("/findings/%d", c.ID) })
		Clean(t, ctx, "finding page")
		if n := Count(t, ctx, "article.obs"); n != len(hist) {
			t.Errorf("finding page: %d observations, store has %d", n, len(hist))
		}
		values := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("article.obs:first-of-type .tag-value")).map(function(e){return e.textContent})`)
		if len(values) != len(tags) {
			t.Errorf("finding page: %d tag values, evidence has %d", len(values), len(tags))
		}
		for _, want := range w.TagValues {
			found := false
			for _, v := range values {
				found = found || v == want
			}
			if !found {
				t.Errorf("finding page: tag value %q not shown as text (got %q)", want, values)
			}
		}
		break
	}
	if !picked {
		t.Errorf("no change of scan %d has evidence with the tags %q", last.ScanID, w.TagValues)
	}
	for _, p := range []string{"/failures", "/exceptions", "/runs", "/scans", "/scans/" + scan + "?status=FAIL", "/logs"} {
		Go(t, ctx, base+p)
		Clean(t, ctx, p)
	}
}
