package awsapi

// Delivery evidence: read at each flow log's destination whether records arrive. Read only when asked
// (Options.Delivery.Enabled: the check vpc-flow-logs-delivering is selected), because it reads more than the
// inventory: per account-region, one paginated DescribeLogStreams per destination log group, one paginated
// ListObjectsV2 per S3 bucket/prefix/account/region and day, one DescribeDeliveryStream per Firehose stream.
// Never one call per VPC: destinations are shared, and they are read once however many flow logs use them.

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/layout"
	"github.com/flowguard/flowguard/internal/pagination"
)

// DeliveryOptions say whether, and how far back, flow-log destinations are read for delivery evidence.
type DeliveryOptions struct {
	Enabled bool
	// Window is how far back records are looked for (default inventory.DeliveryWindow); at least the
	// longest lag a check accepts, or a stale-but-delivering interface would look silent.
	Window time.Duration
	// Now is the clock lags are measured with (tests fix it).
	Now func() time.Time
	// Progress, when set, is called after each destination read with the destinations done and the total.
	Progress func(done, total int)
}

// streamsPageSize is DescribeLogStreams' largest page.
const streamsPageSize = 50

// maxDeliveryPages bounds one destination's listing (500,000 streams or 10 million objects): an endpoint
// that keeps answering cannot keep a scan going forever.
const maxDeliveryPages = 10000

// ParseStreamName returns the network interface a VPC flow log's CloudWatch Logs stream is named after:
// "eni-0abc…", optionally with the suffix "-all", "-accept" or "-reject" (AWS names one stream per
// interface, by its id). ok is false for any other stream (a Transit Gateway attachment, a stream someone
// else writes to the group).
func ParseStreamName(name string) (eni string, ok bool) {
	m := streamName.FindStringSubmatch(name)
	if m == nil {
		return "", false
	}
	return m[1], true
}

var streamName = regexp.MustCompile(`^(eni-[0-9a-f]{8,17})(?:-(?:all|accept|reject))?$`)

// ObjectFlowLog parses the name of a flow-log object (the last part of its key):
// {account}_vpcflowlogs_{region}_{flow-log-id}_{YYYYMMDDTHHmmZ}_{hash}.log.gz (or .log.parquet), as AWS
// documents it. ok is false for any other name.
func ObjectFlowLog(name string) (account, region, flowLogID string, t time.Time, ok bool) {
	m := objectName.FindStringSubmatch(name)
	if m == nil {
		return "", "", "", time.Time{}, false
	}
	t, err := time.Parse("20060102T1504Z", m[4])
	if err != nil {
		return "", "", "", time.Time{}, false
	}
	return m[1], m[2], m[3], t, true
}

var objectName = regexp.MustCompile(`^(\d{12})_vpcflowlogs_([a-z0-9-]{1,32})_(fl-[0-9a-f]{8,17})_(\d{8}T\d{4}Z)_([0-9a-zA-Z]{1,64})\.log(?:\.gz|\.parquet)?$`)

// S3Destination splits an S3 flow-log destination ARN (arn:PARTITION:s3:::bucket[/prefix]) into the bucket and
// the key prefix ("" or ending in "/").
func S3Destination(arn string) (bucket, prefix string) {
	bucket = inventory.BucketFromARN(arn)
	if bucket == "" {
		return "", ""
	}
	rest := arn[strings.Index(arn, ":::")+3+len(bucket):]
	rest = strings.TrimPrefix(rest, "/")
	if rest != "" && !strings.HasSuffix(rest, "/") {
		rest += "/"
	}
	return bucket, rest
}

// deliveryJob is one destination to read, and what it found.
type deliveryJob struct {
	kind    string // inventory.Destination*
	account string
	region  string // the flow logs' region (and the log group's, the stream's)
	name    string // log group, bucket, or delivery stream name
	prefix  string // S3 key prefix
	hive    bool
	flowIDs map[string]bool // S3: the flow logs whose objects are looked for

	// results
	streams  map[string]streamInfo // CloudWatch: interface id → its newest stream
	complete bool
	newest   map[string]objectInfo // S3: flow log id → newest object
	where    string
	status   string // Firehose
	code     string
	err      string
}

