package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestIaCScanCommand(t *testing.T) {
	const repo = "../iacscan/testdata/repo"
	io, out, errOut := testStreams()
	if code := Main(context.Background(), []string{"iac", "scan", "--output", "json", repo}, io); code != 1 {
		t.Fatalf("exit %d, want 1 (FAIL findings)\n%s", code, errOut)
	}
	var r struct {
		Source   string
		Findings []struct {
			Status   string
			Location struct {
				File string
				Line int
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Source != "cloudformation+terraform" || len(r.Findings) != 4 {
		t.Errorf("source %q, %d findings; want cloudformation+terraform, 4", r.Source, len(r.Findings))
	}
	for _, f := range r.Findings {
		if f.Location.File == "" || f.Location.Line == 0 {
			t.Errorf("finding without file:line: %+v", f)
		}
	}

	io, out, _ = testStreams()
	if code := Main(context.Background(), []string{"iac", "scan", "-o", "junit", repo + "/templates/vpc.yaml"}, io); code != 1 {
		t.Errorf("junit: exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "<testsuites") || !strings.Contains(out.String(), "ACCEPT") {
		t.Errorf("junit output:\n%s", out)
	}

	io, _, errOut = testStreams()
	if code := Main(context.Background(), []string{"iac", "scan", t.TempDir()}, io); code != 3 {
		t.Errorf("empty directory: exit %d, want 3", code)
	}
	if !strings.Contains(errOut.String(), "no Terraform") {
		t.Errorf("stderr: %s", errOut)
	}
	io, _, _ = testStreams()
	if code := Main(context.Background(), []string{"iac", "scan"}, io); code != 3 {
		t.Errorf("no path: exit %d, want 3", code)
	}
}
