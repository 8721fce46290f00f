package fix

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
)

// RollbackOptions tune Rollback.
type RollbackOptions struct {
	// DryRun reports what would be deleted and changes nothing.
	DryRun      bool
	Concurrency int
	Progress    io.Writer
}

// Undone is one resource rollback deleted (or would delete, or kept).
type Undone struct {
	Kind    string `json:"kind"` // flow-log, log-group, retention, role
	Region  string `json:"region,omitempty"`
	ID      string `json:"id"`
	VPCID   string `json:"vpc_id,omitempty"`
	Outcome string `json:"outcome"` // deleted, would-delete, restored, would-restore, kept, gone, failed
	Detail  string `json:"detail,omitempty"`
}

// RollbackResult is what a rollback did.
type RollbackResult struct {
	RunID   string   `json:"run_id"`
	Account string   `json:"account"`
	DryRun  bool     `json:"dry_run,omitempty"`
	Items   []Undone `json:"items"`
	// Remaining are flow logs of the run that describe-flow-logs still shows afterwards (must be empty).
	Remaining []string `json:"remaining"`
	// RemainingResources are the other resources the run created (log groups, the role) that still exist
	// afterwards although nothing outside the run needs them (a delete failed, or could not be checked), each
	// with why ("region kind id: why"). They make the exit code non-zero.
	RemainingResources []string `json:"remaining_resources,omitempty"`
	// KeptInUse are resources the run created that are kept on purpose because something it did not create
	// still uses them (a role another run's flow logs deliver with, a log group another flow log writes to).
	KeptInUse []string `json:"kept_in_use,omitempty"`
	Errors    []string `json:"errors,omitempty"`
	// Warnings say what was wrong with the run's journal (a torn final record, suspect records).
	Warnings []string `json:"warnings,omitempty"`
}

// Overall is OK when everything the run created is gone (or would be), a failure otherwise.
func (r *RollbackResult) Overall() finding.Outcome {
	if len(r.Errors) > 0 || len(r.Remaining) > 0 || len(r.RemainingResources) > 0 {
		return finding.OutcomeFail
	}
	return finding.OutcomeOK
}

// retentionChange is a retention a run raised on a log group it did not create, as its journal says.
type retentionChange struct {
	previous int32
	set      *int32 // nil in journals written before the value was recorded
	created  int64  // the group's creation time when the plan was made (0: not recorded)
	// failed is set when every attempt that has an end record ended with an error: nothing was changed.
	okEnd, errEnd bool
}

// runScope is what a run's journal (and its run record) says it touched.
type runScope struct {
	info        RunInfo
	vpcs        map[string]map[string]bool // region -> VPCs a CreateFlowLogs was attempted on
	flowLogs    map[string]string          // flow log id -> region (journalled as created)
	logGroups   map[string]map[string]bool // region -> log groups a CreateLogGroup was attempted for
	retention   map[string]map[string]*retentionChange
	role        string // role name, when CreateRole was attempted
	rolledBack  map[string]bool
	regionNames []string
	// badRegions are region names in the journal that are not AWS region names (ignored).
	badRegions []string
}

