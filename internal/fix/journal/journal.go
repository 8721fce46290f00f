// Package journal is the append-only, fsynced record of what a `flowguard fix` run did: one JSON object per
// line, written before and after every change. It is how an interrupted run resumes without duplicates, how
// rollback knows exactly what a run created, and how `flowguard runs` lists past runs.
package journal

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Record types.
const (
	TypeRun    = "run"    // a run started: carries the plan's settings and targets
	TypeResume = "resume" // an interrupted run was picked up again
	TypeBegin  = "begin"  // a change is about to be made
	TypeEnd    = "end"    // the change returned (OK, or with Error)
	TypeAdopt  = "adopt"  // a resource this run created before an interruption was found and recorded
	TypeFinish = "finish" // the run (or a rollback) stopped, with Status

	TypeRollback = "rollback" // a rollback of the run started
)

// Finish statuses.
const (
	StatusComplete           = "complete"    // everything planned was applied
	StatusPartial            = "partial"     // the run ended, some changes failed
	StatusInterrupted        = "interrupted" // cancelled before the end
	StatusRolledBack         = "rolled-back" // a rollback finished cleanly
	StatusRollbackIncomplete = "rollback-incomplete"
)

// Record is one line of a journal.
type Record struct {
	Seq  int       `json:"seq"`
	Time time.Time `json:"time"`
	Type string    `json:"type"`
	// Phase is "fix" or "rollback": which command wrote the record.
	Phase string `json:"phase,omitempty"`

	// Step identifies a planned change (stable across resumes); Action is service:Operation.
	Step     string   `json:"step,omitempty"`
	Action   string   `json:"action,omitempty"`
	Account  string   `json:"account,omitempty"`
	Region   string   `json:"region,omitempty"`
	Resource string   `json:"resource,omitempty"` // role name, log group name, flow-log destination
	VPCs     []string `json:"vpcs,omitempty"`

	// FlowLogs maps VPC id to the flow log created for it.
	FlowLogs map[string]string `json:"flow_logs,omitempty"`
	// Failed maps VPC id to the error AWS gave for it (CreateFlowLogs Unsuccessful items).
	Failed map[string]string `json:"failed,omitempty"`
	// Previous holds a value the change replaced (an old retention), for rollback.
	Previous *int32 `json:"previous,omitempty"`
	Error    string `json:"error,omitempty"`

	Status string `json:"status,omitempty"`
	// Plan is the run's plan (settings, targets) on TypeRun records.
	Plan json.RawMessage `json:"plan,omitempty"`
	// Accounts and Regions are the scope of the run, on TypeRun records.
	Accounts []string `json:"accounts,omitempty"`
	Regions  []string `json:"regions,omitempty"`
}

// DefaultDir is ~/.flowguard/runs.
func DefaultDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".flowguard", "runs")
	}
	return filepath.Join(home, ".flowguard", "runs")
}

