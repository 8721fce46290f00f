package scan_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/testenv/golden"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/cli"
	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/testenv/blackhole"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/fixture"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(moto.Main(m))
}

type run struct {
	stdout, stderr string
	code           int
}

// flowguard runs flowguard in-process with env (KEY=VALUE pairs) as its whole environment: no binary, no
// process environment, so the tests run in parallel.
func flowguard(t *testing.T, env []string, args ...string) run {
	t.Helper()
	r := clitest.Run(t, env, args...)
	return run{r.Stdout, r.Stderr, r.Code}
}

func demoAccount(t *testing.T, id string) (moto.Account, map[string]string) {
	t.Helper()
	return clitest.DemoAccount(t, id)
}

var demoRegions = clitest.DemoRegions

func TestScanJSONMatchesGolden(t *testing.T) {
	t.Parallel()
	acct, _ := demoAccount(t, "")
	r := flowguard(t, acct.Env(moto.Shared(t).URL, "us-east-1"), "scan", demoRegions, "--output", "json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (FAIL findings)\n%s", r.code, r.stderr)
	}
	got := normalizeScanJSON(t, strings.ReplaceAll(r.stdout, acct.ID, "111122223333"))
	golden.String(t, filepath.Join("testdata", "scan.golden.json"), got)
}

var idPattern = regexp.MustCompile(`\b(vpc|fl|subnet|eni|igw)-[0-9a-f]{8,17}\b`)

