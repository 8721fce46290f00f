package engine

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/sink/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGoldenSARIF pins the SARIF of a small repository: GitHub code scanning needs artifactLocation.uri
// relative to the repository and region.startLine on every IaC result.
func TestGoldenSARIF(t *testing.T) {
	r, err := scanIaC([]string{"testdata/repo"}, Options{Now: fixed})
	if err != nil {
		t.Fatal(err)
	}
	r.Tool.Version = "test"
	f, err := report.Lookup("sarif")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, report.Options{}); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/repo.sarif"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if d := cmp.Diff(string(want), buf.String()); d != "" {
		t.Errorf("-want +got:\n%s", d)
	}
}
