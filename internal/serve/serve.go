// Package serve is `flowguard serve`: a read-only web dashboard, and a JSON API under the same paths, over the
// history store. Pages are rendered on the server with html/template (a tag value is text, never markup); the
// page's only script and style sheet are embedded files served from /static/ under a strict
// Content-Security-Policy (no inline script or style, no request to any other origin). Charts are SVG drawn on
// the server, each point a link to what changed.
package serve

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/flowguard/flowguard/internal/human"
	"html/template"
	"io/fs"
	"log"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/store"
)

//go:embed templates static
var assets embed.FS

// CSP is the Content-Security-Policy of every response: only this origin's embedded script and style sheet,
// no inline script, no plugins, no framing, forms only to this origin.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// TokenCookie holds the token after a first visit with ?token=.
const TokenCookie = "flowguard_token"

// Options configure the dashboard.
type Options struct {
	// Now is the clock (ages, expiries).
	Now func() time.Time
	// Token, when set, is required: Authorization: Bearer TOKEN, the cookie a ?token= visit sets, or ?token=.
	Token string
	// AuthHeader, when set, names a header an authenticating proxy sets (X-Forwarded-User, …): requests
	// without it are refused.
	AuthHeader string
	// Hosts, when set, are the only Host headers accepted (a loopback server refuses DNS-rebinding requests).
	Hosts []string
	// Log receives one line per server error (default: discarded).
	Log *log.Logger
}

type server struct {
	st    store.Store
	o     Options
	pages map[string]*template.Template
}

// New returns the dashboard's handler over st.
func New(st store.Store, o Options) (http.Handler, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &server{st: st, o: o, pages: map[string]*template.Template{}}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(assets, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		s.pages[name] = t
	}
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	for _, prefix := range []string{"", "/api"} {
		mux.HandleFunc("GET "+prefix+"/{$}", s.page("overview", s.overview))
		mux.HandleFunc("GET "+prefix+"/failures", s.page("failures", s.failures))
		mux.HandleFunc("GET "+prefix+"/exceptions", s.page("exceptions", s.exceptions))
		mux.HandleFunc("GET "+prefix+"/changes", s.page("changes", s.changes))
		mux.HandleFunc("GET "+prefix+"/scans", s.page("scans", s.scans))
		mux.HandleFunc("GET "+prefix+"/scans/{id}", s.page("scan", s.scan))
		mux.HandleFunc("GET "+prefix+"/findings/{id}", s.page("finding", s.finding))
		mux.HandleFunc("GET "+prefix+"/runs", s.page("runs", s.runs))
		mux.HandleFunc("GET "+prefix+"/runs/{id}", s.page("run", s.run))
		mux.HandleFunc("GET "+prefix+"/logs", s.page("logs", s.logs))
	}
	return s.guard(mux), nil
}

