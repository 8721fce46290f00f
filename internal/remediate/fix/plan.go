package fix

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/fix/policy"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// PlanSchema versions the JSON form of a plan (`fix --output json`).
const PlanSchema = "flowguard.fixplan/v1"

// API actions a plan may contain; every one changes something.
const (
	ActCreateRole         = "iam:CreateRole"
	ActUpdateAssumeRole   = "iam:UpdateAssumeRolePolicy"
	ActPutRolePolicy      = "iam:PutRolePolicy"
	ActCreateLogGroup     = "logs:CreateLogGroup"
	ActPutRetentionPolicy = "logs:PutRetentionPolicy"
	ActCreateFlowLogs     = "ec2:CreateFlowLogs"
	// ActTagLogGroup puts back tags missing from a log group the run created (a resumed run converges).
	ActTagLogGroup = "logs:TagResource"
)

// Step is one API call the plan will make.
type Step struct {
	ID      string `json:"id"`
	Batch   int    `json:"batch"` // 0: account prerequisites (the role), before any batch
	Account string `json:"account"`
	Region  string `json:"region,omitempty"`
	Action  string `json:"action"`
	// Resource is the role, log group or flow-log destination the call is about.
	Resource string   `json:"resource"`
	VPCs     []string `json:"vpcs,omitempty"`
	Why      string   `json:"why"`

	PolicyName     string `json:"policy_name,omitempty"`
	PolicyDocument string `json:"policy_document,omitempty"`
	RetentionDays  int32  `json:"retention_days,omitempty"`
	Previous       *int32 `json:"previous_retention_days,omitempty"`
	// LogGroupCreated is the creation time (ms since the epoch) of the existing log group a step changes.
	LogGroupCreated int64             `json:"log_group_created,omitempty"`
	KMSKey          string            `json:"kms_key,omitempty"`
	Tags            map[string]string `json:"tags,omitempty"`
	FlowLog         *FlowLogSpec      `json:"flow_log,omitempty"`
}

// FlowLogSpec is what CreateFlowLogs is asked for.
type FlowLogSpec struct {
	// ResourceType is TransitGateway for a Transit Gateway flow log, empty for a VPC one.
	ResourceType           string `json:"resource_type,omitempty"`
	TrafficType            string `json:"traffic_type"`
	DestinationType        string `json:"destination_type"`
	LogGroupName           string `json:"log_group_name,omitempty"`
	Destination            string `json:"destination,omitempty"` // S3 bucket ARN[/prefix]
	RoleARN                string `json:"deliver_logs_permission_arn,omitempty"`
	LogFormat              string `json:"log_format,omitempty"`
	MaxAggregationInterval int32  `json:"max_aggregation_interval"`
	FileFormat             string `json:"file_format,omitempty"`
	HivePartitions         bool   `json:"hive_compatible_partitions,omitempty"`
	PerHourPartitions      bool   `json:"per_hour_partition,omitempty"`
}

// Diagnosis explains a flow log whose delivery fails and what would fix it.
type Diagnosis struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	VPCID     string `json:"vpc_id"`
	FlowLogID string `json:"flow_log_id,omitempty"`
	Cause     string `json:"cause"`
	Proposal  string `json:"proposal"`
}

// Done is a VPC this run already fixed before it was interrupted.
type Done struct {
	Target
	FlowLogID string `json:"flow_log_id"`
}

// Plan is everything a fix run will do, computed from findings and the accounts' current state, before any
// change. It is printed for review and then applied as is.
type Plan struct {
	Schema   string   `json:"schema"`
	RunID    string   `json:"run_id"`
	Account  string   `json:"account"`
	Settings Settings `json:"settings"`
	Regions  []string `json:"regions"`
	Batches  int      `json:"batches"`
	// Targets are the VPCs the steps change, in rollout order; Deferred those beyond --max-batches.
	Targets  []Target `json:"targets"`
	Deferred []Target `json:"deferred,omitempty"`
	Done     []Done   `json:"done,omitempty"`
	// Skipped are the VPCs left alone, each with why; Passing those that pass by now and need nothing.
	// Targets, Deferred, Done, Skipped and Passing hold every VPC of the plan once (see Counts).
	Skipped []Skip `json:"skipped,omitempty"`
	Passing []Skip `json:"passing,omitempty"`
	// NotRemediated are the FAIL findings of checks fix does not remediate (custom checks), left alone.
	NotRemediated []CheckFindings `json:"not_remediated,omitempty"`
	Diagnoses     []Diagnosis     `json:"diagnoses,omitempty"`
	Notes         []string        `json:"notes,omitempty"`
	Steps         []Step          `json:"steps"`
	// Resumed is set when the plan finishes an earlier, interrupted run.
	Resumed bool `json:"resumed,omitempty"`
	// Incomplete is set when the current state of some region could not be read (its VPCs are left alone).
	Incomplete bool `json:"incomplete,omitempty"`
}

// BuildOptions tune plan building.
type BuildOptions struct {
	RunID   string
	Account string // the account of the credentials; targets in other accounts are skipped
	// Concurrency bounds the regions read at once.
	Concurrency int
	// Resumed is set when the plan finishes an interrupted run: the log groups the run created are then read
	// with their tags, so that the plan brings them to their full state (retention, tags) whatever the journal
	// says was done.
	Resumed bool
}

