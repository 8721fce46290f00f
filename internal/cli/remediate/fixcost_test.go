package remediate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/logs/cost"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// fix --cost-from shows, under the plan, what the flow logs it creates would cost per VPC, at the plan's
// destination and traffic type, from a logs cost estimate; the VPCs the estimate has no records of are named.
func TestFixPlanShowsCostEstimate(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	const region = "us-east-1"
	c := ec2.NewFromConfig(acct.Config(srv.URL, region))
	out, err := c.CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(out.Vpc.VpcId)
	dir := t.TempDir()
	env := acct.Env(srv.URL, region)
	scan := filepath.Join(dir, "scan.json")
	if code, _, errOut := runEnv(t, env, "scan", "--region", region, "--output", "json", "--out", scan); code != cmdutil.ExitFail {
		t.Fatalf("scan: exit %d %s", code, errOut)
	}
	// A day of records of that VPC (from a sample flow log, say), then its estimate.
	logs := filepath.Join(dir, "day.log")
	f, err := os.Create(logs)
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.New(gen.Config{Seed: 3, Records: 5000, Duration: 24 * time.Hour, VPC: vpc, Format: flowlog.FormatOf(flowlog.FieldsOfVersion(3)...)}).WriteStream(f, true); err != nil {
		t.Fatal(err)
	}
	f.Close()
	estFile := filepath.Join(dir, "cost.json")
	if code, _, errOut := runEnv(t, env, "logs", "cost", logs, "-o", "json", "--out", estFile); code != 0 {
		t.Fatalf("logs cost: exit %d %s", code, errOut)
	}
	est, err := cost.ReadEstimate(estFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]cost.Cost{}
	for _, c := range est.Groups[0].PerDest {
		want[c.Destination] = c
	}
	jd := filepath.Join(dir, "runs")
	code, stdout, errOut := runEnv(t, env, "fix", "--from", scan, "--journal-dir", jd, "--cost-from", estFile)
	if code != 0 || !strings.Contains(stdout, "Estimated cost of the flow logs this plan creates (cloudwatch-standard, ALL traffic") ||
		!strings.Contains(stdout, vpc) || !strings.Contains(stdout, cost.Money("USD", want["cloudwatch-standard"].All)) ||
		!strings.Contains(stdout, "not estimated: 1 VPC") {
		t.Fatalf("plan with --cost-from: exit %d\n%s\n%s", code, stdout, errOut)
	}
	code, stdout, errOut = runEnv(t, env, "fix", "--from", scan, "--journal-dir", jd, "--cost-from", estFile, "-o", "json",
		"--traffic-type", "REJECT")
	var doc struct {
		Costs []cost.PlanEstimate `json:"cost_estimates"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &doc) != nil || len(doc.Costs) != 1 {
		t.Fatalf("json plan: exit %d\n%s\n%s", code, stdout, errOut)
	}
	pe := doc.Costs[0]
	if pe.Destination != "cloudwatch-standard" || pe.Traffic != "REJECT" || len(pe.VPCs) != 1 || pe.VPCs[0].VPCID != vpc ||
		pe.VPCs[0].PerMonth != want["cloudwatch-standard"].Reject || pe.Total != pe.VPCs[0].PerMonth || len(pe.NotEstimated) != 1 {
		t.Errorf("plan estimate %+v, want %s REJECT %v", pe, vpc, want["cloudwatch-standard"].Reject)
	}
	// A file that is not an estimate is refused before any change, with its name.
	code, _, errOut = runEnv(t, env, "fix", "--from", scan, "--journal-dir", jd, "--cost-from", scan)
	if code != cmdutil.ExitUsage || !strings.Contains(errOut, scan) {
		t.Errorf("--cost-from a scan: exit %d %s", code, errOut)
	}
}
