package checks

import (
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
)

func TestMessages(t *testing.T) {
	g := graph.Build(graphtest.Snapshot())
	ctx := &msgCtx{params: map[string]any{"minRetentionDays": 365}}
	node := func(id string) Node {
		return Node{g.Lookup(graph.TVPC, graphtest.Account, "us-east-1", id), ctx}
	}
	for _, tc := range []struct{ vpc, src, want string }{
		{"vpc-a", `{{.ID}} {{.Name}} {{.F "cidrBlock"}}`, "vpc-a prod 10.0.0.0/16"},
		{"vpc-e", `{{len (.Rel "hasFlowLog")}} {{join (values (.Rel "hasFlowLog") "id") "+"}}`, "2 fl-4+fl-5"},
		{"vpc-e", `{{with first (.Where "hasFlowLog" "{deliverLogsStatus: FAILED}")}}{{.ID}}: {{.F "deliverLogsErrorMessage"}}{{end}}`, "fl-4: Access error"},
		{"vpc-b", `{{with first (.Rel "hasFlowLog")}}{{.ID}}{{else}}none{{end}}`, "none"},
		{"vpc-e", `{{range $i, $g := related (.Rel "hasFlowLog") "deliversTo"}}{{if $i}}, {{end}}{{$g.ID}}={{$g.F "retentionInDays"}}{{end}}`, "fl-short=30"},
		{"vpc-e", `{{range filter (.Rel "hasFlowLog") "{trafficType: ALL}"}}{{.ID}}{{end}}`, "fl-5"},
		{"vpc-a", `{{.Param "minRetentionDays"}} {{quote (.F "state")}} {{if and (.Read "subnets") (not (.Read "nope"))}}x{{end}}`, `365 "available"`},
		{"vpc-a", `{{if eq (.F "isDefault") "false"}}not default{{end}} {{or "" "b"}} {{and "a" ""}}|`, "not default b |"},
		{"vpc-a", `{{$n := .ID}}{{range .Rel "hasTag"}}{{$n}}:{{.F "key"}} {{end}}`, "vpc-a:Name vpc-a:env"},
		{"vpc-a", `{{uniq (values (.Rel "hasNetworkInterface") "subnetId") | join "," | print}}`, ""},
		{"vpc-e", `{{plural (.Rel "hasFlowLog") "flow log"}}; {{plural 1 "flow log"}}; {{plural 0 "log group"}}`, "2 flow logs; 1 flow log; 0 log groups"},
		{"vpc-a", `{{plural 1 "policy" "policies"}}, {{plural 3 "policy" "policies"}}, {{plural 5000 "VPC"}}`, "1 policy, 3 policies, 5,000 VPCs"},
	} {
		m, err := compileMessage("t", tc.src)
		if err != nil {
			if tc.want == "" {
				continue // print is not a message function: refused when compiled
			}
			t.Fatalf("%s: %v", tc.src, err)
		}
		got, err := m.render(node(tc.vpc))
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", tc.src, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ src, want string }{
		{`{{.Nope}}`, "unknown method .Nope"},
		{`{{nope 1}}`, `function "nope" not defined`},
		{`{{template "x"}}`, "unsupported template construct"},
		{`{{(.Rel "hasTag").X}}`, "unsupported operand"},
		{`{{1.5}}`, "only integers"},
	} {
		if _, err := compileMessage("t", tc.src); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.src, err, tc.want)
		}
	}
	for _, tc := range []struct{ src, want string }{
		{`{{.F "nope"}}`, `unknown field "nope" on VPC`},
		{`{{.Where "hasFlowLog" "{nope: 1}"}}`, `unknown field or relation "nope" on FlowLog`},
		{`{{.F 1}}`, "want a string argument"},
		{`{{range .ID}}{{end}}`, "cannot range over string"},
		{`{{.Param "x"}}`, `unknown parameter "x"`},
		{`{{plural "two" "flow log"}}`, "plural: want a count or a list"},
		{`{{plural 2}}`, "plural takes a count, a noun"},
	} {
		m, err := compileMessage("t", tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if _, err := m.render(node("vpc-a")); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.src, err, tc.want)
		}
	}
}

// FuzzMessage compiles and renders arbitrary templates on every VPC of the fixture: errors are fine, panics
// are not.
func FuzzMessage(f *testing.F) {
	for _, s := range []string{`{{.ID}}`, `{{range $i, $g := related (.Rel "hasFlowLog") "deliversTo"}}{{$i}}{{$g.ID}}{{end}}`,
		`{{with first (.Where "hasFlowLog" "{flowLogStatus: ACTIVE}")}}{{.F "trafficType"}}{{else}}-{{end}}`,
		`{{if and (.Read "subnets") (not (.Read "x"))}}{{len (uniq (values (.Rel "hasTag") "key"))}}{{end}}`,
		`{{$x := .Rel "hasTag"}}{{range $x}}{{.F "value" | quote}}{{end}}{{or 0 "" .}}`} {
		f.Add(s)
	}
	g := graph.Build(graphtest.Snapshot())
	ctx := &msgCtx{params: map[string]any{"p": 1}}
	f.Fuzz(func(t *testing.T, src string) {
		m, err := compileMessage("fuzz", src)
		if err != nil {
			return
		}
		for _, n := range g.Nodes(graph.TVPC) {
			m.render(Node{n, ctx})
		}
	})
}
