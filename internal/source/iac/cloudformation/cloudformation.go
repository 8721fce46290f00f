// Package cloudformation reads CloudFormation templates (YAML with short-form tags like !Ref and !Sub, or
// JSON) into IaC units: AWS::EC2::VPC, AWS::EC2::FlowLog, AWS::Logs::LogGroup, subnets, interfaces, buckets
// and delivery roles, with the line of each resource. Intrinsic functions are resolved where the template
// alone decides them (parameter defaults, conditions, mappings, Ref/GetAtt of resources of the template);
// anything else (a parameter without default, Fn::ImportValue) is recorded as iac.Unresolved with the reason.
package cloudformation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/iac"
)

// Looks reports whether src looks like a CloudFormation template (so that other YAML and JSON files found
// while walking a directory are left alone).
func Looks(src []byte) bool {
	if bytes.Contains(src, []byte("AWSTemplateFormatVersion")) {
		return true
	}
	return bytes.Contains(src, []byte("Resources")) && bytes.Contains(src, []byte("AWS::"))
}

// ParseError is a template that cannot be read, with file:line where known.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// Parse reads a template document. JSON is read by the YAML parser too (JSON is YAML), which keeps lines.
//
// yaml.v3 refuses documents nested deeper than 10,000 levels (flow or block) with an error, so nesting
// cannot overflow the stack; the size is bounded here.
func Parse(file string, src []byte) (*yaml.Node, error) {
	if len(src) > iac.MaxSourceSize {
		return nil, &ParseError{File: file, Msg: fmt.Sprintf("template is too large (%d bytes, at most %d read)", len(src), iac.MaxSourceSize)}
	}
	if isJSON(src) {
		// Tabs are not allowed as YAML indentation; in valid JSON they only ever appear as whitespace.
		src = bytes.ReplaceAll(src, []byte("\t"), []byte(" "))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		msg := err.Error()
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		return nil, &ParseError{File: file, Line: line, Msg: msg}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &ParseError{File: file, Msg: "empty template"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &ParseError{File: file, Line: root.Line, Msg: "template is not a mapping"}
	}
	return root, nil
}

func isJSON(src []byte) bool {
	t := bytes.TrimSpace(src)
	return len(t) > 0 && t[0] == '{'
}

// Read turns a template into a unit. file is the path shown in locations; with qualify, ids carry it.
func Read(file string, src []byte, qualify bool) (*iac.Unit, error) {
	root, err := Parse(file, src)
	if err != nil {
		return nil, err
	}
	t := &template{file: file, u: iac.NewUnit(iac.KindCloudFormation, file, "", qualify),
		params: map[string]*yaml.Node{}, conds: map[string]*yaml.Node{}, mappings: map[string]*yaml.Node{},
		res: map[string]*resource{}, condVal: map[string]any{}}
	if err := t.load(root); err != nil {
		return nil, err
	}
	t.transforms(root)
	t.emit()
	vpcs := map[string]bool{}
	for _, v := range t.u.Region.VPCs {
		vpcs[v.ID] = true
	}
	for _, n := range t.nested {
		if vpcs[n.value] {
			t.u.Unresolve(iac.Unresolved{What: "Resources." + n.stack, Why: "nested stack (not followed) is given the VPC as parameter " + n.param + " and may create its flow log",
				Location: n.loc, VPC: n.value})
		}
	}
	t.u.Finish()
	return t.u, nil
}

// transforms records the macros of a Transform section (AWS::Include, AWS::LanguageExtensions, custom
// macros), which CloudFormation runs at deploy time and which may add or change any resource: flowguard
// neither runs them nor fetches what they include. AWS::Serverless (SAM) creates no VPC or flow log.
func (t *template) transforms(root *yaml.Node) {
	n := get(root, "Transform")
	if n == nil {
		return
	}
	var names []string
	switch n.Kind {
	case yaml.ScalarNode:
		names = []string{n.Value}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c = deref(c); c != nil && c.Kind == yaml.ScalarNode {
				names = append(names, c.Value)
			} else {
				names = append(names, "(a macro with parameters)")
			}
		}
	default:
		names = []string{"(a macro with parameters)"}
	}
	for _, name := range names {
		if strings.HasPrefix(name, "AWS::Serverless") {
			continue
		}
		t.u.Unresolve(iac.Unresolved{What: "Transform " + name, Why: "a macro CloudFormation runs at deploy time, which may add or change resources",
			Location: inventory.Location{File: t.file, Line: n.Line, Address: "Transform"}, VPC: iac.AnyVPC})
	}
}

