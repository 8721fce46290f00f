package fix

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/remediate/fix/policy"
)

// recorder keeps the form bodies of EC2 CreateFlowLogs requests, to check what reached the API.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []url.Values
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		if v, err := url.ParseQuery(string(b)); err == nil && v.Get("Action") == "CreateFlowLogs" {
			r.mu.Lock()
			r.reqs = append(r.reqs, v)
			r.mu.Unlock()
		}
	}
	return r.next.RoundTrip(req)
}

func (e *env) s3Bucket(t *testing.T, name string) {
	t.Helper()
	c := s3.NewFromConfig(e.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// S3 destinations batch every VPC of a region into one CreateFlowLogs call, with the Parquet, Hive and
// per-hour options on the wire. The plan checks each destination bucket (HeadBucket once per bucket): a
// region whose bucket is missing has its VPCs left alone with why, and apply makes no call for them.
func TestS3ParquetHiveAndMissingBucket(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	rec := &recorder{next: http.DefaultTransport}
	e.cfg.HTTPClient = &http.Client{Transport: rec}
	bucket := "flowlogs-" + e.acct.ID + "-us-east-1"
	westBucket := "flowlogs-" + e.acct.ID + "-us-west-2"
	e.s3Bucket(t, bucket) // the us-west-2 bucket is never created
	var east []string
	for _, c := range []string{"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"} {
		east = append(east, e.mkVPC(t, "us-east-1", c, nil, false))
	}
	west := e.mkVPC(t, "us-west-2", "10.9.0.0/16", nil, false)
	res := miniScan(t, ctx, e.cfg, e.acct.ID, "us-east-1", "us-west-2")

	s := DefaultSettings()
	s.Destination = "s3"
	s.S3BucketARN = "arn:aws:s3:::flowlogs-{account}-{region}"
	s.FileFormat = "parquet"
	s.HivePartitions = true
	s.PerHourPartitions = true
	s.TrafficType = "ALL"
	s.MaxAggregationInterval = 60
	s.LogFormat = "${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action} ${flow-direction}"
	e.proxy.Reset()
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.proxy.Calls()["s3:HeadBucket"]; n != 2 {
		t.Errorf("%d HeadBucket calls, want 2 (one per destination bucket)", n)
	}
	var creates, others int
	for _, st := range pr.Plan.Steps {
		if st.Action == ActCreateFlowLogs {
			creates++
			if st.Region != "us-east-1" {
				t.Errorf("CreateFlowLogs planned in %s, whose bucket does not exist", st.Region)
			}
		} else {
			others++
		}
	}
	if creates != 1 || others != 0 {
		t.Fatalf("S3 plan: %d CreateFlowLogs (want 1: us-east-1 only) and %d other steps (want 0: no role, no log group)", creates, others)
	}
	var westSkip *Skip
	for i, sk := range pr.Plan.Skipped {
		if sk.VPCID == west {
			westSkip = &pr.Plan.Skipped[i]
		}
	}
	if westSkip == nil || !strings.Contains(westSkip.Reason, "bucket "+westBucket+" does not exist (HeadBucket 404)") {
		t.Fatalf("west VPC not left alone for its missing bucket: %+v", pr.Plan.Skipped)
	}
	c := pr.Plan.Counts()
	if c.LeftAlone < 1 || c.Total != c.ToChange+c.Deferred+c.Done+c.LeftAlone+c.Passing || c.Total != len(failing(res)) {
		t.Errorf("counts do not add up to the failing VPCs (%d): %+v", len(failing(res)), c)
	}
	var buf bytes.Buffer
	WritePlan(&buf, pr.Plan, false)
	if !strings.Contains(buf.String(), "bucket "+westBucket+" does not exist (HeadBucket 404)") {
		t.Errorf("plan does not show the missing bucket:\n%s", buf.String())
	}
	e.proxy.Reset()
	out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.proxy.CallsIn("us-west-2")["ec2:CreateFlowLogs"]; n != 0 {
		t.Errorf("%d CreateFlowLogs calls in us-west-2, whose bucket does not exist", n)
	}
	if n := e.proxy.Calls()["ec2:CreateFlowLogs"]; n != 1 {
		t.Errorf("%d CreateFlowLogs calls, want 1 (us-east-1)", n)
	}
	if out.Status != journal.StatusComplete || out.Overall() != finding.OutcomeOK {
		t.Fatalf("status %s, want complete (the west VPC was left alone, not failed)", out.Status)
	}
	for _, v := range out.VPCs {
		if v.VPCID == west && v.Status == OutcomeFailed {
			t.Errorf("west VPC failed at apply: %+v", v)
		}
	}
	if n := len(e.flowLogsByVPC(t, "us-west-2")[west]); n != 0 {
		t.Errorf("west VPC has %d flow logs", n)
	}
	for _, v := range east {
		fls := e.flowLogsByVPC(t, "us-east-1")[v]
		if len(fls) != 1 || fls[0].DestinationType != "s3" || fls[0].Destination != "arn:aws:s3:::"+bucket || fls[0].TrafficType != "ALL" ||
			fls[0].LogFormat != s.LogFormat || fls[0].MaxAggregationInterval != 60 {
			t.Errorf("flow log of %s: %+v", v, fls)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) != 1 {
		t.Fatalf("%d CreateFlowLogs requests, want 1", len(rec.reqs))
	}
	for _, q := range rec.reqs {
		for k, want := range map[string]string{
			"DestinationOptions.FileFormat": "parquet", "DestinationOptions.HiveCompatiblePartitions": "true",
			"DestinationOptions.PerHourPartition": "true", "LogDestinationType": "s3", "TrafficType": "ALL",
			"MaxAggregationInterval": "60", "ResourceType": "VPC",
		} {
			if got := q.Get(k); got != want {
				t.Errorf("request %s = %q, want %q", k, got, want)
			}
		}
		if q.Get("ResourceId.1") == "" || (strings.Contains(q.Get("LogDestination"), "us-east-1") && q.Get("ResourceId.4") == "") {
			t.Errorf("us-east-1 VPCs not batched in one call: %v", q)
		}
		if q.Get("ClientToken") == "" || q.Get("TagSpecification.1.ResourceType") != "vpc-flow-log" {
			t.Errorf("request lacks client token or tags: %v", q)
		}
	}
}

func TestLogFormatUnknownFieldRefusedBeforeAnyCall(t *testing.T) {
	e := newEnv(t)
	s := DefaultSettings()
	s.LogFormat = "${version} ${srcaddr} ${bogus-field}"
	scanNow := func(ctx context.Context) (*finding.Result, error) { return miniScan(t, ctx, e.cfg, e.acct.ID), nil }
	_, err := Prepare(t.Context(), e.cfg, PrepareOptions{Findings: scanNow, Settings: s, JournalDir: e.dir})
	if err == nil || !strings.Contains(err.Error(), `unknown field "bogus-field"`) {
		t.Fatalf("err = %v", err)
	}
	if n := e.proxy.Total(); n != 0 {
		t.Errorf("%d AWS calls made before refusing the format", n)
	}
}

// A flow log whose delivery FAILED is diagnosed and left alone; flowguard adds a working one beside it.
// A role that trusts ec2.amazonaws.com (as some guides say) is not reused.
func TestDeliveryFailedDiagnosedAndWrongTrustRefused(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	vpc := e.mkVPC(t, region, "10.7.0.0/16", nil, false)
	if _, err := e.ec2(region).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: []string{vpc},
		TrafficType: ec2types.TrafficTypeAll, LogGroupName: aws.String("gone-group"),
		DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + e.acct.ID + ":role/old")}); err != nil {
		t.Fatal(err)
	}
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	var diag *Diagnosis
	for i, d := range pr.Plan.Diagnoses {
		if d.VPCID == vpc {
			diag = &pr.Plan.Diagnoses[i]
		}
	}
	if diag == nil || !strings.Contains(diag.Cause, "gone-group does not exist") || !strings.Contains(diag.Proposal, "never deletes") {
		t.Fatalf("diagnosis: %+v", pr.Plan.Diagnoses)
	}
	found := false
	for _, st := range pr.Plan.Steps {
		if st.Action == ActCreateFlowLogs && st.VPCs[0] == vpc {
			found = true
		}
	}
	if !found {
		t.Errorf("no new flow log planned for the DELIVERY_FAILED VPC")
	}
	if _, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.flowLogsByVPC(t, region)[vpc]); n != 2 {
		t.Errorf("VPC has %d flow logs, want the failing one kept plus flowguard's", n)
	}

	// Another account: an existing role with the seed's wrong trust is not used, its VPCs are skipped.
	e2 := anotherEnv(t)
	ic := iamClient(e2)
	if _, err := ic.CreateRole(ctx, roleInput("wrong-trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)); err != nil {
		t.Fatal(err)
	}
	e2.mkVPC(t, region, "10.8.0.0/16", nil, false)
	s := DefaultSettings()
	s.RoleName = "wrong-trust"
	pr2, err := Prepare(ctx, e2.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e2.cfg, e2.acct.ID, region)), Settings: s, JournalDir: e2.dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(pr2.Plan.Steps) != 0 || len(pr2.Plan.Skipped) == 0 || !strings.Contains(pr2.Plan.Skipped[0].Reason, "trusts ec2.amazonaws.com") {
		t.Errorf("wrong-trust role: steps %v skipped %+v", pr2.Plan.Steps, pr2.Plan.Skipped)
	}
}