func scopeOf(recs []journal.Record) runScope {
	sc := runScope{vpcs: map[string]map[string]bool{}, flowLogs: map[string]string{}, logGroups: map[string]map[string]bool{},
		retention: map[string]map[string]*retentionChange{}, rolledBack: map[string]bool{}}
	add := func(m map[string]map[string]bool, region, v string) {
		if m[region] == nil {
			m[region] = map[string]bool{}
		}
		m[region][v] = true
	}
	regions := map[string]bool{}
	for _, r := range recs {
		if r.Phase == "rollback" {
			continue
		}
		if r.Type == journal.TypeRun {
			for _, reg := range r.Regions {
				regions[reg] = true
			}
		}
		switch {
		case r.Type == journal.TypeBegin && r.Action == ActCreateFlowLogs, r.Type == journal.TypeAdopt:
			for _, v := range r.VPCs {
				add(sc.vpcs, r.Region, v)
			}
		case r.Type == journal.TypeBegin && r.Action == ActCreateLogGroup:
			add(sc.logGroups, r.Region, r.Resource)
		case r.Type == journal.TypeBegin && r.Action == ActPutRetentionPolicy && r.Previous != nil:
			if sc.retention[r.Region] == nil {
				sc.retention[r.Region] = map[string]*retentionChange{}
			}
			if _, seen := sc.retention[r.Region][r.Resource]; !seen {
				sc.retention[r.Region][r.Resource] = &retentionChange{previous: *r.Previous, set: r.Retention, created: r.Created}
			}
		case r.Type == journal.TypeEnd && r.Action == ActPutRetentionPolicy:
			if ch := sc.retention[r.Region][r.Resource]; ch != nil {
				if r.Error == "" {
					ch.okEnd = true
				} else {
					ch.errEnd = true
				}
			}
		case r.Type == journal.TypeBegin && r.Action == ActCreateRole:
			sc.role = r.Resource
		}
		if r.Type == journal.TypeEnd || r.Type == journal.TypeAdopt {
			for _, id := range r.FlowLogs {
				sc.flowLogs[id] = r.Region
			}
		}
	}
	for r := range sc.vpcs {
		regions[r] = true
	}
	for r := range sc.logGroups {
		regions[r] = true
	}
	for r := range sc.retention {
		regions[r] = true
	}
	for _, r := range sc.flowLogs {
		regions[r] = true
	}
	sc.setRegions(regions)
	return sc
}

// setRegions keeps the names that are AWS region names: a journal line cannot point the clients anywhere else.
func (sc *runScope) setRegions(regions map[string]bool) {
	sc.regionNames, sc.badRegions = nil, nil
	for _, r := range sortedKeys(regions) {
		if validRegion(r) {
			sc.regionNames = append(sc.regionNames, r)
		} else {
			sc.badRegions = append(sc.badRegions, r)
		}
	}
}

// withRunInfo adds the regions of the run's targets: rollback looks there for what carries the run's tag even
// when the journal lost the records of it (a torn or damaged journal).
func (sc *runScope) withRunInfo(info RunInfo) {
	sc.info = info
	regions := map[string]bool{}
	for _, r := range append(append([]string(nil), sc.regionNames...), sc.badRegions...) {
		regions[r] = true
	}
	for _, t := range info.Targets {
		regions[t.Region] = true
	}
	sc.setRegions(regions)
}

