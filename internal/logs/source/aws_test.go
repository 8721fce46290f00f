package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/layout"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// upload puts every file under dir into the bucket below prefix.
func upload(t *testing.T, c *s3.Client, bucket, prefix, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		n++
		_, err = c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + filepath.ToSlash(rel)), Body: bytes.NewReader(data)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestS3DatePrunedListingTextAndParquet(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	proxy := faultproxy.New(srv.URL, faultproxy.Options{})
	defer proxy.Close()
	c := NewS3Client(acct.Config(proxy.URL, "us-east-1"))
	bucket := "flow-logs-" + acct.ID
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := gen.Config{Seed: 11, Records: 7200, Start: start, Duration: 72 * time.Hour, Account: acct.ID, BruteForces: 2,
		Format: flowlog.FormatOf(flowlog.FieldsOfVersion(4)...)}
	for _, tc := range []struct {
		name   string
		prefix string
		o      layout.Options
	}{
		{"text daily", "plain/", layout.Options{}},
		{"text hive per-hour", "hive/", layout.Options{Hive: true, PerHour: true}},
		{"parquet per-hour", "pq/", layout.Options{Parquet: true, PerHour: true}},
	} {
		dir := t.TempDir()
		if _, err := gen.New(cfg).WriteDir(dir, tc.o); err != nil {
			t.Fatal(err)
		}
		if n := upload(t, c, bucket, tc.prefix, dir); n != 72 {
			t.Fatalf("%s: uploaded %d objects", tc.name, n)
		}
	}
	// What day two holds, read straight from the generator.
	var wantDay2 int64
	gen.New(cfg).Each(func(st int64, _ []byte) error {
		if st >= start.Add(24*time.Hour).Unix() && st < start.Add(48*time.Hour).Unix() {
			wantDay2++
		}
		return nil
	})

	for _, tc := range []struct {
		name, prefix, day string
	}{
		{"text daily", "plain/", "2026/01/02/"},
		{"text hive per-hour", "hive/", "year=2026/month=01/day=02/"},
		{"parquet per-hour", "pq/", "2026/01/02/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			since, until := start.Add(24*time.Hour), start.Add(47*time.Hour)
			l, err := ListS3(t.Context(), c, "s3://"+bucket+"/"+tc.prefix, since, until)
			if err != nil {
				t.Fatal(err)
			}
			base := tc.prefix + "AWSLogs/" + acct.ID + "/vpcflowlogs/us-east-1/"
			if strings.HasPrefix(tc.day, "year=") {
				base = tc.prefix + "AWSLogs/aws-account-id=" + acct.ID + "/aws-service=vpcflowlogs/aws-region=us-east-1/"
			}
			var wantPrefixes []string
			p := tc.prefix
			for _, part := range strings.SplitAfter(strings.TrimPrefix(base, tc.prefix), "/") {
				wantPrefixes = append(wantPrefixes, p)
				p += part
			}
			wantPrefixes = append(wantPrefixes, base+tc.day)
			if d := cmp.Diff(wantPrefixes, l.Prefixes, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
				t.Errorf("listed prefixes (-want +got):\n%s", d)
			}
			if len(l.Units) != 24 {
				t.Errorf("%d objects, want the 24 of day two", len(l.Units))
			}
			// Read them all (in parallel) and count day-two records.
			var got int64
			c2 := &collector{}
			st, err := Run(t.Context(), l.Units, 4, flowlog.Options{Strict: true}, func() Sink { return collectSink{c2} })
			if err != nil {
				t.Fatal(err)
			}
			got = st.Records
			if got != wantDay2 {
				t.Errorf("read %d records, want %d", got, wantDay2)
			}
		})
	}
	// Without a range everything is listed.
	l, err := ListS3(t.Context(), c, "s3://"+bucket+"/", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Units) != 3*72 {
		t.Errorf("whole bucket: %d objects", len(l.Units))
	}
	if calls := proxy.Calls(); calls["s3:GetObject"] != 3*24 {
		t.Errorf("GetObject calls %d, want %d (one per object read)", calls["s3:GetObject"], 3*24)
	}
	// A missing bucket, an empty prefix and an empty time range are clear errors, not empty reports.
	var nf *NotFoundError
	_, err = ListS3(t.Context(), c, "s3://no-such-bucket-"+acct.ID+"/", time.Time{}, time.Time{})
	if !errors.As(err, &nf) || err.Error() != "bucket no-such-bucket-"+acct.ID+" does not exist" {
		t.Errorf("missing bucket: %v", err)
	}
	for _, p := range []string{"nothing-here/", "nothing", "plain/nope/"} {
		_, err = ListS3(t.Context(), c, "s3://"+bucket+"/"+p, time.Time{}, time.Time{})
		if !errors.As(err, &nf) || err.Error() != "no objects under s3://"+bucket+"/"+p {
			t.Errorf("prefix %s: %v", p, err)
		}
	}
	later := start.AddDate(1, 0, 0)
	_, err = ListS3(t.Context(), c, "s3://"+bucket+"/plain/", later, later.Add(time.Hour))
	if !errors.As(err, &nf) || !strings.HasPrefix(err.Error(), "no objects under s3://"+bucket+"/plain/ delivered in the time range (2027-01-01T00:00:00Z to 2027-01-01T01:00:00Z") {
		t.Errorf("empty range: %v", err)
	}
}

