package scan_test

import (
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/testenv/fixture"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// statusRows are the statuses of the table's VPC rows (indented lines starting with a status and naming a VPC).
func statusRows(table string) []string {
	var out []string
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if !strings.HasPrefix(line, "  ") || len(f) < 2 || !strings.Contains(line, " vpc-") {
			continue
		}
		switch f[0] {
		case "FAIL", "ERROR", "UNKNOWN", "EXCEPTED", "SKIPPED", "PASS":
			out = append(out, f[0])
		}
	}
	return out
}

// --status keeps only the rows with a finding in one of the statuses; the summary still counts everything.
func TestScanStatusFilter(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	b := fixture.New(acct.Config(srv.URL, "us-east-1"), acct.ID)
	ctx := t.Context()
	ok, _, err := b.UsedVPC(ctx, "us-east-1", "ok", "10.0.0.0/16", "10.0.0.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.LogGroup(ctx, "us-east-1", "g", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.FlowLogToCloudWatch(ctx, "us-east-1", ok, "ALL", "g"); err != nil {
		t.Fatal(err)
	}
	bad, err := b.VPC(ctx, "us-east-1", "bad", "10.1.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	env := acct.Env(srv.URL, "us-east-1")

	all := flowguard(t, env, "scan", "--region", "us-east-1")
	if all.code != 1 || !strings.Contains(all.stdout, ok) || !strings.Contains(all.stdout, bad) {
		t.Fatalf("unfiltered: exit %d, want 1 and both %s and %s:\n%s%s", all.code, ok, bad, all.stdout, all.stderr)
	}
	if rows := statusRows(all.stdout); !strings.Contains(strings.Join(rows, " "), "PASS") {
		t.Fatalf("unfiltered: no PASS row (%v):\n%s", rows, all.stdout)
	}

	r := flowguard(t, env, "scan", "--region", "us-east-1", "--status", "fail")
	if r.code != 1 {
		t.Errorf("--status FAIL: exit %d, want 1 (the filter does not change the outcome)\n%s%s", r.code, r.stdout, r.stderr)
	}
	rows := statusRows(r.stdout)
	if len(rows) == 0 || strings.Contains(r.stdout, ok) || !strings.Contains(r.stdout, bad) {
		t.Errorf("--status FAIL: rows %v, want only FAIL rows, %s shown and %s not:\n%s", rows, bad, ok, r.stdout)
	}
	for _, s := range rows {
		if s != "FAIL" {
			t.Errorf("--status FAIL shows a %s row:\n%s", s, r.stdout)
		}
	}
	// The summary still counts every VPC, and says what it shows.
	sum := func(s string) string { return s[:strings.Index(s, "\n")] }
	if sum(r.stdout) != sum(all.stdout) || !strings.Contains(r.stdout, "those with a finding of status FAIL") {
		t.Errorf("--status FAIL: summary %q, want %q and a 'showing' line:\n%s", sum(r.stdout), sum(all.stdout), r.stdout)
	}

	// Machine formats ignore it.
	j := flowguard(t, env, "scan", "--region", "us-east-1", "--status", "FAIL", "-o", "json")
	if !strings.Contains(j.stdout, ok) {
		t.Errorf("-o json --status FAIL left out the passing VPC:\n%s", j.stdout)
	}
}

func TestScanStatusBogusIsUsageError(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"BOGUS", "FAIL,nope"} {
		r := flowguard(t, nil, "scan", "--status", v, "--snapshot", "does-not-matter.json")
		if r.code != 3 || !strings.Contains(r.stderr, "--status: unknown status") || !strings.Contains(r.stderr, "valid: FAIL") {
			t.Errorf("--status %s: exit %d stderr %q, want 3 and the valid statuses", v, r.code, r.stderr)
		}
	}
}
