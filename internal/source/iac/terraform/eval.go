package terraform

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/flowguard/flowguard/internal/source/iac"
)

var ctyString = cty.String

// maxDepth bounds how deep local modules are followed (and stops a module that calls itself).
const maxDepth = 6

// maxInstances bounds the instances one count or for_each expands to; maxTotalInstances bounds the instances
// (resources, data sources, modules) one read expands, over all passes: past either, the block is unknown
// (UNKNOWN findings with the reason), never silently shortened.
const (
	maxInstances      = 1000
	maxTotalInstances = 200000
)

// maxElements bounds the elements one read iterates over in for expressions (and %{for} template directives)
// and builds with range and setproduct, over all passes. Each range is capped at 1,024 elements by go-cty,
// but for expressions nest and setproduct multiplies: three nested ranges are a billion values. Past the
// bound, the expression is unknown with the reason (UNKNOWN findings), never evaluated at length.
const maxElements = 250000

// shared is what every module instance of one read shares.
type shared struct {
	// cache holds the modules parsed so far.
	cache map[string]*module
	// root confines every file read (modules, file(), templatefile()) to what the user asked to scan.
	root iac.Root
	// instances left before maxTotalInstances is reached.
	instances int
	// elements left before maxElements is reached.
	elements int
}

// passes is how many times locals, resources and modules are re-evaluated so that references in any order
// settle; what is still unknown after that is unknown for good (a cycle, or a value known only after apply).
const passes = 4

// modInst is one instance of a module being evaluated: the root, or a module block (instance) of a parent.
type modInst struct {
	m      *module
	prefix string // address prefix, "" or "module.vpc." or "module.vpc[0]."
	depth  int
	inputs map[string]cty.Value
	// inputWhy explains unknown inputs.
	inputWhy map[string]string
	rootDir  string
	region   string

	vars   map[string]cty.Value
	locals map[string]cty.Value
	res    map[string]map[string]cty.Value // type -> name -> value
	data   map[string]map[string]cty.Value
	mods   map[string]cty.Value
	why    map[string]string // "var.x", "local.y", "module.z" -> why unknown

	children map[string][]*childInst
	u        *iac.Unit
	sh       *shared
	fns      map[string]function.Function
}

func (mi *modInst) load(dir string) (*module, error) {
	if m, ok := mi.sh.cache[dir]; ok {
		return m, nil
	}
	m, err := loadModule(mi.sh.root, dir, false)
	if err == nil {
		mi.sh.cache[dir] = m
	}
	return m, err
}

type childInst struct {
	mi   *modInst // nil when the module is not followed
	key  cty.Value
	addr string // module.x or module.x[0]
	// unread is a local module flowguard did not read (too deep, outside the scanned path, unreadable): it
	// may declare VPCs and flow logs of its own.
	unread bool
	// inputs, region and outs of a followed module, to reuse it in the next pass when nothing changed.
	inputs map[string]cty.Value
	region string
	outs   cty.Value
}

func prevKid(prev []*childInst, addr string) *childInst {
	for _, k := range prev {
		if k.addr == addr && k.mi != nil {
			return k
		}
	}
	return nil
}

func sameInputs(a, b map[string]cty.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !v.RawEquals(w) {
			return false
		}
	}
	return true
}

func newModInst(m *module, prefix string, depth int, inputs map[string]cty.Value, inputWhy map[string]string, rootDir string, u *iac.Unit) *modInst {
	mi := &modInst{m: m, prefix: prefix, depth: depth, inputs: inputs, inputWhy: inputWhy, rootDir: rootDir, u: u,
		locals: map[string]cty.Value{}, res: map[string]map[string]cty.Value{}, data: map[string]map[string]cty.Value{},
		mods: map[string]cty.Value{}, why: map[string]string{}, children: map[string][]*childInst{}}
	mi.initVars()
	for _, a := range m.locals {
		mi.locals[a.Name] = cty.DynamicVal
	}
	for _, b := range m.resources {
		t, n := b.Labels[0], b.Labels[1]
		if mi.res[t] == nil {
			mi.res[t] = map[string]cty.Value{}
		}
		mi.res[t][n] = cty.DynamicVal
	}
	for _, b := range m.data {
		t, n := b.Labels[0], b.Labels[1]
		if mi.data[t] == nil {
			mi.data[t] = map[string]cty.Value{}
		}
		mi.data[t][n] = cty.DynamicVal
	}
	for _, b := range m.modules {
		mi.mods[b.Labels[0]] = cty.DynamicVal
	}
	return mi
}

