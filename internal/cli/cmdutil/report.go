package cmdutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/sink/report"
)

// LookupFormats parses a comma-separated --output list of scan report formats.
func LookupFormats(list string) ([]report.Format, error) {
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

// AddStatusFlag registers --status (comma-separated statuses, default empty: every row) for the table of a
// command's results; what it filters (VPCs with a finding…, VPCs of the run…) is the command's usage text.
func AddStatusFlag(fs *pflag.FlagSet, p *[]string, usage string) {
	fs.StringSliceVar(p, "status", nil, usage)
}

// ParseStatusFlag validates --status with report.ParseStatuses: an unknown status is a usage error (exit 3).
func ParseStatusFlag(list []string) ([]string, error) {
	st, err := report.ParseStatuses(strings.Join(list, ","))
	if err != nil {
		return nil, UsageError("--status: %v", err)
	}
	return st, nil
}

// WriteReport renders res in format f through a ReportOut: to path, or to standard output (with colour on a
// terminal) when path is "". o carries the command's report options (Statuses); Color and Checks are set here.
func WriteReport(io *IOStreams, f report.Format, res *finding.Result, path string, o report.Options) error {
	out := NewReportOut(io, path)
	o.Color, o.Checks = out.Streams().ColorEnabled(), engine.CheckInfos(engine.Builtin())
	if err := f.Write(out.W(), res, o); err != nil {
		return err
	}
	return out.Close()
}

// WriteReports writes every format to dir/flowguard.<ext> (--out-dir), then prints the summary line and the
// files written. A format that cannot be written (a symbolic link planted at its name, say) does not stop the
// others.
func WriteReports(io *IOStreams, formats []report.Format, res *finding.Result, dir string, o report.Options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create --out-dir: %w", err)
	}
	var paths []string
	var errs []error
	for _, f := range formats {
		p := filepath.Join(dir, "flowguard."+f.Extension)
		if err := WriteReport(io, f, res, p, o); err != nil {
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

// IdentityError returns the error of a single-account read that could not even find out whose account it
// is: that is a configuration problem (no credentials, wrong endpoint), not a finding.
func IdentityError(snap *inventory.Snapshot) (inventory.ReadError, bool) {
	if len(snap.Regions) == 0 && len(snap.Errors) == 1 && snap.Errors[0].Collection == inventory.CollAccount {
		return snap.Errors[0], true
	}
	return inventory.ReadError{}, false
}
