// Package iac is the common ground of the infrastructure-as-code readers: the Unit one Terraform root, plan or
// CloudFormation template becomes (an inventory region whose entities carry, as inventory.Unknown, what could
// not be resolved statically; the engine turns verdicts resting on them into UNKNOWN findings), and the
// findings of modules that were not read at all.
//
// IaC has no account and often no region. A unit's inventory region uses the placeholder account "iac" and the
// region of the Terraform provider block when it is a literal, else "-". Resource ids are addresses (aws_vpc.main,
// module.vpc.aws_vpc.this[0], MyVPC), qualified by the unit path (aws_vpc.main@envs/prod) when several units
// are scanned together, so that they are unique across everything scanned.
package iac

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Placeholders for what IaC does not say.
const (
	AccountID     = "iac"
	UnknownRegion = "-"
)

// Unit kinds.
const (
	KindTerraform      = "terraform"
	KindTerraformPlan  = "terraform-plan"
	KindCloudFormation = "cloudformation"
)

// ReasonUnresolved is the reason code of an UNKNOWN finding: the verdict depends on a value that cannot be
// known without deploying (a variable without default, a remote module, an import from another stack).
const ReasonUnresolved = "UNRESOLVED"

// ReasonNotDeclared is the reason of an UNKNOWN retention finding whose log group is not declared in the
// scanned files: it may exist outside them.
const ReasonNotDeclared = "NOT_DECLARED"

// AnyVPC in Unresolved.VPC means the unresolved value could concern any VPC of the unit.
const AnyVPC = "*"

// Unresolved records one value that could not be resolved statically, and which verdicts it could change.
type Unresolved struct {
	// What is the thing and field, e.g. "aws_flow_log.this: vpc_id".
	What string `json:"what"`
	// Why the value is not known, e.g. "var.vpc_id has no default value".
	Why      string             `json:"why"`
	Location inventory.Location `json:"location"`
	// VPC is the id of the VPC whose flow-log verdict it could change, AnyVPC, or "".
	VPC string `json:"vpc,omitempty"`
	// LogGroup is the name of the log group whose retention verdict it could change, or "".
	LogGroup string `json:"log_group,omitempty"`
	// FlowLog is the id of the flow log whose Field is not known, when the flow log is declared.
	FlowLog string `json:"flow_log,omitempty"`
	// Field is the graph field of the flow log or log group that is not known ("trafficType").
	Field string `json:"field,omitempty"`
	// Unread marks a module call whose module flowguard did not read (outside the scanned path, unreadable,
	// too deep, instances not known): it may declare VPCs of its own, so it is always reported as an UNKNOWN
	// finding of its own, even when no VPC is declared anywhere else.
	Unread bool `json:"unread,omitempty"`
}

func (u Unresolved) String() string {
	s := u.What + ": " + u.Why
	if u.Location.File != "" {
		s += fmt.Sprintf(" (%s:%d)", u.Location.File, u.Location.Line)
	}
	return s
}

// Unit is what one Terraform root module, plan file or CloudFormation template declares.
type Unit struct {
	Kind string
	// Path is the directory (Terraform) or file (plan, template) the unit was read from.
	Path string
	// IDPrefix qualifies resource ids when several units are scanned together ("" when only one is).
	IDPrefix   string
	Region     inventory.Region
	Buckets    []inventory.Bucket
	Unresolved []Unresolved
	// Invalid are declared values AWS would reject (a retention CloudWatch Logs does not accept), with the
	// log group they concern.
	Invalid []Unresolved
	// Notes are things worth saying that are not findings (a delivery role without confused-deputy conditions).
	Notes []string

	roles []Role
}

// NewUnit starts a unit. An empty region becomes UnknownRegion. With qualify, ids are prefixed by path.
func NewUnit(kind, path, region string, qualify bool) *Unit {
	if region == "" {
		region = UnknownRegion
	}
	prefix := ""
	if qualify {
		prefix = path
	}
	return &Unit{Kind: kind, Path: path, IDPrefix: prefix, Region: inventory.Region{AccountID: AccountID, Name: region,
		VPCs: []inventory.VPC{}, FlowLogs: []inventory.FlowLog{}}}
}

