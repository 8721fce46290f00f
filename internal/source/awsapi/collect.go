// Package awsapi reads the live inventory of AWS accounts: per region, the VPCs, every flow log, the subnets,
// network interfaces and internet gateways, and the log groups flow logs deliver to. It only calls read APIs.
// Its identity lookup (CallerIdentity), flow-log reader (FlowLogs) and converters (ConvertFlowLog,
// ConvertLogGroup) are the only ones: fix reads AWS through them too.
//
// API cost is what makes a scan fast or slow, and what throttles production accounts, so each region costs a
// fixed handful of paginated list calls (never one call per VPC), and independent calls run concurrently.
// A call that fails does not stop the scan: it is recorded as a ReadError on the collection it was reading,
// so the checks can report ERROR instead of silently passing or dropping a VPC.
package awsapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/awsconf"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/pagination"
)

// DefaultConcurrency is how many account-regions are read at once: API rate limits are per account and
// region, so this bounds local resources more than any one account's API budget.
const DefaultConcurrency = 16

// Options control a collection.
type Options struct {
	// Regions to read; empty means every region enabled for the account.
	Regions []string
	// Concurrency bounds the regions read at once.
	Concurrency int
	// Progress, when set, is called after each region with the regions done and the total.
	Progress func(done, total int)
	// Now stamps the snapshot (tests fix it).
	Now func() time.Time
	// Delivery, when enabled, also reads the flow logs' destinations for delivery evidence (delivery.go).
	Delivery DeliveryOptions
	// Network names the network collections to list too (inventory.NetworkCollections): security groups,
	// network ACLs, instances. The built-in checks need none of them; each costs one paginated call per
	// region and its own permission, so only what a check, query or enrichment uses is read.
	Network []inventory.Collection
}

// Account collects the inventory of the account cfg's credentials belong to. Read failures are recorded in
// the snapshot, never returned: the caller always gets what could be read.
func Account(ctx context.Context, cfg aws.Config, o Options) *inventory.Snapshot {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: inventory.SourceAWS, CollectedAt: now().UTC()}
	id, err := CallerIdentity(ctx, cfg)
	if err != nil {
		snap.Errors = append(snap.Errors, readError("", "", inventory.CollAccount, "sts:GetCallerIdentity", err))
		snap.Incomplete = ctx.Err() != nil
		return snap
	}
	acct := Target{AccountID: id.AccountID, Partition: id.Partition, Config: cfg}
	collectTargets(ctx, []Target{acct}, o, snap)
	return snap
}

// Target is one account to read, with a config whose credentials are valid in it.
type Target struct {
	AccountID string
	Partition string
	Config    aws.Config
}

// Accounts collects several accounts into one snapshot; accounts and regions are read concurrently, with at
// most o.Concurrency regions in flight overall.
func Accounts(ctx context.Context, targets []Target, o Options) *inventory.Snapshot {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: inventory.SourceAWS, CollectedAt: now().UTC()}
	collectTargets(ctx, targets, o, snap)
	return snap
}

type job struct {
	target Target
	region string
}

func collectTargets(ctx context.Context, targets []Target, o Options, snap *inventory.Snapshot) {
	limit := o.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	// Region lists first (one call per account, concurrently), then every account-region as one job pool.
	var (
		mu   sync.Mutex
		jobs []job
	)
	g := new(errgroup.Group)
	g.SetLimit(limit)
	for _, t := range targets {
		g.Go(func() error {
			regions := o.Regions
			if len(regions) == 0 {
				rs, err := enabledRegions(ctx, ec2.NewFromConfig(t.Config), t.Partition)
				if err != nil {
					mu.Lock()
					snap.Errors = append(snap.Errors, readError(t.AccountID, "", inventory.CollRegions, "ec2:DescribeRegions", err))
					mu.Unlock()
					return nil
				}
				if len(rs) == 0 {
					mu.Lock()
					snap.Errors = append(snap.Errors, inventory.ReadError{AccountID: t.AccountID, Collection: inventory.CollRegions,
						Operation: "ec2:DescribeRegions", Code: "NoRegions",
						Message: "ec2:DescribeRegions listed no enabled region: nothing to evaluate in this account (name regions with --region)"})
					mu.Unlock()
					return nil
				}
				regions = rs
			}
			mu.Lock()
			for _, r := range regions {
				jobs = append(jobs, job{t, r})
			}
			mu.Unlock()
			return nil
		})
	}
	g.Wait()

	results := make([]*inventory.Region, len(jobs))
	done := 0
	g = new(errgroup.Group)
	g.SetLimit(limit)
	for i, j := range jobs {
		g.Go(func() error {
			var reg *inventory.Region
			if ctx.Err() != nil {
				reg = cancelledRegion(j)
			} else {
				reg = collectRegion(ctx, j.target, j.region, o.Network)
			}
			mu.Lock()
			results[i] = reg
			done++
			if o.Progress != nil {
				o.Progress(done, len(jobs))
			}
			mu.Unlock()
			return nil
		})
	}
	g.Wait()
	snap.Regions = append(snap.Regions, results...)
	spreadOrganizationRules(snap.Regions)
	sort.SliceStable(snap.Regions, func(a, b int) bool {
		ra, rb := snap.Regions[a], snap.Regions[b]
		if ra.AccountID != rb.AccountID {
			return ra.AccountID < rb.AccountID
		}
		return ra.Name < rb.Name
	})
	snap.Buckets = collectBuckets(ctx, targets, snap.Regions, limit)
	if o.Delivery.Enabled {
		CollectDelivery(ctx, targets, snap.Regions, o.Delivery, limit)
	}
	if ctx.Err() != nil {
		snap.Incomplete = true
	}
}

