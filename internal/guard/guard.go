package guard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/sink/exceptions"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// Modes.
const (
	ModeAlert = "alert"
	ModeFix   = "fix"
)

// AppID goes into the user agent of every call guard makes (…app/flowguard-guard), so that CloudTrail events
// of guard's own calls are recognised and ignored.
const AppID = "flowguard-guard"

// OutputSchema names the JSON lines guard writes.
const OutputSchema = "flowguard.guard/v1"

// Options configure a Guard.
type Options struct {
	Mode string
	// Config is the caller's AWS config (its AppID is set to AppID).
	Config aws.Config
	// Regions limit the scope (empty: every region an event names; every enabled region for a reconcile).
	Regions []string
	// Accounts select the accounts in scope (none: the credentials' account, plus any account an event comes
	// from when RoleName is set) and how other accounts are entered.
	Accounts accounts.Options
	// Settings are the fix engine's settings (mode fix); RetentionDays is also the retention check's minimum.
	Settings   fix.Settings
	Exceptions *exceptions.Set
	JournalDir string
	// Out receives the JSON lines (findings, fixes, conflicts); writes are serialized.
	Out io.Writer
	Log *slog.Logger
	// Metrics may be nil.
	Metrics *Metrics
	// Publisher sends alerts to Security Hub and/or SNS; nil sends nothing.
	Publisher Publisher
	// MaxRepairs per resource within RepairWindow; past it guard stops repairing and reports a conflict.
	MaxRepairs   int
	RepairWindow time.Duration
	// Concurrency bounds the account-regions handled at once.
	Concurrency int
	Now         func() time.Time
	// OnRun, when set, is told of every guard run that changed something or tried to (its journal is in
	// JournalDir): the command records it in the history store.
	OnRun func(ctx context.Context, runID string)
}

// Guard handles events. It is safe for concurrent use; the handling of one account-region is serialized so
// that a duplicated or concurrent event can never create a second flow log.
type Guard struct {
	o Options

	identity awsapi.Identity

	mu       sync.Mutex
	locks    map[string]*sync.Mutex
	configs  map[string]aws.Config
	accounts map[string]bool // the accounts in scope when an account selection is given
	state    map[string]finding.Status
	repairs  map[string][]time.Time
	// next is, per account-region, the generation of events waiting for the read after the running one.
	next  map[string]*generation
	outMu sync.Mutex
}

