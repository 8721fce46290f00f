// Package checks loads stored checks — YAML files holding a query over the asset graph, an expectation and
// the metadata of a finding — and evaluates them into findings. The built-in checks are such files,
// embedded in the binary; users add their own by dropping files in a folder.
package checks

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/query"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Check is one stored check.
type Check struct {
	ID          string            `yaml:"id"`
	Title       string            `yaml:"title"`
	Severity    string            `yaml:"severity"`
	Description string            `yaml:"description"`
	Rationale   string            `yaml:"rationale"`
	Impact      string            `yaml:"impact"`
	Remediation string            `yaml:"remediation"`
	Controls    []finding.Control `yaml:"controls"`
	// AssetTypes are the graph types the check covers (the type its query returns).
	AssetTypes []string `yaml:"asset_types"`
	// Parameters are the query variables with their defaults; options may override them (minRetentionDays).
	Parameters map[string]any `yaml:"parameters"`
	// Exclude selects covered assets that get no finding at all.
	Exclude string `yaml:"exclude"`
	// Skip rules make a SKIPPED finding with a reason.
	Skip []Rule `yaml:"skip"`
	// Requires lists the inventory collections that must have been read in the asset's region; if one was
	// not, the asset's finding is ERROR (never PASS).
	Requires []inventory.Collection `yaml:"requires"`
	// Scope selects the assets the check applies to; the others get no finding. Empty: all assets.
	Scope string `yaml:"scope"`
	// RequiresInScope are collections needed only for assets in scope.
	RequiresInScope []inventory.Collection `yaml:"requires_in_scope"`
	// Query returns the assets that fail (with expect "eq []"), or the assets counted (with "count …").
	Query string `yaml:"query"`
	// Expect is "eq []" (no asset may match: one finding per asset) or "count OP N" with OP one of
	// == != < <= > >= (one finding per account and region).
	Expect string `yaml:"expect"`
	// Errors name why a failing asset cannot be judged: the first rule whose query matches an asset the query
	// returns makes its finding ERROR with that reason (evidence that could not be read: never a PASS, and
	// not a FAIL either). They are looked at before Reasons.
	Errors []Rule `yaml:"errors"`
	// Reasons name why an asset fails: the first rule whose query matches gives the reason code and message.
	Reasons []Rule `yaml:"reasons"`
	// OptIn checks run only when selected by id (--check): they read more than the inventory.
	OptIn bool `yaml:"opt_in"`
	// Pass and Fail are message templates (text/template, see Messages in the README).
	Pass string `yaml:"pass"`
	Fail string `yaml:"fail"`
	// Evidence lists the evidence sections: "vpc" (the VPC, its flow logs and log groups), "selection" (the
	// fields the query selects, under evidence.extra), "min_retention_days" (the minRetentionDays parameter).
	Evidence []string `yaml:"evidence"`

	// File is where the check was loaded from ("builtin/….yaml" for built-ins).
	File    string `yaml:"-"`
	Builtin bool   `yaml:"-"`

	typ    *graph.Type
	expect expectation
	// network are the on-demand network collections its queries read (inventory.IsNetwork), and those its
	// requires name: a scan running the check lists them, and an asset whose region lacks one is ERROR.
	network []inventory.Collection
	pos     map[string]*yaml.Node // query-bearing nodes, for error positions
	lines   []string
}

// Rule is a skip rule or a failure reason.
type Rule struct {
	Reason  string `yaml:"reason"`
	Query   string `yaml:"query"`
	Message string `yaml:"message"`
}

// Type is the graph type the check covers.
func (c *Check) Type() *graph.Type { return c.typ }

var validSeverities = []string{"critical", "high", "medium", "low", "info"}

var validEvidence = []string{"vpc", "selection", "min_retention_days", "delivery", evidenceTGW}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// knownKeys are the YAML keys of a check file, in documentation order.
var knownKeys = []string{"id", "title", "severity", "description", "rationale", "impact", "remediation", "controls",
	"asset_types", "parameters", "exclude", "skip", "requires", "scope", "requires_in_scope", "query", "expect",
	"errors", "reasons", "pass", "fail", "evidence", "opt_in"}

