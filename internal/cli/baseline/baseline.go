// Package baseline is the baseline command: configurations that keep new VPCs compliant.
package baseline

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/remediate/baseline"
)

// BaselineOptions are the baseline command's flags.
type BaselineOptions struct {
	IO     *cmdutil.IOStreams
	Format string
	OutDir string
	baseline.Options
}

// NewCmdBaseline builds the baseline command; runF replaces baselineRun in tests.
func NewCmdBaseline(f *cmdutil.Factory, runF func(*BaselineOptions) error) *cobra.Command {
	o := &BaselineOptions{IO: f.IOStreams, Options: baseline.Defaults()}
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Generate configurations that keep new VPCs compliant",
		Long: `Baseline writes the configuration that makes flow logs the default instead of a finding:

  terraform       a module: log group (365 days), delivery role trusted by vpc-flow-logs.amazonaws.com with
                  aws:SourceAccount/aws:SourceArn conditions and a least-privilege inline policy, the flow log;
                  with vpc_id unset it creates a new VPC that has one
  cloudformation  the same as a template, StackSet-ready (no account, region or name hard-coded)
  config          an AWS Config conformance pack (VPC_FLOW_LOGS_ENABLED) with automatic remediation, and the
                  SSM Automation document the remediation runs
  scp             a service control policy denying ec2:DeleteFlowLogs, and logs:DeleteLogGroup on flow-log
                  log groups, to everyone but a break-glass role

Without --out-dir the files are printed; with --out-dir DIR they are written under DIR/<format>/.`,
		Example: `  flowguard baseline --format terraform --out-dir baseline
  flowguard baseline --format scp --break-glass-role SecurityBreakGlass > scp.json
  flowguard baseline --format cloudformation --traffic-type REJECT --retention-days 731 --out-dir baseline`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return baselineRun(o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Format, "format", "", "baseline to generate: "+strings.Join(baseline.Formats, ", ")+" (required)")
	fs.StringVar(&o.OutDir, "out-dir", "", "write the files under this directory (DIR/<format>/) instead of printing them")
	cmdutil.AddAlias(fs, "out", "out-dir")
	fs.StringVar(&o.TrafficType, "traffic-type", o.TrafficType, "flow log traffic type: REJECT or ALL")
	fs.IntVar(&o.RetentionDays, "retention-days", o.RetentionDays, "log group retention in days (365 or more)")
	fs.StringVar(&o.LogGroupPrefix, "log-group-prefix", o.LogGroupPrefix, "prefix of flow-log log group names (the SCP protects log groups under it)")
	fs.StringVar(&o.BreakGlassRole, "break-glass-role", o.BreakGlassRole, "IAM role name the SCP lets delete flow logs")
	return cmd
}

func baselineRun(o *BaselineOptions) error {
	io := o.IO
	if o.Format == "" {
		return cmdutil.UsageError("--format is required (%s)", strings.Join(baseline.Formats, ", "))
	}
	files, err := baseline.Generate(o.Format, o.Options)
	if err != nil {
		return cmdutil.Usage(err)
	}
	if o.OutDir == "" {
		for i, f := range files {
			if len(files) > 1 {
				if i > 0 {
					fmt.Fprintln(io.Out)
				}
				fmt.Fprintf(io.Out, "%s %s\n", commentFor(f.Path), f.Path)
			}
			io.Out.Write(f.Content)
		}
		return nil
	}
	paths, err := baseline.Write(o.OutDir, files)
	if err != nil {
		return cmdutil.Incomplete(err)
	}
	for _, p := range paths {
		fmt.Fprintln(io.Out, "wrote", p)
	}
	return nil
}

// commentFor is the line that names a file when several are printed together.
func commentFor(path string) string {
	if strings.HasSuffix(path, ".json") {
		return "//"
	}
	return "# ----"
}
