package terraform

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/iac"
)

// Read reads the Terraform root module in dir into a unit, reading nothing outside dir. With qualify, resource
// ids carry the directory (several roots scanned together).
func Read(dir string, qualify bool) (*iac.Unit, error) {
	root, err := iac.NewRoot(dir)
	if err != nil {
		return nil, err
	}
	return ReadIn(root, dir, qualify)
}

// ReadIn reads the Terraform root module in dir into a unit, reading nothing outside root (the path the user
// asked to scan): local modules, file() and templatefile() outside it are unknown, with the reason.
func ReadIn(root iac.Root, dir string, qualify bool) (*iac.Unit, error) {
	m, err := loadModule(root, dir, true)
	if err != nil {
		return nil, err
	}
	u := iac.NewUnit(iac.KindTerraform, dir, "", qualify)
	mi := newModInst(m, "", 0, nil, nil, dir, u)
	mi.sh = &shared{cache: map[string]*module{}, root: root, instances: maxTotalInstances, elements: maxElements}
	mi.region = iac.UnknownRegion
	mi.run()
	if r := mi.providerRegion(); r != "" {
		mi.region = r
		u.Region.Name = r
		mi.run()
	}
	var pend []pendingModule
	mi.emit(&pend)
	vpcs := map[string]bool{}
	for _, v := range u.Region.VPCs {
		vpcs[v.ID] = true
	}
	for _, p := range pend {
		for _, s := range p.strings {
			if vpcs[s] {
				u.Unresolve(iac.Unresolved{What: p.addr, Why: p.why + "; it is given the VPC and may create its flow log",
					Location: p.loc, VPC: s})
			}
		}
	}
	u.Finish()
	return u, nil
}

// pendingModule is a module flowguard does not follow, with the strings passed to it: if one is a VPC id, the
// module may create that VPC's flow log.
type pendingModule struct {
	addr, why string
	loc       inventory.Location
	strings   []string
}

func (mi *modInst) providerRegion() string {
	ctx := mi.ctx()
	for _, b := range mi.m.providers {
		if b.Labels[0] != "aws" {
			continue
		}
		if _, aliased := b.Body.Attributes["alias"]; aliased {
			continue
		}
		if a, ok := b.Body.Attributes["region"]; ok {
			if v, d := a.Expr.Value(ctx); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
				return v.AsString()
			}
		}
	}
	return ""
}

func (mi *modInst) location(r hcl.Range, address string) *inventory.Location {
	return &inventory.Location{File: r.Filename, Line: r.Start.Line, Address: address}
}

// emit adds what this module instance and the modules it calls declare to the unit.
func (mi *modInst) emit(pend *[]pendingModule) {
	ctx := mi.ctx()
	for _, b := range mi.m.resources {
		insts, exp, why := mi.expand(b.Body, ctx)
		for _, in := range insts {
			mi.emitResource(b, in, exp == expUnknown, why)
		}
	}
	for _, b := range mi.m.modules {
		name := b.Labels[0]
		src := moduleSource(b)
		insts, exp, why := mi.expand(b.Body, ctx)
		if exp == expUnknown {
			// A local or community VPC module whose instances are not known is not read at all.
			mi.u.Unresolve(iac.Unresolved{What: mi.prefix + "module." + name, Why: why + "; its VPCs and flow logs are not known",
				Location: *mi.location(b.DefRange(), mi.prefix+"module."+name), VPC: iac.AnyVPC,
				Unread: localSource(src) || communityVPCSource(src)})
			continue
		}
		kids := mi.children[name]
		for i, in := range insts {
			addr := mi.prefix + "module." + name + in.suffix
			switch {
			case communityVPCSource(src):
				mi.emitCommunityVPC(b, addr, in.ctx)
			case i < len(kids) && kids[i].mi != nil:
				kids[i].mi.emit(pend)
			case i < len(kids) && kids[i].unread:
				mi.u.Unresolve(iac.Unresolved{What: addr, Why: mi.why["module."+name] + "; its VPCs and flow logs are not known",
					Location: *mi.location(b.DefRange(), addr), VPC: iac.AnyVPC, Unread: true})
			default:
				var ss []string
				for k, a := range b.Body.Attributes {
					if skipAttr[k] {
						continue
					}
					if v, d := a.Expr.Value(in.ctx); !d.HasErrors() {
						ss = append(ss, ctyStrings(v)...)
					}
				}
				w := mi.why["module."+name]
				if w == "" {
					w = fmt.Sprintf("comes from %q, which flowguard does not follow", src)
				}
				*pend = append(*pend, pendingModule{addr: addr, why: w, loc: *mi.location(b.DefRange(), addr), strings: ss})
			}
		}
	}
}

