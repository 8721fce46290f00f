package fix

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// env is one test's isolated account behind a counting proxy.
type env struct {
	acct  moto.Account
	proxy *faultproxy.Proxy
	cfg   aws.Config // through the proxy
	dir   string     // journal dir
}

func newEnv(t *testing.T) *env {
	t.Helper()
	t.Parallel()
	return anotherEnv(t)
}

// anotherEnv gives a test a second account.
func anotherEnv(t *testing.T) *env {
	t.Helper()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	p := faultproxy.New(srv.URL, faultproxy.Options{})
	t.Cleanup(p.Close)
	cfg := acct.Config(p.URL, "us-east-1")
	cfg.RetryMaxAttempts = 1
	return &env{acct: acct, proxy: p, cfg: cfg, dir: t.TempDir()}
}

func (e *env) ec2(region string) *ec2.Client {
	return ec2.NewFromConfig(e.cfg, func(o *ec2.Options) { o.Region = region })
}

// mkVPC creates a VPC with tags, optionally with an internet gateway attached.
func (e *env) mkVPC(t *testing.T, region, cidr string, tags map[string]string, igw bool) string {
	t.Helper()
	ctx := t.Context()
	c := e.ec2(region)
	var ts []ec2types.Tag
	for k, v := range tags {
		ts = append(ts, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	in := &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)}
	if len(ts) > 0 {
		in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: ts}}
	}
	out, err := c.CreateVpc(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Vpc.VpcId)
	if igw {
		g, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: g.InternetGateway.InternetGatewayId, VpcId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// miniScan runs the real scan pipeline (collect + evaluate) on the regions.
func miniScan(t *testing.T, ctx context.Context, cfg aws.Config, account string, regions ...string) *finding.Result {
	t.Helper()
	if len(regions) == 0 {
		regions = []string{cfg.Region}
	}
	src, err := source.FromOptions(source.Options{Regions: regions, Concurrency: awsapi.DefaultConcurrency,
		AWSConfig: func(context.Context) (aws.Config, error) { return cfg, nil }})
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := engine.Evaluate(ctx, src, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Incomplete {
		t.Fatalf("scan incomplete: %+v", res.Errors)
	}
	if len(res.Accounts) != 1 || res.Accounts[0] != account {
		t.Fatalf("scan of the wrong account: %v", res.Accounts)
	}
	return res
}

// failing returns "region/vpc reason" for every FAIL finding, sorted.
func failing(r *finding.Result) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Status == finding.StatusFail {
			out = append(out, f.Region+"/"+f.ResourceID+" "+f.Reason)
		}
	}
	sort.Strings(out)
	return out
}

func fromResult(r *finding.Result) func(context.Context) (*finding.Result, error) {
	return func(context.Context) (*finding.Result, error) { return r, nil }
}

// flowLogsByVPC counts flow logs per VPC in a region.
func (e *env) flowLogsByVPC(t *testing.T, region string) map[string][]inventory.FlowLog {
	t.Helper()
	fls, err := describeFlowLogs(t.Context(), e.ec2(region), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]inventory.FlowLog{}
	for _, f := range fls {
		out[f.ResourceID] = append(out[f.ResourceID], f)
	}
	return out
}

func iamClient(e *env) *iam.Client { return iam.NewFromConfig(e.cfg) }

func roleInput(name, trust string) *iam.CreateRoleInput {
	return &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
}

// retryer retries like production (10 tries) with short waits and no client-side rate limiting, for tests
// with injected faults.
func retryer() func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts, o.MaxBackoff, o.RateLimiter = 10, 20*time.Millisecond, ratelimit.None
		})
	}
}
