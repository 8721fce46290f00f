package logs_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/flowguard/flowguard/internal/logs/ocsf"
)

func TestLogsExportOCSF(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	logs := filepath.Join(dir, "flowlogs")
	if code, _, errOut := runCLI(t, "logs", "generate", "--out-dir", logs, "--records", "5000", "--duration", "3h", "--version", "5", "--brute-force", "1"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	out := filepath.Join(dir, "events.jsonl")
	code, _, errOut := runCLI(t, "logs", "export", "--format", "ocsf", logs, "--out", out)
	if code != 0 || !strings.Contains(errOut, "OCSF 1.1.0 events (json) from 5,025 records of 3 inputs") {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	var last int64
	for sc.Scan() {
		var e ocsf.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.ClassUID != 4001 || e.Metadata.Version != "1.1.0" {
			t.Fatalf("line %d: %v %+v", n+1, err, e)
		}
		n++
		last = e.Time
	}
	if n != 5025 || last == 0 {
		t.Errorf("%d events", n)
	}
	// The same records as Parquet, filtered to one interface: the rows are those records'.
	code, stdout, errOut := runCLI(t, "logs", "export", "--format", "ocsf", "-o", "parquet", logs, "--interface", "eni-0000000a00002899b")
	if code != 0 {
		t.Fatalf("parquet export: exit %d: %s", code, errOut)
	}
	pf, err := parquet.OpenFile(strings.NewReader(stdout), int64(len(stdout)))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := pf.Lookup("ocsf.version"); v != "1.1.0" || pf.NumRows() == 0 || pf.NumRows() >= 5025 {
		t.Errorf("parquet: version %q, %d rows", v, pf.NumRows())
	}
	for _, bad := range [][]string{{"--format", "ecs"}, {"-o", "csv"}} {
		if code, _, _ := runCLI(t, append([]string{"logs", "export", logs, "--out", out}, bad...)...); code != 3 {
			t.Errorf("%v: exit %d, want 3", bad, code)
		}
	}
	// A file of garbage: nothing to export is not a clean export.
	junk := filepath.Join(dir, "junk.log")
	os.WriteFile(junk, []byte("not a flow log\nat all\n"), 0o600)
	if code, _, _ := runCLI(t, "logs", "export", junk, "--out", filepath.Join(dir, "j.jsonl")); code != 2 {
		t.Errorf("garbage: exit %d, want 2", code)
	}
}
