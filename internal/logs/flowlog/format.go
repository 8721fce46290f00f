package flowlog

import (
	"fmt"
	"slices"
	"strings"
)

// Format is the ordered list of fields of a record line.
type Format struct {
	// Fields has one entry per column; FieldNone marks an unknown (newer) field, named in Names.
	Fields []Field
	// Names has the column names as given (hyphenated).
	Names []string
	// extraIdx maps a column to its index in Record.Extra, -1 for known fields.
	extraIdx []int
	nExtra   int
	// plan says how parseColumns reads each column (parse.go).
	plan []column
	// v5 is how many of the first columns parseV5 reads (one of v5Stops), 0 if the format does not start with
	// the fields of VPC version 2.
	v5 int
}

// DefaultFormat is the fixed version-2 format used when a flow log has no custom LogFormat.
var DefaultFormat = mustFormat("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}")

func mustFormat(s string) *Format {
	f, err := ParseFormat(s)
	if err != nil {
		panic(err)
	}
	return f
}

// ParseFormat reads a format from a LogFormat / --format string ("${version} ${vpc-id} …"), a text header
// line ("version vpc-id …") or Parquet column names ("account_id …"). Unknown names are kept as string columns.
func ParseFormat(s string) (*Format, error) {
	toks := strings.Fields(s)
	if len(toks) == 0 {
		return nil, fmt.Errorf("empty flow-log format")
	}
	names := make([]string, 0, len(toks))
	for _, t := range toks {
		if strings.HasPrefix(t, "${") {
			if !strings.HasSuffix(t, "}") || len(t) < 4 {
				return nil, fmt.Errorf("bad field %q in flow-log format (want ${name})", t)
			}
			t = t[2 : len(t)-1]
		}
		if !validName(t) {
			return nil, fmt.Errorf("bad field name %q in flow-log format", t)
		}
		names = append(names, strings.ReplaceAll(t, "_", "-"))
	}
	return NewFormat(names), nil
}

// NewFormat builds a format from hyphenated (or underscored) field names.
func NewFormat(names []string) *Format {
	f := &Format{Fields: make([]Field, len(names)), Names: make([]string, len(names)), extraIdx: make([]int, len(names)), plan: make([]column, len(names))}
	for i, n := range names {
		n = strings.ReplaceAll(n, "_", "-")
		f.Names[i] = n
		if id, ok := fieldByName[n]; ok {
			f.Fields[i] = id
			f.extraIdx[i] = -1
			f.plan[i] = columnOf(id)
		} else {
			f.extraIdx[i] = f.nExtra
			f.plan[i] = column{op: opExtra, idx: f.nExtra}
			f.nExtra++
		}
	}
	for _, n := range v5Stops {
		if len(f.Fields) >= n && slices.Equal(f.Fields[:n], v5Order[:n]) {
			f.v5 = n
		}
	}
	return f
}

// FormatOf builds the format of the given known fields.
func FormatOf(fields ...Field) *Format {
	names := make([]string, len(fields))
	for i, fl := range fields {
		names[i] = fl.Name()
	}
	return NewFormat(names)
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' && i > 0 || (c == '-' || c == '_') && i > 0 || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// String renders the format as a LogFormat string.
func (f *Format) String() string {
	var b strings.Builder
	for i, n := range f.Names {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("${" + n + "}")
	}
	return b.String()
}

// Header renders the format as an S3 text header line (hyphenated names).
func (f *Format) Header() string { return strings.Join(f.Names, " ") }

// Version is the highest version among the format's known fields (what its records carry in "version").
func (f *Format) Version() int {
	v := 2
	for _, fl := range f.Fields {
		if fl != FieldNone && fl.Version() > v {
			v = fl.Version()
		}
	}
	return v
}

// Has reports whether the format carries field fl.
func (f *Format) Has(fl Field) bool {
	for _, x := range f.Fields {
		if x == fl {
			return true
		}
	}
	return false
}

// ExtraNames lists the unknown field names in column order (the order of Record.Extra).
func (f *Format) ExtraNames() []string {
	var out []string
	for i, fl := range f.Fields {
		if fl == FieldNone {
			out = append(out, f.Names[i])
		}
	}
	return out
}

// Equal reports whether two formats have the same columns.
func (f *Format) Equal(g *Format) bool {
	if f == g {
		return true
	}
	if f == nil || g == nil || len(f.Names) != len(g.Names) {
		return false
	}
	for i := range f.Names {
		if f.Names[i] != g.Names[i] {
			return false
		}
	}
	return true
}

// looksLikeHeader reports whether a line is a header of field names rather than a record: every token is a
// lower-case name (records carry numbers, upper-case ACCEPT/OK or "-") and at least one is a known field.
func looksLikeHeader(line []byte) bool {
	known := false
	start := -1
	for i := 0; i <= len(line); i++ {
		if i == len(line) || line[i] == ' ' || line[i] == '\t' {
			if start >= 0 {
				tok := line[start:i]
				if _, ok := fieldByName[string(tok)]; ok {
					known = true
				}
				start = -1
			}
			continue
		}
		c := line[i]
		if start < 0 {
			if !(c >= 'a' && c <= 'z') {
				return false
			}
			start = i
		} else if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return known
}
