package graph_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/testenv/golden"
)

func TestSchema(t *testing.T) {
	s := graph.Default
	for _, typ := range s.Types {
		for i, name := range graph.AssetFields {
			if typ.Fields[i].Name != name {
				t.Errorf("%s: field %d is %s, want the Asset field %s", typ.Name, i, typ.Fields[i].Name, name)
			}
		}
		seen := map[string]bool{}
		for _, f := range typ.Fields {
			if f.Doc == "" || seen[f.Name] {
				t.Errorf("%s.%s: undocumented or duplicate", typ.Name, f.Name)
			}
			seen[f.Name] = true
		}
		for _, r := range typ.Relations {
			if r.Doc == "" || r.Target == nil || seen[r.Name] {
				t.Errorf("%s.%s: undocumented, no target or clashing with a field", typ.Name, r.Name)
			}
			seen[r.Name] = true
		}
	}
	var b bytes.Buffer
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	golden.Bytes(t, "testdata/schema.graphql", b.Bytes())
}

func related(n *graph.Node, rel string) string {
	var ids []string
	for _, m := range n.Related(rel) {
		ids = append(ids, m.ID)
	}
	return strings.Join(ids, ",")
}

func TestBuild(t *testing.T) {
	g := graph.Build(graphtest.Snapshot())
	vpc := func(id, region string) *graph.Node {
		n := g.Lookup(graph.TVPC, graphtest.Account, region, id)
		if n == nil {
			t.Fatalf("no %s", id)
		}
		return n
	}
	fl := func(id string) *graph.Node { return g.Lookup(graph.TFlowLog, graphtest.Account, "us-east-1", id) }
	for _, tc := range []struct{ got, want string }{
		{related(vpc("vpc-a", "us-east-1"), "hasFlowLog"), "fl-1"},
		{related(vpc("vpc-e", "us-east-1"), "hasFlowLog"), "fl-4,fl-5"},
		{related(vpc("vpc-f", "us-east-1"), "hasFlowLog"), ""},
		{related(vpc("vpc-f", "us-east-1"), "hasSubnetOrEniFlowLog"), "fl-6"},
		{related(vpc("vpc-a", "us-east-1"), "hasNetworkInterface"), "eni-a1,eni-a2"},
		{related(vpc("vpc-a", "us-east-1"), "hasInternetGateway"), "igw-a"},
		{related(vpc("vpc-a", "us-east-1"), "hasTag"), "Name=prod,env=prod"},
		{related(vpc("vpc-a", "us-east-1"), "inRegion"), "111111111111/us-east-1"},
		{related(vpc("vpc-h", "us-west-2"), "inAccount"), "111111111111"},
		{related(fl("fl-1"), "deliversTo"), "fl-a"},
		{related(fl("fl-5"), "deliversTo"), ""}, // log group "gone" does not exist
		{related(fl("fl-3"), "deliversToBucket"), "fl-bucket"},
		{related(fl("fl-6"), "ofVpc"), "vpc-f"},
		{related(g.Lookup(graph.TLogGroup, graphtest.Account, "us-east-1", "fl-a"), "hasFlowLog"), "fl-1,fl-2,fl-6"},
		{vpc("vpc-g", "us-east-1").Field("isShared").String(), "true"},
		{vpc("vpc-a", "us-east-1").Field("name").String(), "prod"},
		{vpc("vpc-a", "us-east-1").Field("networkInterfaceCount").String(), "2"},
		{vpc("vpc-h", "us-west-2").Field("flowLogsRead").String(), "false"},
		{fl("fl-5").Field("resourceType").String(), "VPC"}, // from the id when the inventory leaves it out
		{fl("fl-1").Field("logGroupName").String(), "fl-a"},
		{fl("fl-1").Field("arn").String(), "arn:aws:ec2:us-east-1:111111111111:vpc-flow-log/fl-1"},
		{fmtBool(fl("fl-1").Field("nope").IsNull()), "true"},
		{g.Lookup(graph.TLogGroup, graphtest.Account, "us-east-1", "fl-a").Field("arn").String(), "arn:aws:logs:us-east-1:111111111111:log-group:fl-a"},
		{g.Lookup(graph.TLogGroup, graphtest.Account, "us-east-1", "fl-short").Field("retentionInDays").String(), "30"},
		{related(g.Lookup(graph.TRegion, graphtest.Account, "us-west-2", "111111111111/us-west-2"), "hasReadError"), "111111111111/us-west-2/flow_logs"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if n := len(g.Nodes(graph.TVPC)); n != 8 {
		t.Errorf("%d VPC nodes", n)
	}
}

func fmtBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestBuildSkipsNilRegions(t *testing.T) {
	snap := graphtest.Snapshot()
	n := len(graph.Build(snap).Nodes(graph.TVPC))
	snap.Regions = append([]*inventory.Region{nil}, snap.Regions...)
	if got := len(graph.Build(snap).Nodes(graph.TVPC)); got != n {
		t.Fatalf("%d VPCs with a nil region, want %d", got, n)
	}
}
