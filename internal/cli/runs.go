package cli

import (
	"fmt"
	"strings"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/textsafe"
)

func newRunsCmd(io *IOStreams) *cobra.Command {
	var dir, output, out string
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List past fix runs from their journals",
		Example: `  flowguard runs
  flowguard runs -o json --out runs.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if err := checkOutput(output); err != nil {
				return err
			}
			runs, err := journal.List(dir)
			if err != nil {
				return &ExitError{Code: cmdutil.ExitIncomplete, Err: err}
			}
			for _, r := range runs {
				if r.Problem != "" {
					fmt.Fprintf(io.ErrOut, "flowguard: warning: run %s: %s\n", textsafe.Terminal(r.ID), textsafe.Terminal(r.Problem))
				}
			}
			rep := newReportOut(io, out)
			defer rep.Finish(&err)
			io := rep.Streams()
			if output == "json" {
				if runs == nil {
					runs = []journal.Summary{}
				}
				return writeJSON(io.Out, runs)
			}
			if len(runs) == 0 {
				fmt.Fprintf(io.Out, "no runs in %s\n", textsafe.Terminal(dir))
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
		},
	}
	cmd.Flags().StringVar(&dir, "journal-dir", journal.DefaultDir(), "where run journals are kept")
	cmd.Flags().StringVarP(&output, "output", "o", outputTable, "output format: table or json")
	addOutFlag(cmd.Flags(), &out)
	return cmd
}