func (mi *modInst) initVars() {
	mi.vars = map[string]cty.Value{}
	set := map[string]cty.Value{}
	if mi.inputs == nil { // root: terraform.tfvars
		for _, a := range mi.m.tfvars {
			if v, d := a.Expr.Value(nil); !d.HasErrors() {
				set[a.Name] = v
			}
		}
	}
	for _, b := range mi.m.variables {
		name := b.Labels[0]
		if v, ok := mi.inputs[name]; ok {
			mi.vars[name] = v
			if w, ok := mi.inputWhy[name]; ok {
				mi.why["var."+name] = w
			}
			continue
		}
		if v, ok := set[name]; ok {
			mi.vars[name] = v
			continue
		}
		if a, ok := b.Body.Attributes["default"]; ok {
			if v, d := a.Expr.Value(nil); !d.HasErrors() {
				mi.vars[name] = v
				continue
			}
		}
		mi.vars[name] = cty.DynamicVal
		if mi.inputs == nil {
			mi.why["var."+name] = "has no default and is not set in terraform.tfvars"
		} else {
			mi.why["var."+name] = "is not passed to the module and has no default"
		}
	}
}

// ctx builds the evaluation context from the current values.
func (mi *modInst) ctx() *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":    objOrEmpty(mi.vars),
		"local":  objOrEmpty(mi.locals),
		"module": objOrEmpty(mi.mods),
		// As in Terraform, relative to the root module's directory, where relative file paths start.
		"path": cty.ObjectVal(map[string]cty.Value{
			"module": cty.StringVal(relTo(mi.rootDir, mi.m.dir)), "root": cty.StringVal("."), "cwd": cty.StringVal("."),
		}),
		"terraform": cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default")}),
	}
	data := map[string]cty.Value{}
	for t, ns := range mi.data {
		data[t] = objOrEmpty(ns)
	}
	vars["data"] = objOrEmpty(data)
	for t, ns := range mi.res {
		if _, clash := vars[t]; !clash {
			vars[t] = objOrEmpty(ns)
		}
	}
	if mi.fns == nil {
		mi.fns = mi.functions()
	}
	return &hcl.EvalContext{Variables: vars, Functions: mi.fns}
}

func objOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

func (mi *modInst) functions() map[string]function.Function {
	fs := map[string]function.Function{
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "max": stdlib.MaxFunc,
		"min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "signum": stdlib.SignumFunc,
		"chomp": stdlib.ChompFunc, "format": stdlib.FormatFunc, "formatlist": stdlib.FormatListFunc,
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc, "upper": stdlib.UpperFunc,
		"regex": stdlib.RegexFunc, "regexall": stdlib.RegexAllFunc, "replace": stdlib.ReplaceFunc,
		"split": stdlib.SplitFunc, "strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc,
		"trim": stdlib.TrimFunc, "trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc,
		"trimspace": stdlib.TrimSpaceFunc, "chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc,
		"coalescelist": stdlib.CoalesceListFunc, "compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc,
		"contains": stdlib.ContainsFunc, "distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc,
		"flatten": stdlib.FlattenFunc, "index": stdlib.IndexFunc, "keys": stdlib.KeysFunc, "length": stdlib.LengthFunc,
		"lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc, "range": stdlib.RangeFunc, "reverse": stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc, "setproduct": stdlib.SetProductFunc, "setsubtract": stdlib.SetSubtractFunc,
		"setunion": stdlib.SetUnionFunc, "slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc,
		"zipmap": stdlib.ZipmapFunc, "jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc,
		"csvdecode": stdlib.CSVDecodeFunc,
		"tostring":  stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
	}
	mi.fileFunctions(fs)
	mi.boundedFunctions(fs)
	return fs
}

