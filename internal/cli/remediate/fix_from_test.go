package remediate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// fix --from refuses a saved scan with an id that is not an AWS id (a wildcard, a path, an escape sequence,
// a bad account or region) with exit 3, naming the file and the finding, before any AWS call; the same file
// with good ids is read.
func TestFixFromRefusesBadIDs(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	p := faultproxy.New(srv.URL, faultproxy.Options{})
	defer p.Close()
	env := acct.Env(p.URL, "us-east-1")
	dir := t.TempDir()
	good := finding.Finding{CheckID: fix.CheckEnabled, Status: finding.StatusFail, Reason: finding.ReasonNoFlowLog, AccountID: acct.ID,
		Region: "us-east-1", ResourceType: finding.ResourceVPC, ResourceID: "vpc-0123456789abcdef0"}
	write := func(name string, mutate func(f *finding.Finding)) string {
		f := good
		f.ResourceID = "vpc-0123456789abcdef1" // a second VPC: the same finding twice is refused as a duplicate
		mutate(&f)
		b, _ := json.Marshal(finding.Result{Schema: finding.ResultSchema, Accounts: []string{acct.ID}, Findings: []finding.Finding{good, f}})
		path := filepath.Join(dir, name+".json")
		os.WriteFile(path, b, 0o600)
		return path
	}
	cases := map[string]func(f *finding.Finding){
		"wildcard": func(f *finding.Finding) { f.ResourceID = "*" },
		"path":     func(f *finding.Finding) { f.ResourceID = "vpc-../../x" },
		"short":    func(f *finding.Finding) { f.ResourceID = "vpc-0123" },
		"escape":   func(f *finding.Finding) { f.ResourceID = "vpc-0123456789abcdef0\x1b[2J" },
		"account":  func(f *finding.Finding) { f.AccountID = "12345" },
		"region":   func(f *finding.Finding) { f.Region = "us-east-1/../x" },
		"loggroup": func(f *finding.Finding) {
			f.Evidence.LogGroups = []finding.LogGroupEvidence{{Name: "a b\n", Exists: true}}
		},
		"flowlog": func(f *finding.Finding) { f.Evidence.FlowLogs = []finding.FlowLogEvidence{{ID: "fl-*"}} },
		"dest": func(f *finding.Finding) {
			f.Evidence.FlowLogs = []finding.FlowLogEvidence{{ID: "fl-0123456789abcdef0", Destination: "arn:aws:s3:::../x"}}
		},
		"retention": func(f *finding.Finding) {
			d := int32(2)
			f.Evidence.LogGroups = []finding.LogGroupEvidence{{Name: "g", Exists: true, RetentionDays: &d}}
		},
		"flowlogres": func(f *finding.Finding) {
			f.Evidence.FlowLogs = []finding.FlowLogEvidence{{ID: "fl-0123456789abcdef0", ResourceID: "vpc-x"}}
		},
	}
	for name, mutate := range cases {
		path := write(name, mutate)
		p.Reset()
		code, _, errOut := runEnv(t, env, "fix", "--from", path, "--journal-dir", filepath.Join(dir, "runs"))
		if code != cmdutil.ExitUsage || !strings.Contains(errOut, path) || !strings.Contains(errOut, "finding 2") || p.Total() != 0 {
			t.Errorf("%s: exit %d, %d AWS calls, stderr %q", name, code, p.Total(), errOut)
		}
		if strings.ContainsRune(errOut, 0x1b) {
			t.Errorf("%s: raw escape in the message: %q", name, errOut)
		}
	}
	// The same file with good ids is planned.
	path := write("good", func(f *finding.Finding) {})
	if code, out, errOut := runEnv(t, env, "fix", "--from", path, "--journal-dir", filepath.Join(dir, "runs")); code == cmdutil.ExitUsage {
		t.Errorf("good ids refused: exit %d\n%s\n%s", code, out, errOut)
	}
}

// fix --from a scan whose failures are all of custom checks plans nothing, and says why: the findings of
// checks fix does not remediate are counted and named, not dropped in silence.
func TestFixFromCustomChecksSaysLeftAlone(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	env := acct.Env(srv.URL, "us-east-1")
	dir := t.TempDir()
	custom := func(check, vpc string) finding.Finding {
		return finding.Finding{CheckID: check, Status: finding.StatusFail, AccountID: acct.ID, Region: "us-east-1",
			ResourceType: finding.ResourceVPC, ResourceID: vpc}
	}
	res := finding.Result{Schema: finding.ResultSchema, Accounts: []string{acct.ID}, Findings: []finding.Finding{
		custom("no-default-vpc", "vpc-0123456789abcdef0"), custom("no-default-vpc", "vpc-0123456789abcdef1"),
		custom("internet-exposed-reject", "vpc-0123456789abcdef1"),
		{CheckID: "no-default-vpc", Status: finding.StatusPass, AccountID: acct.ID, Region: "us-east-1",
			ResourceType: finding.ResourceVPC, ResourceID: "vpc-0123456789abcdef2"},
	}}
	b, _ := json.Marshal(res)
	path := filepath.Join(dir, "custom.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runEnv(t, env, "fix", "--from", path, "--journal-dir", filepath.Join(dir, "runs"))
	want := "3 FAIL findings of checks fix does not remediate (internet-exposed-reject, no-default-vpc) left alone"
	if code != 0 || !strings.Contains(out, "0 VPCs to change") || !strings.Contains(out, want) {
		t.Errorf("exit %d, want the plan to say %q\n%s\n%s", code, want, out, errOut)
	}
}