type streamInfo struct {
	name string
	last time.Time
}

type objectInfo struct {
	key string
	t   time.Time
}

// CollectDelivery reads the destinations of every region's flow logs (with the config of the region's account
// among targets) and records the evidence on the flow logs and network interfaces, and Region.DeliveryReadAt
// on the regions read. At most limit destinations are read at once.
func CollectDelivery(ctx context.Context, targets []Target, regions []*inventory.Region, o DeliveryOptions, limit int) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	window := o.Window
	if window <= 0 {
		window = inventory.DeliveryWindow
	}
	cfgs := map[string]aws.Config{}
	for _, t := range targets {
		cfgs[t.AccountID] = t.Config
	}
	readAt := now().UTC()
	since := readAt.Add(-window)

	type jobKey struct{ kind, account, region, name, prefix string }
	jobs := map[jobKey]*deliveryJob{}
	var order []jobKey
	add := func(k jobKey, j *deliveryJob) *deliveryJob {
		if prev := jobs[k]; prev != nil {
			return prev
		}
		jobs[k] = j
		order = append(order, k)
		return j
	}
	var read []*inventory.Region
	for _, r := range regions {
		if r == nil || !r.Read(inventory.CollFlowLogs) || ctx.Err() != nil {
			continue
		}
		if _, ok := cfgs[r.AccountID]; !ok {
			continue
		}
		read = append(read, r)
		for _, f := range r.FlowLogs {
			switch f.DestinationType {
			case inventory.DestinationCloudWatchLogs:
				if f.LogGroupName != "" && interfaceStreams(f) {
					add(jobKey{f.DestinationType, r.AccountID, r.Name, f.LogGroupName, ""},
						&deliveryJob{kind: f.DestinationType, account: r.AccountID, region: r.Name, name: f.LogGroupName})
				}
			case inventory.DestinationS3:
				bucket, prefix := S3Destination(f.Destination)
				if bucket == "" {
					continue
				}
				kind := f.DestinationType
				if f.HiveCompatiblePartitions {
					kind += "+hive"
				}
				j := add(jobKey{kind, r.AccountID, r.Name, bucket, prefix}, &deliveryJob{kind: f.DestinationType,
					account: r.AccountID, region: r.Name, name: bucket, prefix: prefix, hive: f.HiveCompatiblePartitions,
					flowIDs: map[string]bool{}})
				j.flowIDs[f.ID] = true
			case inventory.DestinationFirehose:
				if name, region, ok := firehoseStream(f.Destination); ok {
					add(jobKey{f.DestinationType, r.AccountID, region, name, ""},
						&deliveryJob{kind: f.DestinationType, account: r.AccountID, region: region, name: name})
				}
			}
		}
	}
	g := new(errgroup.Group)
	g.SetLimit(max(limit, 1))
	var mu sync.Mutex
	done := 0
	for _, k := range order {
		j := jobs[k]
		g.Go(func() error {
			defer func() {
				if o.Progress != nil {
					mu.Lock()
					done++
					o.Progress(done, len(order))
					mu.Unlock()
				}
			}()
			cfg := cfgs[j.account].Copy()
			cfg.Region = j.region
			switch j.kind {
			case inventory.DestinationCloudWatchLogs:
				j.readStreams(ctx, cfg, since)
			case inventory.DestinationS3:
				j.readObjects(ctx, cfg, readAt, since)
			case inventory.DestinationFirehose:
				j.readFirehose(ctx, cfg)
			}
			return nil
		})
	}
	g.Wait()
	if ctx.Err() != nil {
		return // a cut-short read is not evidence: the regions stay "not read"
	}
	for _, r := range read {
		attach(r, func(kind, name, prefix string, hive bool) *deliveryJob {
			if kind == inventory.DestinationS3 && hive {
				kind += "+hive"
			}
			region := r.Name
			if kind == inventory.DestinationFirehose {
				var ok bool
				if name, region, ok = firehoseStream(name); !ok {
					return nil
				}
			}
			return jobs[jobKey{kind, r.AccountID, region, name, prefix}]
		}, readAt, since)
		t := readAt
		r.DeliveryReadAt = &t
	}
}

