// Package hostile supplies the strings of a "hostile estate" for tests — what an attacker who can set a tag,
// name a log group or shape an error message would write — and the checks every output must pass.
package hostile

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/textsafe"
)

// Core carries everything at once: a formula prefix, escape sequences that clear the screen and move the
// cursor, CR/LF and a forged PASS row, bidi overrides and isolates, separators, C1 controls, DEL, NUL, BEL,
// HTML and script, attribute breakouts, Markdown table and link syntax. It is valid UTF-8, as AWS strings are.
const Core = "=cmd|' /C calc'!A0\x1b[2J\x1b[1;1H\r\n  PASS    vpc-forged  all good\r\u202eevil\u2066iso\u2069\u2028\u2029\u0085\u009b31m\x7f\x00\x07" +
	" <script>alert(1)</script> \"><img src=x onerror=alert(1)> ' `tick` | cell | # head [link](http://evil.example) &amp; \\"

// ForgedRow is a line Core would forge if its newline reached a terminal raw.
const ForgedRow = "  PASS    vpc-forged"

// Value returns Core behind a formula prefix (one of = + - @ \t \r), so every leading character is covered.
func Value(i int) string {
	prefixes := []string{"", "+", "-", "@", "\t", "\r", "\n"}
	return prefixes[i%len(prefixes)] + Core
}

// Big returns a value of at least 64 KiB made of copies of Core.
func Big() string {
	return strings.Repeat(Core, 64*1024/len(Core)+1)
}

// TerminalSafe fails t when out holds a character a terminal would act on (C0 other than newline, DEL, C1,
// bidi controls, separators) or a line forged by a value's newline.
func TerminalSafe(t testing.TB, name, out string) {
	t.Helper()
	for i, r := range out {
		if r != '\n' && textsafe.Unsafe(r) {
			lo := max(0, i-40)
			t.Errorf("%s: raw %U at byte %d: …%q…", name, r, i, out[lo:min(len(out), i+40)])
			return
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), strings.TrimLeft(ForgedRow, " ")) {
			t.Errorf("%s: a value forged a line: %q", name, line[:min(len(line), 80)])
			return
		}
	}
}

// CSVSafe parses out as CSV and fails t when a cell starts with a character a spreadsheet runs as a formula.
// It returns the records.
func CSVSafe(t testing.TB, name, out string) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(out))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: not CSV: %v", name, err)
	}
	for _, rec := range recs {
		for _, c := range rec {
			if c != "" && strings.IndexByte("=+-@\t\r\n", c[0]) >= 0 {
				t.Errorf("%s: cell starts with a formula character: %.60q", name, c)
			}
		}
	}
	return recs
}

// HTMLSafe fails t when data broke out into markup: the page's own script is the only <script>, and no
// element or attribute from the data exists.
func HTMLSafe(t testing.TB, name, out string, ownScripts int) {
	t.Helper()
	if n := strings.Count(strings.ToLower(out), "<script"); n != ownScripts {
		t.Errorf("%s: %d <script> elements, want the page's own %d", name, n, ownScripts)
	}
	for _, bad := range []string{"<img", "<script>alert", "onerror=alert(1)>"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s: data is markup: contains %q", name, bad)
		}
	}
}