// Rollback undoes run id: it deletes exactly the flow logs the run created (carrying its flowguard:run-id tag,
// found in every region of the run whether or not the journal still records them), then the log groups and the
// role it created when nothing uses them any more, restores retention it raised when the group still has
// exactly the retention the run set, and finally checks describe-flow-logs no longer shows the run's flow logs.
// Anything without the run's tag is never deleted. What the run created and still exists afterwards is listed
// in Remaining / RemainingResources (and makes the exit code non-zero).
func Rollback(ctx context.Context, cfg aws.Config, dir, id string, o RollbackOptions) (*RollbackResult, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	info, contents, err := loadRun(dir, id)
	if err != nil {
		return nil, err
	}
	account, err := CallerAccount(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if account != info.Account {
		return nil, fmt.Errorf("run %s was made in account %s, but the credentials are for %s", id, info.Account, account)
	}
	sc := scopeOf(contents.Records)
	sc.withRunInfo(info)
	res := &RollbackResult{RunID: id, Account: account, DryRun: o.DryRun}
	var j *journal.Journal
	if !o.DryRun {
		j, err = journal.Open(dir, id, false)
		if err != nil {
			return nil, err
		}
		defer j.Close()
		res.Warnings = append(res.Warnings, j.Warnings...)
		if err := j.Append(journal.Record{Type: journal.TypeRollback, Phase: "rollback", Accounts: []string{account}, Regions: sc.regionNames}); err != nil {
			return nil, err
		}
	} else {
		res.Warnings = append(res.Warnings, contents.Warnings()...)
	}
	for _, r := range sc.badRegions {
		res.Warnings = append(res.Warnings, fmt.Sprintf("journal %s names region %q, which is not an AWS region name: ignored", journal.Path(dir, id), clip(r)))
	}
	rb := newRollbacker(cfg, j, o, res, id, sc, dir)

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for _, region := range sc.regionNames {
		g.Go(func() error { rb.region(gctx, region); return nil })
	}
	g.Wait()
	if ctx.Err() == nil {
		rb.role(ctx)
	}
	if err := ctx.Err(); err != nil {
		res.Errors = append(res.Errors, "interrupted: "+err.Error())
	}
	sort.SliceStable(res.Items, func(i, k int) bool {
		a, b := res.Items[i], res.Items[k]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		return a.Kind < b.Kind
	})
	sort.Strings(res.Remaining)
	sort.Strings(res.RemainingResources)
	if j != nil {
		status := journal.StatusRolledBack
		if res.Overall() != finding.OutcomeOK {
			status = journal.StatusRollbackIncomplete
		}
		if err := j.Append(journal.Record{Type: journal.TypeFinish, Phase: "rollback", Status: status}); err != nil {
			return res, err
		}
	}
	return res, nil
}

func newRollbacker(cfg aws.Config, j *journal.Journal, o RollbackOptions, res *RollbackResult, id string, sc runScope, dir string) *rollbacker {
	return &rollbacker{cl: newClients(cfg), j: j, o: o, res: res, run: id, sc: sc, dir: dir, tagged: map[string]bool{}, regionWidth: regionsWidth(sc.regionNames)}
}

type rollbacker struct {
	cl  *clients
	j   *journal.Journal
	o   RollbackOptions
	run string
	dir string
	sc  runScope
	mu  sync.Mutex
	res *RollbackResult
	// tagged are the flow logs found with the run's tag (by id).
	tagged map[string]bool
	// regionWidth is the width of the progress lines' region column: the run's longest region name.
	regionWidth int
}

func (rb *rollbacker) ours(id string) bool {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return rb.tagged[id]
}

func (rb *rollbacker) add(u Undone) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.res.Items = append(rb.res.Items, u)
	if u.Outcome == "failed" {
		rb.res.Errors = append(rb.res.Errors, fmt.Sprintf("%s %s %s: %s", u.Region, u.Kind, u.ID, u.Detail))
	}
	if rb.o.Progress != nil {
		fmt.Fprintf(rb.o.Progress, "%s %-9s %-40s %s %s\n", human.Pad(u.Region, rb.regionWidth), u.Kind, u.ID, u.Outcome, u.Detail)
	}
}

// regionsWidth is the widest of the region names, so that every progress line of a rollback aligns.
func regionsWidth(regions []string) int {
	w := 0
	for _, r := range regions {
		w = max(w, human.Width(r))
	}
	return w
}

func (rb *rollbacker) errorf(format string, args ...any) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.res.Errors = append(rb.res.Errors, fmt.Sprintf(format, args...))
}

// remains records a resource of the run that still exists after the rollback (not in a dry run); inUse says it
// is kept because something outside the run uses it.
func (rb *rollbacker) remains(region, kind, id, why string, inUse bool) {
	if rb.o.DryRun {
		return
	}
	if region == "" {
		region = "global"
	}
	rb.mu.Lock()
	defer rb.mu.Unlock()
	e := fmt.Sprintf("%s %s %s: %s", region, kind, id, why)
	if inUse {
		rb.res.KeptInUse = append(rb.res.KeptInUse, e)
	} else {
		rb.res.RemainingResources = append(rb.res.RemainingResources, e)
	}
}

// journal writes a rollback record; a journal that cannot be written stops nothing already done, but is reported.
func (rb *rollbacker) journal(r journal.Record) {
	if rb.j == nil {
		return
	}
	r.Phase = "rollback"
	if err := rb.j.Append(r); err != nil {
		rb.errorf("journal: %v", err)
	}
}

