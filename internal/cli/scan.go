package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/outfile"
	"github.com/flowguard/flowguard/internal/sink/exceptions"
	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/textsafe"
)

type scanOptions struct {
	AWS          awsconf.Options
	Accounts     accounts.Options
	Concurrency  int
	SkipUnused   bool
	MinRetention int
	Output       string
	Out          string
	SaveSnapshot string
	Snapshot     string
	// Reports, exceptions and aws-cli input (see internal/report, internal/exceptions, internal/awscli).
	OutDir           string
	Exceptions       string
	MaxExceptionDays int
	FromAWSCLI       string
	// Stored checks: a folder of user checks, and the ids to run (see internal/checks).
	ChecksDir string
	CheckIDs  []string
}

func newScanCmd(io *IOStreams) *cobra.Command {
	o := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Check that every VPC in every enabled region has a working flow log",
		Long: `Scan reads every VPC, flow log and destination log group of the account in every enabled region (or the
regions given with --region) and reports, per VPC, PASS, FAIL with a reason, ERROR (could not be read) or
SKIPPED (a VPC shared from another account). It only calls read APIs.

Exit codes: 0 everything evaluated and passing, 1 at least one FAIL, 2 the scan is incomplete (any ERROR,
interrupted, or nothing to evaluate: no account or region read), 3 usage or configuration error.`,
		Example: `  flowguard scan
  flowguard scan --profile prod --region eu-west-1,eu-central-1 --output json --out scan.json
  flowguard scan --endpoint-url http://127.0.0.1:5000     # a local moto_server
  flowguard scan --org --assume-role OrganizationAccountAccessRole --concurrency 32 -o json --out org.json
  flowguard scan --accounts 111122223333,444455556666 --assume-role SecurityAudit --external-id ext-123 -o json --out two.json
  flowguard scan --org --exceptions exceptions.yaml -o json,sarif,asff,ocsf,junit,markdown,html --out-dir reports/
  flowguard scan --from-aws-cli ./client-dump --region eu-west-1 -o html --out report.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runScan(cmd, io, o) },
	}
	fs := cmd.Flags()
	o.AWS.AddFlags(fs)
	o.Accounts.AddFlags(fs)
	addAlias(fs, "role-name", "assume-role")
	fs.IntVar(&o.Concurrency, "concurrency", defaultConcurrency, "account-regions read at once (API limits are per account and region)")
	fs.BoolVar(&o.SkipUnused, "skip-unused", false, "leave out VPCs with no network interfaces (the report says how many)")
	fs.IntVar(&o.MinRetention, "min-retention-days", engine.DefaultMinRetentionDays, "shortest acceptable retention of flow-log log groups")
	fs.StringVarP(&o.Output, "output", "o", "table", "output formats, comma-separated: "+strings.Join(report.Names(), ", "))
	addOutFlag(fs, &o.Out)
	fs.StringVar(&o.OutDir, "out-dir", "", "write each --output format to this directory as flowguard.<ext>")
	fs.StringVar(&o.Exceptions, "exceptions", "", "YAML file of exceptions (owner, reason, expiry) that turn matching FAILs into EXCEPTED")
	fs.IntVar(&o.MaxExceptionDays, "max-exception-days", 365, "refuse exceptions that expire further out than this many days (0: no limit)")
	fs.StringVar(&o.FromAWSCLI, "from-aws-cli", "", "evaluate a directory of AWS CLI JSON output (describe-vpcs, describe-flow-logs, describe-log-groups) instead of calling AWS")
	fs.StringVar(&o.SaveSnapshot, "save-snapshot", "", "also save the collected inventory to this file (re-evaluate it later with --snapshot)")
	fs.StringVar(&o.Snapshot, "snapshot", "", "evaluate a saved inventory instead of calling AWS")
	fs.StringVar(&o.ChecksDir, "checks", "", "also run the check files (*.yaml) of this folder (see 'flowguard checks')")
	fs.StringArrayVar(&o.CheckIDs, "check", nil, "run only this check id (repeatable; default: all)")
	cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return report.Names(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func runScan(cmd *cobra.Command, io *IOStreams, o *scanOptions) error {
	formats, err := lookupFormats(o.Output)
	if err != nil {
		return usageError("%v", err)
	}
	if len(formats) > 1 && o.OutDir == "" {
		return usageError("several --output formats need --out-dir")
	}
	if o.Out != "" && o.OutDir != "" {
		return usageError("use --out or --out-dir, not both")
	}
	var excSet *exceptions.Set
	if o.Exceptions != "" {
		if excSet, err = exceptions.Load(o.Exceptions, o.MaxExceptionDays, time.Now()); err != nil {
			return usageError("exceptions: %v", err)
		}
	}
	if o.MinRetention < 1 {
		return usageError("--min-retention-days must be at least 1")
	}
	cs, err := loadChecks(o.ChecksDir, o.CheckIDs)
	if err != nil {
		return usageError("%v", err)
	}
	ctx := cmd.Context()
	progress := newProgress(io)
	src, err := source.FromOptions(source.Options{Snapshot: o.Snapshot, FromAWSCLI: o.FromAWSCLI, Regions: o.AWS.NormalizedRegions(),
		Concurrency: o.Concurrency, Accounts: o.Accounts, AWSConfig: awsConfig(o.AWS), Progress: progress.update})
	if err != nil {
		return usageError("%v", err)
	}
	res, snap, err := engine.Evaluate(ctx, src, engine.Options{MinRetentionDays: o.MinRetention, SkipUnused: o.SkipUnused, Checks: cs})
	progress.done()
	if err != nil {
		return sourceError(o.FromAWSCLI, err)
	}
	if e, ok := identityError(snap); ok && ctx.Err() == nil && o.Snapshot == "" && o.FromAWSCLI == "" && !o.Accounts.MultiAccount() {
		return usageError("cannot identify the AWS account: %s\nCheck your credentials, --profile and --endpoint-url.", textsafe.Terminal(e.Message))
	}
	if o.SaveSnapshot != "" {
		if err := snap.WriteFile(o.SaveSnapshot); err != nil {
			return &ExitError{Code: finding.ExitIncomplete, Err: err}
		}
	}
	if excSet != nil {
		exceptions.Apply(res, excSet, time.Now())
	}
	if o.OutDir != "" {
		if err := writeReports(io, formats, res, o.OutDir); err != nil {
			return &ExitError{Code: finding.ExitIncomplete, Err: err}
		}
	} else if err := writeReport(io, formats[0], res, o.Out); err != nil {
		return &ExitError{Code: finding.ExitIncomplete, Err: err}
	}
	if res.Cancelled {
		fmt.Fprintln(io.ErrOut, "flowguard: interrupted: the report shows what finished and is marked incomplete")
	}
	return exitFor(res)
}

// identityError returns the error of a single-account scan that could not even find out whose account it
// is: that is a configuration problem (no credentials, wrong endpoint), not a finding.
func identityError(snap *inventory.Snapshot) (inventory.ReadError, bool) {
	if len(snap.Regions) == 0 && len(snap.Errors) == 1 && snap.Errors[0].Collection == inventory.CollAccount {
		return snap.Errors[0], true
	}
	return inventory.ReadError{}, false
}

func exitFor(res *finding.Result) error {
	if code := res.ExitCode(); code != finding.ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

// writeReport renders res to path, or to standard output (with colour on a terminal) when path is "".
func writeReport(io *IOStreams, f report.Format, res *finding.Result, path string) error {
	if path == "" {
		return f.Write(io.Out, res, report.Options{Color: io.ColorEnabled(), Checks: builtinCheckInfo()})
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, res, report.Options{Checks: builtinCheckInfo()}); err != nil {
		return err
	}
	// Atomic, never through a link planted at path, mode 0644 (see internal/outfile).
	if err := outfile.Write(path, buf.Bytes(), outfile.ModeReport); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// builtinCheckInfo describes the built-in checks for the formats that explain their rules (SARIF help text,
// OCSF and ASFF remediation).
func builtinCheckInfo() []finding.CheckInfo {
	var out []finding.CheckInfo
	for _, c := range checks.Builtin() {
		desc := strings.TrimSpace(c.Description)
		if r := strings.TrimSpace(c.Rationale); r != "" {
			desc += "\n\nRationale: " + r
		}
		out = append(out, finding.CheckInfo{ID: c.ID, Title: c.Title, Description: desc,
			Remediation: strings.TrimSpace(c.Remediation), Severity: c.Severity, Controls: c.Controls})
	}
	return out
}

// lookupFormats parses a comma-separated --output list.
func lookupFormats(list string) ([]report.Format, error) {
	var out []report.Format
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		f, err := report.Lookup(name)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--output is empty (valid: %s)", strings.Join(report.Names(), ", "))
	}
	return out, nil
}

// writeReports writes every format to dir/flowguard.<ext>, then prints the summary line and the files written.
func writeReports(io *IOStreams, formats []report.Format, res *finding.Result, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create --out-dir: %w", err)
	}
	// A format that cannot be written (a symbolic link planted at its name, say) does not stop the others.
	var paths []string
	var errs []error
	for _, f := range formats {
		p := filepath.Join(dir, "flowguard."+f.Extension)
		if err := writeReport(io, f, res, p); err != nil {
			errs = append(errs, fmt.Errorf("%s report: %w", f.Name, err))
			continue
		}
		paths = append(paths, p)
	}
	fmt.Fprintln(io.Out, report.SummaryLine(res))
	for _, p := range paths {
		fmt.Fprintln(io.Out, "wrote", p)
	}
	return errors.Join(errs...)
}

// progress shows "regions done / total" on a terminal's stderr, and nothing when stderr is piped.
type progress struct {
	mu  sync.Mutex
	w   io.Writer
	on  bool
	any bool
}

func newProgress(s *IOStreams) *progress { return &progress{w: s.ErrOut, on: s.ErrTTY} }

func (p *progress) update(done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.any = true
	fmt.Fprintf(p.w, "\r\x1b[Kscanning: %d/%d regions", done, total)
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.any {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
