package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// maxRows bounds every list a read returns when the filter sets no limit.
const maxRows = 5000

func limitOf(f Filter) int {
	if f.Limit <= 0 || f.Limit > maxRows {
		return maxRows
	}
	return f.Limit
}

func ms(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.UnixMilli(t).UTC()
}

// where builds a WHERE clause from conditions.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// keyConds adds the account, region and check of f on the finding_keys alias k.
func (w *where) keyConds(f Filter, k string) {
	if f.Account != "" {
		w.add(k+".account_id = ?", f.Account)
	}
	if f.Region != "" {
		w.add(k+".region = ?", f.Region)
	}
	if f.Check != "" {
		w.add(k+".check_id = ?", f.Check)
	}
}

func (w *where) timeConds(f Filter, col string) {
	if !f.Since.IsZero() {
		w.add(col+" >= ?", f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		w.add(col+" < ?", f.Until.UnixMilli())
	}
}

const scanCols = `id, started_at, finished_at, stored_at, origin, source, tool_version, incomplete, cancelled, accounts, regions, checks,
	n_pass, n_fail, n_error, n_skipped, n_excepted, n_unknown, vpcs, extra`

func scanScan(sc interface{ Scan(...any) error }) (ScanInfo, error) {
	var s ScanInfo
	var st, fin, stored int64
	var inc, canc int
	var as, rs, cs, extra string
	err := sc.Scan(&s.ID, &st, &fin, &stored, &s.Origin, &s.Source, &s.ToolVersion, &inc, &canc, &as, &rs, &cs,
		&s.Counts.Pass, &s.Counts.Fail, &s.Counts.Error, &s.Counts.Skipped, &s.Counts.Excepted, &s.Counts.Unknown, &s.VPCs, &extra)
	if err != nil {
		return s, err
	}
	s.StartedAt, s.FinishedAt, s.StoredAt = ms(st), ms(fin), ms(stored)
	s.Incomplete, s.Cancelled = inc != 0, canc != 0
	json.Unmarshal([]byte(as), &s.Accounts)
	json.Unmarshal([]byte(rs), &s.Regions)
	json.Unmarshal([]byte(cs), &s.Checks)
	var ex scanExtra
	json.Unmarshal([]byte(extra), &ex)
	s.Notes, s.Errors = ex.Notes, ex.Errors
	return s, nil
}

// Scans lists stored scans, newest first. Account, region and check select the scans that covered them.
func (s *sqlStore) Scans(ctx context.Context, f Filter) ([]ScanInfo, error) {
	var w where
	w.timeConds(f, "started_at")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+scanCols+` FROM scans`+w.String()+` ORDER BY started_at DESC, id DESC`), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScanInfo
	skipped := 0
	for rows.Next() {
		si, err := scanScan(rows)
		if err != nil {
			return nil, err
		}
		if !covers(si, f) {
			continue
		}
		if skipped < f.Offset {
			skipped++
			continue
		}
		out = append(out, si)
		if len(out) >= limitOf(f) {
			break
		}
	}
	return out, rows.Err()
}

func covers(si ScanInfo, f Filter) bool {
	has := func(xs []string, x string) bool {
		if x == "" {
			return true
		}
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	}
	return has(si.Accounts, f.Account) && has(si.Regions, f.Region) && has(si.Checks, f.Check)
}