// guard sets the security headers, allows only GET and HEAD, checks the Host and authenticates.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "read-only: GET and HEAD only", http.StatusMethodNotAllowed)
			return
		}
		if len(s.o.Hosts) > 0 && !contains(s.o.Hosts, strings.ToLower(r.Host)) {
			http.Error(w, "unexpected Host header", http.StatusMisdirectedRequest)
			return
		}
		if s.o.AuthHeader != "" && strings.TrimSpace(r.Header.Get(s.o.AuthHeader)) == "" {
			http.Error(w, "not authenticated: no "+s.o.AuthHeader+" header from the authenticating proxy", http.StatusUnauthorized)
			return
		}
		if s.o.Token != "" {
			if q := r.URL.Query().Get("token"); q != "" {
				if !equal(q, s.o.Token) {
					http.Error(w, "wrong token", http.StatusUnauthorized)
					return
				}
				http.SetCookie(w, &http.Cookie{Name: TokenCookie, Value: s.o.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
				u := *r.URL
				qs := u.Query()
				qs.Del("token")
				u.RawQuery = qs.Encode()
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
			ok := false
			if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
				ok = equal(strings.TrimPrefix(a, "Bearer "), s.o.Token)
			} else if c, err := r.Cookie(TokenCookie); err == nil {
				ok = equal(c.Value, s.o.Token)
			}
			if !ok {
				h.Set("WWW-Authenticate", `Bearer realm="flowguard"`)
				http.Error(w, "token required: Authorization: Bearer TOKEN, or open the URL with ?token=TOKEN once", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// view is what a page template gets.
type view struct {
	Title   string
	Page    string
	Path    string
	Filter  store.Filter
	Query   url.Values
	Options filterOptions
	Now     time.Time
	Data    any
}

type filterOptions struct {
	Accounts, Regions, Checks []string
	Statuses                  []finding.Status
}

// badRequest is an error in the URL's query.
type badRequest struct{ error }

// page wraps a handler that returns the page's data: JSON for /api/… or Accept: application/json, HTML
// otherwise.
func (s *server) page(name string, fn func(*http.Request, store.Filter) (string, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		r = r.WithContext(ctx)
		f, err := parseFilter(r.URL.Query())
		var title string
		var data any
		if err == nil {
			title, data, err = fn(r, f)
		}
		asJSON := strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/api" || wantsJSON(r)
		if err != nil {
			code := http.StatusInternalServerError
			var br badRequest
			switch {
			case errors.As(err, &br):
				code = http.StatusBadRequest
			case errors.Is(err, store.ErrNotFound):
				code = http.StatusNotFound
			default:
				if s.o.Log != nil {
					s.o.Log.Printf("%s: %v", r.URL.Path, err)
				}
			}
			msg := err.Error()
			if code == http.StatusInternalServerError {
				msg = "the store could not be read"
			}
			if asJSON {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(code)
				json.NewEncoder(w).Encode(map[string]string{"error": msg})
				return
			}
			http.Error(w, msg, code)
			return
		}
		if asJSON {
			w.Header().Set("Content-Type", "application/json")
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.Encode(data)
			return
		}
		v := view{Title: title, Page: name, Path: r.URL.Path, Filter: f, Query: r.URL.Query(), Now: s.o.Now(), Data: data}
		v.Options = s.filterOptions(ctx)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := s.pages[name].ExecuteTemplate(w, "layout.html", v); err != nil && s.o.Log != nil {
			s.o.Log.Printf("%s: render: %v", r.URL.Path, err)
		}
	}
}

func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// filterOptions are the values the filter form offers: those of the newest scan.
func (s *server) filterOptions(ctx context.Context) filterOptions {
	o := filterOptions{Statuses: append([]finding.Status{}, finding.Statuses...)}
	scans, err := s.st.Scans(ctx, store.Filter{Limit: 1})
	if err == nil && len(scans) > 0 {
		o.Accounts, o.Regions, o.Checks = scans[0].Accounts, scans[0].Regions, scans[0].Checks
	}
	return o
}

// parseFilter reads the URL's filters: account, region, check, status, scan, since, until (a date, RFC 3339
// or an age such as 30d), within (days), kind, limit, offset.
func parseFilter(q url.Values) (store.Filter, error) {
	f := store.Filter{Account: q.Get("account"), Region: q.Get("region"), Check: q.Get("check"), Kind: q.Get("kind")}
	now := time.Now()
	var err error
	if v := q.Get("status"); v != "" {
		f.Status = finding.Status(strings.ToUpper(v))
		if !contains(statusNames(), string(f.Status)) {
			return f, badRequest{fmt.Errorf("status %q: want one of %s", v, strings.Join(statusNames(), ", "))}
		}
	}
	if f.Since, err = store.ParseTime(q.Get("since"), now); err != nil {
		return f, badRequest{fmt.Errorf("since: %w", err)}
	}
	if f.Until, err = store.ParseTime(q.Get("until"), now); err != nil {
		return f, badRequest{fmt.Errorf("until: %w", err)}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &f.Limit}, {"offset", &f.Offset}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, badRequest{fmt.Errorf("%s %q: want a number", p.name, v)}
			}
			*p.dst = n
		}
	}
	if v := q.Get("scan"); v != "" {
		if f.Scan, err = strconv.ParseInt(v, 10, 64); err != nil || f.Scan <= 0 {
			return f, badRequest{fmt.Errorf("scan %q: want a scan id", v)}
		}
	}
	if v := q.Get("within"); v != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		if err != nil || n < 0 || n > 3650 {
			return f, badRequest{fmt.Errorf("within %q: want a number of days", v)}
		}
		f.Within = time.Duration(n) * 24 * time.Hour
	}
	return f, nil
}

func statusNames() []string {
	out := []string{string(store.StatusGone)}
	for _, s := range finding.Statuses {
		out = append(out, string(s))
	}
	return out
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest{fmt.Errorf("%q is not an id", r.PathValue("id"))}
	}
	return id, nil
}

