package human

import (
	"regexp"
	"strings"
	"testing"
)

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 5000: "5,000", 123456: "123,456",
		1234567: "1,234,567", -1234: "-1,234", -12: "-12"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "account", "1 account"}, {0, "account", "0 accounts"}, {2, "account", "2 accounts"},
		{1, "failing finding", "1 failing finding"}, {3, "failing finding", "3 failing findings"},
		{5000, "VPC", "5,000 VPCs"}, {2, "batch", "2 batches"}, {2, "policy", "2 policies"}, {2, "key", "2 keys"},
		{2, "API call", "2 API calls"}, {1, "region", "1 region"},
	} {
		if got := Plural(c.n, c.noun); got != c.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		part, whole int
		want        string
	}{{0, 10, "0.0%"}, {10, 10, "100.0%"}, {4999, 5000, "99.9%"}, {1, 5000, "0.1%"}, {1, 3, "33.3%"}, {2, 3, "66.7%"}, {2, 7, "28.6%"}, {49999, 50000, "99.9%"}, {0, 0, "-"}} {
		if got := Percent(c.part, c.whole); got != c.want {
			t.Errorf("Percent(%d, %d) = %q, want %q", c.part, c.whole, got, c.want)
		}
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestTableColorAndLongValues: with colour on, once the escape codes are stripped, every column starts at the
// same offset on every line, and a long region widens its column instead of shifting the rest of its row.
func TestTableColorAndLongValues(t *testing.T) {
	tb := &Table{Indent: "  ", Color: true, Right: map[int]bool{3: true}}
	tb.Header("STATUS", "REGION", "VPC", "COUNT", "NOTE")
	tb.AddCells(Cell{Text: "FAIL", Color: "\x1b[31m"}, Cell{Text: "ap-southeast-2"}, Cell{Text: "vpc-1"}, Cell{Text: "1,000"}, Cell{Text: "x"})
	tb.AddCells(Cell{Text: "PASS", Color: "\x1b[32m"}, Cell{Text: "us-east-1"}, Cell{Text: "vpc-0123456789abcdef0"}, Cell{Text: "7"}, Cell{Text: "y"})
	tb.AddCells(Cell{Text: "EXCEPTED", Color: "\x1b[34m"}, Cell{Text: "eu-west-1"}, Cell{Text: "名前"}, Cell{Text: "12"}, Cell{Text: "z"})
	out := tb.String()
	if !strings.Contains(out, "\x1b[31mFAIL\x1b[0m") {
		t.Fatalf("no colour in %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(ansi.ReplaceAllString(out, ""), "\n"), "\n")
	at := func(line, sub string) int { return Width(line[:strings.Index(line, sub)]) }
	rows := [][]string{{"FAIL", "ap-southeast-2", "vpc-1", "1,000", "x"}, {"PASS", "us-east-1", "vpc-0123456789abcdef0", "7", "y"},
		{"EXCEPTED", "eu-west-1", "名前", "12", "z"}}
	for i, row := range rows {
		l := lines[i+1]
		if strings.HasSuffix(l, " ") {
			t.Errorf("row %d has trailing spaces: %q", i+1, l)
		}
		for c, title := range []string{"STATUS", "REGION", "VPC", "COUNT", "NOTE"} {
			if c == 3 { // right-aligned: the ends line up
				if end, hend := Width(l[:strings.LastIndex(l, row[c]+"  ")])+Width(row[c]), at(lines[0], title)+Width(title); end != hend {
					t.Errorf("row %d: %s ends at cell %d, header at %d:\n%s\n%s", i+1, title, end, hend, lines[0], l)
				}
				continue
			}
			if got, want := at(l, row[c]), at(lines[0], title); got != want {
				t.Errorf("row %d: %s starts at cell %d, header at %d:\n%s\n%s", i+1, title, got, want, lines[0], l)
			}
		}
	}
}

// TestTableEscapes: cells from AWS or a tag cannot repaint the terminal.
func TestTableEscapes(t *testing.T) {
	tb := &Table{}
	tb.Row("\x1b[2J\x1b[31mPASS", "a\nb")
	out := tb.String()
	if strings.Contains(out, "\x1b") || strings.Count(out, "\n") != 1 {
		t.Errorf("unescaped control characters: %q", out)
	}
}
