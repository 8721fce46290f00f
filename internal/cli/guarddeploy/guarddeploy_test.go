package guarddeploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	baselinecmd "github.com/flowguard/flowguard/internal/cli/baseline"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	scancmd "github.com/flowguard/flowguard/internal/cli/scan"
	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source"
)

type result struct {
	code           int
	stdout, stderr string
}

// deploy runs `flowguard guard deploy args` as the lead will hang it: under a guard command under a root.
func deploy(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	f, out, errOut := cmdutil.NewTestFactory("", env)
	root := &cobra.Command{Use: "flowguard", SilenceUsage: true, SilenceErrors: true}
	guard := &cobra.Command{Use: "guard"}
	guard.AddCommand(NewCmdDeploy(f))
	root.AddCommand(guard)
	root.SetArgs(append([]string{"guard", "deploy"}, args...))
	root.SetOut(out)
	root.SetErr(errOut)
	err := root.ExecuteContext(t.Context())
	if err != nil {
		errOut.WriteString(err.Error() + "\n")
	}
	return result{cmdutil.CodeOf(err), out.String(), errOut.String()}
}

func TestDeployWritesFilesThatPassIaCScan(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"cloudformation", "terraform"} {
		dir := t.TempDir()
		r := deploy(t, nil, "--format", format, "--region", "eu-west-1,us-east-1", "--region", "ap-southeast-2", "--org-id", "o-a1b2c3d4e5", "--out-dir", dir)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		var wrote []string
		for _, l := range strings.Split(r.stdout, "\n") {
			if p, ok := strings.CutPrefix(l, "wrote "); ok {
				wrote = append(wrote, p)
				if _, err := os.Stat(p); err != nil {
					t.Errorf("%s: %v", p, err)
				}
				if !strings.HasPrefix(p, filepath.Join(dir, format)) {
					t.Errorf("%s written outside %s/%s", p, dir, format)
				}
			}
		}
		want := map[string]int{"cloudformation": 2, "terraform": 5}[format] // terraform: versions, main, outputs, forwarders, member
		if len(wrote) != want {
			t.Errorf("%s: wrote %v, want %d files", format, wrote, want)
		}
		if !strings.Contains(r.stdout, "next:") || !strings.Contains(r.stdout, "--assume-role "+DefaultMemberRole) {
			t.Errorf("%s: no deploy steps or member role:\n%s", format, r.stdout)
		}
		if format == "cloudformation" && (!strings.Contains(r.stdout, "--region eu-west-1 --stack-name flowguard-guard ") ||
			!strings.Contains(r.stdout, "--region us-east-1 --stack-name flowguard-guard-forwarder") || !strings.Contains(r.stdout, "--region ap-southeast-2 --stack-name flowguard-guard-forwarder")) {
			t.Errorf("cloudformation steps do not deploy the central stack in eu-west-1 and forwarders in the others:\n%s", r.stdout)
		}
		src, err := source.FromOptions(source.Options{IaCPaths: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		res, _, err := engine.Evaluate(t.Context(), src, engine.Options{})
		if err != nil || res.Summary.Fail != 0 || len(res.Errors) != 0 || res.Overall() != finding.OutcomeOK {
			t.Errorf("%s: iac scan of the output: %v %+v %+v", format, err, res.Summary, res.Errors)
		}
	}
}

func TestDeployPrintsWithoutOutDir(t *testing.T) {
	t.Parallel()
	r := deploy(t, map[string]string{"AWS_REGION": "eu-north-1"}, "--format", "terraform")
	if r.code != 0 || !strings.Contains(r.stdout, "# ---- terraform/main.tf") || !strings.Contains(r.stdout, `region = "eu-north-1"`) {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "forwarders.tf") || strings.Contains(r.stdout, "member/") {
		t.Errorf("one region, no organization: forwarders or member module printed")
	}
}

func TestDeployUsageErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--region", "us-east-1"}, "--format is required"},
		{[]string{"--format", "cloudformation"}, "--region is required"},
		{[]string{"--format", "pulumi", "--region", "us-east-1"}, `unknown format "pulumi"`},
		{[]string{"--format", "terraform", "--region", "us-east-1", "--org-id", "acme"}, `organization id "acme"`},
		{[]string{"--format", "terraform", "--region", "us-east-1", "--assume-role", "X"}, "needs the organization id (--org-id)"},
		{[]string{"--format", "terraform", "--region", "us-east-1", "--runtime", "k8s"}, `runtime "k8s"`},
		{[]string{"--format", "terraform", "--region", "us-east-1", "--queue-name", "bad\x1b[31mname"}, `queue name "bad\x1b[31mname"`},
	} {
		r := deploy(t, nil, c.args...)
		if r.code != cmdutil.ExitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want 3 and %q", c.args, r.code, r.stderr, c.want)
		}
		if strings.Contains(r.stderr, "\x1b") {
			t.Errorf("%v: raw escape on stderr", c.args)
		}
	}
}

// One vocabulary: the flags deploy shares with other commands have their type and default (the lead adds
// "guard deploy" to TestFlagVocabulary's lists for --format, --out-dir and --assume-role); --role-name,
// refused on fix for meaning two roles, is not reused.
func TestDeployFlagsMatchTheVocabulary(t *testing.T) {
	f, _, _ := cmdutil.NewTestFactory("", nil)
	d := NewCmdDeploy(f)
	others := map[string]*cobra.Command{"baseline": baselinecmd.NewCmdBaseline(f, nil), "scan": scancmd.NewCmdScan(f, nil)}
	for flag, on := range map[string]string{"format": "baseline", "out-dir": "baseline", "log-group-prefix": "baseline", "region": "scan", "assume-role": "scan"} {
		a, b := d.Flags().Lookup(flag), others[on].Flags().Lookup(flag)
		if a == nil || b == nil {
			t.Fatalf("--%s: deploy %v, %s %v", flag, a != nil, on, b != nil)
		}
		if a.Value.Type() != b.Value.Type() || flag != "format" && a.DefValue != b.DefValue {
			t.Errorf("--%s: deploy %s %q, %s %s %q", flag, a.Value.Type(), a.DefValue, on, b.Value.Type(), b.DefValue)
		}
	}
	if d.Flags().Lookup("role-name") != nil {
		t.Error("--role-name is an old, refused name")
	}
}
