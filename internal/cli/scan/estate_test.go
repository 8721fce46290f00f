package scan_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/testenv/estate"
)

// bigEstate is 10 accounts × 5 regions × 100 VPCs.
var bigEstate = estate.Options{Accounts: 10, Regions: 5, VPCs: 100}

// bigSnapshotFile writes the 5,000-VPC snapshot (6.8 MB).
func bigSnapshotFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.json")
	if err := estate.Snapshot(bigEstate).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// firstScreen is what a 40-line terminal shows first.
func firstScreen(out string) string {
	lines := strings.SplitN(out, "\n", 41)
	return strings.Join(lines[:min(40, len(lines))], "\n")
}

// On 5,000 VPCs, the first screen holds the summary and failures, `--status FAIL` prints failing VPCs
// only, and the verdicts are those the estate was built to give.
func TestScanOf5000VPCs(t *testing.T) {
	t.Parallel()
	big := bigSnapshotFile(t)

	// What the scan must find: the estate's own verdicts (its EXCEPTED are FAILs without an exceptions file).
	want := map[string]finding.Status{}
	failing := map[string]bool{}
	for _, f := range estate.Result(bigEstate).Findings {
		st := f.Status
		if st == finding.StatusExcepted {
			st = finding.StatusFail
		}
		key := f.AccountID + "/" + f.Region + "/" + f.ResourceID
		if f.CheckID == estate.CheckEnabled {
			want[key] = st
		}
		if st == finding.StatusFail {
			failing[key] = true
		}
	}
	if len(want) != 5000 {
		t.Fatalf("estate has %d VPCs", len(want))
	}

	j := flowguard(t, nil, "scan", "--snapshot", big, "-o", "json")
	var res finding.Result
	if err := json.Unmarshal([]byte(j.stdout), &res); err != nil || j.code != 1 {
		t.Fatalf("-o json: exit %d, %v\n%s", j.code, err, j.stderr)
	}
	got := map[string]finding.Status{}
	gotFailing := map[string]bool{}
	for _, f := range res.Findings {
		key := f.AccountID + "/" + f.Region + "/" + f.ResourceID
		if f.CheckID == estate.CheckEnabled {
			got[key] = f.Status
		}
		if f.Status == finding.StatusFail {
			gotFailing[key] = true
		}
	}
	bad := 0
	for k, st := range want {
		if got[k] != st {
			if bad++; bad <= 5 {
				t.Errorf("%s: %s is %s, want %s", k, estate.CheckEnabled, got[k], st)
			}
		}
	}
	if len(gotFailing) != len(failing) {
		t.Errorf("%d VPCs with a FAIL, want %d", len(gotFailing), len(failing))
	}

	r := flowguard(t, nil, "scan", "--snapshot", big)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	screen := firstScreen(r.stdout)
	for _, w := range []string{"5,000 VPCs in 10 accounts, 5 regions", "compliant", "by reason", "FAIL NO_FLOW_LOG", "least compliant first"} {
		if !strings.Contains(screen, w) {
			t.Errorf("the first 40 lines lack %q:\n%s", w, screen)
		}
	}
	if rows := statusRows(screen); len(rows) < 10 || rows[0] != "FAIL" {
		t.Errorf("the first 40 lines show %d VPC rows (%v), want at least 10 starting with FAIL:\n%s", len(rows), rows, screen)
	}
	// Failures first: no PASS row before the last FAIL row.
	rows := statusRows(r.stdout)
	lastFail, firstPass := -1, len(rows)
	for i, s := range rows {
		if s == "FAIL" {
			lastFail = i
		}
		if s == "PASS" && i < firstPass {
			firstPass = i
		}
	}
	if lastFail > firstPass {
		t.Errorf("a PASS row (%d) comes before the last FAIL row (%d)", firstPass, lastFail)
	}
	if len(rows) != 5000 {
		t.Errorf("%d VPC rows, want one per VPC (5,000)", len(rows))
	}

	f := flowguard(t, nil, "scan", "--snapshot", big, "--status", "FAIL")
	if f.code != 1 {
		t.Fatalf("--status FAIL: exit %d\n%s", f.code, f.stderr)
	}
	frows := statusRows(f.stdout)
	if len(frows) != len(failing) {
		t.Errorf("--status FAIL: %d rows, want the %d failing VPCs", len(frows), len(failing))
	}
	for _, s := range frows {
		if s != "FAIL" {
			t.Fatalf("--status FAIL prints a %s row", s)
		}
	}
	for k := range want {
		id := k[strings.LastIndexByte(k, '/')+1:]
		if !failing[k] && strings.Contains(f.stdout, id+" ") {
			t.Fatalf("--status FAIL prints %s, which does not fail", k)
		}
	}
	if firstLine(f.stdout) != firstLine(r.stdout) {
		t.Errorf("--status FAIL changed the summary: %q vs %q", firstLine(f.stdout), firstLine(r.stdout))
	}
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// BenchmarkScan5000VPCs is `flowguard scan --snapshot big.json` on 5,000 VPCs through the command: read,
// evaluate, render the table (and, as -o json, the JSON).
func BenchmarkScan5000VPCs(b *testing.B) {
	big := bigSnapshotFile(b)
	for _, format := range []string{"table", "json", "html"} {
		b.Run(format, func(b *testing.B) {
			var out int
			for b.Loop() {
				r := clitest.Run(b, nil, "scan", "--snapshot", big, "-o", format)
				if r.Code != 1 {
					b.Fatalf("exit %d: %s", r.Code, r.Stderr)
				}
				out = len(r.Stdout)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scan")
			b.ReportMetric(float64(out)/(1<<20), "MiB-out")
		})
	}
}
