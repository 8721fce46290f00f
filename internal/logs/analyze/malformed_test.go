package analyze_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/logs/source"
)

func readReport(t *testing.T, data []byte, format *flowlog.Format) *analyze.Report {
	t.Helper()
	eng := analyze.New(analyze.Config{}, 1)
	st, err := source.Run(context.Background(), []source.Unit{source.Reader{R: bytes.NewReader(data), Label: "in.log"}}, 1,
		flowlog.Options{Format: format}, func() source.Sink { return eng.Shard() })
	if err != nil {
		t.Fatal(err)
	}
	return eng.Finish(st, []string{"in.log"})
}

// A version-5 file without its header line, read without --log-format: every line is malformed, and the
// report must say so and why instead of looking like a clean, empty report.
func TestMostlyMalformedHeaderlessInput(t *testing.T) {
	v5 := flowlog.FormatOf(flowlog.FieldsOfVersion(5)...)
	var buf bytes.Buffer
	if err := gen.New(gen.Config{Seed: 3, Records: 1000, Duration: time.Hour, Format: v5}).WriteStream(&buf, false); err != nil {
		t.Fatal(err)
	}
	rep := readReport(t, buf.Bytes(), nil)
	if !rep.MostlyMalformed() {
		t.Fatalf("input %+v: not MostlyMalformed", rep.Input)
	}
	hint := rep.MalformedHint(false)
	if !strings.Contains(hint, "no header line and no --log-format: say the record format with --log-format, or keep the header line") {
		t.Errorf("hint %q", hint)
	}
	if !strings.HasPrefix(hint, "1000 of 1000 lines malformed") {
		t.Errorf("hint %q does not say how many", hint)
	}
	if h := rep.MalformedHint(true); !strings.Contains(h, "do not match --log-format") {
		t.Errorf("hint with a format given: %q", h)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "more than half of the lines are malformed") {
		t.Errorf("notes %q", rep.Notes)
	}

	// The same records with the format given, or with their header line, are clean.
	if rep := readReport(t, buf.Bytes(), v5); rep.MostlyMalformed() || rep.MalformedHint(true) != "" || rep.Input.Malformed != 0 {
		t.Errorf("with --log-format: %+v", rep.Input)
	}
	withHeader := append([]byte(v5.Header()+"\n"), buf.Bytes()...)
	if rep := readReport(t, withHeader, nil); rep.MostlyMalformed() || rep.Input.Malformed != 0 {
		t.Errorf("with a header line: %+v", rep.Input)
	}
}

func TestMostlyMalformedThreshold(t *testing.T) {
	good := "2 123456789012 eni-0a1b2c3d4e5f60718 10.0.0.1 10.0.0.2 443 50000 6 10 840 1767225600 1767225660 ACCEPT OK\n"
	for _, c := range []struct {
		good, bad int
		want      bool
	}{{10, 0, false}, {10, 10, false}, {10, 11, true}, {0, 3, true}, {1, 0, false}} {
		data := strings.Repeat(good, c.good) + strings.Repeat("not a flow log line\n", c.bad) + "\n\n"
		rep := readReport(t, []byte(data), nil)
		if got := rep.MostlyMalformed(); got != c.want {
			t.Errorf("%d good, %d bad: MostlyMalformed %v, want %v (%+v)", c.good, c.bad, got, c.want, rep.Input)
		}
		if (rep.MalformedHint(false) != "") != c.want {
			t.Errorf("%d good, %d bad: hint %q", c.good, c.bad, rep.MalformedHint(false))
		}
	}
}
