package fix

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// A CloudWatch flow log created with a destination ARN and no group name: fix reads it through the scan's
// reader, so it knows the group it delivers to (fix's own converter used to leave LogGroupName empty, and a
// FAILED delivery to that group was then never diagnosed).
func TestFixReadsLogGroupFromDestinationARN(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region, group = "us-east-1", "/custom/by-arn"
	vpc := e.mkVPC(t, region, "10.7.0.0/16", nil, false)
	if _, err := cloudwatchlogs.NewFromConfig(e.cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:" + region + ":" + e.acct.ID + ":log-group:" + group
	_, err := e.ec2(region).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{
		ResourceIds: []string{vpc}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeReject,
		LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogDestination: aws.String(arn),
		DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + e.acct.ID + ":role/delivery"),
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Plan{Account: e.acct.ID, Settings: DefaultSettings()}
	rs, err := readRegion(ctx, newClients(e.cfg), p, region, false)
	if err != nil {
		t.Fatal(err)
	}
	fls := rs.flowLogsOn(vpc)
	if len(fls) != 1 {
		t.Fatalf("flow logs on %s: %+v", vpc, rs.FlowLogs)
	}
	if fls[0].Destination != arn {
		t.Fatalf("destination %q, want %q (moto must not have filled the group name by itself for this test to mean anything)", fls[0].Destination, arn)
	}
	if fls[0].LogGroupName != group {
		t.Errorf("fix read LogGroupName %q from a flow log whose destination is %s, want %q", fls[0].LogGroupName, arn, group)
	}
}