// Build reads the current state of the targets' regions (read-only calls only) and returns the plan.
func Build(ctx context.Context, cfg aws.Config, targets []Target, skipped []Skip, s Settings, o BuildOptions) (*Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	p := &Plan{Schema: PlanSchema, RunID: o.RunID, Account: o.Account, Settings: s, Skipped: append([]Skip(nil), skipped...)}
	var mine []Target
	for _, t := range targets {
		if t.AccountID != o.Account {
			p.Skipped = append(p.Skipped, Skip{t.AccountID, t.Region, t.VPCID, fmt.Sprintf("account %s is not the account of the credentials (%s): run fix with its credentials, or with --assume-role ROLE", t.AccountID, o.Account)})
			continue
		}
		mine = append(mine, t)
	}
	// Read the state of every region with a target, a few regions at a time.
	p.Targets = mine
	regionSet := map[string]bool{}
	for _, t := range mine {
		regionSet[t.Region] = true
	}
	cl := newClients(cfg)
	states := map[string]*regionState{}
	stateErr := map[string]error{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for _, r := range sortedKeys(regionSet) {
		g.Go(func() error {
			rs, err := readRegion(gctx, cl, p, r, o.Resumed)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				stateErr[r] = err
			} else {
				states[r] = rs
			}
			return nil
		})
	}
	g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	telemetryNotes(p, states)
	missing := checkBuckets(ctx, cfg, p, mine, stateErr, o.Concurrency)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// VPCs that pass by now, or that this run already fixed, take no place in a batch: batches are cut from
	// what is left, so a later run with --max-batches always makes progress.
	var open []Target
	for _, t := range mine {
		if err := stateErr[t.Region]; err != nil {
			p.Incomplete = true
			p.Skipped = append(p.Skipped, Skip{t.AccountID, t.Region, t.VPCID, "current state could not be read, nothing changed here: " + apiMessage(err)})
			continue
		}
		if settled(p, states[t.Region], t) {
			continue
		}
		why, notes := ruleCovers(states[t.Region], t)
		if why != "" {
			p.Skipped = append(p.Skipped, Skip{t.AccountID, t.Region, t.VPCID, why})
			continue
		}
		for _, n := range notes {
			p.Notes = append(p.Notes, t.Region+"/"+t.VPCID+": "+n)
		}
		// A destination bucket that does not exist is like an unusable delivery role: the VPC is left alone
		// with why, before apply, rather than failed by CreateFlowLogs.
		if why := missing[inventory.BucketFromARN(s.destination(t))]; why != "" && t.NeedsFlowLog && !passesNow(states[t.Region].flowLogsOn(t.VPCID)) {
			p.Skipped = append(p.Skipped, Skip{t.AccountID, t.Region, t.VPCID, why})
			continue
		}
		if !actionable(p, states[t.Region], s, t) {
			continue
		}
		open = append(open, t)
	}
	// VPCs this run already fixed keep their places in the batches, so that a resumed run does not stretch a
	// batch (or --max-batches) beyond what was reviewed.
	done := map[string]bool{}
	all := append([]Target(nil), open...)
	for _, d := range p.Done {
		done[d.Key()] = true
		all = append(all, d.Target)
	}
	Order(all, s)
	p.Targets = nil
	for _, t := range all {
		if done[t.Key()] {
			continue
		}
		if s.MaxBatches > 0 && t.Batch > s.MaxBatches {
			p.Deferred = append(p.Deferred, t)
			continue
		}
		p.Targets = append(p.Targets, t)
	}

	b := &builder{p: p, s: s, states: states, lgPlanned: map[string]bool{}, retPlanned: map[string]bool{}}
	var planned []Target
	for _, t := range p.Targets {
		if b.target(t) {
			planned = append(planned, t)
		}
	}
	b.convergeDone()
	// The role comes last in building (it must cover every region that gets a CloudWatch flow log) but first
	// in the steps.
	if b.needRole {
		if err := b.role(ctx, cl, o.Account); err != nil {
			return nil, err
		}
	}
	b.checkFailingRoles(ctx, cl)
	p.Targets = p.Targets[:0]
	for _, t := range planned {
		if !b.dropped[t.Key()] {
			p.Targets = append(p.Targets, t)
		}
	}
	b.finish()
	sortSkips(p.Skipped)
	return p, nil
}

