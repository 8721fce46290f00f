package exceptions

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

const goodFile = `# accepted risks for the flow-log control
exceptions:
  - id: EX-1
    owner: net-team@example.com
    reason: legacy VPC, migration in Q1
    expires: 2026-12-31
    ticket: SEC-42
    account: "111111111111"
    vpc: vpc-0ccc
  - id: EX-2
    owner: bob
    reason: temporary
    expires: 2026-11-22
    tags:
      env: dev
  - id: EX-3
    owner: carol
    reason: nobody uses it
    expires: 2027-01-31
    account: "999999999999"
  - id: EX-5
    owner: erin
    reason: VPC in a region we cannot read yet
    expires: 2026-12-01
    vpc: vpc-0aaa
  - id: EX-4
    owner: dave
    reason: sandbox accounts, all regions
    expires: 2026-11-23
    region: eu-*
    check: vpc-flow-logs-enabled
`

func TestLoadGood(t *testing.T) {
	set, err := Parse("exceptions.yaml", []byte(goodFile), 365, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range set.Entries {
		got = append(got, e.ID+" "+e.Describe()+" line "+itoa(e.Line))
	}
	want := []string{
		"EX-1 account=111111111111 vpc=vpc-0ccc line 3",
		"EX-2 tag:env=dev line 10",
		"EX-3 account=999999999999 line 16",
		"EX-5 vpc=vpc-0aaa line 21",
		"EX-4 region=eu-* check=vpc-flow-logs-enabled line 26",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	// EX-4 expires today: it still applies until the end of the day (UTC).
	if set.Entries[4].Expired(now) || !set.Entries[4].Expired(now.Add(14*time.Hour)) {
		t.Error("an exception applies through its expiry date and not after")
	}
}

func TestLoadRefuses(t *testing.T) {
	entry := func(body string) string {
		return "exceptions:\n  - " + strings.ReplaceAll(strings.TrimSpace(body), "\n", "\n    ") + "\n"
	}
	tests := []struct {
		name, yaml string
		want       []string // each must appear in the error
	}{
		{"no owner", entry("reason: r\nexpires: 2026-12-01\nvpc: vpc-1"), []string{"x.yaml:2: missing owner"}},
		{"no reason", entry("owner: o\nexpires: 2026-12-01\nvpc: vpc-1"), []string{"x.yaml:2: missing reason"}},
		{"no expiry", entry("owner: o\nreason: r\nvpc: vpc-1"), []string{"x.yaml:2: missing expires"}},
		{"blank owner", entry("owner: '  '\nreason: r\nexpires: 2026-12-01\nvpc: vpc-1"), []string{"x.yaml:2: missing owner"}},
		{"bad date", entry("owner: o\nreason: r\nexpires: 31/12/2026\nvpc: vpc-1"), []string{`x.yaml:4: expires "31/12/2026" is not a date`}},
		{"too far", entry("owner: o\nreason: r\nexpires: 2028-01-01\nvpc: vpc-1"), []string{"x.yaml:2: expires 2028-01-01 is more than 365 days away"}},
		{"misspelt key", entry("owner: o\nreason: r\nexpires: 2026-12-01\nvcp: vpc-1"), []string{`x.yaml:5: unknown key "vcp"`, "matches every finding"}},
		{"matches all", entry("owner: o\nreason: r\nexpires: 2026-12-01\ncheck: vpc-flow-logs-enabled"), []string{"x.yaml:2: the exception matches every finding"}},
		{"bad glob", entry("owner: o\nreason: r\nexpires: 2026-12-01\nvpc: 'vpc-[1'"), []string{"x.yaml:5: vpc: bad pattern"}},
		{"duplicate id", entry("id: A\nowner: o\nreason: r\nexpires: 2026-12-01\nvpc: v") + entry("id: A\nowner: o\nreason: r\nexpires: 2026-12-01\nvpc: w")[len("exceptions:\n"):],
			[]string{`x.yaml:7: duplicate id "A" (first at line 2)`}},
		{"not a list", "exceptions: {a: b}\n", []string{"x.yaml:1: `exceptions` must be a list"}},
		{"top-level key", "exception:\n  - owner: o\n", []string{`x.yaml:1: unknown key "exception"`}},
		{"scalar entry", "exceptions:\n  - vpc-1\n", []string{"x.yaml:2: an exception must be a mapping"}},
		{"yaml syntax", "exceptions:\n  - owner: [\n", []string{"x.yaml: yaml:"}},
		{"every problem at once", entry("reason: r\nexpires: 2026-12-01\nvpc: v") + entry("owner: o\nexpires: 2026-12-01\nvpc: v")[len("exceptions:\n"):],
			[]string{"x.yaml:2: missing owner", "x.yaml:5: missing reason"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.yaml), 365, now)
			if err == nil {
				t.Fatalf("accepted:\n%s", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadNoLimitAndEmpty(t *testing.T) {
	far := "exceptions:\n  - owner: o\n    reason: r\n    expires: 2036-01-01\n    vpc: vpc-1\n"
	if _, err := Parse("x.yaml", []byte(far), 0, now); err != nil {
		t.Errorf("maxDays 0 means no limit: %v", err)
	}
	for _, empty := range []string{"", "exceptions:\n", "exceptions: []\n"} {
		if set, err := Parse("x.yaml", []byte(empty), 365, now); err != nil || len(set.Entries) != 0 {
			t.Errorf("%q: %v %v", empty, set, err)
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "e.yaml")
	os.WriteFile(p, []byte(goodFile), 0o644)
	if set, err := Load(p, 365, now); err != nil || set.File != p {
		t.Errorf("Load: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), 365, now); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}

func vpcFinding(acct, region, id string, st finding.Status, tags map[string]string) finding.Finding {
	return finding.Finding{CheckID: "vpc-flow-logs-enabled", Status: st, AccountID: acct, Region: region,
		ResourceType: finding.ResourceVPC, ResourceID: id, Evidence: finding.Evidence{Tags: tags}}
}

func TestApply(t *testing.T) {
	set, err := Parse("exceptions.yaml", []byte(goodFile), 365, now)
	if err != nil {
		t.Fatal(err)
	}
	r := &finding.Result{Findings: []finding.Finding{
		vpcFinding("111111111111", "us-east-1", "vpc-0ccc", finding.StatusFail, nil),                             // EX-1 active
		vpcFinding("111111111111", "us-east-1", "vpc-0ddd", finding.StatusFail, nil),                             // nothing
		vpcFinding("222222222222", "us-east-1", "vpc-0eee", finding.StatusFail, map[string]string{"env": "dev"}), // EX-2 expired
		vpcFinding("222222222222", "eu-west-1", "vpc-0fff", finding.StatusFail, map[string]string{"env": "dev"}), // EX-2 expired, EX-4 active
		vpcFinding("222222222222", "eu-west-1", "vpc-0aaa", finding.StatusError, nil),                            // ERROR is never excepted
		vpcFinding("222222222222", "eu-west-1", "vpc-0bbb", finding.StatusPass, nil),
		{CheckID: "log-group-retention", Status: finding.StatusFail, AccountID: "222222222222", Region: "eu-west-1",
			ResourceType: finding.ResourceLogGroup, ResourceID: "/flow"}, // EX-4 names the VPC check only
	}}
	r.Summarize()
	Apply(r, set, now)
	type got struct {
		Status  finding.Status
		ExcID   string
		Expired bool
	}
	var gotF []got
	for _, f := range r.Findings {
		g := got{Status: f.Status}
		if e := f.Evidence.Exception; e != nil {
			g.ExcID, g.Expired = e.ID, e.Expired
		}
		gotF = append(gotF, g)
	}
	wantF := []got{
		{finding.StatusExcepted, "EX-1", false},
		{finding.StatusFail, "", false},
		{finding.StatusFail, "EX-2", true},
		{finding.StatusExcepted, "EX-4", false},
		{finding.StatusError, "", false},
		{finding.StatusPass, "", false},
		{finding.StatusFail, "", false},
	}
	if diff := cmp.Diff(wantF, gotF); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	var states []string
	for _, e := range r.Exceptions {
		states = append(states, e.ID+" "+e.State+" "+itoa(e.Matched)+" "+e.File+":"+itoa(e.Line))
	}
	wantStates := []string{"EX-1 active 1 exceptions.yaml:3", "EX-2 expired 1 exceptions.yaml:10", "EX-3 stale 0 exceptions.yaml:16",
		"EX-5 active 0 exceptions.yaml:21", // matches only an ERROR finding: not stale
		"EX-4 active 1 exceptions.yaml:26"}
	if diff := cmp.Diff(wantStates, states); diff != "" {
		t.Errorf("exception states (-want +got):\n%s", diff)
	}
	if r.Summary.Excepted != 2 || r.Summary.Fail != 3 || r.Summary.Error != 1 || r.Summary.Pass != 1 {
		t.Errorf("summary not recomputed: %+v", r.Summary)
	}
	notes := strings.Join(r.Notes, "\n")
	for _, w := range []string{"exception EX-2 (exceptions.yaml:10) of bob expired on 2026-11-22", "exception EX-3 (exceptions.yaml:16) of carol matches no failing finding",
		// how many findings each active exception covers, in a note every format shows (table, SARIF, …)
		"exception EX-1 (exceptions.yaml:3) of net-team@example.com excepts 1 failing findings (account=111111111111 vpc=vpc-0ccc) until ",
		"exception EX-4 (exceptions.yaml:26) of dave excepts 1 failing findings"} {
		if !strings.Contains(notes, w) {
			t.Errorf("notes lack %q:\n%s", w, notes)
		}
	}
	// Applying to a nil set changes nothing.
	before := len(r.Notes)
	Apply(r, nil, now)
	if len(r.Notes) != before {
		t.Error("Apply(nil) changed the result")
	}
}

func TestMatchesVPCOnlyOnVPCs(t *testing.T) {
	e := Entry{VPC: "vpc-*"}
	if e.Matches(finding.Finding{ResourceType: finding.ResourceLogGroup, ResourceID: "/flow"}) {
		t.Error("a vpc pattern matched a log group")
	}
	if !e.Matches(finding.Finding{ResourceType: finding.ResourceVPC, ResourceID: "vpc-1"}) {
		t.Error("vpc-* did not match vpc-1")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(goodFile))
	f.Add([]byte("exceptions:\n  - owner: o\n    reason: r\n    expires: 2026-12-01\n    tags: {a: '['}\n"))
	f.Add([]byte("exceptions: [1, [2], {owner: x}]\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("exceptions:\n  - {owner: o, reason: r, expires: 2026-12-01, vpc: '?*', tags: {Name: '[^x]*'}}\n"))
	f.Add([]byte("exceptions:\n  - &a {owner: o, reason: r, expires: 2026-12-01, vpc: v}\n  - *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Parse("f.yaml", data, 365, now)
		if err != nil {
			return
		}
		for _, e := range set.Entries {
			if e.Owner == "" || e.Reason == "" || e.Expires == "" || e.Line < 1 {
				t.Fatalf("accepted an incomplete entry: %+v", e)
			}
			if everythingProblem(e) != "" || e.Matches(finding.Finding{}) && e.Matches(finding.Finding{AccountID: "123456789012",
				Region: "eu-west-1", ResourceType: finding.ResourceVPC, ResourceID: "vpc-0123456789abcdef0"}) {
				t.Fatalf("accepted an entry that matches everything: %+v", e)
			}
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestReadmeExample keeps the README's exceptions file valid.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```yaml\nexceptions:")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README has no ```yaml exceptions: block")
	}
	set, err := Parse("README.md", []byte("exceptions:"+block), 365, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Entries) != 2 || set.Entries[1].Describe() != "region=eu-* check=vpc-flow-logs-enabled tag:Environment=sandbox" {
		t.Errorf("README example entries: %+v", set.Entries)
	}
}
