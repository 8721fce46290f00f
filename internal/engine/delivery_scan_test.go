package engine_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/layout"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// deliveryEstate writes flow-log records where AWS would: events into per-interface log streams, objects
// under the documented S3 key layout. moto delivers nothing itself, so the records are put by the test, with
// the timestamps the test needs.
type deliveryEstate struct {
	t    *testing.T
	e    *env
	cfg  aws.Config // straight to moto
	logs *cloudwatchlogs.Client
	s3   *s3.Client
}

const deliveryRegion = "us-east-1"

func newDeliveryEstate(t *testing.T) *deliveryEstate {
	e := newEnv(t)
	cfg := e.acct.Config(moto.Shared(t).URL, deliveryRegion)
	return &deliveryEstate{t: t, e: e, cfg: cfg, logs: cloudwatchlogs.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })}
}

func (d *deliveryEstate) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
}

// vpc makes a VPC with one subnet and n interfaces; it returns the VPC and interface ids.
func (d *deliveryEstate) vpc(name string, n int) (string, []string) {
	d.t.Helper()
	ctx := d.t.Context()
	vpc, subnet, err := d.e.b.UsedVPC(ctx, deliveryRegion, name, "10.0.0.0/16", "10.0.1.0/24")
	d.must(err)
	out, err := ec2.NewFromConfig(d.cfg).DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{})
	d.must(err)
	var enis []string
	for _, ni := range out.NetworkInterfaces {
		if aws.ToString(ni.VpcId) == vpc {
			enis = append(enis, aws.ToString(ni.NetworkInterfaceId))
		}
	}
	for len(enis) < n {
		id, err := d.e.b.Interface(ctx, deliveryRegion, subnet)
		d.must(err)
		enis = append(enis, id)
	}
	return vpc, enis
}

// record puts one flow-log record at time at into the interface's stream (eni-…-all) of group.
func (d *deliveryEstate) record(group, eni string, at time.Time) {
	d.t.Helper()
	ctx := d.t.Context()
	stream := eni + "-all"
	_, err := d.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)})
	var exists *cwltypes.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		d.t.Fatal(err)
	}
	msg := fmt.Sprintf("2 %s %s 10.0.1.5 10.0.1.6 443 49152 6 1 40 %d %d ACCEPT OK", d.e.acct.ID, eni, at.Unix(), at.Unix()+60)
	_, err = d.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		LogEvents: []cwltypes.InputLogEvent{{Message: aws.String(msg), Timestamp: aws.Int64(at.UnixMilli())}}})
	d.must(err)
}

// object puts a flow-log file for flow log fl, delivered at time at, under the documented key layout.
func (d *deliveryEstate) object(bucket, prefix, fl string, at time.Time, o layout.Options) {
	d.t.Helper()
	key := layout.Key(prefix, d.e.acct.ID, deliveryRegion, fl, at, "0a1b2c3d", o)
	_, err := d.s3.PutObject(d.t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader("version account-id\n")})
	d.must(err)
}

// proxyStates plays, through the proxy, what moto cannot create: flow logs created days ago (moto stamps
// creationTime with the moment of the call; the grace period needs older ones); in-use interfaces (an
// interface moto creates stays "available"; in AWS, one attached to an instance, load balancer or endpoint
// is "in-use"); and an S3 destination with a key prefix (moto's CreateFlowLogs
// refuses an S3 destination with a key prefix (it looks "bucket/prefix" up as a bucket name), so the flow
// logs are made without one and the proxy shows them with the prefix "team/", as AWS would.
func (d *deliveryEstate) proxyStates(created time.Time, decide ...func(faultproxy.Call) faultproxy.Fault) {
	ct := "<creationTime>" + created.UTC().Format(time.RFC3339) + "</creationTime>"
	creation := regexp.MustCompile(`<creationTime>[^<]*</creationTime>`)
	s3Dest := regexp.MustCompile(`<logDestination>(arn:aws:s3:::[a-z0-9-]+)</logDestination>`)
	var dec func(faultproxy.Call) faultproxy.Fault
	if len(decide) > 0 {
		dec = decide[0]
	}
	d.e.proxy.SetOptions(faultproxy.Options{Decide: dec, Rewrite: func(c faultproxy.Call, body []byte) []byte {
		switch c.Action {
		case "DescribeFlowLogs":
			return faultproxy.RewriteEC2Items(body, "flowLogSet", func(item string) string {
				item = creation.ReplaceAllString(item, "")
				item = s3Dest.ReplaceAllString(item, "<logDestination>$1/team/</logDestination>")
				return strings.Replace(item, "<item>", "<item>"+ct, 1)
			})
		case "DescribeNetworkInterfaces":
			return faultproxy.RewriteEC2Items(body, "networkInterfaceSet", func(item string) string {
				return strings.Replace(item, "<status>available</status>", "<status>in-use</status>", 1)
			})
		}
		return body
	}})
}

