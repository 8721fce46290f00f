package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// fix --role-name named the delivery role to create, while scan --role-name is the role to enter: the line
// copied from scan's help planned iam:CreateRole OrganizationAccountAccessRole in the management account. It
// is refused, before any AWS call, with the two flags that replace it.
func TestFixRoleNameIsRefused(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	p := faultproxy.New(srv.URL, faultproxy.Options{})
	defer p.Close()
	env := acct.Env(p.URL, "us-east-1")
	for _, args := range [][]string{
		{"fix", "--org", "--role-name", "OrganizationAccountAccessRole"},
		{"fix", "--role-name", "flowguard-vpc-flow-logs", "--journal-dir", t.TempDir()},
		{"fix", "--role-name=x", "--apply", "--yes", "--journal-dir", t.TempDir()},
	} {
		code, out, errOut := runEnv(t, env, args...)
		if code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want 3\n%s%s", args, code, out, errOut)
		}
		for _, want := range []string{"--role-name", "--assume-role", "--delivery-role-name", "member accounts", "flow-log delivery"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%v: message does not name %s:\n%s", args, want, errOut)
			}
		}
		if strings.Contains(out, "CreateRole") {
			t.Errorf("%v: a plan was printed:\n%s", args, out)
		}
	}
	if n := p.Total(); n != 0 {
		t.Errorf("refused fix --role-name made %d AWS call(s): %v", n, p.Calls())
	}
}