func (mi *modInst) emitResource(b *hclsyntax.Block, in instance, maybe bool, maybeWhy string) {
	a := attrs(b.Body, in.ctx)
	id, arn, _ := mi.identity(b, in, a)
	addr := mi.address(b, in.suffix)
	loc := mi.location(b.DefRange(), addr)
	u := mi.u
	switch b.Labels[0] {
	case "aws_vpc", "aws_default_vpc":
		if maybe {
			// One stand-in for instances whose number is not known: any of them may lack a flow log, or
			// there may be none.
			u.Unresolve(iac.Unresolved{What: addr, Why: maybeWhy + "; how many VPCs it declares is not known", Location: *loc, VPC: id})
		}
		u.Region.VPCs = append(u.Region.VPCs, inventory.VPC{ID: id, CIDR: str(a["cidr_block"]), State: "available",
			IsDefault: b.Labels[0] == "aws_default_vpc", Tags: tags(a, "tags"), Location: loc})
	case "aws_subnet":
		u.Region.Subnets = append(u.Region.Subnets, inventory.Subnet{ID: id, VPCID: str(a["vpc_id"]),
			CIDR: str(a["cidr_block"]), AvailabilityZone: str(a["availability_zone"]), Tags: tags(a, "tags")})
	case "aws_network_interface":
		u.Region.NetworkInterfaces = append(u.Region.NetworkInterfaces, inventory.NetworkInterface{ID: id,
			SubnetID: str(a["subnet_id"]), Status: "in-use", Type: "interface"})
	case "aws_cloudwatch_log_group":
		g := inventory.LogGroup{Name: id, ARN: arn, KMSKeyID: str(a["kms_key_id"]), Location: loc}
		if ae, ok := b.Body.Attributes["retention_in_days"]; ok {
			v := a["retention_in_days"]
			switch {
			case !v.IsWhollyKnown():
				// A stand-in of 1 day; the log group's Unknown makes any verdict that reads it UNKNOWN.
				one := int32(1)
				g.RetentionDays = &one
				u.Unresolve(iac.Unresolved{What: addr + ": retention_in_days", Why: mi.explain(ae.Expr, in.ctx),
					Location: *mi.location(ae.SrcRange, addr), LogGroup: id})
			case !v.IsNull():
				g.RetentionDays = mi.retention("retention_in_days", v, id, addr, ae.SrcRange)
			}
		}
		u.Region.LogGroups = append(u.Region.LogGroups, g)
	case "aws_s3_bucket":
		u.Buckets = append(u.Buckets, inventory.Bucket{Name: id, ARN: arn, AccountID: iac.AccountID, State: inventory.BucketExists})
	case "aws_iam_role":
		r := iac.Role{ARN: arn, Address: addr, Location: *loc}
		if v, ok := a["assume_role_policy"]; ok && v.IsWhollyKnown() && !v.IsNull() && v.Type() == cty.String {
			r.Trust, r.TrustKnown = v.AsString(), true
		}
		u.AddRole(r)
	case "aws_flow_log":
		mi.emitFlowLog(b, in, a, id, addr, loc, maybe, maybeWhy)
	}
}

// onlyData reports whether every reference of an attribute's expression is a data source.
func onlyData(a *hclsyntax.Attribute) bool {
	if a == nil {
		return false
	}
	vars := a.Expr.Variables()
	if len(vars) == 0 {
		return false
	}
	for _, t := range vars {
		if t.RootName() != "data" {
			return false
		}
	}
	return true
}

// flowLogFields are the graph fields of flow-log attributes whose value may not be known.
var flowLogFields = map[string]string{
	"traffic_type": "trafficType", "log_destination_type": "logDestinationType",
	"flow_log_traffic_type": "trafficType", "flow_log_destination_type": "logDestinationType",
}

