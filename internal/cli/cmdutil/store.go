package cmdutil

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// StoreOptions is --store DSN: the history store a command records its results in (internal/store). The flag
// wins over FLOWGUARD_STORE; "default" is the SQLite file in the data directory, "off" none.
type StoreOptions struct {
	DSN    string
	getenv func(string) string
	now    func() time.Time
}

// StoreFlagUsage is the one help text of --store on the commands that record.
const StoreFlagUsage = "record the results in this history store: a SQLite file or postgres://… (default $" + store.EnvVar +
	`; "default": the SQLite file in the data directory; "off": none)`

// StoreReadUsage is --store's usage on the commands that only read the history store (history, serve).
const StoreReadUsage = "the history store: a SQLite file or postgres://… (default $" + store.EnvVar + ", else the SQLite file in the data directory)"

// AddStoreFlag registers --store on a command that records its results.
func AddStoreFlag(fs *pflag.FlagSet, o *StoreOptions, f *Factory) {
	o.getenv, o.now = f.Getenv, f.Now
	fs.StringVar(&o.DSN, "store", "", StoreFlagUsage)
}

// Resolved is the store's DSN, "" when none is configured.
func (o *StoreOptions) Resolved() string {
	if o.getenv == nil {
		return store.Resolve(o.DSN, func(string) string { return "" })
	}
	return store.Resolve(o.DSN, o.getenv)
}

// Record opens the configured store (nothing to do when there is none), runs fn, and closes it. A store
// that cannot be written is exit 2: the command did its work, but its history is incomplete.
func (o *StoreOptions) Record(ctx context.Context, io *IOStreams, fn func(store.Store) (string, error)) error {
	dsn := o.Resolved()
	if dsn == "" {
		return nil
	}
	// A command interrupted by Ctrl-C still records what it did: the write gets its own short deadline.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	s, err := store.Open(wctx, dsn)
	if err == nil {
		var msg string
		msg, err = fn(s)
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		if err == nil && msg != "" && io.ErrTTY {
			fmt.Fprintf(io.ErrOut, "flowguard: %s in %s\n", msg, textsafe.Terminal(store.Redact(dsn)))
		}
	}
	if err != nil {
		return &ExitError{Code: ExitIncomplete, Err: fmt.Errorf("history store: %s", textsafe.Terminal(err.Error()))}
	}
	return nil
}

// RecordScan stores a scan result.
func (o *StoreOptions) RecordScan(ctx context.Context, io *IOStreams, res *finding.Result) error {
	return o.Record(ctx, io, func(s store.Store) (string, error) {
		saved, err := s.SaveScan(ctx, res, store.SaveOptions{Origin: "scan", Now: o.clock()})
		return fmt.Sprintf("scan %d recorded (%d changes)", saved.ID, saved.Changes), err
	})
}

func (o *StoreOptions) clock() time.Time {
	if o.now == nil {
		return time.Now()
	}
	return o.now()
}

// RecordFixRuns stores fix runs as their journals in dir say.
func (o *StoreOptions) RecordFixRuns(ctx context.Context, io *IOStreams, dir string, runIDs ...string) error {
	if len(runIDs) == 0 {
		return nil
	}
	return o.Record(ctx, io, func(s store.Store) (string, error) {
		for _, id := range runIDs {
			c, err := journal.Load(dir, id)
			if err != nil {
				return "", err
			}
			if _, err := s.SaveRun(ctx, store.FixRun(id, c.Records)); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("%d fix run(s) recorded", len(runIDs)), nil
	})
}

// RecordRollback stores a rollback (not a dry run) and the run it rolled back, as its journal now says.
func (o *StoreOptions) RecordRollback(ctx context.Context, io *IOStreams, dir string, started time.Time, res *fix.RollbackResult) error {
	if res == nil || res.DryRun {
		return nil
	}
	return o.Record(ctx, io, func(s store.Store) (string, error) {
		status := journal.StatusRolledBack
		if res.Overall() != finding.OutcomeOK {
			status = journal.StatusRollbackIncomplete
		}
		run := store.Run{Kind: "rollback", RunID: res.RunID, AccountID: res.Account, StartedAt: started, FinishedAt: o.clock(), Status: status}
		deleted := 0
		for _, it := range res.Items {
			run.Created = append(run.Created, store.Resource{Kind: it.Kind, Region: it.Region, ID: it.ID, VPCID: it.VPCID, State: it.Outcome})
			if it.Outcome == "deleted" || it.Outcome == "restored" {
				deleted++
			}
			if it.Region != "" && !contains(run.Regions, it.Region) {
				run.Regions = append(run.Regions, it.Region)
			}
		}
		run.Summary = fmt.Sprintf("%d undone, %d remaining", deleted, len(res.Remaining)+len(res.RemainingResources))
		run.Detail, _ = json.Marshal(res)
		if _, err := s.SaveRun(ctx, run); err != nil {
			return "", err
		}
		if c, err := journal.Load(dir, res.RunID); err == nil {
			if _, err := s.SaveRun(ctx, store.FixRun(res.RunID, c.Records)); err != nil {
				return "", err
			}
		}
		return "rollback recorded", nil
	})
}

// RecordVerify stores a verify of a run.
func (o *StoreOptions) RecordVerify(ctx context.Context, io *IOStreams, started time.Time, res *fix.VerifyResult) error {
	if res == nil {
		return nil
	}
	return o.Record(ctx, io, func(s store.Store) (string, error) {
		run := store.Run{Kind: "verify", RunID: res.RunID, StartedAt: started, FinishedAt: o.clock(), Status: res.Overall().String(),
			Summary: fmt.Sprintf("%d pass, %d fail, %d error, %d gone", res.Pass, res.Fail, res.Error, res.Gone)}
		for _, v := range res.VPCs {
			if run.AccountID == "" {
				run.AccountID = v.AccountID
			}
			if !contains(run.Regions, v.Region) {
				run.Regions = append(run.Regions, v.Region)
			}
		}
		run.Detail, _ = json.Marshal(res)
		_, err := s.SaveRun(ctx, run)
		return "verify recorded", err
	})
}

// RecordLogsReport stores the summary of a logs report.
func (o *StoreOptions) RecordLogsReport(ctx context.Context, io *IOStreams, rep *analyze.Report) error {
	return o.Record(ctx, io, func(s store.Store) (string, error) {
		saved, err := s.SaveLogsReport(ctx, store.LogsReportOf(rep, o.clock()))
		return fmt.Sprintf("logs report %d recorded", saved.ID), err
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Recorded combines a command's error with its store's: the command's own error (or exit code) wins unless
// it succeeded and the store could not be written.
func Recorded(cmdErr, storeErr error) error {
	if storeErr == nil {
		return cmdErr
	}
	if cmdErr == nil {
		return storeErr
	}
	if CodeOf(cmdErr) < ExitIncomplete {
		// A FAIL (1) whose history could not be written is incomplete (2); the store's message says why.
		return storeErr
	}
	return cmdErr
}

// RecordRun stores any run (the guard's actions: Kind "guard", what it created in Created).
func (o *StoreOptions) RecordRun(ctx context.Context, io *IOStreams, run store.Run) error {
	return o.Record(ctx, io, func(s store.Store) (string, error) {
		_, err := s.SaveRun(ctx, run)
		return run.Kind + " run recorded", err
	})
}