// FileError is a problem in a check file, at file:line:column.
type FileError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads one check file.
func Parse(file string, data []byte) (*Check, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			var line int
			fmt.Sscan(m[1], &line)
			return nil, &FileError{File: file, Line: line, Msg: m[2]}
		}
		return nil, &FileError{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil, &FileError{File: file, Line: 1, Column: 1, Msg: "empty check file"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &FileError{File: file, Line: root.Line, Column: root.Column, Msg: "a check is a mapping of keys (id, title, query, …)"}
	}
	c := &Check{File: file, pos: map[string]*yaml.Node{}, lines: strings.Split(string(data), "\n")}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if !contains(knownKeys, k.Value) {
			return nil, &FileError{File: file, Line: k.Line, Column: k.Column,
				Msg: fmt.Sprintf("unknown key %q (valid: %s)", k.Value, strings.Join(knownKeys, ", "))}
		}
		switch k.Value {
		case "query", "scope", "exclude":
			c.pos[k.Value] = v
		case "skip", "errors", "reasons":
			if v.Kind == yaml.SequenceNode {
				for j, item := range v.Content {
					if item.Kind != yaml.MappingNode {
						continue
					}
					for m := 0; m+1 < len(item.Content); m += 2 {
						key := item.Content[m].Value
						if !contains([]string{"reason", "query", "message"}, key) {
							return nil, &FileError{File: file, Line: item.Content[m].Line, Column: item.Content[m].Column,
								Msg: fmt.Sprintf("unknown key %q in %s (valid: reason, query, message)", key, k.Value)}
						}
						if key == "query" || key == "message" {
							c.pos[fmt.Sprintf("%s[%d].%s", k.Value, j, key)] = item.Content[m+1]
						}
					}
				}
			}
		case "pass", "fail":
			c.pos[k.Value] = v
		}
	}
	if err := root.Decode(c); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			msg := te.Errors[0]
			if m := yamlLine.FindStringSubmatch("yaml: " + msg); m != nil {
				var line int
				fmt.Sscan(m[1], &line)
				return nil, &FileError{File: file, Line: line, Msg: m[2]}
			}
			return nil, &FileError{File: file, Msg: msg}
		}
		return nil, &FileError{File: file, Msg: err.Error()}
	}
	c.lines = strings.Split(string(data), "\n")
	if err := c.validate(root); err != nil {
		return nil, err
	}
	return c, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keyNode finds the value node of key in mapping m, for error positions.
func keyNode(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return m
}