var flowLogTargets = []struct{ attr, typ string }{
	{"vpc_id", inventory.ResourceTypeVPC},
	{"subnet_id", inventory.ResourceTypeSubnet},
	{"eni_id", inventory.ResourceTypeNetworkInterface},
	{"transit_gateway_id", inventory.ResourceTypeTransitGateway},
	{"transit_gateway_attachment_id", "TransitGatewayAttachment"},
}

func (mi *modInst) emitFlowLog(b *hclsyntax.Block, in instance, a map[string]cty.Value, id, addr string, loc *inventory.Location, maybe bool, maybeWhy string) {
	u := mi.u
	f := inventory.FlowLog{ID: id, Status: inventory.FlowLogStatusActive, Location: loc}
	targetWhy, targetAttr := "", ""
	var targetRange hcl.Range
	for _, t := range flowLogTargets {
		ae, ok := b.Body.Attributes[t.attr]
		if !ok {
			continue
		}
		v := a[t.attr]
		if v.IsKnown() && v.IsNull() {
			continue
		}
		f.ResourceType = t.typ
		targetRange, targetAttr = ae.SrcRange, t.attr
		if !v.IsWhollyKnown() || v.Type() != cty.String {
			targetWhy = mi.explain(ae.Expr, in.ctx)
		} else {
			f.ResourceID = v.AsString()
		}
		break
	}
	if f.ResourceType == "" {
		return // no target: not a valid flow log, nothing it could cover
	}
	if f.ResourceType == inventory.ResourceTypeVPC {
		switch {
		case targetWhy != "" && onlyData(b.Body.Attributes[targetAttr]):
			// vpc_id = data.aws_vpc.x.id: a VPC that exists already, not one of this configuration.
			u.Notes = append(u.Notes, fmt.Sprintf("%s:%d: %s covers a VPC looked up with a data source (not declared here)", loc.File, loc.Line, addr))
			return
		case targetWhy != "":
			u.Unresolve(iac.Unresolved{What: addr + ": vpc_id", Why: targetWhy, Location: *mi.location(targetRange, addr), VPC: iac.AnyVPC})
			return
		case maybe:
			u.Unresolve(iac.Unresolved{What: addr, Why: maybeWhy + "; the flow log may not be created", Location: *loc, VPC: f.ResourceID})
			return
		}
	} else if targetWhy != "" || maybe {
		return // a subnet or interface flow log never satisfies the control; its target does not matter
	}
	unknown := func(attr string) {
		w := "is not known"
		r := loc
		if ae, ok := b.Body.Attributes[attr]; ok {
			w = mi.explain(ae.Expr, in.ctx)
			r = mi.location(ae.SrcRange, addr)
		}
		x := iac.Unresolved{What: addr + ": " + attr, Why: w, Location: *r, FlowLog: f.ID, Field: flowLogFields[attr]}
		if f.ResourceType == inventory.ResourceTypeVPC {
			x.VPC = f.ResourceID
		}
		u.Unresolve(x)
	}
	if v, ok := a["traffic_type"]; ok {
		if v.IsWhollyKnown() && !v.IsNull() {
			f.TrafficType = str(v)
		} else if !v.IsKnown() {
			unknown("traffic_type")
		}
	}
	f.DestinationType = inventory.DestinationCloudWatchLogs
	if v, ok := a["log_destination_type"]; ok && !(v.IsKnown() && v.IsNull()) {
		if v.IsWhollyKnown() {
			f.DestinationType = str(v)
		}
	}
	for _, k := range []string{"log_destination", "log_group_name"} {
		v, ok := a[k]
		if !ok || (v.IsKnown() && v.IsNull()) {
			continue
		}
		if !v.IsWhollyKnown() {
			// A stand-in destination; the flow log's Unknown (attached in Finish) makes verdicts that read it UNKNOWN.
			stand := addr + "." + k
			ae := b.Body.Attributes[k]
			u.Unresolve(iac.Unresolved{What: addr + ": " + k, Why: mi.explain(ae.Expr, in.ctx),
				Location: *mi.location(ae.SrcRange, addr), LogGroup: stand})
			if f.DestinationType == inventory.DestinationCloudWatchLogs {
				f.LogGroupName = stand
			}
			continue
		}
		if k == "log_destination" {
			f.Destination = str(v)
		} else {
			f.LogGroupName = str(v)
		}
	}
	for _, k := range []string{"iam_role_arn", "deliver_cross_account_role"} {
		if v, ok := a[k]; ok && v.IsWhollyKnown() && !v.IsNull() && f.DeliverLogsPermissionARN == "" {
			f.DeliverLogsPermissionARN = str(v)
		}
	}
	f.MaxAggregationInterval = 600
	if v, ok := a["max_aggregation_interval"]; ok {
		if n, ok := intOf(v); ok {
			f.MaxAggregationInterval = n
		}
	}
	f.LogFormat = str(a["log_format"])
	for _, ob := range b.Body.Blocks {
		if ob.Type != "destination_options" {
			continue
		}
		oa := attrs(ob.Body, in.ctx)
		f.FileFormat = str(oa["file_format"])
		f.HiveCompatiblePartitions = boolOf(oa["hive_compatible_partitions"])
		f.PerHourPartition = boolOf(oa["per_hour_partition"])
	}
	f.Tags = tags(a, "tags")
	iac.FillDestination(&f, mi.region)
	u.Region.FlowLogs = append(u.Region.FlowLogs, f)
}

