// Package v5gen writes flowlog's straight-line parsers of the VPC version 2-5 columns, parseV5 (v5fast_gen.go)
// and parseV5Masked (v5mask_gen.go): one block per column of Columns, each from its kind's template below.
// The blocks are written out rather than dispatched per column for speed (no per-column branch on the kind,
// fixed destinations; a non-inlined helper per kind measured slower); this package keeps the logic of each
// kind in one place. Run `go generate ./internal/logs/flowlog` after changing a template or the table;
// its TestGeneratedV5 (v5gen_test.go) fails while a generated file differs from what Files returns, and checks
// Columns against flowlog.FieldsOfVersion(5) and Field.Kind.
package v5gen

import (
	"bytes"
	"fmt"
	"go/format"
	"slices"
	"text/template"
)

// Kind is how a column is parsed: finer than flowlog.Kind (times, action and log-status have their own
// templates).
type Kind uint8

const (
	Int32     Kind = iota // a number of up to 7 (parseV5) or 8 (parseV5Masked) digits, or "-"
	Int64                 // a number of up to 15 digits, or "-"
	Time                  // Int64 no greater than MaxTime
	String                // any non-empty text, kept as a span of the line
	Addr                  // an IPv4 address, or "-"
	Action                // ACCEPT, REJECT or "-"
	LogStatus             // OK, NODATA, SKIPDATA or "-"
)

// Column is one column of the version 5 format.
type Column struct {
	Name    string // the flowlog Field constant, and the Record field of the typed kinds
	Field   string // its name in formats (flowlog.LookupField)
	Version int    // the VPC version that introduced it
	Kind    Kind
	// Digits hints how an Int32 column's values are usually written, for parseV5Masked to try the cheap
	// reading first: 1, one digit (version, protocol, traffic path; "-" too); 4, one to four digits (TCP
	// flags), read in 32-bit arithmetic; 0, no hint (the ports: their lengths vary from line to line, and a
	// branch on the length would be mispredicted).
	Digits int
}

// Columns are the fields of VPC version 5 in their documented order: the copy of flowlog.FieldsOfVersion(5)
// that the generator reads (flowlog cannot be imported here: it contains the generated files). fields.go is
// the source of truth; TestGeneratedV5 fails when this table disagrees with it.
var Columns = []Column{
	{"Version", "version", 2, Int32, 1},
	{"AccountID", "account-id", 2, String, 0},
	{"InterfaceID", "interface-id", 2, String, 0},
	{"SrcAddr", "srcaddr", 2, Addr, 0},
	{"DstAddr", "dstaddr", 2, Addr, 0},
	{"SrcPort", "srcport", 2, Int32, 0},
	{"DstPort", "dstport", 2, Int32, 0},
	{"Protocol", "protocol", 2, Int32, 1},
	{"Packets", "packets", 2, Int64, 0},
	{"Bytes", "bytes", 2, Int64, 0},
	{"Start", "start", 2, Time, 0},
	{"End", "end", 2, Time, 0},
	{"Action", "action", 2, Action, 0},
	{"LogStatus", "log-status", 2, LogStatus, 0},
	{"VPCID", "vpc-id", 3, String, 0},
	{"SubnetID", "subnet-id", 3, String, 0},
	{"InstanceID", "instance-id", 3, String, 0},
	{"TCPFlags", "tcp-flags", 3, Int32, 4},
	{"Type", "type", 3, String, 0},
	{"PktSrcAddr", "pkt-srcaddr", 3, Addr, 0},
	{"PktDstAddr", "pkt-dstaddr", 3, Addr, 0},
	{"Region", "region", 4, String, 0},
	{"AZID", "az-id", 4, String, 0},
	{"SublocationType", "sublocation-type", 4, String, 0},
	{"SublocationID", "sublocation-id", 4, String, 0},
	{"PktSrcAWSService", "pkt-src-aws-service", 5, String, 0},
	{"PktDstAWSService", "pkt-dst-aws-service", 5, String, 0},
	{"FlowDirection", "flow-direction", 5, String, 0},
	{"TrafficPath", "traffic-path", 5, Int32, 1},
}

// parser is one generated function: its file's text around the blocks, the text before every column's
// block, one template per kind, and the text where the parse may stop (after a version's last column).
type parser struct {
	file   string
	head   string // header, package, imports, the function's doc and its first lines
	column string // before each block
	kinds  [LogStatus + 1]string
	stop   string // {{.Cols}}: the columns read so far; {{.Next}}: the next column's version
	tail   string
	// pair, if not empty, reads two adjacent Addr columns together: it comes after both columns' column text
	// ({{.A}} and {{.B}} are the columns; {{.Single}} the Addr template, to run for each on its own).
	// (.First: for a later pair, the column before the first pair and the first pair's two, else nil).
	pair    string
	pairMid string // between the two columns' column text
	// nums, if not empty, reads the run of number columns numsRun together, in place of their column texts and
	// blocks. {{.Blocks}} are the run's columns, each with its column text and its kind's block (.Text), to run
	// for each on its own; {{.First}} and {{.Last}} the run's first and last columns.
	nums string
}