// checkBuckets checks, for an S3 destination, that each bucket the plan would deliver to exists: one
// HeadBucket per distinct bucket (scan's check), whatever the number of VPCs and regions. It returns the
// missing buckets with why; a bucket that could not be told (403: another account's, or no s3:ListBucket) is
// a note, and AWS checks it when the flow log is created.
func checkBuckets(ctx context.Context, cfg aws.Config, p *Plan, targets []Target, stateErr map[string]error, limit int) map[string]string {
	if p.Settings.Destination != inventory.DestinationS3 {
		return nil
	}
	buckets := map[string]bool{}
	for _, t := range targets {
		if t.NeedsFlowLog && stateErr[t.Region] == nil {
			if b := inventory.BucketFromARN(p.Settings.destination(t)); b != "" {
				buckets[b] = true
			}
		}
	}
	var mu sync.Mutex
	missing := map[string]string{}
	notes := map[string]string{}
	g := new(errgroup.Group)
	g.SetLimit(limit)
	for _, b := range sortedKeys(buckets) {
		g.Go(func() error {
			state, msg := awsapi.HeadBucket(ctx, cfg, b)
			mu.Lock()
			defer mu.Unlock()
			switch state {
			case inventory.BucketMissing:
				missing[b] = "bucket " + b + " does not exist (HeadBucket 404): create it, or pass another --s3-bucket-arn"
			case inventory.BucketUnknown:
				notes[b] = "bucket " + b + " could not be checked (" + msg + "): AWS checks it when the flow log is created"
			}
			return nil
		})
	}
	g.Wait()
	for _, b := range sortedKeys(notes) {
		p.Notes = append(p.Notes, notes[b])
	}
	return missing
}

func readRegion(ctx context.Context, cl *clients, p *Plan, region string, resumed bool) (*regionState, error) {
	s := p.Settings
	rs := &regionState{LogGroups: map[string]inventory.LogGroup{}}
	fls, err := describeFlowLogs(ctx, cl.EC2(region), nil, nil)
	if err != nil {
		return nil, fmt.Errorf("describe flow logs in %s/%s: %w", p.Account, region, err)
	}
	rs.FlowLogs = fls
	readTelemetryRules(ctx, cl, p, region, rs)
	// The log groups of the targets' existing flow logs are read whatever the destination: a retention to
	// raise (or a group that is gone) is about them, not about where the new flow log goes.
	prefixes := map[string]bool{}
	if s.Destination == inventory.DestinationCloudWatchLogs {
		prefixes[s.logGroupPrefix(p.Account, region)] = true
	}
	for _, t := range p.Targets {
		if t.Region != region {
			continue
		}
		for _, n := range append(append([]string(nil), t.ShortRetention...), t.MissingLogGroups...) {
			prefixes[n] = true
		}
	}
	// Destinations of failing flow logs, to diagnose them.
	for _, f := range fls {
		if f.DeliverLogsStatus == inventory.DeliveryFailed && f.LogGroupName != "" {
			prefixes[f.LogGroupName] = true
		}
	}
	for _, pre := range sortedKeys(prefixes) {
		if pre == "" && len(prefixes) > 1 {
			continue
		}
		if err := describeLogGroups(ctx, cl.Logs(region), pre, rs.LogGroups); err != nil {
			return nil, fmt.Errorf("describe log groups %q in %s/%s: %w", pre, p.Account, region, err)
		}
	}
	if resumed && s.Destination == inventory.DestinationCloudWatchLogs {
		// The run may have created its VPCs' log groups before it was interrupted: their tags say so.
		rs.GroupTags = map[string]map[string]string{}
		for _, t := range p.Targets {
			name := s.LogGroupName(p.Account, region, t.VPCID)
			if _, ok := rs.LogGroups[name]; !ok || t.Region != region || rs.GroupTags[name] != nil {
				continue
			}
			//lint:ignore SA1019 ListTagsLogGroup takes the group name we hold; ListTagsForResource would need its ARN built per partition.
			out, err := cl.Logs(region).ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(name)})
			if err != nil {
				return nil, fmt.Errorf("list tags of log group %s in %s/%s: %w", name, p.Account, region, err)
			}
			rs.GroupTags[name] = out.Tags
			if rs.GroupTags[name] == nil {
				rs.GroupTags[name] = map[string]string{}
			}
		}
	}
	return rs, nil
}

type builder struct {
	p      *Plan
	s      Settings
	states map[string]*regionState

	needRole    bool
	roleRegions map[string]bool
	roleARN     string
	cwTargets   []Target // targets whose flow log needs the role

	lgPlanned, retPlanned map[string]bool
	pendingRoleChecks     []pendingRole
	dropped               map[string]bool
	diagnosedGroup        map[string]bool // region|log group named by a failing flow log's diagnosis
	// per batch and region: log-group steps, then flow-log steps; flow-log VPCs grouped by destination.
	groupSteps map[batchRegion][]Step
	flowGroups map[batchRegion]map[string][]string
	tgwGroups  map[batchRegion]map[string][]string // the same for Transit Gateways
}

type batchRegion struct {
	batch  int
	region string
}

// target plans one VPC; it reports whether the VPC gets any step.
func (b *builder) target(t Target) bool {
	if b.groupSteps == nil {
		b.groupSteps = map[batchRegion][]Step{}
		b.flowGroups = map[batchRegion]map[string][]string{}
		b.tgwGroups = map[batchRegion]map[string][]string{}
		b.roleRegions = map[string]bool{}
	}
	p, s := b.p, b.s
	rs := b.states[t.Region]
	br := batchRegion{t.Batch, t.Region}
	on := rs.flowLogsOn(t.VPCID)
	steps := false
	if t.NeedsFlowLog && !passesNow(on) {
		b.diagnose(t, on)
		dest := b.destination(t)
		if s.Destination == inventory.DestinationCloudWatchLogs {
			b.needRole = true
			b.roleRegions[t.Region] = true
			b.cwTargets = append(b.cwTargets, t)
			b.logGroup(t, br, dest)
		}
		groups := b.flowGroups
		if t.IsTransitGateway() {
			groups = b.tgwGroups
		}
		if groups[br] == nil {
			groups[br] = map[string][]string{}
		}
		groups[br][dest] = append(groups[br][dest], t.VPCID)
		steps = true
	}
	if b.retention(t, br) {
		steps = true
	}
	for _, n := range t.MissingLogGroups {
		if b.diagnosedGroup[t.Region+"|"+n] {
			continue
		}
		p.Diagnoses = append(p.Diagnoses, Diagnosis{t.AccountID, t.Region, t.VPCID, "", "log group " + n + " (destination of an existing flow log) does not exist",
			"create it (aws logs create-log-group --log-group-name " + n + ") or delete the flow log that points at it; flowguard does not repair flow logs it did not create"})
	}
	return steps
}