// Defaults of terraform-aws-modules/vpc/aws (v5) for the inputs flowguard models.
const (
	communityLogGroupPrefix = "/aws/vpc-flow-log/"
)

// communityInputs evaluates a module block's inputs in ctx.
func communityInputs(b *hclsyntax.Block, ctx *hcl.EvalContext) map[string]cty.Value {
	return attrs(b.Body, ctx)
}

// communityVPCOutputs models the outputs of terraform-aws-modules/vpc/aws that other code refers to.
func (mi *modInst) communityVPCOutputs(addr string, in map[string]cty.Value) cty.Value {
	vpcID := mi.u.QualifiedID(addr + ".aws_vpc.this[0]")
	create := true
	if v, ok := in["create_vpc"]; ok {
		if !v.IsKnown() {
			return cty.DynamicVal
		}
		create = boolOf(v)
	}
	if !create {
		return cty.ObjectVal(map[string]cty.Value{"vpc_id": cty.NullVal(cty.String), "vpc_arn": cty.NullVal(cty.String)})
	}
	return cty.ObjectVal(map[string]cty.Value{
		"vpc_id":         cty.StringVal(vpcID),
		"vpc_arn":        cty.StringVal("arn:aws:ec2:" + mi.region + ":" + iac.AccountID + ":vpc/" + vpcID),
		"vpc_cidr_block": valueOr(in["cidr"], cty.StringVal("10.0.0.0/16")),
		"name":           valueOr(in["name"], cty.StringVal("")),
	})
}

func valueOr(v, def cty.Value) cty.Value {
	if v == cty.NilVal || (v.IsKnown() && v.IsNull()) {
		return def
	}
	return v
}