// QualifiedID turns a unit-local address into a snapshot-wide id: the address itself when the unit is scanned
// alone, else "address@unit-path". The address comes first so that an id never starts like an AWS id
// (vpc-, subnet-, eni-), which is how evaluators tell resource types apart.
func (u *Unit) QualifiedID(address string) string {
	if u.IDPrefix == "" {
		return address
	}
	return address + "@" + u.IDPrefix
}

// Unresolve records an unresolved value.
func (u *Unit) Unresolve(x Unresolved) { u.Unresolved = append(u.Unresolved, x) }

// Role is an IAM role declared in the unit, by ARN (possibly synthetic), with its trust policy if known.
type Role struct {
	ARN      string
	Address  string
	Location inventory.Location
	// Trust is the assume-role policy JSON; TrustKnown is false when it could not be resolved.
	Trust      string
	TrustKnown bool
}

// AddRole records a role that flow logs may name as their delivery role.
func (u *Unit) AddRole(r Role) { u.roles = append(u.roles, r) }

// Finish links what needs the whole unit: a flow log whose delivery role is declared here and is not trusted
// by vpc-flow-logs.amazonaws.com would fail to deliver once deployed, so it is recorded as DeliverLogsStatus
// FAILED (the checks then say DELIVERY_FAILED); interfaces get their VPC through their subnet.
func (u *Unit) Finish() {
	byARN := map[string]Role{}
	for _, r := range u.roles {
		byARN[r.ARN] = r
	}
	noted := map[string]bool{}
	for i := range u.Region.FlowLogs {
		f := &u.Region.FlowLogs[i]
		if f.DestinationType != inventory.DestinationCloudWatchLogs || f.DeliverLogsPermissionARN == "" {
			continue
		}
		r, ok := byARN[f.DeliverLogsPermissionARN]
		if !ok {
			continue
		}
		if !r.TrustKnown {
			if !noted[r.Address] {
				u.Notes = append(u.Notes, fmt.Sprintf("%s: the trust policy of delivery role %s could not be resolved statically; it must trust vpc-flow-logs.amazonaws.com", loc(r.Location), r.Address))
				noted[r.Address] = true
			}
			continue
		}
		t := AnalyzeTrust(r.Trust)
		switch {
		case !t.FlowLogs:
			f.DeliverLogsStatus = inventory.DeliveryFailed
			who := strings.Join(t.Services, ", ")
			if who == "" {
				who = "no service"
			}
			f.DeliverLogsError = fmt.Sprintf("delivery role %s is not trusted by vpc-flow-logs.amazonaws.com (it trusts %s): delivery would fail", r.Address, who)
		case !t.ConfusedDeputy && !noted[r.Address]:
			u.Notes = append(u.Notes, fmt.Sprintf("%s: delivery role %s trusts vpc-flow-logs.amazonaws.com without aws:SourceAccount and aws:SourceArn conditions (confused deputy)", loc(r.Location), r.Address))
			noted[r.Address] = true
		}
	}
	u.attachUnknowns()
	subnetVPC := map[string]string{}
	for _, s := range u.Region.Subnets {
		subnetVPC[s.ID] = s.VPCID
	}
	for i := range u.Region.NetworkInterfaces {
		n := &u.Region.NetworkInterfaces[i]
		if n.VPCID == "" {
			n.VPCID = subnetVPC[n.SubnetID]
		}
	}
}