// run evaluates the module to a fixed point (bounded by passes).
func (mi *modInst) run() {
	for range passes {
		ctx := mi.ctx()
		for _, a := range mi.m.locals {
			v, d := a.Expr.Value(ctx)
			if d.HasErrors() {
				v = cty.DynamicVal
			}
			mi.locals[a.Name] = v
			if !v.IsWhollyKnown() {
				mi.why["local."+a.Name] = mi.explain(a.Expr, ctx)
			} else {
				delete(mi.why, "local."+a.Name)
			}
		}
		ctx = mi.ctx()
		for _, b := range mi.m.resources {
			mi.res[b.Labels[0]][b.Labels[1]] = mi.resourceValue(b, ctx)
		}
		for _, b := range mi.m.data {
			mi.data[b.Labels[0]][b.Labels[1]] = mi.dataValue(b, ctx)
		}
		ctx = mi.ctx()
		for _, b := range mi.m.modules {
			mi.mods[b.Labels[0]] = mi.moduleValue(b, ctx)
		}
	}
}

// instance is one expansion of a block under count or for_each.
type instance struct {
	suffix string // "", "[0]", `["a"]`
	ctx    *hcl.EvalContext
	key    cty.Value
}

type expansion int

const (
	expSingle expansion = iota
	expCount
	expForEach
	expUnknown // count or for_each not known: the block may have any number of instances
)

// expand returns the instances of a block with count or for_each.
func (mi *modInst) expand(body *hclsyntax.Body, ctx *hcl.EvalContext) ([]instance, expansion, string) {
	if a, ok := body.Attributes["count"]; ok {
		v, d := a.Expr.Value(ctx)
		if d.HasErrors() || !v.IsKnown() || v.IsNull() {
			return mi.unknownInstance(ctx, cty.Number), expUnknown, "count: " + mi.explain(a.Expr, ctx)
		}
		nv, err := convert.Convert(v, cty.Number)
		if err != nil {
			return mi.unknownInstance(ctx, cty.Number), expUnknown, "count: " + err.Error()
		}
		n, _ := nv.AsBigFloat().Int64()
		if n < 0 {
			return mi.unknownInstance(ctx, cty.Number), expUnknown, "count: must not be negative"
		}
		if n > maxInstances {
			return mi.unknownInstance(ctx, cty.Number), expUnknown, fmt.Sprintf("count: %d instances, more than the %d flowguard expands", n, maxInstances)
		}
		if !mi.spend(int(n)) {
			return mi.unknownInstance(ctx, cty.Number), expUnknown, mi.overBudget()
		}
		out := make([]instance, 0, n)
		for i := int64(0); i < n; i++ {
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})}
			out = append(out, instance{suffix: fmt.Sprintf("[%d]", i), ctx: c, key: cty.NumberIntVal(i)})
		}
		return out, expCount, ""
	}
	if a, ok := body.Attributes["for_each"]; ok {
		v, d := a.Expr.Value(ctx)
		if d.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
			return mi.unknownInstance(ctx, cty.String), expUnknown, "for_each: " + mi.explain(a.Expr, ctx)
		}
		var out []instance
		add := func(k string, val cty.Value) {
			c := ctx.NewChild()
			c.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(k), "value": val})}
			out = append(out, instance{suffix: fmt.Sprintf("[%q]", k), ctx: c, key: cty.StringVal(k)})
		}
		t := v.Type()
		if (t.IsCollectionType() || t.IsTupleType() || t.IsObjectType()) && v.LengthInt() > maxInstances {
			return mi.unknownInstance(ctx, cty.String), expUnknown, fmt.Sprintf("for_each: %d instances, more than the %d flowguard expands", v.LengthInt(), maxInstances)
		}
		if (t.IsCollectionType() || t.IsTupleType() || t.IsObjectType()) && !mi.spend(v.LengthInt()) {
			return mi.unknownInstance(ctx, cty.String), expUnknown, mi.overBudget()
		}
		switch {
		case t.IsSetType() || t.IsListType() || t.IsTupleType():
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				s, err := convert.Convert(e, cty.String)
				if err != nil || s.IsNull() {
					continue
				}
				add(s.AsString(), s)
			}
		case t.IsMapType() || t.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, e := it.Element()
				add(k.AsString(), e)
			}
		default:
			return mi.unknownInstance(ctx, cty.String), expUnknown, "for_each: not a map or set"
		}
		return out, expForEach, ""
	}
	if !mi.spend(1) {
		return mi.unknownInstance(ctx, cty.Number), expUnknown, mi.overBudget()
	}
	return []instance{{ctx: ctx}}, expSingle, ""
}

