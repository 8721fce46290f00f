package engine_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// Transit Gateways cost two paginated calls per region (the gateways and their attachments) and their flow
// logs come from the region's one DescribeFlowLogs pass: 1 and 20 Transit Gateways, with their attachments
// and flow logs, make the same calls. The verdicts follow the flow logs: every second gateway has one (to S3).
func TestCallsPerRegionDoNotGrowWithTransitGateways(t *testing.T) {
	t.Parallel()
	const region = "ap-northeast-1"
	count := func(n int) map[string]int {
		e := newEnv(t)
		ctx := t.Context()
		srv := moto.Shared(t)
		c := ec2.NewFromConfig(e.acct.Config(srv.URL, region))
		vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.8.0.0/16")})
		if err != nil {
			t.Fatal(err)
		}
		sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.8.1.0/24")})
		if err != nil {
			t.Fatal(err)
		}
		bucket, err := e.b.Bucket(ctx, region, "tgw-logs-"+e.acct.ID)
		if err != nil {
			t.Fatal(err)
		}
		logged := map[string]bool{}
		for i := range n {
			tgw, err := c.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{Description: aws.String(fmt.Sprint(i))})
			if err != nil {
				t.Fatal(err)
			}
			id := tgw.TransitGateway.TransitGatewayId
			if _, err := c.CreateTransitGatewayVpcAttachment(ctx, &ec2.CreateTransitGatewayVpcAttachmentInput{TransitGatewayId: id,
				VpcId: vpc.Vpc.VpcId, SubnetIds: []string{aws.ToString(sn.Subnet.SubnetId)}}); err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := c.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeTransitGateway,
					ResourceIds: []string{aws.ToString(id)}, LogDestinationType: ec2types.LogDestinationTypeS3,
					LogDestination: aws.String(bucket), MaxAggregationInterval: aws.Int32(60)}); err != nil {
					t.Fatal(err)
				}
				logged[aws.ToString(id)] = true
			}
		}
		res := e.scan(t, region)
		seen := 0
		for _, f := range res.Findings {
			if f.CheckID != "tgw-flow-logs-enabled" {
				continue
			}
			seen++
			want := finding.StatusFail
			if logged[f.ResourceID] {
				want = finding.StatusPass
			}
			if f.Status != want {
				t.Errorf("%s: %s %s (%s), want %s", f.ResourceID, f.Status, f.Reason, f.Message, want)
			}
		}
		if seen != n {
			t.Fatalf("%d Transit Gateway findings, want %d", seen, n)
		}
		return e.proxy.CallsIn(region)
	}
	one, many := count(1), count(20)
	if d := cmp.Diff(one, many); d != "" {
		t.Errorf("calls per region differ between 1 and 20 Transit Gateways (-1 +20):\n%s", d)
	}
	if one["ec2:DescribeTransitGateways"] != 1 || one["ec2:DescribeTransitGatewayAttachments"] != 1 {
		t.Errorf("calls per region: %v", one)
	}
	t.Logf("calls per region: %v", one)
}