func (d *deliveryEstate) scan(maxLag time.Duration) (*finding.Result, *inventory.Snapshot) {
	d.t.Helper()
	cs, err := checks.Select(checks.Builtin(), []string{engine.CheckDelivering, engine.CheckEnabled})
	d.must(err)
	res, snap := scanLive(d.t.Context(), d.e.config(), scanOptions{
		Collect:  awsapi.Options{Regions: []string{deliveryRegion}, Concurrency: 4, Delivery: awsapi.DeliveryOptions{Enabled: checks.Need(cs, inventory.CollDelivery)}},
		Evaluate: engine.Options{Checks: cs, MaxDeliveryLag: maxLag},
	})
	return res, snap
}

func deliveryVerdicts(res *finding.Result) map[string]string {
	out := map[string]string{}
	for _, f := range res.Findings {
		if f.CheckID == engine.CheckDelivering && f.ResourceName != "" {
			out[f.ResourceName] = strings.TrimSpace(string(f.Status) + " " + f.Reason)
		}
	}
	return out
}

func findingOf(res *finding.Result, name, check string) finding.Finding {
	for _, f := range res.Findings {
		if f.ResourceName == name && f.CheckID == check {
			return f
		}
	}
	return finding.Finding{}
}

// TestDeliveryReasonsFromRealResponses: every verdict of vpc-flow-logs-delivering comes from what moto answers
// to DescribeLogStreams, ListObjectsV2 and the describe calls, for records the test put where AWS would.
func TestDeliveryReasonsFromRealResponses(t *testing.T) {
	t.Parallel()
	d := newDeliveryEstate(t)
	ctx := t.Context()
	b := d.e.b
	now := time.Now().UTC()
	d.must(b.LogGroup(ctx, deliveryRegion, "/flow/shared", 365))
	d.must(b.LogGroup(ctx, deliveryRegion, "/flow/empty", 365))
	d.must(b.LogGroup(ctx, deliveryRegion, "/flow/deleted", 365))
	bucketARN, err := b.Bucket(ctx, deliveryRegion, "flow-"+d.e.acct.ID)
	d.must(err)
	bucket := "flow-" + d.e.acct.ID
	goneARN, err := b.Bucket(ctx, deliveryRegion, "gone-"+d.e.acct.ID)
	d.must(err)

	cw := func(name string, enis int, group string) (string, []string) {
		vpc, ids := d.vpc(name, enis)
		_, err := b.FlowLogToCloudWatch(ctx, deliveryRegion, vpc, "ALL", group)
		d.must(err)
		return vpc, ids
	}
	_, healthy := cw("healthy", 2, "/flow/shared")
	d.record("/flow/shared", healthy[0], now.Add(-2*time.Minute))
	d.record("/flow/shared", healthy[1], now.Add(-4*time.Minute))
	cw("never", 1, "/flow/empty")
	_, stale := cw("stale", 1, "/flow/shared")
	d.record("/flow/shared", stale[0], now.Add(-72*time.Hour))
	_, silent := cw("silent", 3, "/flow/shared")
	d.record("/flow/shared", silent[0], now.Add(-3*time.Minute))
	d.record("/flow/shared", silent[2], now.Add(-50*time.Hour)) // a stream, but nothing recent
	cw("group-deleted", 1, "/flow/deleted")
	_, err = d.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/flow/deleted")})
	d.must(err)

	s3vpc := func(name, arn string) string {
		vpc, _ := d.vpc(name, 1)
		fl, err := b.FlowLogToS3(ctx, deliveryRegion, vpc, "ALL", arn)
		d.must(err)
		return fl
	}
	flS3 := s3vpc("s3-healthy", bucketARN)
	d.object(bucket, "team/", flS3, now.Add(-6*time.Minute), layout.Options{})
	d.object(bucket, "team/", flS3, now.Add(-26*time.Hour), layout.Options{})
	flStale := s3vpc("s3-stale", bucketARN)
	d.object(bucket, "team/", flStale, now.Add(-72*time.Hour), layout.Options{})
	// An object of another account's flow log under the same prefix is not this flow log's delivery.
	d.object(bucket, "team/", "fl-0123456789abcdef0", now.Add(-time.Minute), layout.Options{})
	s3vpc("s3-never", bucketARN)
	s3vpc("bucket-gone", goneARN)
	_, err = d.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("gone-" + d.e.acct.ID)})
	d.must(err)

	// Firehose: the delivery stream exists and is ACTIVE; another one was deleted.
	fh := firehose.NewFromConfig(d.cfg)
	stream := func(name string) string {
		out, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String(name),
			ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{BucketARN: aws.String(bucketARN),
				RoleARN: aws.String("arn:aws:iam::" + d.e.acct.ID + ":role/firehose")}})
		d.must(err)
		return aws.ToString(out.DeliveryStreamARN)
	}
	fhVPC := func(name, arn string) {
		vpc, _ := d.vpc(name, 1)
		_, err := ec2.NewFromConfig(d.cfg).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceIds: []string{vpc},
			ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeAll,
			LogDestinationType: ec2types.LogDestinationTypeKinesisDataFirehose, LogDestination: aws.String(arn)})
		d.must(err)
	}
	fhVPC("firehose", stream("flow-active"))
	fhVPC("firehose-gone", stream("flow-gone"))
	_, err = fh.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("flow-gone")})
	d.must(err)

	// Flow logs three days old: past the grace period, inside the 7-day window.
	d.proxyStates(now.Add(-72 * time.Hour))
	res, snap := d.scan(0)
	want := map[string]string{
		"healthy":       "PASS",
		"never":         "FAIL NEVER_DELIVERED",
		"stale":         "FAIL STALE",
		"silent":        "FAIL INTERFACES_SILENT",
		"group-deleted": "ERROR DESTINATION_UNREADABLE",
		"s3-healthy":    "PASS",
		"s3-stale":      "FAIL STALE",
		"s3-never":      "FAIL NEVER_DELIVERED",
		"bucket-gone":   "ERROR DESTINATION_UNREADABLE",
		"firehose":      "PASS",
		"firehose-gone": "ERROR DESTINATION_UNREADABLE",
	}
	if diff := cmp.Diff(want, deliveryVerdicts(res)); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
		for _, f := range res.Findings {
			t.Logf("%s %s %s: %s", f.ResourceName, f.CheckID, f.Status, f.Message)
		}
	}

	for _, f := range res.Findings {
		if f.CheckID == engine.CheckDelivering {
			t.Logf("%-13s %-8s %-24s %s", f.ResourceName, f.Status, f.Reason, f.Message)
		}
	}
	// Evidence: the newest record, its lag, the interfaces with and without records.
	h := findingOf(res, "healthy", engine.CheckDelivering)
	if ev := h.Evidence.Delivery; ev == nil || ev.LagSeconds == nil || *ev.LagSeconds < 100 || *ev.LagSeconds > 600 ||
		len(ev.InterfacesWithRecords) != 2 || len(ev.InterfacesWithoutRecords) != 0 {
		t.Errorf("healthy evidence = %+v", h.Evidence.Delivery)
	}
	if !strings.Contains(h.Message, "newest record 2m") || !strings.Contains(h.Message, "2 in-use interfaces with records") {
		t.Errorf("healthy message = %q", h.Message)
	}
	s := findingOf(res, "silent", engine.CheckDelivering)
	if ev := s.Evidence.Delivery; ev == nil || len(ev.InterfacesWithRecords) != 1 || len(ev.InterfacesWithoutRecords) != 2 ||
		ev.InterfacesWithoutRecords[0].ID > ev.InterfacesWithoutRecords[1].ID {
		t.Errorf("silent evidence = %+v", s.Evidence.Delivery)
	}
	for _, id := range silent[1:] {
		if !strings.Contains(s.Message, id) {
			t.Errorf("silent message %q does not name %s", s.Message, id)
		}
	}
	if st := findingOf(res, "stale", engine.CheckDelivering); !strings.Contains(st.Message, "newest record 3d") {
		t.Errorf("stale message = %q", st.Message)
	}
	if st := findingOf(res, "s3-stale", engine.CheckDelivering); !strings.Contains(st.Message, "newest record 3d") {
		t.Errorf("s3-stale message = %q", st.Message)
	}
	if g := findingOf(res, "group-deleted", engine.CheckDelivering); !strings.Contains(g.Message, "ResourceNotFoundException") {
		t.Errorf("group-deleted message = %q", g.Message)
	}
	// The enabled check still passes the deleted group's flow log: only the delivery check reads the destination.
	if f := findingOf(res, "group-deleted", engine.CheckEnabled); f.Status != finding.StatusPass {
		t.Errorf("group-deleted enabled = %s %s", f.Status, f.Reason)
	}
	if res.Overall() != finding.OutcomeIncomplete {
		t.Errorf("overall = %v, want incomplete (two destinations unreadable)", res.Overall())
	}

	// Calls: one DescribeLogStreams per log group (3, whatever the number of VPCs sharing them); for the
	// bucket prefix, one listing per day until every flow log has its newest object (today … 3 days ago),
	// and the whole window for the prefix where one never delivered: 8 days; the gone bucket fails at once.
	calls := d.e.proxy.CallsIn(deliveryRegion)
	if got := calls["logs:DescribeLogStreams"]; got != 3 {
		t.Errorf("DescribeLogStreams calls = %d, want 3 (one per log group)", got)
	}
	if got := calls["s3:ListObjectsV2"]; got != 8+1 {
		t.Errorf("ListObjectsV2 calls = %d, want 9 (8 days of one prefix, 1 for the gone bucket)", got)
	}
	for _, r := range snap.Regions {
		if r.DeliveryReadAt == nil {
			t.Errorf("%s: delivery not marked read", r.Name)
		}
	}
	// A snapshot keeps the evidence: re-evaluated later, the same verdicts (lags as of the collection).
	path := filepath.Join(t.TempDir(), "inv.json")
	d.must(snap.WriteFile(path))
	saved, err := inventory.ReadFile(path)
	d.must(err)
	cs, err := checks.Select(checks.Builtin(), []string{engine.CheckDelivering})
	d.must(err)
	if diff := cmp.Diff(want, deliveryVerdicts(scanSnapshot(saved, scanOptions{Evaluate: engine.Options{Checks: cs}}))); diff != "" {
		t.Errorf("verdicts from the saved snapshot (-want +got):\n%s", diff)
	}

	// A flow log younger than the grace period that has delivered nothing yet is not judged.
	d.proxyStates(now.Add(-10 * time.Minute))
	res, _ = d.scan(0)
	if got := deliveryVerdicts(res)["never"]; got != "SKIPPED AWAITING_FIRST_DELIVERY" {
		t.Errorf("young never = %q", got)
	}
	// A shorter --max-delivery-lag makes the 4-minute-old interface record stale: one interface silent.
	d.proxyStates(now.Add(-72 * time.Hour))
	res, _ = d.scan(3 * time.Minute)
	if got := deliveryVerdicts(res)["healthy"]; got != "FAIL INTERFACES_SILENT" {
		t.Errorf("healthy with a 3m lag = %q", got)
	}
	// Access denied on the log streams: the CloudWatch VPCs are ERROR, never PASS; the S3 ones are unaffected.
	d.proxyStates(now.Add(-72*time.Hour), func(c faultproxy.Call) faultproxy.Fault {
		if c.Action == "DescribeLogStreams" {
			return faultproxy.AccessDenied
		}
		return faultproxy.None
	})
	res, _ = d.scan(0)
	got := deliveryVerdicts(res)
	for _, name := range []string{"healthy", "stale", "never", "silent"} {
		if got[name] != "ERROR DESTINATION_UNREADABLE" {
			t.Errorf("%s with access denied = %q", name, got[name])
		}
	}
	if got["s3-healthy"] != "PASS" {
		t.Errorf("s3-healthy with logs access denied = %q", got["s3-healthy"])
	}
	if f := findingOf(res, "healthy", engine.CheckDelivering); !strings.Contains(f.Message, "AccessDenied") {
		t.Errorf("access denied message = %q", f.Message)
	}
}

