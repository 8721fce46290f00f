package remediate_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// A run that applies its first batch and defers the rest is "partial: N deferred" and exits 4, distinct from
// complete (0), failed (1), interrupted (2) and declined (5).
func TestFixDeferredIsPartialExit4(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	const region = "us-east-1"
	c := ec2.NewFromConfig(acct.Config(srv.URL, region))
	for _, cidr := range []string{"10.1.0.0/16", "10.2.0.0/16"} {
		if _, err := c.CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)}); err != nil {
			t.Fatal(err)
		}
	}
	env := acct.Env(srv.URL, region)
	code, out, errOut := runEnv(t, env, "fix", "--region", region, "--journal-dir", t.TempDir(), "--apply", "--yes", "--batch-size", "1", "--max-batches", "1")
	if code != cmdutil.ExitPartial || !strings.Contains(out, "partial: 2 deferred") || strings.Contains(out, ": complete") {
		t.Fatalf("deferred run: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "3 VPCs in the plan: 1 to change, 2 deferred, 0 left alone, 0 already passing") {
		t.Errorf("plan counts:\n%s", out)
	}
}

// VPCs left alone for a stated reason (a delivery role flowguard did not create and may not use) are not an
// interruption: the plan and the apply do not exit 2.
func TestFixLeftAloneIsNotInterrupted(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	const region = "us-east-1"
	cfg := acct.Config(srv.URL, region)
	if _, err := iam.NewFromConfig(cfg).CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String(fix.DefaultRoleName),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	env := acct.Env(srv.URL, region)
	jd := t.TempDir()
	code, out, errOut := runEnv(t, env, "fix", "--region", region, "--journal-dir", jd)
	if code != cmdutil.ExitOK || !strings.Contains(out, "left alone (1 VPC)") || !strings.Contains(out, "not created by flowguard") {
		t.Fatalf("plan with a VPC left alone: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runEnv(t, env, "fix", "--region", region, "--journal-dir", jd, "--apply", "--yes")
	if code == cmdutil.ExitIncomplete || strings.Contains(out, "interrupted") {
		t.Fatalf("apply with a VPC left alone: exit %d\n%s\n%s", code, out, errOut)
	}
}

// The run id a plan prints (and its tags show) is the id the apply uses: fix --apply --run ID starts that run.
func TestPlannedRunIDIsApplied(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	const region = "us-east-1"
	env := acct.Env(srv.URL, region)
	jd := t.TempDir()
	code, out, errOut := runEnv(t, env, "fix", "--region", region, "--journal-dir", jd)
	m := regexp.MustCompile(`flowguard fix plan: run ([0-9A-Za-z_-]+), account`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	id := m[1]
	if !strings.Contains(out, "flowguard:run-id="+id) || !strings.Contains(out, "fix --apply --run "+id) {
		t.Fatalf("plan does not show its run id %s in its tags and apply line:\n%s", id, out)
	}
	code, out, errOut = runEnv(t, env, "fix", "--region", region, "--journal-dir", jd, "--apply", "--yes", "--run", id)
	if code != 0 || !strings.Contains(out, "run "+id+": complete") {
		t.Fatalf("apply --run %s: exit %d\n%s\n%s", id, code, out, errOut)
	}
	fls, err := ec2.NewFromConfig(acct.Config(srv.URL, region)).DescribeFlowLogs(t.Context(), &ec2.DescribeFlowLogsInput{})
	if err != nil || len(fls.FlowLogs) != 1 {
		t.Fatalf("flow logs: %v %+v", err, fls)
	}
	var tagged string
	for _, tg := range fls.FlowLogs[0].Tags {
		if aws.ToString(tg.Key) == fix.TagRunID {
			tagged = aws.ToString(tg.Value)
		}
	}
	if tagged != id {
		t.Errorf("flow log tagged run %q, plan showed %q", tagged, id)
	}
	// rollback --dry-run says the run's flow log still exists (it said "still shows 0").
	code, out, errOut = runEnv(t, env, "rollback", "--run", id, "--journal-dir", jd, "--dry-run")
	if code != 0 || !strings.Contains(out, "describe-flow-logs shows 1 flow log of the run now") || strings.Contains(out, "still shows 0") {
		t.Fatalf("rollback --dry-run: exit %d\n%s\n%s", code, out, errOut)
	}
}

// An S3 destination bucket that does not exist is found by the plan (HeadBucket), not by a 400 at apply: the
// region's VPCs are left alone with why, apply makes no call for them, and both exit 0 like any VPC left alone.
func TestFixMissingS3BucketLeftAloneBeforeApply(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	proxy := faultproxy.New(srv.URL, faultproxy.Options{})
	t.Cleanup(proxy.Close)
	cfg := acct.Config(srv.URL, "us-east-1")
	east := "acme-flow-logs-" + acct.ID + "-us-east-1"
	west := "acme-flow-logs-" + acct.ID + "-us-west-2"
	if _, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(east)}); err != nil {
		t.Fatal(err)
	}
	env := acct.Env(proxy.URL, "us-east-1")
	jd := t.TempDir()
	args := []string{"fix", "--region", "us-east-1,us-west-2", "--journal-dir", jd, "--destination", "s3",
		"--s3-bucket-arn", "arn:aws:s3:::acme-flow-logs-{account}-{region}"}
	code, out, errOut := runEnv(t, env, args...)
	if code != cmdutil.ExitOK || !strings.Contains(out, "bucket "+west+" does not exist (HeadBucket 404)") ||
		!strings.Contains(out, "2 VPCs in the plan: 1 to change, 0 deferred, 1 left alone, 0 already passing") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	proxy.Reset()
	code, out, errOut = runEnv(t, env, append(args, "--apply", "--yes")...)
	if code != cmdutil.ExitOK || !strings.Contains(out, ": complete") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := proxy.CallsIn("us-west-2")["ec2:CreateFlowLogs"]; n != 0 {
		t.Errorf("%d CreateFlowLogs calls in us-west-2, whose bucket does not exist", n)
	}
	if n := proxy.CallsIn("us-east-1")["ec2:CreateFlowLogs"]; n != 1 {
		t.Errorf("%d CreateFlowLogs calls in us-east-1, want 1", n)
	}
}
