// Package golden compares test output with golden files, and rewrites them when the test binary runs with
// -update: go test ./internal/sink/report -update. It is the one golden-file helper of the tree; a test
// package that uses it must not define an -update flag of its own.
package golden

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files instead of comparing with them")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// Bytes compares got with the golden file at path (relative paths are from the test's package directory);
// with -update it writes got to path first, creating its directory.
func Bytes(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
		return
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs from the golden file (-want +got); run go test -update in this package if intended:\n%s", path, d)
	}
}

// String is Bytes for a string.
func String(t testing.TB, path, got string) {
	t.Helper()
	Bytes(t, path, []byte(got))
}

// JSON compares got, as indented JSON with a final newline, with the golden file at path.
func JSON(t testing.TB, path string, got any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Bytes(t, path, append(b, '\n'))
}
