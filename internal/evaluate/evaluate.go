// Package evaluate turns an inventory snapshot into the scan result: it builds the asset graph, runs the
// stored checks over it and assembles the result document. The control itself — "VPC flow logging is enabled
// in all VPCs" and the retention of the log groups flow logs deliver to — is defined only by the check files
// of internal/checks (builtin/*.yaml), not here.
package evaluate

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Check ids of the built-in checks.
const (
	CheckEnabled   = "vpc-flow-logs-enabled"
	CheckRetention = "vpc-flow-logs-retention"
)

// DefaultMinRetentionDays is the retention the retention check asks for.
const DefaultMinRetentionDays = 365

// Options tune the evaluation.
type Options struct {
	// MinRetentionDays is the shortest acceptable log-group retention (the checks' minRetentionDays parameter).
	MinRetentionDays int
	// SkipUnused leaves out VPCs without network interfaces (and counts them).
	SkipUnused bool
	// Checks are the checks to run; nil runs the built-in checks.
	Checks []*checks.Check
	// Context stops the evaluation (Ctrl-C, SIGTERM); the result is then marked cancelled. Nil never stops.
	Context context.Context
}

// builtin parses the embedded check files once.
var builtin = sync.OnceValue(checks.Builtin)

// Snapshot evaluates the checks on snap. The result has no timing or tool fields; the caller stamps them.
func Snapshot(snap *inventory.Snapshot, o Options) *finding.Result {
	if o.MinRetentionDays <= 0 {
		o.MinRetentionDays = DefaultMinRetentionDays
	}
	cs := o.Checks
	if cs == nil {
		cs = builtin()
	}
	snap = withoutNilRegions(snap)
	res := &finding.Result{Schema: finding.ResultSchema, Source: snap.Source, Cancelled: snap.Incomplete}
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
	// A scan interrupted while reading still has what it read evaluated (bounded by the query budgets; the
	// next Ctrl-C kills the process): only an interrupt during the evaluation itself stops it.
	if o.Context != nil && o.Context.Err() != nil {
		o.Context = nil
	}
	out := checks.Run(graph.Build(snap), cs, checks.Options{
		Params:     map[string]any{"minRetentionDays": o.MinRetentionDays},
		SkipUnused: o.SkipUnused,
		Context:    o.Context,
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
		res.Notes = append(res.Notes, fmt.Sprintf("%d VPCs without network interfaces were left out (--skip-unused)", res.Summary.SkippedUnused))
	}
	res.Summarize()
	return res
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