type resource struct {
	name    string
	typ     string
	line    int
	props   *yaml.Node
	cond    string
	condAt  int
	refBusy bool
	ref     any // cached Ref value
}

type template struct {
	file     string
	u        *iac.Unit
	params   map[string]*yaml.Node
	conds    map[string]*yaml.Node
	mappings map[string]*yaml.Node
	res      map[string]*resource
	order    []string
	condVal  map[string]any
	steps    int
	nested   []nestedParam
}

type nestedParam struct {
	stack, param, value string
	loc                 inventory.Location
}

// unknown is a value that cannot be resolved from the template, and why.
type unknown struct{ why string }

func (t *template) errAt(n *yaml.Node, format string, args ...any) error {
	return &ParseError{File: t.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}

func mapEntries(n *yaml.Node) [][2]*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

func get(n *yaml.Node, key string) *yaml.Node {
	for _, kv := range mapEntries(n) {
		if kv[0].Value == key {
			return deref(kv[1])
		}
	}
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func (t *template) load(root *yaml.Node) error {
	for _, kv := range mapEntries(get(root, "Parameters")) {
		t.params[kv[0].Value] = deref(kv[1])
	}
	for _, kv := range mapEntries(get(root, "Conditions")) {
		t.conds[kv[0].Value] = deref(kv[1])
	}
	for _, kv := range mapEntries(get(root, "Mappings")) {
		t.mappings[kv[0].Value] = deref(kv[1])
	}
	rs := get(root, "Resources")
	if rs == nil {
		return &ParseError{File: t.file, Line: root.Line, Msg: "no Resources section"}
	}
	if rs.Kind != yaml.MappingNode {
		return t.errAt(rs, "Resources is not a mapping")
	}
	for _, kv := range mapEntries(rs) {
		body := deref(kv[1])
		if body == nil || body.Kind != yaml.MappingNode {
			return t.errAt(kv[0], "resource %s is not a mapping", kv[0].Value)
		}
		typ := get(body, "Type")
		if typ == nil || typ.Kind != yaml.ScalarNode {
			return t.errAt(kv[0], "resource %s has no Type", kv[0].Value)
		}
		r := &resource{name: kv[0].Value, typ: typ.Value, line: kv[0].Line, props: get(body, "Properties")}
		if c := get(body, "Condition"); c != nil && c.Kind == yaml.ScalarNode {
			r.cond, r.condAt = c.Value, c.Line
		}
		if _, dup := t.res[r.name]; !dup {
			t.order = append(t.order, r.name)
		}
		t.res[r.name] = r
	}
	return nil
}

// condition evaluates a named condition: true, false or unknown.
func (t *template) condition(name string) any {
	if v, ok := t.condVal[name]; ok {
		return v
	}
	n, ok := t.conds[name]
	if !ok {
		return unknown{"condition " + name + " is not defined"}
	}
	t.condVal[name] = unknown{"condition " + name + " refers to itself"}
	v := t.resolve(n, 0)
	if _, ok := v.(bool); !ok {
		if u, isU := v.(unknown); isU {
			v = unknown{"condition " + name + ": " + u.why}
		} else {
			v = unknown{"condition " + name + " is not a boolean"}
		}
	}
	t.condVal[name] = v
	return v
}

const maxSteps = 200000

// resolve evaluates a node to string, float64, bool, nil, []any, map[string]any or unknown.
func (t *template) resolve(n *yaml.Node, depth int) any {
	t.steps++
	if t.steps > maxSteps || depth > 64 {
		return unknown{"template too deeply nested to evaluate"}
	}
	n = deref(n)
	if n == nil {
		return nil
	}
	if fn := shortTag(n.Tag); fn != "" {
		var arg any
		if n.Kind == yaml.ScalarNode {
			arg = n.Value
		} else {
			c := *n // the argument is the node without its tag
			c.Tag = ""
			arg = &c
		}
		return t.intrinsic(fn, arg, n, depth)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil
		case "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			return b
		case "!!int", "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil {
				return n.Value
			}
			return f
		}
		return n.Value
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v := t.resolve(c, depth+1)
			if v == noValue {
				continue
			}
			out = append(out, v)
		}
		return out
	case yaml.MappingNode:
		if len(n.Content) == 2 {
			k := n.Content[0].Value
			if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
				return t.intrinsic(k, n.Content[1], n, depth)
			}
		}
		out := map[string]any{}
		for _, kv := range mapEntries(n) {
			v := t.resolve(kv[1], depth+1)
			if v == noValue {
				continue
			}
			out[kv[0].Value] = v
		}
		return out
	}
	return nil
}

