package engine_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/fixture"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// env is one test's account in moto, seen through its own fault proxy.
type env struct {
	acct  moto.Account
	proxy *faultproxy.Proxy
	b     *fixture.Builder
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	p := faultproxy.New(srv.URL, faultproxy.Options{})
	t.Cleanup(p.Close)
	// Resources are built directly against moto, so the proxy only sees the scan.
	return &env{acct: acct, proxy: p, b: fixture.New(acct.Config(srv.URL, "us-east-1"), acct.ID)}
}

// config is what a scan uses: through the proxy, with flowguard's retryer and a short backoff for tests.
func (e *env) config() aws.Config {
	cfg := e.acct.Config(e.proxy.URL, "us-east-1")
	cfg.Retryer = awsconf.Retryer(10, 50*time.Millisecond)
	return cfg
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }

func (e *env) scan(t *testing.T, regions ...string) *finding.Result {
	t.Helper()
	res, _ := scanLive(t.Context(), e.config(), scanOptions{Collect: awsapi.Options{Regions: regions, Concurrency: 4}, Now: fixedNow})
	return res
}

// verdicts maps "name/check" to "STATUS REASON" for VPC findings, naming VPCs by their Name tag.
func verdicts(res *finding.Result) map[string]string {
	out := map[string]string{}
	for _, f := range res.Findings {
		name := f.ResourceName
		if name == "" {
			name = f.ResourceID
			if f.Evidence.IsDefault != nil && *f.Evidence.IsDefault {
				name = "default@" + f.Region
			}
		}
		out[name+"/"+f.CheckID] = strings.TrimSpace(string(f.Status) + " " + f.Reason)
	}
	return out
}

