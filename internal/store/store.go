// Package store keeps flowguard's history: every scan result (findings with their evidence), every fix,
// rollback, verify and guard run, and every flow-log report summary, keyed by time, account, region, resource
// and check. One interface, two backends: SQLite (embedded, pure Go, the default) and PostgreSQL (for a
// team), with the same schema through versioned migrations.
//
// A finding's content (reason, message, evidence, …) is stored once per distinct content hash: a scan that
// changed nothing adds one small row per finding, not its evidence again. What changed is computed when a scan
// is written (a status or reason differing from the finding's previous observation, a resource gone from a
// scope the scan covered), so the dashboard's pages read small tables.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
)

// EnvVar is the environment variable that configures the store once for every command.
const EnvVar = "FLOWGUARD_STORE"

// DSN values with a meaning of their own.
const (
	DSNDefault = "default" // the SQLite file in the user's data directory
	DSNOff     = "off"     // no store, even when FLOWGUARD_STORE sets one
)

// ErrNotFound is a scan, finding or run the store does not have.
var ErrNotFound = errors.New("not in the store")

// Store is the history: written by the commands, read by `flowguard history` and `flowguard serve`.
// Implementations are safe for concurrent use, by goroutines and by processes.
type Store interface {
	// SaveScan stores a scan result whole or not at all. A result stored before (the same document) is not
	// stored twice: Saved.Duplicate says so.
	SaveScan(ctx context.Context, r *finding.Result, o SaveOptions) (Saved, error)
	// SaveRun stores a fix, rollback, verify or guard run; the same (kind, run id, start) replaces the earlier row.
	SaveRun(ctx context.Context, r Run) (int64, error)
	// SaveLogsReport stores the summary of a `logs report`.
	SaveLogsReport(ctx context.Context, r LogsReport) (Saved, error)

	Scans(ctx context.Context, f Filter) ([]ScanInfo, error)
	Scan(ctx context.Context, id int64) (ScanInfo, error)
	// Trend is one point per scan (oldest first) of the findings the filter selects.
	Trend(ctx context.Context, f Filter) ([]TrendPoint, error)
	// Breakdown counts a scan's findings per account, region or check.
	Breakdown(ctx context.Context, scanID int64, dim Dimension, f Filter) ([]Group, error)
	// Changes lists what changed in the scans the filter selects (f.Scan, or f.Since..f.Until).
	Changes(ctx context.Context, f Filter) ([]Change, error)
	// Findings lists a scan's findings; total counts them all, whatever f.Limit.
	Findings(ctx context.Context, scanID int64, f Filter) (rows []FindingRow, total int, err error)
	// Finding is one finding's history, newest first, with the evidence of each observation.
	Finding(ctx context.Context, keyID int64) (FindingKey, []FindingRow, error)
	// OpenFailures are the findings failing at their latest observation, oldest failure first, and the
	// time-to-fix statistics of the failures fixed in f.Since..f.Until.
	OpenFailures(ctx context.Context, f Filter, now time.Time) ([]OpenFailure, FixStats, error)
	// CountOpen counts the open failures the filter selects.
	CountOpen(ctx context.Context, f Filter) (int, error)
	// Exceptions is the latest state of every exception the scans applied.
	Exceptions(ctx context.Context, f Filter, now time.Time) ([]ExceptionRow, error)
	Runs(ctx context.Context, f Filter) ([]Run, error)
	Run(ctx context.Context, id int64) (Run, error)
	LogsReports(ctx context.Context, f Filter) ([]LogsReport, error)
	// Describe says what the store is (backend, where, schema version, row counts, size).
	Describe(ctx context.Context) (Description, error)
	Close() error
}

// SaveOptions describe where a stored scan came from.
type SaveOptions struct {
	// Origin is "scan" (written by the command) or "import:FILE".
	Origin string
	// Now is the storing time (default time.Now).
	Now time.Time
}

