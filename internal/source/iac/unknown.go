package iac

import (
	"fmt"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
)

// ReasonNotRead is the reason of the UNKNOWN finding of a module call whose module flowguard did not read.
const ReasonNotRead = "MODULE_NOT_READ"

// ResourceModule is the resource type of a finding about a module call rather than a VPC.
const ResourceModule = "Terraform::Module"

// ApplyUnread gives every module call whose module was not read (Unresolved.Unread) an UNKNOWN finding of its
// own per check that ran, at the file:line of the module block, with the reason. Without it, a module that
// was not read and declares the only VPCs would leave no finding at all, and the scan would pass; and a module
// that was not read beside passing VPCs would hide its own. Instances of one block (count, for_each, the same
// module called from several instances) make one finding per block, which counts them.
func ApplyUnread(res *finding.Result, units []*Unit, cs []finding.CheckInfo) {
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
				controls := c.Controls
				if controls == nil {
					controls = []finding.Control{}
				}
				res.Findings = append(res.Findings, finding.Finding{
					CheckID: c.ID, Title: c.Title, Severity: c.Severity, Controls: controls,
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
