package fix

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/fix/journal"
	"github.com/flowguard/flowguard/internal/inventory"
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
	Errors    []string `json:"errors,omitempty"`
}

// ExitCode is 0 when everything the run created is gone (or would be), 1 otherwise.
func (r *RollbackResult) ExitCode() int {
	if len(r.Errors) > 0 || len(r.Remaining) > 0 {
		return finding.ExitFail
	}
	return finding.ExitOK
}

// runScope is what a run's journal says it touched.
type runScope struct {
	info        RunInfo
	vpcs        map[string]map[string]bool // region -> VPCs a CreateFlowLogs was attempted on
	flowLogs    map[string]string          // flow log id -> region (journalled as created)
	logGroups   map[string]map[string]bool // region -> log groups a CreateLogGroup was attempted for
	retention   map[string]map[string]int32
	role        string // role name, when CreateRole was attempted
	rolledBack  map[string]bool
	regionNames []string
}

func scopeOf(recs []journal.Record) runScope {
	sc := runScope{vpcs: map[string]map[string]bool{}, flowLogs: map[string]string{}, logGroups: map[string]map[string]bool{},
		retention: map[string]map[string]int32{}, rolledBack: map[string]bool{}}
	add := func(m map[string]map[string]bool, region, v string) {
		if m[region] == nil {
			m[region] = map[string]bool{}
		}
		m[region][v] = true
	}
	for _, r := range recs {
		if r.Phase == "rollback" {
			continue
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
				sc.retention[r.Region] = map[string]int32{}
			}
			if _, seen := sc.retention[r.Region][r.Resource]; !seen {
				sc.retention[r.Region][r.Resource] = *r.Previous
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
	regions := map[string]bool{}
	for r := range sc.vpcs {
		regions[r] = true
	}
	for r := range sc.logGroups {
		regions[r] = true
	}
	for r := range sc.retention {
		regions[r] = true
	}
	sc.regionNames = sortedKeys(regions)
	return sc
}

// Rollback undoes run id: it deletes exactly the flow logs the run created (journalled, and confirmed by the
// flowguard:run-id tag), then the log groups and the role it created when nothing uses them any more, restores
// retention it raised, and finally checks describe-flow-logs no longer shows the deleted flow logs. Anything
// without the run's tag is never touched.
func Rollback(ctx context.Context, cfg aws.Config, dir, id string, o RollbackOptions) (*RollbackResult, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	info, recs, err := LoadRun(dir, id)
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
	sc := scopeOf(recs)
	sc.info = info
	res := &RollbackResult{RunID: id, Account: account, DryRun: o.DryRun}
	var j *journal.Journal
	if !o.DryRun {
		j, err = journal.Open(dir, id, false)
		if err != nil {
			return nil, err
		}
		defer j.Close()
		if err := j.Append(journal.Record{Type: journal.TypeRollback, Phase: "rollback", Accounts: []string{account}, Regions: sc.regionNames}); err != nil {
			return nil, err
		}
	}
	rb := &rollbacker{cl: newClients(cfg), j: j, o: o, res: res, run: id, sc: sc, dir: dir}

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
	if j != nil {
		status := journal.StatusRolledBack
		if res.ExitCode() != 0 {
			status = journal.StatusRollbackIncomplete
		}
		if err := j.Append(journal.Record{Type: journal.TypeFinish, Phase: "rollback", Status: status}); err != nil {
			return res, err
		}
	}
	return res, nil
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
}

func (rb *rollbacker) add(u Undone) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.res.Items = append(rb.res.Items, u)
	if u.Outcome == "failed" {
		rb.res.Errors = append(rb.res.Errors, fmt.Sprintf("%s %s %s: %s", u.Region, u.Kind, u.ID, u.Detail))
	}
	if rb.o.Progress != nil {
		fmt.Fprintf(rb.o.Progress, "%-10s %-9s %-40s %s %s\n", u.Region, u.Kind, u.ID, u.Outcome, u.Detail)
	}
}

func (rb *rollbacker) errorf(format string, args ...any) {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.res.Errors = append(rb.res.Errors, fmt.Sprintf(format, args...))
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
	vpcs := sortedKeys(rb.sc.vpcs[region])
	onVPCs := func() ([]inventory.FlowLog, error) {
		var all []inventory.FlowLog
		for i := 0; i < len(vpcs); i += 200 {
			chunk := vpcs[i:min(i+200, len(vpcs))]
			fls, err := describeFlowLogs(ctx, c, nil, []ec2types.Filter{{Name: aws.String("resource-id"), Values: chunk}})
			if err != nil {
				return nil, err
			}
			all = append(all, fls...)
		}
		return all, nil
	}
	var deleted []string
	if len(vpcs) > 0 {
		fls, err := onVPCs()
		if err != nil {
			rb.errorf("%s: describe flow logs: %s (nothing deleted there)", region, apiMessage(err))
			return
		}
		seen := map[string]bool{}
		var del []inventory.FlowLog
		for _, f := range fls {
			seen[f.ID] = true
			journalled := rb.sc.flowLogs[f.ID] != ""
			tagged := f.Tags[TagRunID] == rb.run
			switch {
			case tagged:
				del = append(del, f)
			case journalled:
				rb.add(Undone{Kind: "flow-log", Region: region, ID: f.ID, VPCID: f.ResourceID, Outcome: "kept", Detail: "journalled, but its flowguard:run-id tag is not " + rb.run})
			}
		}
		for fid, r := range rb.sc.flowLogs {
			if r == region && !seen[fid] {
				rb.add(Undone{Kind: "flow-log", Region: region, ID: fid, Outcome: "gone", Detail: "already deleted"})
			}
		}
		sort.Slice(del, func(i, k int) bool { return del[i].ID < del[k].ID })
		for i := 0; i < len(del); i += 500 {
			chunk := del[i:min(i+500, len(del))]
			var ids []string
			for _, f := range chunk {
				ids = append(ids, f.ID)
			}
			if rb.o.DryRun {
				for _, f := range chunk {
					deleted = append(deleted, f.ID)
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
					deleted = append(deleted, f.ID)
					rb.add(Undone{Kind: "flow-log", Region: region, ID: f.ID, VPCID: f.ResourceID, Outcome: "deleted"})
				}
			}
		}
		// The back-out check: describe-flow-logs on those VPCs must no longer show them.
		if !rb.o.DryRun {
			after, err := onVPCs()
			if err != nil {
				rb.errorf("%s: describe flow logs after delete: %s", region, apiMessage(err))
			} else {
				for _, f := range after {
					if f.Tags[TagRunID] == rb.run {
						rb.mu.Lock()
						rb.res.Remaining = append(rb.res.Remaining, f.ID)
						rb.mu.Unlock()
					}
				}
			}
		}
	}
	rb.logGroups(ctx, region, deleted)
	rb.retention(ctx, region)
}

// logGroups deletes the log groups the run created, when they carry its tag and no remaining flow log writes to
// them.
func (rb *rollbacker) logGroups(ctx context.Context, region string, deleted []string) {
	names := sortedKeys(rb.sc.logGroups[region])
	if len(names) == 0 {
		return
	}
	lc := rb.cl.Logs(region)
	all, err := describeFlowLogs(ctx, rb.cl.EC2(region), nil, nil)
	if err != nil {
		rb.errorf("%s: describe flow logs: %s (log groups kept)", region, apiMessage(err))
		return
	}
	gone := map[string]bool{}
	for _, id := range deleted {
		gone[id] = true
	}
	for _, name := range names {
		tags, err := lc.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(name)})
		if isCode(err, "ResourceNotFoundException") {
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "gone"})
			continue
		}
		if err != nil {
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "failed", Detail: apiMessage(err)})
			continue
		}
		if tags.Tags[TagRunID] != rb.run {
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "kept", Detail: "not created by this run (no flowguard:run-id " + rb.run + " tag)"})
			continue
		}
		var users []string
		for _, f := range all {
			if !gone[f.ID] && (f.LogGroupName == name || strings.HasSuffix(strings.TrimSuffix(f.Destination, ":*"), ":log-group:"+name)) {
				users = append(users, f.ID)
			}
		}
		if len(users) > 0 {
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "kept", Detail: "still the destination of " + strings.Join(users, ", ")})
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
		} else {
			rb.add(Undone{Kind: "log-group", Region: region, ID: name, Outcome: "deleted"})
		}
		rb.journal(end)
	}
}

