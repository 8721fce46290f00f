package faultproxy_test

import (
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"

	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

func TestAccountsAreIsolated(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	a, b := moto.NewTestAccount(t), moto.NewTestAccount(t)
	ctx := t.Context()
	ea := ec2.NewFromConfig(a.Config(srv.URL, "us-east-1"))
	eb := ec2.NewFromConfig(b.Config(srv.URL, "us-east-1"))
	if _, err := ea.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")}); err != nil {
		t.Fatal(err)
	}
	va, _ := ea.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	vb, _ := eb.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if len(va.Vpcs) != len(vb.Vpcs)+1 {
		t.Fatalf("account %s sees %d VPCs, account %s sees %d: accounts are not isolated", a.ID, len(va.Vpcs), b.ID, len(vb.Vpcs))
	}
	for _, v := range va.Vpcs {
		if aws.ToString(v.OwnerId) != a.ID {
			t.Errorf("VPC %s owner %s, want %s", aws.ToString(v.VpcId), aws.ToString(v.OwnerId), a.ID)
		}
	}
}

func TestFaultsAreShapedLikeAWS(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	p := faultproxy.New(srv.URL, faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		switch c.Action {
		case "DescribeVpcs", "DescribeLogGroups":
			return faultproxy.Throttle
		case "DescribeSubnets":
			return faultproxy.AccessDenied
		}
		return faultproxy.None
	}})
	defer p.Close()
	cfg := acct.Config(p.URL, "eu-west-1")
	cfg.Retryer = func() aws.Retryer { return retry.AddWithMaxAttempts(retry.NewStandard(), 2) }
	ctx := t.Context()
	var ae smithy.APIError
	_, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "RequestLimitExceeded" {
		t.Errorf("ec2 throttle: got %v", err)
	}
	_, err = cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException" {
		t.Errorf("logs throttle: got %v", err)
	}
	_, err = ec2.NewFromConfig(cfg).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnauthorizedOperation" {
		t.Errorf("ec2 denied: got %v", err)
	}
	if _, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); err != nil {
		t.Errorf("pass-through: %v", err)
	}
	calls := p.CallsIn("eu-west-1")
	if calls["ec2:DescribeVpcs"] != 2 || calls["logs:DescribeLogGroups"] != 2 || calls["ec2:DescribeRegions"] != 1 {
		t.Errorf("calls = %v", calls)
	}
	if m := faultproxy.Mutating(p.Calls()); len(m) != 0 {
		t.Errorf("mutating calls seen: %v", m)
	}
}
