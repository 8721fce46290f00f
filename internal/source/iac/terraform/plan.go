package terraform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/iac"
)

// LooksLikePlan reports whether src is the JSON of `terraform show -json` (a plan or a state).
func LooksLikePlan(src []byte) bool {
	return bytes.Contains(src, []byte(`"format_version"`)) &&
		(bytes.Contains(src, []byte(`"planned_values"`)) || bytes.Contains(src, []byte(`"terraform_version"`)))
}

// Plan JSON, the parts flowguard reads (https://developer.hashicorp.com/terraform/internals/json-format).
type planJSON struct {
	FormatVersion  string       `json:"format_version"`
	PlannedValues  *planValues  `json:"planned_values"`
	Values         *planValues  `json:"values"` // `terraform show -json` of a state
	Configuration  *planConfig  `json:"configuration"`
	PriorState     *priorState  `json:"prior_state"`
	ResourceChange []planChange `json:"resource_changes"`
}

type priorState struct {
	Values *planValues `json:"values"`
}

type planValues struct {
	RootModule planModule `json:"root_module"`
}

type planModule struct {
	Address      string         `json:"address"`
	Resources    []planResource `json:"resources"`
	ChildModules []planModule   `json:"child_modules"`
}

type planResource struct {
	Address string         `json:"address"`
	Mode    string         `json:"mode"`
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Index   any            `json:"index"`
	Values  map[string]any `json:"values"`
}

type planChange struct {
	Address string `json:"address"`
	Change  struct {
		Actions []string `json:"actions"`
	} `json:"change"`
}

type planConfig struct {
	ProviderConfig map[string]struct {
		Name        string  `json:"name"`
		Alias       string  `json:"alias"`
		Expressions exprMap `json:"expressions"`
	} `json:"provider_config"`
	RootModule configModule `json:"root_module"`
}

type configModule struct {
	Resources   []configResource        `json:"resources"`
	ModuleCalls map[string]configCall   `json:"module_calls"`
	Outputs     map[string]configOutput `json:"outputs"`
}

type configCall struct {
	Source      string       `json:"source"`
	Expressions exprMap      `json:"expressions"`
	Module      configModule `json:"module"`
}

type configOutput struct {
	Expression planExpression `json:"expression"`
}

type configResource struct {
	Address     string  `json:"address"`
	Expressions exprMap `json:"expressions"`
}

// exprMap holds a block's expressions; nested blocks are lists of maps, which flowguard does not read.
type exprMap map[string]json.RawMessage

func (m exprMap) get(k string) (planExpression, bool) {
	raw, ok := m[k]
	if !ok {
		return planExpression{}, false
	}
	var e planExpression
	if json.Unmarshal(raw, &e) != nil {
		return planExpression{}, false
	}
	return e, true
}

type planExpression struct {
	ConstantValue any      `json:"constant_value"`
	References    []string `json:"references"`
}

// PlanError is plan JSON that cannot be read, with file:line.
type PlanError struct {
	File string
	Line int
	Msg  string
}

