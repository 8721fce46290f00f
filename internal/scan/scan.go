// Package scan is the scan pipeline: collect an inventory (live, or from a saved snapshot), evaluate the
// checks on it, and stamp the result. Commands (scan, fix, verify, query) call it instead of wiring the steps.
package scan

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	evaluatepkg "github.com/flowguard/flowguard/internal/evaluate"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/version"
)

// Options configure a scan.
type Options struct {
	Collect  awsapi.Options
	Evaluate evaluatepkg.Options
	// Now is the clock (tests fix it).
	Now func() time.Time
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

// Live scans the account of cfg's credentials.
func Live(ctx context.Context, cfg aws.Config, o Options) (*finding.Result, *inventory.Snapshot) {
	started := o.now()
	if o.Collect.Now == nil {
		o.Collect.Now = o.Now
	}
	snap := awsapi.Account(ctx, cfg, o.Collect)
	return stamp(evaluate(snap, o.Evaluate), started, o.now()), snap
}

// Targets scans several accounts (an organization) into one result. notEntered are the accounts that could
// not be entered: they become ERROR findings beside the others' results.
func Targets(ctx context.Context, targets []awsapi.Target, notEntered []inventory.ReadError, o Options) (*finding.Result, *inventory.Snapshot) {
	started := o.now()
	if o.Collect.Now == nil {
		o.Collect.Now = o.Now
	}
	snap := awsapi.Accounts(ctx, targets, o.Collect)
	snap.Errors = append(notEntered, snap.Errors...)
	return stamp(evaluate(snap, o.Evaluate), started, o.now()), snap
}

// Snapshot evaluates a saved or imported inventory without calling AWS.
func Snapshot(snap *inventory.Snapshot, o Options) *finding.Result {
	t := o.now()
	return stamp(evaluate(snap, o.Evaluate), t, t)
}

// evaluate runs the checks on snap. An inventory with no account-region and no read error means nothing was
// read: the result gets an error (so it is incomplete, exit 2), since nothing read is not compliance.
func evaluate(snap *inventory.Snapshot, o evaluatepkg.Options) *finding.Result {
	r := evaluatepkg.Snapshot(snap, o)
	if len(snap.Regions) == 0 && len(snap.Errors) == 0 {
		r.Errors = append(r.Errors, finding.Error{Operation: "scan", Code: "NothingRead",
			Message: "nothing to evaluate: no account or region was read"})
		r.Summarize()
	}
	return r
}

func stamp(r *finding.Result, started, finished time.Time) *finding.Result {
	r.Tool = finding.Tool{Name: "flowguard", Version: version.String()}
	r.StartedAt, r.FinishedAt = started, finished
	return r
}
