package textsafe

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerminal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"vpc-0abc prod", "vpc-0abc prod"},
		{"héllo wörld ✓ 日本", "héllo wörld ✓ 日本"},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"a\nb\rc\td", `a\nb\rc\td`},
		{"x\x00y\x7f", `x\x00y\x7f`},
		{"\u009b31m", `\u009b31m`},               // C1 CSI as a rune
		{"a\xffb\x9b", `a\xffb\x9b`},             // bytes that are not UTF-8 (0x9b is CSI on 8-bit terminals)
		{"txt\u202egnp.exe", `txt\u202egnp.exe`}, // right-to-left override
		{"\u2066\u2069\u202a", `\u2066\u2069\u202a`},
		{"line\u2028sep\u2029", `line\u2028sep\u2029`},
		{"\ufffd is fine", "\ufffd is fine"},
	} {
		if got := Terminal(tc.in); got != tc.want {
			t.Errorf("Terminal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Lines("a\nb\x1b"); got != "a\nb\\x1b" {
		t.Errorf("Lines kept the wrong things: %q", got)
	}
}

func TestTerminalNoAllocWhenSafe(t *testing.T) {
	s := strings.Repeat("vpc-0123456789abcdef Name=prod-eu ", 20)
	if n := testing.AllocsPerRun(100, func() { _ = Terminal(s) }); n != 0 {
		t.Fatalf("Terminal allocated %v times on a safe string", n)
	}
}

func TestCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"vpc-1", "vpc-1"}, {"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"}, {"+1", "'+1"}, {"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"}, {"\t=1", "'\t=1"}, {"\r=1", "'\r=1"}, {"\n=1", "'\n=1"}, {"a=1", "a=1"},
	} {
		if got := CSVCell(tc.in); got != tc.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriterSplitRune(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	in := []byte("ok ✓\x1b[31m\n\u202e")
	for i := range in { // one byte at a time: every rune is split
		if _, err := w.Write(in[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "ok ✓\\x1b[31m\n\\u202e"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// checkTerminal asserts the properties every output of Terminal has.
func checkTerminal(t *testing.T, s string) {
	out := Terminal(s)
	if !utf8.ValidString(out) {
		t.Fatalf("Terminal(%q) = %q: not valid UTF-8", s, out)
	}
	for _, r := range out {
		if Unsafe(r) {
			t.Fatalf("Terminal(%q) = %q: holds %U", s, out, r)
		}
	}
	if again := Terminal(out); again != out {
		t.Fatalf("Terminal is not idempotent: %q -> %q", out, again)
	}
	if !needsEscape(s, false) && out != s {
		t.Fatalf("Terminal changed a safe string: %q -> %q", s, out)
	}
	if !strings.ContainsAny(s, `\"`) {
		back, err := strconv.Unquote(`"` + out + `"`)
		if err != nil || back != s {
			t.Fatalf("Terminal(%q) = %q does not unquote back (%q, %v)", s, out, back, err)
		}
	}
	lines := Lines(s)
	for _, r := range lines {
		if r != '\n' && Unsafe(r) {
			t.Fatalf("Lines(%q) = %q: holds %U", s, lines, r)
		}
	}
	if strings.Count(lines, "\n") != strings.Count(s, "\n") {
		t.Fatalf("Lines(%q) = %q: changed the number of lines", s, lines)
	}
}

func FuzzTerminal(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "a\nb\r\n", "\u202e\u2066\u2028", "\xff\xfe\x9b", "\u0085\u009f",
		"=cmd|' /C calc'!A0", `back\slash "q"`, "日本\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkTerminal(t, s)
		// Writer, fed in two pieces, gives what Lines gives for the whole.
		var buf bytes.Buffer
		w := NewWriter(&buf)
		half := len(s) / 2
		w.Write([]byte(s[:half]))
		w.Write([]byte(s[half:]))
		w.Flush()
		if buf.String() != Lines(s) {
			t.Fatalf("Writer(%q) = %q, Lines = %q", s, buf.String(), Lines(s))
		}
	})
}

func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"", "=1+1", "+", "-", "@", "\t", "\r", "\n", "vpc-1", "'=already", " =1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CSVCell(s)
		if out != "" && strings.IndexByte("=+-@\t\r\n", out[0]) >= 0 {
			t.Fatalf("CSVCell(%q) = %q starts with a formula character", s, out)
		}
		if out != s && out != "'"+s {
			t.Fatalf("CSVCell(%q) = %q: changed more than a leading quote", s, out)
		}
		if strings.TrimPrefix(out, "'") != s && out != s {
			t.Fatalf("CSVCell(%q) = %q: data lost", s, out)
		}
	})
}

func BenchmarkTerminalSafe(b *testing.B) {
	s := "vpc-0123456789abcdef prod-eu-west-1 arn:aws:logs:eu-west-1:111122223333:log-group:/flowguard/vpc"
	for b.Loop() {
		_ = Terminal(s)
	}
}

func BenchmarkTerminalHostile(b *testing.B) {
	s := strings.Repeat("\x1b[2J\u202e=cmd\n", 100)
	for b.Loop() {
		_ = Terminal(s)
	}
}