// failFirst answers the first n CreateFlowLogs requests itself with EC2's IAM-propagation error, the way
// EC2 does for a role created seconds earlier, without forwarding them.
type failFirst struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    int
	seen int
}

func (f *failFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		if v, err := url.ParseQuery(string(b)); err == nil && v.Get("Action") == "CreateFlowLogs" {
			f.mu.Lock()
			f.seen++
			fail := f.seen <= f.n
			f.mu.Unlock()
			if fail {
				body := `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidParameter</Code><Message>Unable to assume given IAM role: '` +
					v.Get("DeliverLogsPermissionArn") + `'</Message></Error></Errors><RequestID>test</RequestID></Response>`
				return &http.Response{StatusCode: 400, Status: "400 Bad Request", Header: http.Header{"Content-Type": {"text/xml"}},
					Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
			}
		}
	}
	return f.next.RoundTrip(req)
}

// A role flowguard has just created may not be assumable for a few seconds: CreateFlowLogs is retried then,
// and only then (an existing role that cannot be assumed fails at once, with AWS's error).
func TestNewRolePropagationIsWaitedFor(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	ff := &failFirst{next: http.DefaultTransport, n: 2}
	e.cfg.HTTPClient = &http.Client{Transport: ff}
	vpc := e.mkVPC(t, "us-east-1", "10.1.0.0/16", nil, false)
	res := miniScan(t, ctx, e.cfg, e.acct.ID, "us-east-1")
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{RoleWait: time.Millisecond, Concurrency: 1})
	if err != nil || out.Status != journal.StatusComplete {
		t.Fatalf("apply: %v %+v", err, out)
	}
	if n := len(e.flowLogsByVPC(t, "us-east-1")[vpc]); n != 1 {
		t.Errorf("%d flow logs after retries, want 1", n)
	}

	e2 := anotherEnv(t)
	ff2 := &failFirst{next: http.DefaultTransport, n: 100}
	e2.cfg.HTTPClient = &http.Client{Transport: ff2}
	e2.mkVPC(t, "us-east-1", "10.1.0.0/16", nil, false)
	trust := policy.Trust(e2.acct.ID, []string{"us-east-1"}).JSON()
	if _, err := iamClient(e2).CreateRole(ctx, roleInput("existing", trust)); err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.RoleARN = "arn:aws:iam::" + e2.acct.ID + ":role/existing"
	pr2, err := Prepare(ctx, e2.cfg, PrepareOptions{Findings: fromResult(miniScan(t, ctx, e2.cfg, e2.acct.ID, "us-east-1")), Settings: s, JournalDir: e2.dir})
	if err != nil {
		t.Fatal(err)
	}
	out2, err := Execute(ctx, e2.cfg, pr2, e2.dir, ApplyOptions{RoleWait: time.Millisecond})
	if err != nil || out2.Status != journal.StatusFailed {
		t.Fatalf("apply with an unusable existing role: %v %+v", err, out2)
	}
	for _, v := range out2.VPCs {
		if v.Status != OutcomeFailed || !strings.Contains(v.Error, "Unable to assume given IAM role") {
			t.Errorf("VPC outcome %+v, want failed with the AWS error", v)
		}
	}
	if ff2.seen != len(out2.VPCs) {
		t.Errorf("%d CreateFlowLogs calls for %d VPCs: an existing role must not be retried", ff2.seen, len(out2.VPCs))
	}
}