func (e *PlanError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// ReadPlan reads `terraform show -json` output (a plan, or a state) into a unit. Values the plan knows are
// taken as they are; the ids of resources created by the same plan are only known after apply, so the
// references in the plan's configuration say which VPC, log group or role a flow log points at.
//
// The .tf files beside the plan (and of the local modules it names) are read for locations, never outside the
// plan's directory.
func ReadPlan(file string, src []byte, qualify bool) (*iac.Unit, error) {
	root, err := iac.NewRoot(filepath.Dir(file))
	if err != nil {
		return nil, err
	}
	return ReadPlanIn(root, file, src, qualify)
}

// ReadPlanIn is ReadPlan reading the .tf files beside the plan only inside root (the path the user asked to
// scan).
func ReadPlanIn(root iac.Root, file string, src []byte, qualify bool) (*iac.Unit, error) {
	if len(src) > iac.MaxPlanSize {
		return nil, &PlanError{File: file, Line: 1, Msg: fmt.Sprintf("%d bytes, more than the %d flowguard reads", len(src), iac.MaxPlanSize)}
	}
	var p planJSON
	if err := json.Unmarshal(src, &p); err != nil {
		line := 1
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case asErr(err, &se):
			line = lineAt(src, int(se.Offset))
		case asErr(err, &te):
			line = lineAt(src, int(te.Offset))
		}
		return nil, &PlanError{File: file, Line: line, Msg: err.Error()}
	}
	vals := p.PlannedValues
	if vals == nil {
		vals = p.Values
	}
	if vals == nil {
		return nil, &PlanError{File: file, Line: 1, Msg: "neither planned_values nor values: not the output of terraform show -json"}
	}
	region := ""
	if p.Configuration != nil {
		if pc, ok := p.Configuration.ProviderConfig["aws"]; ok {
			if e, ok := pc.Expressions.get("region"); ok {
				if s, ok := e.ConstantValue.(string); ok {
					region = s
				}
			}
		}
	}
	pr := &planReader{file: file, src: src, u: iac.NewUnit(iac.KindTerraformPlan, file, region, qualify),
		byAddr: map[string]planResource{}, real: map[string]string{}, deleted: map[string]bool{}}
	if p.Configuration != nil {
		pr.config = &p.Configuration.RootModule
		pr.source = sourceIndex(root, filepath.Dir(file), pr.config)
	}
	for _, c := range p.ResourceChange {
		if len(c.Change.Actions) == 1 && c.Change.Actions[0] == "delete" {
			pr.deleted[c.Address] = true
		}
	}
	var all []planResource
	var walk func(m planModule)
	walk = func(m planModule) {
		for _, r := range m.Resources {
			if r.Mode == "managed" && !pr.deleted[r.Address] {
				all = append(all, r)
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(vals.RootModule)
	sort.SliceStable(all, func(i, j int) bool { return all[i].Address < all[j].Address })
	for _, r := range all {
		pr.byAddr[r.Address] = r
		if id, ok := r.Values["id"].(string); ok && id != "" {
			pr.real[id] = r.Address
		}
		for _, k := range []string{"arn", "name", "bucket"} {
			if s, ok := r.Values[k].(string); ok && s != "" && r.Type != "aws_flow_log" {
				pr.real[s] = r.Address
			}
		}
	}
	for _, r := range all {
		pr.emit(r)
	}
	pr.u.Finish()
	return pr.u, nil
}

type planReader struct {
	file    string
	src     []byte
	u       *iac.Unit
	config  *configModule
	byAddr  map[string]planResource
	real    map[string]string // known id/arn/name -> address
	deleted map[string]bool
	// source maps "mod/mod/type.name" to the resource block in the .tf files beside the plan.
	source map[string]hcl.Range
}

// sourceIndex parses the .tf files of dir (the root module the plan was made from, if the plan sits there)
// and of the local modules it calls, and indexes their resource blocks. Nothing is indexed when the files are
// not there or do not parse: locations then point into the plan file.
func sourceIndex(fsRoot iac.Root, dir string, root *configModule) map[string]hcl.Range {
	idx := map[string]hcl.Range{}
	var walk func(dir, prefix string, cm *configModule, depth int)
	walk = func(dir, prefix string, cm *configModule, depth int) {
		if depth > maxDepth {
			return
		}
		m, err := loadModule(fsRoot, dir, false)
		if err != nil {
			return
		}
		for _, b := range m.resources {
			idx[prefix+b.Labels[0]+"."+b.Labels[1]] = b.DefRange()
		}
		for name, call := range cm.ModuleCalls {
			if localSource(call.Source) {
				c := call
				walk(filepath.ToSlash(filepath.Join(dir, call.Source)), prefix+name+"/", &c.Module, depth+1)
			}
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*.tf")); len(matches) > 0 {
		walk(filepath.ToSlash(dir), "", root, 0)
	}
	return idx
}

func (pr *planReader) loc(addr string) *inventory.Location {
	// The .tf block the resource comes from, when the plan sits beside its configuration: that is the line a
	// reviewer changes (and the one code scanning should annotate).
	mods, res, _ := modulePath(addr)
	if r, ok := pr.source[strings.Join(append(mods, res), "/")]; ok {
		return &inventory.Location{File: r.Filename, Line: r.Start.Line, Address: addr}
	}
	line := 1
	q, _ := json.Marshal(addr)
	for _, pat := range []string{`"address":` + string(q), `"address": ` + string(q)} {
		if i := bytes.Index(pr.src, []byte(pat)); i >= 0 {
			line = lineAt(pr.src, i)
			break
		}
	}
	return &inventory.Location{File: pr.file, Line: line, Address: addr}
}

// id is the inventory id of a resource address.
func (pr *planReader) id(addr string) string {
	r, ok := pr.byAddr[addr]
	if ok {
		switch r.Type {
		case "aws_cloudwatch_log_group":
			if s, ok := r.Values["name"].(string); ok && s != "" {
				return s
			}
		case "aws_s3_bucket":
			if s, ok := r.Values["bucket"].(string); ok && s != "" {
				return s
			}
		}
	}
	return pr.u.QualifiedID(addr)
}

func (pr *planReader) str(r planResource, k string) string {
	switch v := r.Values[k].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func (pr *planReader) emit(r planResource) {
	u := pr.u
	loc := pr.loc(r.Address)
	id := pr.id(r.Address)
	switch r.Type {
	case "aws_vpc", "aws_default_vpc":
		u.Region.VPCs = append(u.Region.VPCs, inventory.VPC{ID: id, CIDR: pr.str(r, "cidr_block"), State: "available",
			IsDefault: r.Type == "aws_default_vpc", Tags: planTags(r.Values["tags"]), Location: loc})
	case "aws_subnet":
		vpc, _ := pr.target(r, "vpc_id")
		u.Region.Subnets = append(u.Region.Subnets, inventory.Subnet{ID: id, VPCID: vpc, CIDR: pr.str(r, "cidr_block")})
	case "aws_network_interface":
		sn, _ := pr.target(r, "subnet_id")
		u.Region.NetworkInterfaces = append(u.Region.NetworkInterfaces, inventory.NetworkInterface{ID: id, SubnetID: sn, Status: "in-use", Type: "interface"})
	case "aws_cloudwatch_log_group":
		g := inventory.LogGroup{Name: id, ARN: iac.LogGroupARN(u.Region.Name, id), Location: loc}
		if n, ok := r.Values["retention_in_days"].(float64); ok && n > 0 {
			d := int32(n)
			g.RetentionDays = &d
		}
		u.Region.LogGroups = append(u.Region.LogGroups, g)
	case "aws_s3_bucket":
		u.Buckets = append(u.Buckets, inventory.Bucket{Name: id, ARN: iac.BucketARN(id), AccountID: iac.AccountID, State: inventory.BucketExists})
	case "aws_iam_role":
		role := iac.Role{ARN: pr.roleARN(r.Address), Address: r.Address, Location: *loc}
		if s, ok := r.Values["assume_role_policy"].(string); ok && s != "" {
			role.Trust, role.TrustKnown = s, true
		}
		u.AddRole(role)
	case "aws_flow_log":
		pr.emitFlowLog(r, id, loc)
	}
}

// roleARN is the ARN flow logs refer to a role of the plan by: the real one when known, else a stand-in.
func (pr *planReader) roleARN(addr string) string {
	if r, ok := pr.byAddr[addr]; ok {
		if s, ok := r.Values["arn"].(string); ok && s != "" {
			return s
		}
	}
	return iac.RoleARN(pr.u.QualifiedID(addr))
}

func (pr *planReader) emitFlowLog(r planResource, id string, loc *inventory.Location) {
	u := pr.u
	f := inventory.FlowLog{ID: id, Status: inventory.FlowLogStatusActive, Location: loc, MaxAggregationInterval: 600}
	for _, t := range flowLogTargets {
		target, why := pr.target(r, t.attr)
		if target == "" && why == "" {
			continue
		}
		f.ResourceType = t.typ
		if why != "" {
			if t.typ == inventory.ResourceTypeVPC {
				u.Unresolve(iac.Unresolved{What: r.Address + ": " + t.attr, Why: why, Location: *loc, VPC: iac.AnyVPC})
			}
			return
		}
		f.ResourceID = target
		break
	}
	if f.ResourceType == "" {
		return
	}
	f.TrafficType = pr.str(r, "traffic_type")
	f.DestinationType = pr.str(r, "log_destination_type")
	if f.DestinationType == "" {
		f.DestinationType = inventory.DestinationCloudWatchLogs
	}
	if d := pr.str(r, "log_destination"); d != "" {
		f.Destination = d
	} else if addr := pr.refAddr(r, "log_destination"); addr != "" {
		if lr, ok := pr.byAddr[addr]; ok && lr.Type == "aws_s3_bucket" {
			f.Destination = iac.BucketARN(pr.id(addr))
		} else {
			f.LogGroupName = pr.id(addr)
		}
	}
	if n := pr.str(r, "log_group_name"); n != "" {
		f.LogGroupName = n
	} else if addr := pr.refAddr(r, "log_group_name"); addr != "" {
		f.LogGroupName = pr.id(addr)
	}
	if a := pr.str(r, "iam_role_arn"); a != "" {
		f.DeliverLogsPermissionARN = a
	} else if addr := pr.refAddr(r, "iam_role_arn"); addr != "" {
		f.DeliverLogsPermissionARN = pr.roleARN(addr)
	}
	if n, ok := r.Values["max_aggregation_interval"].(float64); ok && n > 0 {
		f.MaxAggregationInterval = int(n)
	}
	f.LogFormat = pr.str(r, "log_format")
	f.Tags = planTags(r.Values["tags"])
	iac.FillDestination(&f, u.Region.Name)
	u.Region.FlowLogs = append(u.Region.FlowLogs, f)
}

// target returns the inventory id a flow log (or subnet, interface) attribute points at: the known value
// (mapped back to a resource of the plan when it is one), else the resource its configuration refers to.
// It returns why when the attribute is set but cannot be followed; both are "" when it is not set.
func (pr *planReader) target(r planResource, attr string) (string, string) {
	if s, ok := r.Values[attr].(string); ok && s != "" {
		if addr, ok := pr.real[s]; ok {
			return pr.id(addr), ""
		}
		return s, ""
	}
	expr, ok := pr.configExpr(r, attr)
	if !ok {
		return "", ""
	}
	if addr := pr.resolveRefs(r, expr.References); addr != "" {
		return pr.id(addr), ""
	}
	if len(expr.References) > 0 {
		return "", "known only after apply, through " + strings.Join(expr.References, ", ") + ", which flowguard could not follow to a resource of the plan"
	}
	return "", ""
}

func (pr *planReader) refAddr(r planResource, attr string) string {
	expr, ok := pr.configExpr(r, attr)
	if !ok {
		return ""
	}
	return pr.resolveRefs(r, expr.References)
}

var instanceKey = regexp.MustCompile(`\[[^\]]*\]`)

// modulePath splits module.a[0].module.b.aws_x.y[1] into the module call names [a b], the resource part
// aws_x.y and its index "[1]".
func modulePath(addr string) (mods []string, res, index string) {
	rest := addr
	for strings.HasPrefix(rest, "module.") {
		rest = rest[len("module."):]
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			return mods, rest, ""
		}
		name := rest[:i]
		if j := strings.IndexByte(name, '['); j >= 0 {
			// keys may contain dots: cut at the closing bracket
			k := strings.Index(rest, "].")
			if k < 0 {
				return mods, rest, ""
			}
			name = rest[:j]
			i = k + 1
		}
		mods = append(mods, name)
		rest = rest[i+1:]
	}
	if j := strings.IndexByte(rest, '['); j >= 0 {
		return mods, rest[:j], rest[j:]
	}
	return mods, rest, ""
}

func (pr *planReader) module(path []string) *configModule {
	if pr.config == nil {
		return nil
	}
	m := pr.config
	for _, n := range path {
		c, ok := m.ModuleCalls[n]
		if !ok {
			return nil
		}
		m = &c.Module
	}
	return m
}

func (pr *planReader) configExpr(r planResource, attr string) (planExpression, bool) {
	mods, res, _ := modulePath(r.Address)
	m := pr.module(mods)
	if m == nil {
		return planExpression{}, false
	}
	for _, cr := range m.Resources {
		if cr.Address == res {
			return cr.Expressions.get(attr)
		}
	}
	return planExpression{}, false
}

// resolveRefs follows configuration references (resource attributes, module outputs, module variables) from
// resource r to the address of a resource instance in the plan.
func (pr *planReader) resolveRefs(r planResource, refs []string) string {
	mods, _, index := modulePath(r.Address)
	prefix := modulePrefix(r.Address)
	return pr.follow(mods, prefix, index, refs, 0)
}

// modulePrefix is the module instance part of an address ("module.a[0].") or "".
func modulePrefix(addr string) string {
	_, res, index := modulePath(addr)
	return strings.TrimSuffix(addr, res+index)
}

func (pr *planReader) follow(mods []string, prefix, index string, refs []string, depth int) string {
	if depth > 8 {
		return ""
	}
	m := pr.module(mods)
	for _, ref := range refs {
		parts := strings.Split(instanceKey.ReplaceAllString(ref, ""), ".")
		switch {
		case parts[0] == "var" && len(parts) > 1 && len(mods) > 0:
			parent := pr.module(mods[:len(mods)-1])
			if parent == nil {
				continue
			}
			call := parent.ModuleCalls[mods[len(mods)-1]]
			e, ok := call.Expressions.get(parts[1])
			if !ok {
				continue
			}
			pp := parentPrefix(prefix)
			if a := pr.follow(mods[:len(mods)-1], pp, index, e.References, depth+1); a != "" {
				return a
			}
		case parts[0] == "module" && len(parts) > 2 && m != nil:
			call, ok := m.ModuleCalls[parts[1]]
			if !ok {
				continue
			}
			o, ok := call.Module.Outputs[parts[2]]
			if !ok {
				continue
			}
			child := prefix + "module." + parts[1] + "."
			if a := pr.follow(append(append([]string{}, mods...), parts[1]), child, index, o.Expression.References, depth+1); a != "" {
				return a
			}
		case strings.HasPrefix(parts[0], "aws_") && len(parts) > 1:
			base := prefix + parts[0] + "." + parts[1]
			// A literal index in the reference itself (aws_vpc.x[0].id) first; then the same instance key as
			// the referring resource (count.index / each.key pairing), the unindexed resource, the only instance.
			if k := instanceKey.FindString(ref); k != "" {
				if _, ok := pr.byAddr[base+k]; ok {
					return base + k
				}
			}
			for _, cand := range []string{base + index, base} {
				if _, ok := pr.byAddr[cand]; ok {
					return cand
				}
			}
			var found []string
			for a := range pr.byAddr {
				if strings.HasPrefix(a, base+"[") {
					found = append(found, a)
				}
			}
			if len(found) == 1 {
				return found[0]
			}
		}
	}
	return ""
}

func parentPrefix(prefix string) string {
	p := strings.TrimSuffix(prefix, ".")
	i := strings.LastIndex(p, "module.")
	if i <= 0 {
		return ""
	}
	return p[:i]
}

func planTags(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		}
	}
	return out
}

func lineAt(src []byte, off int) int {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(src[:off], []byte("\n")) + 1
}

func asErr[T error](err error, target *T) bool {
	t, ok := err.(T)
	if ok {
		*target = t
	}
	return ok
}