func cancelledRegion(j job) *inventory.Region {
	return &inventory.Region{AccountID: j.target.AccountID, Partition: j.target.Partition, Name: j.region,
		Errors: []inventory.ReadError{{AccountID: j.target.AccountID, Region: j.region, Collection: inventory.CollAll,
			Operation: "scan", Code: "Cancelled", Message: "cancelled before this region was read"}}}
}

// collectRegion reads one account-region, and the network collections named. DescribeLogGroups waits for the
// flow logs (it only lists the groups they deliver to); every other list runs concurrently.
func collectRegion(ctx context.Context, t Target, region string, network []inventory.Collection) *inventory.Region {
	cfg := t.Config.Copy()
	cfg.Region = region
	ec2c := ec2.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	reg := &inventory.Region{AccountID: t.AccountID, Partition: t.Partition, Name: region}

	var mu sync.Mutex
	fail := func(c inventory.Collection, op string, err error) {
		mu.Lock()
		defer mu.Unlock()
		reg.Errors = append(reg.Errors, readError(t.AccountID, region, c, op, err))
	}
	var g sync.WaitGroup
	g.Go(func() {
		vpcs, err := listVPCs(ctx, ec2c)
		if err != nil {
			fail(inventory.CollVPCs, "ec2:DescribeVpcs", err)
			return
		}
		reg.VPCs = vpcs
	})
	g.Go(func() {
		fls, err := listFlowLogs(ctx, ec2c)
		if err != nil {
			fail(inventory.CollFlowLogs, "ec2:DescribeFlowLogs", err)
			fail(inventory.CollLogGroups, "logs:DescribeLogGroups", errors.New("not read: the flow logs that name the log groups could not be read"))
			return
		}
		reg.FlowLogs = fls
		groups, err := listLogGroups(ctx, logs, fls)
		if err != nil {
			fail(inventory.CollLogGroups, "logs:DescribeLogGroups", err)
			return
		}
		reg.LogGroups = groups
	})
	g.Go(func() {
		subnets, err := listSubnets(ctx, ec2c)
		if err != nil {
			fail(inventory.CollSubnets, "ec2:DescribeSubnets", err)
			return
		}
		reg.Subnets = subnets
	})
	g.Go(func() {
		enis, err := listNetworkInterfaces(ctx, ec2c)
		if err != nil {
			fail(inventory.CollNetworkInterfaces, "ec2:DescribeNetworkInterfaces", err)
			return
		}
		reg.NetworkInterfaces = enis
	})
	g.Go(func() {
		igws, err := listInternetGateways(ctx, ec2c)
		if err != nil {
			fail(inventory.CollInternetGateways, "ec2:DescribeInternetGateways", err)
			return
		}
		reg.InternetGateways = igws
	})
	collectNetwork(ctx, &g, ec2c, reg, network, fail)
	collectTransitGateways(ctx, &g, ec2c, reg, fail)
	collectTelemetryRules(ctx, &g, NewTelemetryClient(cfg), reg)
	g.Wait()
	sort.Slice(reg.Errors, func(i, j int) bool { return reg.Errors[i].Collection < reg.Errors[j].Collection })
	return reg
}