// emitCommunityVPC adds the VPC, flow log and log group that terraform-aws-modules/vpc/aws creates from its
// inputs (create_vpc, enable_flow_log, flow_log_traffic_type, flow_log_destination_type,
// flow_log_destination_arn, create_flow_log_cloudwatch_log_group, flow_log_cloudwatch_log_group_*).
func (mi *modInst) emitCommunityVPC(b *hclsyntax.Block, addr string, ctx *hcl.EvalContext) {
	u := mi.u
	in := communityInputs(b, ctx)
	at := func(k string) *inventory.Location {
		if a, ok := b.Body.Attributes[k]; ok {
			return mi.location(a.SrcRange, addr)
		}
		return mi.location(b.DefRange(), addr)
	}
	why := func(k string) string {
		if a, ok := b.Body.Attributes[k]; ok {
			return mi.explain(a.Expr, ctx)
		}
		return "is not known"
	}
	if v, ok := in["create_vpc"]; ok {
		if v.IsKnown() && !v.IsNull() && !boolOf(v) {
			return
		}
	}
	vpcAddr := addr + ".aws_vpc.this[0]"
	vpcID := u.QualifiedID(vpcAddr)
	tg := map[string]string{}
	for k, v := range tags(in, "tags") {
		tg[k] = v
	}
	for k, v := range tags(in, "vpc_tags") {
		tg[k] = v
	}
	if n := str(in["name"]); n != "" {
		tg["Name"] = n
	}
	if len(tg) == 0 {
		tg = nil
	}
	u.Region.VPCs = append(u.Region.VPCs, inventory.VPC{ID: vpcID, CIDR: str(valueOr(in["cidr"], cty.StringVal("10.0.0.0/16"))),
		State: "available", Tags: tg, Location: mi.location(b.DefRange(), vpcAddr)})

	enable, ok := in["enable_flow_log"]
	if !ok || (enable.IsKnown() && enable.IsNull()) {
		return // default false
	}
	if !enable.IsKnown() {
		u.Unresolve(iac.Unresolved{What: addr + ": enable_flow_log", Why: why("enable_flow_log"), Location: *at("enable_flow_log"), VPC: vpcID})
		return
	}
	if !boolOf(enable) {
		return
	}
	flAddr := addr + ".aws_flow_log.this[0]"
	f := inventory.FlowLog{ID: u.QualifiedID(flAddr), ResourceID: vpcID, ResourceType: inventory.ResourceTypeVPC,
		Status: inventory.FlowLogStatusActive, TrafficType: inventory.TrafficAll, DestinationType: inventory.DestinationCloudWatchLogs,
		MaxAggregationInterval: 600, Location: at("enable_flow_log")}
	f.Location.Address = flAddr
	strIn := func(k string, dst *string) {
		v, ok := in[k]
		if !ok || (v.IsKnown() && v.IsNull()) {
			return
		}
		if !v.IsWhollyKnown() {
			u.Unresolve(iac.Unresolved{What: addr + ": " + k, Why: why(k), Location: *at(k), VPC: vpcID,
				FlowLog: f.ID, Field: flowLogFields[k]})
			*dst = ""
			return
		}
		*dst = str(v)
	}
	strIn("flow_log_traffic_type", &f.TrafficType)
	strIn("flow_log_destination_type", &f.DestinationType)
	if f.DestinationType == "" {
		f.DestinationType = inventory.DestinationCloudWatchLogs
	}
	if v, ok := in["flow_log_max_aggregation_interval"]; ok {
		if n, ok := intOf(v); ok {
			f.MaxAggregationInterval = n
		}
	}
	f.LogFormat = str(in["flow_log_log_format"])
	createLG := false
	if v, ok := in["create_flow_log_cloudwatch_log_group"]; ok && v.IsKnown() && !v.IsNull() {
		createLG = boolOf(v)
	}
	if f.DestinationType == inventory.DestinationCloudWatchLogs && createLG {
		name := communityLogGroupPrefix
		if v, ok := in["flow_log_cloudwatch_log_group_name_prefix"]; ok && v.IsWhollyKnown() && !v.IsNull() {
			name = str(v)
		}
		suffix := vpcID
		if v, ok := in["flow_log_cloudwatch_log_group_name_suffix"]; ok && v.IsWhollyKnown() && !v.IsNull() && str(v) != "" {
			suffix = str(v)
		}
		name += suffix
		lgAddr := addr + ".aws_cloudwatch_log_group.flow_log[0]"
		g := inventory.LogGroup{Name: name, ARN: iac.LogGroupARN(mi.region, name), Location: at("create_flow_log_cloudwatch_log_group")}
		g.Location.Address = lgAddr
		const rk = "flow_log_cloudwatch_log_group_retention_in_days"
		if v, ok := in[rk]; ok {
			switch {
			case !v.IsWhollyKnown():
				one := int32(1)
				g.RetentionDays = &one
				u.Unresolve(iac.Unresolved{What: addr + ": " + rk, Why: why(rk), Location: *at(rk), LogGroup: name})
			case !v.IsNull():
				r := hcl.Range{Filename: at(rk).File, Start: hcl.Pos{Line: at(rk).Line}}
				g.RetentionDays = mi.retention(rk, v, name, lgAddr, r)
				g.Location = at(rk)
				g.Location.Address = lgAddr
			}
		}
		u.Region.LogGroups = append(u.Region.LogGroups, g)
		f.Destination = g.ARN
	} else {
		v, ok := in["flow_log_destination_arn"]
		switch {
		case ok && !v.IsWhollyKnown():
			stand := addr + ".flow_log_destination_arn"
			u.Unresolve(iac.Unresolved{What: addr + ": flow_log_destination_arn", Why: why("flow_log_destination_arn"),
				Location: *at("flow_log_destination_arn"), LogGroup: stand})
			if f.DestinationType == inventory.DestinationCloudWatchLogs {
				f.LogGroupName = stand
			}
		case ok:
			f.Destination = str(v)
		}
	}
	if v, ok := in["flow_log_cloudwatch_iam_role_arn"]; ok && v.IsWhollyKnown() && !v.IsNull() {
		f.DeliverLogsPermissionARN = str(v)
	}
	iac.FillDestination(&f, mi.region)
	u.Region.FlowLogs = append(u.Region.FlowLogs, f)
}

