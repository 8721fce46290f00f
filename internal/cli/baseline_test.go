package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBaselineCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	io, out, errOut := testStreams()
	if code := Main(context.Background(), []string{"baseline", "--format", "terraform", "--out-dir", dir}, io); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out.String(), "wrote "+filepath.Join(dir, "terraform", "main.tf")) {
		t.Errorf("output: %s", out)
	}
	// The written module passes iac scan through the CLI too.
	io, out, _ = testStreams()
	if code := Main(context.Background(), []string{"iac", "scan", dir}, io); code != 0 {
		t.Errorf("iac scan of the baseline: exit %d\n%s", code, out)
	}

	io, out, _ = testStreams()
	if code := Main(context.Background(), []string{"baseline", "--format", "scp", "--break-glass-role", "BG"}, io); code != 0 {
		t.Fatalf("scp: exit %d", code)
	}
	if !strings.HasPrefix(out.String(), "{") || !strings.Contains(out.String(), "role/BG") {
		t.Errorf("scp printed:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "scp")); err == nil {
		t.Error("printing wrote files")
	}

	for _, args := range [][]string{
		{"baseline"},
		{"baseline", "--format", "pulumi"},
		{"baseline", "--format", "terraform", "--traffic-type", "ACCEPT"},
		{"baseline", "--format", "terraform", "--retention-days", "90"},
	} {
		io, _, errOut := testStreams()
		if code := Main(context.Background(), args, io); code != 3 {
			t.Errorf("%v: exit %d, want 3 (%s)", args, code, errOut)
		}
	}
}
