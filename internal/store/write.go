package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
)

// batchRows bounds the rows of one multi-row INSERT (its placeholders stay far below every backend's limit).
const batchRows = 200

type keyTuple struct{ account, region, check, resource string }

// prepared is a result turned into rows, computed before the transaction.
type prepared struct {
	hash    string
	at      int64
	keys    []keyTuple
	types   map[keyTuple]string
	obs     []obsRow
	states  map[string]stateRow // by hash
	counts  map[[3]string]*Counts
	scope   scope
	extra   string
	checks  []string
	summary Counts
}

type obsRow struct {
	key    keyTuple
	status int
	hash   string
	reason string
}

type stateRow struct {
	hash, reason, title, severity, message, name, doc string
}

// scope is what a scan looked at: a finding of these accounts, regions and checks that it did not report is
// gone. noGone lists the account-regions (region "" for a whole account) it could not read: nothing there is
// gone.
type scope struct {
	accounts, regions, checks map[string]bool
	noGone                    map[[2]string]bool
	cancelled                 bool
}

func (sc scope) covers(k keyTuple) bool {
	return !sc.cancelled && sc.accounts[k.account] && sc.regions[k.region] && sc.checks[k.check] &&
		!sc.noGone[[2]string{k.account, ""}] && !sc.noGone[[2]string{k.account, k.region}]
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func prepare(r *finding.Result, now time.Time) (*prepared, error) {
	doc, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	sum := sha256.Sum256(doc)
	p := &prepared{hash: hex.EncodeToString(sum[:]), types: map[keyTuple]string{}, states: map[string]stateRow{}, counts: map[[3]string]*Counts{}}
	at := r.StartedAt
	if at.IsZero() {
		at = r.FinishedAt
	}
	if at.IsZero() {
		at = now
	}
	p.at = at.UnixMilli()
	accounts, regions, checks := set(r.Accounts), set(r.Regions), map[string]bool{}
	for _, c := range r.Checks {
		checks[c.ID] = true
	}
	seen := make(map[keyTuple]bool, len(r.Findings))
	p.scope.noGone = map[[2]string]bool{}
	for i, f := range r.Findings {
		if f.CheckID == "" || f.ResourceID == "" {
			return nil, fmt.Errorf("findings[%d]: no check_id or resource_id", i)
		}
		code, ok := statusCodes[f.Status]
		if !ok || f.Status == StatusGone {
			return nil, fmt.Errorf("findings[%d]: unknown status %q", i, f.Status)
		}
		k := keyTuple{f.AccountID, f.Region, f.CheckID, f.ResourceID}
		if seen[k] {
			return nil, fmt.Errorf("findings[%d]: the same finding (check %q account %q region %q resource %q) twice", i, f.CheckID, f.AccountID, f.Region, f.ResourceID)
		}
		seen[k] = true
		p.keys = append(p.keys, k)
		p.types[k] = f.ResourceType
		st, err := stateOf(f)
		if err != nil {
			return nil, fmt.Errorf("findings[%d]: %w", i, err)
		}
		p.states[st.hash] = st
		p.obs = append(p.obs, obsRow{key: k, status: code, hash: st.hash, reason: f.Reason})
		ck := [3]string{f.AccountID, f.Region, f.CheckID}
		c := p.counts[ck]
		if c == nil {
			c = &Counts{}
			p.counts[ck] = c
		}
		c.add(f.Status, 1)
		p.summary.add(f.Status, 1)
		if len(r.Accounts) == 0 {
			accounts[f.AccountID] = true
		}
		if len(r.Regions) == 0 {
			regions[f.Region] = true
		}
		checks[f.CheckID] = true
		if f.Status == finding.StatusError && (f.ResourceType == finding.ResourceRegion || f.ResourceType == finding.ResourceAccount) {
			reg := f.Region
			if f.ResourceType == finding.ResourceAccount {
				reg = ""
			}
			p.scope.noGone[[2]string{f.AccountID, reg}] = true
		}
	}
	for _, e := range r.Errors {
		p.scope.noGone[[2]string{e.AccountID, e.Region}] = true
	}
	p.scope.accounts, p.scope.regions, p.scope.checks, p.scope.cancelled = accounts, regions, checks, r.Cancelled
	for c := range checks {
		p.checks = append(p.checks, c)
	}
	sort.Strings(p.checks)
	extra, err := json.Marshal(scanExtra{Notes: r.Notes, Errors: r.Errors, Checks: r.Checks})
	if err != nil {
		return nil, err
	}
	p.extra = string(extra)
	return p, nil
}

// scanExtra is the part of a result stored as one JSON column of its scan.
type scanExtra struct {
	Notes  []string            `json:"notes,omitempty"`
	Errors []finding.Error     `json:"errors,omitempty"`
	Checks []finding.CheckInfo `json:"checks,omitempty"`
}

// stateDoc is the stored JSON of a finding's content beyond its list columns.
type stateDoc struct {
	Evidence finding.Evidence  `json:"evidence"`
	Controls []finding.Control `json:"controls,omitempty"`
	Location json.RawMessage   `json:"location,omitempty"`
}

// stateOf is a finding's content and its hash: two findings with the same content share one stored row.
func stateOf(f finding.Finding) (stateRow, error) {
	var loc json.RawMessage
	if f.Location != nil {
		b, err := json.Marshal(f.Location)
		if err != nil {
			return stateRow{}, err
		}
		loc = b
	}
	doc, err := json.Marshal(stateDoc{Evidence: f.Evidence, Controls: f.Controls, Location: loc})
	if err != nil {
		return stateRow{}, fmt.Errorf("encode evidence: %w", err)
	}
	h := sha256.New()
	for _, s := range []string{f.Reason, f.Title, f.Severity, f.Message, f.ResourceName, string(doc)} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	return stateRow{hash: hex.EncodeToString(h.Sum(nil)[:16]), reason: f.Reason, title: f.Title, severity: f.Severity,
		message: f.Message, name: f.ResourceName, doc: string(doc)}, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	if string(b) == "null" {
		return "[]"
	}
	return string(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SaveScan stores r whole or not at all.
func (s *sqlStore) SaveScan(ctx context.Context, r *finding.Result, o SaveOptions) (Saved, error) {
	if r == nil {
		return Saved{}, errors.New("no result")
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if o.Origin == "" {
		o.Origin = "scan"
	}
	p, err := prepare(r, now)
	if err != nil {
		return Saved{}, err
	}
	var out Saved
	err = s.tx(ctx, func(tx *sql.Tx) error {
		out = Saved{}
		err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM scans WHERE result_hash = ?`), p.hash).Scan(&out.ID)
		if err == nil {
			out.Duplicate = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		fin := r.FinishedAt
		if fin.IsZero() {
			fin = time.UnixMilli(p.at)
		}
		accounts, regions := keysOf(p.scope.accounts), keysOf(p.scope.regions)
		err = tx.QueryRowContext(ctx, s.q(`INSERT INTO scans (result_hash, started_at, finished_at, stored_at, origin, source, tool_version,
			incomplete, cancelled, accounts, regions, checks, n_pass, n_fail, n_error, n_skipped, n_excepted, n_unknown, vpcs, extra)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			p.hash, p.at, fin.UnixMilli(), now.UnixMilli(), o.Origin, r.Source, r.Tool.Version, boolInt(r.Incomplete), boolInt(r.Cancelled),
			jsonText(accounts), jsonText(regions), jsonText(p.checks), p.summary.Pass, p.summary.Fail, p.summary.Error, p.summary.Skipped,
			p.summary.Excepted, p.summary.Unknown, r.Summary.VPCs, p.extra).Scan(&out.ID)
		if err != nil {
			return fmt.Errorf("insert scan: %w", err)
		}
		keyIDs, err := s.ensureKeys(ctx, tx, p, accounts)
		if err != nil {
			return err
		}
		stateIDs, err := s.ensureStates(ctx, tx, p)
		if err != nil {
			return err
		}
		obs := make([][]any, 0, len(p.obs))
		for _, o := range p.obs {
			obs = append(obs, []any{out.ID, keyIDs[o.key], o.status, stateIDs[o.hash]})
		}
		if err := s.insertRows(ctx, tx, "finding_obs (scan_id, key_id, status, state_id)", obs, ""); err != nil {
			return err
		}
		var counts [][]any
		for k, c := range p.counts {
			counts = append(counts, []any{out.ID, k[0], k[1], k[2], c.Pass, c.Fail, c.Error, c.Skipped, c.Excepted, c.Unknown})
		}
		if err := s.insertRows(ctx, tx, "scan_counts (scan_id, account_id, region, check_id, n_pass, n_fail, n_error, n_skipped, n_excepted, n_unknown)", counts, ""); err != nil {
			return err
		}
		var excs [][]any
		for i, e := range r.Exceptions {
			excs = append(excs, []any{out.ID, i, e.ID, e.Owner, e.Reason, e.Expires, e.Ticket, e.Match, e.File, e.Line, e.State, e.Matched})
		}
		if err := s.insertRows(ctx, tx, "scan_exceptions (scan_id, ord, exc_id, owner, reason, expires, ticket, matcher, file, line, state, matched)", excs, ""); err != nil {
			return err
		}
		n, err := s.updateHistory(ctx, tx, out.ID, p, keyIDs, stateIDs, accounts)
		out.Changes = n
		return err
	})
	return out, err
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// placeholders is "(?, ?, ?), (?, ?, ?)" for rows of n columns.
func placeholders(rows, n int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// insertRows inserts rows into table (with its column list) in batches; suffix follows VALUES (ON CONFLICT …).
func (s *sqlStore) insertRows(ctx context.Context, tx *sql.Tx, table string, rows [][]any, suffix string) error {
	for len(rows) > 0 {
		n := min(len(rows), batchRows)
		args := make([]any, 0, n*len(rows[0]))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO "+table+" VALUES "+placeholders(n, len(rows[0]))+" "+suffix), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", strings.Fields(table)[0], err)
		}
		rows = rows[n:]
	}
	return nil
}

func inList(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")" }

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// ensureKeys returns the id of every key of p, inserting the new ones (in sorted order, so that concurrent
// writers of another backend could never deadlock on them).
func (s *sqlStore) ensureKeys(ctx context.Context, tx *sql.Tx, p *prepared, accounts []string) (map[keyTuple]int64, error) {
	ids := make(map[keyTuple]int64, len(p.keys))
	for i := 0; i < len(accounts); i += 500 {
		part := accounts[i:min(i+500, len(accounts))]
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, account_id, region, check_id, resource_id FROM finding_keys WHERE account_id IN `+inList(len(part))), anys(part)...)
		if err != nil {
			return nil, err
		}
		if err := scanKeyIDs(rows, ids); err != nil {
			return nil, err
		}
	}
	var missing []keyTuple
	for _, k := range p.keys {
		if _, ok := ids[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Slice(missing, func(i, j int) bool {
		a, b := missing[i], missing[j]
		return a.account+"\x00"+a.region+"\x00"+a.check+"\x00"+a.resource < b.account+"\x00"+b.region+"\x00"+b.check+"\x00"+b.resource
	})
	for len(missing) > 0 {
		n := min(len(missing), batchRows)
		args := make([]any, 0, n*5)
		for _, k := range missing[:n] {
			args = append(args, k.account, k.region, k.check, k.resource, p.types[k])
		}
		rows, err := tx.QueryContext(ctx, s.q(`INSERT INTO finding_keys (account_id, region, check_id, resource_id, resource_type) VALUES `+
			placeholders(n, 5)+` RETURNING id, account_id, region, check_id, resource_id`), args...)
		if err != nil {
			return nil, fmt.Errorf("insert finding keys: %w", err)
		}
		if err := scanKeyIDs(rows, ids); err != nil {
			return nil, err
		}
		missing = missing[n:]
	}
	return ids, nil
}

// ensureStates returns the id of every content hash of p, inserting the contents not stored yet: this is
// where evidence is deduplicated.
func (s *sqlStore) ensureStates(ctx context.Context, tx *sql.Tx, p *prepared) (map[string]int64, error) {
	hashes := make([]string, 0, len(p.states))
	for h := range p.states {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	ids := make(map[string]int64, len(hashes))
	for i := 0; i < len(hashes); i += 500 {
		part := hashes[i:min(i+500, len(hashes))]
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id, hash FROM finding_states WHERE hash IN `+inList(len(part))), anys(part)...)
		if err != nil {
			return nil, err
		}
		if err := scanHashIDs(rows, ids); err != nil {
			return nil, err
		}
	}
	var missing []string
	for _, h := range hashes {
		if _, ok := ids[h]; !ok {
			missing = append(missing, h)
		}
	}
	for len(missing) > 0 {
		n := min(len(missing), batchRows)
		args := make([]any, 0, n*7)
		for _, h := range missing[:n] {
			st := p.states[h]
			args = append(args, st.hash, st.reason, st.title, st.severity, st.message, st.name, st.doc)
		}
		rows, err := tx.QueryContext(ctx, s.q(`INSERT INTO finding_states (hash, reason, title, severity, message, resource_name, doc) VALUES `+
			placeholders(n, 7)+` RETURNING id, hash`), args...)
		if err != nil {
			return nil, fmt.Errorf("insert finding states: %w", err)
		}
		if err := scanHashIDs(rows, ids); err != nil {
			return nil, err
		}
		missing = missing[n:]
	}
	return ids, nil
}

// current is a finding's latest state (finding_current).
type current struct {
	status    int
	reason    string
	stateID   int64
	firstSeen int64
	lastSeen  int64
	lastScan  int64
	failSince int64
	dirty     bool
}

type changeRow struct {
	scan, key  int64
	from, to   int
	fromReason string
	toReason   string
	state      int64
}

type fixRow struct{ key, scan, failedAt, fixedAt int64 }

var codeFail = statusCodes[finding.StatusFail]
var codePass = statusCodes[finding.StatusPass]
var codeGone = statusCodes[StatusGone]

// observe moves a finding's current state to what scan (at time at) saw, and returns the change and the fix
// it makes, if any. obs is nil when the scan covered the finding's scope and did not report it (gone).
func observe(c *current, scanID, at int64, obs *obsRow, stateID int64, key int64) (*changeRow, *fixRow) {
	var ch *changeRow
	var fx *fixRow
	if obs == nil {
		if c.status == codeGone {
			return nil, nil
		}
		ch = &changeRow{scan: scanID, key: key, from: c.status, to: codeGone, fromReason: c.reason, state: c.stateID}
		c.status, c.reason, c.failSince, c.dirty = codeGone, "", 0, true
		return ch, nil
	}
	if c.status != obs.status || c.reason != obs.reason || c.lastScan == 0 {
		ch = &changeRow{scan: scanID, key: key, from: c.status, to: obs.status, fromReason: c.reason, toReason: obs.reason, state: stateID}
		if c.status == codeFail && obs.status == codePass {
			fx = &fixRow{key: key, scan: scanID, failedAt: c.failSince, fixedAt: at}
		}
		if obs.status == codeFail && c.status != codeFail {
			c.failSince = at
		} else if obs.status != codeFail {
			c.failSince = 0
		}
	}
	if c.lastScan == 0 {
		c.firstSeen = at
	}
	// Only a new or changed finding is written back; last_seen of the others is one UPDATE (markSeen).
	if c.lastScan == 0 || c.status != obs.status || c.reason != obs.reason || c.stateID != stateID {
		c.dirty = true
	}
	c.status, c.reason, c.stateID, c.lastSeen, c.lastScan = obs.status, obs.reason, stateID, at, scanID
	return ch, fx
}

// updateHistory records what changed with the new scan: finding_current, changes and fixes. A scan newer than
// every stored scan of its accounts is applied to the current states; an older one (an import of past
// results) has the history of its accounts replayed in time order.
func (s *sqlStore) updateHistory(ctx context.Context, tx *sql.Tx, scanID int64, p *prepared, keyIDs map[keyTuple]int64, stateIDs map[string]int64, accounts []string) (int, error) {
	later, err := s.laterScans(ctx, tx, scanID, p.at, p.scope.accounts)
	if err != nil {
		return 0, err
	}
	if later {
		return s.replay(ctx, tx, scanID, accounts)
	}
	cur, keys, err := s.loadCurrent(ctx, tx, accounts)
	if err != nil {
		return 0, err
	}
	var changes []changeRow
	var fixes []fixRow
	observed := make(map[int64]bool, len(p.obs))
	for i := range p.obs {
		o := &p.obs[i]
		id := keyIDs[o.key]
		observed[id] = true
		c := cur[id]
		if c == nil {
			c = &current{}
			cur[id] = c
		}
		ch, fx := observe(c, scanID, p.at, o, stateIDs[o.hash], id)
		if ch != nil {
			changes = append(changes, *ch)
		}
		if fx != nil {
			fixes = append(fixes, *fx)
		}
	}
	for id, c := range cur {
		if observed[id] || !p.scope.covers(keys[id]) {
			continue
		}
		if ch, _ := observe(c, scanID, p.at, nil, 0, id); ch != nil {
			changes = append(changes, *ch)
		}
	}
	if err := s.writeHistory(ctx, tx, cur, changes, fixes); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE finding_current SET last_seen = ?, last_scan = ? WHERE key_id IN (SELECT key_id FROM finding_obs WHERE scan_id = ?)`), p.at, scanID, scanID); err != nil {
		return 0, fmt.Errorf("mark findings seen: %w", err)
	}
	return len(changes), nil
}

// laterScans reports whether a stored scan other than id, started after at, covers one of accounts.
func (s *sqlStore) laterScans(ctx context.Context, tx *sql.Tx, id, at int64, accounts map[string]bool) (bool, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT accounts FROM scans WHERE started_at > ? AND id <> ?`), at, id)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return false, err
		}
		var as []string
		json.Unmarshal([]byte(js), &as)
		for _, a := range as {
			if accounts[a] {
				return true, nil
			}
		}
	}
	return false, rows.Err()
}

