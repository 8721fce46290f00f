package scan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// Inputs that hold nothing to evaluate exit 2 and say what was empty; broken ones exit 3 and say where; none
// of them is "everything passes" and none panics.
func TestScanEmptyAndBrokenInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = `{"schema":"flowguard.inventory/v1","source":"aws",`
	empty := write("empty.json", head+`"regions":[]}`)
	nullRegion := write("null.json", head+`"regions":[null]}`)
	dup := write("dup.json", head+`"regions":[{"account_id":"111111111111","region":"eu-west-1"},{"account_id":"111111111111","region":"eu-west-1"}]}`)
	write("identity/id.json", `{"UserId":"AIDA","Account":"222222222222","Arn":"arn:aws:iam::222222222222:user/a"}`)
	write("nullvpcs/111111111111/eu-west-1/vpcs.json", `{"Vpcs": null}`)
	write("nullvpcs/111111111111/eu-west-1/fl.json", `{"FlowLogs": []}`)
	write("nullvpcs/111111111111/eu-west-1/lg.json", `{"logGroups": []}`)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"scan", "--snapshot", empty}, 2, "nothing to evaluate: the snapshot " + empty + " has no regions"},
		{[]string{"query", "--snapshot", empty, "{ vpcs { id } }"}, 2, "nothing to evaluate"},
		{[]string{"scan", "--snapshot", nullRegion}, 3, "regions[0]: null"},
		{[]string{"scan", "--snapshot", dup}, 3, "regions[1]: account 111111111111 region eu-west-1 appears twice"},
		{[]string{"scan", "--from-aws-cli", filepath.Join(dir, "identity")}, 2, "nothing to evaluate: the aws-cli directory"},
		{[]string{"scan", "--from-aws-cli", filepath.Join(dir, "nullvpcs"), "-o", "json"}, 2, ""},
	} {
		r := flowguard(t, nil, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stderr, "panic") {
			t.Errorf("%v: exit %d, want %d with %q\nstdout %s\nstderr %s", tc.args, r.code, tc.code, tc.want, r.stdout, r.stderr)
		}
		if tc.args[len(tc.args)-1] == "json" && !strings.Contains(r.stdout, "is null, not a list") {
			t.Errorf("%v: the report does not say the VPC list was null:\n%s", tc.args, r.stdout)
		}
	}
}

func TestScanEmptyAccountsFile(t *testing.T) {
	t.Parallel()
	acct := moto.NewTestAccount(t)
	file := filepath.Join(t.TempDir(), "accounts.txt")
	os.WriteFile(file, []byte("# to be filled\n"), 0o644)
	r := flowguard(t, acct.Env(moto.Shared(t).URL, "us-east-1"), "scan", "--accounts-file", file, "--region", "us-east-1")
	if r.code != 2 || !strings.Contains(r.stderr, "nothing to evaluate: --accounts-file "+file+" names no account") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}
