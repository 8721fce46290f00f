package serve_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	servecmd "github.com/flowguard/flowguard/internal/cli/serve"
	"github.com/flowguard/flowguard/internal/serve/dashtest"
	"github.com/flowguard/flowguard/internal/store"
	"github.com/flowguard/flowguard/internal/testenv/fixture"
	"github.com/flowguard/flowguard/internal/testenv/moto"
	"github.com/flowguard/flowguard/internal/testenv/postgres"
)

type runner func() int

func (r runner) Run() int { return r() }

func TestMain(m *testing.M) {
	os.Exit(moto.Main(runner(func() int { return postgres.Main(m) })))
}

// hostileName is the Name tag of the VPC created between the two scans: shown, never run.
const hostileName = `<img src=x onerror="window.__pwned='name'">`

// The done-when: flowguard scan twice against AWS (moto) with the store configured and a change in
// between, then flowguard serve: the browser shows the trend and the change. Against SQLite and PostgreSQL.
func TestScanTwiceThenServe(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "history.db") },
		"postgres": func(t *testing.T) string { return postgres.NewDatabase(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			dsn := dsn(t)
			acct, ids := clitest.DemoAccount(t, moto.UniqueAccountID())
			srv := moto.Shared(t)
			env := append(acct.Env(srv.URL, "us-east-1"), store.EnvVar+"="+dsn)
			scan := func() {
				t.Helper()
				r := clitest.Run(t, env, "scan", clitest.DemoRegions)
				if r.Code != cmdutil.ExitFail {
					t.Fatalf("scan: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
				}
			}
			scan()
			// The change: legacy-batch gets a REJECT flow log; a new VPC (named to inject script) has none.
			b := fixture.New(acct.Config(srv.URL, "us-east-1"), acct.ID)
			if _, err := b.FlowLogToCloudWatch(ctx, "us-east-1", ids["legacy-batch"], "REJECT", "/aws/vpc-flow-logs/prod-web"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := b.UsedVPC(ctx, "us-east-1", hostileName, "10.60.0.0/16", "10.60.0.0/24"); err != nil {
				t.Fatal(err)
			}
			scan()

			st, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			scans, err := st.Scans(ctx, store.Filter{})
			if err != nil || len(scans) != 2 {
				t.Fatalf("the store holds %d scans (%v), want 2", len(scans), err)
			}
			ch, err := st.Changes(ctx, store.Filter{Scan: scans[0].ID})
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]string{}
			for _, c := range ch {
				kinds[c.ResourceID+" "+c.CheckID] = c.Kind()
			}
			if kinds[ids["legacy-batch"]+" vpc-flow-logs-enabled"] != "fixed" {
				t.Errorf("second scan's changes %v: legacy-batch not fixed", kinds)
			}

			// flowguard serve, as the command runs it, on a free loopback port.
			f, _, errOut := cmdutil.NewTestFactory("", clitest.Env(env))
			urls := make(chan string, 1)
			sctx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			cmd := servecmd.NewCmdServe(f, func(o *servecmd.Options) error {
				o.Ready = func(u string) { urls <- u }
				return servecmd.Run(o)
			})
			cmd.SetArgs([]string{"--listen", "127.0.0.1:0"})
			go func() { done <- cmd.ExecuteContext(sctx) }()
			var base string
			select {
			case base = <-urls:
			case err := <-done:
				t.Fatalf("serve stopped: %v\n%s", err, errOut)
			}
			base = strings.TrimSuffix(base, "/")
			bctx := dashtest.Start(t)
			dashtest.Walk(t, bctx, base, st, dashtest.Want{Account: acct.ID, TagValues: []string{hostileName}, Kinds: []string{"fixed", "new failure"}})
			stop()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
}

// Off loopback, serve refuses to start without a token or an auth header; a short token is refused.
func TestServeNeedsAuthOffLoopback(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "h.db")
	for _, args := range [][]string{
		{"serve", "--store", db, "--listen", "0.0.0.0:0"},
		{"serve", "--store", db, "--listen", "127.0.0.1:0", "--token", "short"},
	} {
		r := clitest.Run(t, nil, args...)
		if r.Code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want 3\n%s", args, r.Code, r.Stderr)
		}
	}
}
