package query

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
)

var fuzzSeeds = []string{
	SeedQuery,
	`vpcs`,
	`vpcs(where: {hasFlowLog_SOME: {deliversTo: {retentionInDays_LT: 365}}}) { id hasFlowLog { id } }`,
	`query ($m: Int = 3) { logGroups(where: {retentionInDays_GTE: $m, OR: [{name_MATCHES: "^a"}, {NOT: {arn: null}}]}) { ...LogGroupFragment } }`,
	"vpcs { ...F }\nfragment F on VPC { id hasTag { key } }",
	`flowLogs(where: {trafficType_IN: [ALL, REJECT], deliverLogsStatus_NOT: "FAILED", hasTag_ALL: {}})`,
	`regions(where: {hasReadError_SINGLE: {collection_STARTS_WITH: "flow"}}) { id }`,
	`vpcs(where: {id: "\u00e9"}) {`,
	`{ vpcs(where: {AND: [{}, {OR: []}]}) { __typename } }`,
	`vpcs(where: {hasFlowLog_NONE: {ofVpc: {hasSubnet_ALL: {hasFlowLog: null}}}})`,
}

// FuzzQuery parses, compiles and runs arbitrary text over the fixture graph: no input may panic, and a query
// that compiles must render as JSON.
func FuzzQuery(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range exponentialQueries() {
		f.Add(s)
	}
	g := graph.Build(graphtest.Snapshot())
	vars := map[string]any{"m": 30, "x": "vpc-a"}
	// Lower evaluation limits keep every input fast (the mechanism is the same; the budget tests check the
	// real limits), including the expansion budget that the exponential seeds run into.
	f.Cleanup(LowerLimitsForFuzzing())
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse("fuzz", src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("parse error of type %T: %v", err, err)
			}
			return
		}
		p, err := q.Compile(graph.Default, vars)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("compile error of type %T: %v", err, err)
			}
			return
		}
		// A filter or selection nested deep enough exhausts the evaluation budget even on the small fixture
		// graph: that must be a *LimitError, nothing else.
		rs, err := p.Run(t.Context(), g)
		var le *LimitError
		if errors.As(err, &le) {
			return
		} else if err != nil {
			t.Fatalf("run: %v", err)
		}
		o, err := JSON(t.Context(), rs)
		if errors.As(err, &le) {
			return
		} else if err != nil {
			t.Fatalf("json: %v", err)
		}
		if _, err := json.Marshal(o); err != nil {
			t.Fatal(err)
		}
		e := NewEval(t.Context())
		for _, r := range p.Roots {
			for _, n := range g.Nodes(r.Type) {
				if _, err := r.Row(e, n); err != nil && !errors.As(err, &le) {
					t.Fatalf("row: %v", err)
				}
			}
		}
	})
}
