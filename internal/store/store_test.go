package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/testenv/estate"
	"github.com/flowguard/flowguard/internal/testenv/postgres"
)

func TestMain(m *testing.M) { os.Exit(postgres.Main(m)) }

// backends runs fn against a fresh SQLite file and a fresh database on the harness's PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, filepath.Join(t.TempDir(), "sub", "history.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, postgres.NewDatabase(t))
	})
}

func open(t *testing.T, dsn string) Store {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// day returns the estate result as scanned n days after the first scan, with mutate applied.
func day(o estate.Options, n int, mutate func(*finding.Result)) *finding.Result {
	r := estate.Result(o)
	d := time.Duration(n) * 24 * time.Hour
	r.StartedAt, r.FinishedAt = r.StartedAt.Add(d), r.FinishedAt.Add(d)
	if mutate != nil {
		mutate(r)
	}
	r.Summarize()
	return r
}

func setStatus(r *finding.Result, resource, check string, s finding.Status, reason string) {
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.ResourceID == resource && f.CheckID == check {
			f.Status, f.Reason = s, reason
			f.Message = fmt.Sprintf("now %s", s)
			return
		}
	}
	panic("no finding " + resource)
}

func firstWith(r *finding.Result, s finding.Status) finding.Finding {
	for _, f := range r.Findings {
		if f.Status == s && f.CheckID == estate.CheckEnabled {
			return f
		}
	}
	panic("none")
}

