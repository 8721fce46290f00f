// Package human formats numbers (counts with thousands separators, byte sizes in binary units, percentages),
// plurals and aligned tables for people reading a terminal or an HTML page. Machine formats (JSON, CSV,
// SARIF, …) never use it: they keep raw numbers.
//
// Table measures the text a person sees: widths are counted in terminal cells on the escaped text, and colour
// is added after padding, so escape codes never count as width (text/tabwriter counts their bytes) and a long
// value (a region like ap-southeast-2, a long name) widens its column instead of breaking the alignment of
// every row below it.
package human

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flowguard/flowguard/internal/textsafe"
)

// Count renders n with thousands separators: 5000 -> "5,000", 8823384480 -> "8,823,384,480". It takes any
// integer type, so table code (int) and byte and record totals (int64) share one implementation.
func Count[T ~int | ~int32 | ~int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	start := 0
	if n < 0 {
		start = 1
	}
	digits := len(s) - start
	if digits <= 3 {
		return s
	}
	b := make([]byte, 0, len(s)+(digits-1)/3)
	b = append(b, s[:start]...)
	first := digits % 3
	if first == 0 {
		first = 3
	}
	b = append(b, s[start:start+first]...)
	for i := start + first; i < len(s); i += 3 {
		b = append(b, ',')
		b = append(b, s[i:i+3]...)
	}
	return string(b)
}

var byteUnits = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// Bytes renders n bytes: "512 B", "1.0 KiB", "8.2 GiB". Values of 1 KiB and more have one decimal, rounded
// half away from zero, and never show "1024.0" of a unit (that is the next unit). Negative values keep their sign.
func Bytes(n int64) string {
	if n > -1024 && n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	neg := n < 0
	// Work in uint64 so that math.MinInt64 has a magnitude.
	u := uint64(n)
	if neg {
		u = -u
	}
	// Tenths of the unit, computed in integers so that the rounding is exact: v = round(u*10/1024^(i+1)).
	i := 0
	div := uint64(1024)
	for i < len(byteUnits)-1 && u >= div*1024-div/20 { // would round to 1024.0 of this unit or more: next unit
		div *= 1024
		i++
	}
	tenths := (u/div)*10 + ((u%div)*10+div/2)/div
	s := strconv.FormatUint(tenths/10, 10) + "." + strconv.FormatUint(tenths%10, 10) + " " + byteUnits[i]
	if neg {
		return "-" + s
	}
	return s
}

// Plural renders a count and a noun that agrees with it: Plural(1, "account") is "1 account", Plural(2,
// "account") "2 accounts", Plural(5000, "VPC") "5,000 VPCs". Nouns whose plural is not noun+"s" use PluralOf.
func Plural(n int, noun string) string { return Count(n) + " " + Noun(n, noun) }

// PluralOf is Plural with an explicit plural form: PluralOf(2, "batch", "batches").
func PluralOf(n int, one, many string) string {
	if n == 1 {
		return Count(n) + " " + one
	}
	return Count(n) + " " + many
}

// Noun returns noun, or its plural when n is not 1. A noun ending in s, x, ch or sh takes "es"; one ending in
// a consonant and y takes "ies" (policy -> policies).
func Noun(n int, noun string) string {
	if n == 1 || noun == "" {
		return noun
	}
	switch {
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}

// Percent renders part/whole rounded to one decimal, except that a partial result never reads as 100.0% or
// 0.0%: 4,999 of 5,000 is "99.9%", 1 of 5,000 "0.1%" (a compliance figure must not read as complete when it
// is not). A whole of 0 gives "-".
func Percent(part, whole int) string {
	if whole <= 0 {
		return "-"
	}
	tenths := (part*2000 + whole) / (2 * whole) // round half up
	if part > 0 && tenths == 0 {
		tenths = 1
	}
	if part < whole && tenths == 1000 {
		tenths = 999
	}
	return strconv.Itoa(tenths/10) + "." + strconv.Itoa(tenths%10) + "%"
}

// Width is the number of terminal cells s takes: combining marks and zero-width characters take none, East
// Asian wide and fullwidth characters take two, every other character one. s must hold no escape codes (run
// untrusted text through textsafe.Terminal first).
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r == 0x200b || r == 0x200c || r == 0x200d || r == 0x2060 || r == 0xfeff:
		return 0
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		return 0
	case r >= 0x1100 && r <= 0x115f, r >= 0x2e80 && r <= 0x303e, r >= 0x3041 && r <= 0x33ff,
		r >= 0x3400 && r <= 0x4dbf, r >= 0x4e00 && r <= 0x9fff, r >= 0xa000 && r <= 0xa4cf,
		r >= 0xac00 && r <= 0xd7a3, r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f,
		r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6, r >= 0x1f300 && r <= 0x1f64f,
		r >= 0x1f900 && r <= 0x1f9ff, r >= 0x20000 && r <= 0x3fffd:
		return 2
	}
	return 1
}