// Saved is what a write stored.
type Saved struct {
	ID        int64
	Duplicate bool
	// Changes counts the findings whose status or reason changed with this scan (new ones included).
	Changes int
}

// Dimension is what a breakdown groups by.
type Dimension string

const (
	ByAccount Dimension = "account"
	ByRegion  Dimension = "region"
	ByCheck   Dimension = "check"
)

// Filter selects rows; zero fields select everything. It is what the dashboard's URL query and the
// history command's flags fill.
type Filter struct {
	Account, Region, Check string
	Status                 finding.Status
	Scan                   int64
	Since, Until           time.Time
	// Within is the look-ahead of "expiring soon" (exceptions).
	Within time.Duration
	// Kind selects runs (fix, rollback, verify, guard).
	Kind          string
	Limit, Offset int
}

// Counts are findings per status.
type Counts struct {
	Pass     int `json:"pass"`
	Fail     int `json:"fail"`
	Error    int `json:"error"`
	Skipped  int `json:"skipped"`
	Excepted int `json:"excepted"`
	Unknown  int `json:"unknown"`
}

// Total counts every finding.
func (c Counts) Total() int { return c.Pass + c.Fail + c.Error + c.Skipped + c.Excepted + c.Unknown }

// Evaluated is the denominator of compliance: PASS, FAIL, ERROR and UNKNOWN (an unread resource is never
// compliant). EXCEPTED and SKIPPED are out of it.
func (c Counts) Evaluated() int { return c.Pass + c.Fail + c.Error + c.Unknown }

// Compliance is PASS ÷ (PASS + FAIL + ERROR + UNKNOWN) in percent, NaN when nothing was evaluated.
func (c Counts) Compliance() float64 {
	if c.Evaluated() == 0 {
		return math.NaN()
	}
	return 100 * float64(c.Pass) / float64(c.Evaluated())
}

func (c *Counts) add(s finding.Status, n int) {
	switch s {
	case finding.StatusPass:
		c.Pass += n
	case finding.StatusFail:
		c.Fail += n
	case finding.StatusError:
		c.Error += n
	case finding.StatusSkipped:
		c.Skipped += n
	case finding.StatusExcepted:
		c.Excepted += n
	case finding.StatusUnknown:
		c.Unknown += n
	}
}

// ScanInfo describes one stored scan.
type ScanInfo struct {
	ID          int64     `json:"id"`
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at"`
	StoredAt    time.Time `json:"stored_at"`
	Origin      string    `json:"origin"`
	Source      string    `json:"source"`
	ToolVersion string    `json:"tool_version"`
	Incomplete  bool      `json:"incomplete"`
	Cancelled   bool      `json:"cancelled,omitempty"`
	Accounts    []string  `json:"accounts"`
	Regions     []string  `json:"regions"`
	Checks      []string  `json:"checks"`
	Counts      Counts    `json:"counts"`
	VPCs        int       `json:"vpcs"`
	// Notes and Errors are the result's, as stored.
	Notes  []string        `json:"notes,omitempty"`
	Errors []finding.Error `json:"errors,omitempty"`
}

// TrendPoint is one scan of a trend.
type TrendPoint struct {
	ScanID int64     `json:"scan_id"`
	Time   time.Time `json:"time"`
	Counts Counts    `json:"counts"`
	// Compliance in percent; null in JSON when nothing was evaluated.
	Compliance *float64 `json:"compliance"`
	// NewFailures are findings that became FAIL with this scan; Fixed those that went from FAIL to PASS;
	// OtherChanges every other status or reason change.
	NewFailures  int `json:"new_failures"`
	Fixed        int `json:"fixed"`
	OtherChanges int `json:"other_changes"`
}

// Group is one row of a breakdown.
type Group struct {
	Key        string   `json:"key"`
	Counts     Counts   `json:"counts"`
	Compliance *float64 `json:"compliance"`
}