// spend takes n instances from the read's budget.
func (mi *modInst) spend(n int) bool {
	if n > mi.sh.instances {
		mi.sh.instances = 0
		return false
	}
	mi.sh.instances -= n
	return true
}

func (mi *modInst) overBudget() string {
	return fmt.Sprintf("the configuration expands to more than %d instances, more than flowguard evaluates", maxTotalInstances)
}

// relTo returns dir relative to base with forward slashes, or dir when it is not under base.
func relTo(base, dir string) string {
	r, err := filepath.Rel(base, dir)
	if err != nil {
		return filepath.ToSlash(dir)
	}
	return filepath.ToSlash(r)
}

func (mi *modInst) unknownInstance(ctx *hcl.EvalContext, keyType cty.Type) []instance {
	c := ctx.NewChild()
	c.Variables = map[string]cty.Value{
		"count": cty.ObjectVal(map[string]cty.Value{"index": cty.UnknownVal(cty.Number)}),
		"each":  cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.DynamicVal}),
	}
	return []instance{{ctx: c, key: cty.UnknownVal(keyType)}}
}

// collect assembles the value of a block with instances: an object, a tuple (count) or an object by key.
func collect(insts []instance, exp expansion, vals []cty.Value) cty.Value {
	switch exp {
	case expUnknown:
		return cty.DynamicVal
	case expCount:
		if len(vals) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(vals)
	case expForEach:
		m := map[string]cty.Value{}
		for i, in := range insts {
			m[in.key.AsString()] = vals[i]
		}
		return objOrEmpty(m)
	}
	return vals[0]
}

// skipAttr are meta-arguments, not resource attributes.
var skipAttr = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true, "lifecycle": true,
	"source": true, "version": true, "providers": true}

// attrs evaluates the top-level attributes of a body; failures become unknown.
func attrs(body *hclsyntax.Body, ctx *hcl.EvalContext) map[string]cty.Value {
	out := map[string]cty.Value{}
	for name, a := range body.Attributes {
		if skipAttr[name] {
			continue
		}
		v, d := a.Expr.Value(ctx)
		if d.HasErrors() {
			v = cty.DynamicVal
		}
		out[name] = v
	}
	return out
}

// address is the module-relative address of a resource instance, without the unit qualification.
func (mi *modInst) address(b *hclsyntax.Block, suffix string) string {
	return mi.prefix + b.Labels[0] + "." + b.Labels[1] + suffix
}

func (mi *modInst) resourceValue(b *hclsyntax.Block, ctx *hcl.EvalContext) cty.Value {
	insts, exp, why := mi.expand(b.Body, ctx)
	key := b.Labels[0] + "." + b.Labels[1]
	if exp == expUnknown {
		mi.why[key] = why
		return cty.DynamicVal
	}
	delete(mi.why, key)
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		vals[i] = mi.instanceObject(b, in)
	}
	return collect(insts, exp, vals)
}

