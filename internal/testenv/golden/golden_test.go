package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing the test.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Errorf(format string, a ...any) { r.failed = append(r.failed, format) }
func (r *recorder) Fatalf(format string, a ...any) { r.failed = append(r.failed, format) }
func (r *recorder) Fatal(a ...any)                 { r.failed = append(r.failed, "fatal") }

func TestBytes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.golden")
	os.WriteFile(p, []byte("{\n  \"a\": 1\n}\n"), 0o644)
	r := &recorder{TB: t}
	JSON(r, p, map[string]int{"a": 1})
	if len(r.failed) != 0 {
		t.Errorf("equal output failed: %v", r.failed)
	}
	String(r, p, "something else")
	if len(r.failed) != 1 || !strings.Contains(r.failed[0], "differs") {
		t.Errorf("different output: %v", r.failed)
	}
	r.failed = nil
	String(r, filepath.Join(dir, "missing"), "x")
	if len(r.failed) != 1 || !strings.Contains(r.failed[0], "-update") {
		t.Errorf("missing file: %v", r.failed)
	}
}
