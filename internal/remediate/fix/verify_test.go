package fix

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/flowguard/flowguard/internal/finding"
)

// verify judges with scan's own check: a VPC of the run left with only a subnet flow log is SUBNET_OR_ENI_ONLY
// in both (verify used to say NO_FLOW_LOG), and verify keeps its delivery column.
func TestVerifySaysWhatScanSays(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	vpc := e.mkVPC(t, region, "10.4.0.0/16", nil, false)
	sub, err := e.ec2(region).CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.4.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	s := DefaultSettings()
	s.Destination = "s3"
	bucket := "verify-" + e.acct.ID
	e.s3Bucket(t, bucket)
	s.S3BucketARN = "arn:aws:s3:::" + bucket
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	vr, err := Verify(ctx, e.cfg, e.dir, pr.Plan.RunID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v := verdictOf(vr, vpc); v == nil || v.Status != finding.StatusPass || len(v.FlowLogs) != 1 || !v.FlowLogs[0].ByRun {
		t.Fatalf("verify after apply: %+v", vr.VPCs)
	}

	// Someone replaces the run's VPC flow log by a subnet flow log.
	fls := e.flowLogsByVPC(t, region)[vpc]
	if _, err := e.ec2(region).DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{fls[0].ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ec2(region).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeSubnet,
		ResourceIds: []string{aws.ToString(sub.Subnet.SubnetId)}, TrafficType: ec2types.TrafficTypeAll,
		LogDestinationType: ec2types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::" + bucket)}); err != nil {
		t.Fatal(err)
	}
	var scanReason string
	for _, f := range miniScan(t, ctx, e.cfg, e.acct.ID, region).Findings {
		if f.CheckID == CheckEnabled && f.ResourceID == vpc {
			scanReason = string(f.Status) + " " + f.Reason
		}
	}
	if scanReason != "FAIL "+finding.ReasonSubnetOrENIOnly {
		t.Fatalf("scan says %q, want FAIL %s", scanReason, finding.ReasonSubnetOrENIOnly)
	}
	vr, err = Verify(ctx, e.cfg, e.dir, pr.Plan.RunID, 0)
	if err != nil {
		t.Fatal(err)
	}
	v := verdictOf(vr, vpc)
	if v == nil || string(v.Status)+" "+v.Reason != scanReason || vr.Overall() != finding.OutcomeFail {
		t.Fatalf("verify says %+v, scan says %q", v, scanReason)
	}
	if v.Delivery != "" {
		t.Errorf("delivery %q for a run whose flow log is gone", v.Delivery)
	}
}

func verdictOf(vr *VerifyResult, vpc string) *VPCVerdict {
	for i := range vr.VPCs {
		if vr.VPCs[i].VPCID == vpc {
			return &vr.VPCs[i]
		}
	}
	return nil
}
