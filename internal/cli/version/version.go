// Package version is the version command.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/logs/inflate"
	"github.com/flowguard/flowguard/internal/version"
)

// VersionOptions are the version command's inputs.
type VersionOptions struct {
	IO *cmdutil.IOStreams
}

// NewCmdVersion builds the version command; runF replaces versionRun in tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(*VersionOptions) error) *cobra.Command {
	o := &VersionOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the flowguard version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return versionRun(o)
		},
	}
}

func versionRun(o *VersionOptions) error {
	v := version.String()
	if c := version.Commit(); c != "" {
		v += " (" + c + ")"
	}
	if _, err := fmt.Fprintln(o.IO.Out, "flowguard", v); err != nil {
		return err
	}
	// Which gzip inflater reads flow logs: package inflate's own (pure Go) or, built with -tags isal, ISA-L's.
	_, err := fmt.Fprintln(o.IO.Out, "gzip inflater:", inflate.Name())
	return err
}
