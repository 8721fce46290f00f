package checks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/engine/query"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/testenv/deadline"
)

// exponentialCheck is a check file whose query spreads fragments 2^20 times in about 1 KB.
func exponentialCheck() string {
	var b strings.Builder
	b.WriteString("id: boom\ntitle: t\nseverity: low\nasset_types: [VPC]\nexpect: eq []\nquery: |\n  vpcs { ...F0 }\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "  fragment F%d on Asset { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	b.WriteString("  fragment F20 on Asset { id }\n")
	return b.String()
}

// hang is what a step that does not return within its deadline means.
const hang = "a budget or the context is not honoured"

// A --checks file with an exponentially expanding query is refused when it is loaded, with file:line.
func TestLoadExponentialQuery(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "boom.yaml"), []byte(exponentialCheck()), 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	deadline.Within(t, 20*time.Second, "loading a check whose query expands to 2^20 fields", hang, func() { _, err = LoadDir(dir) })
	if err == nil {
		t.Fatal("the check loaded")
	}
	want := regexp.MustCompile(`boom\.yaml:\d+:\d+: query: query expands to more than ` + fmt.Sprint(query.MaxExpansion))
	if !want.MatchString(err.Error()) {
		t.Errorf("want the budget error at boom.yaml:LINE:COL, got: %v", err)
	}
}

// heavyCheck's query costs about 10^6 steps per VPC on graphtest.Large(10_000, …): 10^10 in all.
const heavyCheck = `id: heavy
title: t
severity: low
asset_types: [VPC]
expect: eq []
query: 'vpcs(where: {inRegion: {hasVpc_NONE: {inRegion: {hasVpc_SOME: {id: "none"}}}}})'
`

// A cancelled context stops the checks promptly, and the output says it was cancelled.
func TestRunCancelled(t *testing.T) {
	c, err := Parse("heavy.yaml", []byte(heavyCheck))
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Build(graphtest.Large(10_000, 1))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	var out *Output
	deadline.Within(t, 30*time.Second, "a cancelled evaluation", hang, func() { out = Run(g, []*Check{c}, Options{Context: ctx}) })
	if !out.Cancelled {
		t.Error("output not marked cancelled")
	}
	if len(out.Findings) >= 10_000 {
		t.Errorf("%d findings: the evaluation was not stopped", len(out.Findings))
	}
	for _, f := range out.Findings {
		if f.Status == finding.StatusPass && f.ResourceID == "" {
			t.Errorf("finding without a resource: %+v", f)
		}
	}
}

// A query that needs more than the step budget on a node gives ERROR for that node, never PASS.
func TestRunStepBudget(t *testing.T) {
	src := strings.Replace(heavyCheck, `{hasVpc_SOME: {id: "none"}}`, `{hasVpc_SOME: {inRegion: {hasVpc_SOME: {inRegion: {hasVpc_SOME: {id: "none"}}}}}}`, 1)
	c, err := Parse("heavier.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Build(graphtest.Large(1_000, 1)) // 100 VPCs per region: 100^5 steps per VPC
	var out *Output
	deadline.Within(t, 60*time.Second, "an over-budget evaluation", hang, func() {
		out = Run(g, []*Check{c}, Options{Context: context.Background()})
	})
	if len(out.Findings) != 1_000 {
		t.Fatalf("%d findings, want one per VPC", len(out.Findings))
	}
	for _, f := range out.Findings {
		if f.Status != finding.StatusError || !strings.Contains(f.Message, "more than 10000000 steps") {
			t.Fatalf("want ERROR naming the step budget, got %s: %s", f.Status, f.Message)
		}
	}
	t.Log(out.Findings[0].Message)
	t.Log(out.Findings[1].Message)
}

// A message template that loops over relations of relations is bounded too.
func TestMessageBudget(t *testing.T) {
	src := `id: loud
title: t
severity: low
asset_types: [VPC]
expect: eq []
query: 'vpcs'
fail: '{{range .Rel "inRegion"}}{{range .Rel "hasVpc"}}{{range .Rel "inRegion"}}{{range .Rel "hasVpc"}}{{.ID}}{{end}}{{end}}{{end}}{{end}}'
`
	c, err := Parse("loud.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	g := graph.Build(graphtest.Large(4_000, 1))
	var out *Output
	deadline.Within(t, 60*time.Second, "rendering a 400^2-line message per VPC", hang, func() { out = Run(g, []*Check{c}, Options{}) })
	for _, f := range out.Findings {
		if f.Status != finding.StatusError || len(f.Message) > 1000 {
			t.Fatalf("want a short ERROR, got %s: %.200s", f.Status, f.Message)
		}
	}
}