// noValue is what Ref AWS::NoValue resolves to: the property is removed.
var noValue any = struct{ noValue bool }{true}

func shortTag(tag string) string {
	switch tag {
	case "!Ref":
		return "Ref"
	case "!Condition":
		return "Condition"
	case "":
		return ""
	}
	if strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		return "Fn::" + tag[1:]
	}
	return ""
}

func (t *template) argNode(arg any) *yaml.Node {
	if n, ok := arg.(*yaml.Node); ok {
		return deref(n)
	}
	return nil
}

// args resolves an intrinsic's argument to a list.
func (t *template) args(arg any, depth int) ([]any, bool) {
	switch a := arg.(type) {
	case string:
		return []any{a}, true
	case *yaml.Node:
		v := t.resolve(a, depth+1)
		if l, ok := v.([]any); ok {
			return l, true
		}
		if s, ok := v.(string); ok {
			return []any{s}, true
		}
	}
	return nil, false
}

func (t *template) intrinsic(fn string, arg any, at *yaml.Node, depth int) any {
	scalar := func() (string, bool) {
		switch a := arg.(type) {
		case string:
			return a, true
		case *yaml.Node:
			if d := deref(a); d != nil && d.Kind == yaml.ScalarNode {
				return d.Value, true
			}
		}
		return "", false
	}
	switch fn {
	case "Ref":
		name, ok := scalar()
		if !ok {
			return unknown{"Ref needs a name"}
		}
		return t.ref(name, depth)
	case "Condition":
		name, ok := scalar()
		if !ok {
			return unknown{"Condition needs a name"}
		}
		return t.condition(name)
	case "Fn::GetAtt":
		var parts []string
		if s, ok := scalar(); ok {
			parts = strings.SplitN(s, ".", 2)
		} else if l, ok := t.args(arg, depth); ok {
			for _, x := range l {
				s, _ := x.(string)
				parts = append(parts, s)
			}
		}
		if len(parts) != 2 {
			return unknown{"Fn::GetAtt needs Resource.Attribute"}
		}
		return t.getAtt(parts[0], parts[1], depth)
	case "Fn::Sub":
		var tmpl string
		vars := map[string]any{}
		if s, ok := scalar(); ok {
			tmpl = s
		} else {
			n := t.argNode(arg)
			if n == nil || n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
				return unknown{"Fn::Sub needs a string"}
			}
			s := t.resolve(n.Content[0], depth+1)
			str, ok := s.(string)
			if !ok {
				return unknownOr(s, "Fn::Sub needs a string")
			}
			tmpl = str
			if len(n.Content) > 1 {
				for _, kv := range mapEntries(n.Content[1]) {
					vars[kv[0].Value] = t.resolve(kv[1], depth+1)
				}
			}
		}
		return t.sub(tmpl, vars, depth)
	case "Fn::Join":
		l, ok := t.args(arg, depth)
		if !ok || len(l) != 2 {
			return unknown{"Fn::Join needs [delimiter, list]"}
		}
		d, ok := l[0].(string)
		if !ok {
			return unknownOr(l[0], "Fn::Join delimiter is not a string")
		}
		items, ok := l[1].([]any)
		if !ok {
			return unknownOr(l[1], "Fn::Join needs a list")
		}
		var ss []string
		for _, it := range items {
			s, ok := scalarString(it)
			if !ok {
				return unknownOr(it, "Fn::Join item is not a string")
			}
			ss = append(ss, s)
		}
		return strings.Join(ss, d)
	case "Fn::Select":
		l, ok := t.args(arg, depth)
		if !ok || len(l) != 2 {
			return unknown{"Fn::Select needs [index, list]"}
		}
		is, ok := scalarString(l[0])
		if !ok {
			return unknownOr(l[0], "Fn::Select index")
		}
		i, err := strconv.Atoi(is)
		items, ok2 := l[1].([]any)
		if err != nil || !ok2 {
			return unknownOr(l[1], "Fn::Select needs a list")
		}
		if i < 0 || i >= len(items) {
			return unknown{"Fn::Select index out of range"}
		}
		return items[i]
	case "Fn::Split":
		l, ok := t.args(arg, depth)
		if !ok || len(l) != 2 {
			return unknown{"Fn::Split needs [delimiter, string]"}
		}
		d, ok1 := l[0].(string)
		s, ok2 := l[1].(string)
		if !ok1 || !ok2 {
			return unknownOr(l[1], "Fn::Split needs strings")
		}
		var out []any
		for _, p := range strings.Split(s, d) {
			out = append(out, p)
		}
		return out
	case "Fn::If":
		n := t.argNode(arg)
		if n == nil || n.Kind != yaml.SequenceNode || len(n.Content) != 3 {
			return unknown{"Fn::If needs [condition, then, else]"}
		}
		c := t.condition(n.Content[0].Value)
		b, ok := c.(bool)
		if !ok {
			return c
		}
		if b {
			return t.resolve(n.Content[1], depth+1)
		}
		return t.resolve(n.Content[2], depth+1)
	case "Fn::Equals":
		l, ok := t.args(arg, depth)
		if !ok || len(l) != 2 {
			return unknown{"Fn::Equals needs two values"}
		}
		for _, x := range l {
			if u, ok := x.(unknown); ok {
				return u
			}
		}
		a, _ := scalarString(l[0])
		b, _ := scalarString(l[1])
		return a == b
	case "Fn::And", "Fn::Or":
		l, ok := t.args(arg, depth)
		if !ok {
			return unknown{fn + " needs a list"}
		}
		var unk any
		for _, x := range l {
			b, ok := x.(bool)
			if !ok {
				unk = unknownOr(x, fn+" needs booleans")
				continue
			}
			if fn == "Fn::And" && !b {
				return false
			}
			if fn == "Fn::Or" && b {
				return true
			}
		}
		if unk != nil {
			return unk
		}
		return fn == "Fn::And"
	case "Fn::Not":
		l, ok := t.args(arg, depth)
		if !ok || len(l) != 1 {
			return unknown{"Fn::Not needs one condition"}
		}
		b, ok := l[0].(bool)
		if !ok {
			return unknownOr(l[0], "Fn::Not needs a boolean")
		}
		return !b
	case "Fn::FindInMap":
		l, ok := t.args(arg, depth)
		if !ok || len(l) < 3 {
			return unknown{"Fn::FindInMap needs [map, key, key]"}
		}
		var keys []string
		for _, x := range l[:3] {
			s, ok := scalarString(x)
			if !ok {
				return unknownOr(x, "Fn::FindInMap key is not known")
			}
			keys = append(keys, s)
		}
		m := t.mappings[keys[0]]
		v := get(get(m, keys[1]), keys[2])
		if v == nil {
			if len(l) > 3 {
				if dm, ok := l[3].(map[string]any); ok {
					return dm["DefaultValue"]
				}
			}
			return unknown{fmt.Sprintf("mapping %s has no %s/%s", keys[0], keys[1], keys[2])}
		}
		return t.resolve(v, depth+1)
	case "Fn::ImportValue":
		return unknown{"Fn::ImportValue takes its value from another stack"}
	case "Fn::Base64":
		n := t.argNode(arg)
		if n == nil {
			s, _ := scalar()
			return s
		}
		return t.resolve(n, depth+1)
	case "Fn::ToJsonString":
		n := t.argNode(arg)
		if n == nil {
			return unknown{"Fn::ToJsonString needs an object"}
		}
		v := t.resolve(n, depth+1)
		if u, ok := firstUnknown(v); ok {
			return u
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return unknown{fn + " is evaluated by CloudFormation at deploy time"}
}

func unknownOr(v any, why string) any {
	if u, ok := v.(unknown); ok {
		return u
	}
	return unknown{why}
}

func firstUnknown(v any) (unknown, bool) {
	switch x := v.(type) {
	case unknown:
		return x, true
	case []any:
		for _, e := range x {
			if u, ok := firstUnknown(e); ok {
				return u, true
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if u, ok := firstUnknown(x[k]); ok {
				return u, true
			}
		}
	}
	return unknown{}, false
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (t *template) sub(tmpl string, vars map[string]any, depth int) any {
	var unk *unknown
	out := subVar.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		var v any
		if x, ok := vars[name]; ok {
			v = x
		} else if i := strings.IndexByte(name, '.'); i > 0 && !strings.HasPrefix(name, "AWS::") {
			v = t.getAtt(name[:i], name[i+1:], depth)
		} else {
			v = t.ref(name, depth)
		}
		s, ok := scalarString(v)
		if !ok {
			u := unknownOr(v, "${"+name+"} is not a string").(unknown)
			if unk == nil {
				unk = &u
			}
			return m
		}
		return s
	})
	if unk != nil {
		return *unk
	}
	return out
}

// ref resolves Ref to a parameter, pseudo parameter or resource of the template.
func (t *template) ref(name string, depth int) any {
	switch name {
	case "AWS::Region":
		return t.u.Region.Name
	case "AWS::AccountId":
		return iac.AccountID
	case "AWS::Partition":
		return "aws"
	case "AWS::URLSuffix":
		return "amazonaws.com"
	case "AWS::NoValue":
		return noValue
	case "AWS::StackName", "AWS::StackId", "AWS::NotificationARNs":
		// Kept as text: names built from the stack name match wherever they are built the same way.
		return "${" + name + "}"
	}
	if p, ok := t.params[name]; ok {
		if d := get(p, "Default"); d != nil {
			v := t.resolve(d, depth+1)
			if typ := get(p, "Type"); typ != nil && strings.HasPrefix(typ.Value, "List<") || (typ != nil && typ.Value == "CommaDelimitedList") {
				if s, ok := v.(string); ok {
					var out []any
					for _, x := range strings.Split(s, ",") {
						out = append(out, strings.TrimSpace(x))
					}
					return out
				}
			}
			return v
		}
		return unknown{"parameter " + name + " has no Default"}
	}
	r, ok := t.res[name]
	if !ok {
		return unknown{"Ref to " + name + ", which is not in the template"}
	}
	return t.resourceRef(r, depth)
}

// resourceRef is what Ref returns for a resource: its name where the template sets one, else a stand-in
// (the qualified logical id) used consistently wherever the resource is referenced.
func (t *template) resourceRef(r *resource, depth int) any {
	if r.ref != nil {
		return r.ref
	}
	if r.refBusy {
		return unknown{"Ref cycle through " + r.name}
	}
	r.refBusy = true
	defer func() { r.refBusy = false }()
	id := t.u.QualifiedID(r.name)
	nameProp := map[string]string{"AWS::Logs::LogGroup": "LogGroupName", "AWS::S3::Bucket": "BucketName", "AWS::IAM::Role": "RoleName"}[r.typ]
	if nameProp != "" {
		if v, ok := t.resolve(get(r.props, nameProp), depth+1).(string); ok && v != "" {
			id = v
		}
	}
	r.ref = id
	return id
}

func (t *template) getAtt(res, attr string, depth int) any {
	r, ok := t.res[res]
	if !ok {
		return unknown{"Fn::GetAtt " + res + "." + attr + ": " + res + " is not in the template"}
	}
	ref := t.resourceRef(r, depth)
	name, ok := ref.(string)
	if !ok {
		return ref
	}
	switch {
	case r.typ == "AWS::Logs::LogGroup" && attr == "Arn":
		return iac.LogGroupARN(t.u.Region.Name, name) + ":*"
	case r.typ == "AWS::S3::Bucket" && attr == "Arn":
		return iac.BucketARN(name)
	case r.typ == "AWS::IAM::Role" && attr == "Arn":
		return iac.RoleARN(name)
	case r.typ == "AWS::EC2::VPC" && attr == "VpcId", r.typ == "AWS::EC2::Subnet" && attr == "SubnetId":
		return name
	}
	return unknown{"Fn::GetAtt " + res + "." + attr + " is known only after deployment"}
}

// prop resolves a property of a resource; present is false when it is absent (or AWS::NoValue).
func (t *template) prop(r *resource, key string) (v any, line int, present bool) {
	n := get(r.props, key)
	if n == nil {
		return nil, 0, false
	}
	v = t.resolve(n, 0)
	if v == noValue || v == nil {
		return nil, n.Line, false
	}
	return v, n.Line, true
}

func (t *template) emit() {
	u := t.u
	for _, name := range t.order {
		r := t.res[name]
		loc := &inventory.Location{File: t.file, Line: r.line, Address: "Resources." + r.name}
		maybe := ""
		if r.cond != "" {
			switch c := t.condition(r.cond).(type) {
			case bool:
				if !c {
					continue
				}
			case unknown:
				maybe = "Condition " + r.cond + ": " + c.why
			}
		}
		id := t.u.QualifiedID(r.name)
		str := func(key string) string {
			v, _, _ := t.prop(r, key)
			s, _ := scalarString(v)
			return s
		}
		switch r.typ {
		case "AWS::EC2::VPC":
			u.Region.VPCs = append(u.Region.VPCs, inventory.VPC{ID: id, CIDR: str("CidrBlock"), State: "available", Tags: t.tags(r), Location: loc})
		case "AWS::EC2::Subnet":
			u.Region.Subnets = append(u.Region.Subnets, inventory.Subnet{ID: id, VPCID: str("VpcId"), CIDR: str("CidrBlock"), Tags: t.tags(r)})
		case "AWS::EC2::NetworkInterface":
			u.Region.NetworkInterfaces = append(u.Region.NetworkInterfaces, inventory.NetworkInterface{ID: id, SubnetID: str("SubnetId"), Status: "in-use", Type: "interface"})
		case "AWS::Logs::LogGroup":
			lgName, _ := t.resourceRef(r, 0).(string)
			g := inventory.LogGroup{Name: lgName, ARN: iac.LogGroupARN(u.Region.Name, lgName), KMSKeyID: str("KmsKeyId"), Location: loc}
			if v, line, ok := t.prop(r, "RetentionInDays"); ok {
				if x, isU := v.(unknown); isU {
					one := int32(1)
					g.RetentionDays = &one
					u.Unresolve(iac.Unresolved{What: "Resources." + r.name + ": RetentionInDays", Why: x.why,
						Location: inventory.Location{File: t.file, Line: line, Address: loc.Address}, LogGroup: lgName})
				} else {
					g.RetentionDays = t.retention(v, lgName, inventory.Location{File: t.file, Line: line, Address: loc.Address})
				}
			}
			u.Region.LogGroups = append(u.Region.LogGroups, g)
		case "AWS::S3::Bucket":
			b, _ := t.resourceRef(r, 0).(string)
			u.Buckets = append(u.Buckets, inventory.Bucket{Name: b, ARN: iac.BucketARN(b), AccountID: iac.AccountID, State: inventory.BucketExists})
		case "AWS::IAM::Role":
			role := iac.Role{Address: loc.Address, Location: *loc}
			if arn, ok := t.getAtt(r.name, "Arn", 0).(string); ok {
				role.ARN = arn
			}
			if v, _, ok := t.prop(r, "AssumeRolePolicyDocument"); ok {
				if _, isU := firstUnknown(v); !isU {
					if s, isStr := v.(string); isStr {
						role.Trust = s
					} else {
						b, _ := json.Marshal(v)
						role.Trust = string(b)
					}
					role.TrustKnown = true
				}
			}
			u.AddRole(role)
		case "AWS::EC2::FlowLog":
			t.emitFlowLog(r, id, loc, maybe)
		case "AWS::CloudFormation::Stack":
			// A nested stack is not followed: if it is given a VPC of this template, it may create its flow log.
			if v, _, ok := t.prop(r, "Parameters"); ok {
				if m, ok := v.(map[string]any); ok {
					keys := make([]string, 0, len(m))
					for k := range m {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					for _, k := range keys {
						if s, ok := m[k].(string); ok {
							t.nested = append(t.nested, nestedParam{stack: r.name, param: k, value: s, loc: *loc})
						}
					}
				}
			}
		}
	}
}

func (t *template) emitFlowLog(r *resource, id string, loc *inventory.Location, maybe string) {
	u := t.u
	at := func(line int) inventory.Location {
		if line == 0 {
			line = loc.Line
		}
		return inventory.Location{File: t.file, Line: line, Address: loc.Address}
	}
	f := inventory.FlowLog{ID: id, Status: inventory.FlowLogStatusActive, MaxAggregationInterval: 600, Location: loc}
	rt, rtLine, _ := t.prop(r, "ResourceType")
	target, tLine, _ := t.prop(r, "ResourceId")
	rtS, rtOK := scalarString(rt)
	tS, tOK := scalarString(target)
	if !rtOK {
		why := "ResourceType is missing"
		if x, ok := rt.(unknown); ok {
			why = x.why
		}
		u.Unresolve(iac.Unresolved{What: loc.Address + ": ResourceType", Why: why, Location: at(rtLine), VPC: iac.AnyVPC})
		return
	}
	f.ResourceType = rtS
	vpc := rtS == inventory.ResourceTypeVPC
	if !tOK {
		if vpc {
			why := "ResourceId is missing"
			if x, ok := target.(unknown); ok {
				why = x.why
			}
			u.Unresolve(iac.Unresolved{What: loc.Address + ": ResourceId", Why: why, Location: at(tLine), VPC: iac.AnyVPC})
		}
		return
	}
	f.ResourceID = tS
	if maybe != "" {
		if vpc {
			u.Unresolve(iac.Unresolved{What: loc.Address, Why: maybe + "; the flow log may not be created", Location: *loc, VPC: tS})
		}
		return
	}
	vpcOf := ""
	if vpc {
		vpcOf = tS
	}
	strProp := func(key string, dst *string) {
		v, line, ok := t.prop(r, key)
		if !ok {
			return
		}
		if x, isU := v.(unknown); isU {
			u.Unresolve(iac.Unresolved{What: loc.Address + ": " + key, Why: x.why, Location: at(line), VPC: vpcOf,
				FlowLog: f.ID, Field: map[string]string{"TrafficType": "trafficType", "LogDestinationType": "logDestinationType"}[key]})
			return
		}
		*dst, _ = scalarString(v)
	}
	strProp("TrafficType", &f.TrafficType)
	f.DestinationType = inventory.DestinationCloudWatchLogs
	strProp("LogDestinationType", &f.DestinationType)
	for _, key := range []string{"LogDestination", "LogGroupName"} {
		v, line, ok := t.prop(r, key)
		if !ok {
			continue
		}
		if x, isU := v.(unknown); isU {
			stand := loc.Address + "." + key
			u.Unresolve(iac.Unresolved{What: loc.Address + ": " + key, Why: x.why, Location: at(line), LogGroup: stand})
			if f.DestinationType == inventory.DestinationCloudWatchLogs {
				f.LogGroupName = stand
			}
			continue
		}
		s, _ := scalarString(v)
		if key == "LogDestination" {
			f.Destination = s
		} else {
			f.LogGroupName = s
		}
	}
	if v, _, ok := t.prop(r, "DeliverLogsPermissionArn"); ok {
		f.DeliverLogsPermissionARN, _ = scalarString(v)
	}
	if v, _, ok := t.prop(r, "MaxAggregationInterval"); ok {
		if s, ok := scalarString(v); ok {
			if n, err := strconv.Atoi(s); err == nil {
				f.MaxAggregationInterval = n
			}
		}
	}
	if v, _, ok := t.prop(r, "LogFormat"); ok {
		f.LogFormat, _ = scalarString(v)
	}
	if v, _, ok := t.prop(r, "DestinationOptions"); ok {
		if m, ok := v.(map[string]any); ok {
			f.FileFormat, _ = m["FileFormat"].(string)
			f.HiveCompatiblePartitions, _ = m["HiveCompatiblePartitions"].(bool)
			f.PerHourPartition, _ = m["PerHourPartition"].(bool)
		}
	}
	f.Tags = t.tags(r)
	iac.FillDestination(&f, u.Region.Name)
	u.Region.FlowLogs = append(u.Region.FlowLogs, f)
}

// retention reads a resolved RetentionInDays: nil for never expire (0), the days for a value CloudWatch Logs
// accepts, else the invalid stand-in, with the reason recorded on the log group.
func (t *template) retention(v any, logGroup string, at inventory.Location) *int32 {
	shown := "(not a number)"
	n, ok := 0, false
	switch x := v.(type) {
	case float64:
		shown = strconv.FormatFloat(x, 'g', 10, 64)
		if x == float64(int32(x)) {
			n, ok = int(x), true
		}
	case string:
		shown = strconv.Quote(x)
		if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil && i >= -1<<31 && i <= 1<<31-1 {
			n, ok = i, true
		}
	}
	if ok && iac.ValidRetention(n) {
		if n == 0 {
			return nil
		}
		d := int32(n)
		return &d
	}
	t.u.Invalidate(iac.Unresolved{What: at.Address, Why: iac.InvalidRetention("RetentionInDays", shown), Location: at, LogGroup: logGroup})
	d := int32(iac.InvalidStandIn)
	return &d
}

// tags reads a CloudFormation Tags list of {Key, Value}.
func (t *template) tags(r *resource) map[string]string {
	v, _, ok := t.prop(r, "Tags")
	if !ok {
		return nil
	}
	l, _ := v.([]any)
	out := map[string]string{}
	for _, e := range l {
		m, _ := e.(map[string]any)
		k, ok1 := m["Key"].(string)
		val, ok2 := scalarString(m["Value"])
		if ok1 && ok2 {
			out[k] = val
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
