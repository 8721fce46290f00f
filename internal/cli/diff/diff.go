// Package diff is the diff command: compare two saved scans.
package diff

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/sink/scandiff"
)

// DiffOptions are the diff command's flags and arguments.
type DiffOptions struct {
	IO               *cmdutil.IOStreams
	OldFile, NewFile string
	Output           string
	Out              string
}

// NewCmdDiff builds the diff command; runF replaces diffRun in tests.
func NewCmdDiff(f *cmdutil.Factory, runF func(*DiffOptions) error) *cobra.Command {
	o := &DiffOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "diff OLD.json NEW.json",
		Short: "Compare two scans: new, fixed and still-failing findings",
		Long: `diff compares two results of 'flowguard scan --output json' and lists the failures that are new, the
ones that were fixed, and the ones still failing (matched on check, account, region and resource).
A failure that is now excepted or could not be evaluated is listed apart, never as fixed.

Exit codes: 0 no new failures, 1 new failures, 3 usage or unreadable input.`,
		Example: `  flowguard scan --output json --out today.json
  flowguard diff yesterday.json today.json
  flowguard diff yesterday.json today.json -o json --out diff.json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.OldFile, o.NewFile = args[0], args[1]
			if runF != nil {
				return runF(o)
			}
			return diffRun(o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: table or json")
	cmdutil.AddOutFlag(cmd.Flags(), &o.Out)
	return cmd
}

func diffRun(o *DiffOptions) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	old, err := scandiff.LoadResult(o.OldFile)
	if err != nil {
		return cmdutil.Usage(err)
	}
	cur, err := scandiff.LoadResult(o.NewFile)
	if err != nil {
		return cmdutil.Usage(err)
	}
	d := scandiff.Compare(o.OldFile, old, o.NewFile, cur)
	out := cmdutil.NewReportOut(o.IO, o.Out)
	if o.Output == cmdutil.OutputJSON {
		err = d.WriteJSON(out.W())
	} else {
		err = d.WriteTableWith(out.W(), scandiff.TableOptions{Color: out.Streams().ColorEnabled()})
	}
	if err != nil {
		return fmt.Errorf("write diff: %w", err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	return cmdutil.OutcomeError(d.Overall())
}
