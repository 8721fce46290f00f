package engine

import (
	"bytes"
	"testing"

	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/testenv/golden"
)

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
	golden.Bytes(t, "testdata/repo.sarif", buf.Bytes())
}