// retention puts back the retention the run raised on log groups it did not create.
func (rb *rollbacker) retention(ctx context.Context, region string) {
	lc := rb.cl.Logs(region)
	for _, name := range sortedKeys(rb.sc.retention[region]) {
		if rb.sc.logGroups[region][name] {
			continue
		}
		prev := rb.sc.retention[region][name]
		if rb.o.DryRun {
			rb.add(Undone{Kind: "retention", Region: region, ID: name, Outcome: "would-restore", Detail: fmt.Sprintf("back to %d days", prev)})
			continue
		}
		rb.journal(journal.Record{Type: journal.TypeBegin, Action: ActPutRetentionPolicy, Region: region, Resource: name, Previous: &prev})
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
	detail := ""
	if rs.RunID != rb.run {
		if !rs.Managed || rs.RunID == "" || !rb.rolledBack(rs.RunID) {
			if createdHere {
				rb.add(Undone{Kind: "role", ID: name, Outcome: "kept", Detail: "not created by this run (no flowguard:run-id " + rb.run + " tag)"})
			}
			return
		}
		detail = "created by run " + rs.RunID + ", which has been rolled back"
	}
	users, err := rb.roleUsers(ctx, rs.ARN, rs.Trust.Regions())
	if err != nil {
		rb.add(Undone{Kind: "role", ID: name, Outcome: "kept", Detail: "could not check who uses it: " + err.Error()})
		return
	}
	if rb.o.DryRun {
		// The run's own flow logs are still there in a dry run; only others count.
		var others []string
		for _, u := range users {
			if rb.sc.flowLogs[strings.SplitN(u, "/", 2)[1]] == "" {
				others = append(others, u)
			}
		}
		users = others
	}
	if len(users) > 0 {
		rb.add(Undone{Kind: "role", ID: name, Outcome: "kept", Detail: "still used by " + strings.Join(users, ", ")})
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
		rb.add(Undone{Kind: "role", ID: name, Outcome: "failed", Detail: apiMessage(err)})
	} else {
		rb.add(Undone{Kind: "role", ID: name, Outcome: "deleted", Detail: detail})
	}
	rb.journal(end)
}

// rolledBack reports whether run id (in the same journal directory) has been rolled back.
func (rb *rollbacker) rolledBack(id string) bool {
	recs, err := journal.Read(rb.dir, id)
	return err == nil && journal.Summarize(id, recs).RolledBack
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