func TestSaveAndRead(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		s := open(t, dsn)
		o := estate.Options{Accounts: 3, Regions: 2, VPCs: 10}
		r0 := day(o, 0, nil)
		failing := firstWith(r0, finding.StatusFail)
		passing := firstWith(r0, finding.StatusPass)
		r1 := day(o, 1, func(r *finding.Result) {
			setStatus(r, failing.ResourceID, estate.CheckEnabled, finding.StatusPass, "")
			setStatus(r, passing.ResourceID, estate.CheckEnabled, finding.StatusFail, finding.ReasonNoFlowLog)
		})
		s0, err := s.SaveScan(ctx, r0, SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s0.Changes != len(r0.Findings) {
			t.Errorf("first scan: %d changes, want every finding new (%d)", s0.Changes, len(r0.Findings))
		}
		s1, err := s.SaveScan(ctx, r1, SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s1.Changes != 2 {
			t.Errorf("second scan: %d changes, want 2", s1.Changes)
		}
		again, err := s.SaveScan(ctx, r1, SaveOptions{})
		if err != nil || !again.Duplicate || again.ID != s1.ID {
			t.Errorf("the same result again: %+v %v, want a duplicate of %d", again, err, s1.ID)
		}
		trend, err := s.Trend(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(trend) != 2 {
			t.Fatalf("trend: %d points, want 2", len(trend))
		}
		want := Counts{Pass: r1.Summary.Pass, Fail: r1.Summary.Fail, Error: r1.Summary.Error, Skipped: r1.Summary.Skipped, Excepted: r1.Summary.Excepted, Unknown: r1.Summary.Unknown}
		if trend[1].Counts != want {
			t.Errorf("trend[1] counts %+v, want %+v", trend[1].Counts, want)
		}
		if trend[1].NewFailures != 1 || trend[1].Fixed != 1 {
			t.Errorf("trend[1]: %d new failures, %d fixed, want 1 and 1", trend[1].NewFailures, trend[1].Fixed)
		}
		// Per account: the trend of the failing VPC's account shows its fix.
		acct, err := s.Trend(ctx, Filter{Account: failing.AccountID})
		if err != nil {
			t.Fatal(err)
		}
		if acct[1].Fixed != 1 || acct[1].Counts.Total() >= trend[1].Counts.Total() {
			t.Errorf("account trend %+v", acct[1])
		}
		ch, err := s.Changes(ctx, Filter{Scan: s1.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ch) != 2 {
			t.Fatalf("changes %+v", ch)
		}
		for _, c := range ch {
			switch c.ResourceID {
			case failing.ResourceID:
				if c.Kind() != "fixed" {
					t.Errorf("%s: %s", c.ResourceID, c.Kind())
				}
			case passing.ResourceID:
				if c.Kind() != "now failing" || c.ToReason != finding.ReasonNoFlowLog {
					t.Errorf("%s: %s %s", c.ResourceID, c.Kind(), c.ToReason)
				}
			default:
				t.Errorf("unexpected change %+v", c)
			}
		}
		rows, total, err := s.Findings(ctx, s1.ID, Filter{Status: finding.StatusFail})
		if err != nil {
			t.Fatal(err)
		}
		if total != r1.Summary.Fail || len(rows) != total {
			t.Errorf("FAIL findings: %d (total %d), want %d", len(rows), total, r1.Summary.Fail)
		}
		// Evidence comes back as stored.
		_, hist, err := s.Finding(ctx, ch[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 2 || hist[0].Detail == nil || hist[0].Detail.Evidence.Tags["env"] == "" {
			t.Errorf("history %+v", hist)
		}
		open, stats, err := s.OpenFailures(ctx, Filter{}, r1.StartedAt.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != r1.Summary.Fail {
			t.Errorf("%d open failures, want %d", len(open), r1.Summary.Fail)
		}
		if stats.Count != 1 || stats.Median != 24*time.Hour {
			t.Errorf("fix stats %+v, want one fix after 24h", stats)
		}
		last := open[len(open)-1]
		if last.ResourceID != passing.ResourceID || !last.FirstSeen.Equal(r1.StartedAt) || last.Age != 48*time.Hour {
			t.Errorf("newest open failure %+v, want %s first seen %v", last, passing.ResourceID, r1.StartedAt)
		}
		if open[0].FirstSeen != r0.StartedAt.UTC() {
			t.Errorf("oldest open failure first seen %v, want %v", open[0].FirstSeen, r0.StartedAt)
		}
		groups, err := s.Breakdown(ctx, s1.ID, ByAccount, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != 3 {
			t.Errorf("breakdown %+v", groups)
		}
	})
}

// Evidence is stored once per distinct content: a scan that changed nothing adds no finding_states row.
func TestEvidenceDeduplicated(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		s := open(t, dsn)
		o := estate.Options{Accounts: 2, Regions: 2, VPCs: 20}
		for d := 0; d < 5; d++ {
			if _, err := s.SaveScan(t.Context(), day(o, d, nil), SaveOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		desc, err := s.Describe(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		n := int64(len(estate.Result(o).Findings))
		if desc.Rows["finding_states"] != n || desc.Rows["finding_obs"] != 5*n {
			t.Errorf("rows %v: want %d states and %d observations", desc.Rows, n, 5*n)
		}
		if desc.Rows["changes"] != n {
			t.Errorf("%d changes, want %d (only the first scan's new findings)", desc.Rows["changes"], n)
		}
	})
}

// A VPC no longer reported in a region the scan read is gone, and leaves the open failures; in a region the
// scan could not read, it is not.
func TestGone(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		s := open(t, dsn)
		o := estate.Options{Accounts: 2, Regions: 2, VPCs: 10}
		r0 := day(o, 0, nil)
		victim := firstWith(r0, finding.StatusFail)
		drop := func(r *finding.Result) {
			var keep []finding.Finding
			for _, f := range r.Findings {
				if f.ResourceID != victim.ResourceID {
					keep = append(keep, f)
				}
			}
			r.Findings = keep
		}
		if _, err := s.SaveScan(ctx, r0, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		// Its region unreadable: not gone.
		r1 := day(o, 1, func(r *finding.Result) {
			drop(r)
			r.Errors = []finding.Error{{AccountID: victim.AccountID, Region: victim.Region, Operation: "DescribeVpcs", Message: "throttled"}}
		})
		if _, err := s.SaveScan(ctx, r1, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		if n := countOpen(t, s, victim.ResourceID); n != 1 {
			t.Fatalf("after an unreadable region: %d open failures of %s, want 1", n, victim.ResourceID)
		}
		r2 := day(o, 2, drop)
		if _, err := s.SaveScan(ctx, r2, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		if n := countOpen(t, s, victim.ResourceID); n != 0 {
			t.Fatalf("after a scan without it: %d open failures of %s, want 0", n, victim.ResourceID)
		}
		ch, err := s.Changes(ctx, Filter{Since: r2.StartedAt})
		if err != nil {
			t.Fatal(err)
		}
		if len(ch) == 0 || ch[0].To != StatusGone {
			t.Errorf("changes %+v, want the VPC gone", ch)
		}
	})
}

func countOpen(t *testing.T, s Store, resource string) int {
	open, _, err := s.OpenFailures(t.Context(), Filter{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range open {
		if o.ResourceID == resource {
			n++
		}
	}
	return n
}

// Importing an older result after newer ones replays the history in time order: the same changes as storing
// them in order.
func TestOutOfOrderImport(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		o := estate.Options{Accounts: 2, Regions: 2, VPCs: 10}
		r0 := day(o, 0, nil)
		f := firstWith(r0, finding.StatusFail)
		r1 := day(o, 1, func(r *finding.Result) { setStatus(r, f.ResourceID, estate.CheckEnabled, finding.StatusPass, "") })
		r2 := day(o, 2, func(r *finding.Result) { setStatus(r, f.ResourceID, estate.CheckEnabled, finding.StatusPass, "") })
		s := open(t, dsn)
		for _, r := range []*finding.Result{r2, r0, r1} {
			if _, err := s.SaveScan(ctx, r, SaveOptions{Origin: "import"}); err != nil {
				t.Fatal(err)
			}
		}
		trend, err := s.Trend(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(trend) != 3 || trend[1].Fixed != 1 || trend[2].Fixed != 0 || trend[2].NewFailures != 0 {
			t.Errorf("trend %+v: want the fix on the second day only", trend)
		}
		_, stats, err := s.OpenFailures(ctx, Filter{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if stats.Count != 1 || stats.Max != 24*time.Hour {
			t.Errorf("fix stats %+v", stats)
		}
	})
}

// Writers in parallel (goroutines with their own connections, as processes would be): every scan stored
// whole, and the history consistent.
func TestConcurrentWriters(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		o := estate.Options{Accounts: 2, Regions: 2, VPCs: 15}
		const writers = 6
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				s, err := Open(ctx, dsn)
				if err != nil {
					errs <- err
					return
				}
				defer s.Close()
				if _, err := s.SaveScan(ctx, day(o, w, nil), SaveOptions{}); err != nil {
					errs <- err
				}
				if _, err := s.SaveRun(ctx, Run{Kind: "fix", RunID: fmt.Sprintf("run-%d", w), StartedAt: time.Now()}); err != nil {
					errs <- err
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		s := open(t, dsn)
		desc, err := s.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(len(estate.Result(o).Findings))
		if desc.Rows["scans"] != writers || desc.Rows["finding_obs"] != writers*n || desc.Rows["finding_keys"] != n || desc.Rows["runs"] != writers {
			t.Errorf("rows %v", desc.Rows)
		}
		// Identical scans: the first in time is all new, the others change nothing, whatever order they landed in.
		trend, _ := s.Trend(ctx, Filter{})
		for i, p := range trend {
			if i > 0 && p.NewFailures+p.Fixed+p.OtherChanges != 0 {
				t.Errorf("trend[%d] %+v: identical scans changed something", i, p)
			}
		}
	})
}

// A store made by an older flowguard (schema version 1) is upgraded in place, its data kept.
func TestMigrationUpgrade(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		var old *sqlStore
		var err error
		if IsPostgres(dsn) {
			old, err = openPostgresVersion(ctx, dsn, 1)
		} else {
			old, err = openSQLiteVersion(ctx, dsn, 1)
		}
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := old.version(ctx); v != 1 {
			t.Fatalf("version %d, want 1", v)
		}
		r := day(estate.Options{Accounts: 1, Regions: 1, VPCs: 5}, 0, nil)
		if _, err := old.SaveScan(ctx, r, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := old.db.ExecContext(ctx, "SELECT 1 FROM runs"); err == nil {
			t.Fatal("version 1 already has the runs table")
		}
		old.Close()
		s := open(t, dsn)
		desc, err := s.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if desc.Version != SchemaVersion() || desc.Rows["scans"] != 1 {
			t.Errorf("after upgrade: %+v", desc)
		}
		if _, err := s.SaveRun(ctx, Run{Kind: "fix", RunID: "r1", StartedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		// A store from a newer flowguard is refused.
		ss := s.(*sqlStore)
		if _, err := ss.db.ExecContext(ctx, ss.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)`), SchemaVersion()+1); err != nil {
			t.Fatal(err)
		}
		if s2, err := Open(ctx, dsn); err == nil {
			s2.Close()
			t.Error("a store of a newer schema was opened")
		}
	})
}

// A scan is stored whole or not at all: a failure in the middle leaves nothing behind.
func TestSaveScanAtomic(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		s := open(t, dsn).(*sqlStore)
		r := day(estate.Options{Accounts: 1, Regions: 1, VPCs: 5}, 0, nil)
		// A trigger-free way to fail mid-transaction: a cancelled context after the scan row is inserted.
		cctx, cancel := context.WithCancel(ctx)
		calls := 0
		err := s.tx(cctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(cctx, s.q(`INSERT INTO scans (result_hash, started_at, finished_at, stored_at, origin, source, tool_version, incomplete, cancelled, accounts, regions, checks, n_pass, n_fail, n_error, n_skipped, n_excepted, n_unknown, vpcs, extra) VALUES ('x', 0, 0, 0, '', '', '', 0, 0, '[]', '[]', '[]', 0, 0, 0, 0, 0, 0, 0, '{}')`)); err != nil {
				return err
			}
			calls++
			cancel()
			return cctx.Err()
		})
		if err == nil || calls != 1 {
			t.Fatalf("err %v calls %d", err, calls)
		}
		if _, err := s.SaveScan(ctx, r, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		desc, _ := s.Describe(ctx)
		if desc.Rows["scans"] != 1 {
			t.Errorf("%d scans, want 1: the failed transaction left a row", desc.Rows["scans"])
		}
		// A result with the same finding twice is refused before anything is written.
		bad := day(estate.Options{Accounts: 1, Regions: 1, VPCs: 5}, 3, nil)
		bad.Findings = append(bad.Findings, bad.Findings[0])
		if _, err := s.SaveScan(ctx, bad, SaveOptions{}); err == nil {
			t.Error("a result with a duplicate finding was stored")
		}
		desc, _ = s.Describe(ctx)
		if desc.Rows["scans"] != 1 {
			t.Errorf("%d scans after a refused result, want 1", desc.Rows["scans"])
		}
	})
}

func TestRunsAndExceptions(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		s := open(t, dsn)
		start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
		if _, err := s.SaveRun(ctx, Run{Kind: "fix", RunID: "R1", AccountID: "111122223333", StartedAt: start, Status: "complete",
			Created: []Resource{{Kind: "flow-log", ID: "fl-1", VPCID: "vpc-1", Region: "eu-west-1"}}}); err != nil {
			t.Fatal(err)
		}
		// Resumed: the same run again replaces it.
		if _, err := s.SaveRun(ctx, Run{Kind: "fix", RunID: "R1", AccountID: "111122223333", StartedAt: start, Status: "complete",
			Created: []Resource{{Kind: "flow-log", ID: "fl-1"}, {Kind: "flow-log", ID: "fl-2"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveRun(ctx, Run{Kind: "rollback", RunID: "R1", StartedAt: start.Add(time.Hour), Status: "rolled-back"}); err != nil {
			t.Fatal(err)
		}
		runs, err := s.Runs(ctx, Filter{Kind: "fix"})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != 1 || len(runs[0].Created) != 2 || runs[0].RollbackState != "rolled-back" {
			t.Errorf("runs %+v", runs)
		}
		r := day(estate.Options{Accounts: 1, Regions: 1, VPCs: 3}, 0, nil)
		r.Exceptions = []finding.ExceptionStatus{
			{ID: "EX-1", Owner: "a@example.com", Reason: "r", Expires: "2026-11-25", Match: "account=1", State: "active", Matched: 1},
			{ID: "EX-2", Owner: "b@example.com", Reason: "r", Expires: "2026-11-01", Match: "account=1", State: "expired"},
			{ID: "EX-3", Owner: "<script>", Reason: "r", Expires: "2027-06-01", Match: "account=1", State: "stale"},
		}
		if _, err := s.SaveScan(ctx, r, SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		ex, err := s.Exceptions(ctx, Filter{Within: 14 * 24 * time.Hour}, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, e := range ex {
			got[e.ID] = e.Urgency
		}
		if got["EX-1"] != "soon" || got["EX-2"] != "expired" || got["EX-3"] != "later" {
			t.Errorf("exceptions %v", got)
		}
	})
}

func TestResolve(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	getenv := func(k string) string { return env[k] }
	if got := Resolve("", getenv); got != "" {
		t.Errorf("nothing configured: %q", got)
	}
	if got := Resolve("default", getenv); got != "/home/u/.local/share/flowguard/history.db" {
		t.Errorf("default: %q", got)
	}
	env["XDG_DATA_HOME"] = "/data"
	env[EnvVar] = "postgres://u:secret@db/flowguard"
	if got := Resolve("", getenv); got != env[EnvVar] {
		t.Errorf("env: %q", got)
	}
	if got := Resolve("off", getenv); got != "" {
		t.Errorf("off: %q", got)
	}
	if got := Resolve("default", getenv); got != "/data/flowguard/history.db" {
		t.Errorf("XDG: %q", got)
	}
	if got := Redact(env[EnvVar]); got != "postgres://u:xxxxx@db/flowguard" {
		t.Errorf("redact: %q", got)
	}
}
