// Package cli wires flowguard's commands: each command parses flags into an options struct and calls a
// package that does the work. Errors become exit codes here, in one place.
package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/textsafe"
	"github.com/flowguard/flowguard/internal/version"
)

// ExitError carries an exit code out of a command. A nil Err means the command already reported everything.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks a bad flag, argument or configuration: exit code 3.
func usageError(format string, args ...any) error {
	return &ExitError{Code: finding.ExitUsage, Err: fmt.Errorf(format, args...)}
}

// Main runs flowguard with args and returns the process exit code.
func Main(ctx context.Context, args []string, io *IOStreams) int {
	root := NewRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return finding.ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(io.ErrOut, "flowguard:", textsafe.Lines(ee.Err.Error()))
		}
		return ee.Code
	}
	// Anything else cobra returns before running a command is a usage problem (unknown flag, bad value).
	fmt.Fprintln(io.ErrOut, "flowguard:", textsafe.Lines(err.Error()))
	return finding.ExitUsage
}

// NewRootCmd builds the command tree.
func NewRootCmd(io *IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "flowguard",
		Short: "Make sure every VPC in every region of every AWS account has working flow logs",
		Long: `flowguard audits, fixes and proves the control "VPC flow logging is enabled in all VPCs"
(CIS AWS Foundations 3.7/3.9, AWS Security Hub EC2.6, AWS Config VPC_FLOW_LOGS_ENABLED).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.String(),
		// One warning per deprecated flag name used, and -o text read as -o table, on every command.
		PersistentPreRunE: beforeRun(io),
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v\nRun '%s --help' for usage.", err, c.CommandPath())
	})
	root.AddCommand(
		newScanCmd(io),
		newIaCCmd(io),
		newBaselineCmd(io),
		newVersionCmd(io),
		newLogsCmd(io),
		newDiffCmd(io),
		newFixCmd(io), newRollbackCmd(io), newVerifyCmd(io), newRunsCmd(io),
		newSchemaCmd(io), newChecksCmd(io), newQueryCmd(io),
	)
	return root
}

func newVersionCmd(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the flowguard version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			v := version.String()
			if c := version.Commit(); c != "" {
				v += " (" + c + ")"
			}
			fmt.Fprintln(io.Out, "flowguard", v)
		},
	}
}