func (s *sqlStore) Scan(ctx context.Context, id int64) (ScanInfo, error) {
	si, err := scanScan(s.db.QueryRowContext(ctx, s.q(`SELECT `+scanCols+` FROM scans WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return si, fmt.Errorf("scan %d: %w", id, ErrNotFound)
	}
	return si, err
}

// Trend is one point per scan, oldest first.
func (s *sqlStore) Trend(ctx context.Context, f Filter) ([]TrendPoint, error) {
	// Without a key filter the scans' own totals serve; with one, the per-key counts of the matching keys.
	var w where
	var query string
	if f.Account == "" && f.Region == "" && f.Check == "" {
		w.timeConds(f, "started_at")
		query = `SELECT id, started_at, n_pass, n_fail, n_error, n_skipped, n_excepted, n_unknown FROM scans` + w.String() + ` ORDER BY started_at, id`
	} else {
		w.keyConds(f, "c")
		w.timeConds(f, "s.started_at")
		query = `SELECT c.scan_id, s.started_at, SUM(c.n_pass), SUM(c.n_fail), SUM(c.n_error), SUM(c.n_skipped), SUM(c.n_excepted), SUM(c.n_unknown)
			FROM scan_counts c JOIN scans s ON s.id = c.scan_id` + w.String() + ` GROUP BY c.scan_id, s.started_at ORDER BY s.started_at, c.scan_id`
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), w.args...)
	if err != nil {
		return nil, err
	}
	var points []TrendPoint
	for rows.Next() {
		var p TrendPoint
		var at int64
		if err := rows.Scan(&p.ScanID, &at, &p.Counts.Pass, &p.Counts.Fail, &p.Counts.Error, &p.Counts.Skipped, &p.Counts.Excepted, &p.Counts.Unknown); err != nil {
			rows.Close()
			return nil, err
		}
		p.Time = ms(at)
		points = append(points, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(points) == 0 {
		return nil, nil
	}
	// The changes each scan made, counted by kind.
	idx := make(map[int64]int, len(points))
	for i := range points {
		idx[points[i].ScanID] = i
		points[i].Compliance = pct(points[i].Counts)
	}
	var cw where
	cw.keyConds(f, "k")
	cw.timeConds(f, "s.started_at")
	join := ` JOIN scans s ON s.id = ch.scan_id`
	if f.Account != "" || f.Region != "" || f.Check != "" {
		join += ` JOIN finding_keys k ON k.id = ch.key_id`
	}
	rows, err = s.db.QueryContext(ctx, s.q(`SELECT ch.scan_id, ch.from_status, ch.to_status, COUNT(*) FROM changes ch`+join+cw.String()+` GROUP BY ch.scan_id, ch.from_status, ch.to_status`), cw.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var scan int64
		var from, to, n int
		if err := rows.Scan(&scan, &from, &to, &n); err != nil {
			return nil, err
		}
		i, ok := idx[scan]
		if !ok {
			continue
		}
		switch {
		case to == codeFail && from != codeFail:
			points[i].NewFailures += n
		case from == codeFail && to == codePass:
			points[i].Fixed += n
		default:
			points[i].OtherChanges += n
		}
	}
	return points, rows.Err()
}

// Breakdown counts a scan's findings per dimension.
func (s *sqlStore) Breakdown(ctx context.Context, scanID int64, dim Dimension, f Filter) ([]Group, error) {
	col := map[Dimension]string{ByAccount: "account_id", ByRegion: "region", ByCheck: "check_id"}[dim]
	if col == "" {
		return nil, fmt.Errorf("no breakdown by %q", dim)
	}
	var w where
	w.add("c.scan_id = ?", scanID)
	w.keyConds(f, "c")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT c.`+col+`, SUM(c.n_pass), SUM(c.n_fail), SUM(c.n_error), SUM(c.n_skipped), SUM(c.n_excepted), SUM(c.n_unknown)
		FROM scan_counts c`+w.String()+` GROUP BY c.`+col+` ORDER BY c.`+col), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.Key, &g.Counts.Pass, &g.Counts.Fail, &g.Counts.Error, &g.Counts.Skipped, &g.Counts.Excepted, &g.Counts.Unknown); err != nil {
			return nil, err
		}
		g.Compliance = pct(g.Counts)
		out = append(out, g)
	}
	return out, rows.Err()
}

const keyCols = `k.id, k.account_id, k.region, k.check_id, k.resource_type, k.resource_id`

