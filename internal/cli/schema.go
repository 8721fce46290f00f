package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/query"
)

func newSchemaCmd(io *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the asset graph's schema: the types, fields and relations queries and checks use",
		Long: `Schema prints the asset graph in GraphQL SDL: every node type with its fields and relations, the
filter operators of where, and the built-in fragment library (AssetFragment, …) that every query may spread.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := graph.Default.Write(io.Out); err != nil {
				return err
			}
			_, err := fmt.Fprintf(io.Out, "\n# Built-in fragments: spread them in any query without defining them.\n%s", query.BuiltinFragments())
			return err
		},
	}
}