// attach turns the destinations' listings into each flow log's and interface's evidence.
func attach(r *inventory.Region, job func(kind, name, prefix string, hive bool) *deliveryJob, readAt, since time.Time) {
	enisRead := r.Read(inventory.CollNetworkInterfaces)
	byVPC, bySubnet := map[string][]int{}, map[string][]int{}
	byID := map[string]int{}
	for i, e := range r.NetworkInterfaces {
		byVPC[e.VPCID] = append(byVPC[e.VPCID], i)
		bySubnet[e.SubnetID] = append(bySubnet[e.SubnetID], i)
		byID[e.ID] = i
	}
	for i := range r.FlowLogs {
		f := &r.FlowLogs[i]
		if f.DestinationType == inventory.DestinationCloudWatchLogs && !interfaceStreams(*f) {
			// A Transit Gateway's streams are not named by interface: not read here, so no evidence (null
			// fields), rather than a "nothing found" that was never looked for.
			continue
		}
		d := &inventory.Delivery{ReadAt: readAt, Since: since}
		var j *deliveryJob
		switch f.DestinationType {
		case inventory.DestinationCloudWatchLogs:
			j = job(f.DestinationType, f.LogGroupName, "", false)
		case inventory.DestinationS3:
			bucket, prefix := S3Destination(f.Destination)
			j = job(f.DestinationType, bucket, prefix, f.HiveCompatiblePartitions)
		case inventory.DestinationFirehose:
			j = job(f.DestinationType, f.Destination, "", false)
		}
		if j == nil {
			d.Code, d.Error = "UnknownDestination", "the destination "+quoteOr(f.Destination, f.LogGroupName)+" cannot be read: not a log group, bucket or delivery stream flowguard knows how to read"
			f.Delivery = d
			continue
		}
		d.Where, d.Code, d.Error = j.where, j.code, j.err
		switch j.kind {
		case inventory.DestinationFirehose:
			d.StreamStatus = j.status
		case inventory.DestinationS3:
			if o, ok := j.newest[f.ID]; ok && d.Error == "" {
				t := o.t
				d.Newest, d.NewestSource = &t, o.key
			}
		case inventory.DestinationCloudWatchLogs:
			if d.Error != "" {
				break
			}
			// Only a flow log that captures ALL traffic gives every interface with traffic (or none: NODATA
			// records) a stream; with REJECT or ACCEPT only, a quiet interface is expected to have none.
			d.Complete = j.complete
			d.PerInterface = f.Status == inventory.FlowLogStatusActive && f.TrafficType == inventory.TrafficAll
			var enis []int
			switch inventory.ResourceTypeOf(f.ResourceID) {
			case inventory.ResourceTypeVPC:
				enis = byVPC[f.ResourceID]
			case inventory.ResourceTypeSubnet:
				enis = bySubnet[f.ResourceID]
			case inventory.ResourceTypeNetworkInterface:
				if k, ok := byID[f.ResourceID]; ok {
					enis = []int{k}
				}
			default:
				d.PerInterface = false
			}
			if !enisRead {
				d.Code, d.Error = "InterfacesNotRead", "the network interfaces could not be read, so the log streams (one per interface) cannot be related to this flow log"
				break
			}
			for _, k := range enis {
				e := &r.NetworkInterfaces[k]
				s, ok := j.streams[e.ID]
				if ok {
					t := s.last
					if d.Newest == nil || t.After(*d.Newest) {
						d.Newest, d.NewestSource = &t, s.name
					}
				}
				if !d.PerInterface {
					continue
				}
				if e.Delivery == nil {
					e.Delivery = &inventory.InterfaceDelivery{ReadAt: readAt}
				}
				if ok && (e.Delivery.Newest == nil || s.last.After(*e.Delivery.Newest)) {
					t := s.last
					e.Delivery.Newest, e.Delivery.Stream = &t, s.name
				}
				if e.Status == "in-use" {
					if ok {
						d.WithRecords++
					} else {
						d.Silent++
					}
				}
			}
		}
		f.Delivery = d
	}
}