// Changes lists the changes of f.Scan, or of the scans started in f.Since..f.Until, newest first.
func (s *sqlStore) Changes(ctx context.Context, f Filter) ([]Change, error) {
	var w where
	if f.Scan != 0 {
		w.add("ch.scan_id = ?", f.Scan)
	}
	w.keyConds(f, "k")
	w.timeConds(f, "s.started_at")
	if f.Status != "" {
		code, ok := statusCodes[f.Status]
		if !ok {
			return nil, fmt.Errorf("unknown status %q", f.Status)
		}
		w.add("(ch.to_status = ? OR ch.from_status = ?)", code, code)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+keyCols+`, ch.scan_id, s.started_at, ch.from_status, ch.to_status, ch.from_reason, ch.to_reason, st.message, st.resource_name
		FROM changes ch JOIN scans s ON s.id = ch.scan_id JOIN finding_keys k ON k.id = ch.key_id JOIN finding_states st ON st.id = ch.state_id`+w.String()+
		` ORDER BY s.started_at DESC, ch.scan_id DESC, k.account_id, k.region, k.resource_id, k.check_id LIMIT ? OFFSET ?`), append(w.args, limitOf(f), f.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var at int64
		var from, to int
		if err := rows.Scan(&c.ID, &c.AccountID, &c.Region, &c.CheckID, &c.ResourceType, &c.ResourceID, &c.ScanID, &at, &from, &to, &c.FromReason, &c.ToReason, &c.Message, &c.ResourceName); err != nil {
			return nil, err
		}
		c.Time, c.From, c.To = ms(at), statusOf(from), statusOf(to)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Findings lists one scan's findings.
func (s *sqlStore) Findings(ctx context.Context, scanID int64, f Filter) ([]FindingRow, int, error) {
	var w where
	w.add("o.scan_id = ?", scanID)
	w.keyConds(f, "k")
	if f.Status != "" {
		code, ok := statusCodes[f.Status]
		if !ok {
			return nil, 0, fmt.Errorf("unknown status %q", f.Status)
		}
		w.add("o.status = ?", code)
	}
	from := ` FROM finding_obs o JOIN finding_keys k ON k.id = o.key_id JOIN finding_states st ON st.id = o.state_id JOIN scans s ON s.id = o.scan_id`
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*)`+from+w.String()), w.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+keyCols+`, o.scan_id, s.started_at, o.status, st.reason, st.title, st.severity, st.message, st.resource_name, o.state_id`+from+w.String()+
		` ORDER BY k.account_id, k.region, k.resource_id, k.check_id LIMIT ? OFFSET ?`), append(w.args, limitOf(f), f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out, err := findingRows(rows, false)
	return out, total, err
}

func findingRows(rows *sql.Rows, detail bool) ([]FindingRow, error) {
	var out []FindingRow
	for rows.Next() {
		var r FindingRow
		var at int64
		var status int
		dest := []any{&r.ID, &r.AccountID, &r.Region, &r.CheckID, &r.ResourceType, &r.ResourceID, &r.ScanID, &at, &status, &r.Reason, &r.Title, &r.Severity, &r.Message, &r.ResourceName, &r.StateID}
		var doc string
		if detail {
			dest = append(dest, &doc)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		r.Time, r.Status = ms(at), statusOf(status)
		if detail {
			var d stateDoc
			if err := json.Unmarshal([]byte(doc), &d); err != nil {
				return nil, fmt.Errorf("stored evidence of state %d: %w", r.StateID, err)
			}
			r.Detail = &Detail{Evidence: d.Evidence, Controls: d.Controls, Location: d.Location}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Finding is one finding's history, newest first.
func (s *sqlStore) Finding(ctx context.Context, keyID int64) (FindingKey, []FindingRow, error) {
	var k FindingKey
	err := s.db.QueryRowContext(ctx, s.q(`SELECT `+keyCols+` FROM finding_keys k WHERE k.id = ?`), keyID).Scan(&k.ID, &k.AccountID, &k.Region, &k.CheckID, &k.ResourceType, &k.ResourceID)
	if errors.Is(err, sql.ErrNoRows) {
		return k, nil, fmt.Errorf("finding %d: %w", keyID, ErrNotFound)
	}
	if err != nil {
		return k, nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+keyCols+`, o.scan_id, s.started_at, o.status, st.reason, st.title, st.severity, st.message, st.resource_name, o.state_id, st.doc
		FROM finding_obs o JOIN finding_keys k ON k.id = o.key_id JOIN finding_states st ON st.id = o.state_id JOIN scans s ON s.id = o.scan_id
		WHERE o.key_id = ? ORDER BY s.started_at DESC, o.scan_id DESC LIMIT ?`), keyID, maxRows)
	if err != nil {
		return k, nil, err
	}
	defer rows.Close()
	out, err := findingRows(rows, true)
	return k, out, err
}

// OpenFailures lists findings whose latest observation is FAIL, oldest failure first.
func (s *sqlStore) OpenFailures(ctx context.Context, f Filter, now time.Time) ([]OpenFailure, FixStats, error) {
	var w where
	w.add("c.status = ?", codeFail)
	w.keyConds(f, "k")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+keyCols+`, c.reason, st.message, st.severity, st.resource_name, c.fail_since, c.last_seen
		FROM finding_current c JOIN finding_keys k ON k.id = c.key_id JOIN finding_states st ON st.id = c.state_id`+w.String()+
		` ORDER BY c.fail_since, k.account_id, k.region, k.resource_id, k.check_id LIMIT ? OFFSET ?`), append(w.args, limitOf(f), f.Offset)...)
	if err != nil {
		return nil, FixStats{}, err
	}
	var out []OpenFailure
	for rows.Next() {
		var o OpenFailure
		var first, last int64
		if err := rows.Scan(&o.ID, &o.AccountID, &o.Region, &o.CheckID, &o.ResourceType, &o.ResourceID, &o.Reason, &o.Message, &o.Severity, &o.ResourceName, &first, &last); err != nil {
			rows.Close()
			return nil, FixStats{}, err
		}
		o.FirstSeen, o.LastSeen = ms(first), ms(last)
		o.Age = max(now.Sub(o.FirstSeen), 0)
		o.AgeDays = float64(o.Age) / float64(24*time.Hour)
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, FixStats{}, err
	}
	var fw where
	fw.keyConds(f, "k")
	fw.timeConds(f, "x.fixed_at")
	frows, err := s.db.QueryContext(ctx, s.q(`SELECT x.fixed_at - x.failed_at FROM fixes x JOIN finding_keys k ON k.id = x.key_id`+fw.String()), fw.args...)
	if err != nil {
		return nil, FixStats{}, err
	}
	defer frows.Close()
	var ds []time.Duration
	for frows.Next() {
		var d int64
		if err := frows.Scan(&d); err != nil {
			return nil, FixStats{}, err
		}
		ds = append(ds, time.Duration(d)*time.Millisecond)
	}
	return out, fixStats(ds), frows.Err()
}

// CountOpen counts the findings whose latest observation is FAIL.
func (s *sqlStore) CountOpen(ctx context.Context, f Filter) (int, error) {
	var w where
	w.add("c.status = ?", codeFail)
	w.keyConds(f, "k")
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM finding_current c JOIN finding_keys k ON k.id = c.key_id`+w.String()), w.args...).Scan(&n)
	return n, err
}

