package logs_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// runCLI runs flowguard in-process with an empty environment.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	r := clitest.Run(t, nil, args...)
	return r.Code, r.Stdout, r.Stderr
}

// run is what flowguard returned, as the tests read it.
type run struct {
	code           int
	stdout, stderr string
}

// flowguard runs flowguard in-process with env (KEY=VALUE pairs) as its whole environment.
func flowguard(t *testing.T, env []string, args ...string) run {
	t.Helper()
	r := clitest.Run(t, env, args...)
	return run{r.Code, r.Stdout, r.Stderr}
}

func TestLogsGenerateThenReport(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "flowlogs")
	code, out, errOut := runCLI(t, "logs", "generate", "--out-dir", dir, "--records", "20000", "--duration", "6h",
		"--vertical-scans", "1", "--horizontal-scans", "1", "--brute-force", "2", "--skipdata", "5", "--version", "5")
	if code != 0 {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	var sum struct {
		gen.Summary
		Files int `json:"files"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, out)
	}
	if sum.Files != 6 || len(sum.Planted) != 4 {
		t.Errorf("summary %+v", sum)
	}
	code, out, errOut = runCLI(t, "logs", "report", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var rep analyze.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Records != sum.Records || len(rep.Detections) != 4 || len(rep.SkipData) != 1 {
		t.Errorf("report: %d records (want %d), %d detections, skipdata %+v", rep.Totals.Records, sum.Records, len(rep.Detections), rep.SkipData)
	}
	// Filters and thresholds reach the engine.
	code, out, _ = runCLI(t, "logs", "report", dir, "-o", "json", "--port", "22,3389", "--action", "reject", "--brute-force-rejects", "26", "--since", "2026-01-01", "--until", "2026-01-01T06:00:00Z")
	if code != 0 {
		t.Fatal(out)
	}
	rep = analyze.Report{}
	json.Unmarshal([]byte(out), &rep)
	if len(rep.Detections) != 1 || rep.Detections[0].Kind != analyze.KindBruteForce || rep.Totals.Accept != 0 {
		t.Errorf("filtered report: %+v %+v", rep.Detections, rep.Totals)
	}
	for _, f := range []string{"table", "csv", "html"} {
		if code, out, errOut := runCLI(t, "logs", "report", dir, "-o", f); code != 0 || len(out) == 0 {
			t.Errorf("-o %s: exit %d %s", f, code, errOut)
		}
	}
}

func TestLogsUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"logs", "report"},
		{"logs", "report", ".", "-o", "xml"},
		{"logs", "report", ".", "--since", "yesterday"},
		{"logs", "report", ".", "--since", "2026-01-02", "--until", "2026-01-01"},
		{"logs", "report", ".", "--addr", "10.0.0.0/33"},
		{"logs", "report", ".", "--action", "ALLOW"},
		{"logs", "report", ".", "--protocol", "tcpx"},
		{"logs", "report", ".", "--log-format", "${version"},
		{"logs", "report", ".", "--topk-capacity", "15"},
		{"logs", "report", ".", "--topk-capacity", "1048577"},
		{"logs", "report", "/does/not/exist"},
		{"logs", "generate"},
		{"logs", "generate", "--out", "-", "--version", "12"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 3 || errOut == "" {
			t.Errorf("%v: exit %d (%q), want 3", args, code, errOut)
		}
	}
}

func TestLogsStrict(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.log")
	writeFile(t, p, "2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 40 100 160 REJECT OK\nnot a record\n")
	code, out, _ := runCLI(t, "logs", "report", p)
	if code != 0 || !strings.Contains(out, p+":2") {
		t.Errorf("lenient: exit %d\n%s", code, out)
	}
	code, _, errOut := runCLI(t, "logs", "report", "--strict", p)
	if code != 2 || !strings.Contains(errOut, p+":2:") {
		t.Errorf("strict: exit %d %s", code, errOut)
	}
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLogsReportGoesOnPastUnreadableInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.log"), "2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 40 100 160 REJECT OK\n")
	writeFile(t, filepath.Join(dir, "b.log.gz"), "\x1f\x8bthis is not gzip")
	code, out, errOut := runCLI(t, "logs", "report", dir, "-o", "json")
	if code != 2 || !strings.Contains(errOut, "1 of 2 inputs could not be read") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var rep analyze.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Records != 1 || len(rep.ReadErrors) != 1 || rep.ReadErrors[0].Source != filepath.Join(dir, "b.log.gz") {
		t.Errorf("report: %d records, read errors %+v", rep.Totals.Records, rep.ReadErrors)
	}
}

// A symlinked directory is read like the directory; a record in year 10000 is one malformed line, not a
// failed report; nothing to read is not exit 0.
func TestLogsReportSymlinksTimesAndNothingRead(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	real := filepath.Join(root, "real")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	data := "2 1 eni-a 10.0.0.1 10.0.0.2 40000 443 6 10 7000 1767225600 1767225660 ACCEPT OK\n" +
		"2 1 eni-a 10.0.0.1 10.0.0.2 40000 443 6 10 7000 1767225600 253402300800 ACCEPT OK\n"
	if err := os.WriteFile(filepath.Join(real, "a.log"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "logs", "report", link, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep analyze.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Totals.Records != 1 || rep.Input.Malformed != 1 || len(rep.Input.Samples) != 1 || rep.Input.Samples[0].Line != 2 {
		t.Errorf("records %d, input %+v", rep.Totals.Records, rep.Input)
	}
	// An empty directory, and a file without records: exit 2 and a message.
	empty := filepath.Join(root, "empty")
	os.Mkdir(empty, 0o755)
	if code, _, errOut := runCLI(t, "logs", "report", empty); code != 2 || !strings.Contains(errOut, "no files in this directory") {
		t.Errorf("empty directory: exit %d: %s", code, errOut)
	}
	blank := filepath.Join(root, "blank.log")
	os.WriteFile(blank, nil, 0o644)
	if code, _, errOut := runCLI(t, "logs", "report", blank); code != 2 || !strings.Contains(errOut, "no flow-log records were read") {
		t.Errorf("empty file: exit %d: %s", code, errOut)
	}
}
