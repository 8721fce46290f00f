package serve

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flowguard/flowguard/internal/serve/dashtest"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/testenv/estate"
)

// The dashboard in Chromium: load, filter, drill down, the numbers against the store, and no script from the
// hostile tag values of the estate (they are shown as text). FLOWGUARD_SCREENSHOT=FILE also saves the main
// page as a PNG (docs/dashboard.png is made this way).
func TestDashboardInBrowser(t *testing.T) {
	t.Parallel()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o := estate.Options{Accounts: 6, Regions: 3, VPCs: 8, Hostile: true}
	_, flipped := fill(t, st, o, 6)
	h, err := New(st, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx := dashtest.Start(t)
	kind := "now failing"
	if flipped.Status == "FAIL" {
		kind = "fixed"
	}
	dashtest.Walk(t, ctx, srv.URL, st, dashtest.Want{Account: estate.AccountID(1), TagValues: estate.HostileValues, Kinds: []string{kind}})
	if p := os.Getenv("FLOWGUARD_SCREENSHOT"); p != "" {
		dashtest.Go(t, ctx, srv.URL+"/")
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
