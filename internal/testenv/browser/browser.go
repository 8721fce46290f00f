// Package browser starts a real headless Chromium for tests, driven by chromedp. Chromium comes from the
// distribution's packages (Debian: apt-get install -y chromium chromium-driver); a test that needs it fails,
// loudly and with the install hint, when it is missing: it never skips.
//
// Chromium is started so that it touches no network on its own (no background networking, component
// updates, sync or QUIC) with a fresh profile in a temporary directory, and tests serve pages from a
// loopback server or file://.
package browser

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// InstallHint says how to get Chromium.
const InstallHint = "install Chromium: apt-get update && apt-get install -y chromium chromium-driver (or set FLOWGUARD_CHROMIUM to its path)"

// Path returns the Chromium binary: $FLOWGUARD_CHROMIUM, else the first of chromium, chromium-browser,
// google-chrome on $PATH or in /usr/bin.
func Path() (string, error) {
	if p := os.Getenv("FLOWGUARD_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	var err error
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		var p string
		if p, err = exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", err
}

// Flags are the command-line flags Chromium runs with (besides the profile directory and window size).
var Flags = []string{
	"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run", "no-default-browser-check",
	"disable-background-networking", "disable-component-update", "disable-sync", "disable-extensions",
	"disable-default-apps", "mute-audio", "hide-scrollbars",
}

// Options tune the browser.
type Options struct {
	Width, Height int // window size (default 1440×1000)
	// Prelude is JavaScript that runs in every page before the page's own scripts (and whatever CSP it has).
	Prelude string
}

// Start launches Chromium for t and returns a chromedp context for one tab, stopped when t ends. It fails t
// when Chromium is missing or does not start.
func Start(t testing.TB, o Options) context.Context {
	t.Helper()
	path, err := Path()
	if err != nil {
		t.Fatalf("Chromium not found (%v): %s", err, InstallHint)
	}
	if o.Width == 0 {
		o.Width, o.Height = 1440, 1000
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(o.Width, o.Height)}
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	start := time.Now()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("Chromium (%s) did not start: %v; %s", path, err, InstallHint)
	}
	if o.Prelude != "" {
		if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: o.Prelude}); err != nil {
			t.Fatalf("prelude: %v", err)
		}
	}
	t.Logf("Chromium %s started in %v", path, time.Since(start).Round(time.Millisecond))
	return ctx
}