// TestDeliveryNotReadIsError: without delivery evidence (a scan that did not read it, a snapshot saved by
// one), the check says ERROR, never PASS.
func TestDeliveryNotReadIsError(t *testing.T) {
	t.Parallel()
	d := newDeliveryEstate(t)
	ctx := t.Context()
	d.must(d.e.b.LogGroup(ctx, deliveryRegion, "/flow/x", 365))
	vpc, enis := d.vpc("v", 1)
	_, err := d.e.b.FlowLogToCloudWatch(ctx, deliveryRegion, vpc, "ALL", "/flow/x")
	d.must(err)
	d.record("/flow/x", enis[0], time.Now().Add(-time.Minute))
	cs, err := checks.Select(checks.Builtin(), []string{engine.CheckDelivering})
	d.must(err)
	res, _ := scanLive(ctx, d.e.config(), scanOptions{Collect: awsapi.Options{Regions: []string{deliveryRegion}}, Evaluate: engine.Options{Checks: cs}})
	if f := findingOf(res, "v", engine.CheckDelivering); f.Status != finding.StatusError || !strings.Contains(f.Message, "holds no delivery evidence") {
		t.Errorf("not read: %s %s %q", f.Status, f.Reason, f.Message)
	}
	if n := d.e.proxy.Calls()["logs:DescribeLogStreams"]; n != 0 {
		t.Errorf("DescribeLogStreams called %d times without the check asking", n)
	}
}

