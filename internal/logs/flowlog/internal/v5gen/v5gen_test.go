package v5gen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/flowlog/internal/v5gen"
)

// TestGeneratedV5: the committed v5fast_gen.go and v5mask_gen.go are what the templates in internal/v5gen
// write now (run `go generate ./internal/logs/flowlog` after changing them), and the generator's column table
// is FieldsOfVersion(5) with its kinds (flowlog's TestV5Order checks the generated v5Order against it too).
// It lives here, not in flowlog's tests, so that flowlog's test binary (its benchmarks) links no generator.
func TestGeneratedV5(t *testing.T) {
	files, err := v5gen.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Errorf("generator writes %d files, want v5fast_gen.go and v5mask_gen.go", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./internal/logs/flowlog (diff at byte %d)", name, firstDiff(got, want))
		}
	}

	fields := flowlog.FieldsOfVersion(5)
	if len(v5gen.Columns) != len(fields) {
		t.Fatalf("generator has %d columns, version 5 has %d", len(v5gen.Columns), len(fields))
	}
	for i, c := range v5gen.Columns {
		f := fields[i]
		if got, ok := flowlog.LookupField(c.Field); !ok || got != f {
			t.Errorf("column %d: generator has %s (%q), version 5 has %q", i, c.Name, c.Field, f.Name())
		}
		want := map[v5gen.Kind]flowlog.Kind{v5gen.Int32: flowlog.KindInt32, v5gen.Int64: flowlog.KindInt64, v5gen.Time: flowlog.KindInt64,
			v5gen.String: flowlog.KindString, v5gen.Addr: flowlog.KindAddr, v5gen.Action: flowlog.KindString, v5gen.LogStatus: flowlog.KindString}[c.Kind]
		if f.Kind() != want || c.Version != f.Version() {
			t.Errorf("column %s: generator kind %d version %d, field kind %d version %d", c.Name, c.Kind, c.Version, f.Kind(), f.Version())
		}
		if (c.Kind == v5gen.Time) != (f == flowlog.Start || f == flowlog.End) || (c.Kind == v5gen.Action) != (f == flowlog.Action) ||
			(c.Kind == v5gen.LogStatus) != (f == flowlog.LogStatus) {
			t.Errorf("column %s: generator kind %d", c.Name, c.Kind)
		}
	}
}

func firstDiff(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
