// Package history is `flowguard history`: the trend and the changes the history store holds, on the terminal
// (the dashboard's numbers, from the same queries), and `history import` of saved results and fix journals.
package history

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// Options are the history command's flags.
type Options struct {
	IO     *cmdutil.IOStreams
	Ctx    context.Context
	Now    func() time.Time
	Getenv func(string) string

	Store           string
	Since, Until    string
	Account, Region string
	Check           []string
	Output, Out     string
	// Changes bounds the changes listed.
	Changes int
}

// storeDSN is the history commands' store: --store, FLOWGUARD_STORE, else the default SQLite file.
func storeDSN(flag string, getenv func(string) string) string {
	if dsn := store.Resolve(flag, getenv); dsn != "" {
		return dsn
	}
	if strings.TrimSpace(flag) == store.DSNOff || strings.TrimSpace(getenv(store.EnvVar)) == store.DSNOff {
		return ""
	}
	return store.DefaultPath(getenv)
}

// NewCmdHistory builds `flowguard history` and its import subcommand; runF replaces Run in tests.
func NewCmdHistory(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: f.IOStreams, Now: f.Now, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Compliance over time and what changed, from the history store",
		Long: `history prints, from the history store that scan, fix, verify, rollback and logs report write to (--store,
FLOWGUARD_STORE): compliance per scan (PASS ÷ (PASS + FAIL + ERROR + UNKNOWN); EXCEPTED and SKIPPED are out of
it), the new failures and fixes of each scan, open failures and time to fix, exceptions expiring, and every
finding whose status or reason changed since --since. The same numbers as 'flowguard serve'.

Exit codes: 0 printed, 2 the store could not be read, 3 usage error.`,
		Example: `  flowguard history
  flowguard history --since 2026-10-01 --account 111122223333
  flowguard history --store postgres://flowguard@db.internal/flowguard --since 7d -o json
  flowguard history import old-scans/*.json ~/.flowguard/runs/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Store, "store", "", cmdutil.StoreReadUsage)
	fs.StringVar(&o.Since, "since", "", "the trend and changes since this date (2026-01-02), RFC 3339 time or age (12h, 7d) (default 30d)")
	fs.StringVar(&o.Until, "until", "", "up to this date, time or age")
	fs.StringVar(&o.Account, "account", "", "only this account")
	fs.StringVar(&o.Region, "region", "", "only this region")
	fs.StringArrayVar(&o.Check, "check", nil, "only this check id")
	fs.IntVar(&o.Changes, "changes", 50, "list at most this many changes (0: none)")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: table or json")
	cmdutil.AddOutFlag(fs, &o.Out)
	cmd.AddCommand(NewCmdImport(f, nil))
	return cmd
}

func (o *Options) filter() (store.Filter, error) {
	now := o.Now()
	if len(o.Check) > 1 {
		return store.Filter{}, cmdutil.UsageError("history takes one --check")
	}
	check := ""
	if len(o.Check) == 1 {
		check = o.Check[0]
	}
	if o.Since == "" {
		o.Since = "30d"
	}
	since, err := store.ParseTime(o.Since, now)
	if err != nil {
		return store.Filter{}, cmdutil.UsageError("--since %v", err)
	}
	until, err := store.ParseTime(o.Until, now)
	if err != nil {
		return store.Filter{}, cmdutil.UsageError("--until %v", err)
	}
	return store.Filter{Account: o.Account, Region: o.Region, Check: check, Since: since, Until: until}, nil
}

// Run prints the history.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	f, err := o.filter()
	if err != nil {
		return err
	}
	if o.Changes < 0 {
		return cmdutil.UsageError("--changes must be 0 or more")
	}
	dsn := storeDSN(o.Store, o.Getenv)
	if dsn == "" {
		return cmdutil.UsageError("the store is off (--store off or %s=off)", store.EnvVar)
	}
	ctx := o.Ctx
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
	}
	defer st.Close()
	ov, err := store.BuildOverview(ctx, st, f, o.Now())
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("read %s: %w", store.Redact(dsn), err)}
	}
	if len(ov.Changes) > o.Changes {
		ov.Changes = ov.Changes[:o.Changes]
	}
	rep := cmdutil.NewReportOut(o.IO, o.Out)
	if o.Output == cmdutil.OutputJSON {
		if err := cmdutil.WriteJSON(rep.W(), ov); err != nil {
			return err
		}
	} else {
		writeTable(rep.W(), ov, f, store.Redact(dsn))
	}
	return rep.Close()
}

func pct(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", *p)
}

func days(d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	if d < 24*time.Hour {
		return fmt.Sprintf("%.0fh", d.Hours())
	}
	return fmt.Sprintf("%.1fd", d.Hours()/24)
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") }

// writeTable is the terminal report: every value from the store goes through textsafe.
func writeTable(w io.Writer, ov *store.Overview, f store.Filter, where string) {
	safe := textsafe.Terminal
	scope := []string{}
	for _, kv := range [][2]string{{"account", f.Account}, {"region", f.Region}, {"check", f.Check}} {
		if kv[1] != "" {
			scope = append(scope, kv[0]+" "+safe(kv[1]))
		}
	}
	head := "history of " + safe(where)
	if len(scope) > 0 {
		head += " (" + strings.Join(scope, ", ") + ")"
	}
	if !f.Since.IsZero() {
		head += " since " + ts(f.Since)
	}
	fmt.Fprintln(w, head)
	if ov.Latest == nil {
		fmt.Fprintln(w, "\nno scans in the store for this selection (record one with flowguard scan --store, or flowguard history import)")
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SCAN\tTIME\tCOMPLIANCE\tPASS\tFAIL\tERROR\tEXCEPTED\tNEW FAILURES\tFIXED\t")
	for _, p := range ov.Trend {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", p.ScanID, ts(p.Time), pct(p.Compliance), p.Counts.Pass, p.Counts.Fail,
			p.Counts.Error, p.Counts.Excepted, p.NewFailures, p.Fixed)
	}
	tw.Flush()
	fmt.Fprintln(w)
	delta := ""
	if ov.Delta != nil {
		delta = fmt.Sprintf(" (%+.1f points since %s)", *ov.Delta, ts(ov.First.Time))
	}
	fmt.Fprintf(w, "compliance now: %s%s, scan %d of %s\n", pct(ov.Change.Compliance), delta, ov.Latest.ID, ts(ov.Latest.StartedAt))
	fmt.Fprintf(w, "open failures: %d; time to fix (%d fixed): median %s, p90 %s, max %s\n", ov.OpenFailures, ov.FixStats.Count,
		days(ov.FixStats.Median), days(ov.FixStats.P90), days(ov.FixStats.Max))
	fmt.Fprintf(w, "exceptions: %d expiring within 30 days, %d expired\n", ov.Expiring, ov.Expired)
	for _, dim := range []store.Dimension{store.ByAccount, store.ByRegion, store.ByCheck} {
		gs := ov.Groups[string(dim)]
		if len(gs) < 2 {
			continue
		}
		sorted := append([]store.Group{}, gs...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Counts.Fail > sorted[j].Counts.Fail })
		fmt.Fprintf(w, "\nby %s (scan %d, most failures first)\n", dim, ov.Latest.ID)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i, g := range sorted {
			if i == 10 {
				fmt.Fprintf(tw, "  … %d more\t\t\t\n", len(sorted)-10)
				break
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d fail\t%d pass\n", safe(g.Key), pct(g.Compliance), g.Counts.Fail, g.Counts.Pass)
		}
		tw.Flush()
	}
	if len(ov.Changes) > 0 {
		fmt.Fprintf(w, "\nchanges (newest first, %d shown)\n", len(ov.Changes))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range ov.Changes {
			from := string(c.From)
			if c.FromReason != "" {
				from += " " + c.FromReason
			}
			if from == "" {
				from = "(new)"
			}
			to := string(c.To)
			if c.ToReason != "" {
				to += " " + c.ToReason
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s → %s\n", ts(c.Time), c.Kind(), safe(c.AccountID), safe(c.Region), safe(c.ResourceID),
				safe(c.CheckID), safe(from), safe(to))
		}
		tw.Flush()
	}
}

// ImportOptions are the flags of history import.
type ImportOptions struct {
	IO     *cmdutil.IOStreams
	Ctx    context.Context
	Now    func() time.Time
	Getenv func(string) string
	Store  string
	Paths  []string
}

// NewCmdImport builds `flowguard history import`.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	o := &ImportOptions{IO: f.IOStreams, Now: f.Now, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "import FILE|DIR...",
		Short: "Load saved scan results (scan -o json) and fix journals into the history store",
		Long: `import stores saved scan results (flowguard.scan/v1 JSON, as 'scan -o json' writes them) and fix run journals
(~/.flowguard/runs/*.jsonl) in the history store, so that nothing run before the store existed is lost. A
directory imports its *.json and *.jsonl files. Results already stored are recognised and not stored twice;
older results are placed in time order, and the changes recomputed.

Exit codes: 0 everything imported, 2 some files could not be read or stored (the others are), 3 usage error.`,
		Example: `  flowguard history import scan-2026-10-*.json
  flowguard history import ~/.flowguard/runs/ --store postgres://flowguard@db.internal/flowguard`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Paths = cmd.Context(), args
			if runF != nil {
				return runF(o)
			}
			return importRun(o)
		},
	}
	cmd.Flags().StringVar(&o.Store, "store", "", cmdutil.StoreReadUsage)
	return cmd
}

func importRun(o *ImportOptions) error {
	dsn := storeDSN(o.Store, o.Getenv)
	if dsn == "" {
		return cmdutil.UsageError("the store is off (--store off or %s=off)", store.EnvVar)
	}
	var files []string
	var problems []string
	for _, p := range o.Paths {
		fi, err := os.Stat(p)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, e := range ents {
			if n := e.Name(); !e.IsDir() && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".jsonl")) {
				files = append(files, filepath.Join(p, n))
			}
		}
	}
	ctx := o.Ctx
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
	}
	defer st.Close()
	out := o.IO.Out
	for _, p := range files {
		msg, err := importFile(ctx, st, p, o.Now())
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		fmt.Fprintf(out, "%s: %s\n", textsafe.Terminal(p), msg)
	}
	for _, p := range problems {
		fmt.Fprintf(o.IO.ErrOut, "flowguard: %s\n", textsafe.Terminal(p))
	}
	if len(problems) > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("%d input(s) not imported (listed above)", len(problems))}
	}
	return nil
}

// importFile stores one saved result or journal.
func importFile(ctx context.Context, st store.Store, p string, now time.Time) (string, error) {
	if strings.HasSuffix(p, ".jsonl") {
		id := strings.TrimSuffix(filepath.Base(p), ".jsonl")
		if !journal.ValidRunID(id) {
			return "", fmt.Errorf("%s: not a fix journal (the file name is not a run id)", p)
		}
		c, err := journal.Load(filepath.Dir(p), id)
		if err != nil {
			return "", err
		}
		if err := c.Suspect(); err != nil {
			return "", err
		}
		if len(c.Records) == 0 {
			return "", fmt.Errorf("%s: an empty journal", p)
		}
		run := store.FixRun(id, c.Records)
		if _, err := st.SaveRun(ctx, run); err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		return fmt.Sprintf("fix run %s (%s, %s)", id, run.Status, run.Summary), nil
	}
	res, err := finding.ReadFile(p)
	if err != nil {
		return "", err
	}
	saved, err := st.SaveScan(ctx, res, store.SaveOptions{Origin: "import:" + filepath.Base(p), Now: now})
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	if saved.Duplicate {
		return fmt.Sprintf("already stored as scan %d", saved.ID), nil
	}
	return fmt.Sprintf("scan %d (%d findings, %d changes)", saved.ID, len(res.Findings), saved.Changes), nil
}