// Hive-compatible and per-hour S3 layouts: the day listing under the Hive prefix finds the objects in their
// hour partitions; an object of the plain layout in the same bucket is not this flow log's.
func TestDeliveryHiveAndPerHourLayouts(t *testing.T) {
	t.Parallel()
	d := newDeliveryEstate(t)
	ctx := t.Context()
	arn, err := d.e.b.Bucket(ctx, deliveryRegion, "hive-"+d.e.acct.ID)
	d.must(err)
	bucket := "hive-" + d.e.acct.ID
	now := time.Now().UTC()
	acct := d.e.acct.ID
	reg := &inventory.Region{AccountID: acct, Partition: "aws", Name: deliveryRegion}
	hive := layout.Options{Hive: true, PerHour: true, Parquet: true}
	for i, o := range []layout.Options{hive, {Hive: true}} {
		vpc, fl := fmt.Sprintf("vpc-%017x", i+1), fmt.Sprintf("fl-%017x", i+1)
		reg.VPCs = append(reg.VPCs, inventory.VPC{ID: vpc, OwnerID: acct})
		reg.FlowLogs = append(reg.FlowLogs, inventory.FlowLog{ID: fl, ResourceID: vpc, ResourceType: inventory.ResourceTypeVPC,
			Status: inventory.FlowLogStatusActive, TrafficType: inventory.TrafficAll, DestinationType: inventory.DestinationS3,
			Destination: arn + "/h/", HiveCompatiblePartitions: true, PerHourPartition: o.PerHour})
	}
	d.object(bucket, "h/", "fl-00000000000000001", now.Add(-90*time.Minute), hive)
	d.object(bucket, "h/", "fl-00000000000000001", now.Add(-30*time.Minute), hive)
	// The second flow log's only object is in the plain layout: not where a Hive flow log delivers.
	d.object(bucket, "h/", "fl-00000000000000002", now.Add(-10*time.Minute), layout.Options{})
	targets := []awsapi.Target{{AccountID: acct, Partition: "aws", Config: d.e.config()}}
	awsapi.CollectDelivery(ctx, targets, []*inventory.Region{reg}, awsapi.DeliveryOptions{Window: 48 * time.Hour}, 4)
	first, second := reg.FlowLogs[0].Delivery, reg.FlowLogs[1].Delivery
	if first == nil || first.Newest == nil || now.Sub(*first.Newest) > 31*time.Minute || !strings.Contains(first.NewestSource, "aws-region="+deliveryRegion+"/year=") ||
		!strings.Contains(first.NewestSource, "/hour=") {
		t.Errorf("hive per-hour flow log: %+v", first)
	}
	if second == nil || second.Newest != nil || second.Error != "" {
		t.Errorf("hive flow log with a plain-layout object: %+v", second)
	}
	// One listing per day of the Hive prefix: today found the first flow log; the second made it go back
	// through the 48-hour window (3 day prefixes).
	if n := d.e.proxy.CallsIn(deliveryRegion)["s3:ListObjectsV2"]; n != 3 {
		t.Errorf("ListObjectsV2 calls = %d, want 3", n)
	}
}