// FindingKey identifies a finding across scans.
type FindingKey struct {
	ID           int64  `json:"key_id"`
	AccountID    string `json:"account_id"`
	Region       string `json:"region"`
	CheckID      string `json:"check_id"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
}

// StatusGone is the status of a finding whose resource a later scan of its account and region no longer saw.
const StatusGone finding.Status = "GONE"

// Change is one finding whose status or reason changed with a scan. From is "" for a finding seen for the
// first time.
type Change struct {
	FindingKey
	ScanID       int64          `json:"scan_id"`
	Time         time.Time      `json:"time"`
	From         finding.Status `json:"from"`
	To           finding.Status `json:"to"`
	FromReason   string         `json:"from_reason,omitempty"`
	ToReason     string         `json:"to_reason,omitempty"`
	Message      string         `json:"message,omitempty"`
	ResourceName string         `json:"resource_name,omitempty"`
}

// Kind names a change for people: new failure, fixed, regressed, …
func (c Change) Kind() string {
	switch {
	case c.From == "" && c.To == finding.StatusFail:
		return "new failure"
	case c.From == "":
		return "new"
	case c.To == finding.StatusFail && c.From == finding.StatusFail:
		return "reason changed"
	case c.To == finding.StatusFail:
		return "now failing"
	case c.From == finding.StatusFail && c.To == finding.StatusPass:
		return "fixed"
	case c.To == StatusGone:
		return "gone"
	}
	return "changed"
}

// FindingRow is one finding as one scan saw it.
type FindingRow struct {
	FindingKey
	ScanID       int64          `json:"scan_id"`
	Time         time.Time      `json:"time"`
	Status       finding.Status `json:"status"`
	Reason       string         `json:"reason,omitempty"`
	Title        string         `json:"title,omitempty"`
	Severity     string         `json:"severity,omitempty"`
	Message      string         `json:"message"`
	ResourceName string         `json:"resource_name,omitempty"`
	// StateID names the stored content (deduplicated): rows with the same StateID saw the same evidence.
	StateID int64 `json:"state_id"`
	// Detail is set by Finding (not by Findings): evidence, controls, location.
	Detail *Detail `json:"detail,omitempty"`
}

// Detail is the stored part of a finding that is too big for a list.
type Detail struct {
	Evidence finding.Evidence  `json:"evidence"`
	Controls []finding.Control `json:"controls,omitempty"`
	Location json.RawMessage   `json:"location,omitempty"`
}

// OpenFailure is a finding failing at its latest observation.
type OpenFailure struct {
	FindingKey
	Reason       string        `json:"reason"`
	Message      string        `json:"message"`
	Severity     string        `json:"severity,omitempty"`
	ResourceName string        `json:"resource_name,omitempty"`
	FirstSeen    time.Time     `json:"first_seen"` // the first scan of the current failing streak
	LastSeen     time.Time     `json:"last_seen"`
	Age          time.Duration `json:"age_ns"`
	AgeDays      float64       `json:"age_days"`
}

// FixStats summarize how long failures stayed open before a scan saw them pass.
type FixStats struct {
	Count  int           `json:"count"`
	Mean   time.Duration `json:"mean_ns"`
	Median time.Duration `json:"median_ns"`
	P90    time.Duration `json:"p90_ns"`
	Max    time.Duration `json:"max_ns"`
}

// ExceptionRow is an exception as the latest scan that applied it saw it.
type ExceptionRow struct {
	finding.ExceptionStatus
	ScanID   int64     `json:"scan_id"`
	SeenAt   time.Time `json:"seen_at"`
	DaysLeft int       `json:"days_left"`
	// Urgency is expired, soon (within the filter's Within) or later.
	Urgency string `json:"urgency"`
}

// Run is a fix, rollback, verify or guard run.
type Run struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"` // fix, rollback, verify, guard
	RunID      string    `json:"run_id"`
	AccountID  string    `json:"account_id"`
	Regions    []string  `json:"regions"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	StoredAt   time.Time `json:"stored_at"`
	Status     string    `json:"status"`
	// Summary is one line for lists ("12 flow logs created, 1 VPC failed").
	Summary string     `json:"summary"`
	Created []Resource `json:"created"`
	// Detail is the command's own JSON document (fix outcome, rollback result, verify result, guard event).
	Detail json.RawMessage `json:"detail,omitempty"`
	// RollbackState is filled on reads of fix and guard runs: "" (never rolled back), or the status of the
	// latest rollback stored for the run id.
	RollbackState string `json:"rollback_state,omitempty"`
}

// Resource is something a run created or changed.
type Resource struct {
	Kind   string `json:"kind"` // flow-log, log-group, retention, role, …
	Region string `json:"region,omitempty"`
	ID     string `json:"id"`
	VPCID  string `json:"vpc_id,omitempty"`
	Action string `json:"action,omitempty"`
	State  string `json:"state,omitempty"`
}

// LogsReport is the stored summary of a `logs report`.
type LogsReport struct {
	ID         int64     `json:"id"`
	StoredAt   time.Time `json:"stored_at"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	Sources    []string  `json:"sources"`
	Records    int64     `json:"records"`
	Bytes      int64     `json:"bytes"`
	Accept     int64     `json:"accept"`
	Reject     int64     `json:"reject"`
	Detections int       `json:"detections"`
	ReadErrors int       `json:"read_errors"`
	// Summary is the report's totals, top lists (first rows) and detections (bounded), as JSON.
	Summary json.RawMessage `json:"summary"`
}