// maxPages bounds one listing (10 million resources at 1,000 a page): an endpoint that keeps sending new
// tokens cannot keep a scan going forever.
const maxPages = 10000

// pageSize is the largest page the EC2 describe calls accept: fewer round trips per region.
const pageSize = 1000

func listVPCs(ctx context.Context, c *ec2.Client) ([]inventory.VPC, error) {
	var out []inventory.VPC
	p := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeVpcsPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeVpcsOutput) *string { return page.NextToken }, func(page *ec2.DescribeVpcsOutput) {
		for _, v := range page.Vpcs {
			out = append(out, inventory.VPC{
				ID: aws.ToString(v.VpcId), OwnerID: aws.ToString(v.OwnerId), CIDR: aws.ToString(v.CidrBlock),
				State: string(v.State), IsDefault: aws.ToBool(v.IsDefault), Tags: tagMap(v.Tags),
			})
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func listFlowLogs(ctx context.Context, c *ec2.Client) ([]inventory.FlowLog, error) {
	return FlowLogs(ctx, c, nil, nil)
}

// FlowLogs reads the flow logs of c's region: every one (one paginated pass), or those of the given flow-log
// ids, or those the filters select. The scan and fix both read flow logs through it, so both see the same
// inventory.FlowLog for the same AWS flow log.
func FlowLogs(ctx context.Context, c *ec2.Client, ids []string, filters []ec2types.Filter) ([]inventory.FlowLog, error) {
	var out []inventory.FlowLog
	in := &ec2.DescribeFlowLogsInput{FlowLogIds: ids, Filter: filters}
	if len(ids) == 0 {
		in.MaxResults = aws.Int32(pageSize) // EC2 refuses MaxResults together with FlowLogIds
	}
	p := ec2.NewDescribeFlowLogsPaginator(c, in,
		func(o *ec2.DescribeFlowLogsPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeFlowLogsOutput) *string { return page.NextToken }, func(page *ec2.DescribeFlowLogsOutput) {
		for _, f := range page.FlowLogs {
			out = append(out, ConvertFlowLog(f))
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// ConvertFlowLog is the one translation of an EC2 flow log into the inventory model.
func ConvertFlowLog(f ec2types.FlowLog) inventory.FlowLog {
	fl := inventory.FlowLog{
		ID: aws.ToString(f.FlowLogId), ResourceID: aws.ToString(f.ResourceId),
		Status: aws.ToString(f.FlowLogStatus), TrafficType: string(f.TrafficType),
		DestinationType: string(f.LogDestinationType), Destination: aws.ToString(f.LogDestination),
		LogGroupName: aws.ToString(f.LogGroupName), DeliverLogsStatus: aws.ToString(f.DeliverLogsStatus),
		DeliverLogsError:         aws.ToString(f.DeliverLogsErrorMessage),
		DeliverLogsPermissionARN: aws.ToString(f.DeliverLogsPermissionArn),
		LogFormat:                aws.ToString(f.LogFormat), MaxAggregationInterval: int(aws.ToInt32(f.MaxAggregationInterval)),
		Tags: tagMap(f.Tags), CreatedAt: f.CreationTime,
	}
	fl.ResourceType = inventory.ResourceTypeOf(fl.ResourceID)
	if fl.DestinationType == "" {
		fl.DestinationType = inventory.DestinationCloudWatchLogs
	}
	if fl.DestinationType == inventory.DestinationCloudWatchLogs && fl.LogGroupName == "" {
		// Created with a LogDestination ARN instead of a name: the name is in the ARN.
		fl.LogGroupName = inventory.LogGroupFromARN(fl.Destination)
	}
	if o := f.DestinationOptions; o != nil {
		fl.FileFormat = string(o.FileFormat)
		fl.HiveCompatiblePartitions = aws.ToBool(o.HiveCompatiblePartitions)
		fl.PerHourPartition = aws.ToBool(o.PerHourPartition)
	}
	return fl
}

// listLogGroups reads the log groups that CloudWatch-delivered flow logs name. It lists under the longest
// prefix the names share (usually one page), so the cost does not depend on how many other log groups the
// account has; no CloudWatch flow logs means no call at all.
func listLogGroups(ctx context.Context, c *cloudwatchlogs.Client, fls []inventory.FlowLog) ([]inventory.LogGroup, error) {
	want := map[string]bool{}
	for _, f := range fls {
		if f.DestinationType == inventory.DestinationCloudWatchLogs && f.LogGroupName != "" {
			want[f.LogGroupName] = true
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	in := &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(50)}
	if prefix := commonPrefix(names); prefix != "" {
		in.LogGroupNamePrefix = aws.String(prefix)
	}
	var out []inventory.LogGroup
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, in,
		func(o *cloudwatchlogs.DescribeLogGroupsPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *cloudwatchlogs.DescribeLogGroupsOutput) *string { return page.NextToken }, func(page *cloudwatchlogs.DescribeLogGroupsOutput) {
		for _, g := range page.LogGroups {
			name := aws.ToString(g.LogGroupName)
			if !want[name] {
				continue
			}
			out = append(out, ConvertLogGroup(g))
		}
	}); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ConvertLogGroup is the one translation of a CloudWatch Logs log group into the inventory model.
func ConvertLogGroup(g cwltypes.LogGroup) inventory.LogGroup {
	lg := inventory.LogGroup{Name: aws.ToString(g.LogGroupName), ARN: strings.TrimSuffix(aws.ToString(g.Arn), ":*"),
		RetentionDays: g.RetentionInDays, KMSKeyID: aws.ToString(g.KmsKeyId), StoredBytes: aws.ToInt64(g.StoredBytes)}
	if g.CreationTime != nil {
		t := time.UnixMilli(*g.CreationTime).UTC()
		lg.CreatedAt = &t
	}
	return lg
}

func commonPrefix(names []string) string {
	if len(names) == 0 {
		return ""
	}
	p := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

func listSubnets(ctx context.Context, c *ec2.Client) ([]inventory.Subnet, error) {
	var out []inventory.Subnet
	p := ec2.NewDescribeSubnetsPaginator(c, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeSubnetsPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeSubnetsOutput) *string { return page.NextToken }, func(page *ec2.DescribeSubnetsOutput) {
		for _, s := range page.Subnets {
			out = append(out, inventory.Subnet{ID: aws.ToString(s.SubnetId), VPCID: aws.ToString(s.VpcId),
				CIDR: aws.ToString(s.CidrBlock), AvailabilityZone: aws.ToString(s.AvailabilityZone), Tags: tagMap(s.Tags)})
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func listNetworkInterfaces(ctx context.Context, c *ec2.Client) ([]inventory.NetworkInterface, error) {
	var out []inventory.NetworkInterface
	p := ec2.NewDescribeNetworkInterfacesPaginator(c, &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeNetworkInterfacesPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeNetworkInterfacesOutput) *string { return page.NextToken }, func(page *ec2.DescribeNetworkInterfacesOutput) {
		for _, n := range page.NetworkInterfaces {
			out = append(out, ConvertNetworkInterface(n))
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func listInternetGateways(ctx context.Context, c *ec2.Client) ([]inventory.InternetGateway, error) {
	var out []inventory.InternetGateway
	p := ec2.NewDescribeInternetGatewaysPaginator(c, &ec2.DescribeInternetGatewaysInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeInternetGatewaysPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeInternetGatewaysOutput) *string { return page.NextToken }, func(page *ec2.DescribeInternetGatewaysOutput) {
		for _, g := range page.InternetGateways {
			igw := inventory.InternetGateway{ID: aws.ToString(g.InternetGatewayId), Tags: tagMap(g.Tags)}
			for _, a := range g.Attachments {
				if a.State == ec2types.AttachmentStatusAttached || string(a.State) == "available" {
					igw.AttachedVPCs = append(igw.AttachedVPCs, aws.ToString(a.VpcId))
				}
			}
			out = append(out, igw)
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

func tagMap(tags []ec2types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// readError turns an SDK error into a ReadError with the service's error code when there is one.
func readError(account, region string, c inventory.Collection, op string, err error) inventory.ReadError {
	re := inventory.ReadError{AccountID: account, Region: region, Collection: c, Operation: op, Message: err.Error()}
	var ae smithy.APIError
	if msg, ok := awsconf.CannotConnect(err); ok {
		re.Code, re.Message = awsconf.CodeCannotConnect, msg
		return re
	}
	switch {
	case errors.As(err, &ae):
		re.Code = ae.ErrorCode()
		re.Message = fmt.Sprintf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	case errors.Is(err, pagination.ErrRepeatedToken):
		re.Code = "RepeatedNextToken"
	case errors.Is(err, pagination.ErrTooManyPages):
		re.Code = "TooManyPages"
	case errors.Is(err, context.Canceled):
		re.Code = "Cancelled"
		re.Message = "cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		re.Code = "Timeout"
	}
	return re
}