// allCommands walks the command tree: every runnable command with its path ("logs athena ddl").
func allCommands() map[string]*cobra.Command {
	out := map[string]*cobra.Command{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() {
			out[strings.TrimPrefix(c.CommandPath(), "flowguard ")] = c
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(NewRootCmd(cmdutil.NewFactory(&cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(string) string { return "" })))
	return out
}

// visible lists the commands on which flag name is a visible flag.
func visible(cmds map[string]*cobra.Command, name string) []string {
	var out []string
	for path, c := range cmds {
		if f := c.Flags().Lookup(name); f != nil && !f.Hidden {
			out = append(out, path)
		}
	}
	sort.Strings(out)
	return out
}

// One vocabulary: each concept has one flag name, on exactly the commands that have the concept, with the
// same type and default everywhere; the old names are hidden.
func TestFlagVocabulary(t *testing.T) {
	t.Parallel()
	cmds := allCommands()
	// Which commands carry each shared flag: a command that gains or loses one must be a decision.
	want := map[string][]string{
		"assume-role":         {"fix", "guard", "guard deploy", "query", "rollback", "scan", "verify"},
		"external-id":         {"fix", "guard", "query", "rollback", "scan", "verify"},
		"session-name":        {"fix", "guard", "query", "rollback", "scan", "verify"},
		"session-duration":    {"fix", "guard", "query", "rollback", "scan", "verify"},
		"org":                 {"fix", "guard", "query", "scan"},
		"accounts":            {"fix", "guard", "query", "scan"},
		"accounts-file":       {"fix", "guard", "query", "scan"},
		"delivery-role-name":  {"fix", "guard"},
		"delivery-role-arn":   {"fix", "guard"},
		"file-format":         {"fix", "guard", "logs athena ddl", "logs athena run", "logs generate"},
		"hive-partitions":     {"fix", "guard", "logs athena ddl", "logs athena run", "logs generate"},
		"per-hour-partitions": {"fix", "guard", "logs athena ddl", "logs athena run", "logs generate"},
		"log-format":          {"fix", "guard", "logs athena ddl", "logs athena run", "logs cost", "logs export", "logs generate", "logs report"},
		"out":                 {"diff", "fix", "history", "iac scan", "logs athena run", "logs cost", "logs export", "logs generate", "logs report", "query", "rollback", "runs", "scan", "verify"},
		"out-dir":             {"baseline", "guard deploy", "iac scan", "logs generate", "scan"},
		"snapshot":            {"logs report", "query", "scan"},
		"from":                {"fix"},
		"concurrency":         {"fix", "guard", "query", "rollback", "scan", "verify"},
		"status":              {"scan", "verify"},
		"store":               {"fix", "guard", "history", "history import", "logs report", "rollback", "scan", "serve", "verify"},
		// Old names: never visible anywhere.
		"role-name": nil, "role-arn": nil, "parquet": nil, "hive": nil, "per-hour": nil,
	}
	for name, cmdsWant := range want {
		if got := visible(cmds, name); !slices.Equal(got, cmdsWant) {
			t.Errorf("--%s is visible on %v, want %v", name, got, cmdsWant)
		}
	}
	// --format is the artifact kind of baseline and guard deploy, and the target schema of logs export (ocsf); on the other logs
	// commands it is the deprecated --log-format.
	if got := visible(cmds, "format"); !slices.Equal(got, []string{"baseline", "guard deploy", "logs export"}) {
		t.Errorf("--format is visible on %v, want only baseline, guard deploy and logs export", got)
	}
	// A flag name means one type and one default on every command that has it. Known exceptions, each a
	// different concept under one word, left for a later rename (see the vocab report):
	differs := map[string]string{
		"account":   "logs generate: the account id written into records; logs report/athena: account ids to keep",
		"region":    "logs generate: the region written into records; elsewhere: the AWS regions to call",
		"log-group": "fix: the log-group name template to create; logs report: the groups to read",
		"listen":    "the same meaning (host:port to serve HTTP on), but serve exists to listen (127.0.0.1:8080) while guard's health endpoint is off unless asked for",
	}
	type shape struct{ typ, def, short string }
	seen := map[string]shape{}
	where := map[string]string{}
	for _, path := range sortedKeys(cmds) {
		cmds[path].Flags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" || f.Name == "version" {
				return
			}
			if differs[f.Name] != "" {
				return
			}
			s := shape{strings.TrimSuffix(f.Value.Type(), "32"), f.DefValue, f.Shorthand}
			// The artifact kind of baseline and the output formats of each command legitimately differ in their
			// values, not their type.
			if f.Name == "output" || f.Name == "format" {
				s.def = ""
			}
			if prev, ok := seen[f.Name]; ok && prev != s {
				t.Errorf("--%s on %s is %+v, but on %s %+v", f.Name, path, s, where[f.Name], prev)
			}
			seen[f.Name], where[f.Name] = s, path
		})
	}
	// -o/--output: table is the human format everywhere it exists.
	for path, c := range cmds {
		f := c.Flags().Lookup("output")
		if f == nil {
			continue
		}
		if f.Shorthand != "o" || f.DefValue != cmdutil.OutputTable {
			t.Errorf("%s: -%s/--output default %q, want -o/--output default table", path, f.Shorthand, f.DefValue)
		}
		if strings.Contains(f.Usage, "text") {
			t.Errorf("%s: --output help still offers text: %q", path, f.Usage)
		}
	}
	if c := seen["concurrency"]; c.def != "16" {
		t.Errorf("--concurrency default %s, want 16 (collect.DefaultConcurrency)", c.def)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Every Example line is a command that parses today with visible, current flags: help must never teach a
// deprecated or refused name.
func TestExamplesUseCurrentFlags(t *testing.T) {
	t.Parallel()
	cmds := allCommands()
	flagRE := regexp.MustCompile(`(?:^|\s)(--?[a-z][a-z0-9-]*)`)
	checked := 0
	for _, path := range sortedKeys(cmds) {
		c := cmds[path]
		ex := strings.ReplaceAll(c.Example, "\\\n", " ")
		for _, line := range strings.Split(ex, "\n") {
			for _, seg := range regexp.MustCompile(`\|\||&&|\||>`).Split(line, -1) {
				seg = strings.TrimSpace(seg)
				if i := strings.Index(seg, " #"); i >= 0 {
					seg = seg[:i]
				}
				if !strings.HasPrefix(seg, "flowguard ") {
					continue
				}
				words := strings.Fields(strings.TrimPrefix(seg, "flowguard "))
				target, _, err := c.Root().Find(words)
				if err != nil || !target.Runnable() {
					t.Errorf("%s: example %q: no such command", path, seg)
					continue
				}
				// Quoted arguments (queries, log formats) are not flags.
				unquoted := regexp.MustCompile(`'[^']*'`).ReplaceAllString(seg, "''")
				for _, m := range flagRE.FindAllStringSubmatch(unquoted, -1) {
					name := strings.SplitN(m[1], "=", 2)[0]
					var f *pflag.Flag
					if strings.HasPrefix(name, "--") {
						f = target.Flags().Lookup(name[2:])
					} else {
						f = target.Flags().ShorthandLookup(name[1:])
					}
					if f == nil || f.Hidden {
						t.Errorf("%s: example %q uses %s, which %s does not offer", path, seg, name, target.CommandPath())
					}
					checked++
				}
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d example flags checked: the example parser is broken", checked)
	}
}

// Old names keep working as hidden aliases, each with one warning on stderr (never on stdout), however often
// it is given; the result is the same as with the new names.
func TestDeprecatedAliasesWarnOnce(t *testing.T) {
	t.Parallel()
	const logFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
	ddl := []string{"logs", "athena", "ddl", "--location", "s3://my-flow-logs/", "--bucket-account", "111122223333", "--bucket-region", "us-east-1"}
	code, want, errOut := runCLI(t, append(ddl, "--file-format", "parquet", "--hive-partitions", "--per-hour-partitions", "--log-format", logFormat)...)
	if code != 0 || errOut != "" || !strings.Contains(want, "STORED AS PARQUET") || !strings.Contains(want, "hour=") {
		t.Fatalf("ddl with the new names: exit %d\n%s\n%s", code, want, errOut)
	}
	code, got, errOut := runCLI(t, append(ddl, "--parquet", "--hive", "--hive", "--per-hour", "--format", logFormat)...)
	if code != 0 || got != want {
		t.Fatalf("ddl with the old names: exit %d, output differs:\n%s\nwant:\n%s\n%s", code, got, want, errOut)
	}
	for _, old := range []string{"--parquet", "--hive", "--per-hour", "--format"} {
		if n := strings.Count(errOut, old+" is deprecated"); n != 1 {
			t.Errorf("%s: %d warnings, want 1:\n%s", old, n, errOut)
		}
	}
	if strings.Contains(got, "deprecated") {
		t.Errorf("a warning went to stdout:\n%s", got)
	}
	if !strings.Contains(errOut, "use --file-format parquet") || !strings.Contains(errOut, "use --log-format") {
		t.Errorf("warnings do not name the new flags:\n%s", errOut)
	}

	// logs generate: --out DIR and the old layout flags still write the S3 layout.
	dir := filepath.Join(t.TempDir(), "flowlogs")
	code, _, errOut = runCLI(t, "logs", "generate", "--out", dir, "--records", "200", "--duration", "1h", "--parquet", "--hive", "--per-hour")
	if code != 0 || strings.Count(errOut, "deprecated") != 4 || !strings.Contains(errOut, "use --out-dir") {
		t.Fatalf("generate with old names: exit %d\n%s", code, errOut)
	}
	var objects []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			objects = append(objects, p)
		}
		return nil
	})
	if len(objects) == 0 || !strings.Contains(objects[0], "aws-service=vpcflowlogs") || !strings.Contains(objects[0], "hour=") || !strings.HasSuffix(objects[0], ".parquet") {
		t.Errorf("generate --parquet --hive --per-hour wrote %v", objects)
	}

	// baseline --out (a folder) is --out-dir.
	bdir := t.TempDir()
	code, out, errOut := runCLI(t, "baseline", "--format", "scp", "--out", bdir)
	if code != 0 || !strings.Contains(out, "wrote "+bdir) || strings.Count(errOut, "--out is deprecated: use --out-dir") != 1 {
		t.Errorf("baseline --out: exit %d\n%s\n%s", code, out, errOut)
	}

	// -o text is -o table, with one warning.
	jd := t.TempDir()
	code, out, errOut = runCLI(t, "runs", "--journal-dir", jd, "-o", "text")
	if code != 0 || !strings.Contains(out, "no runs in") || strings.Count(errOut, "--output text is deprecated: use --output table") != 1 {
		t.Errorf("runs -o text: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "runs", "--journal-dir", jd, "-o", "yaml"); code != cmdutil.ExitUsage || !strings.Contains(errOut, "want table or json") {
		t.Errorf("runs -o yaml: exit %d %s", code, errOut)
	}
}

// assumeRoleCalls records the sts:AssumeRole calls that go through p.
func assumeRoleCalls(p *faultproxy.Proxy) func() []map[string]string {
	var mu sync.Mutex
	var calls []map[string]string
	p.SetOptions(faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
		if c.Name() == "sts:AssumeRole" {
			mu.Lock()
			calls = append(calls, map[string]string{"RoleArn": c.Params.Get("RoleArn"), "ExternalId": c.Params.Get("ExternalId"),
				"RoleSessionName": c.Params.Get("RoleSessionName"), "DurationSeconds": c.Params.Get("DurationSeconds")})
			mu.Unlock()
		}
		return faultproxy.None
	}})
	return func() []map[string]string {
		mu.Lock()
		defer mu.Unlock()
		out := calls
		calls = nil
		return out
	}
}