// settled reports whether t needs nothing from this run any more: its flow log was made by this run (before an
// interruption), or it passes now and has no retention to raise. It records why in p.
func settled(p *Plan, rs *regionState, t Target) bool {
	on := rs.flowLogsOn(t.VPCID)
	for _, f := range on {
		if p.RunID != "" && f.Tags[TagRunID] == p.RunID && f.ResourceType == t.resourceType() {
			p.Done = append(p.Done, Done{Target: t, FlowLogID: f.ID})
			return true
		}
	}
	if !t.NeedsFlowLog || !passesNow(on) {
		return false
	}
	var passing []string
	for _, f := range on {
		if passes(f) {
			passing = append(passing, f.ID)
		}
	}
	if len(t.ShortRetention) == 0 {
		p.Passing = append(p.Passing, Skip{t.AccountID, t.Region, t.VPCID, "passes now (flow log " + strings.Join(passing, ", ") + "): nothing to do"})
		return true
	}
	return false
}

func passesNow(on []inventory.FlowLog) bool {
	for _, f := range on {
		if passes(f) {
			return true
		}
	}
	return false
}

// destination is where t's new flow log delivers: its log group name, or the S3 ARN.
func (b *builder) destination(t Target) string { return b.s.destination(t) }

func (s Settings) destination(t Target) string {
	if s.Destination == inventory.DestinationS3 {
		return s.BucketARN(t.AccountID, t.Region)
	}
	return s.LogGroupName(t.AccountID, t.Region, t.VPCID)
}

// actionable reports whether the plan will change something for t (a flow log, or a retention to raise). When
// it will not, t goes to p.Skipped with why, or to p.Passing when it passes by now: batches are cut only from
// VPCs that get a step, so that to change + deferred + left alone + passing + done add up to the plan's VPCs.
func actionable(p *Plan, rs *regionState, s Settings, t Target) bool {
	on := rs.flowLogsOn(t.VPCID)
	if t.NeedsFlowLog && !passesNow(on) {
		dest := s.destination(t)
		if conflict := sameDestination(on, s, dest); conflict != nil {
			p.Skipped = append(p.Skipped, Skip{t.AccountID, t.Region, t.VPCID, fmt.Sprintf(
				"flow log %s already delivers to %s but does not pass (status %s, delivery %s); flowguard does not create a duplicate: fix or delete it",
				conflict.ID, dest, conflict.Status, orDash(conflict.DeliverLogsStatus))})
			return false
		}
		return true
	}
	var why []string
	for _, name := range t.ShortRetention {
		lg, ok := rs.LogGroups[name]
		switch {
		case !ok:
			why = append(why, "log group "+name+" no longer exists")
		case lg.RetentionDays == nil || *lg.RetentionDays >= s.RetentionDays:
		case s.FixRetention:
			return true
		default:
			why = append(why, fmt.Sprintf("only fails retention: log group %s keeps events %d days, under %d; add --fix-retention to raise it", name, *lg.RetentionDays, s.RetentionDays))
		}
	}
	for _, name := range t.MissingLogGroups {
		if _, ok := rs.LogGroups[name]; !ok {
			why = append(why, "log group "+name+" (destination of an existing flow log) does not exist; flowguard does not repair flow logs it did not create")
		}
	}
	if len(why) > 0 {
		p.Skipped = append(p.Skipped, Skip{t.AccountID, t.Region, t.VPCID, strings.Join(why, "; ")})
	} else {
		p.Passing = append(p.Passing, Skip{t.AccountID, t.Region, t.VPCID, "passes now: nothing to do"})
	}
	return false
}

// Counts are how the plan's VPCs divide: each VPC is in exactly one of them.
type Counts struct {
	ToChange  int `json:"to_change"`
	Deferred  int `json:"deferred"`
	Done      int `json:"already_done"`
	LeftAlone int `json:"left_alone"`
	Passing   int `json:"passing"`
	Total     int `json:"total"`
}

// Counts divides the plan's VPCs.
func (p *Plan) Counts() Counts {
	c := Counts{ToChange: len(p.Targets), Deferred: len(p.Deferred), Done: len(p.Done), LeftAlone: len(p.Skipped), Passing: len(p.Passing)}
	c.Total = c.ToChange + c.Deferred + c.Done + c.LeftAlone + c.Passing
	return c
}