func (rb *rollbacker) region(ctx context.Context, region string) {
	c := rb.cl.EC2(region)
	// Every flow log of the region, in one paginated pass: the run's are those with its tag, whether or not the
	// journal still records them.
	all, err := describeFlowLogs(ctx, c, nil, nil)
	if err != nil {
		rb.errorf("%s: describe flow logs: %s (nothing deleted there)", region, apiMessage(err))
		return
	}
	seen := map[string]bool{}
	var del []inventory.FlowLog
	for _, f := range all {
		seen[f.ID] = true
		journalled := rb.sc.flowLogs[f.ID] == region
		tagged := f.Tags[TagRunID] == rb.run
		switch {
		case tagged:
			del = append(del, f)
			rb.mu.Lock()
			rb.tagged[f.ID] = true
			rb.mu.Unlock()
		case journalled:
			rb.add(Undone{Kind: "flow-log", Region: region, ID: f.ID, VPCID: f.ResourceID, Outcome: "kept", Detail: "journalled, but its flowguard:run-id tag is not " + rb.run})
		}
	}
	for _, fid := range sortedKeys(rb.sc.flowLogs) {
		if rb.sc.flowLogs[fid] == region && !seen[fid] {
			rb.add(Undone{Kind: "flow-log", Region: region, ID: fid, Outcome: "gone", Detail: "already deleted"})
		}
	}
	sort.Slice(del, func(i, k int) bool { return del[i].ID < del[k].ID })
	deleted := map[string]bool{}
	for i := 0; i < len(del); i += 500 {
		chunk := del[i:min(i+500, len(del))]
		var ids []string
		for _, f := range chunk {
			ids = append(ids, f.ID)
		}
		if rb.o.DryRun {
			for _, f := range chunk {
				deleted[f.ID] = true
				rb.add(Undone{Kind: "flow-log", Region: region, ID: f.ID, VPCID: f.ResourceID, Outcome: "would-delete"})
			}
			continue
		}
		rb.journal(journal.Record{Type: journal.TypeBegin, Action: "ec2:DeleteFlowLogs", Region: region, Resource: strings.Join(ids, ",")})
		out, err := c.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: ids})
		failed := map[string]string{}
		if err == nil {
			for _, u := range out.Unsuccessful {
				msg := "failed"
				if u.Error != nil {
					msg = aws.ToString(u.Error.Code) + ": " + aws.ToString(u.Error.Message)
				}
				failed[aws.ToString(u.ResourceId)] = msg
			}
		}
		end := journal.Record{Type: journal.TypeEnd, Action: "ec2:DeleteFlowLogs", Region: region, Resource: strings.Join(ids, ","), Failed: failed}
		if err != nil {
			end.Error = apiMessage(err)
		}
		rb.journal(end)
		for _, f := range chunk {
			switch {
			case err != nil:
				rb.add(Undone{Kind: "flow-log", Region: region, ID: f.ID, VPCID: f.ResourceID, Outcome: "failed", Detail: apiMessage(err)})
			case failed[f.ID] != "":
				rb.add(Undone{Kind: "flow-log", Region: region, ID: f.ID, VPCID: f.ResourceID, Outcome: "failed", Detail: failed[f.ID]})
			default:
				deleted[f.ID] = true
				rb.add(Undone{Kind: "flow-log", Region: region, ID: f.ID, VPCID: f.ResourceID, Outcome: "deleted"})
			}
		}
	}
	// What is left: in a dry run, all but what would be deleted; otherwise, the back-out check itself:
	// describe-flow-logs must no longer show any flow log of the run.
	var left []inventory.FlowLog
	if rb.o.DryRun {
		for _, f := range all {
			if !deleted[f.ID] {
				left = append(left, f)
			}
		}
	} else {
		after, err := describeFlowLogs(ctx, c, nil, nil)
		if err != nil {
			rb.errorf("%s: describe flow logs after delete: %s (log groups kept)", region, apiMessage(err))
			rb.remains(region, "flow-logs", "*", "could not be listed after the delete", false)
			rb.retention(ctx, region)
			return
		}
		left = after
		for _, f := range after {
			if f.Tags[TagRunID] == rb.run {
				rb.mu.Lock()
				rb.res.Remaining = append(rb.res.Remaining, f.ID)
				rb.mu.Unlock()
			}
		}
	}
	rb.logGroups(ctx, region, left)
	rb.retention(ctx, region)
}

