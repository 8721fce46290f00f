// Package iactest summarises IaC units in a compact, comparable form for the readers' table tests.
package iactest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/flowguard/flowguard/internal/testenv/golden"

	"github.com/flowguard/flowguard/internal/source/iac"
)

// Summary is what a test asserts on: one line per declared thing.
type Summary struct {
	Region     string
	VPCs       []string // "id @file:line address"
	FlowLogs   []string // "id -> type:resource traffic dest lg=name status"
	LogGroups  []string // "name retention=N|never @file:line"
	Subnets    []string // "id vpc=..."
	Unresolved []string // "what vpc=… lg=…"
	Notes      []string
}

// Summarize turns a unit into a Summary.
func Summarize(u *iac.Unit) Summary {
	s := Summary{Region: u.Region.Name}
	for _, v := range u.Region.VPCs {
		l := ""
		if v.Location != nil {
			l = fmt.Sprintf(" @%s:%d %s", v.Location.File, v.Location.Line, v.Location.Address)
		}
		d := ""
		if v.IsDefault {
			d = " default"
		}
		s.VPCs = append(s.VPCs, v.ID+d+l)
	}
	for _, f := range u.Region.FlowLogs {
		x := fmt.Sprintf("%s -> %s:%s %s %s", f.ID, f.ResourceType, f.ResourceID, f.TrafficType, f.DestinationType)
		if f.LogGroupName != "" {
			x += " lg=" + f.LogGroupName
		} else if f.Destination != "" {
			x += " dest=" + f.Destination
		}
		if f.DeliverLogsStatus != "" {
			x += " delivery=" + f.DeliverLogsStatus
		}
		if f.Location != nil {
			x += fmt.Sprintf(" @%s:%d", f.Location.File, f.Location.Line)
		}
		s.FlowLogs = append(s.FlowLogs, x)
	}
	for _, g := range u.Region.LogGroups {
		r := "never"
		if g.RetentionDays != nil {
			r = fmt.Sprint(*g.RetentionDays)
		}
		x := g.Name + " retention=" + r
		if g.Location != nil {
			x += fmt.Sprintf(" @%s:%d", g.Location.File, g.Location.Line)
		}
		s.LogGroups = append(s.LogGroups, x)
	}
	for _, sn := range u.Region.Subnets {
		s.Subnets = append(s.Subnets, sn.ID+" vpc="+sn.VPCID)
	}
	for _, x := range u.Unresolved {
		y := x.What
		if x.VPC != "" {
			y += " vpc=" + x.VPC
		}
		if x.LogGroup != "" {
			y += " lg=" + x.LogGroup
		}
		s.Unresolved = append(s.Unresolved, y)
	}
	s.Notes = append(s.Notes, u.Notes...)
	for _, l := range [][]string{s.VPCs, s.FlowLogs, s.LogGroups, s.Subnets, s.Unresolved, s.Notes} {
		sort.Strings(l)
	}
	return s
}

// Golden compares u's summary with the JSON golden file at path (rewritten with -update, see
// internal/testenv/golden); label names the case in a failure.
func Golden(t testing.TB, u *iac.Unit, path, label string) {
	t.Helper()
	golden.JSON(t, path, Summarize(u))
	if t.Failed() {
		t.Log("case:", label)
	}
}
