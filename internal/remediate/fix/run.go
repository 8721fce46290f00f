package fix

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
)

// PrepareOptions say where a run's targets come from.
type PrepareOptions struct {
	// Findings returns the scan result to fix; it is not called when an unfinished run is resumed.
	Findings func(ctx context.Context) (*finding.Result, error)
	Settings Settings
	// RunID resumes that run; empty starts a new one, or resumes the account's unfinished run unless NewRun.
	RunID  string
	NewRun bool
	// NewRunID starts a new run with this id (the id a plan printed, so that the run applied is the run
	// reviewed: its tags carry it); it implies NewRun. Empty: a fresh id.
	NewRunID    string
	JournalDir  string
	Concurrency int
	Now         func() time.Time
}

// Prepared is a plan ready for review, and how it relates to earlier runs.
type Prepared struct {
	Plan    *Plan
	Info    RunInfo
	Resumed bool
	// Note explains a resume the user did not ask for explicitly.
	Note string
}

// Prepare identifies the account, decides whether this is a new run or a resumed one, and builds the plan.
// It only reads.
func Prepare(ctx context.Context, cfg aws.Config, o PrepareOptions) (*Prepared, error) {
	// Settings are checked before any call: a bad --log-format must not cost a single request.
	if err := o.Settings.Validate(); err != nil {
		return nil, err
	}
	account, err := CallerAccount(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if o.JournalDir == "" {
		o.JournalDir = journal.DefaultDir()
	}
	pr := &Prepared{}
	runID := o.RunID
	if runID == "" && !o.NewRun && o.NewRunID == "" {
		id, err := FindUnfinished(o.JournalDir, account)
		if err != nil {
			return nil, err
		}
		if id != "" {
			runID = id
			pr.Note = fmt.Sprintf("run %s in account %s did not finish: resuming it with its own settings and VPCs (--new-run starts a new run instead)", id, account)
		}
	}
	if runID != "" {
		info, _, err := LoadRun(o.JournalDir, runID)
		if err != nil {
			return nil, err
		}
		if info.Account != account {
			return nil, fmt.Errorf("run %s was made in account %s, but the credentials are for %s", runID, info.Account, account)
		}
		pr.Info, pr.Resumed = info, true
	} else {
		s := o.Settings
		if err := s.Validate(); err != nil {
			return nil, err
		}
		res, err := o.Findings(ctx)
		if err != nil {
			return nil, err
		}
		now := time.Now
		if o.Now != nil {
			now = o.Now
		}
		runID = o.NewRunID
		if runID == "" {
			runID = journal.NewRunID(now())
		} else if !journal.ValidRunID(runID) {
			return nil, fmt.Errorf("run id %q is not a run id", runID)
		}
		targets, skipped := TargetsFromResult(res, s)
		pr.Info = RunInfo{Account: account, Settings: s, Targets: targets, Skipped: skipped, NotRemediated: NotRemediated(res), Source: res.Source}
	}
	p, err := Build(ctx, cfg, pr.Info.Targets, pr.Info.Skipped, pr.Info.Settings, BuildOptions{RunID: runID, Account: account, Concurrency: o.Concurrency, Resumed: pr.Resumed})
	if err != nil {
		return nil, err
	}
	p.Resumed = pr.Resumed
	p.NotRemediated = pr.Info.NotRemediated
	pr.Plan = p
	return pr, nil
}

// Execute applies a prepared plan under its run's journal in dir.
func Execute(ctx context.Context, cfg aws.Config, pr *Prepared, dir string, o ApplyOptions) (*Outcome, error) {
	if dir == "" {
		dir = journal.DefaultDir()
	}
	p := pr.Plan
	if !pr.Resumed && len(p.Steps) == 0 && len(p.Done) == 0 {
		out := &Outcome{RunID: p.RunID, Deferred: len(p.Deferred)}
		out.Status = finalStatus(out, false)
		return out, nil
	}
	j, err := journal.Open(dir, p.RunID, !pr.Resumed)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	o.Resumed, o.Info = pr.Resumed, pr.Info
	return Apply(ctx, cfg, p, j, o)
}