// logGroups deletes the log groups the run created, when they carry its tag and no remaining flow log writes to
// them. It looks at the groups the journal says the run created and at the groups the run's settings name for
// its VPCs (so that a group whose journal record was lost is found by its tag).
func (rb *rollbacker) logGroups(ctx context.Context, region string, left []inventory.FlowLog) {
	journalled := rb.sc.logGroups[region]
	names := map[string]bool{}
	for n := range journalled {
		names[n] = true
	}
	if s := rb.sc.info.Settings; s.Destination == inventory.DestinationCloudWatchLogs && s.LogGroupTemplate != "" {
		for _, t := range rb.sc.info.Targets {
			if t.Region == region && (vpcIDRE.MatchString(t.VPCID) || tgwIDRE.MatchString(t.VPCID)) {
				names[s.LogGroupName(rb.sc.info.Account, region, t.VPCID)] = true
			}
		}
	}
	if len(names) == 0 {
		return
	}
	lc := rb.cl.Logs(region)
	for _, name := range sortedKeys(names) {
		if !validLogGroupName(name) {
			rb.add(Undone{Kind: "log-group", Region: region, ID: clip(name), Outcome: "kept", Detail: "not a log group name: the journal record is refused"})
			continue
		}
		//lint:ignore SA1019 ListTagsLogGroup takes the group name we hold; ListTagsForResource would need its ARN built per partition.
		tags, err := lc.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(name)})
		if isCode(err, "ResourceNotFoundException") {
			if journalled[name] {
				rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "gone"})
			}
			continue
		}
		if err != nil {
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "failed", Detail: apiMessage(err)})
			rb.remains(region, "log-group", name, "its tags could not be read: "+apiMessage(err), false)
			continue
		}
		if tags.Tags[TagRunID] != rb.run {
			if journalled[name] {
				rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "kept", Detail: "not created by this run (no flowguard:run-id " + rb.run + " tag)"})
			}
			continue
		}
		var users []string
		for _, f := range left {
			if f.LogGroupName == name || strings.HasSuffix(strings.TrimSuffix(f.Destination, ":*"), ":log-group:"+name) {
				users = append(users, f.ID)
			}
		}
		if len(users) > 0 {
			why := "still the destination of " + strings.Join(users, ", ")
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "kept", Detail: why})
			rb.remains(region, "log-group", name, why, true)
			continue
		}
		if rb.o.DryRun {
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "would-delete", Detail: "its flow-log data goes with it"})
			continue
		}
		rb.journal(journal.Record{Type: journal.TypeBegin, Action: "logs:DeleteLogGroup", Region: region, Resource: name})
		_, err = lc.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)})
		end := journal.Record{Type: journal.TypeEnd, Action: "logs:DeleteLogGroup", Region: region, Resource: name}
		if err != nil {
			end.Error = apiMessage(err)
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "failed", Detail: apiMessage(err)})
			rb.remains(region, "log-group", name, "delete failed: "+apiMessage(err), false)
		} else {
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "deleted"})
		}
		rb.journal(end)
	}
}

// retentionRefused says why a journalled retention change is not one this run's plan could have made, or "".
// The run raised retention only with --fix-retention, only to its --retention-days, only from a shorter valid
// value, and only on a group its targets named (a short-retention group, or the destination group of a target
// VPC it reused).
func (rb *rollbacker) retentionRefused(region, name string, ch *retentionChange) string {
	s := rb.sc.info.Settings
	switch {
	case !validLogGroupName(name):
		return "not a log group name"
	case !s.FixRetention:
		return "the run was not made with --fix-retention"
	case ch.set != nil && *ch.set != s.RetentionDays:
		return fmt.Sprintf("it says %d days were set, the run's setting is %d", *ch.set, s.RetentionDays)
	case !validRetention(ch.previous):
		return fmt.Sprintf("%d is not a CloudWatch Logs retention", ch.previous)
	case ch.previous >= s.RetentionDays:
		return fmt.Sprintf("%d days is not shorter than the %d the run set", ch.previous, s.RetentionDays)
	}
	for _, t := range rb.sc.info.Targets {
		if t.Region != region {
			continue
		}
		if slices.Contains(t.ShortRetention, name) || s.LogGroupName(rb.sc.info.Account, region, t.VPCID) == name {
			return ""
		}
	}
	return "the run's plan has no VPC with that log group"
}

