package source

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/layout"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// collector records what a Run saw, one line per record.
type collector struct {
	mu    sync.Mutex
	lines []string
}

type collectSink struct{ c *collector }

func (s collectSink) Add(r *flowlog.Record) {
	s.c.mu.Lock()
	s.c.lines = append(s.c.lines, r.SrcAddr.String()+" "+r.Action.String()+" "+r.LogStatus.String())
	s.c.mu.Unlock()
}

func runAll(t *testing.T, units []Unit, opts flowlog.Options) (flowlog.Stats, map[string]int, error) {
	t.Helper()
	c := &collector{}
	st, err := Run(context.Background(), units, 3, opts, func() Sink { return collectSink{c} })
	counts := map[string]int{}
	for _, l := range c.lines {
		counts[l]++
	}
	return st, counts, err
}

func genCounts(t *testing.T, cfg gen.Config) (map[string]int, int64) {
	t.Helper()
	g := gen.New(cfg)
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, true); err != nil {
		t.Fatal(err)
	}
	st, counts, err := runAll(t, []Unit{Reader{R: &buf, Label: "x"}}, flowlog.Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return counts, st.Records
}

func TestFilesPlainGzipParquetRecursive(t *testing.T) {
	cfg := gen.Config{Seed: 4, Records: 3000, Duration: 3 * time.Hour, BruteForces: 1, Format: flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)}
	want, n := genCounts(t, cfg)
	for _, tc := range []struct {
		name string
		o    layout.Options
	}{{"gzip", layout.Options{}}, {"parquet hive per-hour", layout.Options{Parquet: true, Hive: true, PerHour: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := gen.New(cfg).WriteDir(dir, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 3 {
				t.Errorf("%d files, want 3 (one per hour)", len(files))
			}
			// A hidden file is skipped; a plain uncompressed file is read.
			os.WriteFile(filepath.Join(dir, ".DS_Store"), []byte("junk"), 0o644)
			units, err := Files([]string{dir}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(units) != 3 {
				t.Fatalf("%d units", len(units))
			}
			st, got, err := runAll(t, units, flowlog.Options{Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			if st.Records != n || st.Malformed != 0 {
				t.Errorf("stats %+v, want %d records", st, n)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("records differ (-want +got):\n%s", d)
			}
		})
	}
}

func TestPlainFileAndMalformedSamples(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "a.log")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, []byte("2 1 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 40 100 160 REJECT OK\nbroken line\n2 1 eni-1 - - - - - - - 100 160 - NODATA\n"), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("2 1 eni-2 10.0.0.3 10.0.0.4 1 22 6 1 40 100 160 ACCEPT OK\n"))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "b.gz"), gz.Bytes(), 0o644)
	units, err := Files([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, got, err := runAll(t, units, flowlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"10.0.0.1 REJECT OK": 1, "invalid IP - NODATA": 1, "10.0.0.3 ACCEPT OK": 1}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
	if st.Malformed != 1 || len(st.Samples) != 1 || st.Samples[0].Name != p || st.Samples[0].Line != 2 {
		t.Errorf("stats %+v", st)
	}
	if _, _, err := runAll(t, units, flowlog.Options{Strict: true}); err == nil || !strings.Contains(err.Error(), p+":2:") {
		t.Errorf("strict: %v", err)
	}
	if _, err := Files([]string{filepath.Join(dir, "missing")}, nil); err == nil {
		t.Error("missing path accepted")
	}
}
