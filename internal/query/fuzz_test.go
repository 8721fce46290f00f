package query

import (
	"encoding/json"
	"testing"

	"github.com/flowguard/flowguard/internal/graph"
	"github.com/flowguard/flowguard/internal/graph/graphtest"
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
	g := graph.Build(graphtest.Snapshot())
	vars := map[string]any{"m": 30, "x": "vpc-a"}
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
		if _, err := json.Marshal(JSON(p.Run(g))); err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Roots {
			for _, n := range g.Nodes(r.Type) {
				r.Row(n)
			}
		}
	})
}