// interfaceStreams reports whether the flow log's CloudWatch Logs streams are named by network interface: flow
// logs on a VPC, subnet or interface.
func interfaceStreams(f inventory.FlowLog) bool {
	rt := f.ResourceType
	if rt == "" {
		rt = inventory.ResourceTypeOf(f.ResourceID)
	}
	switch rt {
	case inventory.ResourceTypeVPC, inventory.ResourceTypeSubnet, inventory.ResourceTypeNetworkInterface:
		return true
	}
	return false
}

func quoteOr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return "\"" + x + "\""
		}
	}
	return "(none)"
}

// readStreams lists the log group's streams, newest event first, until the streams are older than since:
// per interface, its newest stream.
func (j *deliveryJob) readStreams(ctx context.Context, cfg aws.Config, since time.Time) {
	j.where = "log group " + j.name
	j.streams = map[string]streamInfo{}
	c := cloudwatchlogs.NewFromConfig(cfg)
	in := &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(j.name),
		OrderBy: cwltypes.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(streamsPageSize)}
	p := cloudwatchlogs.NewDescribeLogStreamsPaginator(c, in,
		func(o *cloudwatchlogs.DescribeLogStreamsPaginatorOptions) { o.StopOnDuplicateToken = true })
	guard := pagination.New(maxDeliveryPages)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			j.fail("logs:DescribeLogStreams", err)
			return
		}
		if err := guard.Next(page.NextToken); err != nil {
			j.fail("logs:DescribeLogStreams", err)
			return
		}
		for _, s := range page.LogStreams {
			last := streamTime(s)
			if last.IsZero() {
				// Ordered by last event: every later stream is empty too, so nothing was left unread.
				j.complete = true
				return
			}
			if last.Before(since) {
				// Ordered by last event: every later stream is older (or empty).
				return
			}
			eni, ok := ParseStreamName(aws.ToString(s.LogStreamName))
			if !ok {
				continue
			}
			if prev, seen := j.streams[eni]; !seen || last.After(prev.last) {
				j.streams[eni] = streamInfo{name: aws.ToString(s.LogStreamName), last: last}
			}
		}
	}
	j.complete = true
}

// streamTime is a stream's newest record: its last event time, or, while CloudWatch Logs has not filled that
// in yet (it "updates on an eventual consistency basis"), its last ingestion time.
func streamTime(s cwltypes.LogStream) time.Time {
	ms := aws.ToInt64(s.LastEventTimestamp)
	if ms == 0 {
		ms = aws.ToInt64(s.LastIngestionTime)
	}
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// readObjects lists the bucket's day prefixes of the account and region, newest day first, until every flow
// log of the job has an object or the window is covered: per flow log, its newest object.
func (j *deliveryJob) readObjects(ctx context.Context, cfg aws.Config, readAt, since time.Time) {
	base := layout.Prefix(j.prefix, j.account, j.region, layout.Options{Hive: j.hive})
	j.newest = map[string]objectInfo{}
	days := layout.DayPrefixes(since, readAt, j.hive)
	j.where = "s3://" + j.name + "/" + base + ", days " + days[0] + " to " + days[len(days)-1]
	client := func(cfg aws.Config) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = awsconf.UsesCustomEndpoint(cfg) })
	}
	c := client(cfg)
	for i := len(days) - 1; i >= 0; i-- {
		in := &s3.ListObjectsV2Input{Bucket: aws.String(j.name), Prefix: aws.String(base + days[i])}
		found, err := j.listDay(ctx, c, in)
		if region, moved := bucketRegion(err); moved && region != cfg.Region {
			// The bucket is in another region: S3 says which; list there.
			cfg = cfg.Copy()
			cfg.Region = region
			c = client(cfg)
			found, err = j.listDay(ctx, c, in)
		}
		if err != nil {
			j.fail("s3:ListObjectsV2", err)
			return
		}
		for id, o := range found {
			if _, done := j.newest[id]; !done {
				j.newest[id] = o
			}
		}
		if len(j.newest) == len(j.flowIDs) {
			return
		}
	}
}

