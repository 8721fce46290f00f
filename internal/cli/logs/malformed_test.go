package logs_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
)

// Records in a custom format without a header line, read without --log-format, are mostly malformed: the
// report is still written, but the command exits 2 and says what to do; with the format it exits 0.
func TestLogsReportMostlyMalformedHint(t *testing.T) {
	t.Parallel()
	const format = "${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}"
	file := filepath.Join(t.TempDir(), "custom.log")
	if code, _, errOut := runCLI(t, "logs", "generate", "--out", file, "--records", "500", "--log-format", format, "--no-header"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "logs", "report", file)
	if code != cmdutil.ExitIncomplete || !strings.Contains(errOut, "lines malformed: no header line and no --log-format") || out == "" {
		t.Errorf("no --log-format: exit %d, want 2, the hint and the report\nstderr %q\nstdout %s", code, errOut, out)
	}
	if code, out, errOut := runCLI(t, "logs", "report", file, "--log-format", format, "-o", "json"); code != 0 || !strings.Contains(out, `"malformed": 0`) {
		t.Errorf("with --log-format: exit %d, want 0 and no malformed line\nstderr %q\nstdout %.400s", code, errOut, out)
	}
	// A format that does not match: the hint names --log-format.
	if code, _, errOut := runCLI(t, "logs", "report", file, "--log-format", "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport}"); code != 2 ||
		!strings.Contains(errOut, "do not match --log-format") {
		t.Errorf("wrong --log-format: exit %d stderr %q", code, errOut)
	}
}

// The progress line goes to a terminal's stderr only, is cleared at the end, and never reaches the report.
func TestLogsProgressOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "flowlogs")
	terminal := func(args ...string) (code int, stdout, stderr string) {
		f, out, errOut := cmdutil.NewTestFactory("", map[string]string{"HOME": t.TempDir()})
		f.IOStreams.ErrTTY = true
		code = clitest.RunWith(t, f, args...)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := terminal("logs", "generate", "--out-dir", dir, "--records", "3000", "--duration", "2h")
	if code != 0 || !regexp.MustCompile(`^\r\x1b\[Kwrote [0-9,]+ of 3,[0-9]{3} records, [0-9.]+ (B|KiB|MiB)(\r\x1b\[K.*)*\r\x1b\[K$`).MatchString(errOut) ||
		strings.Contains(out, "\r") {
		t.Errorf("generate on a terminal: exit %d\nstderr %q\nstdout %q", code, errOut, out)
	}
	code, out, errOut = terminal("logs", "report", dir, "-o", "json")
	if code != 0 || !regexp.MustCompile(`\r\x1b\[Kread 3,[0-9]{3} records, [0-9.]+ KiB, 2/2 inputs\r\x1b\[K$`).MatchString(errOut) ||
		strings.Contains(out, "\r") {
		t.Errorf("report on a terminal: exit %d\nstderr %q\nstdout %.300q", code, errOut, out)
	}
	// Piped (the default of the test streams): no progress at all.
	if code, _, errOut := runCLI(t, "logs", "report", dir, "-o", "json"); code != 0 || errOut != "" {
		t.Errorf("report on a pipe: exit %d stderr %q", code, errOut)
	}
}
