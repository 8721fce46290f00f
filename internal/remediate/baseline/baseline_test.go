package baseline

import (
	"encoding/json"
	"os"

	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source"
)

func generate(t *testing.T, format string, o Options) (string, []File) {
	t.Helper()
	files, err := Generate(format, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("%s: no files", format)
	}
	for _, f := range files {
		if strings.Contains(string(f.Content), "[[") || strings.Contains(string(f.Content), "<no value>") {
			t.Errorf("%s: unrendered template text", f.Path)
		}
	}
	dir := t.TempDir()
	if _, err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir, files
}

// TestIaCBaselinesPassTheScan: what flowguard tells people to deploy must pass flowguard's own checks,
// with every value resolved (no UNKNOWN) and no note about the delivery role.
func TestIaCBaselinesPassTheScan(t *testing.T) {
	for _, o := range []Options{Defaults(), {TrafficType: "REJECT", RetentionDays: 731, LogGroupPrefix: "/org/flow", BreakGlassRole: "bg"}} {
		for _, format := range []string{"terraform", "cloudformation"} {
			dir, _ := generate(t, format, o)
			res, err := scanIaC(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary.VPCs != 1 || res.Summary.Pass != 2 || res.Overall() != finding.OutcomeOK {
				t.Errorf("%s %+v: summary %+v exit %d, want 1 VPC, 2 PASS, exit 0", format, o, res.Summary, res.Overall())
			}
			for _, f := range res.Findings {
				if f.Status != finding.StatusPass {
					t.Errorf("%s: %s %s %s: %s", format, f.CheckID, f.Status, f.Reason, f.Message)
				}
				if len(f.Evidence.FlowLogs) == 1 && f.Evidence.FlowLogs[0].TrafficType != o.TrafficType {
					t.Errorf("%s: traffic %s, want %s", format, f.Evidence.FlowLogs[0].TrafficType, o.TrafficType)
				}
			}
			if len(res.Notes) > 0 || len(res.Errors) > 0 {
				t.Errorf("%s: notes %q errors %+v", format, res.Notes, res.Errors)
			}
		}
	}
}

// TestTerraformBaselineAsModule gives an existing VPC of a root module its flow log through the generated
// module, as the README shows.
func TestTerraformBaselineAsModule(t *testing.T) {
	dir, _ := generate(t, "terraform", Defaults())
	root := filepath.Join(dir, "live")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	src := `resource "aws_vpc" "main" {
  cidr_block = "10.20.0.0/16"
}

module "flow_logs" {
  source     = "../terraform"
  create_vpc = false
  vpc_id     = aws_vpc.main.id
}
`
	if err := os.WriteFile(filepath.Join(root, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// The scan names the directory holding both: iac scan reads no module outside the paths it is given.
	res, err := scanIaC(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.VPCs != 1 || res.Summary.Pass != 2 || res.Overall() != finding.OutcomeOK {
		for _, f := range res.Findings {
			t.Logf("%s %s %s %s", f.ResourceID, f.CheckID, f.Status, f.Message)
		}
		t.Errorf("summary %+v, want aws_vpc.main passing both checks", res.Summary)
	}
}

// TestTerraformBaselinePlan scans real `terraform show -json` output of the generated module (Terraform 1.11,
// AWS provider 5.100, planned against moto_server): the plan links the flow log to the new VPC.
func TestTerraformBaselinePlan(t *testing.T) {
	res, err := scanIaC(t, "testdata/terraform-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Pass != 2 || res.Overall() != finding.OutcomeOK {
		t.Errorf("plan: summary %+v, want 2 PASS", res.Summary)
	}
}

func TestCloudFormationBaselineIsStackSetReady(t *testing.T) {
	_, files := generate(t, "cloudformation", Defaults())
	s := string(files[0].Content)
	for _, bad := range []string{"123456789012", "us-east-1", "eu-west-1", "Service: ec2.amazonaws.com"} {
		if strings.Contains(s, bad) {
			t.Errorf("template hard-codes %q", bad)
		}
	}
	for _, want := range []string{"vpc-flow-logs.amazonaws.com", "aws:SourceAccount", "aws:SourceArn", "vpc-flow-log/*",
		"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"} {
		if !strings.Contains(s, want) {
			t.Errorf("template lacks %q", want)
		}
	}
}

func TestConfigBaseline(t *testing.T) {
	_, files := generate(t, "config", Defaults())
	docs := map[string]map[string]any{}
	for _, f := range files {
		var m map[string]any
		if err := yaml.Unmarshal(f.Content, &m); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		docs[filepath.Base(f.Path)] = m
	}
	pack := docs["conformance-pack.yaml"]["Resources"].(map[string]any)
	rule := pack["VpcFlowLogsEnabled"].(map[string]any)["Properties"].(map[string]any)
	if rule["Source"].(map[string]any)["SourceIdentifier"] != "VPC_FLOW_LOGS_ENABLED" {
		t.Errorf("rule source = %v", rule["Source"])
	}
	rem := pack["VpcFlowLogsRemediation"].(map[string]any)["Properties"].(map[string]any)
	if rem["Automatic"] != true || rem["TargetType"] != "SSM_DOCUMENT" || rem["TargetId"] != "FlowguardEnableVPCFlowLogs" {
		t.Errorf("remediation = %v", rem)
	}
	doc := docs["remediation-document.yaml"]
	params := doc["parameters"].(map[string]any)
	for k := range rem["Parameters"].(map[string]any) {
		if _, ok := params[k]; !ok {
			t.Errorf("remediation passes %s, which the document does not declare", k)
		}
	}
	var create map[string]any
	for _, s := range doc["mainSteps"].([]any) {
		step := s.(map[string]any)
		if in := step["inputs"].(map[string]any); in["Api"] == "CreateFlowLogs" {
			create = in
		}
	}
	if create == nil || create["ResourceType"] != "VPC" || create["DeliverLogsPermissionArn"] == nil {
		t.Errorf("CreateFlowLogs step = %v", create)
	}
}

func TestSCPBaseline(t *testing.T) {
	o := Defaults()
	o.BreakGlassRole = "SecurityBreakGlass"
	_, files := generate(t, "scp", o)
	var p struct {
		Version   string
		Statement []struct {
			Effect    string
			Action    any
			Resource  any
			Condition map[string]map[string]any
		}
	}
	if err := json.Unmarshal(files[0].Content, &p); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range p.Statement {
		if s.Effect != "Deny" {
			t.Errorf("statement effect %s", s.Effect)
		}
		if s.Condition["ArnNotLike"]["aws:PrincipalArn"] != "arn:aws:iam::*:role/SecurityBreakGlass" {
			t.Errorf("break-glass exemption = %v", s.Condition)
		}
		got[s.Action.(string)] = s.Resource.(string)
	}
	want := map[string]string{"ec2:DeleteFlowLogs": "*", "logs:DeleteLogGroup": "arn:aws:logs:*:*:log-group:/aws/vpc-flow-logs/*"}
	if len(got) != 2 || got["ec2:DeleteFlowLogs"] != want["ec2:DeleteFlowLogs"] || got["logs:DeleteLogGroup"] != want["logs:DeleteLogGroup"] {
		t.Errorf("statements = %v, want %v", got, want)
	}
}

func TestValidate(t *testing.T) {
	for _, o := range []Options{
		{TrafficType: "ACCEPT", RetentionDays: 365, LogGroupPrefix: "/x", BreakGlassRole: "r"},
		{TrafficType: "ALL", RetentionDays: 30, LogGroupPrefix: "/x", BreakGlassRole: "r"},
		{TrafficType: "ALL", RetentionDays: 365, LogGroupPrefix: "/x/", BreakGlassRole: "r"},
		{TrafficType: "ALL", RetentionDays: 365, LogGroupPrefix: "/x", BreakGlassRole: "a b"},
	} {
		if _, err := Generate("terraform", o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if _, err := Generate("pulumi", Defaults()); err == nil {
		t.Error("unknown format: no error")
	}
}

// scanIaC runs 'flowguard iac scan' on paths: the IaC source through the one engine entry.
func scanIaC(t *testing.T, paths ...string) (*finding.Result, error) {
	t.Helper()
	src, err := source.FromOptions(source.Options{IaCPaths: paths})
	if err != nil {
		return nil, err
	}
	res, _, err := engine.Evaluate(t.Context(), src, engine.Options{})
	return res, err
}

// TestYAMLKeepsPrefixes: every log group prefix Validate lets through is the same string in the YAML
// baselines once parsed — "-" would start a sequence entry, "#" a comment, "0" a number if written plain.
func TestYAMLKeepsPrefixes(t *testing.T) {
	for _, prefix := range []string{"-", "#x", "0", "true", "/a#b", "-x.y"} {
		o := Defaults()
		o.LogGroupPrefix = prefix
		if err := o.Validate(); err != nil {
			t.Fatalf("%q: %v", prefix, err)
		}
		for _, format := range []string{"cloudformation", "config"} {
			files, err := Generate(format, o)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range files {
				var doc struct {
					Parameters map[string]struct {
						Default any `yaml:"Default"`
						Lower   any `yaml:"default"`
					} `yaml:"Parameters"`
					Lower map[string]struct {
						Default any `yaml:"default"`
					} `yaml:"parameters"`
				}
				if err := yaml.Unmarshal(f.Content, &doc); err != nil {
					t.Fatalf("%q: %s does not parse: %v", prefix, f.Path, err)
				}
				if p, ok := doc.Parameters["LogGroupPrefix"]; ok {
					found = true
					if p.Default != prefix {
						t.Errorf("%q: %s has default %#v", prefix, f.Path, p.Default)
					}
				}
				if p, ok := doc.Lower["LogGroupPrefix"]; ok {
					found = true
					if p.Default != prefix {
						t.Errorf("%q: %s has default %#v", prefix, f.Path, p.Default)
					}
				}
			}
			if !found {
				t.Errorf("%s: no file declares the LogGroupPrefix parameter", format)
			}
		}
	}
}