func (s *server) overview(r *http.Request, f store.Filter) (string, any, error) {
	o, err := store.BuildOverview(r.Context(), s.st, f, s.o.Now())
	if err != nil {
		return "", nil, err
	}
	// The chart shows every scan; the table the newest ones (the scans page has them all).
	recent := make([]store.TrendPoint, 0, trendRows)
	for i := len(o.Trend) - 1; i >= 0 && len(recent) < trendRows; i-- {
		recent = append(recent, o.Trend[i])
	}
	return "Compliance", overviewView{Overview: o, Chart: chartOf(o.Trend, f), Recent: recent}, nil
}

// trendRows bounds the overview's table of scans.
const trendRows = 30

type overviewView struct {
	*store.Overview
	Chart  chart              `json:"-"`
	Recent []store.TrendPoint `json:"-"`
}

func (s *server) failures(r *http.Request, f store.Filter) (string, any, error) {
	if f.Limit == 0 {
		f.Limit = 500
	}
	open, stats, err := s.st.OpenFailures(r.Context(), f, s.o.Now())
	if err != nil {
		return "", nil, err
	}
	n, err := s.st.CountOpen(r.Context(), f)
	if err != nil {
		return "", nil, err
	}
	return "Open failures", struct {
		Total    int                 `json:"total"`
		Failures []store.OpenFailure `json:"failures"`
		FixStats store.FixStats      `json:"time_to_fix"`
	}{n, open, stats}, nil
}

func (s *server) exceptions(r *http.Request, f store.Filter) (string, any, error) {
	ex, err := s.st.Exceptions(r.Context(), f, s.o.Now())
	if err != nil {
		return "", nil, err
	}
	within := f.Within
	if within == 0 {
		within = 30 * 24 * time.Hour
	}
	return "Exceptions", struct {
		WithinDays int                  `json:"within_days"`
		Exceptions []store.ExceptionRow `json:"exceptions"`
	}{int(within.Hours() / 24), ex}, nil
}

func (s *server) changes(r *http.Request, f store.Filter) (string, any, error) {
	if f.Limit == 0 {
		f.Limit = 500
	}
	if f.Scan == 0 && f.Since.IsZero() && f.Until.IsZero() {
		// Without a scan or a range: the last 30 days (?since= for more).
		f.Since = s.o.Now().Add(-30 * 24 * time.Hour)
	}
	ch, err := s.st.Changes(r.Context(), f)
	if err != nil {
		return "", nil, err
	}
	var scan *store.ScanInfo
	if f.Scan != 0 {
		si, err := s.st.Scan(r.Context(), f.Scan)
		if err != nil {
			return "", nil, err
		}
		scan = &si
	}
	return "Changes", struct {
		Scan    *store.ScanInfo `json:"scan,omitempty"`
		Since   time.Time       `json:"since,omitzero"`
		Changes []store.Change  `json:"changes"`
		Limit   int             `json:"limit"`
	}{scan, f.Since, ch, f.Limit}, nil
}

func (s *server) scans(r *http.Request, f store.Filter) (string, any, error) {
	sc, err := s.st.Scans(r.Context(), f)
	if err != nil {
		return "", nil, err
	}
	return "Scans", struct {
		Scans []store.ScanInfo `json:"scans"`
	}{sc}, nil
}