func fixStats(ds []time.Duration) FixStats {
	if len(ds) == 0 {
		return FixStats{}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	q := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return FixStats{Count: len(ds), Mean: sum / time.Duration(len(ds)), Median: q(0.5), P90: q(0.9), Max: ds[len(ds)-1]}
}

// Exceptions is the latest state of each exception (by id, or by owner, match and expiry when it has none).
func (s *sqlStore) Exceptions(ctx context.Context, f Filter, now time.Time) ([]ExceptionRow, error) {
	var w where
	w.timeConds(f, "s.started_at")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT e.scan_id, s.started_at, e.exc_id, e.owner, e.reason, e.expires, e.ticket, e.matcher, e.file, e.line, e.state, e.matched
		FROM scan_exceptions e JOIN scans s ON s.id = e.scan_id`+w.String()+` ORDER BY s.started_at DESC, e.scan_id DESC, e.ord`), w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	within := f.Within
	if within <= 0 {
		within = 30 * 24 * time.Hour
	}
	seen := map[string]bool{}
	var out []ExceptionRow
	for rows.Next() {
		var e ExceptionRow
		var at int64
		if err := rows.Scan(&e.ScanID, &at, &e.ID, &e.Owner, &e.Reason, &e.Expires, &e.Ticket, &e.Match, &e.File, &e.Line, &e.State, &e.Matched); err != nil {
			return nil, err
		}
		key := e.ID
		if key == "" {
			key = e.Owner + "\x00" + e.Match + "\x00" + e.Expires
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		if f.Account != "" && !strings.Contains(e.Match, f.Account) {
			continue
		}
		e.SeenAt = ms(at)
		exp, err := time.Parse("2006-01-02", e.Expires)
		switch {
		case err != nil:
			e.Urgency = "unknown"
		default:
			// An exception applies through its expiry day (UTC).
			end := exp.Add(24 * time.Hour)
			e.DaysLeft = int(end.Sub(now).Hours() / 24)
			switch {
			case !now.Before(end):
				e.Urgency = "expired"
			case end.Sub(now) <= within:
				e.Urgency = "soon"
			default:
				e.Urgency = "later"
			}
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Expires < out[j].Expires })
	return out, rows.Err()
}

const runCols = `id, kind, run_id, account_id, regions, started_at, finished_at, stored_at, status, summary, created, detail`

func scanRun(sc interface{ Scan(...any) error }, detail bool) (Run, error) {
	var r Run
	var regions, created, det string
	var st, fin, stored int64
	if err := sc.Scan(&r.ID, &r.Kind, &r.RunID, &r.AccountID, &regions, &st, &fin, &stored, &r.Status, &r.Summary, &created, &det); err != nil {
		return r, err
	}
	r.StartedAt, r.FinishedAt, r.StoredAt = ms(st), ms(fin), ms(stored)
	json.Unmarshal([]byte(regions), &r.Regions)
	json.Unmarshal([]byte(created), &r.Created)
	if detail && det != "null" {
		r.Detail = json.RawMessage(det)
	}
	return r, nil
}

// Runs lists runs, newest first, with the rollback state of fix and guard runs.
func (s *sqlStore) Runs(ctx context.Context, f Filter) ([]Run, error) {
	var w where
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.Account != "" {
		w.add("account_id = ?", f.Account)
	}
	w.timeConds(f, "started_at")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+runCols+` FROM runs`+w.String()+` ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?`), append(w.args, limitOf(f), f.Offset)...)
	if err != nil {
		return nil, err
	}
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows, false)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.rollbackState(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *sqlStore) rollbackState(ctx context.Context, r *Run) error {
	if r.Kind == "rollback" || r.Kind == "verify" {
		return nil
	}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT status FROM runs WHERE kind = 'rollback' AND run_id = ? ORDER BY started_at DESC, id DESC LIMIT 1`), r.RunID).Scan(&r.RollbackState)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

