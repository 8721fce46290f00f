package history_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/testenv/estate"
)

// saved writes the estate result of day d (with the failing VPC fixed from day 1) as scan -o json would.
func saved(t *testing.T, dir string, d int, fixVPC string) string {
	t.Helper()
	r := estate.Result(estate.Options{Accounts: 2, Regions: 2, VPCs: 5, Hostile: true})
	shift := time.Duration(d) * 24 * time.Hour
	r.StartedAt, r.FinishedAt = r.StartedAt.Add(shift), r.FinishedAt.Add(shift)
	if d > 0 {
		for i := range r.Findings {
			if r.Findings[i].ResourceID == fixVPC && r.Findings[i].CheckID == estate.CheckEnabled {
				r.Findings[i].Status, r.Findings[i].Reason = finding.StatusPass, ""
			}
		}
		r.Summarize()
	}
	b, _ := json.Marshal(r)
	p := filepath.Join(dir, fmt.Sprintf("scan-%d.json", d))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func firstFail() finding.Finding {
	for _, f := range estate.Result(estate.Options{Accounts: 2, Regions: 2, VPCs: 5}).Findings {
		if f.Status == finding.StatusFail && f.CheckID == estate.CheckEnabled {
			return f
		}
	}
	panic("none")
}

// history import loads saved results (out of order too) and journals; history shows the trend and the change.
func TestImportThenHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	f := firstFail()
	p1, p0 := saved(t, dir, 1, f.ResourceID), saved(t, dir, 0, f.ResourceID)
	runs := filepath.Join(dir, "runs")
	j, err := journal.Open(runs, "20261124T040000Z-abcdef", true)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	j.Append(journal.Record{Type: journal.TypeRun, Time: at, Accounts: []string{f.AccountID}, Regions: []string{f.Region}})
	j.Append(journal.Record{Type: journal.TypeEnd, Phase: "fix", Time: at, Action: "ec2:CreateFlowLogs", Account: f.AccountID, Region: f.Region, FlowLogs: map[string]string{f.ResourceID: "fl-0123"}})
	j.Append(journal.Record{Type: journal.TypeFinish, Time: at, Status: journal.StatusComplete})
	j.Close()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"schema":"flowguard.scan/v1"}`), 0o644)
	env := []string{"HOME=" + dir}

	r := clitest.Run(t, env, "history", "import", "--store", db, p1, p0, runs, bad)
	if r.Code != cmdutil.ExitIncomplete || !strings.Contains(r.Stderr, "bad.json") || strings.Count(r.Stdout, "scan ") != 2 || !strings.Contains(r.Stdout, "fix run 20261124T040000Z-abcdef (complete, 1 flow log created)") {
		t.Fatalf("import: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	// Again: nothing stored twice.
	r = clitest.Run(t, env, "history", "import", "--store", db, p0)
	if r.Code != 0 || !strings.Contains(r.Stdout, "already stored as scan") {
		t.Fatalf("import again: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = clitest.Run(t, append(env, store.EnvVar+"="+db), "history", "--since", "2026-11-01")
	if r.Code != 0 {
		t.Fatalf("history: exit %d\n%s", r.Code, r.Stderr)
	}
	for _, want := range []string{"2026-11-23 04:00Z", "2026-11-24 04:00Z", "fixed", f.ResourceID, "FAIL " + f.Reason + " → PASS", "open failures:"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("history output lacks %q:\n%s", want, r.Stdout)
		}
	}
	// Hostile tag values never reach the terminal raw.
	if strings.ContainsAny(r.Stdout, "\u2028\x1b") {
		t.Errorf("raw control characters in the output")
	}
	r = clitest.Run(t, append(env, store.EnvVar+"="+db), "history", "--since", "2026-11-01", "-o", "json")
	var ov store.Overview
	if err := json.Unmarshal([]byte(r.Stdout), &ov); err != nil || len(ov.Trend) != 2 || ov.Trend[1].Fixed != 1 {
		t.Fatalf("history -o json: %v %+v", err, ov.Trend)
	}
	r = clitest.Run(t, env, "history", "--since", "yesterday-ish", "--store", db)
	if r.Code != cmdutil.ExitUsage {
		t.Errorf("bad --since: exit %d", r.Code)
	}
}