func mustDemo(t *testing.T, e *env) map[string]string {
	t.Helper()
	ids, err := fixture.Demo(t.Context(), e.b)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestEveryReasonFromRealResources(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	res := e.scan(t, fixture.DemoRegions...)
	got := verdicts(res)
	want := map[string]string{
		"prod-web/vpc-flow-logs-enabled":               "PASS",
		"prod-web/vpc-flow-logs-retention":             "PASS",
		"legacy-batch/vpc-flow-logs-enabled":           "FAIL NO_FLOW_LOG",
		"analytics/vpc-flow-logs-enabled":              "FAIL ACCEPT_ONLY",
		"analytics/vpc-flow-logs-retention":            "PASS",
		"payments/vpc-flow-logs-enabled":               "FAIL DELIVERY_FAILED",
		"payments/vpc-flow-logs-retention":             "FAIL LOG_GROUP_MISSING",
		"shared-services/vpc-flow-logs-enabled":        "FAIL SUBNET_OR_ENI_ONLY",
		"sandbox/vpc-flow-logs-enabled":                "PASS",
		"sandbox/vpc-flow-logs-retention":              "FAIL RETENTION_TOO_SHORT",
		"data-lake/vpc-flow-logs-enabled":              "PASS",
		"default@us-east-1/vpc-flow-logs-enabled":      "FAIL NO_FLOW_LOG",
		"default@eu-west-1/vpc-flow-logs-enabled":      "FAIL NO_FLOW_LOG",
		"default@ap-southeast-2/vpc-flow-logs-enabled": "FAIL NO_FLOW_LOG",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("verdicts (-want +got):\n%s", d)
	}
	if res.Overall() != finding.OutcomeFail || res.Incomplete {
		t.Errorf("exit code %d, incomplete %v; want 1, complete", res.Overall(), res.Incomplete)
	}
	// The evidence says what was seen.
	for _, f := range res.Findings {
		switch {
		case f.ResourceName == "sandbox" && f.CheckID == "vpc-flow-logs-retention":
			if len(f.Evidence.LogGroups) != 1 || f.Evidence.LogGroups[0].RetentionDays == nil || *f.Evidence.LogGroups[0].RetentionDays != 30 {
				t.Errorf("sandbox retention evidence = %+v", f.Evidence.LogGroups)
			}
		case f.ResourceName == "payments" && f.CheckID == "vpc-flow-logs-enabled":
			if len(f.Evidence.FlowLogs) != 1 || f.Evidence.FlowLogs[0].DeliverLogsStatus != "FAILED" {
				t.Errorf("payments flow-log evidence = %+v", f.Evidence.FlowLogs)
			}
		case f.ResourceName == "prod-web" && f.CheckID == "vpc-flow-logs-enabled":
			if f.Evidence.InternetExposed == nil || !*f.Evidence.InternetExposed || f.Evidence.Tags["Environment"] != "prod" {
				t.Errorf("prod-web evidence = %+v", f.Evidence)
			}
			if !hasControl(f.Controls, "AWS Security Hub", "EC2.6") || !hasControl(f.Controls, "CIS AWS Foundations Benchmark", "3.7") {
				t.Errorf("controls = %+v", f.Controls)
			}
		}
	}
}

func hasControl(cs []finding.Control, fw, id string) bool {
	for _, c := range cs {
		if c.Framework == fw && c.ID == id {
			return true
		}
	}
	return false
}

// moto creates every flow log ACTIVE and every VPC owned by the caller: the proxy rewrites the answers to
// play a flow log that is not active and a VPC shared from another account.
func TestNotActiveAndSharedVPC(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	inactive, _, err := e.b.UsedVPC(ctx, "us-east-1", "inactive", "10.1.0.0/16", "10.1.0.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.b.LogGroup(ctx, "us-east-1", "g", 0); err != nil {
		t.Fatal(err)
	}
	fl, err := e.b.FlowLogToCloudWatch(ctx, "us-east-1", inactive, "ALL", "g")
	if err != nil {
		t.Fatal(err)
	}
	shared, _, err := e.b.UsedVPC(ctx, "us-east-1", "shared", "10.2.0.0/16", "10.2.0.0/24")
	if err != nil {
		t.Fatal(err)
	}
	e.proxy.SetOptions(faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
		switch c.Action {
		case "DescribeFlowLogs":
			return faultproxy.RewriteEC2Items(body, "flowLogSet", func(item string) string {
				if strings.Contains(item, "<flowLogId>"+fl+"</flowLogId>") {
					return strings.Replace(item, "<flowLogStatus>ACTIVE</flowLogStatus>", "<flowLogStatus>INACTIVE</flowLogStatus>", 1)
				}
				return item
			})
		case "DescribeVpcs":
			return faultproxy.RewriteEC2Items(body, "vpcSet", func(item string) string {
				if strings.Contains(item, "<vpcId>"+shared+"</vpcId>") {
					return strings.Replace(item, "<ownerId>"+e.acct.ID+"</ownerId>", "<ownerId>999988887777</ownerId>", 1)
				}
				return item
			})
		}
		return body
	}})
	got := verdicts(e.scan(t, "us-east-1"))
	if got["inactive/vpc-flow-logs-enabled"] != "FAIL NOT_ACTIVE" {
		t.Errorf("inactive: %q", got["inactive/vpc-flow-logs-enabled"])
	}
	if got["shared/vpc-flow-logs-enabled"] != "SKIPPED SHARED_VPC" {
		t.Errorf("shared: %q", got["shared/vpc-flow-logs-enabled"])
	}
	if _, ok := got["shared/vpc-flow-logs-retention"]; ok {
		t.Errorf("a shared VPC got a retention finding in the participant account")
	}
}

