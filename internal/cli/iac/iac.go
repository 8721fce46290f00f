// Package iac is the iac command: check Terraform and CloudFormation before they are deployed.
package iac

import (
	"context"
	"errors"
	"strings"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/source"
)

// ScanOptions are the flags and arguments of `iac scan`.
type ScanOptions struct {
	IO    *cmdutil.IOStreams
	Ctx   context.Context
	Paths []string

	MinRetention int
	Output       string
	Out          string
	OutDir       string
	ChecksDir    string
	CheckIDs     []string
}

// NewCmdIaC builds the iac command and its scan subcommand.
func NewCmdIaC(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "iac",
		Short: "Check Terraform and CloudFormation before they are deployed",
	}
	cmd.AddCommand(NewCmdScan(f, nil))
	return cmd
}

// NewCmdScan builds `iac scan`; runF replaces scanRun in tests.
func NewCmdScan(f *cmdutil.Factory, runF func(*ScanOptions) error) *cobra.Command {
	o := &ScanOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Run the flow-log checks on Terraform, Terraform plan JSON and CloudFormation files",
		Long: `Scan reads Terraform configurations (.tf, every root module under a directory), Terraform plan JSON
(terraform show -json plan.out > plan.json) and CloudFormation templates (.yaml, .yml, .json, .template)
and runs the same checks as 'flowguard scan' on the VPCs, flow logs and log groups they declare. Findings
carry file:line and the resource address. Directories are read recursively.

What the files alone cannot decide (a variable without default, a module flowguard does not follow,
Fn::ImportValue) is UNKNOWN with the reason, never guessed. IaC has no account: findings show account
"iac" and the region of the Terraform aws provider block, or "-".

A local module flowguard did not read (outside the scanned path, unreadable, nested too deep) is an UNKNOWN
finding of its own at the module block. A path with no Terraform, CloudFormation or plan file is exit 2.

Exit codes: 0 everything passing, 1 at least one FAIL, 2 something could not be decided or read (UNKNOWN,
a module not read, a file that does not parse, nothing to read), 3 usage error.`,
		Example: `  flowguard iac scan .
  flowguard iac scan infra/ templates/network.yaml --output sarif --out flowguard.sarif
  flowguard iac scan . -o sarif,junit,markdown --out-dir reports/
  flowguard iac scan . --checks my-checks --check internet-exposed-vpcs-log-all-traffic
  terraform show -json plan.out > plan.json && flowguard iac scan plan.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Paths = cmd.Context(), args
			if runF != nil {
				return runF(o)
			}
			return scanRun(o)
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&o.MinRetention, "min-retention-days", engine.DefaultMinRetentionDays, "shortest acceptable retention of flow-log log groups")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output formats, comma-separated: "+strings.Join(report.Names(), ", "))
	cmdutil.AddOutFlag(fs, &o.Out)
	fs.StringVar(&o.OutDir, "out-dir", "", "write each --output format to this directory as flowguard.<ext>")
	fs.StringVar(&o.ChecksDir, "checks", "", "also run the check files (*.yaml) of this folder, as 'scan --checks' does")
	fs.StringArrayVar(&o.CheckIDs, "check", nil, "run only this check id (repeatable; default: all)")
	return cmd
}

func scanRun(o *ScanOptions) error {
	ctx, io, paths := o.Ctx, o.IO, o.Paths
	formats, err := cmdutil.LookupFormats(o.Output)
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	if len(formats) > 1 && o.OutDir == "" {
		return cmdutil.UsageError("several --output formats need --out-dir")
	}
	if o.Out != "" && o.OutDir != "" {
		return cmdutil.UsageError("use --out or --out-dir, not both")
	}
	if o.MinRetention < 1 {
		return cmdutil.UsageError("--min-retention-days must be at least 1")
	}
	cs, err := cmdutil.LoadChecks(o.ChecksDir, o.CheckIDs)
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	src, err := source.FromOptions(source.Options{IaCPaths: paths})
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	res, _, err := engine.Evaluate(ctx, src, engine.Options{MinRetentionDays: o.MinRetention, Checks: cs})
	if err != nil {
		if errors.Is(err, source.ErrNothingFound) {
			// Nothing was read, so nothing was checked: never "everything passes".
			return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
		}
		return cmdutil.UsageError("%v", err)
	}
	if o.OutDir != "" {
		if err := cmdutil.WriteReports(io, formats, res, o.OutDir, report.Options{}); err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
		}
	} else if err := cmdutil.WriteReport(io, formats[0], res, o.Out, report.Options{}); err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
	}
	return cmdutil.OutcomeError(res.Overall())
}
