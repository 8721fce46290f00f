package query

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/testenv/golden"
)

// SeedQuery is the stored check of the source material, verbatim.
const SeedQuery = `vpcs(where: {OR: [{hasFlowLog: null}, {hasFlowLog_NONE: {flowLogStatus: "ACTIVE"}}]}){...AssetFragment}`

func ids(ns []*graph.Node) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

func run(t *testing.T, g *graph.Graph, src string, vars map[string]any) []Result {
	t.Helper()
	q, err := Parse("", src)
	if err != nil {
		t.Fatalf("parse %s: %v", src, err)
	}
	p, err := q.Compile(graph.Default, vars)
	if err != nil {
		t.Fatalf("compile %s: %v", src, err)
	}
	rs, err := p.Run(t.Context(), g)
	if err != nil {
		t.Fatalf("run %s: %v", src, err)
	}
	return rs
}

func TestSeedQueryVerbatim(t *testing.T) {
	g := graph.Build(graphtest.Snapshot())
	rs := run(t, g, SeedQuery, nil)
	// Every VPC without an ACTIVE flow log on the VPC itself. vpc-h: flow logs not read, so none are known
	// (the checks turn that into ERROR; the query alone only sees the graph).
	want := []string{"vpc-b", "vpc-c", "vpc-f", "vpc-g", "vpc-h"}
	if diff := cmp.Diff(want, ids(rs[0].Nodes)); diff != "" {
		t.Errorf("seed query (-want +got):\n%s", diff)
	}
	o, err := rs[0].Root.Project(NewEval(t.Context()), rs[0].Nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(o)
	wantJSON := `{"id":"vpc-b","assetType":"VPC","accountId":"111111111111","region":"us-east-1","arn":"arn:aws:ec2:us-east-1:111111111111:vpc/vpc-b","name":null}`
	if string(got) != wantJSON {
		t.Errorf("AssetFragment projection:\n got %s\nwant %s", got, wantJSON)
	}
}

func TestFilters(t *testing.T) {
	g := graph.Build(graphtest.Snapshot())
	tests := []struct {
		name, query string
		vars        map[string]any
		want        []string
	}{
		{"no filter", `vpcs`, nil, []string{"vpc-a", "vpc-b", "vpc-c", "vpc-d", "vpc-e", "vpc-f", "vpc-g", "vpc-h"}},
		{"empty filter", `vpcs(where: {})`, nil, []string{"vpc-a", "vpc-b", "vpc-c", "vpc-d", "vpc-e", "vpc-f", "vpc-g", "vpc-h"}},
		{"eq string", `vpcs(where: {id: "vpc-b"})`, nil, []string{"vpc-b"}},
		{"eq bool", `vpcs(where: {isDefault: true})`, nil, []string{"vpc-b"}},
		{"eq int", `vpcs(where: {networkInterfaceCount: 2})`, nil, []string{"vpc-a"}},
		{"eq enum literal", `flowLogs(where: {trafficType: ACCEPT})`, nil, []string{"fl-3"}},
		{"field null = absent", `vpcs(where: {name: null})`, nil, []string{"vpc-b", "vpc-c", "vpc-d", "vpc-e", "vpc-f", "vpc-g", "vpc-h"}},
		{"field _NOT null = present", `vpcs(where: {name_NOT: null})`, nil, []string{"vpc-a"}},
		{"_NOT value includes null", `flowLogs(where: {resourceType_NOT: "VPC"})`, nil, []string{"fl-6"}},
		{"_NOT on absent field is true", `flowLogs(where: {fileFormat_NOT: "parquet"})`, nil, []string{"fl-1", "fl-2", "fl-4", "fl-5", "fl-6"}},
		{"_IN", `flowLogs(where: {trafficType_IN: ["REJECT", "ACCEPT"]})`, nil, []string{"fl-3", "fl-4"}},
		{"_IN single value coerced", `flowLogs(where: {trafficType_IN: "REJECT"})`, nil, []string{"fl-4"}},
		{"_IN with null", `flowLogs(where: {fileFormat_IN: [null, "x"]})`, nil, []string{"fl-1", "fl-2", "fl-4", "fl-5", "fl-6"}},
		{"_IN empty", `flowLogs(where: {trafficType_IN: []})`, nil, []string{}},
		{"_NOT_IN", `flowLogs(where: {trafficType_NOT_IN: ["ALL"]})`, nil, []string{"fl-3", "fl-4"}},
		{"_IN many uses a set", `vpcs(where: {id_IN: ["a","b","c","d","e","f","g","h","vpc-c","vpc-g"]})`, nil, []string{"vpc-c", "vpc-g"}},
		{"_CONTAINS", `vpcs(where: {cidrBlock_CONTAINS: ".5."})`, nil, []string{"vpc-f"}},
		{"_CONTAINS null field false", `vpcs(where: {name_CONTAINS: ""})`, nil, []string{"vpc-a"}},
		{"_NOT_CONTAINS", `vpcs(where: {cidrBlock_NOT_CONTAINS: "10."})`, nil, []string{"vpc-h"}},
		{"_STARTS_WITH", `flowLogs(where: {logDestination_STARTS_WITH: "arn:aws:s3"})`, nil, []string{"fl-3"}},
		{"_NOT_STARTS_WITH", `subnets(where: {id_NOT_STARTS_WITH: "subnet-a"})`, nil, []string{"subnet-f1"}},
		{"_ENDS_WITH", `vpcs(where: {id_ENDS_WITH: "-e"})`, nil, []string{"vpc-e"}},
		{"_NOT_ENDS_WITH", `logGroups(where: {name_NOT_ENDS_WITH: "-a"})`, nil, []string{"fl-short"}},
		{"_LT int, null excluded", `logGroups(where: {retentionInDays_LT: 365})`, nil, []string{"fl-short"}},
		{"_LTE", `logGroups(where: {retentionInDays_LTE: 365})`, nil, []string{"fl-a", "fl-short"}},
		{"_GT", `logGroups(where: {retentionInDays_GT: 30})`, nil, []string{"fl-a"}},
		{"_GTE", `logGroups(where: {retentionInDays_GTE: 30})`, nil, []string{"fl-a", "fl-short"}},
		{"_LT string", `vpcs(where: {id_LT: "vpc-c"})`, nil, []string{"vpc-a", "vpc-b"}},
		{"_MATCHES", `vpcs(where: {cidrBlock_MATCHES: "^10\\.[0-2]\\."})`, nil, []string{"vpc-a", "vpc-b", "vpc-c"}},
		{"AND list", `vpcs(where: {AND: [{hasFlowLog_NOT: null}, {internetExposed: false}]})`, nil, []string{"vpc-c", "vpc-d", "vpc-e"}},
		{"AND single object", `vpcs(where: {AND: {isDefault: true}})`, nil, []string{"vpc-b"}},
		{"AND empty", `vpcs(where: {AND: [], id: "vpc-a"})`, nil, []string{"vpc-a"}},
		{"OR", `vpcs(where: {OR: [{id: "vpc-a"}, {id: "vpc-b"}]})`, nil, []string{"vpc-a", "vpc-b"}},
		{"OR empty matches nothing", `vpcs(where: {OR: []})`, nil, []string{}},
		{"NOT", `vpcs(where: {NOT: {id_IN: ["vpc-a", "vpc-b"]}, region: "us-east-1"})`, nil, []string{"vpc-c", "vpc-d", "vpc-e", "vpc-f", "vpc-g"}},
		{"relation null = no related node", `vpcs(where: {hasFlowLog: null})`, nil, []string{"vpc-b", "vpc-f", "vpc-g", "vpc-h"}},
		{"relation _NOT null = some related node", `vpcs(where: {hasFlowLog_NOT: null})`, nil, []string{"vpc-a", "vpc-c", "vpc-d", "vpc-e"}},
		{"relation object = some", `vpcs(where: {hasFlowLog: {trafficType: "REJECT"}})`, nil, []string{"vpc-e"}},
		{"_SOME", `vpcs(where: {hasFlowLog_SOME: {trafficType: "ALL"}})`, nil, []string{"vpc-a", "vpc-c", "vpc-e"}},
		{"_SOME empty filter = not empty", `vpcs(where: {hasFlowLog_SOME: {}})`, nil, []string{"vpc-a", "vpc-c", "vpc-d", "vpc-e"}},
		{"_NONE true on empty relation", `vpcs(where: {hasFlowLog_NONE: {flowLogStatus: "ACTIVE"}})`, nil, []string{"vpc-b", "vpc-c", "vpc-f", "vpc-g", "vpc-h"}},
		{"_NONE empty filter = empty", `vpcs(where: {hasFlowLog_NONE: {}})`, nil, []string{"vpc-b", "vpc-f", "vpc-g", "vpc-h"}},
		{"relation _NOT object = none", `vpcs(where: {hasFlowLog_NOT: {flowLogStatus: "ACTIVE"}, AND: {hasFlowLog_NOT: null}})`, nil, []string{"vpc-c"}},
		{"_ALL vacuous on empty", `vpcs(where: {hasFlowLog_ALL: {flowLogStatus: "ACTIVE"}})`, nil, []string{"vpc-a", "vpc-b", "vpc-d", "vpc-e", "vpc-f", "vpc-g", "vpc-h"}},
		{"_ALL with non-empty", `vpcs(where: {hasFlowLog_ALL: {trafficType: "ALL"}, hasFlowLog_NOT: null})`, nil, []string{"vpc-a", "vpc-c"}},
		{"_SINGLE", `vpcs(where: {hasFlowLog_SINGLE: {flowLogStatus: "ACTIVE"}})`, nil, []string{"vpc-a", "vpc-d"}},
		{"_SINGLE false on empty", `vpcs(where: {hasFlowLog_SINGLE: {}, id: "vpc-b"})`, nil, []string{}},
		{"to-one relation null", `flowLogs(where: {logDestinationType: "cloud-watch-logs", deliversTo: null})`, nil, []string{"fl-5"}},
		{"to-one relation filter", `flowLogs(where: {deliversTo: {retentionInDays_LT: 365}})`, nil, []string{"fl-4"}},
		{"bucket relation", `flowLogs(where: {deliversToBucket: {state: "exists"}})`, nil, []string{"fl-3"}},
		{"nested two levels", `vpcs(where: {hasFlowLog_SOME: {deliversTo: {neverExpire: false, retentionInDays_GTE: 365}}})`, nil, []string{"vpc-a", "vpc-c"}},
		{"subnet or eni flow logs", `vpcs(where: {hasFlowLog: null, hasSubnetOrEniFlowLog_NOT: null})`, nil, []string{"vpc-f"}},
		{"tags", `vpcs(where: {hasTag_SOME: {key: "env", value_IN: ["prod", "staging"]}})`, nil, []string{"vpc-a"}},
		{"shared", `vpcs(where: {isShared: true})`, nil, []string{"vpc-g"}},
		{"flow logs read", `vpcs(where: {flowLogsRead: false})`, nil, []string{"vpc-h"}},
		{"region read errors", `regions(where: {hasReadError_SOME: {collection: "flow_logs"}})`, nil, []string{"111111111111/us-west-2"}},
		{"internet exposed", `vpcs(where: {internetExposed: true})`, nil, []string{"vpc-a"}},
		{"reverse relation", `logGroups(where: {hasFlowLog_SOME: {ofVpc: {id: "vpc-f"}}})`, nil, []string{"fl-a"}},
		{"variable", `query ($min: Int!) { logGroups(where: {retentionInDays_LT: $min}) { id } }`, map[string]any{"min": 400}, []string{"fl-a", "fl-short"}},
		{"variable from flag string coerced", `query ($min: Int) { logGroups(where: {retentionInDays_LT: $min}) { id } }`, map[string]any{"min": "100"}, []string{"fl-short"}},
		{"variable default", `query ($min: Int = 365) { logGroups(where: {retentionInDays_LT: $min}) { id } }`, nil, []string{"fl-short"}},
		{"variable undeclared but given", `logGroups(where: {retentionInDays_LT: $min})`, map[string]any{"min": 31}, []string{"fl-short"}},
		{"variable list", `vpcs(where: {id_IN: $ids})`, map[string]any{"ids": []any{"vpc-a", "vpc-c"}}, []string{"vpc-a", "vpc-c"}},
		{"variable whole filter", `vpcs(where: $f)`, map[string]any{"f": map[string]any{"isDefault": true}}, []string{"vpc-b"}},
		{"variable null", `vpcs(where: {hasFlowLog: $x})`, map[string]any{"x": nil}, []string{"vpc-b", "vpc-f", "vpc-g", "vpc-h"}},
		{"query keyword form", `query Q { vpcs(where: {id: "vpc-a"}) { id } }`, nil, []string{"vpc-a"}},
		{"comment before shorthand", "# find b\nvpcs(where: {id: \"vpc-b\"})", nil, []string{"vpc-b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := run(t, g, tc.query, tc.vars)
			got := ids(rs[0].Nodes)
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.query, diff)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, query string
		vars        map[string]any
		want        string // substring of the error
	}{
		{"syntax", "vpcs(where: {id: })", nil, "1:18: Unexpected }"},
		{"syntax on line 2", "vpcs(where:\n  {id: \"a\" )", nil, "2:12: Expected Name, found )"},
		{"unknown root", `vpc { id }`, nil, `1:1: unknown query field "vpc" (valid: accounts, buckets, flowLogs,`},
		{"unknown field lists valid", `vpcs(where: {flowLogStatus: "ACTIVE"})`, nil, `1:14: unknown field or relation "flowLogStatus" on VPC (fields: accountId, arn, assetType, cidrBlock,`},
		{"unknown field with suffix", `vpcs(where: {nope_IN: []})`, nil, `unknown field or relation "nope" on VPC`},
		{"unknown field operator", `flowLogs(where: {flowLogStatus_EQUALS: "ACTIVE"})`, nil, `1:18: unknown operator _EQUALS on field FlowLog.flowLogStatus (valid: _CONTAINS, _ENDS_WITH, _GT, _GTE, _IN, _LT, _LTE, _MATCHES, _NOT, _NOT_CONTAINS, _NOT_ENDS_WITH, _NOT_IN, _NOT_STARTS_WITH, _STARTS_WITH)`},
		{"unknown relation operator", `vpcs(where: {hasFlowLog_ANY: {}})`, nil, `unknown operator _ANY on relation VPC.hasFlowLog (valid: _ALL, _NONE, _NOT, _SINGLE, _SOME)`},
		{"relation op on field", `vpcs(where: {id_SOME: {}})`, nil, "id is a field of VPC; operator _SOME is for relations (field operators: _CONTAINS, _ENDS_WITH, _GT,"},
		{"field op on relation", `vpcs(where: {hasFlowLog_IN: []})`, nil, "hasFlowLog is a relation of VPC; operator _IN is for fields (relation operators: _ALL, _NONE, _NOT, _SINGLE, _SOME)"},
		{"type mismatch", `logGroups(where: {retentionInDays: "x"})`, nil, `retentionInDays: retentionInDays is Int, got "x"`},
		{"quantifier null", `vpcs(where: {hasFlowLog_SOME: null})`, nil, "hasFlowLog_SOME needs a filter on FlowLog ({} matches any), not null"},
		{"bad regexp", `vpcs(where: {id_MATCHES: "("})`, nil, "1:27: id_MATCHES: bad regular expression"},
		{"string op on int", `logGroups(where: {retentionInDays_CONTAINS: "3"})`, nil, "_CONTAINS applies to String fields"},
		{"order op null", `logGroups(where: {retentionInDays_LT: null})`, nil, "retentionInDays_LT needs a value, not null"},
		{"filter not object", `vpcs(where: [1])`, nil, "a filter on VPC must be an object"},
		{"unknown argument", `vpcs(first: 3)`, nil, `unknown argument "first" of vpcs (valid: where)`},
		{"unknown fragment", `vpcs { ...Nope }`, nil, "unknown fragment Nope (built-in: AssetFragment, FlowLogFragment, LogGroupFragment, VpcFragment)"},
		{"fragment wrong type", `vpcs { ...FlowLogFragment }`, nil, "fragment FlowLogFragment is on FlowLog and cannot be used on VPC"},
		{"fragment unknown type", "vpcs { ...F }\nfragment F on Nope { id }", nil, "fragment F: unknown type Nope (valid: Asset, Account,"},
		{"fragment cycle", "vpcs { ...F }\nfragment F on VPC { ...F }", nil, "fragment F spreads itself"},
		{"unknown selected field", "vpcs {\n  id\n  bogus\n}", nil, `3:3: unknown field "bogus" on VPC`},
		{"scalar with subfields", `vpcs { id { x } }`, nil, "id is a String field and has no subfields"},
		{"variable missing", `vpcs(where: {id: $v})`, nil, "variable $v has no value (none given)"},
		{"variable bad int", `query ($n: Int) { vpcs(where: {flowLogCount: $n}) }`, map[string]any{"n": "x"}, `variable $n: want an Int, got "x"`},
		{"mutation", `mutation { vpcs { id } }`, nil, "only queries are supported"},
		{"two operations", `query A { vpcs } query B { vpcs }`, nil, "more than one operation"},
		{"empty", ``, nil, "1:1: no query"},
		{"only fragment", `fragment F on VPC { id }`, nil, "no query"},
		{"duplicate root", `vpcs vpcs`, nil, "vpcs selected twice"},
		{"directive", `vpcs @skip(if: true) { id }`, nil, "directives are not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse("", tc.query)
			if err == nil {
				_, err = q.Compile(graph.Default, tc.vars)
			}
			if err == nil {
				t.Fatalf("%s: no error, want %q", tc.query, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s:\n got error %q\nwant it to contain %q", tc.query, err, tc.want)
			}
		})
	}
}

// The shorthand is wrapped in braces for the parser; positions must still point into the text as written,
// before and after the insertion, and in fragments that follow it.
func TestErrorPositionsAfterShorthand(t *testing.T) {
	src := "vpcs { ...F }\nfragment F on VPC {\n  id\n  nope\n}"
	q, err := Parse("q.graphql", src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = q.Compile(graph.Default, nil)
	if err == nil || !strings.HasPrefix(err.Error(), `q.graphql:4:3: unknown field "nope" on VPC`) {
		t.Fatalf("got %v", err)
	}
	_, err = Parse("q.graphql", "vpcs { id }\nfragment F on VPC { id ")
	if err == nil || !strings.HasPrefix(err.Error(), "q.graphql:2:24: Expected Name, found <EOF>") {
		t.Fatalf("got %v", err)
	}
}

func TestGolden(t *testing.T) {
	g := graph.Build(graphtest.Snapshot())
	tests := []struct{ name, query string }{
		{"seed", SeedQuery},
		{"vpc-fragment", `vpcs(where: {id_IN: ["vpc-a", "vpc-e"]}) { ...VpcFragment hasTag { key value } }`},
		{"nested-where-alias", `query {
  exposed: vpcs(where: {internetExposed: true}) {
    id
    __typename
    active: hasFlowLog(where: {flowLogStatus: "ACTIVE"}) { id deliversTo { name retentionInDays } }
    hasSubnet { id }
    inRegion { id complete }
  }
  logGroups { ...LogGroupFragment hasFlowLog { id } }
}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := run(t, g, tc.query, nil)
			o, err := JSON(t.Context(), rs)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, filepath.Join("testdata", tc.name+".json"), o)
		})
	}
}
