package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIaCScanCommand(t *testing.T) {
	t.Parallel()
	const repo = "../engine/testdata/repo"
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

	// Nothing read is nothing checked: exit 2, never 0 (and not a usage error: the path exists).
	io, _, errOut = testStreams()
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "README.md"), []byte("# nothing here\n"), 0o644)
	os.WriteFile(filepath.Join(empty, "values.yaml"), []byte("a: 1\n"), 0o644)
	if code := Main(context.Background(), []string{"iac", "scan", empty}, io); code != 2 {
		t.Errorf("directory without IaC: exit %d, want 2", code)
	}
	if want := "no Terraform, CloudFormation or plan files under " + empty; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %q: %s", want, errOut)
	}
	io, _, _ = testStreams()
	if code := Main(context.Background(), []string{"iac", "scan"}, io); code != 3 {
		t.Errorf("no path: exit %d, want 3", code)
	}

	// User checks run on IaC like on a live scan; --check narrows to them.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "default.yaml"), []byte(`id: no-default-vpc
title: No default VPC is declared
severity: low
asset_types: [VPC]
query: 'vpcs(where: {isDefault: true})'
expect: eq []
`), 0o644)
	io, out, errOut = testStreams()
	if code := Main(context.Background(), []string{"iac", "scan", "-o", "json", "--checks", dir, "--check", "no-default-vpc", repo}, io); code != 0 {
		t.Fatalf("user check: exit %d\n%s", code, errOut)
	}
	var u struct {
		Findings []struct {
			CheckID string `json:"check_id"`
		}
	}
	json.Unmarshal(out.Bytes(), &u)
	if len(u.Findings) == 0 {
		t.Errorf("the user check gave no findings:\n%s", out)
	}
	for _, f := range u.Findings {
		if f.CheckID != "no-default-vpc" {
			t.Errorf("--check did not narrow: %s", f.CheckID)
		}
	}
	io, _, errOut = testStreams()
	if code := Main(context.Background(), []string{"iac", "scan", "--check", "no-such-check", repo}, io); code != 3 {
		t.Errorf("unknown check: exit %d (%s)", code, errOut)
	}
}