func (s *sqlStore) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, s.q(`SELECT `+runCols+` FROM runs WHERE id = ?`), id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, err
	}
	return r, s.rollbackState(ctx, &r)
}

// LogsReports lists stored logs report summaries, newest first.
func (s *sqlStore) LogsReports(ctx context.Context, f Filter) ([]LogsReport, error) {
	var w where
	w.timeConds(f, "stored_at")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, stored_at, from_at, to_at, sources, records, bytes, accept, reject, detections, read_errors, summary
		FROM logs_reports`+w.String()+` ORDER BY stored_at DESC, id DESC LIMIT ? OFFSET ?`), append(w.args, limitOf(f), f.Offset)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogsReport
	for rows.Next() {
		var r LogsReport
		var stored, from, to int64
		var sources, summary string
		if err := rows.Scan(&r.ID, &stored, &from, &to, &sources, &r.Records, &r.Bytes, &r.Accept, &r.Reject, &r.Detections, &r.ReadErrors, &summary); err != nil {
			return nil, err
		}
		r.StoredAt, r.From, r.To = ms(stored), ms(from), ms(to)
		json.Unmarshal([]byte(sources), &r.Sources)
		r.Summary = json.RawMessage(summary)
		out = append(out, r)
	}
	return out, rows.Err()
}

var _ Store = (*sqlStore)(nil)