func TestCloudWatchLogsFormatFromFlowLog(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	cfg := acct.Config(srv.URL, "us-east-1")
	ctx := t.Context()
	clients := NewCloudWatchClients(cfg)
	group := "/vpc/flow-logs"
	format, _ := flowlog.ParseFormat("${version} ${vpc-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${tcp-flags} ${flow-direction}")

	vpc, err := clients.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := clients.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := clients.EC2.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{
		ResourceIds: []string{aws.ToString(vpc.Vpc.VpcId)}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeAll,
		LogDestinationType: ec2types.LogDestinationTypeCloudWatchLogs, LogGroupName: aws.String(group),
		DeliverLogsPermissionArn: aws.String("arn:aws:iam::" + acct.ID + ":role/flow-logs"), LogFormat: aws.String(format.String()),
	}); err != nil {
		t.Fatal(err)
	}
	got, _, err := FlowLogFormat(ctx, clients.EC2, group)
	if err != nil || !got.Equal(format) {
		t.Fatalf("format %v, %v", got, err)
	}

	// Events: one stream per interface, no header, timestamps near now (CloudWatch refuses old events).
	start := time.Now().Add(-3 * time.Hour).Truncate(time.Hour)
	g := gen.New(gen.Config{Seed: 2, Records: 1500, Start: start, Duration: 2 * time.Hour, Format: format, Interfaces: 4, BruteForces: 1})
	streams := map[string][]cwtypes.InputLogEvent{}
	var total int64
	g.Each(func(st int64, line []byte) error {
		eni := strings.Fields(string(line))[2]
		streams[eni] = append(streams[eni], cwtypes.InputLogEvent{Message: aws.String(string(line)), Timestamp: aws.Int64(st * 1000)})
		total++
		return nil
	})
	for eni, evs := range streams {
		stream := eni + "-all"
		if _, err := clients.Logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(evs); i += 500 {
			if _, err := clients.Logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
				LogEvents: evs[i:min(i+500, len(evs))]}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A malformed event is counted with its stream and position.
	clients.Logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("junk")})
	clients.Logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("junk"),
		LogEvents: []cwtypes.InputLogEvent{{Message: aws.String("not a flow log record"), Timestamp: aws.Int64(start.UnixMilli())}}})

	units, err := ListCloudWatch(ctx, clients, group, nil, start.Add(-time.Minute), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != len(streams)+1 {
		t.Fatalf("%d streams, want %d", len(units), len(streams)+1)
	}
	for i := range units {
		ls := units[i].(LogStream)
		ls.PageSize = 100 // force pagination
		units[i] = ls
	}
	col := &collector{}
	st, err := Run(ctx, units, 4, flowlog.Options{}, func() Sink { return collectSink{col} })
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != total || st.Malformed != 1 || st.Samples[0].Name != group+":junk" || st.Samples[0].Line != 1 {
		t.Errorf("stats %+v, want %d records and 1 malformed", st, total)
	}
	g2 := gen.New(gen.Config{Seed: 2, Records: 1500, Start: start, Duration: 2 * time.Hour, Format: format, Interfaces: 4, BruteForces: 1})
	var buf bytes.Buffer
	g2.WriteStream(&buf, false)
	_, want, _ := runAll(t, []Unit{Reader{R: &buf, Label: "x"}}, flowlog.Options{Format: format, Strict: true})
	if d := cmp.Diff(want, countsOf(col)); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}

	// A group no flow log delivers to needs --log-format.
	clients.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("other")})
	if _, err := ListCloudWatch(ctx, clients, "other", nil, time.Time{}, time.Time{}); err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("no flow log: %v", err)
	}
	if us, err := ListCloudWatch(ctx, clients, "other", flowlog.DefaultFormat, time.Time{}, time.Time{}); err != nil || len(us) != 0 {
		t.Errorf("empty group with --format: %v %v", us, err)
	}
	// A group that does not exist says so, with or without a format; a prefix of a group's name is not it.
	for _, g := range []string{"/vpc/nope", "/vpc/flow"} {
		for _, f := range []*flowlog.Format{nil, flowlog.DefaultFormat} {
			_, err := ListCloudWatch(ctx, clients, g, f, time.Time{}, time.Time{})
			var nf *NotFoundError
			if !errors.As(err, &nf) || err.Error() != "no such log group "+g+" in us-east-1" {
				t.Errorf("group %s, format %v: %v", g, f != nil, err)
			}
		}
	}
	_ = context.Background
	_ = fmt.Sprint
}

func countsOf(c *collector) map[string]int {
	m := map[string]int{}
	for _, l := range c.lines {
		m[l]++
	}
	return m
}
