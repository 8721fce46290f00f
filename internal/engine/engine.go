// Package engine evaluates a Source: it loads the inventory, builds the asset graph, runs the stored checks
// (built-in and user) and returns one stamped result. Evaluate is the only entry; the control itself is
// defined by the check files of engine/checks (builtin/*.yaml), not here.
package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/iac"
	"github.com/flowguard/flowguard/internal/version"
)

// Check ids of the built-in checks.
const (
	CheckEnabled    = "vpc-flow-logs-enabled"
	CheckRetention  = "vpc-flow-logs-retention"
	CheckDelivering = "vpc-flow-logs-delivering"
)

// DefaultMinRetentionDays is the retention the retention check asks for.
const DefaultMinRetentionDays = 365

// Options tune the evaluation.
type Options struct {
	// MinRetentionDays is the shortest acceptable log-group retention (the checks' minRetentionDays parameter).
	MinRetentionDays int
	// SkipUnused leaves out VPCs without network interfaces (and counts them).
	SkipUnused bool
	// MaxDeliveryLag is the oldest a newest record may be (the checks' maxDeliveryLagSeconds parameter);
	// 0 keeps each check's default.
	MaxDeliveryLag time.Duration
	// Checks are the checks to run; nil runs the built-in checks (not the opt-in ones).
	Checks []*checks.Check
	// Now is the clock that stamps the result (tests fix it).
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

// builtin parses the embedded check files once.
var builtin = sync.OnceValue(checks.Builtin)

// Evaluate is the one engine entry every command that reports findings uses: it loads src, builds the asset
// graph, runs the checks on it and returns the stamped result with the inventory it was computed from. The
// error is the source's when it cannot be used at all; read problems inside the estate are ERROR findings.
//
// Ctrl-C while reading still has what was read evaluated (the result is marked cancelled); only an
// interrupt during the evaluation itself stops the evaluation.
func Evaluate(ctx context.Context, src source.Source, o Options) (*finding.Result, *inventory.Snapshot, error) {
	started := o.now()
	snap, err := src.Load(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", src.Describe(), err)
	}
	cs := o.Checks
	if cs == nil {
		cs = checks.Default(builtin())
	}
	evalCtx := ctx
	if ctx.Err() != nil {
		evalCtx = context.Background()
	}
	res := evaluate(evalCtx, snap, cs, o)
	if a, ok := src.(source.Annotator); ok {
		for _, e := range a.Problems() {
			res.Errors = append(res.Errors, toError(e))
		}
		res.Notes = append(res.Notes, a.Notes()...)
	}

	// ---- IaC: modules not read ------------------------------------------------------------------------
	// Unknown values travel on the inventory and the checks settle them; a module that was not read has no
	// asset to attach an UNKNOWN to, so it becomes an UNKNOWN finding of its own at its module block.
	if s, ok := src.(*source.IaC); ok {
		iac.ApplyUnread(res, s.Units(), res.Checks)
		finding.Sort(res.Findings)
	}

	res.Summarize()
	res.Tool = finding.Tool{Name: "flowguard", Version: version.String()}
	res.StartedAt, res.FinishedAt = started, o.now()
	return res, snap, nil
}

// Builtin returns the built-in checks, opt-in ones included (parsed once).
func Builtin() []*checks.Check { return builtin() }

// DefaultMaxDeliveryLag is vpc-flow-logs-delivering's default maxDeliveryLagSeconds, as a duration.
func DefaultMaxDeliveryLag() time.Duration {
	for _, c := range builtin() {
		if c.ID == CheckDelivering {
			return time.Duration(c.IntParameter("maxDeliveryLagSeconds")) * time.Second
		}
	}
	return 0
}

// Network lists the on-demand network collections (security groups, network ACLs) the checks cs read (nil:
// the built-in checks, which read none): what a live source must list for them (source.Options.Network).
func Network(cs []*checks.Check) []inventory.Collection {
	if cs == nil {
		cs = builtin()
	}
	return checks.Network(cs)
}

// Graph loads src and builds its asset graph, nothing more: what 'query' runs on.
func Graph(ctx context.Context, src source.Source) (*graph.Graph, *inventory.Snapshot, error) {
	snap, err := src.Load(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", src.Describe(), err)
	}
	return graph.Build(withoutNilRegions(snap)), snap, nil
}

// evaluate runs cs on snap and assembles the result (without tool and times).
func evaluate(ctx context.Context, snap *inventory.Snapshot, cs []*checks.Check, o Options) *finding.Result {
	if o.MinRetentionDays <= 0 {
		o.MinRetentionDays = DefaultMinRetentionDays
	}
	snap = withoutNilRegions(snap)
	res := &finding.Result{Schema: finding.ResultSchema, Source: snap.Source, Cancelled: snap.Incomplete, Checks: CheckInfos(cs)}
	accounts, regions := map[string]bool{}, map[string]bool{}
	for _, e := range snap.Errors {
		res.Errors = append(res.Errors, toError(e))
		accounts[e.AccountID] = true
	}
	for _, r := range snap.Regions {
		accounts[r.AccountID] = true
		regions[r.Name] = true
		for _, e := range r.Errors {
			res.Errors = append(res.Errors, toError(e))
		}
	}
	params := map[string]any{"minRetentionDays": o.MinRetentionDays}
	if o.MaxDeliveryLag > 0 {
		params["maxDeliveryLagSeconds"] = int(o.MaxDeliveryLag / time.Second)
	}
	out := checks.Run(graph.Build(snap), cs, checks.Options{
		Params:     params,
		SkipUnused: o.SkipUnused,
		Context:    ctx,
	})
	if out.Cancelled {
		res.Cancelled = true
		res.Notes = append(res.Notes, "the evaluation was interrupted: assets not evaluated yet have no finding")
	}
	if len(out.Findings) > 0 {
		res.Findings = out.Findings
	}
	res.Summary.VPCs, res.Summary.SkippedUnused = out.VPCs, out.SkippedUnused
	for a := range accounts {
		if a != "" {
			res.Accounts = append(res.Accounts, a)
		}
	}
	for r := range regions {
		res.Regions = append(res.Regions, r)
	}
	sort.Strings(res.Accounts)
	sort.Strings(res.Regions)
	finding.Sort(res.Findings)
	if res.Summary.SkippedUnused > 0 {
		res.Notes = append(res.Notes, human.Plural(res.Summary.SkippedUnused, "VPC")+" without network interfaces left out (--skip-unused)")
	}
	// An inventory with no account-region and no read error means nothing was read: the result gets an
	// error (so it is incomplete), since nothing read is not compliance.
	if len(snap.Regions) == 0 && len(snap.Errors) == 0 {
		res.Errors = append(res.Errors, finding.Error{Operation: "scan", Code: "NothingRead",
			Message: "nothing to evaluate: no account or region was read"})
	}
	res.Summarize()
	return res
}

// CheckInfos describes checks for the reports that explain their rules (SARIF help, HTML, OCSF and ASFF
// remediation): built-in and user checks alike.
func CheckInfos(cs []*checks.Check) []finding.CheckInfo {
	out := make([]finding.CheckInfo, 0, len(cs))
	for _, c := range cs {
		desc := strings.TrimSpace(c.Description)
		if r := strings.TrimSpace(c.Rationale); r != "" {
			desc += "\n\nRationale: " + r
		}
		out = append(out, finding.CheckInfo{ID: c.ID, Title: c.Title, Description: desc,
			Remediation: strings.TrimSpace(c.Remediation), Severity: c.Severity, Controls: c.Controls})
	}
	return out
}

// withoutNilRegions returns snap, or a shallow copy without its nil regions: a snapshot built by hand or read
// from a broken file must not crash the evaluation (inventory.Validate refuses such files with their path).
func withoutNilRegions(snap *inventory.Snapshot) *inventory.Snapshot {
	if snap == nil {
		return &inventory.Snapshot{}
	}
	for _, r := range snap.Regions {
		if r != nil {
			continue
		}
		c := *snap
		c.Regions = make([]*inventory.Region, 0, len(snap.Regions))
		for _, r := range snap.Regions {
			if r != nil {
				c.Regions = append(c.Regions, r)
			}
		}
		return &c
	}
	return snap
}

func toError(e inventory.ReadError) finding.Error {
	return finding.Error{AccountID: e.AccountID, Region: e.Region, Operation: e.Operation, Code: e.Code, Message: e.Message}
}

// enabledMatcher is the query of the built-in vpc-flow-logs-enabled, compiled once.
var enabledMatcher = sync.OnceValues(func() (func(*graph.Node) (bool, error), error) {
	for _, c := range builtin() {
		if c.ID == CheckEnabled {
			return c.Matcher(nil)
		}
	}
	return nil, fmt.Errorf("no built-in check %s", CheckEnabled)
})

// Satisfies reports whether a flow log, put on a VPC of its own, makes that VPC pass the built-in check
// vpc-flow-logs-enabled: the answer comes from the stored check's query, so the two cannot disagree.
func Satisfies(f inventory.FlowLog) bool {
	fails, err := enabledMatcher()
	if err != nil {
		return false
	}
	const acct, vpc = "000000000000", "vpc-satisfies"
	f.ResourceID, f.ResourceType = vpc, inventory.ResourceTypeVPC
	g := graph.Build(&inventory.Snapshot{Regions: []*inventory.Region{{AccountID: acct, Name: "local",
		VPCs: []inventory.VPC{{ID: vpc, OwnerID: acct}}, FlowLogs: []inventory.FlowLog{f}}}})
	failed, err := fails(g.Nodes(graph.TVPC)[0])
	return err == nil && !failed
}