// --assume-role (with --external-id, --session-name and --session-duration) enters a member account the same
// way on scan, query, fix, verify and rollback: the same AssumeRole request, and the member's resources seen.
func TestAssumeRoleEntersMemberAccount(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	mgmt := moto.NewTestAccount(t)
	member := moto.NewTestAccount(t)
	const region = "eu-north-1"
	vpc, err := ec2.NewFromConfig(member.Config(srv.URL, region)).CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.7.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	memberVPC := aws.ToString(vpc.Vpc.VpcId)
	p := faultproxy.New(srv.URL, faultproxy.Options{})
	defer p.Close()
	calls := assumeRoleCalls(p)
	env := mgmt.Env(p.URL, region)
	enter := []string{"--assume-role", "audit", "--external-id", "ext-42", "--session-name", "vocab-test", "--session-duration", "30m"}
	wantCall := map[string]string{"RoleArn": "arn:aws:iam::" + member.ID + ":role/audit", "ExternalId": "ext-42", "RoleSessionName": "vocab-test", "DurationSeconds": "1800"}
	checkEntered := func(what string) {
		t.Helper()
		got := calls()
		if len(got) == 0 {
			t.Errorf("%s: no sts:AssumeRole call", what)
		}
		for _, c := range got {
			if !mapsEqual(c, wantCall) {
				t.Errorf("%s: AssumeRole %v, want %v", what, c, wantCall)
			}
		}
	}
	jd := t.TempDir()

	code, out, errOut := runEnv(t, env, append([]string{"scan", "--accounts", member.ID, "--region", region, "-o", "json"}, enter...)...)
	var res finding.Result
	if err := json.Unmarshal([]byte(out), &res); code != cmdutil.ExitFail || err != nil || !slices.Equal(res.Accounts, []string{member.ID}) || !strings.Contains(out, memberVPC) {
		t.Fatalf("scan --assume-role: exit %d %v\n%s\n%s", code, err, out, errOut)
	}
	checkEntered("scan")

	code, out, errOut = runEnv(t, env, append([]string{"query", "--accounts", member.ID, "--region", region, "-o", "json", "vpcs { id accountId }"}, enter...)...)
	if code != 0 || !strings.Contains(out, memberVPC) || strings.Contains(out, mgmt.ID) {
		t.Fatalf("query --assume-role: exit %d\n%s\n%s", code, out, errOut)
	}
	checkEntered("query")

	code, out, errOut = runEnv(t, env, append([]string{"fix", "--accounts", member.ID, "--region", region, "--journal-dir", jd, "--apply", "--yes"}, enter...)...)
	if code != 0 || !strings.Contains(out, ": complete") || !strings.Contains(out, memberVPC) {
		t.Fatalf("fix --assume-role: exit %d\n%s\n%s", code, out, errOut)
	}
	checkEntered("fix")
	runs, err := journal.List(jd)
	if err != nil || len(runs) != 1 || !slices.Equal(runs[0].Accounts, []string{member.ID}) {
		t.Fatalf("runs: %v %+v", err, runs)
	}

	// The run is in the member account: verify and rollback enter it the same way, and refuse without a role.
	if code, _, errOut := runEnv(t, env, "verify", "--run", runs[0].ID, "--journal-dir", jd); code != cmdutil.ExitUsage || !strings.Contains(errOut, "--assume-role") {
		t.Errorf("verify without --assume-role: exit %d %s", code, errOut)
	}
	code, out, errOut = runEnv(t, env, append([]string{"verify", "--run", runs[0].ID, "--journal-dir", jd}, enter...)...)
	if code != 0 || !strings.Contains(out, memberVPC) {
		t.Fatalf("verify --assume-role: exit %d\n%s\n%s", code, out, errOut)
	}
	checkEntered("verify")
	code, out, errOut = runEnv(t, env, append([]string{"rollback", "--run", runs[0].ID, "--journal-dir", jd, "--yes"}, enter...)...)
	if code != 0 || !strings.Contains(out, "still shows 0") {
		t.Fatalf("rollback --assume-role: exit %d\n%s\n%s", code, out, errOut)
	}
	checkEntered("rollback")

	// scan --role-name is the deprecated name of --assume-role: same request, one warning.
	code, out, errOut = runEnv(t, env, "scan", "--accounts", member.ID, "--region", region, "--role-name", "audit", "--external-id", "ext-42",
		"--session-name", "vocab-test", "--session-duration", "30m", "-o", "json")
	if code != cmdutil.ExitFail || !strings.Contains(out, memberVPC) || strings.Count(errOut, "--role-name is deprecated: use --assume-role") != 1 {
		t.Fatalf("scan --role-name: exit %d\n%s\n%s", code, out, errOut)
	}
	checkEntered("scan --role-name")
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A failed AWS configuration load is a configuration error, exit 3, on every command that loads one (logs
// report and logs athena run said 2).
func TestConfigLoadFailureIsUsageError(t *testing.T) {
	t.Parallel()
	env := []string{"AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(t.TempDir(), "none")}
	for _, args := range [][]string{
		{"scan", "--profile", "no-such-profile"},
		{"query", "--profile", "no-such-profile", "vpcs { id }"},
		{"logs", "report", "s3://bucket/prefix/", "--profile", "no-such-profile"},
		{"logs", "athena", "run", "top-talkers", "--profile", "no-such-profile"},
		{"fix", "--profile", "no-such-profile", "--journal-dir", t.TempDir()},
		{"verify", "--profile", "no-such-profile", "--run", "20261123T040512Z-3fa9c1", "--journal-dir", t.TempDir()},
		{"rollback", "--profile", "no-such-profile", "--run", "20261123T040512Z-3fa9c1", "--journal-dir", t.TempDir()},
	} {
		if code, _, errOut := runEnv(t, env, args...); code != cmdutil.ExitUsage || !strings.Contains(errOut, "no-such-profile") {
			t.Errorf("%v: exit %d, want 3\n%s", args, code, errOut)
		}
	}
}

// --out FILE puts the report in the file, and nothing on standard output, on the commands that gained it.
func TestOutWritesTheReport(t *testing.T) {
	t.Parallel()
	jd := t.TempDir()
	f := filepath.Join(t.TempDir(), "runs.json")
	code, out, errOut := runCLI(t, "runs", "--journal-dir", jd, "-o", "json", "--out", f)
	b, _ := os.ReadFile(f)
	if code != 0 || out != "" || strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("runs --out: exit %d stdout %q file %q %s", code, out, b, errOut)
	}
}

// fix --org enters each member account of the organization through --assume-role (and plans the caller's
// own account directly); with fix's old --role-name this line would have planned iam:CreateRole of the
// entered role instead.
func TestFixOrgEntersMembersThroughAssumeRole(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	mgmt := moto.NewTestAccount(t)
	const region = "ap-south-1"
	orgc := organizations.NewFromConfig(mgmt.Config(srv.URL, region))
	if _, err := orgc.CreateOrganization(t.Context(), &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	ca, err := orgc.CreateAccount(t.Context(), &organizations.CreateAccountInput{AccountName: aws.String("member"), Email: aws.String("member@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := orgc.DescribeCreateAccountStatus(t.Context(), &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	if err != nil || aws.ToString(st.CreateAccountStatus.AccountId) == "" {
		t.Fatalf("create member account: %v %+v", err, st)
	}
	memberID := aws.ToString(st.CreateAccountStatus.AccountId)
	p := faultproxy.New(srv.URL, faultproxy.Options{})
	defer p.Close()
	calls := assumeRoleCalls(p)
	env := mgmt.Env(p.URL, region)
	code, out, errOut := runEnv(t, env, "fix", "--org", "--assume-role", "audit", "--region", region, "--journal-dir", t.TempDir(), "-o", "json")
	var doc struct {
		Plans []struct {
			Account string `json:"account"`
		} `json:"plans"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil {
		t.Fatalf("fix --org: exit %d %v\n%s\n%s", code, err, out, errOut)
	}
	var planned []string
	for _, pl := range doc.Plans {
		planned = append(planned, pl.Account)
	}
	sort.Strings(planned)
	if want := []string{mgmt.ID, memberID}; !slices.Equal(planned, sortStrings(want)) {
		t.Errorf("planned accounts %v, want %v", planned, want)
	}
	got := calls()
	if len(got) == 0 || got[0]["RoleArn"] != "arn:aws:iam::"+memberID+":role/audit" {
		t.Errorf("AssumeRole calls %v, want one into %s as audit", got, memberID)
	}
	if strings.Contains(out, `"CreateRole"`) && strings.Contains(out, "role/audit") {
		t.Errorf("the role to enter became a role to create:\n%s", out)
	}
	if m := faultproxy.Mutating(p.Calls()); len(m) != 0 {
		t.Errorf("a plan made changing calls: %v", m)
	}
}

func sortStrings(s []string) []string { sort.Strings(s); return s }