func TestFailingRegionIsErrorAndOthersStillReported(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	e.proxy.SetOptions(faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		if c.Region == "eu-west-1" {
			return faultproxy.AccessDenied
		}
		return faultproxy.None
	}})
	res := e.scan(t, fixture.DemoRegions...)
	got := verdicts(res)
	if got["prod-web/vpc-flow-logs-enabled"] != "PASS" || got["data-lake/vpc-flow-logs-enabled"] != "PASS" {
		t.Errorf("other regions not reported: %v", got)
	}
	var regionErrors int
	for _, f := range res.Findings {
		if f.Region == "eu-west-1" {
			if f.Status != finding.StatusError || f.ResourceType != finding.ResourceRegion {
				t.Errorf("eu-west-1 finding %s %s %s, want region-level ERROR", f.ResourceID, f.Status, f.Reason)
			}
			regionErrors++
		}
		if f.Status == finding.StatusPass && f.Region == "eu-west-1" {
			t.Errorf("PASS reported for unread region: %+v", f)
		}
	}
	if regionErrors == 0 {
		t.Error("no ERROR finding for the failing region")
	}
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "UnauthorizedOperation") {
		t.Errorf("errors[] = %+v", res.Errors)
	}
	if res.Overall() != finding.OutcomeIncomplete {
		t.Errorf("exit code %d, want 2", res.Overall())
	}
}

// A flow-log read that fails makes the region's VPCs ERROR: never PASS, never dropped.
func TestUnreadFlowLogsAreErrorNotPass(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	e.proxy.SetOptions(faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		if c.Action == "DescribeFlowLogs" && c.Region == "us-east-1" {
			return faultproxy.Throttle // to exhaustion: every attempt
		}
		return faultproxy.None
	}})
	cfg := e.config()
	cfg.Retryer = awsconf.Retryer(3, 50*time.Millisecond) // the cap is what is tested, not its size
	res, _ := scanLive(t.Context(), cfg, scanOptions{Collect: awsapi.Options{Regions: []string{"us-east-1"}}, Now: fixedNow})
	for name, v := range verdicts(res) {
		if v != "ERROR READ_FAILED" {
			t.Errorf("%s = %s, want ERROR READ_FAILED", name, v)
		}
	}
	if n := e.proxy.Calls()["ec2:DescribeFlowLogs"]; n != 3 {
		t.Errorf("DescribeFlowLogs tried %d times, want 3 (the retry cap)", n)
	}
}

func TestThrottlingGivesIdenticalFindings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	clean := e.scan(t, fixture.DemoRegions...)
	e.proxy.SetOptions(faultproxy.Options{ThrottleRate: 0.3, ServerErrorRate: 0.05, Seed: 7})
	throttled := e.scan(t, fixture.DemoRegions...)
	if e.proxy.Faults()[faultproxy.Throttle] == 0 {
		t.Fatal("no throttling was injected")
	}
	if d := cmp.Diff(clean.Findings, throttled.Findings); d != "" {
		t.Errorf("findings differ under 30%% throttling (-clean +throttled):\n%s", d)
	}
	if throttled.Incomplete {
		t.Errorf("throttled scan incomplete: %+v", throttled.Errors)
	}
}

func TestCallsPerRegionDoNotGrowWithVPCs(t *testing.T) {
	t.Parallel()
	count := func(vpcs int) map[string]int {
		e := newEnv(t)
		ctx := t.Context()
		for i := range vpcs {
			if _, err := e.b.VPC(ctx, "eu-central-1", fmt.Sprintf("v%d", i), fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)); err != nil {
				t.Fatal(err)
			}
		}
		res := e.scan(t, "eu-central-1")
		if res.Summary.VPCs != vpcs+1 { // + the default VPC
			t.Fatalf("scanned %d VPCs, want %d", res.Summary.VPCs, vpcs+1)
		}
		return e.proxy.CallsIn("eu-central-1")
	}
	one, many := count(1), count(300)
	if d := cmp.Diff(one, many); d != "" {
		t.Errorf("calls per region differ between 1 and 300 VPCs (-1 +300):\n%s", d)
	}
	t.Logf("calls per region: %v", one)
}

func TestScanNeverMutates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	e.scan(t) // every enabled region
	if m := faultproxy.Mutating(e.proxy.Calls()); len(m) > 0 {
		t.Errorf("scan made mutating calls: %v", m)
	}
	if e.proxy.Calls()["ec2:DescribeRegions"] != 1 {
		t.Errorf("calls: %v", e.proxy.Calls())
	}
}