// retention puts back the retention the run raised on log groups it did not create — only while the group is
// still the one the run changed and still has exactly the retention the run set. A later change by the owner
// (a longer or shorter retention, or a new group of the same name) is kept and reported.
func (rb *rollbacker) retention(ctx context.Context, region string) {
	lc := rb.cl.Logs(region)
	set := rb.sc.info.Settings.RetentionDays
	for _, name := range sortedKeys(rb.sc.retention[region]) {
		if rb.sc.logGroups[region][name] {
			continue
		}
		ch := rb.sc.retention[region][name]
		id := clip(name)
		if why := rb.retentionRefused(region, name, ch); why != "" {
			rb.add(Undone{Kind: "retention", Region: region, ID: id, Outcome: "kept", Detail: "journal record refused: " + why})
			rb.errorf("%s retention %s: the journal names a change this run's plan does not contain (%s): nothing changed", region, id, why)
			continue
		}
		if ch.errEnd && !ch.okEnd {
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "kept", Detail: "the run's change failed: nothing to restore"})
			continue
		}
		groups := map[string]inventory.LogGroup{}
		if err := describeLogGroups(ctx, lc, name, groups); err != nil {
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "failed", Detail: "read its current retention: " + apiMessage(err)})
			continue
		}
		lg, ok := groups[name]
		if !ok {
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "gone", Detail: "the log group no longer exists"})
			continue
		}
		if ch.created != 0 && createdMs(lg) != ch.created {
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "kept", Detail: "the log group was deleted and created again since this run changed it: not the group this run changed"})
			continue
		}
		if lg.RetentionDays == nil || *lg.RetentionDays != set {
			now := "events never expire"
			if lg.RetentionDays != nil {
				now = fmt.Sprintf("retention is now %d days", *lg.RetentionDays)
			}
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "kept", Detail: fmt.Sprintf("%s, not the %d this run set", now, set)})
			continue
		}
		prev := ch.previous
		if rb.o.DryRun {
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "would-restore", Detail: fmt.Sprintf("back to %d days", prev)})
			continue
		}
		rb.journal(journal.Record{Type: journal.TypeBegin, Action: ActPutRetentionPolicy, Region: region, Resource: name, Previous: lg.RetentionDays, Retention: &prev, Created: createdMs(lg)})
		_, err := lc.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(prev)})
		end := journal.Record{Type: journal.TypeEnd, Action: ActPutRetentionPolicy, Region: region, Resource: name}
		if err != nil {
			end.Error = apiMessage(err)
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "failed", Detail: apiMessage(err)})
		} else {
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "restored", Detail: fmt.Sprintf("%d days", prev)})
		}
		rb.journal(end)
	}
}