// identity returns the id, arn and name a resource instance is known by in the inventory: real names where
// the configuration gives them, else the qualified address.
func (mi *modInst) identity(b *hclsyntax.Block, in instance, a map[string]cty.Value) (id, arn, name string) {
	addr := mi.u.QualifiedID(mi.address(b, in.suffix))
	id, name = addr, addr
	str := func(k string) string {
		if v, ok := a[k]; ok && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
			return v.AsString()
		}
		return ""
	}
	switch b.Labels[0] {
	case "aws_cloudwatch_log_group":
		if s := str("name"); s != "" {
			name = s
		}
		id, arn = name, iac.LogGroupARN(mi.region, name)
	case "aws_s3_bucket":
		if s := str("bucket"); s != "" {
			name = s
		}
		id, arn = name, iac.BucketARN(name)
	case "aws_iam_role":
		if s := str("name"); s != "" {
			name = s
		}
		arn = iac.RoleARN(name)
	default:
		arn = "arn:aws:iac:::" + addr
	}
	return id, arn, name
}

func (mi *modInst) instanceObject(b *hclsyntax.Block, in instance) cty.Value {
	a := attrs(b.Body, in.ctx)
	id, arn, name := mi.identity(b, in, a)
	a["id"] = cty.StringVal(id)
	a["arn"] = cty.StringVal(arn)
	// Where the real name is not known, references to it get the same stand-in the inventory uses.
	key := "name"
	if b.Labels[0] == "aws_s3_bucket" {
		key = "bucket"
	}
	if v, ok := a[key]; !ok || !v.IsWhollyKnown() || v.IsNull() {
		a[key] = cty.StringVal(name)
	}
	return cty.ObjectVal(a)
}

func (mi *modInst) dataValue(b *hclsyntax.Block, ctx *hcl.EvalContext) cty.Value {
	// The account, region and partition are placeholders like everywhere else in IaC: a trust policy built
	// from them keeps its shape (and its confused-deputy conditions) without deploying.
	switch b.Labels[0] {
	case "aws_caller_identity":
		return cty.ObjectVal(map[string]cty.Value{"account_id": cty.StringVal(iac.AccountID), "id": cty.StringVal(iac.AccountID),
			"arn": cty.StringVal("arn:aws:iam::" + iac.AccountID + ":root"), "user_id": cty.StringVal(iac.AccountID)})
	case "aws_region":
		r := cty.StringVal(mi.region)
		return cty.ObjectVal(map[string]cty.Value{"name": r, "id": r, "region": r})
	case "aws_partition":
		return cty.ObjectVal(map[string]cty.Value{"partition": cty.StringVal("aws"), "id": cty.StringVal("aws"), "dns_suffix": cty.StringVal("amazonaws.com")})
	}
	if b.Labels[0] != "aws_iam_policy_document" {
		return cty.DynamicVal
	}
	insts, exp, _ := mi.expand(b.Body, ctx)
	if exp == expUnknown {
		return cty.DynamicVal
	}
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		doc, ok := policyDocument(b.Body, in.ctx)
		j := cty.UnknownVal(cty.String)
		if ok {
			j = cty.StringVal(doc)
		}
		vals[i] = cty.ObjectVal(map[string]cty.Value{"json": j, "minified_json": j, "id": cty.UnknownVal(cty.String)})
	}
	return collect(insts, exp, vals)
}

