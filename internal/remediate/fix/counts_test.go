package fix

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
)

// With --batch-size 3 --max-batches 1, a plan of 8 VPCs divides into 3 to change, 3 deferred, 1 left alone
// (it only fails retention, without --fix-retention) and 1 already passing: the parts add up to the plan, the
// retention-only VPC takes no place in a batch, and the run is "partial: 3 deferred", not "complete".
func TestPlanCountsAddUp(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	for _, cidr := range []string{"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16", "10.7.0.0/16"} {
		e.mkVPC(t, region, cidr, nil, false)
	}
	late := e.mkVPC(t, region, "10.5.0.0/16", nil, false)
	retOnly := e.mkVPC(t, region, "10.6.0.0/16", nil, false)
	cwl := cloudwatchlogs.NewFromConfig(e.cfg)
	for _, g := range []string{"team-flowlogs", "late-flowlogs"} {
		cwl.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)})
	}
	cwl.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("team-flowlogs"), RetentionInDays: aws.Int32(30)})
	flowLog := func(vpc, group string) {
		t.Helper()
		if _, err := e.ec2(region).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: []string{vpc},
			TrafficType: ec2types.TrafficTypeAll, LogGroupName: aws.String(group), DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + e.acct.ID + ":role/team")}); err != nil {
			t.Fatal(err)
		}
	}
	flowLog(retOnly, "team-flowlogs")
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	// Someone fixes one VPC between the scan and the plan.
	flowLog(late, "late-flowlogs")

	s := DefaultSettings()
	s.BatchSize, s.MaxBatches = 3, 1
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	p := pr.Plan
	c := p.Counts()
	// 5 new VPCs and moto's default VPC need a flow log; one fails only retention; one passes by now.
	want := Counts{ToChange: 3, Deferred: 3, LeftAlone: 1, Passing: 1, Total: 8}
	if c != want {
		t.Fatalf("counts = %+v, want %+v", c, want)
	}
	for _, d := range p.Deferred {
		if d.VPCID == retOnly {
			t.Errorf("the retention-only VPC %s is deferred: it gets no step", retOnly)
		}
	}
	if len(p.Skipped) != 1 || p.Skipped[0].VPCID != retOnly || !strings.Contains(p.Skipped[0].Reason, "--fix-retention") {
		t.Errorf("left alone = %+v, want %s with why (--fix-retention)", p.Skipped, retOnly)
	}
	if len(p.Passing) != 1 || p.Passing[0].VPCID != late {
		t.Errorf("passing = %+v, want %s", p.Passing, late)
	}
	var buf bytes.Buffer
	WritePlan(&buf, p, true)
	if line := "8 VPCs in the plan: 3 to change, 3 deferred, 1 left alone, 1 already passing"; !strings.Contains(buf.String(), line) {
		t.Errorf("plan lacks %q:\n%s", line, buf.String())
	}

	out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != journal.StatusPartial || out.Deferred != 3 || out.Headline() != "partial: 3 deferred" || out.Overall() != finding.OutcomePartial {
		t.Fatalf("outcome = %s (%s, %d deferred, %v), want partial: 3 deferred", out.Status, out.Headline(), out.Deferred, out.Overall())
	}
	buf.Reset()
	WriteOutcome(&buf, out)
	if strings.Contains(buf.String(), "complete") || !strings.Contains(buf.String(), "partial: 3 deferred") {
		t.Errorf("outcome text:\n%s", buf.String())
	}
}
