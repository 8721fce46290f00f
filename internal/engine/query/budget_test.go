package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/testenv/deadline"
)

// exponentialQueries are small documents whose naive expansion is 2^20 fields or more.
func exponentialQueries() map[string]string {
	const depth = 20
	var spreads, aliases, inline strings.Builder
	spreads.WriteString("vpcs { ...F0 }\n")
	aliases.WriteString("vpcs { ...F0 }\n")
	inline.WriteString("vpcs { ...F0 }\n")
	for i := 0; i < depth; i++ {
		// Fragment i spreads fragment i+1 twice.
		fmt.Fprintf(&spreads, "fragment F%d on Asset { ...F%d ...F%d }\n", i, i+1, i+1)
		// Aliases × nesting: every level is two distinct output fields, so merging cannot collapse them.
		fmt.Fprintf(&aliases, "fragment F%d on VPC { a%d: hasFlowLog { ofVpc { ...F%d } } b%d: hasFlowLog { ofVpc { ...F%d } } }\n", i, i, i+1, i, i+1)
		fmt.Fprintf(&inline, "fragment F%d on Asset { ... on VPC { ...F%d } ... { ...F%d id } }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&spreads, "fragment F%d on Asset { id }\n", depth)
	fmt.Fprintf(&aliases, "fragment F%d on VPC { id }\n", depth)
	fmt.Fprintf(&inline, "fragment F%d on Asset { id }\n", depth)
	return map[string]string{"spreads": spreads.String(), "aliases": aliases.String(), "inline": inline.String()}
}

// hang is what a step that does not return within its deadline means.
const hang = "the expansion or evaluation budget is not enforced"

func TestExpansionBudget(t *testing.T) {
	for name, src := range exponentialQueries() {
		t.Run(name, func(t *testing.T) {
			if len(src) > 2500 {
				t.Fatalf("query is %d bytes; the point is a small query", len(src))
			}
			var err error
			deadline.Within(t, 20*time.Second, "compiling a 2^20 expansion", hang, func() {
				var q *Query
				if q, err = Parse("q.graphql", src); err == nil {
					_, err = q.Compile(graph.Default, nil)
				}
			})
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("want a *query.Error, got %T: %v", err, err)
			}
			if !strings.Contains(qe.Msg, fmt.Sprintf("expands to more than %d", MaxExpansion)) || qe.Line == 0 || qe.File != "q.graphql" {
				t.Errorf("error does not name the budget and a position: %v", err)
			}
		})
	}
}

// The built-in fragments and ordinary queries stay far below the budget.
func TestExpansionBudgetLeavesRoom(t *testing.T) {
	src := "vpcs { ...VpcFragment hasFlowLog { ...FlowLogFragment deliversTo { ...LogGroupFragment } } hasSubnet { ...AssetFragment hasFlowLog { ...FlowLogFragment } } }"
	q, err := Parse("", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Compile(graph.Default, nil); err != nil {
		t.Fatal(err)
	}
	// A long literal list (ids of many VPCs) is fine too.
	ids := make([]string, 20_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", fmt.Sprintf("vpc-%08d", i))
	}
	q, err = Parse("", "vpcs(where: {id_IN: ["+strings.Join(ids, ",")+"]}) { id }")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Compile(graph.Default, nil); err != nil {
		t.Fatal(err)
	}
}

// A filter that nests relations back and forth costs fan-out^depth per node: evaluation must stop with an
// error, not run for hours.
func TestEvaluationBudget(t *testing.T) {
	g := graph.Build(graphtest.Large(4_000, 1))
	src := `regions(where: {hasVpc_SOME: {inRegion: {hasVpc_SOME: {inRegion: {hasVpc_SOME: {inRegion: {hasVpc_SOME: {id: "x"}}}}}}}}) { id }`
	q, err := Parse("", src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := q.Compile(graph.Default, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rs []Result
	deadline.Within(t, 60*time.Second, "evaluating a 400^4 filter", hang, func() { rs, err = p.Run(context.Background(), g) })
	var le *LimitError
	if !errors.As(err, &le) || rs != nil {
		t.Fatalf("want a *LimitError and no result, got %v (%d results)", err, len(rs))
	}
	if !strings.Contains(err.Error(), "region-0") {
		t.Errorf("the error should name the node: %v", err)
	}
	// The output is bounded too: a selection that walks the same cycle renders 400^3 values per region. (A
	// lower limit than the default keeps the test's memory small; the mechanism is the same.)
	defer func(v int) { maxResultValues = v }(maxResultValues)
	maxResultValues = 100_000
	q, _ = Parse("", `regions { hasVpc { inRegion { hasVpc { inRegion { hasVpc { id } } } } } }`)
	p, err = q.Compile(graph.Default, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline.Within(t, 60*time.Second, "rendering 400^3 values", hang, func() {
		if rs, err = p.Run(context.Background(), g); err == nil {
			_, err = JSON(context.Background(), rs)
		}
	})
	if !errors.As(err, &le) {
		t.Fatalf("want a *LimitError, got %v", err)
	}
}

// A cancelled context stops a long evaluation (Ctrl-C, SIGTERM) promptly.
func TestEvaluationCancelled(t *testing.T) {
	g := graph.Build(graphtest.Large(10_000, 1))
	// About 10^6 steps per VPC (under the per-node budget), 10^10 in all: hours without cancellation.
	src := `vpcs(where: {inRegion: {hasVpc_NONE: {inRegion: {hasVpc_SOME: {id: "none"}}}}}) { id }`
	q, _ := Parse("", src)
	p, err := q.Compile(graph.Default, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	deadline.Within(t, 30*time.Second, "a cancelled evaluation", hang, func() { _, err = p.Run(ctx, g) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}