// policyDocument renders a data "aws_iam_policy_document" as policy JSON, when every part of it is known.
func policyDocument(body *hclsyntax.Body, ctx *hcl.EvalContext) (string, bool) {
	var stmts []any
	for _, sb := range body.Blocks {
		if sb.Type != "statement" {
			continue
		}
		st := map[string]any{"Effect": "Allow"}
		a := attrs(sb.Body, ctx)
		for k, v := range a {
			if !v.IsWhollyKnown() {
				return "", false
			}
			switch k {
			case "effect":
				st["Effect"] = goValue(v)
			case "actions":
				st["Action"] = goValue(v)
			case "resources":
				st["Resource"] = goValue(v)
			case "sid":
				st["Sid"] = goValue(v)
			}
		}
		principals := map[string]any{}
		conds := map[string]map[string]any{}
		for _, pb := range sb.Body.Blocks {
			pa := attrs(pb.Body, ctx)
			for _, v := range pa {
				if !v.IsWhollyKnown() {
					return "", false
				}
			}
			switch pb.Type {
			case "principals":
				t, _ := goValue(pa["type"]).(string)
				principals[t] = goValue(pa["identifiers"])
			case "condition":
				t, _ := goValue(pa["test"]).(string)
				vr, _ := goValue(pa["variable"]).(string)
				if conds[t] == nil {
					conds[t] = map[string]any{}
				}
				conds[t][vr] = goValue(pa["values"])
			}
		}
		if len(principals) > 0 {
			st["Principal"] = principals
		}
		if len(conds) > 0 {
			st["Condition"] = conds
		}
		stmts = append(stmts, st)
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": stmts}
	return mustJSON(doc), true
}

// moduleValue evaluates a module block: the outputs of a followed local module (per instance), a model of
// the community VPC module, or unknown for any other source.
func (mi *modInst) moduleValue(b *hclsyntax.Block, ctx *hcl.EvalContext) cty.Value {
	name := b.Labels[0]
	src := moduleSource(b)
	insts, exp, why := mi.expand(b.Body, ctx)
	if exp == expUnknown {
		mi.why["module."+name] = why
		mi.children[name] = nil
		return cty.DynamicVal
	}
	prev := mi.children[name]
	var kids []*childInst
	vals := make([]cty.Value, len(insts))
	for i, in := range insts {
		addr := "module." + name + in.suffix
		inputs, inputWhy := map[string]cty.Value{}, map[string]string{}
		for k, a := range b.Body.Attributes {
			if skipAttr[k] {
				continue
			}
			v, d := a.Expr.Value(in.ctx)
			if d.HasErrors() {
				v = cty.DynamicVal
			}
			inputs[k] = v
			if !v.IsWhollyKnown() {
				inputWhy[k] = "is module input " + k + ", where " + mi.explain(a.Expr, in.ctx)
			}
		}
		switch {
		case communityVPCSource(src):
			kid := &childInst{key: in.key, addr: addr}
			vals[i] = mi.communityVPCOutputs(mi.prefix+addr, inputs)
			kids = append(kids, kid)
		case localSource(src) && mi.depth >= maxDepth:
			mi.why["module."+name] = fmt.Sprintf("module %s (%q) is nested more than %d modules deep, which flowguard does not follow", name, src, maxDepth)
			vals[i] = cty.DynamicVal
			kids = append(kids, &childInst{key: in.key, addr: addr, unread: true})
		case localSource(src):
			dir := filepath.ToSlash(filepath.Clean(filepath.Join(mi.m.dir, src)))
			if !mi.sh.root.Contains(dir) {
				mi.why["module."+name] = fmt.Sprintf("module %s (%q) is outside the scanned path, which flowguard does not read", name, src)
				vals[i] = cty.DynamicVal
				kids = append(kids, &childInst{key: in.key, addr: addr, unread: true})
				continue
			}
			cm, err := mi.load(dir)
			if err != nil {
				mi.why["module."+name] = fmt.Sprintf("module %s could not be read: %v", name, err)
				vals[i] = cty.DynamicVal
				kids = append(kids, &childInst{key: in.key, addr: addr, unread: true})
				continue
			}
			// The same inputs as in the previous pass give the same module: reuse it rather than evaluate
			// it again (passes nest: re-evaluating every pass is exponential in the module depth).
			if k := prevKid(prev, addr); k != nil && k.region == mi.region && sameInputs(k.inputs, inputs) {
				vals[i] = k.outs
				kids = append(kids, k)
				continue
			}
			if !mi.spend(1 + len(cm.resources) + len(cm.modules) + len(cm.locals)) {
				mi.why["module."+name] = mi.overBudget()
				vals[i] = cty.DynamicVal
				kids = append(kids, &childInst{key: in.key, addr: addr, unread: true})
				continue
			}
			c := newModInst(cm, mi.prefix+addr+".", mi.depth+1, inputs, inputWhy, mi.rootDir, mi.u)
			c.sh = mi.sh
			c.region = mi.region
			c.run()
			outs := map[string]cty.Value{}
			cctx := c.ctx()
			for _, ob := range cm.outputs {
				if a, ok := ob.Body.Attributes["value"]; ok {
					v, d := a.Expr.Value(cctx)
					if d.HasErrors() {
						v = cty.DynamicVal
					}
					outs[ob.Labels[0]] = v
					if !v.IsWhollyKnown() {
						mi.why["module."+name+"."+ob.Labels[0]] = c.explain(a.Expr, cctx)
					}
				}
			}
			vals[i] = objOrEmpty(outs)
			kids = append(kids, &childInst{mi: c, key: in.key, addr: addr, inputs: inputs, outs: vals[i], region: mi.region})
		default:
			mi.why["module."+name] = fmt.Sprintf("comes from %q, which flowguard does not follow", src)
			vals[i] = cty.DynamicVal
			kids = append(kids, &childInst{key: in.key, addr: addr})
		}
	}
	mi.children[name] = kids
	return collect(insts, exp, vals)
}

// explain says why an expression's value is not (wholly) known, naming the references responsible.
func (mi *modInst) explain(expr hcl.Expression, ctx *hcl.EvalContext) string {
	var parts []string
	seen := map[string]bool{}
	for _, t := range expr.Variables() {
		name := traversalString(t)
		if seen[name] {
			continue
		}
		seen[name] = true
		v, d := t.TraverseAbs(ctx)
		if d.HasErrors() {
			// A reference into an unknown object fails to traverse; look at its root.
			if w := mi.whyOf(t); w != "" {
				parts = append(parts, name+" "+w)
			} else {
				parts = append(parts, name+": "+d[0].Summary)
			}
			continue
		}
		if !v.IsWhollyKnown() {
			parts = append(parts, name+" "+mi.whyOf(t))
		}
	}
	if len(parts) == 0 {
		if _, d := expr.Value(ctx); d.HasErrors() {
			return strings.TrimSpace(d[0].Summary + ": " + d[0].Detail)
		}
		return "is known only after apply"
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func (mi *modInst) whyOf(t hcl.Traversal) string {
	root := t.RootName()
	attr := ""
	if len(t) > 1 {
		if a, ok := t[1].(hcl.TraverseAttr); ok {
			attr = a.Name
		}
	}
	switch root {
	case "var", "local":
		if w, ok := mi.why[root+"."+attr]; ok {
			return w
		}
		return "is not known"
	case "module":
		if len(t) > 2 {
			if a, ok := t[2].(hcl.TraverseAttr); ok {
				if w, ok := mi.why["module."+attr+"."+a.Name]; ok {
					return w
				}
			}
		}
		if w, ok := mi.why["module."+attr]; ok {
			return w
		}
		return "is an output not known statically"
	case "data":
		return "is read from AWS when Terraform plans"
	case "count", "each":
		return "depends on instances not known statically"
	}
	if w, ok := mi.why[root+"."+attr]; ok {
		return "has instances not known statically (" + w + ")"
	}
	return "is known only after apply"
}

func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for _, s := range t {
		switch x := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(x.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + x.Name)
		case hcl.TraverseIndex:
			if x.Key.Type() == cty.String && x.Key.IsKnown() {
				fmt.Fprintf(&b, "[%q]", x.Key.AsString())
			} else if x.Key.Type() == cty.Number && x.Key.IsKnown() {
				fmt.Fprintf(&b, "[%s]", x.Key.AsBigFloat().Text('f', -1))
			} else {
				b.WriteString("[…]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}
