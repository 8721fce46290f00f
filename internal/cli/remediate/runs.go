package remediate

import (
	"fmt"
	"strings"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// RunsOptions are the runs command's flags.
type RunsOptions struct {
	IO         *cmdutil.IOStreams
	JournalDir string
	Output     string
	Out        string
}

// NewCmdRuns builds the runs command; runF replaces runsRun in tests.
func NewCmdRuns(f *cmdutil.Factory, runF func(*RunsOptions) error) *cobra.Command {
	o := &RunsOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List past fix runs from their journals",
		Example: `  flowguard runs
  flowguard runs -o json --out runs.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return runsRun(o)
		},
	}
	cmd.Flags().StringVar(&o.JournalDir, "journal-dir", f.JournalDir(), "where run journals are kept")
	cmd.Flags().StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: table or json")
	cmdutil.AddOutFlag(cmd.Flags(), &o.Out)
	return cmd
}

func runsRun(o *RunsOptions) (err error) {
	io := o.IO
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	runs, err := journal.List(o.JournalDir)
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: err}
	}
	for _, r := range runs {
		if r.Problem != "" {
			fmt.Fprintf(io.ErrOut, "flowguard: warning: run %s: %s\n", textsafe.Terminal(r.ID), textsafe.Terminal(r.Problem))
		}
	}
	rep := cmdutil.NewReportOut(io, o.Out)
	defer rep.Finish(&err)
	io = rep.Streams()
	if o.Output == cmdutil.OutputJSON {
		if runs == nil {
			runs = []journal.Summary{}
		}
		return cmdutil.WriteJSON(io.Out, runs)
	}
	if len(runs) == 0 {
		fmt.Fprintf(io.Out, "no runs in %s\n", textsafe.Terminal(o.JournalDir))
		return nil
	}
	fmt.Fprintf(io.Out, "%-24s %-20s %-14s %-20s %-9s %-7s %s\n", "RUN", "STARTED", "ACCOUNT", "STATUS", "FLOW LOGS", "FAILED", "REGIONS")
	for _, r := range runs {
		// Journals are files on disk: what they say is shown, never obeyed by the terminal.
		fmt.Fprintf(io.Out, "%-24s %-20s %-14s %-20s %-9d %-7d %s\n", textsafe.Terminal(r.ID), r.StartedAt.Format("2006-01-02 15:04:05"),
			textsafe.Terminal(strings.Join(r.Accounts, ",")), textsafe.Terminal(string(r.Status)), r.FlowLogsCreated, r.VPCsFailed,
			textsafe.Terminal(strings.Join(r.Regions, ",")))
	}
	return nil
}