func TestCancelledScanReportsWhatFinished(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mustDemo(t, e)
	ctx, cancel := context.WithCancel(t.Context())
	e.proxy.SetOptions(faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		if c.Region == "eu-west-1" {
			cancel() // Ctrl-C while the second region is being read
		}
		return faultproxy.None
	}})
	res, _ := scanLive(ctx, e.config(), scanOptions{Collect: awsapi.Options{Regions: fixture.DemoRegions, Concurrency: 1}, Now: fixedNow})
	if !res.Cancelled || !res.Incomplete || res.Overall() != finding.OutcomeIncomplete {
		t.Errorf("cancelled=%v incomplete=%v exit=%d", res.Cancelled, res.Incomplete, res.Overall())
	}
	got := verdicts(res)
	if got["prod-web/vpc-flow-logs-enabled"] != "PASS" {
		t.Errorf("the region finished before the cancel is missing: %v", got)
	}
	for _, f := range res.Findings {
		if f.Region != "us-east-1" && f.Status == finding.StatusPass {
			t.Errorf("PASS from a cancelled region: %+v", f)
		}
	}
}

// moto answers every describe call in one page; the proxy pages the answers the way AWS does, and the scan
// must follow NextToken through every page of every list.
func TestEveryListIsPaginated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	bucket := must(e.b.Bucket(ctx, "us-west-2", "paged-"+e.acct.ID))
	for i := range 12 {
		v, s, err := e.b.UsedVPC(ctx, "us-west-2", fmt.Sprintf("v%02d", i), fmt.Sprintf("10.%d.0.0/16", i), fmt.Sprintf("10.%d.0.0/24", i))
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := e.b.FlowLogToS3(ctx, "us-west-2", v, "REJECT", bucket); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.b.FlowLogToS3(ctx, "us-west-2", s, "ALL", bucket); err != nil {
			t.Fatal(err)
		}
	}
	// The network lists too (a check over security groups or ACLs reads them): every list is paginated.
	scan := func() *finding.Result {
		res, _ := scanLive(t.Context(), e.config(), scanOptions{Collect: awsapi.Options{Regions: []string{"us-west-2"}, Concurrency: 4,
			Network: inventory.NetworkCollections}, Now: fixedNow})
		return res
	}
	whole := scan()
	sets := map[string]string{"DescribeVpcs": "vpcSet", "DescribeFlowLogs": "flowLogSet", "DescribeSubnets": "subnetSet",
		"DescribeNetworkInterfaces": "networkInterfaceSet", "DescribeInternetGateways": "internetGatewaySet",
		"DescribeSecurityGroups": "securityGroupInfo", "DescribeNetworkAcls": "networkAclSet"}
	e.proxy.Reset()
	e.proxy.SetOptions(faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
		if set, ok := sets[c.Action]; ok {
			return faultproxy.PageEC2(c, body, set, 5)
		}
		return body
	}})
	paged := scan()
	if d := cmp.Diff(whole.Findings, paged.Findings); d != "" {
		t.Errorf("findings differ when lists come in pages (-one page +pages):\n%s", d)
	}
	calls := e.proxy.CallsIn("us-west-2")
	// 13 VPCs, 18 flow logs, 13+ subnets, 12 interfaces in pages of 5.
	// 13 VPCs also mean 13+ security groups and 13+ network ACLs (the default ones).
	for action, min := range map[string]int{"ec2:DescribeVpcs": 3, "ec2:DescribeFlowLogs": 4, "ec2:DescribeSubnets": 3, "ec2:DescribeNetworkInterfaces": 3,
		"ec2:DescribeSecurityGroups": 3, "ec2:DescribeNetworkAcls": 3} {
		if calls[action] < min {
			t.Errorf("%s called %d times, want ≥ %d pages", action, calls[action], min)
		}
	}
}