// role deletes the delivery role the run created, when it carries the run's tag and no flow log in any enabled
// region still uses it.
func (rb *rollbacker) role(ctx context.Context) {
	name := rb.sc.role
	createdHere := name != ""
	if set := rb.sc.info.Settings; name == "" && set.RoleARN == "" && set.Destination == inventory.DestinationCloudWatchLogs {
		// The run reused a role; it may be flowguard's, made by a run that has been rolled back since.
		name = set.RoleName
	}
	if name == "" {
		return
	}
	ic := rb.cl.iam
	rs, err := getRole(ctx, ic, name, "")
	if err != nil {
		rb.add(Undone{Kind: "role", ID: name, Outcome: "failed", Detail: err.Error()})
		return
	}
	if !rs.Exists {
		if createdHere {
			rb.add(Undone{Kind: "role", ID: name, Outcome: "gone"})
		}
		return
	}
	mine := rs.RunID == rb.run
	createdHere = createdHere || mine
	detail := ""
	if !mine {
		if !rs.Managed || rs.RunID == "" || !rb.rolledBack(rs.RunID) {
			if createdHere {
				rb.add(Undone{Kind: "role", ID: name, Outcome: "kept", Detail: "not created by this run (no flowguard:run-id " + rb.run + " tag)"})
			}
			return
		}
		detail = "created by run " + rs.RunID + ", which has been rolled back"
	}
	kept := func(outcome, why string, inUse bool) {
		rb.add(Undone{Kind: "role", ID: name, Outcome: outcome, Detail: why})
		if mine {
			rb.remains("", "role", name, why, inUse)
		}
	}
	users, err := rb.roleUsers(ctx, rs.ARN, rs.Trust.Regions())
	if err != nil {
		kept("kept", "could not check who uses it: "+err.Error(), false)
		return
	}
	if rb.o.DryRun {
		// The run's own flow logs are still there in a dry run; only others count.
		var others []string
		for _, u := range users {
			if id := strings.SplitN(u, "/", 2)[1]; rb.sc.flowLogs[id] == "" && !rb.ours(id) {
				others = append(others, u)
			}
		}
		users = others
	}
	if len(users) > 0 {
		kept("kept", "still used by "+strings.Join(users, ", "), true)
		return
	}
	if rb.o.DryRun {
		rb.add(Undone{Kind: "role", ID: name, Outcome: "would-delete", Detail: detail})
		return
	}
	rb.journal(journal.Record{Type: journal.TypeBegin, Action: "iam:DeleteRole", Resource: name})
	err = deleteRole(ctx, ic, name)
	end := journal.Record{Type: journal.TypeEnd, Action: "iam:DeleteRole", Resource: name}
	if err != nil {
		end.Error = apiMessage(err)
		kept("failed", apiMessage(err), false)
	} else {
		rb.add(Undone{Kind: "role", ID: name, Outcome: "deleted", Detail: detail})
	}
	rb.journal(end)
}

// rolledBack reports whether run id (in the same journal directory) has been rolled back.
func (rb *rollbacker) rolledBack(id string) bool {
	c, err := journal.Load(rb.dir, id)
	return err == nil && journal.Summarize(id, c.Records).RolledBack
}

// roleUsers lists flow logs (region/id) that deliver with roleARN, in the regions its trust policy admits
// (flowguard's roles name each region in aws:SourceArn; a flow log elsewhere cannot use the role), or in every
// enabled region when the trust names none.
func (rb *rollbacker) roleUsers(ctx context.Context, roleARN string, trusted []string) ([]string, error) {
	regions := append(append([]string(nil), trusted...), rb.sc.regionNames...)
	if len(trusted) == 0 {
		home := firstOr(rb.sc.regionNames, rb.cl.cfg.Region)
		out, err := rb.cl.EC2(home).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
		if err != nil {
			return nil, fmt.Errorf("describe regions: %s", apiMessage(err))
		}
		for _, r := range out.Regions {
			regions = append(regions, aws.ToString(r.RegionName))
		}
	}
	var mu sync.Mutex
	var users []string
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(rb.o.Concurrency * 2)
	seen := map[string]bool{}
	for _, r := range regions {
		if seen[r] {
			continue
		}
		seen[r] = true
		g.Go(func() error {
			fls, err := describeFlowLogs(gctx, rb.cl.EC2(r), nil, nil)
			if err != nil {
				return fmt.Errorf("describe flow logs in %s: %s", r, apiMessage(err))
			}
			mu.Lock()
			defer mu.Unlock()
			for _, f := range fls {
				if f.DeliverLogsPermissionARN == roleARN {
					users = append(users, r+"/"+f.ID)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sort.Strings(users)
	return users, nil
}

func deleteRole(ctx context.Context, ic *iam.Client, name string) error {
	pols, err := ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	for _, p := range pols.PolicyNames {
		if _, err := ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p)}); err != nil {
			return err
		}
	}
	att, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return err
	}
	for _, p := range att.AttachedPolicies {
		if _, err := ic.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(name), PolicyArn: p.PolicyArn}); err != nil {
			return err
		}
	}
	_, err = ic.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
	return err
}