func (s *sqlStore) loadCurrent(ctx context.Context, tx *sql.Tx, accounts []string) (map[int64]*current, map[int64]keyTuple, error) {
	cur := map[int64]*current{}
	keys := map[int64]keyTuple{}
	for i := 0; i < len(accounts); i += 500 {
		part := accounts[i:min(i+500, len(accounts))]
		rows, err := tx.QueryContext(ctx, s.q(`SELECT c.key_id, c.status, c.reason, c.state_id, c.first_seen, c.last_seen, c.last_scan, c.fail_since,
			k.account_id, k.region, k.check_id, k.resource_id FROM finding_current c JOIN finding_keys k ON k.id = c.key_id WHERE k.account_id IN `+inList(len(part))), anys(part)...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var id int64
			c := &current{}
			var k keyTuple
			if err := rows.Scan(&id, &c.status, &c.reason, &c.stateID, &c.firstSeen, &c.lastSeen, &c.lastScan, &c.failSince, &k.account, &k.region, &k.check, &k.resource); err != nil {
				rows.Close()
				return nil, nil, err
			}
			cur[id], keys[id] = c, k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return cur, keys, nil
}

func (s *sqlStore) writeHistory(ctx context.Context, tx *sql.Tx, cur map[int64]*current, changes []changeRow, fixes []fixRow) error {
	var rows [][]any
	ids := make([]int64, 0, len(cur))
	for id, c := range cur {
		if c.dirty {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		c := cur[id]
		rows = append(rows, []any{id, c.status, c.reason, c.stateID, c.firstSeen, c.lastSeen, c.lastScan, c.failSince})
	}
	if err := s.insertRows(ctx, tx, "finding_current (key_id, status, reason, state_id, first_seen, last_seen, last_scan, fail_since)", rows,
		`ON CONFLICT (key_id) DO UPDATE SET status = excluded.status, reason = excluded.reason, state_id = excluded.state_id,
		first_seen = excluded.first_seen, last_seen = excluded.last_seen, last_scan = excluded.last_scan, fail_since = excluded.fail_since`); err != nil {
		return err
	}
	rows = rows[:0]
	for _, c := range changes {
		rows = append(rows, []any{c.scan, c.key, c.from, c.to, c.fromReason, c.toReason, c.state})
	}
	if err := s.insertRows(ctx, tx, "changes (scan_id, key_id, from_status, to_status, from_reason, to_reason, state_id)", rows, ""); err != nil {
		return err
	}
	rows = rows[:0]
	for _, f := range fixes {
		rows = append(rows, []any{f.key, f.scan, f.failedAt, f.fixedAt})
	}
	return s.insertRows(ctx, tx, "fixes (key_id, scan_id, failed_at, fixed_at)", rows, "")
}

// replay rebuilds finding_current, changes and fixes of accounts from every stored scan, in time order: for a
// scan stored out of order (an import of results older than what is stored).
func (s *sqlStore) replay(ctx context.Context, tx *sql.Tx, scanID int64, accounts []string) (int, error) {
	type scanRow struct {
		id, at int64
		sc     scope
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, started_at, accounts, regions, checks, cancelled, extra FROM scans ORDER BY started_at, id`)
	if err != nil {
		return 0, err
	}
	var scans []scanRow
	for rows.Next() {
		var r scanRow
		var as, rs, cs, extra string
		var cancelled int
		if err := rows.Scan(&r.id, &r.at, &as, &rs, &cs, &cancelled, &extra); err != nil {
			rows.Close()
			return 0, err
		}
		var a, rg, c []string
		json.Unmarshal([]byte(as), &a)
		json.Unmarshal([]byte(rs), &rg)
		json.Unmarshal([]byte(cs), &c)
		var ex scanExtra
		json.Unmarshal([]byte(extra), &ex)
		r.sc = scope{accounts: set(a), regions: set(rg), checks: set(c), cancelled: cancelled != 0, noGone: map[[2]string]bool{}}
		for _, e := range ex.Errors {
			r.sc.noGone[[2]string{e.AccountID, e.Region}] = true
		}
		scans = append(scans, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// Every observation of the accounts' findings, by scan.
	type ob struct {
		key   int64
		row   obsRow
		state int64
	}
	byScan := map[int64][]ob{}
	keys := map[int64]keyTuple{}
	unread := map[int64][][2]string{}
	for i := 0; i < len(accounts); i += 500 {
		part := accounts[i:min(i+500, len(accounts))]
		rows, err := tx.QueryContext(ctx, s.q(`SELECT o.scan_id, o.key_id, o.status, o.state_id, st.reason, k.account_id, k.region, k.check_id, k.resource_id, k.resource_type
			FROM finding_obs o JOIN finding_keys k ON k.id = o.key_id JOIN finding_states st ON st.id = o.state_id
			WHERE k.account_id IN `+inList(len(part))), anys(part)...)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var scan int64
			var o ob
			var k keyTuple
			var typ string
			if err := rows.Scan(&scan, &o.key, &o.row.status, &o.state, &o.row.reason, &k.account, &k.region, &k.check, &k.resource, &typ); err != nil {
				rows.Close()
				return 0, err
			}
			keys[o.key] = k
			// Region and account ERROR findings make their scope unreadable, as in prepare.
			if o.row.status == statusCodes[finding.StatusError] && (typ == finding.ResourceRegion || typ == finding.ResourceAccount) {
				reg := k.region
				if typ == finding.ResourceAccount {
					reg = ""
				}
				unread[scan] = append(unread[scan], [2]string{k.account, reg})
			}
			byScan[scan] = append(byScan[scan], o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	for i := 0; i < len(accounts); i += 500 {
		part := accounts[i:min(i+500, len(accounts))]
		for _, q := range []string{
			`DELETE FROM changes WHERE key_id IN (SELECT id FROM finding_keys WHERE account_id IN ` + inList(len(part)) + `)`,
			`DELETE FROM fixes WHERE key_id IN (SELECT id FROM finding_keys WHERE account_id IN ` + inList(len(part)) + `)`,
			`DELETE FROM finding_current WHERE key_id IN (SELECT id FROM finding_keys WHERE account_id IN ` + inList(len(part)) + `)`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), anys(part)...); err != nil {
				return 0, err
			}
		}
	}
	cur := map[int64]*current{}
	var changes []changeRow
	var fixes []fixRow
	n := 0
	for _, sc := range scans {
		obs := byScan[sc.id]
		if len(obs) == 0 && !overlaps(sc.sc.accounts, accounts) {
			continue
		}
		observed := map[int64]bool{}
		for _, ar := range unread[sc.id] {
			sc.sc.noGone[ar] = true
		}
		for i := range obs {
			o := &obs[i]
			observed[o.key] = true
			c := cur[o.key]
			if c == nil {
				c = &current{}
				cur[o.key] = c
			}
			ch, fx := observe(c, sc.id, sc.at, &o.row, o.state, o.key)
			if ch != nil {
				changes = append(changes, *ch)
				if sc.id == scanID {
					n++
				}
			}
			if fx != nil {
				fixes = append(fixes, *fx)
			}
		}
		for id, c := range cur {
			if observed[id] || !sc.sc.covers(keys[id]) {
				continue
			}
			if ch, _ := observe(c, sc.id, sc.at, nil, 0, id); ch != nil {
				changes = append(changes, *ch)
				if sc.id == scanID {
					n++
				}
			}
		}
	}
	return n, s.writeHistory(ctx, tx, cur, changes, fixes)
}

func overlaps(m map[string]bool, xs []string) bool {
	for _, x := range xs {
		if m[x] {
			return true
		}
	}
	return false
}

// SaveRun stores a run; the same kind, run id and start replace the stored row (a resumed fix run).
func (s *sqlStore) SaveRun(ctx context.Context, r Run) (int64, error) {
	if r.Kind == "" || r.RunID == "" {
		return 0, errors.New("a run needs a kind and a run id")
	}
	if r.StoredAt.IsZero() {
		r.StoredAt = time.Now()
	}
	if len(r.Detail) == 0 {
		r.Detail = json.RawMessage("null")
	}
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO runs (kind, run_id, account_id, regions, started_at, finished_at, stored_at, status, summary, created, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (kind, run_id, started_at) DO UPDATE SET account_id = excluded.account_id, regions = excluded.regions,
			finished_at = excluded.finished_at, stored_at = excluded.stored_at, status = excluded.status, summary = excluded.summary,
			created = excluded.created, detail = excluded.detail RETURNING id`),
			r.Kind, r.RunID, r.AccountID, jsonText(r.Regions), r.StartedAt.UnixMilli(), r.FinishedAt.UnixMilli(), r.StoredAt.UnixMilli(),
			r.Status, r.Summary, jsonText(r.Created), string(r.Detail)).Scan(&id)
	})
	return id, err
}

