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

// TestBuiltinMessagesPluralise: the built-in messages count with the plural function ("1 flow log",
// "2 log groups"), never "flow log(s)".
func TestBuiltinMessagesPluralise(t *testing.T) {
	for _, c := range Builtin() {
		if i := regexp.MustCompile(`\w\(s\)`).FindStringIndex(c.Source()); i != nil {
			t.Errorf("%s: %q: use {{plural N \"noun\"}}", c.File, c.Source()[max(0, i[0]-20):i[1]])
		}
	}
}
