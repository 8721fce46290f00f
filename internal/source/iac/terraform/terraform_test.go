package terraform

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/source/iac"
	"github.com/flowguard/flowguard/internal/source/iac/iactest"
)

// TestRead reads each fixture root and compares what it declares with testdata/golden/<case>.json.
func TestRead(t *testing.T) {
	cases := []struct{ dir, why string }{
		{"basic", "flow log in another file of the module, log group ARN, jsonencode trust policy with conditions, provider region"},
		{"nolog", "a VPC and a default VPC without flow logs"},
		{"count", "count on VPCs and flow logs, count.index references"},
		{"foreach", "for_each over locals and over another resource, with a filtering for expression"},
		{"community", "terraform-aws-modules/vpc/aws with and without enable_flow_log"},
		{"subnet_only", "a flow log on a subnet only"},
		{"accept", "an ACCEPT-only flow log"},
		{"locals", "vpc id and traffic type through locals declared after use, interpolated log group name"},
		{"localmodule", "a VPC inside a local module, its id used through the module output"},
		{"unknown", "variables without defaults and a remote module: unresolved, with reasons"},
		{"wrongtrust", "heredoc trust policy trusting ec2.amazonaws.com: delivery would fail"},
		{"policydoc", "trust policy from data.aws_iam_policy_document, without confused-deputy conditions"},
		{"modulecount", "a local flow-log module with count, given each VPC; a flow log on a data-source VPC"},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			u, err := Read(filepath.Join("testdata", c.dir), false)
			if err != nil {
				t.Fatal(err)
			}
			iactest.Golden(t, u, filepath.Join("testdata", "golden", c.dir+".json"), fmt.Sprintf("%s (%s)", c.dir, c.why))
		})
	}
}

func TestUnresolvedReasons(t *testing.T) {
	u, err := Read("testdata/unknown", false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range u.Unresolved {
		got = append(got, x.String())
	}
	want := []string{
		"aws_cloudwatch_log_group.flow: retention_in_days: var.days has no default and is not set in terraform.tfvars (testdata/unknown/main.tf:12)",
		"aws_flow_log.ext: vpc_id: var.vpc_id has no default and is not set in terraform.tfvars (testdata/unknown/main.tf:16)",
		`module.flowlogs: comes from "git::https://example.com/flowlogs.git", which flowguard does not follow; it is given the VPC and may create its flow log (testdata/unknown/main.tf:21)`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
}

func TestRoots(t *testing.T) {
	root, err := iac.NewRoot("testdata")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Roots(root, "testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got {
		if strings.Contains(r, "modules/net") {
			t.Errorf("local module %s listed as a root", r)
		}
	}
	if len(got) != 14 {
		t.Errorf("roots = %v, want the 14 fixture roots", got)
	}
}

func TestTFVarsAndQualifiedIDs(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`
variable "traffic" {}
resource "aws_vpc" "v" {}
resource "aws_flow_log" "f" {
  vpc_id       = aws_vpc.v.id
  traffic_type = var.traffic
  log_destination_type = "s3"
  log_destination = "arn:aws:s3:::b"
}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "terraform.tfvars"), []byte(`traffic = "ACCEPT"`+"\n"), 0o644)
	u, err := Read(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Region.FlowLogs) != 1 || u.Region.FlowLogs[0].TrafficType != "ACCEPT" {
		t.Fatalf("flow logs = %+v, want traffic ACCEPT from terraform.tfvars", u.Region.FlowLogs)
	}
	want := "aws_vpc.v@" + filepath.ToSlash(dir)
	if u.Region.VPCs[0].ID != want || u.Region.FlowLogs[0].ResourceID != want {
		t.Errorf("ids = %s / %s, want %s", u.Region.VPCs[0].ID, u.Region.FlowLogs[0].ResourceID, want)
	}
}
