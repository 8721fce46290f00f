// Package schema is the schema command: print the asset graph's schema.
package schema

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/query"
)

// SchemaOptions are the schema command's inputs.
type SchemaOptions struct {
	IO *cmdutil.IOStreams
}

// NewCmdSchema builds the schema command; runF replaces schemaRun in tests.
func NewCmdSchema(f *cmdutil.Factory, runF func(*SchemaOptions) error) *cobra.Command {
	o := &SchemaOptions{IO: f.IOStreams}
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the asset graph's schema: the types, fields and relations queries and checks use",
		Long: `Schema prints the asset graph in GraphQL SDL: every node type with its fields and relations, the
filter operators of where, and the built-in fragment library (AssetFragment, …) that every query may spread.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return schemaRun(o)
		},
	}
}

func schemaRun(o *SchemaOptions) error {
	if err := graph.Default.Write(o.IO.Out); err != nil {
		return err
	}
	_, err := fmt.Fprintf(o.IO.Out, "\n# Built-in fragments: spread them in any query without defining them.\n%s", query.BuiltinFragments())
	return err
}
