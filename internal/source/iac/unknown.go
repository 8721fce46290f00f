package iac

import (
	"fmt"
	"sort"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// The built-in checks this post-pass knows by id, and the retention they ask for by default. Sources do not
// import the engine; this whole file goes when the engine turns verdicts on unknown values into UNKNOWN.
const (
	checkEnabled            = "vpc-flow-logs-enabled"
	checkRetention          = "vpc-flow-logs-retention"
	defaultMinRetentionDays = 365
)

// ApplyUnresolved revisits the FAIL findings the checks produced on IaC units: a FAIL that rests on a value
// the files do not decide becomes UNKNOWN, with the reason and the file:line of each such value.
//
//   - vpc-flow-logs-enabled FAIL, and a flow log whose VPC, traffic type or existence is unresolved could be
//     the VPC's: UNKNOWN (UNRESOLVED).
//   - vpc-flow-logs-retention FAIL where every offending log group is either unresolved (a retention or
//     destination that is not known) or not declared in the scanned files (it may exist outside them):
//     UNKNOWN (UNRESOLVED or NOT_DECLARED). A declared group with a known short retention stays FAIL.
//
// The checks themselves are not re-run: this reads the verdict and its evidence.
func ApplyUnresolved(res *finding.Result, units []*Unit) {
	byVPC := map[string]*Unit{}
	for _, u := range units {
		for _, v := range u.Region.VPCs {
			byVPC[v.ID] = u
		}
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Status != finding.StatusFail {
			continue
		}
		u := byVPC[f.ResourceID]
		if u == nil || f.AccountID != AccountID {
			continue
		}
		switch f.CheckID {
		case checkEnabled:
			var why []string
			for _, x := range u.Unresolved {
				if x.VPC == f.ResourceID || x.VPC == AnyVPC {
					why = append(why, x.String())
				}
			}
			if len(why) > 0 {
				markUnknown(f, ReasonUnresolved, why)
			}
		case checkRetention:
			retentionUnknown(f, u)
			if f.Status == finding.StatusFail {
				pointAtLogGroup(f, u)
				retentionInvalid(f, u)
			}
		}
	}
	res.Summarize()
}

func retentionUnknown(f *finding.Finding, u *Unit) {
	min := f.Evidence.MinRetentionDays
	if min <= 0 {
		min = defaultMinRetentionDays
	}
	unresolved := map[string][]string{}
	for _, x := range u.Unresolved {
		if x.LogGroup != "" {
			unresolved[x.LogGroup] = append(unresolved[x.LogGroup], x.String())
		}
	}
	var why []string
	reason := ReasonNotDeclared
	problems := 0
	for _, g := range f.Evidence.LogGroups {
		short := g.Exists && g.RetentionDays != nil && int(*g.RetentionDays) < min
		if g.Exists && !short {
			continue
		}
		problems++
		switch {
		case len(unresolved[g.Name]) > 0:
			why = append(why, unresolved[g.Name]...)
			reason = ReasonUnresolved
		case !g.Exists:
			why = append(why, fmt.Sprintf("log group %s is not declared in the scanned files: it may exist elsewhere (if not, AWS creates it on first delivery, with no retention set)", g.Name))
		default:
			return // a declared group with a known short retention: a real FAIL
		}
	}
	if problems > 0 {
		markUnknown(f, reason, why)
	}
}

// pointAtLogGroup moves a retention FAIL to the line that sets the short retention (the log group), which is
// the line a reviewer has to change; the VPC's own line stays in the evidence.
func pointAtLogGroup(f *finding.Finding, u *Unit) {
	min := f.Evidence.MinRetentionDays
	for _, g := range f.Evidence.LogGroups {
		if !g.Exists || g.RetentionDays == nil || int(*g.RetentionDays) >= min {
			continue
		}
		for _, lg := range u.Region.LogGroups {
			if lg.Name == g.Name && lg.Location != nil {
				if f.Location != nil {
					if f.Evidence.Extra == nil {
						f.Evidence.Extra = map[string]any{}
					}
					f.Evidence.Extra["vpc_location"] = *f.Location
				}
				l := *lg.Location
				f.Location = &l
				return
			}
		}
	}
}

// retentionInvalid gives a retention FAIL whose log group declares a retention CloudWatch Logs does not accept
// (-5, "abc", 366) the reason: it stays FAIL, never "never expires".
func retentionInvalid(f *finding.Finding, u *Unit) {
	invalid := map[string][]Unresolved{}
	for _, x := range u.Invalid {
		if x.LogGroup != "" {
			invalid[x.LogGroup] = append(invalid[x.LogGroup], x)
		}
	}
	var why []string
	var at *inventory.Location
	for _, g := range f.Evidence.LogGroups {
		for _, x := range invalid[g.Name] {
			why = append(why, x.String())
			if at == nil {
				l := x.Location
				at = &l
			}
		}
	}
	if len(why) == 0 {
		return
	}
	sort.Strings(why)
	if f.Evidence.Extra == nil {
		f.Evidence.Extra = map[string]any{}
	}
	f.Evidence.Extra["invalid"] = why
	f.Evidence.Extra["reason_as_declared"] = f.Reason
	f.Message = strings.Join(why, "; ") + "; the deployment would fail"
	f.Reason = ReasonInvalid
	if f.Location != nil && at != nil {
		f.Location = at
	}
}

func markUnknown(f *finding.Finding, reason string, why []string) {
	sort.Strings(why)
	if f.Evidence.Extra == nil {
		f.Evidence.Extra = map[string]any{}
	}
	f.Evidence.Extra["unresolved"] = why
	f.Evidence.Extra["reason_as_declared"] = f.Reason
	f.Message = fmt.Sprintf("cannot be decided from the files alone (as declared: %s, %s); depends on: %s",
		f.Reason, f.Message, strings.Join(why, "; "))
	f.Status, f.Reason = finding.StatusUnknown, reason
}

// ReasonNotRead is the reason of the UNKNOWN finding of a module call whose module flowguard did not read.
const ReasonNotRead = "MODULE_NOT_READ"

// ResourceModule is the resource type of a finding about a module call rather than a VPC.
const ResourceModule = "Terraform::Module"

// Check is what a finding needs from a check that ran.
type Check struct {
	ID, Title, Severity string
	Controls            []finding.Control
}

// ApplyUnread gives every module call whose module was not read (Unresolved.Unread) an UNKNOWN finding of its
// own per check that ran, at the file:line of the module block, with the reason. Without it, a module that
// was not read and declares the only VPCs would leave no finding at all, and the scan would pass; and a module
// that was not read beside passing VPCs would hide its own. Instances of one block (count, for_each, the same
// module called from several instances) make one finding per block, which counts them.
func ApplyUnread(res *finding.Result, units []*Unit, cs []Check) {
	for _, u := range units {
		type group struct {
			first Unresolved
			addrs []string
			why   []string
		}
		var order []string
		groups := map[string]*group{}
		for _, x := range u.Unresolved {
			if !x.Unread {
				continue
			}
			k := fmt.Sprintf("%s:%d", x.Location.File, x.Location.Line)
			g := groups[k]
			if g == nil {
				g = &group{first: x}
				groups[k] = g
				order = append(order, k)
			}
			g.addrs = append(g.addrs, x.What)
			if !contains(g.why, x.Why) {
				g.why = append(g.why, x.Why)
			}
		}
		for _, k := range order {
			g := groups[k]
			what := g.first.What
			if n := len(g.addrs); n > 1 {
				what = fmt.Sprintf("%s (and %d more instances of this module block)", what, n-1)
			}
			msg := fmt.Sprintf("%s was not read: %s", what, strings.Join(g.why, "; "))
			for _, c := range cs {
				l := g.first.Location
				res.Findings = append(res.Findings, finding.Finding{
					CheckID: c.ID, Title: c.Title, Severity: c.Severity, Controls: c.Controls,
					Status: finding.StatusUnknown, Reason: ReasonNotRead, Message: msg,
					AccountID: AccountID, Region: u.Region.Name, ResourceType: ResourceModule,
					ResourceID: u.QualifiedID(g.first.What), Location: &l,
					Evidence: finding.Evidence{Extra: map[string]any{"unresolved": []string{g.first.String()}, "instances": g.addrs}},
				})
			}
		}
	}
	res.Summarize()
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