// A bucket in another region: S3 answers the listing with 301 and x-amz-bucket-region, and the read goes on
// in that region. moto serves every region alike, so a small proxy plays S3's redirect for requests signed
// for the wrong region.
func TestDeliveryBucketInAnotherRegion(t *testing.T) {
	t.Parallel()
	d := newDeliveryEstate(t)
	ctx := t.Context()
	arn, err := d.e.b.Bucket(ctx, deliveryRegion, "far-"+d.e.acct.ID)
	d.must(err)
	now := time.Now().UTC()
	acct := d.e.acct.ID
	d.object("far-"+acct, "", "fl-00000000000000007", now.Add(-8*time.Minute), layout.Options{})
	target, _ := url.Parse(moto.Shared(t).URL)
	var redirected, forwarded atomic.Int32
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), "/"+deliveryRegion+"/s3/") && r.URL.Query().Get("list-type") == "2" {
			redirected.Add(1)
			w.Header().Set("x-amz-bucket-region", "eu-central-1")
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusMovedPermanently)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>`)
			return
		}
		forwarded.Add(1)
		rp.ServeHTTP(w, r)
	}))
	defer srv.Close()
	reg := &inventory.Region{AccountID: acct, Partition: "aws", Name: deliveryRegion,
		VPCs: []inventory.VPC{{ID: "vpc-00000000000000007", OwnerID: acct}},
		FlowLogs: []inventory.FlowLog{{ID: "fl-00000000000000007", ResourceID: "vpc-00000000000000007", ResourceType: inventory.ResourceTypeVPC,
			Status: inventory.FlowLogStatusActive, TrafficType: inventory.TrafficAll, DestinationType: inventory.DestinationS3, Destination: arn}}}
	cfg := d.e.acct.Config(srv.URL, deliveryRegion)
	awsapi.CollectDelivery(ctx, []awsapi.Target{{AccountID: acct, Partition: "aws", Config: cfg}}, []*inventory.Region{reg}, awsapi.DeliveryOptions{}, 2)
	dl := reg.FlowLogs[0].Delivery
	if dl == nil || dl.Error != "" || dl.Newest == nil || redirected.Load() != 1 || forwarded.Load() != 1 {
		t.Errorf("delivery %+v; %d redirected, %d forwarded", dl, redirected.Load(), forwarded.Load())
	}
}
