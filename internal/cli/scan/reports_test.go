package scan_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func loadResultFile(t *testing.T, path string) finding.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r finding.Result
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// TestScanExceptionsAndEveryFormat: one scan with an exceptions file writes every format to --out-dir; the
// excepted VPC is EXCEPTED, the expired exception leaves its VPC failing, the stale one is reported.
func TestScanExceptionsAndEveryFormat(t *testing.T) {
	t.Parallel()
	acct, ids := demoAccount(t, "")
	dir := t.TempDir()
	today := time.Now().UTC()
	excFile := filepath.Join(dir, "exceptions.yaml")
	os.WriteFile(excFile, []byte(`exceptions:
  - id: EX-1
    owner: batch-team@example.com
    reason: decommissioned next sprint
    expires: `+today.AddDate(0, 0, 30).Format("2006-01-02")+`
    ticket: SEC-1
    vpc: `+ids["legacy-batch"]+`
  - id: EX-2
    owner: payments@example.com
    reason: migration
    expires: `+today.AddDate(0, 0, -3).Format("2006-01-02")+`
    tags:
      Environment: production
  - id: EX-3
    owner: nobody
    reason: old account
    expires: `+today.AddDate(0, 0, 10).Format("2006-01-02")+`
    account: "999999999999"
`), 0o644)
	outDir := filepath.Join(dir, "reports")
	var names []string
	for _, f := range report.All() {
		names = append(names, f.Name)
	}
	r := flowguard(t, acct.Env(moto.Shared(t).URL, "us-east-1"), "scan", demoRegions, "--exceptions", excFile,
		"--output", strings.Join(names, ","), "--out-dir", outDir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (FAILs remain)\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range report.All() {
		p := filepath.Join(outDir, "flowguard."+f.Extension)
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s report missing or empty: %v", f.Name, err)
		}
		if !strings.Contains(r.stdout, "wrote "+p) {
			t.Errorf("stdout does not list %s:\n%s", p, r.stdout)
		}
	}
	res := loadResultFile(t, filepath.Join(outDir, "flowguard.json"))
	status := map[string]finding.Finding{}
	for _, f := range res.Findings {
		if f.CheckID == "vpc-flow-logs-enabled" {
			status[f.ResourceID] = f
		}
	}
	if f := status[ids["legacy-batch"]]; f.Status != finding.StatusExcepted || f.Evidence.Exception == nil || f.Evidence.Exception.Owner != "batch-team@example.com" {
		t.Errorf("legacy-batch = %s %+v, want EXCEPTED by EX-1", f.Status, f.Evidence.Exception)
	}
	if f := status[ids["payments"]]; f.Status != finding.StatusFail || f.Evidence.Exception == nil || !f.Evidence.Exception.Expired {
		t.Errorf("payments = %s %+v, want FAIL with the expired EX-2", f.Status, f.Evidence.Exception)
	}
	var states []string
	for _, e := range res.Exceptions {
		states = append(states, e.ID+"="+e.State)
	}
	if diff := cmp.Diff([]string{"EX-1=active", "EX-2=expired", "EX-3=stale"}, states); diff != "" {
		t.Errorf("exception states (-want +got):\n%s", diff)
	}
	if res.Summary.Excepted < 1 || !strings.Contains(strings.Join(res.Notes, "\n"), "EX-3") {
		t.Errorf("summary %+v notes %v", res.Summary, res.Notes)
	}
	// Spot checks that the other files are what they claim to be.
	var sarif struct {
		Version string
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string
						Help struct{ Text string }
					}
				}
			}
		}
	}
	if data, _ := os.ReadFile(filepath.Join(outDir, "flowguard.sarif")); json.Unmarshal(data, &sarif) != nil || sarif.Version != "2.1.0" {
		t.Errorf("sarif version %q", sarif.Version)
	} else {
		for _, rule := range sarif.Runs[0].Tool.Driver.Rules {
			if !strings.Contains(rule.Help.Text, "Remediation:") || !strings.Contains(rule.Help.Text, "Rationale:") {
				t.Errorf("SARIF rule %s lacks the check's help text: %q", rule.ID, rule.Help.Text)
			}
		}
	}
	var junit struct {
		Failures int `xml:"failures,attr"`
	}
	if data, _ := os.ReadFile(filepath.Join(outDir, "flowguard.junit.xml")); xml.Unmarshal(data, &junit) != nil || junit.Failures != res.Summary.Fail {
		t.Errorf("junit failures %d, want %d", junit.Failures, res.Summary.Fail)
	}
	if html, _ := os.ReadFile(filepath.Join(outDir, "flowguard.html")); !strings.Contains(string(html), "batch-team@example.com") {
		t.Error("HTML report lacks the exception owner")
	}

	// Security Hub import: the real AWS CLI (botocore validates the request against the service model) sends
	// the ASFF file to moto's BatchImportFindings, and every finding must be accepted.
	asff := filepath.Join(outDir, "flowguard.asff.json")
	var asffFindings []map[string]any
	if data, _ := os.ReadFile(asff); json.Unmarshal(data, &asffFindings) != nil || len(asffFindings) == 0 || len(asffFindings) > 100 {
		t.Fatalf("ASFF file has %d findings, want 1 to 100 (one BatchImportFindings call)", len(asffFindings))
	}
	cmd := exec.CommandContext(t.Context(), moto.TestAWSCLI(t), "--endpoint-url", moto.Shared(t).URL, "--region", "us-east-1", "--output", "json",
		"securityhub", "batch-import-findings", "--findings", "file://"+asff)
	cmd.Env = append(append(os.Environ(), acct.Env(moto.Shared(t).URL, "us-east-1")...), "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=")
	out, err := cmd.CombinedOutput()
	var imported struct{ SuccessCount, FailedCount int }
	if err != nil || json.Unmarshal(out, &imported) != nil || imported.FailedCount != 0 || imported.SuccessCount != len(asffFindings) {
		t.Errorf("batch-import-findings: %v %+v\n%s", err, imported, out)
	}
}

func TestScanReportAndExceptionUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("exceptions:\n  - vpc: vpc-1\n    reason: r\n    expires: 2099-01-01\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--exceptions", bad, "--from-aws-cli", dir}, bad + ":2: missing owner"},
		{[]string{"scan", "--exceptions", bad, "--from-aws-cli", dir}, "more than 365 days"},
		{[]string{"scan", "-o", "json,sarif", "--from-aws-cli", dir}, "several --output formats need --out-dir"},
		{[]string{"scan", "-o", "json,pdf", "--out-dir", dir}, `unknown output format "pdf"`},
		{[]string{"scan", "--snapshot", "x", "--from-aws-cli", dir}, "not both"},
		{[]string{"scan", "--from-aws-cli", dir}, "no AWS CLI JSON found"},
	} {
		r := flowguard(t, nil, tc.args...)
		if r.code != cmdutil.ExitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 3 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// TestFromAWSCLIMatchesLiveScan dumps the demo account with the real AWS CLI, as an auditor would, and checks
// that `scan --from-aws-cli` reaches the same verdicts as the live scan; then that a dump missing
// describe-flow-logs gives ERROR, not PASS.
func TestFromAWSCLIMatchesLiveScan(t *testing.T) {
	t.Parallel()
	acct, _ := demoAccount(t, "")
	srv := moto.Shared(t)
	env := acct.Env(srv.URL, "us-east-1")
	dump := t.TempDir()
	moto.TestAWSCLI(t) // fails here, not in a goroutine, when the CLI is missing
	var wg sync.WaitGroup
	for _, c := range [][]string{
		{"identity.json", "sts", "get-caller-identity"},
		{"us-east-1/vpcs.json", "ec2", "describe-vpcs"},
		{"us-east-1/flow-logs.json", "ec2", "describe-flow-logs"},
		{"us-east-1/log-groups.json", "logs", "describe-log-groups"},
		{"us-east-1/subnets.json", "ec2", "describe-subnets"},
		{"us-east-1/enis.json", "ec2", "describe-network-interfaces"},
		{"us-east-1/igws.json", "ec2", "describe-internet-gateways"},
	} {
		wg.Go(func() {
			cmd := exec.CommandContext(t.Context(), moto.TestAWSCLI(t), append([]string{"--endpoint-url", srv.URL, "--region", "us-east-1", "--output", "json"}, c[1:]...)...)
			cmd.Env = append(os.Environ(), env...)
			cmd.Env = append(cmd.Env, "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=")
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("aws %v: %v", c[1:], err)
				return
			}
			p := filepath.Join(dump, c[0])
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, out, 0o644)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	verdicts := func(path string) []string {
		res := loadResultFile(t, path)
		var out []string
		for _, f := range res.Findings {
			out = append(out, f.CheckID+" "+f.ResourceID+" "+string(f.Status)+" "+f.Reason)
		}
		sort.Strings(out)
		return out
	}
	dir := t.TempDir()
	live := flowguard(t, env, "scan", "--region", "us-east-1", "-o", "json", "--out", filepath.Join(dir, "live.json"))
	offline := flowguard(t, nil, "scan", "--from-aws-cli", dump, "-o", "json", "--out", filepath.Join(dir, "cli.json"))
	if live.code != 1 || offline.code != 1 {
		t.Fatalf("exit codes live %d, aws-cli %d; want 1 and 1\n%s\n%s", live.code, offline.code, live.stderr, offline.stderr)
	}
	want, got := verdicts(filepath.Join(dir, "live.json")), verdicts(filepath.Join(dir, "cli.json"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("aws-cli verdicts differ from the live scan (-live +aws-cli):\n%s", diff)
	}
	if src := loadResultFile(t, filepath.Join(dir, "cli.json")).Source; src != "aws-cli" {
		t.Errorf("source %q, want aws-cli", src)
	}

	os.Remove(filepath.Join(dump, "us-east-1/flow-logs.json"))
	partial := flowguard(t, nil, "scan", "--from-aws-cli", dump, "-o", "json", "--out", filepath.Join(dir, "partial.json"))
	if partial.code != cmdutil.ExitIncomplete {
		t.Errorf("without describe-flow-logs: exit %d, want 2\n%s", partial.code, partial.stderr)
	}
	for _, v := range verdicts(filepath.Join(dir, "partial.json")) {
		if strings.HasPrefix(v, "vpc-flow-logs-enabled ") && !strings.Contains(v, " ERROR ") {
			t.Errorf("without describe-flow-logs a VPC got %q, want ERROR", v)
		}
	}
}
