// Package checks is the checks command: list and show the stored checks.
package checks

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// ChecksOptions are the checks command's flags: Action is "list" or "show".
type ChecksOptions struct {
	IO     *cmdutil.IOStreams
	Action string
	Dir    string
	Output string
	ID     string // show's argument
}

// NewCmdChecks builds the checks command and its list and show subcommands; runF replaces checksRun in tests.
func NewCmdChecks(f *cmdutil.Factory, runF func(*ChecksOptions) error) *cobra.Command {
	o := &ChecksOptions{IO: f.IOStreams}
	run := func() error {
		if runF != nil {
			return runF(o)
		}
		return checksRun(o)
	}
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List and show the stored checks (built-in and from a --checks folder)",
		Long: `Every check flowguard runs is a stored query over the asset graph plus an expectation, in a YAML file.
The built-in checks are embedded in the binary; add your own by putting *.yaml files in a folder and passing
it with --checks (here and to scan). See the README, "Writing a check".`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&o.Dir, "checks", "", "also load the check files (*.yaml) of this folder")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the checks",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			o.Action = "list"
			return run()
		},
	}
	list.Flags().StringVarP(&o.Output, "output", "o", "table", "table or json")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Print a check's file",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.Action, o.ID = "show", args[0]
			return run()
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}

func checksRun(o *ChecksOptions) error {
	io, output := o.IO, o.Output
	if o.Action == "show" {
		return checksShow(o)
	}
	cs, err := cmdutil.LoadAllChecks(o.Dir)
	if err != nil {
		return cmdutil.Usage(err)
	}
	switch output {
	case "table":
		tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tASSET\tSOURCE\tTITLE")
		for _, c := range cs {
			title := c.Title
			if c.OptIn {
				title += " (opt-in: runs only with --check " + c.ID + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", textsafe.Terminal(c.ID), textsafe.Terminal(c.Severity), textsafe.Terminal(c.AssetTypes[0]), textsafe.Terminal(c.File), textsafe.Terminal(title))
		}
		return tw.Flush()
	case "json":
		type item struct {
			ID         string            `json:"id"`
			Title      string            `json:"title"`
			Severity   string            `json:"severity"`
			AssetTypes []string          `json:"asset_types"`
			Controls   []finding.Control `json:"controls"`
			Builtin    bool              `json:"builtin"`
			OptIn      bool              `json:"opt_in,omitempty"`
			File       string            `json:"file"`
			Query      string            `json:"query"`
			Expect     string            `json:"expect"`
		}
		var items []item
		for _, c := range cs {
			items = append(items, item{c.ID, c.Title, c.Severity, c.AssetTypes, c.Controls, c.Builtin, c.OptIn, c.File, c.Query, c.Expect})
		}
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	}
	return cmdutil.UsageError("unknown --output %q (valid: table, json)", output)
}

func checksShow(o *ChecksOptions) error {
	io := o.IO
	cs, err := cmdutil.LoadChecks(o.Dir, []string{o.ID})
	if err != nil {
		return cmdutil.Usage(err)
	}
	fmt.Fprintf(io.Out, "# %s\n%s", cs[0].File, strings.TrimRight(cs[0].Source(), "\n")+"\n")
	return nil
}