// SaveLogsReport stores a logs report summary (once per distinct summary).
func (s *sqlStore) SaveLogsReport(ctx context.Context, r LogsReport) (Saved, error) {
	if r.StoredAt.IsZero() {
		r.StoredAt = time.Now()
	}
	if len(r.Summary) == 0 {
		r.Summary = json.RawMessage("{}")
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d|%d|%s|%s", r.From.UnixMilli(), r.To.UnixMilli(), jsonText(r.Sources), r.Summary)
	hash := hex.EncodeToString(h.Sum(nil))
	var out Saved
	err := s.tx(ctx, func(tx *sql.Tx) error {
		out = Saved{}
		err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM logs_reports WHERE report_hash = ?`), hash).Scan(&out.ID)
		if err == nil {
			out.Duplicate = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO logs_reports (report_hash, stored_at, from_at, to_at, sources, records, bytes, accept, reject, detections, read_errors, summary)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			hash, r.StoredAt.UnixMilli(), r.From.UnixMilli(), r.To.UnixMilli(), jsonText(r.Sources), r.Records, r.Bytes, r.Accept, r.Reject,
			r.Detections, r.ReadErrors, string(r.Summary)).Scan(&out.ID)
	})
	return out, err
}

// scanKeyIDs reads rows of (id, account, region, check, resource) into ids, and closes rows.
func scanKeyIDs(rows *sql.Rows, ids map[keyTuple]int64) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k keyTuple
		if err := rows.Scan(&id, &k.account, &k.region, &k.check, &k.resource); err != nil {
			return err
		}
		ids[k] = id
	}
	return rows.Err()
}

// scanHashIDs reads (id, hash) rows into ids and closes rows.
func scanHashIDs(rows *sql.Rows, ids map[string]int64) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return err
		}
		ids[h] = id
	}
	return rows.Err()
}