func sameDestination(on []inventory.FlowLog, s Settings, dest string) *inventory.FlowLog {
	for i, f := range on {
		if f.ResourceType != inventory.ResourceTypeVPC && f.ResourceType != inventory.ResourceTypeTransitGateway {
			continue
		}
		if (s.Destination == inventory.DestinationCloudWatchLogs && f.LogGroupName == dest) ||
			(s.Destination == inventory.DestinationS3 && f.DestinationType == inventory.DestinationS3 && strings.TrimSuffix(f.Destination, "/") == strings.TrimSuffix(dest, "/")) {
			return &on[i]
		}
	}
	return nil
}

func (b *builder) logGroup(t Target, br batchRegion, name string) {
	key := t.Region + "|" + name
	if b.lgPlanned[key] {
		return
	}
	b.lgPlanned[key] = true
	s := b.s
	lg, exists := b.states[t.Region].LogGroups[name]
	if !exists {
		b.groupSteps[br] = append(b.groupSteps[br],
			Step{Account: t.AccountID, Region: t.Region, Action: ActCreateLogGroup, Resource: name, VPCs: []string{t.VPCID},
				KMSKey: s.KMSKey, Tags: s.resourceTags(b.p.RunID), Why: "destination log group of the new flow log"},
			Step{Account: t.AccountID, Region: t.Region, Action: ActPutRetentionPolicy, Resource: name, VPCs: []string{t.VPCID},
				RetentionDays: s.RetentionDays, Why: fmt.Sprintf("keep flow logs %d days", s.RetentionDays)})
		return
	}
	if b.states[t.Region].GroupTags[name][TagRunID] == b.p.RunID {
		b.converge(t, br, name, lg)
		return
	}
	b.p.Notes = append(b.p.Notes, fmt.Sprintf("%s/%s: log group %s exists and is reused", t.Region, t.VPCID, name))
	if lg.RetentionDays != nil && *lg.RetentionDays < s.RetentionDays {
		if s.FixRetention {
			b.retPlanned[key] = true
			b.groupSteps[br] = append(b.groupSteps[br], Step{Account: t.AccountID, Region: t.Region, Action: ActPutRetentionPolicy, Resource: name,
				VPCs: []string{t.VPCID}, RetentionDays: s.RetentionDays, Previous: lg.RetentionDays, LogGroupCreated: createdMs(lg),
				Why: fmt.Sprintf("raise retention from %d to %d days (--fix-retention)", *lg.RetentionDays, s.RetentionDays)})
		} else {
			b.p.Notes = append(b.p.Notes, fmt.Sprintf("%s: log group %s keeps events %d days, under %d: add --fix-retention to raise it", t.Region, name, *lg.RetentionDays, s.RetentionDays))
		}
	}
}

// converge plans what a log group this run created (before an interruption) still lacks of the plan's state:
// its retention and its tags. Its existence alone is not enough.
func (b *builder) converge(t Target, br batchRegion, name string, lg inventory.LogGroup) bool {
	s := b.s
	any := false
	if lg.RetentionDays == nil || *lg.RetentionDays != s.RetentionDays {
		now := "events never expire"
		if lg.RetentionDays != nil {
			now = fmt.Sprintf("retention is %d days", *lg.RetentionDays)
		}
		b.groupSteps[br] = append(b.groupSteps[br], Step{Account: t.AccountID, Region: t.Region, Action: ActPutRetentionPolicy, Resource: name,
			VPCs: []string{t.VPCID}, RetentionDays: s.RetentionDays,
			Why: fmt.Sprintf("this run created the log group before it was interrupted, but its %s: keep flow logs %d days", now, s.RetentionDays)})
		any = true
	}
	have := b.states[t.Region].GroupTags[name]
	missing := map[string]string{}
	for k, v := range s.resourceTags(b.p.RunID) {
		if hv, ok := have[k]; !ok || hv != v {
			missing[k] = v
		}
	}
	if len(missing) > 0 {
		b.groupSteps[br] = append(b.groupSteps[br], Step{Account: t.AccountID, Region: t.Region, Action: ActTagLogGroup, Resource: name,
			VPCs: []string{t.VPCID}, Tags: missing, Why: "this run created the log group before it was interrupted, but some of its tags are missing"})
		any = true
	}
	if !any {
		b.p.Notes = append(b.p.Notes, fmt.Sprintf("%s/%s: log group %s was created by this run before it was interrupted, and is complete", t.Region, t.VPCID, name))
	}
	return any
}

// convergeDone checks the log groups of VPCs this run already gave a flow log (before an interruption).
func (b *builder) convergeDone() {
	if b.s.Destination != inventory.DestinationCloudWatchLogs {
		return
	}
	if b.groupSteps == nil {
		b.groupSteps = map[batchRegion][]Step{}
		b.flowGroups = map[batchRegion]map[string][]string{}
		b.roleRegions = map[string]bool{}
	}
	for _, d := range b.p.Done {
		t := d.Target
		name := b.destination(t)
		key := t.Region + "|" + name
		rs := b.states[t.Region]
		if b.lgPlanned[key] || rs == nil {
			continue
		}
		lg, ok := rs.LogGroups[name]
		if !ok || rs.GroupTags[name][TagRunID] != b.p.RunID {
			continue
		}
		b.lgPlanned[key] = true
		b.converge(t, batchRegion{max(t.Batch, 1), t.Region}, name, lg)
	}
}

