package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source"
)

const (
	tf  = "../source/iac/terraform/testdata/"
	cfn = "../source/iac/cloudformation/testdata/"
)

func fixed() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// verdicts renders a result as "resource check STATUS REASON @file:line", sorted.
func verdicts(r *finding.Result) []string {
	var out []string
	for _, f := range r.Findings {
		s := fmt.Sprintf("%s %s %s %s", f.ResourceID, f.CheckID, f.Status, f.Reason)
		if f.Location != nil {
			s += fmt.Sprintf(" @%s:%d", f.Location.File, f.Location.Line)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// TestScan runs the checks on each fixture through the same evaluation as the live scan.
func TestScan(t *testing.T) {
	const (
		on  = "vpc-flow-logs-enabled"
		ret = "vpc-flow-logs-retention"
	)
	cases := []struct {
		path string
		want []string
		exit finding.Outcome
	}{
		{tf + "basic", []string{
			"aws_vpc.main " + on + " PASS  @" + tf + "basic/main.tf:5",
			"aws_vpc.main " + ret + " PASS  @" + tf + "basic/main.tf:5",
		}, 0},
		{tf + "nolog", []string{
			"aws_default_vpc.default " + on + " FAIL NO_FLOW_LOG @" + tf + "nolog/main.tf:5",
			"aws_vpc.a " + on + " FAIL NO_FLOW_LOG @" + tf + "nolog/main.tf:1",
		}, 1},
		{tf + "count", []string{
			"aws_vpc.x[0] " + on + " PASS  @" + tf + "count/main.tf:5",
			"aws_vpc.x[1] " + on + " PASS  @" + tf + "count/main.tf:5",
		}, 0},
		{tf + "foreach", []string{
			`aws_vpc.this["prod"] ` + on + " PASS  @" + tf + "foreach/main.tf:8",
			`aws_vpc.this["staging"] ` + on + " FAIL NO_FLOW_LOG @" + tf + "foreach/main.tf:8",
		}, 1},
		{tf + "community", []string{
			"module.vpc.aws_vpc.this[0] " + on + " PASS  @" + tf + "community/main.tf:1",
			"module.vpc.aws_vpc.this[0] " + ret + " FAIL RETENTION_TOO_SHORT @" + tf + "community/main.tf:12",
			"module.vpc_nolog.aws_vpc.this[0] " + on + " FAIL NO_FLOW_LOG @" + tf + "community/main.tf:15",
		}, 1},
		{tf + "subnet_only", []string{"aws_vpc.main " + on + " FAIL SUBNET_OR_ENI_ONLY @" + tf + "subnet_only/main.tf:1"}, 1},
		{tf + "accept", []string{"aws_vpc.main " + on + " FAIL ACCEPT_ONLY @" + tf + "accept/main.tf:1"}, 1},
		{tf + "locals", []string{
			"aws_vpc.main " + on + " PASS  @" + tf + "locals/main.tf:1",
			"aws_vpc.main " + ret + " UNKNOWN NOT_DECLARED @" + tf + "locals/main.tf:1",
		}, 2},
		{tf + "localmodule", []string{"module.net.aws_vpc.this " + on + " PASS  @" + tf + "localmodule/modules/net/main.tf:3"}, 0},
		{tf + "unknown", []string{"aws_vpc.main " + on + " UNKNOWN UNRESOLVED @" + tf + "unknown/main.tf:6"}, 2},
		{tf + "wrongtrust", []string{
			"aws_vpc.main " + on + " FAIL DELIVERY_FAILED @" + tf + "wrongtrust/main.tf:1",
			"aws_vpc.main " + ret + " PASS  @" + tf + "wrongtrust/main.tf:1",
		}, 1},
		{tf + "modulecount", []string{
			"aws_vpc.spoke[0] " + on + " PASS  @" + tf + "modulecount/main.tf:1",
			"aws_vpc.spoke[1] " + on + " PASS  @" + tf + "modulecount/main.tf:1",
		}, 0},
		{cfn + "nested.yaml", []string{"Vpc " + on + " UNKNOWN UNRESOLVED @" + cfn + "nested.yaml:2"}, 2},
		{tf + "plan.json", []string{
			"aws_vpc.app[0] " + on + " PASS  @" + tf + "plan.json:125",
			"aws_vpc.app[0] " + ret + " PASS  @" + tf + "plan.json:125",
			"aws_vpc.app[1] " + on + " FAIL ACCEPT_ONLY @" + tf + "plan.json:148",
			"aws_vpc.app[1] " + ret + " PASS  @" + tf + "plan.json:148",
			"module.net.aws_vpc.this " + on + " PASS  @" + tf + "plan.json:202",
		}, 1},
		{cfn + "short.yaml", []string{
			"VPC " + on + " PASS  @" + cfn + "short.yaml:8",
			"VPC " + ret + " PASS  @" + cfn + "short.yaml:8",
		}, 0},
		{cfn + "long.json", []string{
			"OtherVpc " + on + " FAIL NO_FLOW_LOG @" + cfn + "long.json:8",
			"Vpc " + on + " FAIL DELIVERY_FAILED @" + cfn + "long.json:4",
			"Vpc " + ret + " FAIL RETENTION_TOO_SHORT @" + cfn + "long.json:12",
		}, 1},
		{cfn + "conditions.yaml", []string{
			"Vpc " + on + " UNKNOWN UNRESOLVED @" + cfn + "conditions.yaml:15",
			"Vpc " + ret + " UNKNOWN UNRESOLVED @" + cfn + "conditions.yaml:15",
		}, 2},
		{cfn + "subnet.yaml", []string{"Vpc " + on + " FAIL SUBNET_OR_ENI_ONLY @" + cfn + "subnet.yaml:2"}, 1},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r, err := scanIaC([]string{c.path}, Options{Now: fixed})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(c.want, verdicts(r)); d != "" {
				t.Errorf("-want +got:\n%s", d)
			}
			if got := r.Overall(); got != c.exit {
				t.Errorf("exit code = %d, want %d", got, c.exit)
			}
			for _, f := range r.Findings {
				if f.AccountID != "iac" {
					t.Errorf("%s: account %q, want the iac placeholder", f.ResourceID, f.AccountID)
				}
			}
		})
	}
}

func TestScanSeveralQualifiesIDsAndReportsParseErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/broken.yaml", "AWSTemplateFormatVersion: x\nResources: [\n")
	r, err := scanIaC([]string{tf + "accept", cfn + "subnet.yaml", dir}, Options{Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Vpc@" + cfn + "subnet.yaml vpc-flow-logs-enabled FAIL SUBNET_OR_ENI_ONLY @" + cfn + "subnet.yaml:2",
		"aws_vpc.main@" + tf + "accept vpc-flow-logs-enabled FAIL ACCEPT_ONLY @" + tf + "accept/main.tf:1",
	}
	if d := cmp.Diff(want, verdicts(r)); d != "" {
		t.Errorf("-want +got:\n%s", d)
	}
	if len(r.Errors) != 1 || r.Overall() != finding.OutcomeIncomplete {
		t.Errorf("errors = %+v exit %d, want the broken template reported and exit 2", r.Errors, r.Overall())
	}
}

func TestDiscover(t *testing.T) {
	if _, err := source.Discover([]string{t.TempDir()}); !errors.Is(err, source.ErrNothingFound) {
		t.Errorf("empty dir: %v, want ErrNothingFound", err)
	}
	dir := t.TempDir()
	writeFile(t, dir+"/workflow.yml", "on: push\njobs: {}\n")
	writeFile(t, dir+"/package.json", `{"name": "x"}`)
	writeFile(t, dir+"/net/main.tf", `resource "aws_vpc" "a" {}`)
	writeFile(t, dir+"/.terraform/modules/x/main.tf", `resource "aws_vpc" "b" {}`)
	writeFile(t, dir+"/cfn/vpc.template", "Resources:\n  V:\n    Type: AWS::EC2::VPC\n")
	got, err := source.Discover([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	want := []source.Input{{Kind: "terraform", Path: dir + "/net", Root: dir}, {Kind: "cloudformation", Path: dir + "/cfn/vpc.template", Root: dir}}
	sort.Slice(want, func(i, j int) bool { return want[i].Path < want[j].Path })
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("-want +got:\n%s", d)
	}
	if _, err := source.Discover([]string{dir + "/workflow.yml"}); err == nil {
		t.Error("a YAML file named explicitly that is no template: no error")
	}
}

// TestUnknownOnlyWhenItMatters: an unresolved traffic type makes the VPC UNKNOWN, unless another flow log
// already makes it pass.
func TestUnknownOnlyWhenItMatters(t *testing.T) {
	const flowLog = `
resource "aws_flow_log" "%s" {
  vpc_id               = aws_vpc.v.id
  traffic_type         = %s
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`
	for _, c := range []struct {
		name, src string
		want      finding.Status
	}{
		{"unknown traffic", "variable \"t\" {}\nresource \"aws_vpc\" \"v\" {}\n" + fmt.Sprintf(flowLog, "a", "var.t"), finding.StatusUnknown},
		{"unknown and compliant", "variable \"t\" {}\nresource \"aws_vpc\" \"v\" {}\n" + fmt.Sprintf(flowLog, "a", "var.t") + fmt.Sprintf(flowLog, "b", `"REJECT"`), finding.StatusPass},
		{"maybe created", "variable \"on\" { type = bool }\nresource \"aws_vpc\" \"v\" {}\n" + strings.Replace(fmt.Sprintf(flowLog, "a", `"ALL"`), "{\n", "{\n  count = var.on ? 1 : 0\n", 1), finding.StatusUnknown},
		{"created by default", "variable \"on\" { default = true }\nresource \"aws_vpc\" \"v\" {}\n" + strings.Replace(fmt.Sprintf(flowLog, "a", `"ALL"`), "{\n", "{\n  count = var.on ? 1 : 0\n", 1), finding.StatusPass},
	} {
		dir := t.TempDir()
		writeFile(t, dir+"/main.tf", c.src)
		r, err := scanIaC([]string{dir}, Options{Now: fixed})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Findings) != 1 || r.Findings[0].Status != c.want {
			t.Errorf("%s: %s", c.name, strings.Join(verdicts(r), "; "))
		}
	}
}

func TestENIOnlyFlowLog(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/main.tf", `
resource "aws_vpc" "v" {}
resource "aws_subnet" "s" {
  vpc_id = aws_vpc.v.id
}
resource "aws_network_interface" "n" {
  subnet_id = aws_subnet.s.id
}
resource "aws_flow_log" "eni" {
  eni_id               = aws_network_interface.n.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`)
	r, err := scanIaC([]string{dir}, Options{Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || r.Findings[0].Reason != finding.ReasonSubnetOrENIOnly {
		t.Errorf("got %v, want SUBNET_OR_ENI_ONLY", verdicts(r))
	}
}

func TestPlanReplacesItsRoot(t *testing.T) {
	got, err := source.Discover([]string{"../source/iac/terraform/testdata/planwithsource"})
	if err != nil {
		t.Fatal(err)
	}
	want := []source.Input{{Kind: "terraform-plan", Path: "../source/iac/terraform/testdata/planwithsource/plan.json", Root: "../source/iac/terraform/testdata/planwithsource"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("-want +got:\n%s", d)
	}
}