func (s *server) scan(r *http.Request, f store.Filter) (string, any, error) {
	id, err := pathID(r)
	if err != nil {
		return "", nil, err
	}
	si, err := s.st.Scan(r.Context(), id)
	if err != nil {
		return "", nil, err
	}
	if f.Limit == 0 {
		f.Limit = 500
	}
	rows, total, err := s.st.Findings(r.Context(), id, f)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("Scan %d", id), struct {
		Scan     store.ScanInfo     `json:"scan"`
		Total    int                `json:"total"`
		Offset   int                `json:"offset"`
		Next     int                `json:"next,omitempty"`
		Findings []store.FindingRow `json:"findings"`
	}{si, total, f.Offset, nextOffset(f, len(rows), total), rows}, nil
}

func nextOffset(f store.Filter, n, total int) int {
	if f.Offset+n < total {
		return f.Offset + n
	}
	return 0
}

func (s *server) finding(r *http.Request, _ store.Filter) (string, any, error) {
	id, err := pathID(r)
	if err != nil {
		return "", nil, err
	}
	k, hist, err := s.st.Finding(r.Context(), id)
	if err != nil {
		return "", nil, err
	}
	changes, err := s.st.Changes(r.Context(), store.Filter{Account: k.AccountID, Region: k.Region, Check: k.CheckID, Limit: 5000})
	if err != nil {
		return "", nil, err
	}
	var mine []store.Change
	for _, c := range changes {
		if c.ID == k.ID {
			mine = append(mine, c)
		}
	}
	return k.ResourceID, struct {
		Key     store.FindingKey   `json:"key"`
		Changes []store.Change     `json:"changes"`
		History []store.FindingRow `json:"history"`
	}{k, mine, hist}, nil
}

func (s *server) runs(r *http.Request, f store.Filter) (string, any, error) {
	runs, err := s.st.Runs(r.Context(), f)
	if err != nil {
		return "", nil, err
	}
	return "Fix runs and guard actions", struct {
		Runs []store.Run `json:"runs"`
	}{runs}, nil
}

func (s *server) run(r *http.Request, _ store.Filter) (string, any, error) {
	id, err := pathID(r)
	if err != nil {
		return "", nil, err
	}
	run, err := s.st.Run(r.Context(), id)
	if err != nil {
		return "", nil, err
	}
	related, err := s.st.Runs(r.Context(), store.Filter{})
	if err != nil {
		return "", nil, err
	}
	var rel []store.Run
	for _, x := range related {
		if x.RunID == run.RunID && x.ID != run.ID {
			rel = append(rel, x)
		}
	}
	var detail string
	if len(run.Detail) > 0 {
		var v any
		if json.Unmarshal(run.Detail, &v) == nil {
			b, _ := json.MarshalIndent(v, "", "  ")
			detail = string(b)
		}
	}
	return run.Kind + " " + run.RunID, struct {
		Run     store.Run   `json:"run"`
		Related []store.Run `json:"related"`
		Detail  string      `json:"-"`
	}{run, rel, detail}, nil
}

func (s *server) logs(r *http.Request, f store.Filter) (string, any, error) {
	reps, err := s.st.LogsReports(r.Context(), f)
	if err != nil {
		return "", nil, err
	}
	return "Flow-log reports", struct {
		Reports []store.LogsReport `json:"reports"`
	}{reps}, nil
}

// chart is the SVG trend chart: compliance per scan.
type chart struct {
	Width, Height float64
	Line          string
	Points        []chartPoint
	Ticks         []chartTick
	Empty         bool
}

type chartPoint struct {
	X, Y  float64
	Href  string
	Label string
	Bad   bool // new failures with this scan
}

type chartTick struct {
	Y     float64
	Label string
}

const (
	chartW, chartH = 900.0, 240.0
	padL, padR     = 44.0, 12.0
	padT, padB     = 12.0, 24.0
)

