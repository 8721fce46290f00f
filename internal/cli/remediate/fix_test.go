package remediate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// The operator's path through fix, runs, verify and rollback, from a saved scan, with exit codes.
func TestFixCommandsFromSavedScan(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	p := faultproxy.New(srv.URL, faultproxy.Options{})
	defer p.Close()
	const region = "us-east-1"
	c := ec2.NewFromConfig(acct.Config(srv.URL, region))
	for _, cidr := range []string{"10.1.0.0/16", "10.2.0.0/16"} {
		if _, err := c.CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	scan := filepath.Join(dir, "scan.json")
	jd := filepath.Join(dir, "runs")
	env := acct.Env(p.URL, region)
	if code, _, errOut := runEnv(t, env, "scan", "--region", region, "--output", "json", "--out", scan); code != cmdutil.ExitFail {
		t.Fatalf("scan: exit %d %s", code, errOut)
	}
	var before finding.Result
	b, _ := os.ReadFile(scan)
	if err := json.Unmarshal(b, &before); err != nil || before.Summary.Fail != 3 { // 2 VPCs + moto's default VPC
		t.Fatalf("scan.json: %v %+v", err, before.Summary)
	}
	p.Reset()

	code, _, errOut := runEnv(t, env, "fix", "--from", scan, "--journal-dir", jd, "--log-format", "${version} ${no-such-field}")
	if code != cmdutil.ExitUsage || !strings.Contains(errOut, "no-such-field") || p.Total() != 0 {
		t.Fatalf("unknown log field: exit %d, %d calls, stderr %s", code, p.Total(), errOut)
	}

	code, out, errOut := runEnv(t, env, "fix", "--from", scan, "--journal-dir", jd, "--region", "eu-west-1")
	if code != 0 || !strings.Contains(errOut, "3 findings outside --region eu-west-1 left out") || !strings.Contains(out, "0 VPCs to change") {
		t.Fatalf("--region narrowing a saved scan: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runEnv(t, env, "fix", "--from", scan, "--journal-dir", jd, "--tag", "team=netsec")
	if code != 0 || !strings.Contains(out, "ec2:CreateFlowLogs") || !strings.Contains(out, "Nothing was changed") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	if m := faultproxy.Mutating(p.Calls()); len(m) != 0 {
		t.Fatalf("plan made changing calls: %v", m)
	}
	// An excepted VPC is left out of the plan, as it is out of the scan's failures.
	exc := filepath.Join(dir, "exceptions.yaml")
	os.WriteFile(exc, []byte("exceptions:\n  - owner: netsec@example.com\n    reason: decommissioned next month\n    expires: "+
		time.Now().AddDate(0, 0, 30).Format("2006-01-02")+"\n    vpc: "+before.Findings[0].ResourceID+"\n"), 0o644)
	code, out, errOut = runEnv(t, env, "fix", "--from", scan, "--journal-dir", jd, "--exceptions", exc)
	if code != 0 || !strings.Contains(out, "2 VPCs to change") {
		t.Fatalf("plan with an exception: exit %d\n%s\n%s", code, out, errOut)
	}
	if runs, _ := journal.List(jd); len(runs) != 0 {
		t.Fatalf("plan wrote a journal: %+v", runs)
	}

	code, out, errOut = runEnv(t, env, "fix", "--from", scan, "--journal-dir", jd, "--tag", "team=netsec", "--apply", "--yes")
	if code, _, errOut := runEnv(t, env, "scan", "--region", region); code != 0 {
		t.Fatalf("scan after fix: exit %d %s", code, errOut)
	}
	if code != 0 || !strings.Contains(out, ": complete") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runEnv(t, env, "runs", "--journal-dir", jd, "--output", "json")
	var runs []journal.Summary
	if err := json.Unmarshal([]byte(out), &runs); code != 0 || err != nil || len(runs) != 1 || runs[0].FlowLogsCreated != 3 || runs[0].Status != "complete" {
		t.Fatalf("runs: exit %d %v %s", code, err, out)
	}
	id := runs[0].ID

	code, out, _ = runEnv(t, env, "verify", "--journal-dir", jd)
	if code != 0 || !strings.Contains(out, "3 of 3 VPCs pass") || !strings.Contains(out, "SUCCESS") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
	// --status filters the rows, never the counts or the exit code; a bad status is a usage error.
	passRows := func(out string) int {
		n := 0
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "PASS ") && strings.Contains(line, "vpc-") {
				n++
			}
		}
		return n
	}
	if passRows(out) != 3 {
		t.Fatalf("verify: want 3 PASS rows\n%s", out)
	}
	code, out, _ = runEnv(t, env, "verify", "--journal-dir", jd, "--status", "pass")
	if code != 0 || passRows(out) != 3 || !strings.Contains(out, "3 of 3 VPCs pass") {
		t.Errorf("verify --status PASS: exit %d, want 0 and 3 PASS rows\n%s", code, out)
	}
	code, out, _ = runEnv(t, env, "verify", "--journal-dir", jd, "--status", "FAIL,ERROR")
	if code != 0 || passRows(out) != 0 || !strings.Contains(out, "3 of 3 VPCs pass") || !strings.Contains(out, "no VPC of the run is FAIL or ERROR") {
		t.Errorf("verify --status FAIL,ERROR: exit %d, want 0, the counts and no rows\n%s", code, out)
	}
	code, _, errOut = runEnv(t, env, "verify", "--journal-dir", jd, "--status", "BOGUS")
	if code != cmdutil.ExitUsage || !strings.Contains(errOut, `--status: unknown status "BOGUS"`) {
		t.Errorf("verify --status BOGUS: exit %d stderr %q, want 3", code, errOut)
	}
	code, out, errOut = runEnv(t, env, "rollback", "--run", id, "--journal-dir", jd, "--yes")
	if code != 0 || !strings.Contains(out, "still shows 0") {
		t.Fatalf("rollback: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runEnv(t, env, "verify", "--run", id, "--journal-dir", jd, "--output", "json")
	if code != cmdutil.ExitFail || !strings.Contains(out, `"fail": 3`) {
		t.Fatalf("verify after rollback: exit %d\n%s", code, out)
	}
	if code, _, _ := runEnv(t, env, "scan", "--region", region); code != cmdutil.ExitFail {
		t.Errorf("scan after rollback: exit %d, want the original FAILs", code)
	}
	// Live plan (no --from): scans, then plans the same three VPCs.
	code, out, errOut = runEnv(t, env, "fix", "--region", region, "--journal-dir", jd, "--output", "json")
	var plan struct {
		Plans []struct {
			Targets []any `json:"targets"`
		} `json:"plans"`
	}
	if err := json.Unmarshal([]byte(out), &plan); code != 0 || err != nil || len(plan.Plans) != 1 || len(plan.Plans[0].Targets) != 3 {
		t.Fatalf("live plan: exit %d %v\n%s\n%s", code, err, out, errOut)
	}
	if code, _, _ := runEnv(t, env, "rollback", "--journal-dir", jd); code != cmdutil.ExitUsage {
		t.Errorf("rollback without --run: exit %d", code)
	}
	if code, _, _ := runEnv(t, env, "fix", "--from", scan, "--traffic-type", "ACCEPT", "--journal-dir", jd); code != cmdutil.ExitUsage {
		t.Errorf("ACCEPT traffic accepted: exit %d", code)
	}
}

// A scan of two accounts is fixed with one command: one run per account, the second account entered through
// --assume-role; each run is rolled back on its own.
func TestFixSeveralAccounts(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	a := moto.NewTestAccount(t)
	b := moto.NewTestAccount(t)
	const region = "eu-west-1"
	for _, acct := range []moto.Account{a, b} {
		c := ec2.NewFromConfig(acct.Config(srv.URL, region))
		if _, err := c.CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	org := filepath.Join(dir, "org.json")
	jd := filepath.Join(dir, "runs")
	env := a.Env(srv.URL, region)
	if code, _, errOut := runEnv(t, env, "scan", "--accounts", a.ID+","+b.ID, "--assume-role", "audit", "--region", region, "-o", "json", "--out", org); code != cmdutil.ExitFail {
		t.Fatalf("scan: exit %d %s", code, errOut)
	}
	// Without --assume-role only the caller's account is planned; the other is named as left alone.
	code, out, _ := runEnv(t, env, "fix", "--from", org, "--journal-dir", jd)
	if code != 0 || !strings.Contains(out, "account "+b.ID+" is not the account of the credentials") {
		t.Fatalf("single-account plan: exit %d\n%s", code, out)
	}
	code, out, errOut := runEnv(t, env, "fix", "--from", org, "--journal-dir", jd, "--assume-role", "admin", "--apply", "--yes")
	if code != 0 || strings.Count(out, ": complete") != 2 {
		t.Fatalf("apply in two accounts: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runEnv(t, env, "scan", "--accounts", a.ID+","+b.ID, "--assume-role", "audit", "--region", region); code != 0 {
		t.Fatalf("scan after fix: exit %d %s", code, errOut)
	}
	runs, _ := journal.List(jd)
	if len(runs) != 2 {
		t.Fatalf("runs: %+v", runs)
	}
	for _, r := range runs {
		if code, out, errOut := runEnv(t, env, "verify", "--run", r.ID, "--journal-dir", jd, "--assume-role", "admin"); code != 0 {
			t.Errorf("verify %s (account %v): exit %d\n%s%s", r.ID, r.Accounts, code, out, errOut)
		}
		if code, out, errOut := runEnv(t, env, "rollback", "--run", r.ID, "--journal-dir", jd, "--assume-role", "admin", "--yes"); code != 0 {
			t.Errorf("rollback %s: exit %d\n%s%s", r.ID, code, out, errOut)
		}
	}
	if code, _, _ := runEnv(t, env, "scan", "--accounts", a.ID+","+b.ID, "--assume-role", "audit", "--region", region); code != cmdutil.ExitFail {
		t.Errorf("scan after rollbacks: exit %d, want the original FAILs", code)
	}
	// A live fix (no saved scan) over the same accounts: each is scanned with its own credentials and planned.
	code, out, errOut = runEnv(t, env, "fix", "--accounts", a.ID+","+b.ID, "--assume-role", "admin", "--region", region, "--journal-dir", jd, "-o", "json")
	var plan struct {
		Plans []struct {
			Account string `json:"account"`
			Targets []any  `json:"targets"`
		} `json:"plans"`
	}
	if err := json.Unmarshal([]byte(out), &plan); code != 0 || err != nil || len(plan.Plans) != 2 {
		t.Fatalf("live multi-account plan: exit %d %v\n%s\n%s", code, err, out, errOut)
	}
	for _, p := range plan.Plans {
		if len(p.Targets) != 2 { // the VPC made above and moto's default VPC
			t.Errorf("account %s: %d VPCs planned, want 2", p.Account, len(p.Targets))
		}
	}
	if code, _, _ := runEnv(t, env, "fix", "--from", org, "--accounts", a.ID, "--journal-dir", jd); code != cmdutil.ExitUsage {
		t.Errorf("--from with --accounts: exit %d, want 3", code)
	}
}

// On a terminal, --apply asks first; anything but yes changes nothing.
func TestFixAsksOnATerminal(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	p := faultproxy.New(srv.URL, faultproxy.Options{})
	defer p.Close()
	const region = "ca-central-1"
	if _, err := ec2.NewFromConfig(acct.Config(srv.URL, region)).CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")}); err != nil {
		t.Fatal(err)
	}
	env := acct.Env(p.URL, region)
	jd := t.TempDir()
	term := func(answer string, args ...string) (int, string, string) {
		f, out, errOut := cmdutil.NewTestFactory(answer, clitest.Env(env))
		f.IOStreams.InTTY = true
		return clitest.RunWith(t, f, args...), out.String(), errOut.String()
	}
	code, _, errOut := term("n\n", "fix", "--region", region, "--journal-dir", jd, "--apply")
	if code != cmdutil.ExitDeclined || !strings.Contains(errOut, "[y/N]") || !strings.Contains(errOut, "nothing changed") {
		t.Fatalf("declined: exit %d\n%s", code, errOut)
	}
	if m := faultproxy.Mutating(p.Calls()); len(m) != 0 {
		t.Fatalf("declined apply changed something: %v", m)
	}
	code, out, errOut := term("yes\n", "fix", "--region", region, "--journal-dir", jd, "--apply")
	if code != 0 || !strings.Contains(out, ": complete") {
		t.Fatalf("accepted: exit %d\n%s\n%s", code, out, errOut)
	}
}
