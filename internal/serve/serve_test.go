package serve

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/testenv/estate"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// hostileVPC is the VPC of account 1, region 0 whose tags hold estate.HostileValues.
var hostileVPC = fmt.Sprintf("vpc-%06x%02x%09x", 1, 0, 0)

// fill stores days daily scans of a hostile estate: each day after the first fixes three more failing VPCs,
// and on the last day the hostile VPC flips (PASS to FAIL, or FAIL to PASS). It returns the VPCs fixed on the
// last day and the hostile VPC's finding as the first day saw it.
func fill(t testing.TB, st store.Store, o estate.Options, days int) (fixedLast []finding.Finding, flipped finding.Finding) {
	t.Helper()
	var failing []finding.Finding
	for _, f := range estate.Result(o).Findings {
		if f.CheckID != estate.CheckEnabled {
			continue
		}
		if f.Status == finding.StatusFail && f.ResourceID != hostileVPC {
			failing = append(failing, f)
		}
		if f.ResourceID == hostileVPC {
			flipped = f
		}
	}
	const perDay = 3
	for d := 0; d < days; d++ {
		r := estate.Result(o)
		shift := time.Duration(d) * 24 * time.Hour
		r.StartedAt, r.FinishedAt = r.StartedAt.Add(shift), r.FinishedAt.Add(shift)
		fixed := map[string]bool{}
		for i := 0; i < min(d*perDay, len(failing)); i++ {
			fixed[failing[i].ResourceID] = true
		}
		for i := range r.Findings {
			f := &r.Findings[i]
			if f.CheckID != estate.CheckEnabled {
				continue
			}
			switch {
			case fixed[f.ResourceID], d == days-1 && d > 0 && f.ResourceID == hostileVPC && f.Status == finding.StatusFail:
				f.Status, f.Reason, f.Message, f.Evidence.Exception = finding.StatusPass, "", "fixed", nil
			case d == days-1 && d > 0 && f.ResourceID == hostileVPC:
				f.Status, f.Reason, f.Message = finding.StatusFail, finding.ReasonNoFlowLog, "no flow log on the VPC"
			}
		}
		r.Summarize()
		r.Exceptions = []finding.ExceptionStatus{{ID: "EX-1", Owner: `<img src=x onerror="window.__pwned='exc'">`, Reason: "legacy", Expires: "2026-12-01", Match: "account=" + estate.AccountID(1), State: "active", Matched: 1}}
		if _, err := st.SaveScan(t.Context(), r, store.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if days > 1 {
		fixedLast = failing[min((days-2)*perDay, len(failing)):min((days-1)*perDay, len(failing))]
	}
	return fixedLast, flipped
}

func newServer(t *testing.T, o Options) (*httptest.Server, store.Store) {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if o.Now == nil {
		o.Now = func() time.Time { return testNow }
	}
	h, err := New(st, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, st
}

func get(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPagesAndAPI(t *testing.T) {
	t.Parallel()
	srv, st := newServer(t, Options{})
	fixed, flipped := fill(t, st, estate.Options{Accounts: 3, Regions: 2, VPCs: 6, Hostile: true}, 2)
	runStart := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for _, r := range []store.Run{
		{Kind: "fix", RunID: "20261124T090000Z-abcdef", AccountID: estate.AccountID(1), StartedAt: runStart, Status: "complete", Summary: "1 flow log created",
			Created: []store.Resource{{Kind: "flow-log", Region: "us-east-1", ID: "fl-<script>window.__pwned=1</script>", VPCID: hostileVPC}}, Detail: []byte(`{"note":"<script>x</script>"}`)},
		{Kind: "rollback", RunID: "20261124T090000Z-abcdef", StartedAt: runStart.Add(time.Hour), Status: "rolled-back"},
		{Kind: "guard", RunID: "guard-event-1", StartedAt: runStart.Add(2 * time.Hour), Status: "created", Summary: "flow log created on a new VPC"},
	} {
		if _, err := st.SaveRun(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	flipKind := "now failing"
	if flipped.Status == finding.StatusFail {
		flipKind = "fixed"
	}
	for _, p := range []string{"/", "/failures", "/changes", "/exceptions", "/runs", "/scans", "/scans/2", "/scans/2?status=FAIL", "/logs",
		"/?account=" + fixed[0].AccountID, "/changes?scan=2", "/runs/1", "/runs?kind=guard", "/static/app.js", "/static/app.css"} {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		resp, body := get(t, req)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != CSP {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "onerror=\"window") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: hostile markup in the page", p)
		}
		if strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css") {
			continue
		}
		if strings.Contains(body, " style=") || strings.Contains(body, " onclick=") || regexpInlineScript(body) {
			t.Errorf("%s: inline script or style", p)
		}
	}
	// Counts agree with their nouns ("1 new failure", "2 new failures").
	req0, _ := http.NewRequest("GET", srv.URL+"/", nil)
	_, home := get(t, req0)
	m := regexp.MustCompile(`<span id="new-failures">(\d+)</span> new (failures?),`).FindStringSubmatch(home)
	if m == nil || (m[1] == "1") != (m[2] == "failure") {
		t.Errorf("main page: new failures %q", m)
	}
	// The JSON API: the same data under /api and with Accept: application/json.
	req, _ := http.NewRequest("GET", srv.URL+"/api/changes?scan=2", nil)
	resp, body := get(t, req)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("/api/changes: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var ch struct {
		Changes []store.Change `json:"changes"`
	}
	if err := json.Unmarshal([]byte(body), &ch); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range ch.Changes {
		got[c.ResourceID] = c.Kind()
	}
	if len(got) != len(fixed)+1 || got[flipped.ResourceID] != flipKind {
		t.Errorf("changes of scan 2: %v", got)
	}
	for _, f := range fixed {
		if got[f.ResourceID] != "fixed" {
			t.Errorf("changes of scan 2: %s is %q, want fixed", f.ResourceID, got[f.ResourceID])
		}
	}
	req, _ = http.NewRequest("GET", srv.URL+"/failures", nil)
	req.Header.Set("Accept", "application/json")
	resp, body = get(t, req)
	var fl struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(body), &fl); err != nil || resp.StatusCode != 200 {
		t.Fatalf("failures as JSON: %v %s", err, body)
	}
	n, _ := st.CountOpen(t.Context(), store.Filter{})
	if fl.Total != n || n == 0 {
		t.Errorf("open failures %d, store says %d", fl.Total, n)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/api/runs?kind=fix", nil)
	_, body = get(t, req)
	var runs struct {
		Runs []store.Run `json:"runs"`
	}
	if err := json.Unmarshal([]byte(body), &runs); err != nil || len(runs.Runs) != 1 || runs.Runs[0].RollbackState != "rolled-back" || len(runs.Runs[0].Created) != 1 {
		t.Errorf("fix runs: %v %s", err, body)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/runs", nil)
	if _, body := get(t, req); !strings.Contains(body, "guard-event-1") || !strings.Contains(body, "rolled-back") {
		t.Errorf("runs page lacks the guard action or the rollback state")
	}
	// Errors: a bad filter is 400, a missing scan 404, in JSON too.
	for p, code := range map[string]int{"/?since=yesterday": 400, "/scans/999": 404, "/api/scans/abc": 400, "/scans/1?status=NOPE": 400} {
		req, _ := http.NewRequest("GET", srv.URL+p, nil)
		if resp, body := get(t, req); resp.StatusCode != code {
			t.Errorf("%s: %d, want %d: %s", p, resp.StatusCode, code, body)
		}
	}
}

func regexpInlineScript(body string) bool {
	// Every <script> tag has a src.
	for _, part := range strings.Split(body, "<script")[1:] {
		if !strings.HasPrefix(strings.TrimSpace(part), "src=") {
			return true
		}
	}
	return false
}

// Read-only: only GET and HEAD.
func TestReadOnly(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, Options{})
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(m, srv.URL+"/", strings.NewReader("x"))
		if resp, _ := get(t, req); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d", m, resp.StatusCode)
		}
	}
}

func TestToken(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123"
	srv, _ := newServer(t, Options{Token: token})
	req, _ := http.NewRequest("GET", srv.URL+"/api/", nil)
	if resp, _ := get(t, req); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer wrong")
	if resp, _ := get(t, req); resp.StatusCode != 401 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, _ := get(t, req); resp.StatusCode != 200 {
		t.Errorf("bearer token: %d", resp.StatusCode)
	}
	// ?token= sets an HttpOnly cookie and redirects to the URL without it.
	req, _ = http.NewRequest("GET", srv.URL+"/failures?account=1&token="+token, nil)
	resp, _ := get(t, req)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/failures?account=1" {
		t.Fatalf("?token=: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	cs := resp.Cookies()
	if len(cs) != 1 || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v", cs)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/failures", nil)
	req.AddCookie(cs[0])
	if resp, _ := get(t, req); resp.StatusCode != 200 {
		t.Errorf("cookie: %d", resp.StatusCode)
	}
}

func TestAuthHeaderAndHost(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, Options{AuthHeader: "X-Forwarded-User"})
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	if resp, _ := get(t, req); resp.StatusCode != 401 {
		t.Errorf("no header: %d", resp.StatusCode)
	}
	req.Header.Set("X-Forwarded-User", "alice@example.com")
	if resp, _ := get(t, req); resp.StatusCode != 200 {
		t.Errorf("with header: %d", resp.StatusCode)
	}
	srv2, _ := newServer(t, Options{Hosts: []string{"127.0.0.1:1"}})
	req, _ = http.NewRequest("GET", srv2.URL+"/", nil)
	if resp, _ := get(t, req); resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("rebinding host: %d", resp.StatusCode)
	}
}

// FuzzFilter: any query string gives a filter or a precise error, never a panic.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{"account=1&since=30d", "since=2026-01-01&until=2026-02-01T00:00:00Z", "limit=-1", "scan=0", "within=9999d", "status=gone", "since=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseQuery(s)
		if err != nil {
			return
		}
		fl, err := parseFilter(q)
		if err == nil && (fl.Limit < 0 || fl.Offset < 0 || fl.Scan < 0) {
			t.Errorf("%q: %+v", s, fl)
		}
	})
}

func parseQuery(s string) (map[string][]string, error) {
	q, err := url.ParseQuery(s)
	return q, err
}