func (b *builder) retention(t Target, br batchRegion) bool {
	any := false
	for _, name := range t.ShortRetention {
		key := t.Region + "|" + name
		if b.retPlanned[key] || b.lgPlanned[key] {
			continue
		}
		lg, ok := b.states[t.Region].LogGroups[name]
		switch {
		case !ok:
			b.p.Notes = append(b.p.Notes, fmt.Sprintf("%s: log group %s no longer exists", t.Region, name))
		case lg.RetentionDays == nil || *lg.RetentionDays >= b.s.RetentionDays:
			b.p.Notes = append(b.p.Notes, fmt.Sprintf("%s: log group %s retention is already long enough now", t.Region, name))
		case !b.s.FixRetention:
			b.p.Notes = append(b.p.Notes, fmt.Sprintf("%s: log group %s keeps events %d days, under %d: add --fix-retention to raise it", t.Region, name, *lg.RetentionDays, b.s.RetentionDays))
		default:
			b.retPlanned[key] = true
			b.groupSteps[br] = append(b.groupSteps[br], Step{Account: t.AccountID, Region: t.Region, Action: ActPutRetentionPolicy, Resource: name,
				VPCs: []string{t.VPCID}, RetentionDays: b.s.RetentionDays, Previous: lg.RetentionDays, LogGroupCreated: createdMs(lg),
				Why: fmt.Sprintf("raise retention from %d to %d days (--fix-retention)", *lg.RetentionDays, b.s.RetentionDays)})
			any = true
		}
	}
	return any
}

// diagnose explains each FAILED-delivery flow log on the VPC. The failing flow log is left alone: flowguard adds
// its own working flow log beside it and says what would repair or retire the old one.
func (b *builder) diagnose(t Target, on []inventory.FlowLog) {
	rs := b.states[t.Region]
	for _, f := range on {
		if f.DeliverLogsStatus != inventory.DeliveryFailed {
			continue
		}
		d := Diagnosis{AccountID: t.AccountID, Region: t.Region, VPCID: t.VPCID, FlowLogID: f.ID}
		owned := f.Tags[TagManaged] == "true"
		switch {
		case f.DestinationType == inventory.DestinationCloudWatchLogs && f.DeliverLogsPermissionARN == "":
			d.Cause = "no delivery role (DeliverLogsPermissionArn is empty)"
		case f.DestinationType == inventory.DestinationCloudWatchLogs && f.LogGroupName != "" && !hasGroup(rs, f.LogGroupName):
			d.Cause = "destination log group " + f.LogGroupName + " does not exist"
			if b.diagnosedGroup == nil {
				b.diagnosedGroup = map[string]bool{}
			}
			b.diagnosedGroup[t.Region+"|"+f.LogGroupName] = true
		default:
			d.Cause = "delivery FAILED: " + orDash(f.DeliverLogsError)
			if f.DestinationType == inventory.DestinationCloudWatchLogs {
				d.Cause += " (check role " + f.DeliverLogsPermissionARN + ")"
			}
		}
		d.Proposal = "flowguard adds a working flow log to the VPC; afterwards delete " + f.ID + " (aws ec2 delete-flow-logs --flow-log-ids " + f.ID + ") or repair its destination"
		if !owned {
			d.Proposal += "; flowguard never deletes flow logs it did not create"
		}
		b.p.Diagnoses = append(b.p.Diagnoses, d)
		b.pendingRoleChecks = append(b.pendingRoleChecks, pendingRole{idx: len(b.p.Diagnoses) - 1, arn: f.DeliverLogsPermissionARN, region: t.Region, dest: f.DestinationType})
	}
}

// createdMs is a log group's creation time as CloudWatch Logs gives it (ms since the epoch), or 0.
func createdMs(lg inventory.LogGroup) int64 {
	if lg.CreatedAt == nil {
		return 0
	}
	return lg.CreatedAt.UnixMilli()
}