// listDay lists one day prefix: per wanted flow log, its newest object there.
func (j *deliveryJob) listDay(ctx context.Context, c *s3.Client, in *s3.ListObjectsV2Input) (map[string]objectInfo, error) {
	found := map[string]objectInfo{}
	p := s3.NewListObjectsV2Paginator(c, in)
	guard := pagination.New(maxDeliveryPages)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		if err := guard.Next(page.NextContinuationToken); err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			name := key[strings.LastIndexByte(key, '/')+1:]
			acct, region, id, t, ok := ObjectFlowLog(name)
			if !ok || acct != j.account || region != j.region || !j.flowIDs[id] {
				continue
			}
			if prev, seen := found[id]; !seen || t.After(prev.t) {
				found[id] = objectInfo{key: key, t: t}
			}
		}
	}
	return found, nil
}

// bucketRegion reads the region S3 names when a bucket lives elsewhere (301 with x-amz-bucket-region).
func bucketRegion(err error) (string, bool) {
	var re *awshttp.ResponseError
	if err == nil || !errors.As(err, &re) || re.Response == nil {
		return "", false
	}
	if re.HTTPStatusCode() != http.StatusMovedPermanently && re.HTTPStatusCode() != http.StatusBadRequest {
		return "", false
	}
	r := re.Response.Header.Get("x-amz-bucket-region")
	return r, r != ""
}

// readFirehose reads the delivery stream's status.
func (j *deliveryJob) readFirehose(ctx context.Context, cfg aws.Config) {
	j.where = "firehose delivery stream " + j.name
	out, err := firehose.NewFromConfig(cfg).DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{
		DeliveryStreamName: aws.String(j.name)})
	if err != nil {
		j.fail("firehose:DescribeDeliveryStream", err)
		return
	}
	if d := out.DeliveryStreamDescription; d != nil {
		j.status = string(d.DeliveryStreamStatus)
	}
	if j.status == "" {
		j.status = "UNKNOWN"
	}
}

// fail records why the destination could not be read, with the service's error code.
func (j *deliveryJob) fail(op string, err error) {
	re := readError(j.account, j.region, inventory.CollDelivery, op, err)
	j.code, j.err = re.Code, op+": "+re.Message
	if j.code == "" {
		j.code = "ReadFailed"
	}
	var rerr *awshttp.ResponseError
	if errors.As(err, &rerr) && rerr.HTTPStatusCode() == http.StatusNotFound && j.kind == inventory.DestinationS3 {
		j.code = "NoSuchBucket"
	}
}

// firehoseStream parses arn:PARTITION:firehose:REGION:ACCOUNT:deliverystream/NAME.
func firehoseStream(arn string) (name, region string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "firehose" || !strings.HasPrefix(parts[5], "deliverystream/") {
		return "", "", false
	}
	name = strings.TrimPrefix(parts[5], "deliverystream/")
	if name == "" || parts[3] == "" {
		return "", "", false
	}
	return name, parts[3], true
}
