package history_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// fix --apply, verify and rollback record their runs with --store; the fix run shows what it created and,
// after the rollback, its rollback state. logs report records its summary.
func TestCommandsRecord(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	acct, ids := clitest.DemoAccount(t, moto.UniqueAccountID())
	srv := moto.Shared(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	env := append(acct.Env(srv.URL, "us-east-1"), "HOME="+dir)
	jd := filepath.Join(dir, "runs")
	run := func(want int, args ...string) clitest.Result {
		t.Helper()
		r := clitest.Run(t, env, args...)
		if r.Code != want {
			t.Fatalf("%v: exit %d, want %d\n%s%s", args, r.Code, want, r.Stdout, r.Stderr)
		}
		return r
	}
	run(cmdutil.ExitFail, "scan", "--store", db, "--region", "us-east-1", "-o", "json", "--out", filepath.Join(dir, "scan.json"))
	run(0, "fix", "--from", filepath.Join(dir, "scan.json"), "--journal-dir", jd, "--apply", "--yes", "--store", db)
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(ctx, store.Filter{Kind: "fix"})
	if err != nil || len(runs) != 1 {
		t.Fatalf("fix runs %+v %v", runs, err)
	}
	fixRun := runs[0]
	created := map[string]bool{}
	for _, c := range fixRun.Created {
		if c.Kind == "flow-log" {
			created[c.VPCID] = true
		}
	}
	if !created[ids["legacy-batch"]] || fixRun.Status != "complete" || fixRun.AccountID != acct.ID {
		t.Errorf("fix run %+v: want a complete run that created legacy-batch's flow log", fixRun)
	}
	run(0, "verify", "--run", fixRun.RunID, "--journal-dir", jd, "--store", db)
	run(0, "rollback", "--run", fixRun.RunID, "--journal-dir", jd, "--yes", "--store", db)
	all, err := st.Runs(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]store.Run{}
	for _, r := range all {
		kinds[r.Kind] = r
	}
	if kinds["verify"].Status != "ok" || kinds["rollback"].Status != "rolled-back" || kinds["fix"].RollbackState != "rolled-back" {
		t.Errorf("runs after verify and rollback: %+v", kinds)
	}
	// A store that cannot be written makes the command incomplete, after its own work.
	bad := filepath.Join(dir, "not-a-dir")
	os.WriteFile(bad, []byte("x"), 0o644)
	r := clitest.Run(t, env, "scan", "--store", filepath.Join(bad, "h.db"), "--region", "us-east-1")
	if r.Code != cmdutil.ExitIncomplete || !strings.Contains(r.Stderr, "history store") || !strings.Contains(r.Stdout, "legacy-batch") {
		t.Errorf("unwritable store: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}

	logs := filepath.Join(dir, "flowlogs")
	run(0, "logs", "generate", "--out-dir", logs, "--records", "2000")
	run(0, "logs", "report", logs, "--store", db, "-o", "json", "--out", filepath.Join(dir, "logs.json"))
	reps, err := st.LogsReports(ctx, store.Filter{})
	if err != nil || len(reps) != 1 || reps[0].Records != 2000 {
		t.Fatalf("logs reports %+v %v", reps, err)
	}
}