// numsRun is the run of number columns that parseV5Masked reads in one numbersVec call: the assembly reads
// these seven, of these kinds, in this order (and flowlog's TestNumbersLayout checks the Record's fields for them).
var numsRun = []Column{
	{"SrcPort", "srcport", 2, Int32, 0},
	{"DstPort", "dstport", 2, Int32, 0},
	{"Protocol", "protocol", 2, Int32, 1},
	{"Packets", "packets", 2, Int64, 0},
	{"Bytes", "bytes", 2, Int64, 0},
	{"Start", "start", 2, Time, 0},
	{"End", "end", 2, Time, 0},
}

// block is column c's block from its kind's template.
func (p *parser) block(c Column) (string, error) {
	return render(fmt.Sprint("kind ", c.Kind), p.kinds[c.Kind], c)
}

// render is template text run on data.
func render(name, text string, data any) (string, error) {
	var b bytes.Buffer
	t, err := template.New(name).Parse(text)
	if err == nil {
		err = t.Execute(&b, data)
	}
	return b.String(), err
}

// numbers writes the run of number columns that starts at Columns[i] (numsRun) with p.nums.
func (p *parser) numbers(i int, run func(name, text string, data any) error) error {
	if i+len(numsRun) > len(Columns) || !slices.Equal(Columns[i:i+len(numsRun)], numsRun) {
		return fmt.Errorf("%s: the columns from %s must be %v (numbersVec reads those)", p.file, Columns[i].Name, numsRun)
	}
	type block struct {
		Column
		Text string
	}
	blocks := make([]block, len(numsRun))
	for j, c := range numsRun {
		col, err := render("column", p.column, c)
		if err != nil {
			return err
		}
		b, err := p.block(c)
		if err != nil {
			return err
		}
		blocks[j] = block{c, col + b}
	}
	return run("nums", p.nums, struct {
		First, Last Column
		Blocks      []block
	}{numsRun[0], numsRun[len(numsRun)-1], blocks})
}

// Files returns the generated files by name: v5fast_gen.go (parseV5) and v5mask_gen.go (parseV5Masked).
func Files() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, p := range []*parser{&fast, &masked} {
		b, err := p.generate()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.file, err)
		}
		out[p.file] = b
	}
	return out, nil
}

func (p *parser) generate() ([]byte, error) {
	var buf bytes.Buffer
	run := func(name, text string, data any) error {
		s, err := render(name, text, data)
		buf.WriteString(s)
		return err
	}
	if err := run("head", p.head, Columns); err != nil {
		return nil, err
	}
	var first []Column // the first pair of Addr columns, once read
	for i := 0; i < len(Columns); i++ {
		c := Columns[i]
		nums := p.nums != "" && c.Name == numsRun[0].Name // the run's columns, written by numbers
		if !nums {
			if err := run("column", p.column, c); err != nil {
				return nil, err
			}
		}
		if nums {
			if err := p.numbers(i, run); err != nil {
				return nil, err
			}
			i += len(numsRun) - 1
			c = Columns[i]
		} else if d := Columns[min(i+1, len(Columns)-1)]; p.pair != "" && c.Kind == Addr && i+1 < len(Columns) && d.Kind == Addr && d.Version == c.Version {
			// A pair: the second column's end, then the pair's text, which runs the Addr template for each
			// column as its fallback.
			if err := run("pair mid", p.pairMid, c); err != nil {
				return nil, err
			}
			if err := run("column", p.column, d); err != nil {
				return nil, err
			}
			sa, err := p.block(c)
			if err != nil {
				return nil, err
			}
			sb, err := p.block(d)
			if err != nil {
				return nil, err
			}
			// First is, when this is a later pair, the column before the first pair and the first pair's two
			// (for the template: the text of the packet's addresses is usually the flow's).
			if err := run("pair", p.pair, struct {
				A, B             Column
				SingleA, SingleB string
				First            []Column
			}{c, d, sa, sb, first}); err != nil {
				return nil, err
			}
			if first == nil {
				if i != 3 || Columns[i-1].Kind != String {
					return nil, fmt.Errorf("%s: the first pair of addresses must be columns 3 and 4 (the classify's m.pair), after a String column (its span says where the pair starts)", p.file)
				}
				first = []Column{Columns[i-1], c, d}
			}
			i++
			c = d
		} else if err := run(fmt.Sprint("kind ", c.Kind), p.kinds[c.Kind], c); err != nil {
			return nil, err
		}
		if i+1 < len(Columns) && Columns[i+1].Version != c.Version {
			if err := run("stop", p.stop, struct{ Cols, Next int }{i + 1, Columns[i+1].Version}); err != nil {
				return nil, err
			}
		}
	}
	if err := run("tail", p.tail, Columns); err != nil {
		return nil, err
	}
	b, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, buf.Bytes())
	}
	return b, nil
}

const header = `// Code generated by "go run gen_v5.go" from internal/v5gen; DO NOT EDIT.

`

// IsTime reports whether the column is a time (templates: the MaxTime check).
func (c Column) IsTime() bool { return c.Kind == Time }

// FirstTime reports whether the column is the first time column (the masked template's t6 and tx).
func (c Column) FirstTime() bool {
	for _, d := range Columns {
		if d.Kind == Time {
			return d.Name == c.Name
		}
	}
	return false
}
