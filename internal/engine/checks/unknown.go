package checks

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// settle gives a verdict its final form from what it depended on; no check is known here by its id:
//
//   - a verdict (FAIL or PASS) whose answer depended on a value the reader could not resolve is UNKNOWN, with
//     the reason of the unknowns (UNRESOLVED unless every one says otherwise, e.g. NOT_DECLARED) and, in the
//     message and evidence, what each unknown is, why, and its file:line;
//   - one that depended on a value known to be invalid (a retention AWS rejects) is a FAIL with that reason,
//     pointing at the value's declaration: the deployment would fail;
//   - a known FAIL decided by a related node that has a declaration (the log group whose retention is too
//     short) points at that declaration, the line to change; the asset's own stays in the evidence.
//
// n is the asset (nil for count checks); witness the related node whose match made the query true.
func settle(f *finding.Finding, n *graph.Node, unk []*inventory.Unknown, witness *graph.Node) {
	if len(unk) == 0 {
		if f.Status == finding.StatusFail && witness != nil && witness != n && f.Location != nil {
			if l := location(witness); l != nil {
				extra := withExtra(f)
				extra["asset_location"] = *f.Location
				f.Location = l
			}
		}
		return
	}
	var invalid, unknown []*inventory.Unknown
	for _, u := range unk {
		if u.Invalid {
			invalid = append(invalid, u)
		} else {
			unknown = append(unknown, u)
		}
	}
	asDeclared := f.Reason
	if asDeclared == "" {
		asDeclared = string(f.Status)
	}
	if len(invalid) > 0 {
		why := describe(invalid)
		extra := withExtra(f)
		extra["invalid"] = why
		extra["reason_as_declared"] = asDeclared
		first := first(invalid)
		f.Status, f.Reason = finding.StatusFail, first.Reason
		f.Message = strings.Join(why, "; ") + "; the deployment would fail"
		if f.Location != nil && first.Location != nil {
			l := *first.Location
			f.Location = &l
		}
		return
	}
	why := describe(unknown)
	reason := ""
	for _, u := range unknown {
		r := u.Reason
		if r == "" {
			r = inventory.UnknownUnresolved
		}
		if reason == "" || r == inventory.UnknownUnresolved {
			reason = r
		}
	}
	extra := withExtra(f)
	extra["unresolved"] = why
	extra["reason_as_declared"] = asDeclared
	f.Message = fmt.Sprintf("cannot be decided from what was read (as declared: %s, %s); depends on: %s",
		asDeclared, f.Message, strings.Join(why, "; "))
	f.Status, f.Reason = finding.StatusUnknown, reason
}

// withExtra returns f's evidence extras as a map of f's own: evidence may be shared between findings.
func withExtra(f *finding.Finding) map[string]any {
	m := make(map[string]any, len(f.Evidence.Extra)+2)
	maps.Copy(m, f.Evidence.Extra)
	f.Evidence.Extra = m
	return m
}

// describe lists the unknowns for people, sorted, each once.
func describe(us []*inventory.Unknown) []string {
	out := make([]string, 0, len(us))
	for _, u := range us {
		out = append(out, u.String())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// first is the unknown whose description sorts first: the same one whatever order the query met them in.
func first(us []*inventory.Unknown) *inventory.Unknown {
	return slices.MinFunc(us, func(a, b *inventory.Unknown) int { return strings.Compare(a.String(), b.String()) })
}
