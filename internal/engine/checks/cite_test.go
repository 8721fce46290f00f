package checks

import (
	"regexp"
	"testing"
)

// TestBuiltinChecksCiteNoMissingDocument: `flowguard checks show` prints a built-in check's file to users who
// have the binary and, at most, the README; the files must not send them to documents they do not have.
func TestBuiltinChecksCiteNoMissingDocument(t *testing.T) {
	doc := regexp.MustCompile(`(?i)\b[\w./-]+\.(md|txt|pdf|docx?)\b|design doc|\bseed`)
	for _, c := range Builtin() {
		for _, m := range doc.FindAllString(c.Source(), -1) {
			if m != "README.md" {
				t.Errorf("%s cites %q, which users of flowguard do not have", c.File, m)
			}
		}
	}
}