func loc(l inventory.Location) string {
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

// Trust summarises an assume-role policy.
type Trust struct {
	// FlowLogs is true when an Allow statement lets vpc-flow-logs.amazonaws.com assume the role.
	FlowLogs bool
	// ConfusedDeputy is true when that statement carries aws:SourceAccount or aws:SourceArn conditions.
	ConfusedDeputy bool
	// Services are all the service principals trusted.
	Services []string
}

// FlowLogsService is the service principal that delivers flow logs.
const FlowLogsService = "vpc-flow-logs.amazonaws.com"

// AnalyzeTrust reads an assume-role policy document. An unparsable document trusts nobody.
func AnalyzeTrust(doc string) Trust {
	var p struct {
		Statement json.RawMessage
	}
	var t Trust
	if json.Unmarshal([]byte(doc), &p) != nil {
		return t
	}
	var stmts []map[string]any
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(p.Statement, &one) != nil {
			return t
		}
		stmts = []map[string]any{one}
	}
	for _, s := range stmts {
		if e, _ := s["Effect"].(string); !strings.EqualFold(e, "Allow") {
			continue
		}
		pr, _ := s["Principal"].(map[string]any)
		svcs := strs(pr["Service"])
		t.Services = append(t.Services, svcs...)
		for _, svc := range svcs {
			if svc == FlowLogsService {
				t.FlowLogs = true
				if c, ok := s["Condition"].(map[string]any); ok {
					for _, kv := range c {
						m, _ := kv.(map[string]any)
						for k := range m {
							if strings.EqualFold(k, "aws:SourceAccount") || strings.EqualFold(k, "aws:SourceArn") {
								t.ConfusedDeputy = true
							}
						}
					}
				}
			}
		}
	}
	sort.Strings(t.Services)
	return t
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// LogGroupARN is the ARN synthesized for a log group declared in IaC.
func LogGroupARN(region, name string) string {
	return "arn:aws:logs:" + region + ":" + AccountID + ":log-group:" + name
}

// BucketARN is the ARN of a bucket.
func BucketARN(name string) string { return "arn:aws:s3:::" + name }

// RoleARN is the ARN synthesized for a role declared in IaC.
func RoleARN(name string) string { return "arn:aws:iam::" + AccountID + ":role/" + name }

// FillDestination completes a flow log's destination fields from what was declared: LogGroupName from a log
// group ARN and the other way round.
func FillDestination(f *inventory.FlowLog, region string) {
	if f.DestinationType == "" {
		f.DestinationType = inventory.DestinationCloudWatchLogs
	}
	if f.DestinationType != inventory.DestinationCloudWatchLogs {
		return
	}
	if f.LogGroupName == "" {
		f.LogGroupName = inventory.LogGroupFromARN(f.Destination)
	}
	if f.Destination == "" && f.LogGroupName != "" {
		f.Destination = LogGroupARN(region, f.LogGroupName)
	}
}

// ReasonInvalid is the reason of a FAIL whose log group declares a retention CloudWatch Logs does not
// accept: the deployment would fail, and the log group would not keep logs as declared.
const ReasonInvalid = "INVALID_RETENTION"

// retentionValues are the retentions CloudWatch Logs accepts (PutRetentionPolicy), in days.
var retentionValues = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// ValidRetention reports whether days is a retention CloudWatch Logs accepts; 0 (never expire) is valid too.
func ValidRetention(days int) bool {
	if days == 0 {
		return true
	}
	for _, d := range retentionValues {
		if d == days {
			return true
		}
	}
	return false
}

// InvalidRetention says why a declared retention is not one CloudWatch Logs accepts. attr names the
// attribute (retention_in_days, RetentionInDays); shown is the declared value as the file writes it.
func InvalidRetention(attr, shown string) string {
	return fmt.Sprintf("%s %s is not a valid CloudWatch Logs retention value (valid: 0 or absent to never expire, or one of %s days)",
		attr, shown, strings.Trim(strings.Join(strings.Fields(fmt.Sprint(retentionValues)), ", "), "[]"))
}

// InvalidStandIn is the retention recorded for a log group whose declared retention is invalid: shorter than
// any minimum; the log group's Invalid unknown then makes any verdict that reads it a FAIL with the reason.
const InvalidStandIn = 0

// Invalidate records a declared value that AWS would reject.
func (u *Unit) Invalidate(x Unresolved) { u.Invalid = append(u.Invalid, x) }

// notDeclared says why a log group a flow log names but the files do not declare is not known.
func notDeclared(name string) string {
	return fmt.Sprintf("log group %s is not declared in the scanned files: it may exist elsewhere (if not, AWS creates it on first delivery, with no retention set)", name)
}

// attachUnknowns puts what the reader could not resolve on the entities whose values they are, as
// inventory.Unknown: the unit's region is then a plain inventory that says what it does not know.
//
//   - a flow log's field (traffic type, destination type) on the flow log;
//   - a value that could concern any VPC (a flow log whose target is not known, a module not read, a
//     Transform) on the region: no VPC's flow logs are known completely; a module not read may also declare
//     VPCs of its own;
//   - a value that could give one VPC a flow log (a module given the VPC, a flow log that may not be created,
//     instances not known) on that VPC's hasFlowLog;
//   - a retention on its log group; a destination not known, or a log group the files do not declare, on the
//     flow logs' deliversTo (NOT_DECLARED for the latter: it may exist outside the files);
//   - a retention AWS would reject on its log group, as Invalid.
func (u *Unit) attachUnknowns() {
	r := &u.Region
	fls := make(map[string]int, len(r.FlowLogs))
	for i, f := range r.FlowLogs {
		fls[f.ID] = i
	}
	vpcs := make(map[string]int, len(r.VPCs))
	for i, v := range r.VPCs {
		vpcs[v.ID] = i
	}
	lgs := make(map[string]int, len(r.LogGroups))
	for i, g := range r.LogGroups {
		if _, dup := lgs[g.Name]; !dup {
			lgs[g.Name] = i
		}
	}
	unknown := func(x Unresolved, field string) inventory.Unknown {
		l := x.Location
		return inventory.Unknown{Field: field, What: x.What, Why: x.Why, Location: &l}
	}
	stands := map[string][]Unresolved{}
	for _, x := range u.Unresolved {
		if i, ok := fls[x.FlowLog]; ok && x.FlowLog != "" {
			r.FlowLogs[i].Unknowns = append(r.FlowLogs[i].Unknowns, unknown(x, x.Field))
			continue
		}
		switch {
		case x.VPC == AnyVPC:
			r.Unknowns = append(r.Unknowns, unknown(x, inventory.RegionFlowLogs))
			if x.Unread {
				r.Unknowns = append(r.Unknowns, unknown(x, inventory.RegionVPCs))
			}
		case x.VPC != "":
			if i, ok := vpcs[x.VPC]; ok {
				r.VPCs[i].Unknowns = append(r.VPCs[i].Unknowns, unknown(x, "hasFlowLog"))
			}
		case x.LogGroup != "":
			if i, ok := lgs[x.LogGroup]; ok {
				field := x.Field
				if field == "" {
					field = "retentionInDays"
				}
				r.LogGroups[i].Unknowns = append(r.LogGroups[i].Unknowns, unknown(x, field))
			} else {
				stands[x.LogGroup] = append(stands[x.LogGroup], x)
			}
		}
	}
	for _, x := range u.Invalid {
		if i, ok := lgs[x.LogGroup]; ok {
			k := unknown(x, "retentionInDays")
			k.Reason, k.Invalid = ReasonInvalid, true
			r.LogGroups[i].Unknowns = append(r.LogGroups[i].Unknowns, k)
		}
	}
	for i := range r.FlowLogs {
		f := &r.FlowLogs[i]
		if f.DestinationType != inventory.DestinationCloudWatchLogs || f.LogGroupName == "" {
			continue
		}
		if _, declared := lgs[f.LogGroupName]; declared {
			continue
		}
		if xs := stands[f.LogGroupName]; len(xs) > 0 {
			for _, x := range xs {
				f.Unknowns = append(f.Unknowns, unknown(x, "logGroupName"), unknown(x, "deliversTo"))
			}
			continue
		}
		f.Unknowns = append(f.Unknowns, inventory.Unknown{Field: "deliversTo", Why: notDeclared(f.LogGroupName),
			Reason: ReasonNotDeclared})
	}
}
