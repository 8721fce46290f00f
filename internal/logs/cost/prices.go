// Package cost estimates what VPC flow logs cost: monthly volume per VPC and interface, projected from the
// records read, priced for every destination (CloudWatch Logs Standard and Infrequent Access, S3 as text or
// Parquet, Firehose) and both traffic types worth logging (ALL, REJECT only), from a price table whose region
// and date the estimate states. The built-in table is prices/aws-us-east-1.json; --prices FILE replaces it.
package cost

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// PricesSchema names the price-table document.
const PricesSchema = "flowguard.prices/v1"

//go:embed prices/aws-us-east-1.json
var builtinPrices []byte

// BuiltinName is how the built-in table is named in errors and output.
const BuiltinName = "built-in price table (us-east-1)"

// Prices is a price table: what each destination charges, in one region, as of one date.
type Prices struct {
	Schema       string        `json:"schema" yaml:"schema"`
	Region       string        `json:"region" yaml:"region"`
	Currency     string        `json:"currency" yaml:"currency"`
	AsOf         string        `json:"as_of" yaml:"as_of"`
	Sources      []string      `json:"sources" yaml:"sources"`
	Assumptions  Assumptions   `json:"assumptions" yaml:"assumptions"`
	Destinations []Destination `json:"destinations" yaml:"destinations"`
	// File is where the table was read from (BuiltinName for the built-in one).
	File string `json:"file" yaml:"-"`
}

// Assumptions are the conversions between records read and bytes billed.
type Assumptions struct {
	GBBytes       float64 `json:"gb_bytes" yaml:"gb_bytes"`             // bytes in a billed GB (AWS: 2^30)
	TierGB        float64 `json:"tier_gb" yaml:"tier_gb"`               // GB in a TB of the tiers (AWS: 1024)
	DaysPerMonth  float64 `json:"days_per_month" yaml:"days_per_month"` // 365.25 / 12
	GzipRatio     float64 `json:"gzip_ratio" yaml:"gzip_ratio"`         // text bytes per gzip byte
	ParquetVsGzip float64 `json:"parquet_vs_gzip_text" yaml:"parquet_vs_gzip_text"`
	// EventOverhead is what CloudWatch Logs adds to each event's size (26 bytes).
	EventOverhead float64 `json:"cloudwatch_event_overhead_bytes" yaml:"cloudwatch_event_overhead_bytes"`
}

// Destination is one place flow logs can be delivered to, with its prices.
type Destination struct {
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
	// Volume is how a record is measured: "event" (a CloudWatch Logs event: the line plus the event overhead)
	// or "line" (the text line and its newline).
	Volume string `json:"volume" yaml:"volume"`
	// DeliveryTiers are the vended-logs delivery prices by monthly volume; the last has no upper bound.
	DeliveryTiers []Tier `json:"delivery_tiers" yaml:"delivery_tiers"`
	// ExtraPerGB is a further per-GB charge on the same volume (Parquet conversion, Firehose ingestion).
	ExtraPerGB float64 `json:"extra_usd_per_gb,omitempty" yaml:"extra_usd_per_gb"`
	Extra      string  `json:"extra,omitempty" yaml:"extra"`
	// Storage is what is stored: "gzip" (text compressed by GzipRatio), "parquet" (gzip × ParquetVsGzip)
	// or "none" (stored by another service).
	Storage           string  `json:"storage" yaml:"storage"`
	StoragePerGBMonth float64 `json:"storage_usd_per_gb_month" yaml:"storage_usd_per_gb_month"`
}

// Tier is one price band: UpToTB is the cumulative monthly volume where it ends (0 on the last band).
type Tier struct {
	UpToTB float64 `json:"up_to_tb,omitempty" yaml:"up_to_tb"`
	PerGB  float64 `json:"usd_per_gb" yaml:"usd_per_gb"`
}

// Builtin returns the built-in price table.
func Builtin() *Prices {
	p, err := ParsePrices(BuiltinName, builtinPrices)
	if err != nil {
		panic("built-in price table: " + err.Error())
	}
	return p
}

// LoadPrices reads a price table file (JSON; the built-in table is the example).
func LoadPrices(path string) (*Prices, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePrices(path, b)
}

