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
	"io"
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
	StatusPartial            = "partial"     // everything attempted was applied, but VPCs were deferred (--max-batches)
	StatusFailed             = "failed"      // the run ended, some changes failed
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
	// Retention is the retention a PutRetentionPolicy sets; rollback restores Previous only while the log group
	// still has exactly this value.
	Retention *int32 `json:"retention,omitempty"`
	// Created is the creation time (ms since the epoch, as CloudWatch Logs gives it) of the log group a change
	// was made to: rollback changes a group back only when it is still that group.
	Created int64  `json:"created,omitempty"`
	Error   string `json:"error,omitempty"`

	Status string `json:"status,omitempty"`
	// Plan is the run's plan (settings, targets) on TypeRun records.
	Plan json.RawMessage `json:"plan,omitempty"`
	// Accounts and Regions are the scope of the run, on TypeRun records.
	Accounts []string `json:"accounts,omitempty"`
	Regions  []string `json:"regions,omitempty"`
}

// IsGuardRun reports whether a run id is a guard run's (flowguard guard names its runs STAMP-guard-RANDOM).
func IsGuardRun(id string) bool { return strings.Contains(id, "-guard-") }

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

// Bounds on what a journal reader holds in memory: one record (line), and one journal file.
const (
	MaxRecordBytes  = 4 << 20
	MaxJournalBytes = 256 << 20
)

// Problem is a record that could not be read.
type Problem struct {
	Line   int    `json:"line"`
	Offset int64  `json:"offset"` // byte offset of the line's start
	Size   int64  `json:"size"`   // bytes of the line, without its newline
	Err    string `json:"error"`
}

// Contents is what a journal file holds, and what is wrong with it.
type Contents struct {
	Path    string
	Records []Record
	// Torn is the last record when it is unreadable: cut short by a crash (or damaged). Readers ignore it;
	// Open cuts the file back to the end of the record before it.
	Torn *Problem
	// Unterminated is set when the file does not end with a newline after a complete last record: Open adds it,
	// so that the next record does not glue onto it.
	Unterminated bool
	// Bad are unreadable records before the last one: the journal is suspect (damaged or edited).
	Bad []Problem
	// Size is the file's length in bytes.
	Size int64
}

// SuspectError says a journal has unreadable records before its last one. Only that run is affected.
type SuspectError struct {
	Path string
	Bad  []Problem
}

func (e *SuspectError) Error() string {
	b := e.Bad[0]
	more := ""
	if len(e.Bad) > 1 {
		more = fmt.Sprintf(" (and %d more)", len(e.Bad)-1)
	}
	return fmt.Sprintf("%s:%d: bad journal record at byte offset %d: %s%s: this run's journal is suspect (damaged or edited)", e.Path, b.Line, b.Offset, b.Err, more)
}

// ErrSuspect matches a *SuspectError with errors.Is.
var ErrSuspect = errors.New("suspect journal")

func (e *SuspectError) Is(target error) bool { return target == ErrSuspect }

// Suspect returns a *SuspectError when the journal has unreadable records before its last one, else nil.
func (c *Contents) Suspect() error {
	if len(c.Bad) == 0 {
		return nil
	}
	return &SuspectError{Path: c.Path, Bad: c.Bad}
}

// Warnings describe, one line each, what is wrong with the journal (a torn tail, suspect records).
func (c *Contents) Warnings() []string {
	var out []string
	if c.Torn != nil {
		out = append(out, fmt.Sprintf("journal %s: the final record (line %d, byte offset %d, %d bytes) is torn and ignored: %s", c.Path, c.Torn.Line, c.Torn.Offset, c.Torn.Size, c.Torn.Err))
	}
	if err := c.Suspect(); err != nil {
		out = append(out, err.Error())
	}
	return out
}

// lastSeq is the highest sequence number of the records.
func (c *Contents) lastSeq() int {
	n := 0
	for _, r := range c.Records {
		n = max(n, r.Seq)
	}
	return n
}

// Journal is an open journal, safe for concurrent use. Only one process may hold a run's journal open.
type Journal struct {
	mu    sync.Mutex
	f     *os.File
	seq   int
	RunID string
	Path  string
	// Warnings say what Open found wrong and repaired (a torn final record cut off) or left (suspect records).
	Warnings []string
}