// Description says what a store is.
type Description struct {
	Backend string           `json:"backend"` // sqlite or postgres
	Where   string           `json:"where"`   // file path, or the PostgreSQL address without password
	Version int              `json:"schema_version"`
	Rows    map[string]int64 `json:"rows"`
	Bytes   int64            `json:"bytes"`
}

// Resolve turns the --store flag and the environment into a DSN: the flag wins, then FLOWGUARD_STORE; "" means
// no store configured; "default" the SQLite file in the data directory; "off" none.
func Resolve(flag string, getenv func(string) string) string {
	v := strings.TrimSpace(flag)
	if v == "" {
		v = strings.TrimSpace(getenv(EnvVar))
	}
	if v == DSNOff {
		return ""
	}
	if v == DSNDefault {
		return DefaultPath(getenv)
	}
	return v
}

// DefaultPath is $XDG_DATA_HOME/flowguard/history.db, or ~/.local/share/flowguard/history.db.
func DefaultPath(getenv func(string) string) string {
	dir := getenv("XDG_DATA_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home := getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "flowguard", "history.db")
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating and migrating when needed) the store dsn names: postgres://… or postgresql://… for
// PostgreSQL, otherwise a SQLite file (a path, file:PATH or sqlite:PATH).
func Open(ctx context.Context, dsn string) (Store, error) {
	if dsn == "" {
		return nil, errors.New("no store: pass --store DSN or set " + EnvVar)
	}
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// Redact hides the password of a DSN for messages.
func Redact(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://") + 3
	if at < scheme {
		return dsn
	}
	cred := dsn[scheme:at]
	if i := strings.Index(cred, ":"); i >= 0 {
		return dsn[:scheme] + cred[:i] + ":xxxxx" + dsn[at:]
	}
	return dsn
}

// Statuses are stored as small integers.
var statusCodes = map[finding.Status]int{
	finding.StatusPass: 1, finding.StatusFail: 2, finding.StatusError: 3, finding.StatusSkipped: 4,
	finding.StatusExcepted: 5, finding.StatusUnknown: 6, StatusGone: 7,
}

var codeStatuses = func() map[int]finding.Status {
	m := map[int]finding.Status{0: ""}
	for s, c := range statusCodes {
		m[c] = s
	}
	return m
}()

func statusOf(code int) finding.Status {
	if s, ok := codeStatuses[code]; ok {
		return s
	}
	return finding.Status(fmt.Sprintf("status(%d)", code))
}

func pct(c Counts) *float64 {
	v := c.Compliance()
	if math.IsNaN(v) {
		return nil
	}
	return &v
}