// New checks the options and identifies the caller (one sts:GetCallerIdentity).
func New(ctx context.Context, o Options) (*Guard, error) {
	if o.Mode != ModeAlert && o.Mode != ModeFix {
		return nil, fmt.Errorf("--mode %q: want alert or fix", o.Mode)
	}
	if o.Mode == ModeFix {
		if err := o.Settings.Validate(); err != nil {
			return nil, err
		}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Concurrency < 1 {
		o.Concurrency = 1
	}
	if o.MaxRepairs < 1 {
		o.MaxRepairs = 3
	}
	if o.RepairWindow <= 0 {
		o.RepairWindow = time.Hour
	}
	if o.Accounts.SessionName == "" {
		o.Accounts.SessionName = accounts.DefaultSessionName
	}
	o.Config = o.Config.Copy()
	o.Config.AppID = AppID
	g := &Guard{o: o, locks: map[string]*sync.Mutex{}, configs: map[string]aws.Config{}, state: map[string]finding.Status{}, repairs: map[string][]time.Time{}, next: map[string]*generation{}}
	id, err := awsapi.CallerIdentity(ctx, o.Config)
	if err != nil {
		return nil, err
	}
	g.identity = id
	g.configs[id.AccountID] = o.Config
	if o.Accounts.MultiAccount() {
		ids, err := o.Accounts.Select(ctx, o.Config)
		if err != nil {
			return nil, err
		}
		g.accounts = map[string]bool{}
		for _, a := range ids {
			g.accounts[a] = true
		}
		if g.o.Accounts.RoleName == "" {
			g.o.Accounts.RoleName = accounts.DefaultRoleName
		}
	}
	return g, nil
}

// Identity is the caller guard runs as.
func (g *Guard) Identity() awsapi.Identity { return g.identity }

// Message is one queued event: from an SQS ReceiveMessage or a Lambda SQS event record.
type Message struct {
	ID   string
	Body []byte
	// Sent is when the message reached the queue (SentTimestamp); zero when unknown.
	Sent time.Time
}

// HandleBatch handles messages and returns, per message, nil when it is handled (delete it) or the error that
// leaves it on the queue for redelivery (and, past the queue's maxReceiveCount, the dead-letter queue).
// Messages about the same account-region are handled by one read of that account-region.
func (g *Guard) HandleBatch(ctx context.Context, msgs []Message) []error {
	errs := make([]error, len(msgs))
	received := g.o.Now()
	type group struct {
		idx    []int
		events []*Event
	}
	groups := map[string]*group{}
	var order []string
	reconcile := []int{}
	for i, m := range msgs {
		if !m.Sent.IsZero() {
			g.o.Metrics.queueLag(received.Sub(m.Sent))
		}
		ev, err := ParseEvent(m.Body)
		if err != nil {
			// Poison: left on the queue; after maxReceiveCount receives the redrive policy moves it to the DLQ.
			g.o.Log.Error("message cannot be parsed; left for redelivery and the dead-letter queue", "message_id", m.ID, "error", err.Error(), "bytes", len(m.Body))
			g.o.Metrics.event("malformed")
			errs[i] = err
			continue
		}
		if why := g.ignore(ev); why != "" {
			g.o.Log.Info("event ignored", "message_id", m.ID, "event_id", ev.ID, "event", ev.EventName, "account", ev.Account, "region", ev.Region, "why", why)
			g.o.Metrics.event("ignored")
			continue
		}
		if ev.Kind == KindReconcile {
			reconcile = append(reconcile, i)
			continue
		}
		k := ev.Key()
		if groups[k] == nil {
			groups[k] = &group{}
			order = append(order, k)
		}
		groups[k].idx = append(groups[k].idx, i)
		groups[k].events = append(groups[k].events, ev)
	}
	eg := new(errgroup.Group)
	eg.SetLimit(g.o.Concurrency)
	for _, k := range order {
		gr := groups[k]
		eg.Go(func() error {
			err := g.handleRegion(ctx, gr.events)
			for _, i := range gr.idx {
				errs[i] = err
			}
			return nil
		})
	}
	eg.Wait()
	if len(reconcile) > 0 {
		err := g.Reconcile(ctx)
		for _, i := range reconcile {
			errs[i] = err
		}
	}
	return errs
}

// ignore says why an event is not acted on: of no interest, out of scope, or caused by flowguard itself.
func (g *Guard) ignore(e *Event) string {
	if e.Kind == KindIgnore {
		return e.Why
	}
	if e.Kind == KindReconcile {
		return ""
	}
	if len(g.o.Regions) > 0 && !slices.Contains(g.o.Regions, e.Region) {
		return "region " + e.Region + " is outside --region"
	}
	if g.accounts != nil && !g.accounts[e.Account] {
		return "account " + e.Account + " is outside the selected accounts"
	}
	if g.accounts == nil && e.Account != g.identity.AccountID && g.o.Accounts.RoleName == "" {
		return "account " + e.Account + " is not the credentials' account and no --assume-role is given"
	}
	if why := g.self(e); why != "" {
		g.o.Metrics.event("self")
		return why
	}
	return ""
}

// self recognises events of flowguard's own calls: its user agent, its own identity (the credentials' ARN, or
// the --assume-role session it enters other accounts with), or the flowguard:run-id tag in the parameters.
func (g *Guard) self(e *Event) string {
	switch {
	case strings.Contains(e.UserAgent, "app/"+AppID):
		return "caused by flowguard guard (user agent)"
	case e.FlowguardTagged:
		return "caused by flowguard (the call carries the flowguard:run-id tag)"
	case e.CallerARN != "" && e.CallerARN == g.identity.ARN:
		return "caused by flowguard guard (its own identity)"
	}
	if role, session, ok := assumedRole(e.CallerARN); ok && e.Account != g.identity.AccountID {
		want := g.o.Accounts.RoleName
		if want == "" {
			want = accounts.DefaultRoleName
		}
		if role == want && session == g.o.Accounts.SessionName {
			return "caused by flowguard guard (its --assume-role session)"
		}
	}
	return ""
}

// assumedRole splits arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func assumedRole(arn string) (role, session string, ok bool) {
	_, rest, found := strings.Cut(arn, ":assumed-role/")
	if !found || !strings.HasPrefix(arn, "arn:") {
		return "", "", false
	}
	role, session, ok = strings.Cut(rest, "/")
	return role, session, ok && role != "" && session != ""
}

