package awscli

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// awsCLI runs the real AWS CLI (v1, installed with moto) against the test account and writes its output to
// dir/name, as an auditor would with `aws … > name`. Safe to call from several goroutines.
func awsCLI(t *testing.T, acct moto.Account, endpoint, region, dir, name string, args ...string) {
	t.Helper()
	full := append([]string{"--endpoint-url", endpoint, "--region", region, "--output", "json"}, args...)
	cmd := exec.CommandContext(t.Context(), moto.TestAWSCLI(t), full...)
	cmd.Env = append(os.Environ(), acct.Env(endpoint, region)...)
	cmd.Env = append(cmd.Env, "AWS_DEFAULT_REGION="+region, "AWS_PAGER=")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Errorf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
		return
	}
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Error(err)
	} else if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Error(err)
	}
}

// TestFromRealAWSCLI builds resources in moto with the SDK, dumps them with the real AWS CLI, and checks the
// snapshot: what was dumped is there, what was not dumped is "not read".
func TestFromRealAWSCLI(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	ctx := t.Context()
	cfg := acct.Config(srv.URL, "us-east-1")
	ec2c := ec2.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)

	mkVPC := func(c *ec2.Client, cidr, name string) string {
		out, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr), TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Vpc.VpcId)
	}
	vpcA := mkVPC(ec2c, "10.1.0.0/16", "<b>logged</b>")
	vpcB := mkVPC(ec2c, "10.2.0.0/16", "subnet-only")
	sub, err := ec2c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcB), CidrBlock: aws.String("10.2.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/flow/a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/flow/a"), RetentionInDays: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::" + acct.ID + ":role/flow-logs"
	if _, err := ec2c.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceIds: []string{vpcA}, ResourceType: ec2types.FlowLogsResourceTypeVpc,
		TrafficType: ec2types.TrafficTypeReject, LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs,
		LogGroupName: aws.String("/flow/a"), DeliverLogsPermissionArn: aws.String(role)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ec2c.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceIds: []string{aws.ToString(sub.Subnet.SubnetId)},
		ResourceType: ec2types.FlowLogsResourceTypeSubnet, TrafficType: ec2types.TrafficTypeAll,
		LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String("/flow/a"),
		DeliverLogsPermissionArn: aws.String(role)}); err != nil {
		t.Fatal(err)
	}
	vpcEU := mkVPC(ec2.NewFromConfig(acct.Config(srv.URL, "eu-west-1")), "10.3.0.0/16", "eu")

	// The auditor's directory: a region directory with the three core outputs and subnets, a second region with
	// only describe-vpcs (named by file), and the caller identity at the top.
	dir := t.TempDir()
	moto.TestAWSCLI(t) // fails here, not in a goroutine, when the CLI is missing
	var wg sync.WaitGroup
	for _, c := range [][]string{
		{"us-east-1", "identity.json", "sts", "get-caller-identity"},
		{"us-east-1", "us-east-1/vpcs.json", "ec2", "describe-vpcs"},
		{"us-east-1", "us-east-1/flow-logs.json", "ec2", "describe-flow-logs"},
		{"us-east-1", "us-east-1/log-groups.json", "logs", "describe-log-groups"},
		{"us-east-1", "us-east-1/subnets.json", "ec2", "describe-subnets"},
		{"eu-west-1", "describe-vpcs.eu-west-1.json", "ec2", "describe-vpcs"},
	} {
		wg.Go(func() { awsCLI(t, acct, srv.URL, c[0], dir, c[1], c[2:]...) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	snap, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Source != inventory.SourceAWSCLI || snap.Schema != inventory.SnapshotSchema || len(snap.Regions) != 2 {
		t.Fatalf("snapshot %s %s with %d regions", snap.Schema, snap.Source, len(snap.Regions))
	}
	eu, us := snap.Regions[0], snap.Regions[1]
	if eu.Name != "eu-west-1" || us.Name != "us-east-1" || eu.AccountID != acct.ID || us.AccountID != acct.ID {
		t.Fatalf("regions %s/%s, %s/%s; want account %s", eu.AccountID, eu.Name, us.AccountID, us.Name, acct.ID)
	}

	byID := map[string]inventory.VPC{}
	for _, v := range us.VPCs {
		byID[v.ID] = v
	}
	if a := byID[vpcA]; a.Name() != "<b>logged</b>" || a.CIDR != "10.1.0.0/16" || a.OwnerID != acct.ID || a.IsDefault {
		t.Errorf("VPC A = %+v", a)
	}
	if _, ok := byID[vpcB]; !ok {
		t.Errorf("VPC B missing from %v", us.VPCs)
	}
	if !hasVPC(eu.VPCs, vpcEU) {
		t.Errorf("eu VPC %s missing", vpcEU)
	}

	type fl struct{ Resource, Type, Status, Traffic, Dest, Group, Role string }
	var gotFL []fl
	for _, f := range us.FlowLogs {
		gotFL = append(gotFL, fl{f.ResourceID, f.ResourceType, f.Status, f.TrafficType, f.DestinationType, f.LogGroupName, f.DeliverLogsPermissionARN})
	}
	sort.Slice(gotFL, func(i, j int) bool { return gotFL[i].Resource < gotFL[j].Resource })
	wantFL := []fl{
		{aws.ToString(sub.Subnet.SubnetId), "Subnet", "ACTIVE", "ALL", "cloud-watch-logs", "/flow/a", role},
		{vpcA, "VPC", "ACTIVE", "REJECT", "cloud-watch-logs", "/flow/a", role},
	}
	if diff := cmp.Diff(wantFL, gotFL); diff != "" {
		t.Errorf("flow logs (-want +got):\n%s", diff)
	}
	if len(us.LogGroups) != 1 || us.LogGroups[0].Name != "/flow/a" || us.LogGroups[0].RetentionDays == nil || *us.LogGroups[0].RetentionDays != 30 {
		t.Errorf("log groups = %+v", us.LogGroups)
	}
	if !hasSubnet(us.Subnets, aws.ToString(sub.Subnet.SubnetId), vpcB) {
		t.Errorf("subnet missing: %+v", us.Subnets)
	}

	// What was read, and what was not.
	for _, c := range []inventory.Collection{inventory.CollVPCs, inventory.CollFlowLogs, inventory.CollLogGroups, inventory.CollSubnets} {
		if !us.Read(c) {
			t.Errorf("us-east-1 %s not read: %v", c, us.Errors)
		}
	}
	for _, c := range []inventory.Collection{inventory.CollNetworkInterfaces, inventory.CollInternetGateways} {
		if us.Read(c) {
			t.Errorf("us-east-1 %s read without a file", c)
		}
	}
	if !eu.Read(inventory.CollVPCs) || eu.Read(inventory.CollFlowLogs) || eu.Read(inventory.CollLogGroups) {
		t.Errorf("eu-west-1: only VPCs were given, errors = %v", eu.Errors)
	}
	if e, _ := eu.ErrorFor(inventory.CollFlowLogs); !strings.Contains(e.Message, "aws ec2 describe-flow-logs") {
		t.Errorf("eu-west-1 flow-log error does not say which command is missing: %v", e)
	}
}

func hasVPC(vs []inventory.VPC, id string) bool {
	for _, v := range vs {
		if v.ID == id {
			return true
		}
	}
	return false
}

func hasSubnet(ss []inventory.Subnet, id, vpc string) bool {
	for _, s := range ss {
		if s.ID == id && s.VPCID == vpc {
			return true
		}
	}
	return false
}