// maxPriceFile bounds a price table's size: the built-in one is 4 KB.
const maxPriceFile = 1 << 20

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ParsePrices reads and validates a price table; every error names the file and line.
func ParsePrices(name string, b []byte) (*Prices, error) {
	if len(b) > maxPriceFile {
		return nil, fmt.Errorf("%s: %d bytes: a price table is at most %d", name, len(b), maxPriceFile)
	}
	// Strict JSON first (encoding/json: exact syntax errors, at their line); then YAML, which JSON is a subset
	// of, for the line of every value.
	var probe Prices
	if err := json.Unmarshal(b, &probe); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		off := int64(0)
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = te.Offset
		}
		return nil, fmt.Errorf("%s:%d: %v", name, 1+bytes.Count(b[:min(max(off-1, 0), int64(len(b)))], []byte("\n")), err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s:%s", name, yamlErr(err))
	}
	if len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:1: want a JSON object (see the built-in table: flowguard logs cost --print-prices)", name)
	}
	doc := root.Content[0]
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var p Prices
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s:%s", name, yamlErr(err))
	}
	p.File = name
	at := func(path ...any) string { return fmt.Sprintf("%s:%d", name, lineOf(doc, path...)) }
	var errs []error
	bad := func(path []any, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", at(path...), fmt.Sprintf(format, args...)))
	}
	if p.Schema != PricesSchema {
		bad([]any{"schema"}, "schema %q: want %q", p.Schema, PricesSchema)
	}
	for _, f := range []struct{ key, v string }{{"region", p.Region}, {"currency", p.Currency}, {"as_of", p.AsOf}} {
		if strings.TrimSpace(f.v) == "" || len(f.v) > 64 {
			bad([]any{f.key}, "%s: want a non-empty value of at most 64 characters", f.key)
		}
	}
	a := p.Assumptions
	for _, f := range []struct {
		key    string
		v      float64
		lo, hi float64
	}{
		{"gb_bytes", a.GBBytes, 1e6, 1e13}, {"tier_gb", a.TierGB, 1, 1e7}, {"days_per_month", a.DaysPerMonth, 28, 31},
		{"gzip_ratio", a.GzipRatio, 1, 100}, {"parquet_vs_gzip_text", a.ParquetVsGzip, 0.01, 10},
		{"cloudwatch_event_overhead_bytes", a.EventOverhead, 0, 4096},
	} {
		if !(f.v >= f.lo && f.v <= f.hi) {
			bad([]any{"assumptions", f.key}, "assumptions.%s = %v: want %v to %v", f.key, f.v, f.lo, f.hi)
		}
	}
	if len(p.Destinations) == 0 {
		bad([]any{"destinations"}, "no destinations")
	}
	seen := map[string]bool{}
	for i, d := range p.Destinations {
		dp := func(k ...any) []any { return append([]any{"destinations", i}, k...) }
		if !idRE.MatchString(d.ID) {
			bad(dp("id"), "destination id %q: want lower-case letters, digits and hyphens", d.ID)
		} else if seen[d.ID] {
			bad(dp("id"), "destination id %q defined twice", d.ID)
		}
		seen[d.ID] = true
		if d.Name == "" || len(d.Name) > 80 {
			bad(dp("name"), "destination %s: want a name of 1-80 characters", d.ID)
		}
		if d.Volume != "event" && d.Volume != "line" {
			bad(dp("volume"), "destination %s: volume %q: want event or line", d.ID, d.Volume)
		}
		if d.Storage != "gzip" && d.Storage != "parquet" && d.Storage != "none" {
			bad(dp("storage"), "destination %s: storage %q: want gzip, parquet or none", d.ID, d.Storage)
		}
		if !validPrice(d.StoragePerGBMonth) {
			bad(dp("storage_usd_per_gb_month"), "destination %s: storage price %v: want 0 to 1000", d.ID, d.StoragePerGBMonth)
		}
		if !validPrice(d.ExtraPerGB) {
			bad(dp("extra_usd_per_gb"), "destination %s: extra price %v: want 0 to 1000", d.ID, d.ExtraPerGB)
		}
		if len(d.DeliveryTiers) == 0 {
			bad(dp("delivery_tiers"), "destination %s: no delivery tiers", d.ID)
		}
		prev := 0.0
		for j, t := range d.DeliveryTiers {
			if !validPrice(t.PerGB) {
				bad(dp("delivery_tiers", j, "usd_per_gb"), "destination %s tier %d: price %v: want 0 to 1000", d.ID, j+1, t.PerGB)
			}
			last := j == len(d.DeliveryTiers)-1
			switch {
			case last && t.UpToTB != 0:
				bad(dp("delivery_tiers", j, "up_to_tb"), "destination %s: the last tier has no upper bound: drop up_to_tb", d.ID)
			case !last && !(t.UpToTB > prev && t.UpToTB < 1e9):
				bad(dp("delivery_tiers", j, "up_to_tb"), "destination %s tier %d: up_to_tb %v: want more than the tier before (%v)", d.ID, j+1, t.UpToTB, prev)
			}
			prev = t.UpToTB
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &p, nil
}

func validPrice(v float64) bool { return v >= 0 && v <= 1000 }

// yamlErr turns the YAML decoder's "yaml: line N: msg" into "N: msg" (for name:N: msg).
func yamlErr(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: ")
	s = strings.ReplaceAll(s, "\n ", "")
	if rest, ok := strings.CutPrefix(s, "unmarshal errors:"); ok {
		s = strings.TrimSpace(rest)
	}
	if rest, ok := strings.CutPrefix(s, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			return rest[:i] + ":" + rest[i+1:]
		}
	}
	return "1: " + s
}

// lineOf finds the line of the value at path (string keys, int indices) below n; the deepest node found
// along the path when the rest is missing.
func lineOf(n *yaml.Node, path ...any) int {
	line := n.Line
	for _, p := range path {
		var next *yaml.Node
		switch k := p.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == k {
						next = n.Content[i+1]
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && k < len(n.Content) {
				next = n.Content[k]
			}
		}
		if next == nil {
			return line
		}
		n, line = next, next.Line
	}
	return line
}

// BuiltinJSON is the built-in table's text (for --print-prices: a starting point for a table of one's own).
func BuiltinJSON() []byte { return builtinPrices }
