// Package query is the query command: run a query over the asset graph.
package query

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/query"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// QueryOptions are the query command's flags and argument.
type QueryOptions struct {
	IO        *cmdutil.IOStreams
	AWSConfig func(context.Context, awsconf.Options) (aws.Config, error)
	Ctx       context.Context
	Args      []string // the query, when not --file

	AWS         awsconf.Options
	Accounts    accounts.Options
	Concurrency int
	File        string
	Vars        []string
	Snapshot    string
	FromAWSCLI  string
	Output      string
	Out         string
}

// NewCmdQuery builds the query command; runF replaces queryRun in tests.
func NewCmdQuery(f *cmdutil.Factory, runF func(*QueryOptions) error) *cobra.Command {
	o := &QueryOptions{IO: f.IOStreams, AWSConfig: f.AWSConfig}
	cmd := &cobra.Command{
		Use:   "query [QUERY]",
		Short: "Run a query over the asset graph of a live scan or a saved snapshot",
		Long: `Query runs a GraphQL-style query — the language of the stored checks — over the asset graph and prints
the matching assets. The inventory comes from a saved snapshot (--snapshot, written by scan --save-snapshot),
a folder of AWS CLI JSON (--from-aws-cli), or a live read of the account (the scan's flags and credentials).

A query may start with the field itself (vpcs(where: {…}){…}) or be a full GraphQL document with variables
and fragments. 'flowguard schema' lists the types, fields, relations and built-in fragments.

Exit codes: 0 the query ran, 2 it ran on an incomplete inventory (something could not be read), 3 the query
or a flag is wrong.`,
		Example: `  flowguard query --snapshot inv.json 'vpcs(where: {hasFlowLog: null}) { id name region }'
  flowguard query --snapshot inv.json \
    'vpcs(where: {OR: [{hasFlowLog: null}, {hasFlowLog_NONE: {flowLogStatus: "ACTIVE"}}]}){...AssetFragment}'
  flowguard query --snapshot inv.json -o json -f short-retention.graphql --var min=400
  flowguard query --accounts 111122223333 --assume-role SecurityAudit 'vpcs { id accountId region }'
  flowguard query --region eu-west-1 'flowLogs(where: {deliverLogsStatus: "FAILED"}) { id resourceId deliverLogsErrorMessage }'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Args = cmd.Context(), args
			if runF != nil {
				return runF(o)
			}
			return queryRun(o)
		},
	}
	fs := cmd.Flags()
	o.AWS.AddFlags(fs)
	o.Accounts.AddFlags(fs)
	cmdutil.AddAlias(fs, "role-name", "assume-role")
	fs.IntVar(&o.Concurrency, "concurrency", cmdutil.DefaultConcurrency, "account-regions read at once (live)")
	fs.StringVarP(&o.File, "file", "f", "", "read the query from this file")
	fs.StringArrayVar(&o.Vars, "var", nil, "a query variable, name=value (value as JSON when it parses, else a string); repeatable")
	fs.StringVar(&o.Snapshot, "snapshot", "", "query a saved inventory (scan --save-snapshot) instead of calling AWS")
	fs.StringVar(&o.FromAWSCLI, "from-aws-cli", "", "query a folder of AWS CLI JSON output instead of calling AWS")
	fs.StringVarP(&o.Output, "output", "o", cmdutil.OutputTable, "output format: table or json")
	cmdutil.AddOutFlag(fs, &o.Out)
	return cmd
}

func queryRun(o *QueryOptions) error {
	io, args := o.IO, o.Args
	var name, src string
	switch {
	case o.File != "" && len(args) > 0:
		return cmdutil.UsageError("give the query as an argument or with -f, not both")
	case o.File != "":
		b, err := os.ReadFile(o.File)
		if err != nil {
			return cmdutil.UsageError("%v", err)
		}
		name, src = o.File, string(b)
	case len(args) == 1:
		name, src = "query", args[0]
	default:
		return cmdutil.UsageError("no query: give one as an argument or with -f FILE (see 'flowguard schema')")
	}
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	vars := map[string]any{}
	for _, kv := range o.Vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return cmdutil.UsageError("--var %q: write name=value", kv)
		}
		var x any
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			x = v
		}
		vars[strings.TrimPrefix(k, "$")] = x
	}
	// Check the query before reading any inventory: a typo should not cost a scan.
	q, err := query.Parse(name, src)
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	prog, err := q.Compile(graph.Default, vars)
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	// The network lists (security groups, network ACLs) are read only when the query reaches their types, the
	// flow logs' destinations only when it reads delivery evidence (destinationRead, deliveryLagSeconds, …).
	var network []inventory.Collection
	delivery := false
	for _, c := range prog.Collections() {
		switch {
		case inventory.IsNetwork(c):
			network = append(network, c)
		case c == inventory.CollDelivery:
			delivery = true
		}
	}
	g, snap, err := queryInventory(o, network, delivery)
	if err != nil {
		return err
	}
	// Evaluation stops on Ctrl-C/SIGTERM, and with an error when the query needs more work or output than
	// its budget (relations nested back and forth over a large graph).
	results, err := prog.Run(o.Ctx, g)
	if err != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("running the query: %w", err)}
	}
	rep := cmdutil.NewReportOut(io, o.Out)
	io = rep.Streams()
	switch o.Output {
	case "json":
		out, err := query.JSON(o.Ctx, results)
		if err != nil {
			return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("rendering the query's result: %w", err)}
		}
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	default:
		for i, r := range results {
			if i > 0 {
				fmt.Fprintln(io.Out)
			}
			fmt.Fprintf(io.Out, "%s (%d)\n", textsafe.Terminal(r.Root.Name), len(r.Nodes))
			if len(r.Nodes) == 0 {
				continue
			}
			tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, strings.Join(textsafe.TerminalAll(r.Root.Columns()), "\t"))
			ev := query.NewEval(o.Ctx)
			for _, n := range r.Nodes {
				row, err := r.Root.Row(ev, n)
				if err != nil {
					tw.Flush()
					return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete, Err: fmt.Errorf("rendering the query's result: %w", err)}
				}
				// Tags, names and error messages are untrusted: one inert line per cell.
				for j, c := range row {
					if c == "" {
						row[j] = "-"
					} else {
						row[j] = textsafe.Terminal(c)
					}
				}
				fmt.Fprintln(tw, strings.Join(row, "\t"))
			}
			tw.Flush()
		}
	}
	if err := rep.Close(); err != nil {
		return err
	}
	needed := network
	if delivery {
		needed = append(needed, inventory.CollDelivery)
	}
	notRead := notListed(snap, needed)
	for _, e := range notRead {
		fmt.Fprintf(io.ErrOut, "flowguard: %s\n", textsafe.Terminal(e.Error()))
	}
	if n := unread(snap) + len(notRead); n > 0 || snap.Incomplete {
		fmt.Fprintf(io.ErrOut, "flowguard: the inventory is incomplete (%d collection(s) could not be read): assets may be missing\n", n)
		return &cmdutil.ExitError{Code: cmdutil.ExitIncomplete}
	}
	return nil
}

// notListed are the on-demand collections the query reads that a region's reader did not read (network
// lists, delivery evidence: a saved snapshot or AWS CLI folder without them): the query saw none there, which
// is not "none exist", and the delivery fields are null there, which is not "nothing delivered".
func notListed(snap *inventory.Snapshot, colls []inventory.Collection) []inventory.ReadError {
	var out []inventory.ReadError
	for _, r := range snap.Regions {
		for _, c := range colls {
			if e, failed := r.ErrorFor(c); failed && e.Code == inventory.CodeNotRead {
				out = append(out, e)
			}
		}
	}
	return out
}

func unread(snap *inventory.Snapshot) int {
	n := len(snap.Errors)
	for _, r := range snap.Regions {
		n += len(r.Errors)
	}
	return n
}

// queryInventory loads the inventory through the same Source as scan and builds its graph, nothing more; a
// live read lists the network collections given, and reads the flow logs' destinations when delivery is set
// (over the window vpc-flow-logs-delivering reads by default).
func queryInventory(o *QueryOptions, network []inventory.Collection, delivery bool) (*graph.Graph, *inventory.Snapshot, error) {
	ctx := o.Ctx
	progress := cmdutil.ShowRetries(o.IO, &o.AWS)
	src, err := source.FromOptions(source.Options{Snapshot: o.Snapshot, FromAWSCLI: o.FromAWSCLI, Regions: o.AWS.NormalizedRegions(),
		Concurrency: o.Concurrency, Accounts: o.Accounts, Progress: progress.Update, Network: network,
		AWSConfig: func(ctx context.Context) (aws.Config, error) { return o.AWSConfig(ctx, o.AWS) },
		Delivery:  cmdutil.DeliveryOptions(delivery, engine.DefaultMaxDeliveryLag(), time.Now, progress)})
	if err != nil {
		return nil, nil, cmdutil.UsageError("%v", err)
	}
	g, snap, err := engine.Graph(ctx, src)
	progress.Done()
	if err != nil {
		if o.FromAWSCLI != "" {
			return nil, nil, cmdutil.InputError("--from-aws-cli", err)
		}
		return nil, nil, cmdutil.InputError("", err)
	}
	if e, ok := cmdutil.IdentityError(snap); ok && ctx.Err() == nil && o.Snapshot == "" && o.FromAWSCLI == "" && !o.Accounts.MultiAccount() {
		return nil, nil, cmdutil.UsageError("cannot identify the AWS account: %s\nCheck your credentials, --profile and --endpoint-url.", textsafe.Terminal(e.Message))
	}
	return g, snap, nil
}