// NewRunID returns a sortable, unique run id such as 20261123T040512Z-3fa9c1.
func NewRunID(now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// ValidRunID reports whether id can name a journal file (no path separators or dots tricks).
func ValidRunID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Path is the journal file of run id in dir.
func Path(dir, id string) string { return filepath.Join(dir, id+".jsonl") }

// ErrNotFound means there is no journal for the run.
var ErrNotFound = errors.New("no journal for run")

// Journal is an open journal, safe for concurrent use. Only one process may hold a run's journal open.
type Journal struct {
	mu    sync.Mutex
	f     *os.File
	seq   int
	RunID string
	Path  string
}

// Open opens (creating when create is true) the journal of run id in dir for appending, and locks it so that
// two processes cannot work on the same run at once.
func Open(dir, id string, create bool) (*Journal, error) {
	if !ValidRunID(id) {
		return nil, fmt.Errorf("invalid run id %q", id)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create journal directory %s: %w", dir, err)
	}
	p := Path(dir, id)
	flags := os.O_WRONLY | os.O_APPEND
	if create {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(p, flags, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w %s (looked in %s)", ErrNotFound, id, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", p, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("run %s is in use by another flowguard process (%s locked)", id, p)
	}
	recs, err := Read(dir, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		f.Close()
		return nil, err
	}
	j := &Journal{f: f, RunID: id, Path: p}
	if n := len(recs); n > 0 {
		j.seq = recs[n-1].Seq
	}
	return j, nil
}

// Append writes r as one line and fsyncs it before returning: once Append returns, the record survives a crash.
func (j *Journal) Append(r Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	r.Seq = j.seq
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode journal record: %w", err)
	}
	b = append(b, '\n')
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("write journal %s: %w", j.Path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync journal %s: %w", j.Path, err)
	}
	return nil
}

// Close releases the journal.
func (j *Journal) Close() error { return j.f.Close() }

// Read returns the records of run id. A last line cut short by a crash is ignored; a bad line elsewhere is an
// error naming file and line.
func Read(dir, id string) ([]Record, error) {
	if !ValidRunID(id) {
		return nil, fmt.Errorf("invalid run id %q", id)
	}
	p := Path(dir, id)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w %s (looked in %s)", ErrNotFound, id, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return parse(p, data)
}

func parse(name string, data []byte) ([]Record, error) {
	var out []Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	line := 0
	complete := len(data) == 0 || data[len(data)-1] == '\n'
	var pending error
	for sc.Scan() {
		line++
		if pending != nil {
			return nil, pending
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			// Only the final, unterminated line may be torn.
			pending = fmt.Errorf("%s:%d: bad journal record: %v", name, line, err)
			continue
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if pending != nil && complete {
		return nil, pending
	}
	return out, nil
}

// Summary describes one run for `flowguard runs`.
type Summary struct {
	ID        string    `json:"id"`
	Path      string    `json:"path"`
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Accounts  []string  `json:"accounts"`
	Regions   []string  `json:"regions"`
	// Status is the last finish status, or "unfinished" when the last start has no finish.
	Status          string `json:"status"`
	FlowLogsCreated int    `json:"flow_logs_created"`
	VPCsFailed      int    `json:"vpcs_failed"`
	RolledBack      bool   `json:"rolled_back"`
	// LastCommand is what started last: "fix" or "rollback".
	LastCommand string `json:"last_command"`
}

// StatusUnfinished is a run whose last start has no finish record (the process died or was killed).
const StatusUnfinished = "unfinished"

// Summarize reduces a run's records to a Summary.
func Summarize(id string, recs []Record) Summary {
	s := Summary{ID: id, Status: StatusUnfinished}
	created := map[string]bool{}
	failed := map[string]bool{}
	open := false
	for _, r := range recs {
		if s.StartedAt.IsZero() {
			s.StartedAt = r.Time
		}
		s.UpdatedAt = r.Time
		switch r.Type {
		case TypeRun:
			s.Accounts, s.Regions = r.Accounts, r.Regions
			open, s.LastCommand = true, "fix"
		case TypeResume:
			open, s.LastCommand = true, "fix"
		case TypeRollback:
			open, s.LastCommand = true, "rollback"
		case TypeEnd, TypeAdopt:
			if r.Phase == "rollback" {
				continue
			}
			for vpc, fl := range r.FlowLogs {
				created[fl] = true
				delete(failed, vpc)
			}
			for vpc := range r.Failed {
				failed[vpc] = true
			}
		case TypeFinish:
			open = false
			s.Status = r.Status
			s.RolledBack = r.Status == StatusRolledBack
		}
	}
	if open {
		s.Status = StatusUnfinished
	}
	s.FlowLogsCreated, s.VPCsFailed = len(created), len(failed)
	return s
}

// List summarizes every run in dir, newest first.
func List(dir string) ([]Summary, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list runs in %s: %w", dir, err)
	}
	var out []Summary
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".jsonl") {
			continue
		}
		id := strings.TrimSuffix(name, ".jsonl")
		if !ValidRunID(id) {
			continue
		}
		recs, err := Read(dir, id)
		if err != nil {
			return nil, err
		}
		s := Summarize(id, recs)
		s.Path = Path(dir, id)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartedAt.Equal(out[j].StartedAt) {
			return out[i].StartedAt.After(out[j].StartedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}
