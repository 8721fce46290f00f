package fix

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
)

// RunInfo is what a run's first journal record keeps, so that a resumed run does the same job.
type RunInfo struct {
	Account  string   `json:"account"`
	Settings Settings `json:"settings"`
	Targets  []Target `json:"targets"`
	Skipped  []Skip   `json:"skipped,omitempty"`
	// NotRemediated are the FAIL findings of checks fix does not remediate, left alone.
	NotRemediated []CheckFindings `json:"not_remediated,omitempty"`
	Source        string          `json:"source,omitempty"`
}

// LoadRun reads a run's journal and its RunInfo. A torn final record is ignored, and a suspect journal (bad
// records before its last one) gives the records that could be read: rollback and verify go on with them (and
// with what AWS says carries the run's tag), and report the journal's state (see loadRun).
func LoadRun(dir, id string) (RunInfo, []journal.Record, error) {
	info, c, err := loadRun(dir, id)
	if err != nil {
		return RunInfo{}, nil, err
	}
	return info, c.Records, nil
}

func loadRun(dir, id string) (RunInfo, *journal.Contents, error) {
	c, err := journal.Load(dir, id)
	if err != nil {
		return RunInfo{}, nil, err
	}
	for _, r := range c.Records {
		if r.Type == journal.TypeRun {
			var ri RunInfo
			if err := json.Unmarshal(r.Plan, &ri); err != nil {
				return RunInfo{}, nil, fmt.Errorf("run %s: bad run record: %w", id, err)
			}
			if !validAccount(ri.Account) {
				return RunInfo{}, nil, fmt.Errorf("run %s: bad run record: account %q is not 12 digits", id, ri.Account)
			}
			return ri, c, nil
		}
	}
	if err := c.Suspect(); err != nil {
		return RunInfo{}, nil, fmt.Errorf("run %s: journal %s has no readable run record: %w", id, journal.Path(dir, id), err)
	}
	return RunInfo{}, nil, fmt.Errorf("run %s: journal %s has no run record", id, journal.Path(dir, id))
}

// FindUnfinished returns the newest run of account in dir that stopped before it finished (killed or
// interrupted), or "".
func FindUnfinished(dir, account string) (string, error) {
	runs, err := journal.List(dir)
	if err != nil {
		return "", err
	}
	for _, r := range runs {
		if r.LastCommand != "fix" || (r.Status != journal.StatusUnfinished && r.Status != journal.StatusInterrupted) {
			continue
		}
		if r.Problem != "" {
			// A damaged journal is not resumed behind the user's back (fix --run ID resumes it explicitly;
			// rollback finds its resources by tag): a new run goes ahead.
			continue
		}
		for _, a := range r.Accounts {
			if a == account {
				return r.ID, nil
			}
		}
	}
	return "", nil
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	Concurrency int
	// Progress receives one line per change (nil: quiet).
	Progress io.Writer
	// Resumed says the journal already holds the run's start.
	Resumed bool
	Info    RunInfo
	// RoleWait is the first wait before retrying CreateFlowLogs when a role made by this apply is not yet
	// usable (IAM propagation); 0 means DefaultRoleWait.
	RoleWait time.Duration
	// RegionConcurrency, when above 1, lets the steps of one region that touch different resources run that
	// many at a time: the log groups first (each group's steps in plan order), then the flow logs (one call per
	// destination), then any other step in plan order. 0 or 1: one step at a time, in plan order.
	RegionConcurrency int
}

// VPCOutcome is what happened to one VPC.
type VPCOutcome struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	VPCID     string `json:"vpc_id"`
	// Status: created, already-done (by this run, before an interruption), failed, not-attempted.
	Status    string `json:"status"`
	FlowLogID string `json:"flow_log_id,omitempty"`
	Error     string `json:"error,omitempty"`
}

// VPC outcome statuses.
const (
	OutcomeCreated      = "created"
	OutcomeAlreadyDone  = "already-done"
	OutcomeFailed       = "failed"
	OutcomeNotAttempted = "not-attempted"
)