// Pad returns s followed by spaces up to width cells.
func Pad(s string, width int) string {
	if w := Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// PadLeft returns s preceded by spaces up to width cells (for numbers).
func PadLeft(s string, width int) string {
	if w := Width(s); w < width {
		return strings.Repeat(" ", width-w) + s
	}
	return s
}

// Cell is one table cell: its text, and an optional colour applied after padding.
type Cell struct {
	Text string
	// Color is an ANSI SGR sequence (e.g. "\x1b[31m") or "". Painted only when the table's Color is on.
	Color string
}

// Table is a table whose column widths are computed from every row before anything is written.
type Table struct {
	// Indent starts every line.
	Indent string
	// Gap separates columns (two spaces when empty).
	Gap string
	// Right aligns the columns whose index is true to the right (counts).
	Right map[int]bool
	// Color allows the cells' colours.
	Color bool
	// Trusted marks the table's text as flowguard's own: cells are not escaped. Leave it false for values
	// that came from AWS, a file or a tag: every cell then goes through textsafe.Terminal.
	Trusted bool

	rows [][]Cell
}

// Header adds a row of plain column titles.
func (t *Table) Header(titles ...string) {
	row := make([]Cell, len(titles))
	for i, s := range titles {
		row[i] = Cell{Text: s}
	}
	t.rows = append(t.rows, row)
}

// Row adds a row of plain cells.
func (t *Table) Row(cells ...string) {
	row := make([]Cell, len(cells))
	for i, s := range cells {
		row[i] = Cell{Text: s}
	}
	t.AddCells(row...)
}

// AddCells adds a row of cells that may carry colour.
func (t *Table) AddCells(cells ...Cell) {
	if !t.Trusted {
		for i := range cells {
			cells[i].Text = textsafe.Terminal(cells[i].Text)
		}
	}
	t.rows = append(t.rows, cells)
}

// Len is the number of rows added, the header included.
func (t *Table) Len() int { return len(t.rows) }

// Widths returns the width of every column.
func (t *Table) Widths() []int {
	var ws []int
	for _, row := range t.rows {
		for i, c := range row {
			if i >= len(ws) {
				ws = append(ws, 0)
			}
			if w := Width(c.Text); w > ws[i] {
				ws[i] = w
			}
		}
	}
	return ws
}

// String renders the table. The last column of a row is not padded (no trailing spaces).
func (t *Table) String() string {
	ws := t.Widths()
	gap := t.Gap
	if gap == "" {
		gap = "  "
	}
	var b strings.Builder
	line := len(t.Indent)
	for _, w := range ws {
		line += w + len(gap)
	}
	b.Grow(line * len(t.rows))
	for _, row := range t.rows {
		b.WriteString(t.Indent)
		for i, c := range row {
			if i > 0 {
				b.WriteString(gap)
			}
			text := c.Text
			switch {
			case t.Right[i]:
				text = PadLeft(text, ws[i])
			case i < len(row)-1:
				text = Pad(text, ws[i])
			}
			if t.Color && c.Color != "" {
				// Colour the visible text only, then pad: the codes never count as width, and the padding
				// stays unpainted.
				trimmed := strings.TrimRight(text, " ")
				lead := len(trimmed) - len(strings.TrimLeft(trimmed, " "))
				b.WriteString(trimmed[:lead])
				b.WriteString(c.Color + trimmed[lead:] + "\x1b[0m")
				b.WriteString(text[len(trimmed):])
				continue
			}
			b.WriteString(text)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// StatusColor is the ANSI colour of a verdict word (PASS, FAIL, ERROR, UNKNOWN, EXCEPTED, SKIPPED) in every
// human table: green passes, red fails, yellow could not be decided, blue is an accepted risk, the rest dim.
func StatusColor(status string) string {
	switch status {
	case "PASS":
		return "\x1b[32m"
	case "FAIL":
		return "\x1b[31m"
	case "ERROR", "UNKNOWN":
		return "\x1b[33m"
	case "EXCEPTED":
		return "\x1b[34m"
	case "", "-":
		return ""
	}
	return "\x1b[2m"
}
