// Package cli wires flowguard's commands: each command lives in its own package under internal/cli, parses
// flags into an options struct and calls a package that does the work. Errors become exit codes here, in one
// place (cmdutil.CodeOf).
package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	baselinecmd "github.com/flowguard/flowguard/internal/cli/baseline"
	checkscmd "github.com/flowguard/flowguard/internal/cli/checks"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	diffcmd "github.com/flowguard/flowguard/internal/cli/diff"
	guardcmd "github.com/flowguard/flowguard/internal/cli/guard"
	historycmd "github.com/flowguard/flowguard/internal/cli/history"
	iaccmd "github.com/flowguard/flowguard/internal/cli/iac"
	logscmd "github.com/flowguard/flowguard/internal/cli/logs"
	querycmd "github.com/flowguard/flowguard/internal/cli/query"
	"github.com/flowguard/flowguard/internal/cli/remediate"
	scancmd "github.com/flowguard/flowguard/internal/cli/scan"
	schemacmd "github.com/flowguard/flowguard/internal/cli/schema"
	servecmd "github.com/flowguard/flowguard/internal/cli/serve"
	versioncmd "github.com/flowguard/flowguard/internal/cli/version"
	"github.com/flowguard/flowguard/internal/textsafe"
	"github.com/flowguard/flowguard/internal/version"
)

// Main runs flowguard with args in the world of f and returns the process exit code.
func Main(ctx context.Context, args []string, f *cmdutil.Factory) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		if msg := errMessage(err); msg != "" {
			fmt.Fprintln(f.IOStreams.ErrOut, "flowguard:", textsafe.Lines(msg))
		}
	}
	return cmdutil.CodeOf(err)
}

// errMessage is what to print for err: nothing for an ExitError that already reported everything.
func errMessage(err error) string {
	if ee, ok := err.(*cmdutil.ExitError); ok && ee.Err == nil {
		return ""
	}
	return err.Error()
}

// NewRootCmd builds the command tree.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	io := f.IOStreams
	root := &cobra.Command{
		Use:   "flowguard",
		Short: "Make sure every VPC in every region of every AWS account has working flow logs",
		Long: `flowguard audits, fixes and proves the control "VPC flow logging is enabled in all VPCs"
(CIS AWS Foundations 3.7/3.9, AWS Security Hub EC2.6, AWS Config VPC_FLOW_LOGS_ENABLED).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.String(),
		// One warning per deprecated flag name used, and -o text read as -o table, on every command.
		PersistentPreRunE: cmdutil.BeforeRun(io),
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.UsageError("%v\nRun '%s --help' for usage.", err, c.CommandPath())
	})
	root.AddCommand(
		scancmd.NewCmdScan(f, nil),
		iaccmd.NewCmdIaC(f),
		baselinecmd.NewCmdBaseline(f, nil),
		versioncmd.NewCmdVersion(f, nil),
		logscmd.NewCmdLogs(f),
		diffcmd.NewCmdDiff(f, nil),
		remediate.NewCmdFix(f, nil), remediate.NewCmdRollback(f, nil), remediate.NewCmdVerify(f, nil), remediate.NewCmdRuns(f, nil),
		schemacmd.NewCmdSchema(f, nil), checkscmd.NewCmdChecks(f, nil), querycmd.NewCmdQuery(f, nil),
		guardcmd.NewCmdGuard(f, nil),
		historycmd.NewCmdHistory(f, nil), servecmd.NewCmdServe(f, nil),
	)
	return root
}