// Open opens (creating when create is true) the journal of run id in dir for appending, and locks it so that
// two processes cannot work on the same run at once. A torn final record (a crash in the middle of a write) is
// cut off, and a complete final record without its newline is terminated, before anything is appended: both
// are reported in Warnings. Unreadable records before the last one are left as they are, and reported.
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
	c, err := Load(dir, id)
	if err != nil {
		f.Close()
		return nil, err
	}
	j := &Journal{f: f, RunID: id, Path: p, seq: c.lastSeq()}
	switch {
	case c.Torn != nil:
		if err := f.Truncate(c.Torn.Offset); err != nil {
			f.Close()
			return nil, fmt.Errorf("cut the torn final record of journal %s at byte offset %d: %w", p, c.Torn.Offset, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("sync journal %s: %w", p, err)
		}
		j.Warnings = append(j.Warnings, fmt.Sprintf("journal %s: torn final record (line %d, %d bytes) cut off at byte offset %d: %s",
			p, c.Torn.Line, c.Torn.Size, c.Torn.Offset, c.Torn.Err))
	case c.Unterminated:
		if _, err := f.Write([]byte{'\n'}); err != nil {
			f.Close()
			return nil, fmt.Errorf("terminate the final record of journal %s: %w", p, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("sync journal %s: %w", p, err)
		}
		j.Warnings = append(j.Warnings, fmt.Sprintf("journal %s: the final record had no newline (byte offset %d): added", p, c.Size))
	}
	if err := c.Suspect(); err != nil {
		j.Warnings = append(j.Warnings, err.Error())
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
	if len(b) > MaxRecordBytes {
		return fmt.Errorf("journal %s: record of %d bytes is over the %d-byte limit of a journal record", j.Path, len(b), MaxRecordBytes)
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

// Load reads the journal of run id without changing it. Its error is for a journal that cannot be read at all
// (missing, unreadable, over MaxJournalBytes); a torn final record and bad records are described in Contents.
func Load(dir, id string) (*Contents, error) {
	if !ValidRunID(id) {
		return nil, fmt.Errorf("invalid run id %q", id)
	}
	p := Path(dir, id)
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w %s (looked in %s)", ErrNotFound, id, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxJournalBytes {
		return nil, fmt.Errorf("journal %s is %d bytes, over the %d-byte limit: not read", p, st.Size(), MaxJournalBytes)
	}
	c, err := scan(p, io.LimitReader(f, MaxJournalBytes+1))
	if err != nil {
		return nil, err
	}
	if c.Size > MaxJournalBytes {
		return nil, fmt.Errorf("journal %s is over the %d-byte limit: not read", p, MaxJournalBytes)
	}
	return c, nil
}

// Read returns the records of run id. A torn final record is ignored; a bad record before it is a
// *SuspectError naming file, line and byte offset (the readable records are returned with it).
func Read(dir, id string) ([]Record, error) {
	c, err := Load(dir, id)
	if err != nil {
		return nil, err
	}
	return c.Records, c.Suspect()
}

// scan reads records line by line, holding at most MaxRecordBytes of one line: a longer line is a bad record.
func scan(name string, r io.Reader) (*Contents, error) {
	c := &Contents{Path: name}
	br := bufio.NewReaderSize(r, 64*1024)
	var (
		line     int
		off      int64
		buf      []byte
		lastBad  = -1 // index in c.Bad of the last non-blank line, when it was bad
		endsInNL = true
	)
	for {
		buf = buf[:0]
		var size int64
		long, eof := false, false
		terminated := false
		for {
			chunk, err := br.ReadSlice('\n')
			size += int64(len(chunk))
			if !long {
				if len(buf)+len(chunk) > MaxRecordBytes+1 {
					long, buf = true, buf[:0]
				} else {
					buf = append(buf, chunk...)
				}
			}
			if err == nil {
				terminated = true
				break
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				eof = true
				break
			}
			return nil, fmt.Errorf("read journal %s: %w", name, err)
		}
		if size == 0 && eof {
			break
		}
		line++
		start := off
		off += size
		c.Size = off
		endsInNL = terminated
		body := size
		if terminated {
			body--
			if !long {
				buf = buf[:len(buf)-1]
			}
		}
		switch {
		case long:
			c.Bad = append(c.Bad, Problem{Line: line, Offset: start, Size: body, Err: fmt.Sprintf("record over %d bytes", MaxRecordBytes)})
			lastBad = len(c.Bad) - 1
		case len(bytes.TrimSpace(buf)) == 0:
		default:
			var rec Record
			if err := json.Unmarshal(bytes.TrimSpace(buf), &rec); err != nil {
				c.Bad = append(c.Bad, Problem{Line: line, Offset: start, Size: body, Err: err.Error()})
				lastBad = len(c.Bad) - 1
			} else {
				c.Records = append(c.Records, rec)
				lastBad = -1
			}
		}
		if eof {
			break
		}
	}
	if lastBad >= 0 && lastBad == len(c.Bad)-1 {
		// The last line that is not blank is unreadable: a torn tail. Cut back to its start.
		t := c.Bad[lastBad]
		c.Torn = &t
		c.Bad = c.Bad[:lastBad]
	} else if !endsInNL && c.Size > 0 {
		c.Unterminated = true
	}
	if len(c.Bad) == 0 {
		c.Bad = nil
	}
	return c, nil
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
	// Problem says why the journal is suspect (bad records before its last one) or unreadable; the other fields
	// then come from the records that could be read. A run with a Problem is never resumed implicitly.
	Problem string `json:"problem,omitempty"`
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

// List summarizes every run in dir, newest first. A journal that cannot be read, or is suspect, is listed with
// its Problem; it does not stop the listing.
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
		// One damaged journal makes that run suspect; it never hides the others.
		var s Summary
		c, err := Load(dir, id)
		if err != nil {
			s = Summary{ID: id, Status: StatusUnfinished, Problem: err.Error()}
		} else {
			s = Summarize(id, c.Records)
			if err := c.Suspect(); err != nil {
				s.Problem = err.Error()
			}
		}
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