func hasGroup(rs *regionState, name string) bool { _, ok := rs.LogGroups[name]; return ok }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// role plans the delivery role: reuse it when it exists and is right, update it when flowguard owns it, create
// it otherwise. A role flowguard does not own and cannot use makes the CloudWatch targets skipped.
func (b *builder) role(ctx context.Context, cl *clients, account string) error {
	p, s := b.p, b.s
	regions := sortedKeys(b.roleRegions)
	var write []string
	for _, r := range regions {
		write = append(write, policy.LogGroupResources(s.LogGroupTemplate, account, r)...)
	}
	name := s.RoleName
	if s.RoleARN != "" {
		name = roleNameFromARN(s.RoleARN)
	}
	policyName := s.PolicyName
	if s.RoleARN != "" {
		policyName = ""
	}
	if s.RoleARN != "" && accountFromARN(s.RoleARN) != account {
		// A role in another account cannot be read from here; AWS checks it when the flow log is created.
		b.roleARN = s.RoleARN
		p.Notes = append(p.Notes, "using delivery role "+s.RoleARN+" of another account as given (--delivery-role-arn): not checked")
		return nil
	}
	rs, err := getRole(ctx, cl.iam, name, policyName)
	if err != nil {
		return fmt.Errorf("read delivery role in %s: %w", account, err)
	}
	unusable := func(why string) {
		for _, t := range b.cwTargets {
			p.Skipped = append(p.Skipped, Skip{t.AccountID, t.Region, t.VPCID, why})
			b.dropFlowLog(t)
		}
		// Left alone with why, not "incomplete": the state was read; the role is what stops the change.
	}
	arnPart := inventory.PartitionOf(firstOr(regions, "us-east-1"))
	switch {
	case s.RoleARN != "":
		b.roleARN = s.RoleARN
		if !rs.Exists {
			unusable("--delivery-role-arn " + s.RoleARN + " does not exist")
			return nil
		}
		if rs.Exists {
			if bad := notAllowed(rs.Trust, account, regions); len(bad) > 0 {
				unusable(fmt.Sprintf("--delivery-role-arn %s: its trust policy does not let %s deliver flow logs of %s in %s", s.RoleARN, policy.Service, account, strings.Join(bad, ", ")) + trustHint(rs.Trust))
				return nil
			}
		}
		p.Notes = append(p.Notes, "using delivery role "+s.RoleARN+" as given (--delivery-role-arn): its permissions are not changed")
	case !rs.Exists:
		b.roleARN = fmt.Sprintf("arn:%s:iam::%s:role/%s", arnPart, account, name)
		trust := policy.Trust(account, regions)
		perms := policy.Permissions(account, regions, write)
		p.Steps = append(p.Steps,
			Step{Account: account, Action: ActCreateRole, Resource: name, PolicyDocument: trust.JSON(), Tags: s.resourceTags(p.RunID),
				Why: "delivery role trusted by " + policy.Service + " for this account's flow logs in " + strings.Join(regions, ", ")},
			Step{Account: account, Action: ActPutRolePolicy, Resource: name, PolicyName: s.PolicyName, PolicyDocument: perms.JSON(),
				Why: "least-privilege inline policy: write to the flow-log log groups only"})
	case !rs.Managed:
		b.roleARN = rs.ARN
		if bad := notAllowed(rs.Trust, account, regions); len(bad) > 0 {
			unusable(fmt.Sprintf("role %s exists but was not created by flowguard and its trust policy does not let %s deliver for %s in %s: fix its trust policy, or pass another --delivery-role-name",
				name, policy.Service, account, strings.Join(bad, ", ")) + trustHint(rs.Trust))
			return nil
		}
		p.Notes = append(p.Notes, "reusing existing role "+rs.ARN+" (not created by flowguard): its trust is right; its permissions are not changed")
	default:
		b.roleARN = rs.ARN
		if bad := notAllowed(rs.Trust, account, regions); len(bad) > 0 {
			trust := policy.Trust(account, policy.Union(rs.Trust.Regions(), regions))
			p.Steps = append(p.Steps, Step{Account: account, Action: ActUpdateAssumeRole, Resource: name, PolicyDocument: trust.JSON(),
				Why: "flowguard's role does not yet trust flow logs in " + strings.Join(bad, ", ")})
		}
		var haveW, haveD []string
		if rs.Inline != nil {
			haveW, haveD = policy.Resources(*rs.Inline, policy.SidWrite), policy.Resources(*rs.Inline, policy.SidDescribe)
		}
		want := policy.Permissions(account, regions, write)
		wantW, wantD := policy.Resources(want, policy.SidWrite), policy.Resources(want, policy.SidDescribe)
		if rs.Inline == nil || !policy.Covers(haveW, wantW) || !policy.Covers(haveD, wantD) {
			doc := policy.Permissions(account, policy.Union(regions, regionsOfDescribe(haveD)), policy.Union(haveW, wantW))
			p.Steps = append(p.Steps, Step{Account: account, Action: ActPutRolePolicy, Resource: name, PolicyName: s.PolicyName, PolicyDocument: doc.JSON(),
				Why: "extend flowguard's delivery policy to the new log groups"})
		}
		p.Notes = append(p.Notes, "reusing flowguard's delivery role "+rs.ARN)
	}
	return nil
}

func regionsOfDescribe(arns []string) []string {
	var out []string
	for _, a := range arns {
		if p := strings.Split(a, ":"); len(p) > 3 {
			out = append(out, p[3])
		}
	}
	return out
}

func trustHint(t policy.TrustInfo) string {
	if t.WrongService {
		return " (it trusts ec2.amazonaws.com: flow logs are delivered by " + policy.Service + ")"
	}
	return ""
}

func notAllowed(t policy.TrustInfo, account string, regions []string) []string {
	var bad []string
	for _, r := range regions {
		if !t.Allows(account, r) {
			bad = append(bad, r)
		}
	}
	return bad
}

func firstOr(s []string, d string) string {
	if len(s) > 0 {
		return s[0]
	}
	return d
}