// StepOutcome is what happened to one step.
type StepOutcome struct {
	ID     string `json:"id"`
	Action string `json:"action"`
	Region string `json:"region,omitempty"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
}

// Outcome is the result of applying a plan.
type Outcome struct {
	RunID       string `json:"run_id"`
	JournalPath string `json:"journal"`
	// Status: complete (everything planned applied and nothing deferred), partial (everything attempted applied,
	// Deferred VPCs left for a later run), failed (some change failed), interrupted.
	Status string `json:"status"`
	// Deferred counts the VPCs beyond --max-batches that this run did not touch.
	Deferred int           `json:"deferred"`
	VPCs     []VPCOutcome  `json:"vpcs"`
	Steps    []StepOutcome `json:"steps"`
	// Other reports changes not tied to a VPC flow log (role, retention) that failed.
	Errors []string `json:"errors,omitempty"`
	// Warnings say what was wrong with the run's journal (a torn final record cut off, suspect records).
	Warnings []string `json:"warnings,omitempty"`
}

// Overall is OK when everything planned was applied and nothing deferred, partial when VPCs were deferred, a
// failure when something failed, incomplete when the run was interrupted.
func (o *Outcome) Overall() finding.Outcome {
	switch o.Status {
	case journal.StatusComplete:
		return finding.OutcomeOK
	case journal.StatusPartial:
		return finding.OutcomePartial
	case journal.StatusInterrupted:
		return finding.OutcomeIncomplete
	}
	return finding.OutcomeFail
}

// Headline is the status as said to people: "complete", "partial: 3 deferred", "failed", "interrupted".
func (o *Outcome) Headline() string {
	if o.Status == journal.StatusPartial {
		return fmt.Sprintf("partial: %d deferred", o.Deferred)
	}
	return o.Status
}

// finalStatus is the run's status from its VPCs and steps.
func finalStatus(out *Outcome, interrupted bool) string {
	switch {
	case interrupted:
		return journal.StatusInterrupted
	}
	for _, v := range out.VPCs {
		if v.Status == OutcomeFailed || v.Status == OutcomeNotAttempted {
			return journal.StatusFailed
		}
	}
	for _, s := range out.Steps {
		if !s.OK {
			return journal.StatusFailed
		}
	}
	if out.Deferred > 0 {
		return journal.StatusPartial
	}
	return journal.StatusComplete
}

type applier struct {
	p   *Plan
	cl  *clients
	j   *journal.Journal
	o   ApplyOptions
	mu  sync.Mutex
	out *Outcome
	vpc map[string]*VPCOutcome // region/vpc
	// roleChanged is when this apply created or changed the delivery role.
	roleChanged time.Time
	// whereWidth is the width of the progress lines' region column: the plan's longest ("ap-southeast-2").
	whereWidth int
}

func newApplier(cfg aws.Config, p *Plan, j *journal.Journal, o ApplyOptions) *applier {
	return &applier{p: p, cl: newClients(cfg), j: j, o: o, out: &Outcome{RunID: p.RunID, JournalPath: j.Path, Warnings: j.Warnings},
		vpc: map[string]*VPCOutcome{}, whereWidth: stepWhereWidth(p.Steps)}
}

// Apply makes the plan's changes, journalling each before and after the call. Steps run batch by batch; within
// a batch, regions run concurrently (bounded) and each region's steps in order. A failing VPC is recorded with
// the AWS error and the rest go on.
func Apply(ctx context.Context, cfg aws.Config, p *Plan, j *journal.Journal, o ApplyOptions) (*Outcome, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	a := newApplier(cfg, p, j, o)
	info, _ := json.Marshal(o.Info)
	start := journal.Record{Type: journal.TypeRun, Phase: "fix", Plan: info, Accounts: []string{p.Account}, Regions: p.Regions}
	if o.Resumed {
		start = journal.Record{Type: journal.TypeResume, Phase: "fix", Regions: p.Regions}
	}
	if err := j.Append(start); err != nil {
		return nil, err
	}
	for _, d := range p.Done {
		a.vpc[d.Region+"/"+d.VPCID] = &VPCOutcome{d.AccountID, d.Region, d.VPCID, OutcomeAlreadyDone, d.FlowLogID, ""}
		if err := j.Append(journal.Record{Type: journal.TypeAdopt, Phase: "fix", Action: ActCreateFlowLogs, Account: d.AccountID, Region: d.Region,
			VPCs: []string{d.VPCID}, FlowLogs: map[string]string{d.VPCID: d.FlowLogID}}); err != nil {
			return nil, err
		}
	}
	for _, st := range p.Steps {
		for _, v := range st.VPCs {
			if st.Action == ActCreateFlowLogs {
				a.vpc[st.Region+"/"+v] = &VPCOutcome{AccountID: st.Account, Region: st.Region, VPCID: v, Status: OutcomeNotAttempted}
			}
		}
	}

	var fatal error
	// Batch 0: the role, before anything that needs it.
	roleErr := ""
	for _, st := range p.Steps {
		if st.Batch != 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			break
		}
		err := a.step(ctx, st, st.VPCs)
		if errors.Is(err, errJournal) {
			fatal = err
			break
		}
		if err != nil && roleErr == "" {
			roleErr = "delivery role not ready (" + st.Action + " failed: " + apiMessage(err) + ")"
		}
		if err == nil {
			a.roleChanged = time.Now()
		}
	}
	for b := 1; b <= p.Batches && fatal == nil && ctx.Err() == nil; b++ {
		byRegion := map[string][]Step{}
		for _, st := range p.Steps {
			if st.Batch == b {
				byRegion[st.Region] = append(byRegion[st.Region], st)
			}
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(o.Concurrency)
		for _, region := range sortedKeys(byRegion) {
			steps := byRegion[region]
			g.Go(func() error { return a.region(gctx, steps, roleErr) })
		}
		if err := g.Wait(); err != nil {
			fatal = err
		}
	}

	out := a.out
	for _, k := range sortedKeys(a.vpc) {
		out.VPCs = append(out.VPCs, *a.vpc[k])
	}
	sort.SliceStable(out.VPCs, func(i, j int) bool { return out.VPCs[i].Region < out.VPCs[j].Region })
	out.Deferred = len(p.Deferred)
	out.Status = finalStatus(out, ctx.Err() != nil || fatal != nil)
	// The finish record is written even when ctx is cancelled: it is what tells a later run to resume.
	if err := j.Append(journal.Record{Type: journal.TypeFinish, Phase: "fix", Status: out.Status}); err != nil && fatal == nil {
		fatal = err
	}
	return out, fatal
}

var errJournal = errors.New("journal")

func (a *applier) region(ctx context.Context, steps []Step, roleErr string) error {
	if a.o.RegionConcurrency <= 1 {
		return a.regionSteps(ctx, steps, roleErr)
	}
	// Consecutive steps of one phase (log groups, flow logs) run as chains by resource, chains concurrently; a
	// phase finishes before the next starts, so a VPC whose log group failed still gets no flow log.
	phase := func(st Step) int {
		switch st.Action {
		case ActCreateLogGroup, ActPutRetentionPolicy, ActTagLogGroup:
			return 0
		case ActCreateFlowLogs:
			return 1
		}
		return 2
	}
	for i := 0; i < len(steps); {
		j := i + 1
		for j < len(steps) && phase(steps[j]) == phase(steps[i]) {
			j++
		}
		run := steps[i:j]
		i = j
		if phase(run[0]) == 2 {
			if err := a.regionSteps(ctx, run, roleErr); err != nil {
				return err
			}
			continue
		}
		chains := map[string][]Step{}
		var order []string
		for _, st := range run {
			if _, ok := chains[st.Resource]; !ok {
				order = append(order, st.Resource)
			}
			chains[st.Resource] = append(chains[st.Resource], st)
		}
		g := new(errgroup.Group)
		g.SetLimit(a.o.RegionConcurrency)
		for _, r := range order {
			chain := chains[r]
			g.Go(func() error { return a.regionSteps(ctx, chain, roleErr) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// regionSteps runs steps of one region one at a time, in order.
func (a *applier) regionSteps(ctx context.Context, steps []Step, roleErr string) error {
	for _, st := range steps {
		if ctx.Err() != nil {
			return nil
		}
		vpcs := st.VPCs
		if roleErr != "" && (st.Action == ActCreateLogGroup || (st.Action == ActPutRetentionPolicy && st.Previous == nil)) {
			// No role, no flow log: do not leave log groups behind that nothing will write to.
			a.fail(st.Region, st.VPCs, roleErr)
			continue
		}
		if st.Action == ActCreateFlowLogs {
			vpcs = a.stillOpen(st)
			if len(vpcs) == 0 {
				continue
			}
			if roleErr != "" && st.FlowLog.DestinationType == inventory.DestinationCloudWatchLogs {
				a.fail(st.Region, vpcs, roleErr)
				continue
			}
		}
		err := a.step(ctx, st, vpcs)
		if errors.Is(err, errJournal) {
			return err
		}
		if err != nil && st.Action != ActCreateFlowLogs && ctx.Err() == nil {
			// A VPC whose log group could not be prepared gets no flow log.
			if st.Action == ActCreateLogGroup || (st.Action == ActPutRetentionPolicy && st.Previous == nil) {
				a.fail(st.Region, st.VPCs, st.Action+" "+st.Resource+": "+apiMessage(err))
			}
		}
	}
	return nil
}

// stillOpen returns the step's VPCs that have not failed in an earlier step.
func (a *applier) stillOpen(st Step) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, v := range st.VPCs {
		if o := a.vpc[st.Region+"/"+v]; o != nil && o.Status == OutcomeNotAttempted {
			out = append(out, v)
		}
	}
	return out
}

func (a *applier) fail(region string, vpcs []string, msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, v := range vpcs {
		if o := a.vpc[region+"/"+v]; o != nil && o.Status == OutcomeNotAttempted {
			o.Status, o.Error = OutcomeFailed, msg
		}
	}
}

func (a *applier) progress(format string, args ...any) {
	if a.o.Progress == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprintf(a.o.Progress, format+"\n", args...)
}

// step journals, makes and journals one call. It returns errJournal (wrapped) when the journal cannot be written:
// then nothing more may be changed.
func (a *applier) step(ctx context.Context, st Step, vpcs []string) error {
	begin := journal.Record{Type: journal.TypeBegin, Phase: "fix", Step: st.ID, Action: st.Action, Account: st.Account, Region: st.Region,
		Resource: st.Resource, VPCs: vpcs, Previous: st.Previous, Created: st.LogGroupCreated}
	if st.Action == ActPutRetentionPolicy {
		begin.Retention = aws.Int32(st.RetentionDays)
	}
	if err := a.j.Append(begin); err != nil {
		return fmt.Errorf("%w: %v", errJournal, err)
	}
	end := journal.Record{Type: journal.TypeEnd, Phase: "fix", Step: st.ID, Action: st.Action, Account: st.Account, Region: st.Region, Resource: st.Resource, VPCs: vpcs}
	var err error
	switch st.Action {
	case ActCreateRole:
		err = a.createRole(ctx, st)
	case ActUpdateAssumeRole:
		_, err = a.cl.iam.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(st.Resource), PolicyDocument: aws.String(st.PolicyDocument)})
	case ActPutRolePolicy:
		_, err = a.cl.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(st.Resource), PolicyName: aws.String(st.PolicyName), PolicyDocument: aws.String(st.PolicyDocument)})
	case ActCreateLogGroup:
		var existed bool
		existed, err = a.createLogGroup(ctx, st)
		if existed {
			end.Status = "existed"
		}
	case ActPutRetentionPolicy:
		_, err = a.cl.Logs(st.Region).PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(st.Resource), RetentionInDays: aws.Int32(st.RetentionDays)})
	case ActTagLogGroup:
		arn := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", inventory.PartitionOf(st.Region), st.Region, st.Account, st.Resource)
		_, err = a.cl.Logs(st.Region).TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: st.Tags})
	case ActCreateFlowLogs:
		end.FlowLogs, end.Failed, err = a.createFlowLogs(ctx, st, vpcs)
	default:
		err = fmt.Errorf("unknown action %s", st.Action)
	}
	if err != nil {
		end.Error = apiMessage(err)
	}
	a.record(st, vpcs, end, err)
	if jerr := a.j.Append(end); jerr != nil {
		return fmt.Errorf("%w: %v", errJournal, jerr)
	}
	return err
}

// stepWhereWidth is the widest stepWhere of steps, so that every progress line of a run aligns.
func stepWhereWidth(steps []Step) int {
	w := 0
	for _, st := range steps {
		w = max(w, human.Width(stepWhere(st)))
	}
	return w
}

func (a *applier) record(st Step, vpcs []string, end journal.Record, err error) {
	where := stepWhere(st)
	a.mu.Lock()
	a.out.Steps = append(a.out.Steps, StepOutcome{ID: st.ID, Action: st.Action, Region: st.Region, OK: err == nil && len(end.Failed) == 0, Error: end.Error})
	if err != nil && st.Action != ActCreateFlowLogs {
		a.out.Errors = append(a.out.Errors, fmt.Sprintf("%s %s %s: %s", where, st.Action, st.Resource, apiMessage(err)))
	}
	if st.Action == ActCreateFlowLogs {
		for _, v := range vpcs {
			o := a.vpc[st.Region+"/"+v]
			switch {
			case end.FlowLogs[v] != "":
				o.Status, o.FlowLogID = OutcomeCreated, end.FlowLogs[v]
			case end.Failed[v] != "":
				o.Status, o.Error = OutcomeFailed, end.Failed[v]
			case err != nil:
				o.Status, o.Error = OutcomeFailed, apiMessage(err)
			default:
				o.Status, o.Error = OutcomeFailed, "CreateFlowLogs returned no flow log for this VPC"
			}
		}
	}
	a.mu.Unlock()
	status := "ok"
	if err != nil {
		status = "FAILED: " + apiMessage(err)
	} else if len(end.Failed) > 0 {
		status = fmt.Sprintf("%d of %s failed", len(end.Failed), human.Plural(len(vpcs), "VPC"))
	}
	detail := st.Resource
	if len(vpcs) > 0 && st.Action == ActCreateFlowLogs {
		detail = strings.Join(vpcs, ",") + " -> " + st.Resource
	}
	a.progress("[batch %d] %s %-26s %s  %s", st.Batch, human.Pad(where, a.whereWidth), st.Action, detail, status)
	for _, v := range sortedKeys(end.Failed) {
		a.progress("            %s: %s", v, end.Failed[v])
	}
}

func (a *applier) createRole(ctx context.Context, st Step) error {
	var tags []iamtypes.Tag
	for _, k := range sortedKeys(st.Tags) {
		tags = append(tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(st.Tags[k])})
	}
	_, err := a.cl.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(st.Resource), AssumeRolePolicyDocument: aws.String(st.PolicyDocument), Tags: tags,
		Description: aws.String("Delivers VPC flow logs to CloudWatch Logs (created by flowguard run " + a.p.RunID + ")"),
	})
	if isCode(err, "EntityAlreadyExists") {
		// Created by this run before an interruption (its begin record has no end): that is fine.
		rs, gerr := getRole(ctx, a.cl.iam, st.Resource, "")
		if gerr == nil && rs.RunID == a.p.RunID {
			return nil
		}
	}
	return err
}

func (a *applier) createLogGroup(ctx context.Context, st Step) (existed bool, err error) {
	in := &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(st.Resource), Tags: st.Tags}
	if st.KMSKey != "" {
		in.KmsKeyId = aws.String(st.KMSKey)
	}
	_, err = a.cl.Logs(st.Region).CreateLogGroup(ctx, in)
	if isCode(err, "ResourceAlreadyExistsException") {
		// It appeared since the plan was made (or this run made it before an interruption): reuse it.
		return true, nil
	}
	return false, err
}

// createFlowLogs makes one CreateFlowLogs call for vpcs and returns the flow log per VPC and the per-VPC errors
// AWS reported (Unsuccessful items).
func (a *applier) createFlowLogs(ctx context.Context, st Step, vpcs []string) (map[string]string, map[string]string, error) {
	f := st.FlowLog
	in := &ec2.CreateFlowLogsInput{
		ResourceType: ec2types.FlowLogsResourceTypeVpc, ResourceIds: vpcs,
		LogDestinationType:     ec2types.LogDestinationType(f.DestinationType),
		MaxAggregationInterval: aws.Int32(f.MaxAggregationInterval),
	}
	if f.ResourceType != "" {
		in.ResourceType = ec2types.FlowLogsResourceType(f.ResourceType)
	}
	if f.TrafficType != "" { // AWS refuses a traffic type for Transit Gateway flow logs
		in.TrafficType = ec2types.TrafficType(f.TrafficType)
	}
	if f.LogFormat != "" {
		in.LogFormat = aws.String(f.LogFormat)
	}
	if f.DestinationType == inventory.DestinationS3 {
		in.LogDestination = aws.String(f.Destination)
		in.DestinationOptions = &ec2types.DestinationOptionsRequest{
			FileFormat:               ec2types.DestinationFileFormat(f.FileFormat),
			HiveCompatiblePartitions: aws.Bool(f.HivePartitions),
			PerHourPartition:         aws.Bool(f.PerHourPartitions),
		}
	} else {
		in.LogGroupName = aws.String(f.LogGroupName)
		in.DeliverLogsPermissionArn = aws.String(f.RoleARN)
	}
	var tags []ec2types.Tag
	for _, k := range sortedKeys(st.Tags) {
		tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(st.Tags[k])})
	}
	in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcFlowLog, Tags: tags}}

	c := a.cl.EC2(st.Region)
	created := map[string]string{}
	failed := map[string]string{}
	pending := vpcs
	wait := a.o.RoleWait
	if wait <= 0 {
		wait = DefaultRoleWait
	}
	for attempt := 0; ; attempt++ {
		in.ResourceIds = pending
		in.ClientToken = aws.String(clientToken(a.p.RunID, st.Region, st.Resource, pending))
		out, err := c.CreateFlowLogs(ctx, in)
		retry := attempt < roleRetries && a.roleIsNew() && f.DestinationType == inventory.DestinationCloudWatchLogs
		if err != nil {
			// IAM is eventually consistent: a role made seconds ago may not be assumable yet.
			if retry && rolePropagation(apiMessage(err)) {
				a.progress("            %s: the new delivery role is not usable yet (IAM propagation), retrying in %s", st.Region, wait)
				if !sleep(ctx, wait) {
					return created, nilIfEmpty(failed), ctx.Err()
				}
				wait *= 2
				continue
			}
			return created, nilIfEmpty(failed), err
		}
		var again []string
		for _, u := range out.Unsuccessful {
			msg := "failed"
			if u.Error != nil {
				msg = aws.ToString(u.Error.Code) + ": " + aws.ToString(u.Error.Message)
			}
			if retry && rolePropagation(msg) {
				again = append(again, aws.ToString(u.ResourceId))
				continue
			}
			failed[aws.ToString(u.ResourceId)] = msg
		}
		if len(out.FlowLogIds) > 0 {
			// Which id belongs to which VPC: ask, rather than trust the order of FlowLogIds.
			fls, derr := describeFlowLogs(ctx, c, out.FlowLogIds, nil)
			if derr == nil {
				for _, fl := range fls {
					created[fl.ResourceID] = fl.ID
				}
			} else {
				var ok []string
				for _, v := range pending {
					if failed[v] == "" && !slices.Contains(again, v) {
						ok = append(ok, v)
					}
				}
				if len(ok) == len(out.FlowLogIds) {
					for i, v := range ok {
						created[v] = out.FlowLogIds[i]
					}
				}
			}
		}
		if len(again) == 0 {
			break
		}
		pending = again
		if !sleep(ctx, wait) {
			return created, nilIfEmpty(failed), ctx.Err()
		}
		wait *= 2
	}
	return created, nilIfEmpty(failed), nil
}

// Retrying CreateFlowLogs while a new role propagates: DefaultRoleWait, doubling, roleRetries times (about a
// minute), and only within roleFresh of flowguard changing the role.
const (
	DefaultRoleWait = 2 * time.Second
	roleRetries     = 5
	roleFresh       = 5 * time.Minute
)

// rolePropagation recognizes EC2's answer for a role IAM has not propagated yet ("InvalidParameter: Unable to
// assume given IAM role").
func rolePropagation(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "unable to assume") || strings.Contains(m, "could not assume")
}

func (a *applier) roleIsNew() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return !a.roleChanged.IsZero() && time.Since(a.roleChanged) < roleFresh
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// clientToken makes CreateFlowLogs idempotent on AWS's side too: the same run, destination and VPCs give the
// same token.
func clientToken(run, region, dest string, vpcs []string) string {
	h := sha256.Sum256([]byte(run + "\x00" + region + "\x00" + dest + "\x00" + strings.Join(vpcs, ",")))
	return "fg-" + hex.EncodeToString(h[:])[:40]
}
