package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/sink/report"
)

func testStreams() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	return cmdutil.NewTestFactory("", nil)
}

// runEnv runs flowguard in-process with env (KEY=VALUE pairs) as its whole environment.
func runEnv(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	m := map[string]string{"HOME": t.TempDir()}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	f, out, errOut := cmdutil.NewTestFactory("", m)
	code = Main(t.Context(), args, f)
	return code, out.String(), errOut.String()
}

// runCLI runs flowguard in-process with an empty environment.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	f, out, errOut := cmdutil.NewTestFactory("", nil)
	code = Main(t.Context(), args, f)
	return code, out.String(), errOut.String()
}

// writeScan writes a result as `scan --output json` would.
func writeScan(t *testing.T, name string, fs ...finding.Finding) string {
	t.Helper()
	r := &finding.Result{Schema: finding.ResultSchema, Findings: fs}
	r.Summarize()
	var buf bytes.Buffer
	if err := report.WriteJSON(&buf, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiffCommand(t *testing.T) {
	t.Parallel()
	f := func(id string, st finding.Status) finding.Finding {
		return finding.Finding{CheckID: "vpc-flow-logs-enabled", AccountID: "111111111111", Region: "us-east-1", ResourceID: id, Status: st}
	}
	old := writeScan(t, "old.json", f("vpc-1", finding.StatusFail), f("vpc-2", finding.StatusPass))
	worse := writeScan(t, "worse.json", f("vpc-1", finding.StatusPass), f("vpc-2", finding.StatusFail))
	same := writeScan(t, "same.json", f("vpc-1", finding.StatusFail), f("vpc-2", finding.StatusPass))

	io, out, _ := testStreams()
	if code := Main(context.Background(), []string{"diff", old, worse}, io); code != 1 {
		t.Errorf("new failure: exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out.String(), "1 new failure, 1 fixed, 0 still failing") {
		t.Errorf("table output:\n%s", out)
	}

	io, out, _ = testStreams()
	if code := Main(context.Background(), []string{"diff", "--output", "json", old, same}, io); code != 0 {
		t.Errorf("no new failure: exit %d, want 0", code)
	}
	var d struct {
		Schema       string
		StillFailing []struct {
			ResourceID string `json:"resource_id"`
		} `json:"still_failing"`
	}
	if err := json.Unmarshal(out.Bytes(), &d); err != nil || d.Schema != "flowguard.diff/v1" || len(d.StillFailing) != 1 {
		t.Errorf("json output %v: %s", err, out)
	}

	for _, args := range [][]string{{"diff", old}, {"diff", old, "/nonexistent.json"}, {"diff", "-o", "xml", old, same}} {
		io, _, errOut := testStreams()
		if code := Main(context.Background(), args, io); code != cmdutil.ExitUsage {
			t.Errorf("%v: exit %d, want 3 (%s)", args, code, errOut)
		}
	}
}

// A file without findings, with an unknown status or with the same finding twice is refused (exit 3, naming
// the file and the entry), never read as "everything fixed".
func TestDiffRefusesInvalidResults(t *testing.T) {
	t.Parallel()
	old := writeScan(t, "old.json", finding.Finding{CheckID: "vpc-flow-logs-enabled", AccountID: "111111111111",
		Region: "us-east-1", ResourceID: "vpc-1", Status: finding.StatusFail})
	dir := t.TempDir()
	const fail = `{"check_id":"vpc-flow-logs-enabled","account_id":"111111111111","region":"us-east-1","resource_id":"vpc-1","status":"FAIL"}`
	for name, doc := range map[string]string{
		"nofindings.json": `{"schema":"flowguard.scan/v1","accounts":["111111111111"],"regions":["us-east-1"]}`,
		"status.json":     `{"schema":"flowguard.scan/v1","findings":[` + strings.Replace(fail, "FAIL", "FIXED", 1) + `]}`,
		"dup.json":        `{"schema":"flowguard.scan/v1","findings":[` + fail + `,` + fail + `]}`,
		"noschema.json":   `{"findings":[]}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"diff", old, p}, {"diff", p, old}} {
			io, out, errOut := testStreams()
			if code := Main(context.Background(), args, io); code != cmdutil.ExitUsage || !strings.Contains(errOut.String(), p) {
				t.Errorf("%v: exit %d, want 3 naming %s\nstdout %s\nstderr %s", args, code, p, out, errOut)
			}
		}
	}
}

// diff given an inventory snapshot (the other JSON flowguard writes) says so, with the command that writes a
// scan result, instead of a schema mismatch or a decoding error.
func TestDiffNamesASnapshot(t *testing.T) {
	t.Parallel()
	scan := writeScan(t, "scan.json", finding.Finding{CheckID: "vpc-flow-logs-enabled", AccountID: "111111111111",
		Region: "us-east-1", ResourceID: "vpc-1", Status: finding.StatusFail})
	snap := filepath.Join(t.TempDir(), "inv.json")
	s := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: "test", Regions: []*inventory.Region{
		{AccountID: "111111111111", Name: "us-east-1", VPCs: []inventory.VPC{{ID: "vpc-1"}}}}}
	if err := s.WriteFile(snap); err != nil {
		t.Fatal(err)
	}
	io, out, errOut := testStreams()
	want := snap + " is an inventory snapshot (scan --save-snapshot), not a scan result: write one with `flowguard scan -o json`"
	if code := Main(context.Background(), []string{"diff", snap, scan}, io); code != cmdutil.ExitUsage || !strings.Contains(errOut.String(), want) {
		t.Errorf("exit %d, want 3 and %q\nstdout %s\nstderr %s", code, want, out, errOut)
	}
}
