// Package graphtest holds inventory fixtures for the graph, query and checks tests: a small snapshot that
// has one VPC for every verdict, and a generator of large synthetic snapshots for benchmarks.
package graphtest

import (
	"fmt"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Accounts of the fixture.
const (
	Account = "111111111111"
	Owner   = "222222222222" // owns the shared VPC
)

func i32(v int32) *int32 { return &v }

// Snapshot returns a fresh fixture:
//
//	vpc-a  ACTIVE ALL flow log → log group fl-a (365 days); Name=prod, env=prod; internet gateway; 2 interfaces
//	vpc-b  no flow log
//	vpc-c  a flow log that is not ACTIVE
//	vpc-d  an ACTIVE ACCEPT-only flow log → S3 bucket fl-bucket
//	vpc-e  ACTIVE REJECT flow log with FAILED delivery → fl-short (30 days), and ACTIVE ALL → missing log group
//	vpc-f  only a subnet flow log (on subnet-f1)
//	vpc-g  shared from 222222222222, no flow log
//	vpc-h  in us-west-2, where the flow logs could not be read
func Snapshot() *inventory.Snapshot {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &inventory.Snapshot{
		Schema: inventory.SnapshotSchema, Source: inventory.SourceSnapshot, CollectedAt: created,
		Regions: []*inventory.Region{{
			AccountID: Account, Partition: "aws", Name: "us-east-1",
			VPCs: []inventory.VPC{
				{ID: "vpc-a", OwnerID: Account, CIDR: "10.0.0.0/16", State: "available", Tags: map[string]string{"Name": "prod", "env": "prod"}},
				{ID: "vpc-b", OwnerID: Account, CIDR: "10.1.0.0/16", State: "available", IsDefault: true},
				{ID: "vpc-c", OwnerID: Account, CIDR: "10.2.0.0/16", State: "available"},
				{ID: "vpc-d", OwnerID: Account, CIDR: "10.3.0.0/16", State: "available", Tags: map[string]string{"env": "dev"}},
				{ID: "vpc-e", OwnerID: Account, CIDR: "10.4.0.0/16", State: "available"},
				{ID: "vpc-f", OwnerID: Account, CIDR: "10.5.0.0/16", State: "available"},
				{ID: "vpc-g", OwnerID: Owner, CIDR: "10.6.0.0/16", State: "available"},
			},
			FlowLogs: []inventory.FlowLog{
				{ID: "fl-1", ResourceID: "vpc-a", ResourceType: "VPC", Status: "ACTIVE", TrafficType: "ALL",
					DestinationType: "cloud-watch-logs", LogGroupName: "fl-a", DeliverLogsStatus: "SUCCESS",
					Destination: "arn:aws:logs:us-east-1:111111111111:log-group:fl-a", MaxAggregationInterval: 600, CreatedAt: &created},
				{ID: "fl-2", ResourceID: "vpc-c", ResourceType: "VPC", Status: "INACTIVE", TrafficType: "ALL",
					DestinationType: "cloud-watch-logs", LogGroupName: "fl-a", DeliverLogsStatus: "SUCCESS"},
				{ID: "fl-3", ResourceID: "vpc-d", ResourceType: "VPC", Status: "ACTIVE", TrafficType: "ACCEPT",
					DestinationType: "s3", Destination: "arn:aws:s3:::fl-bucket/prefix", DeliverLogsStatus: "SUCCESS",
					FileFormat: "parquet"},
				{ID: "fl-4", ResourceID: "vpc-e", ResourceType: "VPC", Status: "ACTIVE", TrafficType: "REJECT",
					DestinationType: "cloud-watch-logs", LogGroupName: "fl-short", DeliverLogsStatus: "FAILED",
					DeliverLogsError: "Access error"},
				{ID: "fl-5", ResourceID: "vpc-e", Status: "ACTIVE", TrafficType: "ALL",
					DestinationType: "cloud-watch-logs", LogGroupName: "gone", DeliverLogsStatus: "SUCCESS",
					Tags: map[string]string{"team": "net"}},
				{ID: "fl-6", ResourceID: "subnet-f1", ResourceType: "Subnet", Status: "ACTIVE", TrafficType: "ALL",
					DestinationType: "cloud-watch-logs", LogGroupName: "fl-a", DeliverLogsStatus: "SUCCESS"},
			},
			Subnets: []inventory.Subnet{
				{ID: "subnet-a1", VPCID: "vpc-a", CIDR: "10.0.1.0/24", AvailabilityZone: "us-east-1a"},
				{ID: "subnet-f1", VPCID: "vpc-f", CIDR: "10.5.1.0/24", AvailabilityZone: "us-east-1b", Tags: map[string]string{"Name": "f1"}},
			},
			NetworkInterfaces: []inventory.NetworkInterface{
				{ID: "eni-a1", VPCID: "vpc-a", SubnetID: "subnet-a1", Status: "in-use", Type: "interface"},
				{ID: "eni-a2", VPCID: "vpc-a", SubnetID: "subnet-a1", Status: "in-use", Type: "nat_gateway"},
			},
			InternetGateways: []inventory.InternetGateway{{ID: "igw-a", AttachedVPCs: []string{"vpc-a"}}},
			LogGroups: []inventory.LogGroup{
				{Name: "fl-a", ARN: "arn:aws:logs:us-east-1:111111111111:log-group:fl-a:*", RetentionDays: i32(365)},
				{Name: "fl-short", RetentionDays: i32(30)},
			},
		}, {
			AccountID: Account, Partition: "aws", Name: "us-west-2",
			VPCs: []inventory.VPC{{ID: "vpc-h", OwnerID: Account}},
			Errors: []inventory.ReadError{{AccountID: Account, Region: "us-west-2", Collection: inventory.CollFlowLogs,
				Operation: "DescribeFlowLogs", Code: "AccessDenied", Message: "not authorized"}},
		}},
		Buckets: []inventory.Bucket{{Name: "fl-bucket", AccountID: Account, State: inventory.BucketExists}},
	}
}

// Large returns a snapshot of vpcs VPCs spread over 10 regions of one account, with flowLogsPerVPC flow logs
// each in a mix of states (ACTIVE/not, ALL/REJECT/ACCEPT, delivery ok/failed, CloudWatch/S3), and one log group
// per region. Every tenth VPC has no ACTIVE flow log (the seed's query finds those).
func Large(vpcs, flowLogsPerVPC int) *inventory.Snapshot {
	const regions = 10
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: inventory.SourceSnapshot}
	traffic := []string{"ALL", "REJECT", "ACCEPT"}
	for r := 0; r < regions; r++ {
		reg := &inventory.Region{AccountID: Account, Partition: "aws", Name: fmt.Sprintf("region-%d", r)}
		n := vpcs / regions
		if r < vpcs%regions {
			n++
		}
		reg.LogGroups = []inventory.LogGroup{{Name: "flow-logs", RetentionDays: i32(int32(30 * (r + 1)))}}
		reg.VPCs = make([]inventory.VPC, 0, n)
		reg.FlowLogs = make([]inventory.FlowLog, 0, n*flowLogsPerVPC)
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("vpc-%02d%08d", r, i)
			reg.VPCs = append(reg.VPCs, inventory.VPC{ID: id, OwnerID: Account, State: "available"})
			for j := 0; j < flowLogsPerVPC; j++ {
				k := i*flowLogsPerVPC + j
				f := inventory.FlowLog{ID: fmt.Sprintf("fl-%02d%08d", r, k), ResourceID: id, ResourceType: "VPC",
					Status: "ACTIVE", TrafficType: traffic[k%3], DestinationType: "cloud-watch-logs",
					LogGroupName: "flow-logs", DeliverLogsStatus: "SUCCESS"}
				if k%7 == 0 || i%10 == 0 { // every tenth VPC has no ACTIVE flow log at all
					f.Status = "INACTIVE"
				}
				if k%11 == 0 {
					f.DeliverLogsStatus = "FAILED"
				}
				if k%5 == 0 {
					f.DestinationType, f.LogGroupName, f.Destination = "s3", "", "arn:aws:s3:::bucket"
				}
				reg.FlowLogs = append(reg.FlowLogs, f)
			}
		}
		snap.Regions = append(snap.Regions, reg)
	}
	return snap
}
