// Package clitest runs flowguard commands in-process for tests: no built binary, no process environment
// (each run has its own), so command tests run with t.Parallel().
package clitest

import (
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/testenv/fixture"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// Result is what a run of flowguard returned.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Env turns KEY=VALUE pairs (moto.Account.Env) into an environment for Run.
func Env(kvs []string) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// Run runs flowguard with args; env is its whole environment (KEY=VALUE pairs; HOME is a fresh directory
// unless env sets it), stdin is empty.
func Run(t testing.TB, env []string, args ...string) Result {
	t.Helper()
	return RunStdin(t, "", env, args...)
}

// RunStdin is Run with stdin as standard input.
func RunStdin(t testing.TB, stdin string, env []string, args ...string) Result {
	t.Helper()
	e := Env(env)
	if e["HOME"] == "" {
		e["HOME"] = t.TempDir() // the default --journal-dir is under it
	}
	f, out, errOut := cmdutil.NewTestFactory(stdin, e)
	code := cli.Main(t.Context(), args, f)
	return Result{Code: code, Stdout: out.String(), Stderr: errOut.String()}
}

// RunWith runs flowguard with args in the world of f (for a terminal, a clock or an AWS config of its own).
func RunWith(t testing.TB, f *cmdutil.Factory, args ...string) int {
	t.Helper()
	return cli.Main(t.Context(), args, f)
}

// DemoAccount is a fresh account in the shared moto server holding the demo fixture (fixture.Demo); ids are
// the fixture's resource ids by name.
func DemoAccount(t *testing.T, id string) (acct moto.Account, ids map[string]string) {
	t.Helper()
	srv := moto.Shared(t)
	acct, err := srv.NewAccount(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	ids, err = fixture.Demo(t.Context(), fixture.New(acct.Config(srv.URL, "us-east-1"), acct.ID))
	if err != nil {
		t.Fatal(err)
	}
	return acct, ids
}

// DemoRegions is the --region flag of the demo fixture's regions.
var DemoRegions = "--region=" + strings.Join(fixture.DemoRegions, ",")