// lock serializes the handling of one account-region.
func (g *Guard) lock(key string) func() {
	g.mu.Lock()
	l := g.locks[key]
	if l == nil {
		l = &sync.Mutex{}
		g.locks[key] = l
	}
	g.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// config returns the config that works in account: the caller's own, or by entering it with --assume-role.
func (g *Guard) config(ctx context.Context, account string) (aws.Config, error) {
	g.mu.Lock()
	c, ok := g.configs[account]
	g.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := accounts.Enter(ctx, g.o.Config, g.identity.Partition, account, g.o.Accounts)
	if err != nil {
		return aws.Config{}, err
	}
	g.mu.Lock()
	g.configs[account] = c
	g.mu.Unlock()
	return c, nil
}

// generation is the events of one account-region served by one read: every event that arrives while a read
// of its account-region runs joins the next generation, so a burst costs two reads, not one per message.
type generation struct {
	done   chan struct{}
	events []*Event
	err    error
}

// handleRegion gets events (all about one account-region) settled: it joins them to the generation waiting
// for the next read of that account-region, or starts one, and returns that read's outcome. A read starts
// after every event of its generation arrived, so what it reads includes their effect.
func (g *Guard) handleRegion(ctx context.Context, events []*Event) error {
	key := events[0].Key()
	g.mu.Lock()
	gen := g.next[key]
	leader := gen == nil
	if leader {
		gen = &generation{done: make(chan struct{})}
		g.next[key] = gen
	}
	gen.events = append(gen.events, events...)
	g.mu.Unlock()
	if !leader {
		<-gen.done
		return gen.err
	}
	unlock := g.lock(key) // the running generation, if any, finishes first
	g.mu.Lock()
	delete(g.next, key) // events from now on wait for the read after this one
	evs := gen.events
	g.mu.Unlock()
	gen.err = g.settle(ctx, evs)
	unlock()
	close(gen.done)
	return gen.err
}

// settle re-reads the account-region of events, evaluates the checks and acts.
func (g *Guard) settle(ctx context.Context, events []*Event) error {
	first := events[0]
	account, region := first.Account, first.Region
	log := g.o.Log.With("account", account, "region", region)
	names := make([]string, 0, len(events))
	ids := make([]string, 0, len(events))
	for _, e := range events {
		names = append(names, e.EventName)
		ids = append(ids, e.ID)
	}
	log.Info("events received", "events", names, "event_ids", ids)
	cfg, err := g.config(ctx, account)
	if err != nil {
		g.o.Metrics.error("enter")
		g.o.Metrics.eventN("failed", len(events))
		log.Error("cannot enter the account", "error", err.Error())
		return err
	}
	start := g.o.Now()
	res, err := g.evaluate(ctx, cfg, account, []string{region})
	if err != nil {
		g.o.Metrics.error("read")
		g.o.Metrics.eventN("failed", len(events))
		log.Error("cannot read the account-region", "error", err.Error())
		return err
	}
	now := g.o.Now()
	for _, e := range events {
		g.o.Metrics.verdict(now.Sub(e.Time))
	}
	if err := g.act(ctx, cfg, account, res, events); err != nil {
		g.o.Metrics.eventN("failed", len(events))
		return err
	}
	g.o.Metrics.eventN("handled", len(events))
	log.Info("events handled", "events", len(events), "read_seconds", now.Sub(start).Seconds(), "act_seconds", g.o.Now().Sub(now).Seconds())
	return nil
}

// evaluate reads regions of the account of cfg through the scan's source (one pass per region) and runs the
// built-in checks, with exceptions applied.
//
// The account is known (the credentials' own, or the one entered), so the read skips the scan's
// sts:GetCallerIdentity: that call would come before every other and add a round trip to each read.
func (g *Guard) evaluate(ctx context.Context, cfg aws.Config, account string, regions []string) (*finding.Result, error) {
	src := &accountSource{
		target: awsapi.Target{AccountID: account, Partition: g.identity.Partition, Config: cfg},
		o:      awsapi.Options{Regions: regions, Concurrency: g.o.Concurrency, Now: g.o.Now},
	}
	res, _, err := engine.Evaluate(ctx, src, engine.Options{MinRetentionDays: int(g.o.Settings.RetentionDays), Now: g.o.Now})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(res.Accounts) == 0 {
		msg := "the account could not be read"
		if len(res.Errors) > 0 {
			msg += ": " + res.Errors[0].Message
		}
		return nil, errors.New(msg)
	}
	if g.o.Exceptions != nil {
		exceptions.Apply(res, g.o.Exceptions, g.o.Now())
	}
	res.Source = "guard"
	return res, nil
}

// accountSource reads one known account: the scan's reader (awsapi), without identifying the caller again.
type accountSource struct {
	target awsapi.Target
	o      awsapi.Options
}

func (s *accountSource) Load(ctx context.Context) (*inventory.Snapshot, error) {
	return awsapi.Accounts(ctx, []awsapi.Target{s.target}, s.o), nil
}

func (s *accountSource) Describe() string { return "AWS account " + s.target.AccountID }

// Line is one JSON line guard writes.
type Line struct {
	Schema string `json:"schema"`
	// Kind: finding (a verdict that changed), fix (what a repair did), conflict (a repair refused by the
	// per-resource limit), reconcile (a full scan finished).
	Kind    string           `json:"kind"`
	Time    time.Time        `json:"time"`
	Mode    string           `json:"mode"`
	Events  []string         `json:"event_ids,omitempty"`
	Finding *finding.Finding `json:"finding,omitempty"`
	Fix     *FixLine         `json:"fix,omitempty"`
	// Conflict fields.
	AccountID string `json:"account_id,omitempty"`
	Region    string `json:"region,omitempty"`
	VPCID     string `json:"vpc_id,omitempty"`
	Message   string `json:"message,omitempty"`
}

// FixLine summarizes a guard run.
type FixLine struct {
	RunID    string           `json:"run_id"`
	Status   string           `json:"status"`
	Journal  string           `json:"journal"`
	VPCs     []fix.VPCOutcome `json:"vpcs"`
	Errors   []string         `json:"errors,omitempty"`
	Warnings []string         `json:"warnings,omitempty"`
}

func (g *Guard) emit(l Line) {
	l.Schema, l.Mode = OutputSchema, g.o.Mode
	if l.Time.IsZero() {
		l.Time = g.o.Now().UTC()
	}
	b, err := json.Marshal(l)
	if err != nil {
		g.o.Log.Error("cannot encode an output line", "error", err.Error())
		return
	}
	g.outMu.Lock()
	defer g.outMu.Unlock()
	g.o.Out.Write(append(b, '\n'))
}

// changed returns the findings whose status differs from the last one guard saw for the same check and
// resource (every non-PASS finding the first time), and remembers the new statuses.
func (g *Guard) changed(res *finding.Result) []finding.Finding {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []finding.Finding
	for _, f := range res.Findings {
		k := f.Key()
		prev, seen := g.state[k]
		g.state[k] = f.Status
		if (seen && prev != f.Status) || (!seen && f.Status != finding.StatusPass) {
			out = append(out, f)
		}
	}
	return out
}

// act reports what changed, and in fix mode repairs the failing VPCs of res.
func (g *Guard) act(ctx context.Context, cfg aws.Config, account string, res *finding.Result, events []*Event) error {
	ids := make([]string, 0, len(events))
	for _, e := range events {
		ids = append(ids, e.ID)
	}
	changed := g.changed(res)
	for i := range changed {
		g.o.Metrics.finding(string(changed[i].Status))
		g.emit(Line{Kind: "finding", Events: ids, Finding: &changed[i]})
	}
	var pubErr error
	if g.o.Publisher != nil && len(changed) > 0 {
		sub := *res
		sub.Findings = changed
		if err := g.o.Publisher.Publish(ctx, cfg, &sub); err != nil {
			g.o.Metrics.error("publish")
			g.o.Log.Error("cannot publish findings", "account", account, "error", err.Error())
			pubErr = err
		}
	}
	if g.o.Mode != ModeFix {
		return pubErr
	}
	if err := g.repair(ctx, cfg, account, res, ids, events); err != nil {
		return err
	}
	return pubErr
}

// repair runs the fix engine on the FAIL findings of res, as a guard run, within the per-resource limit.
func (g *Guard) repair(ctx context.Context, cfg aws.Config, account string, res *finding.Result, ids []string, events []*Event) error {
	now := g.o.Now()
	keep := res.Findings[:0:0]
	failing := 0
	for _, f := range res.Findings {
		if f.Status == finding.StatusFail && f.ResourceType == finding.ResourceVPC && (f.CheckID == fix.CheckEnabled || f.CheckID == fix.CheckRetention) {
			if f.CheckID == fix.CheckEnabled && !g.allowRepair(f.AccountID, f.Region, f.ResourceID, now) {
				msg := fmt.Sprintf("%s has been repaired %d times within %s and fails again: another automation or person keeps undoing it; guard leaves it alone until the window passes (the finding stays FAIL)",
					f.ResourceID, g.o.MaxRepairs, g.o.RepairWindow)
				g.o.Metrics.conflict()
				g.o.Log.Warn("repair conflict", "account", f.AccountID, "region", f.Region, "vpc", f.ResourceID, "message", msg)
				g.emit(Line{Kind: "conflict", Events: ids, AccountID: f.AccountID, Region: f.Region, VPCID: f.ResourceID, Message: msg})
				continue
			}
			failing++
		}
		keep = append(keep, f)
	}
	if failing == 0 {
		return nil
	}
	narrowed := *res
	narrowed.Findings = keep
	runID := NewRunID(now)
	pr, err := fix.Prepare(ctx, cfg, fix.PrepareOptions{
		Findings: func(context.Context) (*finding.Result, error) { return &narrowed, nil },
		Settings: g.o.Settings, NewRunID: runID, JournalDir: g.o.JournalDir, Concurrency: g.o.Concurrency, Now: g.o.Now,
	})
	if err != nil {
		g.o.Metrics.error("plan")
		return fmt.Errorf("fix plan: %w", err)
	}
	if len(pr.Plan.Steps) == 0 {
		// Passing by now (a duplicate event, or another run fixed it), or only VPCs left alone for a reason.
		for _, s := range pr.Plan.Skipped {
			g.o.Log.Info("left alone", "account", s.AccountID, "region", s.Region, "vpc", s.VPCID, "why", s.Reason)
		}
		return nil
	}
	// The VPCs of one account-region are repaired together: their log groups, then their flow logs, several at
	// a time, so that a burst of new VPCs costs a few round trips rather than three per VPC in a row.
	out, err := fix.Execute(ctx, cfg, pr, g.o.JournalDir, fix.ApplyOptions{Concurrency: g.o.Concurrency, RegionConcurrency: repairConcurrency})
	if out != nil {
		done := g.o.Now()
		created := 0
		for _, v := range out.VPCs {
			if v.Status == fix.OutcomeCreated {
				created++
				g.recordRepair(v.AccountID, v.Region, v.VPCID, done)
				g.o.Metrics.fixed()
			}
		}
		if created > 0 {
			for _, e := range events {
				g.o.Metrics.fixLatency(done.Sub(e.Time))
			}
		}
		g.emit(Line{Kind: "fix", Events: ids, Fix: &FixLine{RunID: out.RunID, Status: out.Status, Journal: out.JournalPath, VPCs: out.VPCs, Errors: out.Errors, Warnings: out.Warnings}})
		g.o.Log.Info("guard run", "account", account, "run_id", out.RunID, "status", out.Status, "vpcs", len(out.VPCs))
		if g.o.OnRun != nil && out.RunID != "" {
			g.o.OnRun(ctx, out.RunID)
		}
	}
	if err != nil {
		g.o.Metrics.error("fix")
		return fmt.Errorf("fix: %w", err)
	}
	if out.Overall() == finding.OutcomeFail || out.Overall() == finding.OutcomeIncomplete {
		g.o.Metrics.error("fix")
		return fmt.Errorf("guard run %s: %s", out.RunID, out.Status)
	}
	return nil
}

// repairConcurrency bounds the calls one account-region's repair makes at once: enough to hide round trips,
// few enough to stay within the EC2 and CloudWatch Logs mutation rate limits (the SDK retries a throttle).
const repairConcurrency = 8

// NewRunID is a guard run's id: a fix run id with "guard" in it, so that `flowguard runs` tells them apart.
func NewRunID(now time.Time) string {
	id := journal.NewRunID(now)
	stamp, rnd, _ := strings.Cut(id, "-")
	return stamp + "-guard-" + rnd
}

// IsGuardRun reports whether a run id is a guard run's.
func IsGuardRun(id string) bool { return journal.IsGuardRun(id) }

func (g *Guard) allowRepair(account, region, vpc string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := account + "/" + region + "/" + vpc
	kept := g.repairs[k][:0]
	for _, t := range g.repairs[k] {
		if now.Sub(t) < g.o.RepairWindow {
			kept = append(kept, t)
		}
	}
	g.repairs[k] = kept
	return len(kept) < g.o.MaxRepairs
}

func (g *Guard) recordRepair(account, region, vpc string, t time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := account + "/" + region + "/" + vpc
	g.repairs[k] = append(g.repairs[k], t)
}

// Reconcile reads the whole configured scope (every selected account, every region in scope) and acts on it
// as on events: it catches what no event reported (an event lost, guard down).
func (g *Guard) Reconcile(ctx context.Context) error {
	start := g.o.Now()
	accts := []string{g.identity.AccountID}
	if g.accounts != nil {
		accts = accts[:0]
		for a := range g.accounts {
			accts = append(accts, a)
		}
		slices.Sort(accts)
	}
	var errs []error
	for _, acct := range accts {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := g.reconcileAccount(ctx, acct); err != nil {
			errs = append(errs, fmt.Errorf("account %s: %w", acct, err))
		}
	}
	g.o.Metrics.reconciled(len(errs) == 0)
	g.o.Log.Info("reconcile finished", "accounts", len(accts), "errors", len(errs), "seconds", g.o.Now().Sub(start).Seconds())
	return errors.Join(errs...)
}

func (g *Guard) reconcileAccount(ctx context.Context, acct string) error {
	cfg, err := g.config(ctx, acct)
	if err != nil {
		g.o.Metrics.error("enter")
		return err
	}
	res, err := g.evaluate(ctx, cfg, acct, g.o.Regions)
	if err != nil {
		g.o.Metrics.error("read")
		return err
	}
	// Act region by region, under the same lock as events for that account-region.
	byRegion := map[string][]finding.Finding{}
	var regions []string
	for _, f := range res.Findings {
		if _, ok := byRegion[f.Region]; !ok {
			regions = append(regions, f.Region)
		}
		byRegion[f.Region] = append(byRegion[f.Region], f)
	}
	slices.Sort(regions)
	var errs []error
	for _, r := range regions {
		sub := *res
		sub.Findings = byRegion[r]
		func() {
			defer g.lock(acct + "/" + r)()
			if err := g.act(ctx, cfg, acct, &sub, nil); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", r, err))
			}
		}()
	}
	return errors.Join(errs...)
}

// Publisher sends changed findings to systems outside guard (Security Hub, SNS).
type Publisher interface {
	Publish(ctx context.Context, cfg aws.Config, r *finding.Result) error
}
