package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/layout"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// BenchmarkDeliveryCalls prints the API calls the delivery check makes in one account-region for 1, 100 and
// 1,000 VPCs (one in-use interface each) whose flow logs share 1 or 50 CloudWatch Logs groups, and, beside
// them, as many VPCs delivering to S3 under 1 or 50 bucket prefixes. Every interface has a log stream with a
// record a minute old, every S3 flow log an object from today: the destinations hold what AWS would have
// delivered. The VPCs, interfaces and flow logs are an inventory in memory (the delivery read takes them
// as the scan found them); the log groups, streams, bucket and objects are real, in moto, and the calls are
// counted by the fault proxy.
//
//	go test ./internal/engine -run '^$' -bench DeliveryCalls -benchtime 1x
func BenchmarkDeliveryCalls(b *testing.B) {
	srv := moto.Shared(b)
	acct, err := srv.NewAccount(b.Context(), "")
	if err != nil {
		b.Fatal(err)
	}
	const region = "us-east-1"
	direct := acct.Config(srv.URL, region)
	logs := cloudwatchlogs.NewFromConfig(direct)
	s3c := s3.NewFromConfig(direct, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "bench-" + acct.ID
	if _, err := s3c.CreateBucket(b.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	seq := 0
	for _, vpcs := range []int{1, 100, 1000} {
		for _, groups := range []int{1, 50} {
			b.Run(fmt.Sprintf("vpcs=%d/groups=%d", vpcs, groups), func(b *testing.B) {
				ctx := b.Context()
				reg := &inventory.Region{AccountID: acct.ID, Partition: "aws", Name: region}
				for i := 0; i < vpcs; i++ {
					seq++
					vpc, eni := fmt.Sprintf("vpc-%017x", seq), fmt.Sprintf("eni-%017x", seq)
					group := fmt.Sprintf("/bench/%d-%d/g%d", vpcs, groups, i%groups)
					reg.VPCs = append(reg.VPCs, inventory.VPC{ID: vpc, OwnerID: acct.ID})
					reg.NetworkInterfaces = append(reg.NetworkInterfaces, inventory.NetworkInterface{ID: eni, VPCID: vpc, Status: "in-use"})
					reg.FlowLogs = append(reg.FlowLogs, inventory.FlowLog{ID: fmt.Sprintf("fl-%017x", seq), ResourceID: vpc,
						ResourceType: inventory.ResourceTypeVPC, Status: inventory.FlowLogStatusActive, TrafficType: inventory.TrafficAll,
						DestinationType: inventory.DestinationCloudWatchLogs, LogGroupName: group})
					if i < groups {
						if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
							b.Fatal(err)
						}
					}
					stream := eni + "-all"
					if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
						b.Fatal(err)
					}
					if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
						LogEvents: []cwltypes.InputLogEvent{{Message: aws.String("2 x"), Timestamp: aws.Int64(now.Add(-time.Minute).UnixMilli())}}}); err != nil {
						b.Fatal(err)
					}
					// The same number of VPCs delivering to S3, under `groups` prefixes of one bucket.
					seq++
					s3vpc, fl := fmt.Sprintf("vpc-%017x", seq), fmt.Sprintf("fl-%017x", seq)
					prefix := fmt.Sprintf("bench-%d-%d-%d/", vpcs, groups, i%groups)
					reg.VPCs = append(reg.VPCs, inventory.VPC{ID: s3vpc, OwnerID: acct.ID})
					reg.FlowLogs = append(reg.FlowLogs, inventory.FlowLog{ID: fl, ResourceID: s3vpc, ResourceType: inventory.ResourceTypeVPC,
						Status: inventory.FlowLogStatusActive, TrafficType: inventory.TrafficAll, DestinationType: inventory.DestinationS3,
						Destination: "arn:aws:s3:::" + bucket + "/" + prefix})
					key := layout.Key(prefix, acct.ID, region, fl, now.Add(-5*time.Minute), "0a1b2c3d", layout.Options{})
					if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("v")}); err != nil {
						b.Fatal(err)
					}
				}
				p := faultproxy.New(srv.URL, faultproxy.Options{})
				defer p.Close()
				targets := []awsapi.Target{{AccountID: acct.ID, Partition: "aws", Config: acct.Config(p.URL, region)}}
				b.ResetTimer()
				for b.Loop() {
					for i := range reg.FlowLogs {
						reg.FlowLogs[i].Delivery = nil
					}
					awsapi.CollectDelivery(ctx, targets, []*inventory.Region{reg}, awsapi.DeliveryOptions{}, 16)
				}
				b.StopTimer()
				for _, f := range reg.FlowLogs {
					if d := f.Delivery; d == nil || d.Error != "" || d.Newest == nil {
						b.Fatalf("flow log %s: delivery %+v", f.ID, d)
					}
				}
				calls := p.CallsIn(region)
				n := float64(b.N)
				b.ReportMetric(float64(calls["logs:DescribeLogStreams"])/n, "DescribeLogStreams/region")
				b.ReportMetric(float64(calls["s3:ListObjectsV2"])/n, "ListObjectsV2/region")
				b.ReportMetric(float64(p.Total())/n, "calls/region")
				b.ReportMetric(float64(2*vpcs), "vpcs")
			})
		}
	}
}
