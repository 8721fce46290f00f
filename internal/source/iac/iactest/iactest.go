// Package iactest summarises IaC units in a compact, comparable form for the readers' table tests.
package iactest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/google/go-cmp/cmp"

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

// TB is the part of testing.TB Golden needs.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

// Golden compares u's summary with the JSON golden file at path, rewriting the file first when update is set;
// label names the case in a failure.
func Golden(t TB, u *iac.Unit, path string, update bool, label string) {
	t.Helper()
	got := Summarize(u)
	if update {
		b, _ := json.MarshalIndent(got, "", "  ")
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	var want Summary
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s -want +got:\n%s", label, d)
	}
}