// normalizeScanJSON replaces what changes between runs (times, version, random resource ids) with stable
// names derived from the VPCs' Name tags, and re-sorts the findings by those names.
func normalizeScanJSON(t *testing.T, doc string) string {
	t.Helper()
	var res struct {
		Findings []struct {
			Region       string `json:"region"`
			ResourceID   string `json:"resource_id"`
			ResourceName string `json:"resource_name"`
			Evidence     struct {
				FlowLogs []struct {
					ID string `json:"id"`
				} `json:"flow_logs"`
				Other []struct {
					ID         string `json:"id"`
					ResourceID string `json:"resource_id"`
				} `json:"subnet_or_eni_flow_logs"`
			} `json:"evidence"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(doc), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, doc)
	}
	names := map[string]string{}
	for _, f := range res.Findings {
		name := f.ResourceName
		if name == "" {
			name = "default-" + f.Region
		}
		names[f.ResourceID] = "vpc-" + name
		for _, fl := range f.Evidence.FlowLogs {
			names[fl.ID] = "fl-" + name
		}
		for _, fl := range f.Evidence.Other {
			names[fl.ID] = "fl-" + name + "-subnet"
			names[fl.ResourceID] = "subnet-" + name
		}
	}
	doc = idPattern.ReplaceAllStringFunc(doc, func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	})
	var generic map[string]any
	if err := json.Unmarshal([]byte(doc), &generic); err != nil {
		t.Fatal(err)
	}
	generic["started_at"], generic["finished_at"] = "TIME", "TIME"
	generic["tool"].(map[string]any)["version"] = "VERSION"
	fs := generic["findings"].([]any)
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].(map[string]any), fs[j].(map[string]any)
		ka := fmt.Sprint(a["region"], a["resource_id"], a["check_id"])
		kb := fmt.Sprint(b["region"], b["resource_id"], b["check_id"])
		return ka < kb
	})
	out, _ := json.MarshalIndent(generic, "", "  ")
	return string(out) + "\n"
}

func TestScanExitCodes(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)

	t.Run("0 when everything evaluated passes", func(t *testing.T) {
		t.Parallel()
		acct := moto.NewTestAccount(t)
		b := fixture.New(acct.Config(srv.URL, "us-east-1"), acct.ID)
		ctx := t.Context()
		v, _, err := b.UsedVPC(ctx, "us-east-1", "ok", "10.0.0.0/16", "10.0.0.0/24")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.LogGroup(ctx, "us-east-1", "g", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := b.FlowLogToCloudWatch(ctx, "us-east-1", v, "ALL", "g"); err != nil {
			t.Fatal(err)
		}
		r := flowguard(t, acct.Env(srv.URL, "us-east-1"), "scan", "--region", "us-east-1", "--skip-unused")
		if r.code != 0 {
			t.Errorf("exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "1 unused VPC left out") || !strings.Contains(r.stdout, "2 findings: 0 FAIL") {
			t.Errorf("summary missing:\n%s", r.stdout)
		}
		if r.stderr != "" {
			t.Errorf("stderr is not a terminal, yet got %q", r.stderr)
		}
	})

	t.Run("1 on a FAIL, report written with --out", func(t *testing.T) {
		t.Parallel()
		acct := moto.NewTestAccount(t)
		out := filepath.Join(t.TempDir(), "scan.json")
		r := flowguard(t, acct.Env(srv.URL, "us-east-1"), "scan", "--region", "us-east-1", "-o", "json", "--out", out)
		if r.code != 1 || r.stdout != "" {
			t.Errorf("exit %d stdout %q, want 1 and nothing", r.code, r.stdout)
		}
		data, err := os.ReadFile(out)
		if err != nil || !strings.Contains(string(data), `"schema": "flowguard.scan/v1"`) {
			t.Errorf("report file: %v %s", err, data)
		}
	})

	t.Run("2 when a region cannot be read", func(t *testing.T) {
		t.Parallel()
		acct := moto.NewTestAccount(t)
		p := faultproxy.New(srv.URL, faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
			if c.Region == "eu-west-1" && c.Service == "ec2" {
				return faultproxy.AccessDenied
			}
			return faultproxy.None
		}})
		defer p.Close()
		r := flowguard(t, acct.Env(p.URL, "us-east-1"), "scan", "--region", "us-east-1,eu-west-1")
		if r.code != 2 {
			t.Errorf("exit %d, want 2\n%s", r.code, r.stdout)
		}
		if !strings.Contains(r.stdout, "INCOMPLETE") || !strings.Contains(r.stdout, "UnauthorizedOperation") {
			t.Errorf("report does not say it is incomplete:\n%s", r.stdout)
		}
	})

	t.Run("3 on a usage error", func(t *testing.T) {
		t.Parallel()
		r := flowguard(t, nil, "scan", "--output", "yaml")
		if r.code != 3 || !strings.Contains(r.stderr, `unknown output format "yaml"`) {
			t.Errorf("exit %d stderr %q", r.code, r.stderr)
		}
		r = flowguard(t, nil, "scan", "--no-such-flag")
		if r.code != 3 {
			t.Errorf("unknown flag: exit %d", r.code)
		}
	})

	t.Run("3 within seconds when the endpoint cannot be reached", func(t *testing.T) {
		t.Parallel()
		// A closed loopback port: nothing listens there. The SDK alone would retry the refused connection ten
		// times for 104 s, silently; the deadline turns such a regression into a failure instead of a hang.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		endpoint := "http://" + l.Addr().String()
		l.Close()
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		f, _, stderr := cmdutil.NewTestFactory("", map[string]string{"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
			"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "HOME": t.TempDir()})
		code := cli.Main(ctx, []string{"scan", "--endpoint-url", endpoint}, f)
		want := "cannot connect to " + endpoint + " (connection refused): check --endpoint-url / AWS_ENDPOINT_URL"
		if code != 3 || !strings.Contains(stderr.String(), want) {
			t.Errorf("exit %d stderr %q, want 3 and %q", code, stderr, want)
		}
	})

	t.Run("3 within seconds when the endpoint never answers", func(t *testing.T) {
		t.Parallel()
		// SYNs dropped, not refused: without a connect timeout the SDK waits 30 s per attempt, ten attempts.
		endpoint := "http://" + blackhole.Listen(t)
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		f, _, stderr := cmdutil.NewTestFactory("", map[string]string{"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
			"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "HOME": t.TempDir()})
		code := cli.Main(ctx, []string{"scan", "--endpoint-url", endpoint}, f)
		want := "cannot connect to " + endpoint + " (connection timed out: no answer within 3.1s): check --endpoint-url / AWS_ENDPOINT_URL"
		if code != 3 || !strings.Contains(stderr.String(), want) || ctx.Err() != nil {
			t.Errorf("exit %d stderr %q (deadline hit: %v), want 3 and %q", code, stderr, ctx.Err() != nil, want)
		}
	})
}

func TestSnapshotRoundTripGivesIdenticalFindings(t *testing.T) {
	t.Parallel()
	acct, _ := demoAccount(t, "")
	snap := filepath.Join(t.TempDir(), "inventory.json")
	live := flowguard(t, acct.Env(moto.Shared(t).URL, "us-east-1"), "scan", demoRegions, "-o", "json", "--save-snapshot", snap)
	offline := flowguard(t, nil, "scan", "--snapshot", snap, "-o", "json")
	if live.code != 1 || offline.code != 1 {
		t.Fatalf("exit codes %d/%d\n%s%s", live.code, offline.code, live.stderr, offline.stderr)
	}
	pick := func(doc string) any {
		var v map[string]any
		json.Unmarshal([]byte(doc), &v)
		return []any{v["findings"], v["summary"], v["errors"]}
	}
	if d := cmp.Diff(pick(live.stdout), pick(offline.stdout)); d != "" {
		t.Errorf("offline findings differ from live (-live +offline):\n%s", d)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("{\n  \"schema\": \"flowguard.inventory/v1\",\n  \"regions\": [,]\n}"), 0o644)
	r := flowguard(t, nil, "scan", "--snapshot", bad)
	if r.code != 3 || !strings.Contains(r.stderr, "bad.json:3:") {
		t.Errorf("malformed snapshot: exit %d stderr %q", r.code, r.stderr)
	}
}

// Throttling slows a scan down; on a terminal the progress line says so, on a pipe stderr stays clean.
func TestScanShowsThrottlingRetriesOnATerminalOnly(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	for _, tty := range []bool{true, false} {
		var throttled atomic.Int32
		p := faultproxy.New(srv.URL, faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
			if c.Name() == "ec2:DescribeFlowLogs" && throttled.Add(1) <= 2 {
				return faultproxy.Throttle
			}
			return faultproxy.None
		}})
		defer p.Close()
		f, _, stderr := cmdutil.NewTestFactory("", clitest.Env(append(acct.Env(p.URL, "us-east-1"), "HOME="+t.TempDir())))
		f.IOStreams.ErrTTY = tty
		code := clitest.RunWith(t, f, "scan", "--region", "us-east-1", "--max-backoff", "10ms")
		if code == 2 || throttled.Load() < 3 {
			t.Errorf("tty %v: exit %d after %d DescribeFlowLogs calls: the throttled call was not retried to success\n%s", tty, code, throttled.Load(), stderr)
		}
		line := "throttled by ec2:DescribeFlowLogs in us-east-1, retrying (attempt 2/10)…"
		if tty && !strings.Contains(stderr.String(), "\r\x1b[K"+line) {
			t.Errorf("terminal stderr %q, want the line %q", stderr, line)
		}
		if !tty && stderr.Len() != 0 {
			t.Errorf("piped stderr %q, want nothing", stderr)
		}
	}
}