func (c *Check) errAt(n *yaml.Node, format string, args ...any) error {
	return &FileError{File: c.File, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func (c *Check) validate(root *yaml.Node) error {
	for _, k := range []string{"id", "title", "severity", "asset_types", "query", "expect"} {
		if keyNode(root, k) == root {
			return c.errAt(root, "missing required key %q", k)
		}
	}
	for k, v := range map[string]string{"title": c.Title, "query": c.Query} {
		if strings.TrimSpace(v) == "" {
			return c.errAt(keyNode(root, k), "%s must not be empty", k)
		}
	}
	if !idPattern.MatchString(c.ID) {
		return c.errAt(keyNode(root, "id"), "id %q: use lower-case letters, digits, '-', '.' and '_'", c.ID)
	}
	if !contains(validSeverities, c.Severity) {
		return c.errAt(keyNode(root, "severity"), "severity %q (valid: %s)", c.Severity, strings.Join(validSeverities, ", "))
	}
	if len(c.AssetTypes) != 1 {
		return c.errAt(keyNode(root, "asset_types"), "asset_types names the one type the query returns (valid: %s)",
			strings.Join(graph.Default.TypeNames(), ", "))
	}
	if c.typ = graph.Default.Type(c.AssetTypes[0]); c.typ == nil || c.typ.Root == "" {
		return c.errAt(keyNode(root, "asset_types"), "unknown asset type %q (valid: %s)", c.AssetTypes[0],
			strings.Join(graph.Default.TypeNames(), ", "))
	}
	exp, err := parseExpect(c.Expect)
	if err != nil {
		return c.errAt(keyNode(root, "expect"), "%v", err)
	}
	c.expect = exp
	for _, list := range [][]inventory.Collection{c.Requires, c.RequiresInScope} {
		for _, coll := range list {
			if !contains(collections, string(coll)) {
				return c.errAt(keyNode(root, "requires"), "unknown collection %q (valid: %s)", coll, strings.Join(collections, ", "))
			}
		}
	}
	for _, e := range c.Evidence {
		if !contains(validEvidence, e) {
			return c.errAt(keyNode(root, "evidence"), "unknown evidence section %q (valid: %s)", e, strings.Join(validEvidence, ", "))
		}
	}
	if c.Evidence == nil {
		c.Evidence = []string{"selection"}
		switch c.typ {
		case graph.TVPC:
			c.Evidence = []string{"vpc"}
		case graph.TTransitGateway:
			c.Evidence = []string{evidenceTGW}
		}
	}
	for i, r := range c.Skip {
		if r.Query == "" || r.Reason == "" {
			return c.errAt(keyNode(root, "skip"), "skip rule %d needs reason and query", i+1)
		}
	}
	for i, r := range c.Errors {
		if r.Query == "" || r.Reason == "" {
			return c.errAt(keyNode(root, "errors"), "error rule %d needs reason and query", i+1)
		}
	}
	for i, r := range c.Reasons {
		if r.Query == "" || r.Reason == "" {
			return c.errAt(keyNode(root, "reasons"), "reason %d needs reason and query", i+1)
		}
	}
	// Compile everything once with the default parameters, so a broken file fails when it is loaded.
	cc, err := c.compile(nil)
	if err != nil {
		return err
	}
	// Parameters change values, never the types a query reads: the defaults tell what the check needs.
	c.network = nil
	colls := append(append([]inventory.Collection{c.typ.Collection}, c.Requires...), c.RequiresInScope...)
	for _, r := range cc.roots() {
		colls = append(colls, r.Collections()...)
	}
	// Messages may follow relations too ({{.Rel "hasSecurityGroup"}}, .Where): a relation name quoted in a
	// template counts like a query reaching its target.
	texts := []string{c.Pass, c.Fail}
	for _, r := range append(append([]Rule{}, c.Skip...), c.Reasons...) {
		texts = append(texts, r.Message)
	}
	colls = append(colls, quotedRelationTargets(texts)...)
	colls = append(colls, quotedFieldCollections(texts)...)
	for _, coll := range colls {
		if inventory.IsNetwork(coll) && !slices.Contains(c.network, coll) {
			c.network = append(c.network, coll)
		}
		// A check that reads delivery evidence needs it collected (a scan running it reads the destinations)
		// and, where it was not, judges nothing: its assets are ERROR, never a PASS made of null fields.
		if coll == inventory.CollDelivery && !slices.Contains(c.Requires, coll) && !slices.Contains(c.RequiresInScope, coll) {
			c.RequiresInScope = append(c.RequiresInScope, coll)
		}
	}
	return nil
}

// quotedFieldCollections are the collections of the fields with one of their own (delivery evidence) whose
// names are quoted in texts ({{.F "deliveryLagSeconds"}}).
func quotedFieldCollections(texts []string) []inventory.Collection {
	var out []inventory.Collection
	for _, tn := range graph.Default.TypeNames() {
		for _, f := range graph.Default.Type(tn).Fields {
			if f.Collection != "" && quoted(texts, f.Name) {
				out = append(out, f.Collection)
			}
		}
	}
	return out
}

// quotedRelationTargets are the collections of the targets of the relations whose names are quoted in texts.
func quotedRelationTargets(texts []string) []inventory.Collection {
	var out []inventory.Collection
	for _, tn := range graph.Default.TypeNames() {
		t := graph.Default.Type(tn)
		for _, rn := range t.RelationNames() {
			if quoted(texts, rn) {
				out = append(out, t.Relation(rn).Target.Collection)
			}
		}
	}
	return out
}

// quoted reports whether name is quoted ("name" or `name`) in one of texts: a template argument.
func quoted(texts []string, name string) bool {
	for _, x := range texts {
		if strings.Contains(x, `"`+name+`"`) || strings.Contains(x, "`"+name+"`") {
			return true
		}
	}
	return false
}

// Network lists the on-demand network collections (security groups, network ACLs, …) the check reads: the
// types its queries reach and the collections it requires. The built-in checks need none.
func (c *Check) Network() []inventory.Collection { return c.network }

// Network is the union of what the checks cs read of the on-demand network collections, in the order of
// inventory.NetworkCollections: what a scan running them must list beside its fixed reads.
func Network(cs []*Check) []inventory.Collection {
	var out []inventory.Collection
	for _, coll := range inventory.NetworkCollections {
		for _, c := range cs {
			if slices.Contains(c.network, coll) {
				out = append(out, coll)
				break
			}
		}
	}
	return out
}

var collections = []string{string(inventory.CollVPCs), string(inventory.CollFlowLogs), string(inventory.CollSubnets),
	string(inventory.CollNetworkInterfaces), string(inventory.CollInternetGateways), string(inventory.CollLogGroups),
	string(inventory.CollBuckets), string(inventory.CollDelivery), string(inventory.CollTransitGateways),
	string(inventory.CollTransitGatewayAttachments), string(inventory.CollSecurityGroups), string(inventory.CollNetworkACLs)}

// compiled is a check ready to run with one set of parameter values.
type compiled struct {
	params  map[string]any
	exclude *query.Root
	skip    []*query.Root
	scope   *query.Root
	query   *query.Root
	reasons []*query.Root
	errors  []*query.Root
	errMsg  []*message
	skipMsg []*message
	reasMsg []*message
	pass    *message
	fail    *message
}

// roots are every compiled query of the check.
func (cc *compiled) roots() []*query.Root {
	var out []*query.Root
	for _, r := range append([]*query.Root{cc.query, cc.exclude, cc.scope}, append(cc.skip, cc.reasons...)...) {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// Params merges the check's parameter defaults with overrides (only for parameters the check declares).
func (c *Check) Params(overrides map[string]any) map[string]any {
	p := make(map[string]any, len(c.Parameters))
	for k, v := range c.Parameters {
		p[k] = v
		if o, ok := overrides[k]; ok {
			p[k] = o
		}
	}
	return p
}

// IntParameter is the default of a numeric parameter (YAML gives int, JSON float64), 0 when it has none.
func (c *Check) IntParameter(name string) int { return toInt(c.Parameters[name]) }

func (c *Check) compile(overrides map[string]any) (*compiled, error) {
	cc := &compiled{params: c.Params(overrides)}
	root := func(key, src string) (*query.Root, error) {
		if src == "" {
			return nil, nil
		}
		q, err := query.Parse("", src)
		if err == nil {
			var p *query.Program
			if p, err = q.Compile(graph.Default, cc.params); err == nil {
				if len(p.Roots) != 1 {
					return nil, c.queryErr(key, &query.Error{Line: 1, Column: 1, Msg: "a check's query selects exactly one top-level field"})
				}
				r := p.Roots[0]
				if r.Type != c.typ {
					return nil, c.queryErr(key, &query.Error{Line: 1, Column: 1,
						Msg: fmt.Sprintf("query returns %s but the check covers %s (asset_types)", r.Type.Name, c.typ.Name)})
				}
				return r, nil
			}
		}
		return nil, c.queryErr(key, err)
	}
	var err error
	if cc.query, err = root("query", c.Query); err != nil {
		return nil, err
	}
	if cc.exclude, err = root("exclude", c.Exclude); err != nil {
		return nil, err
	}
	if cc.scope, err = root("scope", c.Scope); err != nil {
		return nil, err
	}
	for i, r := range c.Skip {
		q, err := root(fmt.Sprintf("skip[%d].query", i), r.Query)
		if err != nil {
			return nil, err
		}
		cc.skip = append(cc.skip, q)
		t, err := c.template(fmt.Sprintf("skip[%d].message", i), r.Message)
		if err != nil {
			return nil, err
		}
		cc.skipMsg = append(cc.skipMsg, t)
	}
	for i, r := range c.Errors {
		q, err := root(fmt.Sprintf("errors[%d].query", i), r.Query)
		if err != nil {
			return nil, err
		}
		cc.errors = append(cc.errors, q)
		t, err := c.template(fmt.Sprintf("errors[%d].message", i), r.Message)
		if err != nil {
			return nil, err
		}
		cc.errMsg = append(cc.errMsg, t)
	}
	for i, r := range c.Reasons {
		q, err := root(fmt.Sprintf("reasons[%d].query", i), r.Query)
		if err != nil {
			return nil, err
		}
		cc.reasons = append(cc.reasons, q)
		t, err := c.template(fmt.Sprintf("reasons[%d].message", i), r.Message)
		if err != nil {
			return nil, err
		}
		cc.reasMsg = append(cc.reasMsg, t)
	}
	if cc.pass, err = c.template("pass", c.Pass); err != nil {
		return nil, err
	}
	if cc.fail, err = c.template("fail", c.Fail); err != nil {
		return nil, err
	}
	return cc, nil
}

// queryErr places a query error at its position in the check file.
func (c *Check) queryErr(key string, err error) error {
	var qe *query.Error
	if !errors.As(err, &qe) {
		return &FileError{File: c.File, Msg: fmt.Sprintf("%s: %v", key, err)}
	}
	n := c.pos[key]
	if n == nil || qe.Line == 0 || qe.File == "builtin-fragments.graphql" {
		return &FileError{File: c.File, Msg: fmt.Sprintf("%s: %s", key, qe.Error())}
	}
	line, col := c.mapPos(n, qe.Line, qe.Column)
	return &FileError{File: c.File, Line: line, Column: col, Msg: fmt.Sprintf("%s: %s", key, qe.Msg)}
}

// mapPos maps a line:column inside the text of scalar n to the file.
func (c *Check) mapPos(n *yaml.Node, line, col int) (int, int) {
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// Block scalar: the text starts on the next line, indented.
		first := n.Line + 1
		indent := 0
		if first-1 < len(c.lines) {
			l := c.lines[first-1]
			indent = len(l) - len(strings.TrimLeft(l, " "))
		}
		return n.Line + line, indent + col
	case line == 1:
		quote := 0
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			quote = 1
		}
		return n.Line, n.Column + quote + col - 1
	}
	return n.Line + line - 1, col
}

// template compiles a message template; "" gives nil.
func (c *Check) template(key, src string) (*message, error) {
	if src == "" {
		return nil, nil
	}
	m, err := compileMessage(key, src)
	if err != nil {
		line := 0
		if n := c.pos[key]; n != nil {
			line = n.Line
		}
		return nil, &FileError{File: c.File, Line: line, Msg: err.Error()}
	}
	return m, nil
}

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtin returns the built-in checks, sorted by id.
func Builtin() []*Check {
	cs, err := loadFS(builtinFS, "builtin")
	if err != nil {
		panic("built-in checks: " + err.Error())
	}
	for _, c := range cs {
		c.Builtin = true
	}
	return cs
}

func loadFS(fsys fs.FS, dir string) ([]*Check, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []*Check
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		name := filepath.ToSlash(filepath.Join(dir, e.Name()))
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		c, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// LoadDir loads every *.yaml and *.yml check file of dir (not recursively), sorted by id. Every broken file
// is reported, each with its file:line:column.
func LoadDir(dir string) ([]*Check, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read checks: %w", err)
	}
	var out []*Check
	var errs []error
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		name := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no check files (*.yaml) in %s", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Merge adds user checks to the built-in ones; an id may be defined once.
func Merge(base, more []*Check) ([]*Check, error) {
	byID := map[string]*Check{}
	out := append([]*Check(nil), base...)
	for _, c := range base {
		byID[c.ID] = c
	}
	for _, c := range more {
		if prev := byID[c.ID]; prev != nil {
			return nil, fmt.Errorf("%s: check id %q is already defined in %s", c.File, c.ID, prev.File)
		}
		byID[c.ID] = c
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Select keeps the checks with the given ids (when ids is empty: every check but the opt-in ones).
func Select(cs []*Check, ids []string) ([]*Check, error) {
	if len(ids) == 0 {
		return Default(cs), nil
	}
	var out []*Check
	for _, id := range ids {
		var found *Check
		for _, c := range cs {
			if c.ID == id {
				found = c
			}
		}
		if found == nil {
			var valid []string
			for _, c := range cs {
				valid = append(valid, c.ID)
			}
			return nil, fmt.Errorf("unknown check %q (valid: %s)", id, strings.Join(valid, ", "))
		}
		if !containsCheck(out, found) {
			out = append(out, found)
		}
	}
	return out, nil
}

// Default leaves out the opt-in checks: what runs when no check is selected.
func Default(cs []*Check) []*Check {
	out := make([]*Check, 0, len(cs))
	for _, c := range cs {
		if !c.OptIn {
			out = append(out, c)
		}
	}
	return out
}

// Need reports whether some check requires collection coll (in requires or requires_in_scope): the live
// reader then collects it (the delivery evidence is read only when a check needs it).
func Need(cs []*Check, coll inventory.Collection) bool {
	for _, c := range cs {
		if slices.Contains(c.Requires, coll) || slices.Contains(c.RequiresInScope, coll) {
			return true
		}
	}
	return false
}

func containsCheck(cs []*Check, c *Check) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// Source returns the YAML text of a check as loaded.
func (c *Check) Source() string { return strings.Join(c.lines, "\n") }

// Matcher returns the predicate of the check's query, compiled with the parameter defaults and overrides:
// true for an asset the query returns (with "eq []": an asset that fails). The predicate is safe for
// concurrent use; its error is a *query.LimitError when the query needs too much work on the node.
func (c *Check) Matcher(overrides map[string]any) (func(*graph.Node) (bool, error), error) {
	cc, err := c.compile(overrides)
	if err != nil {
		return nil, err
	}
	return func(n *graph.Node) (bool, error) { return cc.query.Match(query.NewEval(context.Background()), n) }, nil
}