// retention reads a known, non-null retention: nil for never expire (0), the days for a value CloudWatch
// Logs accepts, else the invalid stand-in, with the reason recorded on the log group.
func (mi *modInst) retention(attr string, v cty.Value, logGroup, addr string, r hcl.Range) *int32 {
	shown := ""
	n, exact := 0, false
	switch {
	case v.Type() == cty.String:
		shown = fmt.Sprintf("%q", v.AsString())
		if nv, err := convert.Convert(v, cty.Number); err == nil && !nv.IsNull() {
			n, exact = wholeNumber(nv)
		}
	case v.Type() == cty.Number:
		shown = v.AsBigFloat().Text('g', 10)
		n, exact = wholeNumber(v)
	default:
		shown = "(a " + v.Type().FriendlyName() + ")"
	}
	if exact && iac.ValidRetention(n) {
		if n == 0 {
			return nil
		}
		d := int32(n)
		return &d
	}
	mi.u.Invalidate(iac.Unresolved{What: addr, Why: iac.InvalidRetention(attr, shown),
		Location: *mi.location(r, addr), LogGroup: logGroup})
	d := int32(iac.InvalidStandIn)
	return &d
}

// wholeNumber returns a number value as an int when it is a whole number in int32 range.
func wholeNumber(v cty.Value) (int, bool) {
	bf := v.AsBigFloat()
	if !bf.IsInt() {
		return 0, false
	}
	i, acc := bf.Int64()
	if acc != big.Exact || i < -1<<31 || i > 1<<31-1 {
		return 0, false
	}
	return int(i), true
}

// str returns a known string value (converting numbers and bools), or "".
func str(v cty.Value) string {
	if v == cty.NilVal || !v.IsWhollyKnown() || v.IsNull() {
		return ""
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return ""
	}
	return s.AsString()
}

func intOf(v cty.Value) (int, bool) {
	if v == cty.NilVal || !v.IsWhollyKnown() || v.IsNull() {
		return 0, false
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil || n.IsNull() {
		return 0, false
	}
	i, acc := n.AsBigFloat().Int64()
	if acc != big.Exact && acc != big.Below && acc != big.Above {
		return 0, false
	}
	return int(i), true
}

func boolOf(v cty.Value) bool {
	if v == cty.NilVal || !v.IsWhollyKnown() || v.IsNull() {
		return false
	}
	b, err := convert.Convert(v, cty.Bool)
	if err != nil || b.IsNull() {
		return false
	}
	return b.True()
}

// tags returns a[k] as a string map when it is wholly known.
func tags(a map[string]cty.Value, k string) map[string]string {
	v, ok := a[k]
	if !ok || !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsMapType() || v.Type().IsObjectType()) {
		return nil
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		kk, e := it.Element()
		out[kk.AsString()] = str(e)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ctyStrings returns every known string inside v.
func ctyStrings(v cty.Value) []string {
	if v == cty.NilVal || !v.IsKnown() || v.IsNull() {
		return nil
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return []string{v.AsString()}
	case t.IsListType() || t.IsSetType() || t.IsTupleType() || t.IsMapType() || t.IsObjectType():
		var out []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, ctyStrings(e)...)
		}
		return out
	}
	return nil
}

// goValue converts a known cty value to plain Go (for JSON).
func goValue(v cty.Value) any {
	if v == cty.NilVal || !v.IsWhollyKnown() || v.IsNull() {
		return nil
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString()
	case t == cty.Bool:
		return v.True()
	case t == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, goValue(e))
		}
		return out
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = goValue(e)
		}
		return out
	}
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
