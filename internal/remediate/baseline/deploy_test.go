package baseline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source"

	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// TestCloudFormationBaselineDeploysCompliant deploys the generated template with the real AWS CLI into
// moto's CloudFormation, once creating a new VPC and once for an existing VPC, then runs the live scan: both
// VPCs must pass both checks.
func TestCloudFormationBaselineDeploysCompliant(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	const region = "us-east-1"
	dir, files := generate(t, "cloudformation", Defaults())
	tmpl := filepath.Join(dir, files[0].Path)
	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), moto.TestAWSCLI(t), append([]string{"--endpoint-url", srv.URL, "--region", region, "--output", "text"}, args...)...)
		cmd.Env = append(append(os.Environ(), acct.Env(srv.URL, region)...), "AWS_DEFAULT_REGION="+region, "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	existing := aws("ec2", "create-vpc", "--cidr-block", "10.42.0.0/16", "--query", "Vpc.VpcId")
	aws("cloudformation", "deploy", "--template-file", tmpl, "--stack-name", "baseline-new", "--capabilities", "CAPABILITY_IAM")
	aws("cloudformation", "deploy", "--template-file", tmpl, "--stack-name", "baseline-existing", "--capabilities", "CAPABILITY_IAM",
		"--parameter-overrides", "VpcId="+existing)
	created := aws("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=baseline-new-vpc", "--query", "Vpcs[0].VpcId")
	if !strings.HasPrefix(created, "vpc-") {
		t.Fatalf("the stack created no VPC tagged baseline-new-vpc: %q", created)
	}

	cfg := acct.Config(srv.URL, region)
	src, err := source.FromOptions(source.Options{Regions: []string{region}, Concurrency: 4,
		AWSConfig: func(context.Context) (awssdk.Config, error) { return cfg, nil }})
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := engine.Evaluate(context.Background(), src, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]finding.Status{}
	for _, f := range res.Findings {
		got[f.ResourceID+" "+f.CheckID] = f.Status
		if f.ResourceID == created || f.ResourceID == existing {
			if f.Status != finding.StatusPass {
				t.Errorf("%s %s: %s %s: %s", f.ResourceID, f.CheckID, f.Status, f.Reason, f.Message)
			}
		}
	}
	for _, v := range []string{created, existing} {
		for _, c := range []string{"vpc-flow-logs-enabled", "vpc-flow-logs-retention"} {
			if _, ok := got[v+" "+c]; !ok {
				t.Errorf("no %s finding for %s", c, v)
			}
		}
	}
	trust := aws("iam", "list-roles", "--query", "Roles[?contains(RoleName, 'FlowLogRole')].AssumeRolePolicyDocument.Statement[0].Principal.Service")
	if !strings.Contains(trust, "vpc-flow-logs.amazonaws.com") {
		t.Errorf("delivery role trusts %q", trust)
	}
}

// TestConfigAndSCPBaselinesAreAccepted sends the generated SSM document and SCP through the real AWS CLI
// (botocore validates each request against the service model) to moto, which parses the document and the
// policy. This proves they are well-formed requests, not that AWS Config remediates. (moto cannot take a
// conformance pack from a template body; TestConfigBaseline checks its structure.)
func TestConfigAndSCPBaselinesAreAccepted(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	const region = "us-east-1"
	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), moto.TestAWSCLI(t), append([]string{"--endpoint-url", srv.URL, "--region", region, "--output", "text"}, args...)...)
		cmd.Env = append(append(os.Environ(), acct.Env(srv.URL, region)...), "AWS_DEFAULT_REGION="+region, "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	cfg, _ := generate(t, "config", Defaults())
	doc := filepath.Join(cfg, "config", "remediation-document.yaml")
	if got := aws("ssm", "create-document", "--name", "FlowguardEnableVPCFlowLogs", "--document-type", "Automation",
		"--document-format", "YAML", "--content", "file://"+doc, "--query", "DocumentDescription.Status"); got == "" {
		t.Error("create-document returned no status")
	}
	params := aws("ssm", "describe-document", "--name", "FlowguardEnableVPCFlowLogs", "--query", "Document.Parameters[].Name")
	for _, p := range []string{"AutomationAssumeRole", "VpcId", "DeliverLogsPermissionArn", "LogGroupPrefix", "TrafficType", "RetentionInDays"} {
		if !strings.Contains(params, p) {
			t.Errorf("document parameters %q lack %s", params, p)
		}
	}
	aws("organizations", "create-organization", "--feature-set", "ALL")
	scp, _ := generate(t, "scp", Defaults())
	aws("organizations", "create-policy", "--type", "SERVICE_CONTROL_POLICY", "--name", "protect-flow-logs",
		"--description", "flowguard baseline", "--content", "file://"+filepath.Join(scp, "scp", "deny-flow-log-deletion.json"))
}