func chartOf(points []store.TrendPoint, f store.Filter) chart {
	c := chart{Width: chartW, Height: chartH}
	var pts []store.TrendPoint
	for _, p := range points {
		if p.Compliance != nil {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		c.Empty = true
		return c
	}
	lo := 100.0
	for _, p := range pts {
		lo = math.Min(lo, *p.Compliance)
	}
	lo = math.Max(0, math.Floor(lo/10)*10-10)
	t0, t1 := pts[0].Time, pts[len(pts)-1].Time
	span := t1.Sub(t0).Seconds()
	var line []string
	for i, p := range pts {
		x := padL + (chartW-padL-padR)/2
		if span > 0 {
			x = padL + (chartW-padL-padR)*p.Time.Sub(t0).Seconds()/span
		} else if len(pts) > 1 {
			x = padL + (chartW-padL-padR)*float64(i)/float64(len(pts)-1)
		}
		y := padT + (chartH-padT-padB)*(100-*p.Compliance)/(100-lo)
		x, y = math.Round(x*10)/10, math.Round(y*10)/10
		line = append(line, fmt.Sprintf("%g,%g", x, y))
		q := url.Values{"scan": {strconv.FormatInt(p.ScanID, 10)}}
		for k, v := range map[string]string{"account": f.Account, "region": f.Region, "check": f.Check} {
			if v != "" {
				q.Set(k, v)
			}
		}
		c.Points = append(c.Points, chartPoint{X: x, Y: y, Href: "/changes?" + q.Encode(), Bad: p.NewFailures > 0,
			Label: fmt.Sprintf("%s: %.1f%% (%s, %d fixed)", p.Time.Format("2006-01-02 15:04"), *p.Compliance, human.Plural(p.NewFailures, "new failure"), p.Fixed)})
	}
	c.Line = strings.Join(line, " ")
	for v := lo; v <= 100; v += math.Max(10, math.Ceil((100-lo)/50)*10) {
		c.Ticks = append(c.Ticks, chartTick{Y: math.Round((padT+(chartH-padT-padB)*(100-v)/(100-lo))*10) / 10, Label: fmt.Sprintf("%g%%", v)})
	}
	return c
}

var funcs = template.FuncMap{
	// noun is the word after a count: "1 new failure", "3 new failures" (the count is printed apart, in its own
	// element, for the browser tests).
	"noun": func(n int, word string) string { return human.Noun(n, word) },
	"pct": func(p *float64) string {
		if p == nil {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", *p)
	},
	"signed": func(p *float64) string {
		if p == nil {
			return ""
		}
		return fmt.Sprintf("%+.1f pts", *p)
	},
	"ts": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format("2006-01-02 15:04Z")
	},
	"days": func(d time.Duration) string {
		if d <= 0 {
			return "–"
		}
		if d < 24*time.Hour {
			return fmt.Sprintf("%.0fh", d.Hours())
		}
		return fmt.Sprintf("%.1fd", d.Hours()/24)
	},
	"lower": func(s any) string { return strings.ToLower(fmt.Sprint(s)) },
	// link is path with the page's filters, and key/value pairs set (an empty value removes the key).
	"link": func(path string, q url.Values, kv ...string) string {
		n := url.Values{}
		for _, k := range []string{"account", "region", "check", "since", "until", "within"} {
			if v := q.Get(k); v != "" {
				n.Set(k, v)
			}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				n.Del(kv[i])
			} else {
				n.Set(kv[i], kv[i+1])
			}
		}
		if len(n) == 0 {
			return path
		}
		return path + "?" + n.Encode()
	},
	"id":    func(id int64) string { return strconv.FormatInt(id, 10) },
	"add":   func(a, b int) int { return a + b },
	"total": func(c store.Counts) int { return c.Total() },
	"json": func(v any) string {
		b, _ := json.MarshalIndent(v, "", "  ")
		return string(b)
	},
	"sel":     func(a, b string) bool { return a == b },
	"changes": func(q url.Values, ch []store.Change) changesArg { return changesArg{Query: q, Changes: ch} },
}

type changesArg struct {
	Query   url.Values
	Changes []store.Change
}
