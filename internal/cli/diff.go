package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/sink/scandiff"
)

type diffOptions struct {
	OldFile, NewFile string
	Output           string
	Out              string
}

func newDiffCmd(io *IOStreams) *cobra.Command {
	o := &diffOptions{}
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
			return runDiff(io, o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", outputTable, "output format: table or json")
	addOutFlag(cmd.Flags(), &o.Out)
	return cmd
}

func runDiff(io *IOStreams, o *diffOptions) error {
	if err := checkOutput(o.Output); err != nil {
		return err
	}
	old, err := scandiff.LoadResult(o.OldFile)
	if err != nil {
		return usageError("%v", err)
	}
	cur, err := scandiff.LoadResult(o.NewFile)
	if err != nil {
		return usageError("%v", err)
	}
	d := scandiff.Compare(o.OldFile, old, o.NewFile, cur)
	out := newReportOut(io, o.Out)
	if o.Output == "json" {
		err = d.WriteJSON(out.W())
	} else {
		err = d.WriteTable(out.W())
	}
	if err != nil {
		return fmt.Errorf("write diff: %w", err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	if code := d.ExitCode(); code != finding.ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}