// dropFlowLog removes t from the flow-log groups and its log-group steps (the role it needs is unusable).
func (b *builder) dropFlowLog(t Target) {
	if b.dropped == nil {
		b.dropped = map[string]bool{}
	}
	b.dropped[t.Key()] = true
	br := batchRegion{t.Batch, t.Region}
	for _, groups := range []map[batchRegion]map[string][]string{b.flowGroups, b.tgwGroups} {
		for dest, vpcs := range groups[br] {
			var keep []string
			for _, v := range vpcs {
				if v != t.VPCID {
					keep = append(keep, v)
				}
			}
			groups[br][dest] = keep
		}
	}
	var keep []Step
	for _, st := range b.groupSteps[br] {
		if st.Action == ActCreateLogGroup || (st.Action == ActPutRetentionPolicy && st.Previous == nil) {
			if len(st.VPCs) == 1 && st.VPCs[0] == t.VPCID {
				continue
			}
		}
		keep = append(keep, st)
	}
	b.groupSteps[br] = keep
}

// finish lays the steps out: role first, then per batch and region the log groups, then the flow logs.
func (b *builder) finish() {
	p, s := b.p, b.s
	keys := map[batchRegion]bool{}
	for k := range b.groupSteps {
		keys[k] = true
	}
	for k := range b.flowGroups {
		keys[k] = true
	}
	for k := range b.tgwGroups {
		keys[k] = true
	}
	var brs []batchRegion
	for k := range keys {
		brs = append(brs, k)
	}
	sort.Slice(brs, func(i, j int) bool {
		if brs[i].batch != brs[j].batch {
			return brs[i].batch < brs[j].batch
		}
		return brs[i].region < brs[j].region
	})
	for _, br := range brs {
		for _, st := range b.groupSteps[br] {
			st.Batch = br.batch
			p.Steps = append(p.Steps, st)
		}
		for _, dest := range sortedKeys(b.flowGroups[br]) {
			vpcs := b.flowGroups[br][dest]
			sort.Strings(vpcs)
			for i := 0; i < len(vpcs); i += maxResourceIDs {
				chunk := vpcs[i:min(i+maxResourceIDs, len(vpcs))]
				spec := &FlowLogSpec{TrafficType: s.TrafficType, DestinationType: s.Destination, LogFormat: s.LogFormat, MaxAggregationInterval: s.MaxAggregationInterval}
				if s.Destination == inventory.DestinationS3 {
					spec.Destination, spec.FileFormat, spec.HivePartitions, spec.PerHourPartitions = dest, s.FileFormat, s.HivePartitions, s.PerHourPartitions
				} else {
					spec.LogGroupName, spec.RoleARN = dest, b.roleARN
				}
				p.Steps = append(p.Steps, Step{Batch: br.batch, Account: p.Account, Region: br.region, Action: ActCreateFlowLogs, Resource: dest,
					VPCs: append([]string(nil), chunk...), Tags: s.resourceTags(p.RunID), FlowLog: spec,
					Why: fmt.Sprintf("VPC-level %s flow log for %d VPC(s)", s.TrafficType, len(chunk))})
			}
		}
		p.Steps = append(p.Steps, b.tgwSteps(br)...)
	}
	// Drop flow-log steps emptied by an unusable role.
	steps := p.Steps[:0]
	for _, st := range p.Steps {
		if st.Action == ActCreateFlowLogs && len(st.VPCs) == 0 {
			continue
		}
		steps = append(steps, st)
	}
	p.Steps = steps
	regions := map[string]bool{}
	for i := range p.Steps {
		st := &p.Steps[i]
		st.ID = stepID(*st, i)
		if st.Batch > p.Batches {
			p.Batches = st.Batch
		}
		if st.Region != "" {
			regions[st.Region] = true
		}
	}
	for _, t := range p.Targets {
		regions[t.Region] = true
	}
	p.Regions = sortedKeys(regions)
}

func stepID(st Step, i int) string {
	id := fmt.Sprintf("%03d %s %s", i+1, st.Action, st.Resource)
	if st.Region != "" {
		id = fmt.Sprintf("%03d %s %s %s", i+1, st.Action, st.Region, st.Resource)
	}
	return id
}

// pendingRole is a FAILED flow log whose role should be looked at.
type pendingRole struct {
	idx    int
	arn    string
	region string
	dest   string
}

// checkFailingRoles refines diagnoses of failing CloudWatch flow logs by reading their roles (read-only).
func (b *builder) checkFailingRoles(ctx context.Context, cl *clients) {
	seen := map[string]roleState{}
	for _, pr := range b.pendingRoles() {
		if pr.arn == "" || pr.dest != inventory.DestinationCloudWatchLogs || accountFromARN(pr.arn) != b.p.Account {
			continue
		}
		d := &b.p.Diagnoses[pr.idx]
		if strings.Contains(d.Cause, "does not exist") || strings.Contains(d.Cause, "no delivery role") {
			continue
		}
		name := roleNameFromARN(pr.arn)
		rs, ok := seen[name]
		if !ok {
			var err error
			rs, err = getRole(ctx, cl.iam, name, "")
			if err != nil {
				continue
			}
			seen[name] = rs
		}
		switch {
		case !rs.Exists:
			d.Cause = "delivery role " + pr.arn + " does not exist"
		case !rs.Trust.Allows(b.p.Account, pr.region):
			d.Cause = "delivery role " + pr.arn + " does not trust " + policy.Service + " for this account and region" + trustHint(rs.Trust)
		}
	}
}

func (b *builder) pendingRoles() []pendingRole { return b.pendingRoleChecks }
