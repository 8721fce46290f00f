// Package textsafe neutralises untrusted text before it reaches a person: a terminal (control characters,
// escape sequences, bidi overrides) or a spreadsheet (formula cells). Tag values, names, AWS error messages
// and file contents are all untrusted: a Name tag must not clear the screen, move the cursor, forge a
// "PASS" row or reorder what an operator reads.
//
// It depends on the standard library only, so every output package can use it.
package textsafe

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Terminal returns s with every character that could change how a terminal shows it rendered visibly
// escaped, Go-style: C0 controls (including \n, \r and \t), DEL, C1 controls, the Unicode bidi embeddings,
// overrides and isolates (U+202A–U+202E, U+2066–U+2069), the line and paragraph separators (U+2028, U+2029),
// and bytes that are not valid UTF-8. The result is one line. A string that needs none of this is returned
// as is, without allocating.
//
// When s holds no backslash and no double quote, strconv.Unquote(`"` + Terminal(s) + `"`) gives s back.
func Terminal(s string) string { return escape(s, false) }

// Lines is Terminal but keeps newlines: for multi-line messages (errors printed to stderr) whose own lines
// are trusted but whose parts may not be. Prefer Terminal on the untrusted parts.
func Lines(s string) string { return escape(s, true) }

// Unsafe reports whether r is a character Terminal escapes (bytes that are not UTF-8 are escaped too).
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// needsEscape reports whether s has anything escape would change.
func needsEscape(s string, keepNewline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			if (c < 0x20 && !(keepNewline && c == '\n')) || c == 0x7f {
				return true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || Unsafe(r) {
			return true
		}
		i += size - 1
	}
	return false
}

func escape(s string, keepNewline bool) string {
	if !needsEscape(s, keepNewline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			switch {
			case c == '\n' && keepNewline:
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20 || c == 0x7f:
				writeHexByte(&b, c)
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeHexByte(&b, c)
		case Unsafe(r):
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)))
			b.WriteString(h)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func writeHexByte(b *strings.Builder, c byte) {
	const hex = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}

// TerminalAll applies Terminal to every element, in place, and returns ss.
func TerminalAll(ss []string) []string {
	for i, s := range ss {
		ss[i] = Terminal(s)
	}
	return ss
}

// CSVCell defuses spreadsheet formula injection (CWE-1236): a cell that starts with = + - @, a tab, CR or LF
// gets a leading single quote, so Excel, LibreOffice and Google Sheets show it as text instead of running
// it. Everything else is returned as is; quoting of separators is the CSV writer's job.
func CSVCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r\n", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// CSVRow applies CSVCell to every cell, in place, and returns row.
func CSVRow(row []string) []string {
	for i, s := range row {
		row[i] = CSVCell(s)
	}
	return row
}

// Writer escapes what passes through it like Lines: newlines pass, every other unsafe character is escaped.
// It is for streams that print untrusted text line by line (progress of a rollback, say) whose newlines are
// the writer's own. A UTF-8 sequence split across two writes is held back until it is complete.
type Writer struct {
	w    io.Writer
	hold []byte
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it; it reports len(p) on success, as io.Writer requires.
func (w *Writer) Write(p []byte) (int, error) {
	data := p
	if len(w.hold) > 0 {
		data = append(w.hold, p...)
		w.hold = nil
	}
	// Hold back an incomplete UTF-8 sequence at the end (at most 3 bytes).
	cut := len(data)
	for k := 1; k <= 3 && k <= len(data); k++ {
		c := data[len(data)-k]
		if c < 0x80 {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(data[len(data)-k:]) {
				cut = len(data) - k
			}
			break
		}
	}
	if cut < len(data) {
		w.hold = append([]byte(nil), data[cut:]...)
		data = data[:cut]
	}
	if _, err := io.WriteString(w.w, Lines(string(data))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what is held back (an incomplete UTF-8 sequence, escaped).
func (w *Writer) Flush() error {
	if len(w.hold) == 0 {
		return nil
	}
	h := w.hold
	w.hold = nil
	_, err := io.WriteString(w.w, Lines(string(h)))
	return err
}
