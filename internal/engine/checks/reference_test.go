package checks

// The reference evaluation: the Go-coded control flowguard had before its checks became stored queries
// (internal/evaluate at the commit that introduced scan), kept here only as a test oracle. The stored
// check files must give exactly its findings on any inventory.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/inventory"
)

const (
	CheckEnabled   = "vpc-flow-logs-enabled"
	CheckRetention = "vpc-flow-logs-retention"
)

const DefaultMinRetentionDays = 365

type refOptions struct {
	MinRetentionDays int
	SkipUnused       bool
}

// Controls the enabled check maps to: CIS AWS Foundations by version, Security Hub, AWS Config.
var enabledControls = []finding.Control{
	{Framework: "CIS AWS Foundations Benchmark", Version: "1.1.0", ID: "4.3"},
	{Framework: "CIS AWS Foundations Benchmark", Version: "1.2.0", ID: "2.9"},
	{Framework: "CIS AWS Foundations Benchmark", Version: "1.4.0", ID: "3.9"},
	{Framework: "CIS AWS Foundations Benchmark", Version: "1.5.0", ID: "3.9"},
	{Framework: "CIS AWS Foundations Benchmark", Version: "2.0.0", ID: "3.9"},
	{Framework: "CIS AWS Foundations Benchmark", Version: "3.0.0", ID: "3.7"},
	{Framework: "CIS AWS Foundations Benchmark", Version: "4.0.1", ID: "3.7"},
	{Framework: "CIS AWS Foundations Benchmark", Version: "5.0.0", ID: "3.7"},
	{Framework: "CIS AWS Foundations Benchmark", Version: "6.0.0", ID: "4.7"},
	{Framework: "AWS Security Hub", ID: "EC2.6"},
	{Framework: "AWS Config", ID: "VPC_FLOW_LOGS_ENABLED"},
}

var retentionControls = []finding.Control{
	{Framework: "AWS Security Hub", ID: "CloudWatch.16"},
	{Framework: "AWS Config", ID: "CW_LOGGROUP_RETENTION_PERIOD_CHECK"},
}

const (
	titleEnabled   = "VPC flow logging is enabled in all VPCs"
	titleRetention = "Flow-log log groups keep logs long enough"
)

// Snapshot evaluates every check on snap. The result has no timing or tool fields; the caller stamps them.
func refSnapshot(snap *inventory.Snapshot, o refOptions) *finding.Result {
	if o.MinRetentionDays <= 0 {
		o.MinRetentionDays = DefaultMinRetentionDays
	}
	res := &finding.Result{Schema: finding.ResultSchema, Source: snap.Source, Cancelled: snap.Incomplete}
	accounts, regions := map[string]bool{}, map[string]bool{}
	for _, e := range snap.Errors {
		res.Errors = append(res.Errors, toError(e))
		accounts[e.AccountID] = true
		res.Findings = append(res.Findings, scopeErrors(e, finding.ResourceAccount, e.AccountID)...)
	}
	for _, r := range snap.Regions {
		accounts[r.AccountID] = true
		regions[r.Name] = true
		for _, e := range r.Errors {
			res.Errors = append(res.Errors, toError(e))
		}
		evaluateRegion(r, o, res)
	}
	for a := range accounts {
		if a != "" {
			res.Accounts = append(res.Accounts, a)
		}
	}
	for r := range regions {
		res.Regions = append(res.Regions, r)
	}
	sort.Strings(res.Accounts)
	sort.Strings(res.Regions)
	finding.Sort(res.Findings)
	if res.Summary.SkippedUnused > 0 {
		res.Notes = append(res.Notes, human.Plural(res.Summary.SkippedUnused, "VPC")+" without network interfaces left out (--skip-unused)")
	}
	res.Summarize()
	return res
}

func toError(e inventory.ReadError) finding.Error {
	return finding.Error{AccountID: e.AccountID, Region: e.Region, Operation: e.Operation, Code: e.Code, Message: e.Message}
}

// scopeErrors reports an account or region that could not be read as ERROR findings, one per check, so a
// dashboard counting findings sees the gap instead of fewer VPCs.
func scopeErrors(e inventory.ReadError, resourceType, resourceID string) []finding.Finding {
	msg := fmt.Sprintf("could not be read (%s): %s", e.Operation, e.Message)
	var out []finding.Finding
	for _, c := range []struct {
		id, title string
		controls  []finding.Control
	}{{CheckEnabled, titleEnabled, enabledControls}, {CheckRetention, titleRetention, retentionControls}} {
		out = append(out, finding.Finding{
			CheckID: c.id, Title: c.title, Severity: severity(c.id), Status: finding.StatusError, Reason: finding.ReasonReadFailed,
			Message: msg, AccountID: e.AccountID, Region: e.Region, ResourceType: resourceType, ResourceID: resourceID,
			Evidence: finding.Evidence{Error: e.Message}, Controls: c.controls,
		})
	}
	return out
}

func severity(check string) string {
	if check == CheckRetention {
		return "low"
	}
	return "medium"
}

// regionIndex answers "which flow logs and interfaces belong to this VPC" in O(1) per VPC.
type regionIndex struct {
	vpcFlowLogs   map[string][]inventory.FlowLog // resource is the VPC
	otherFlowLogs map[string][]inventory.FlowLog // resource is a subnet or interface of the VPC
	enis          map[string]int
	exposed       map[string]bool
	logGroups     map[string]inventory.LogGroup
}

func indexRegion(r *inventory.Region) regionIndex {
	ix := regionIndex{
		vpcFlowLogs: map[string][]inventory.FlowLog{}, otherFlowLogs: map[string][]inventory.FlowLog{},
		enis: map[string]int{}, exposed: map[string]bool{}, logGroups: map[string]inventory.LogGroup{},
	}
	subnetVPC := make(map[string]string, len(r.Subnets))
	for _, s := range r.Subnets {
		subnetVPC[s.ID] = s.VPCID
	}
	eniVPC := make(map[string]string, len(r.NetworkInterfaces))
	for _, n := range r.NetworkInterfaces {
		eniVPC[n.ID] = n.VPCID
		ix.enis[n.VPCID]++
	}
	for _, f := range r.FlowLogs {
		// The id says the type for AWS ids; IaC ids are addresses, so the declared type is the fallback.
		rt := inventory.ResourceTypeOf(f.ResourceID)
		if rt == "" {
			rt = f.ResourceType
		}
		switch rt {
		case inventory.ResourceTypeVPC:
			ix.vpcFlowLogs[f.ResourceID] = append(ix.vpcFlowLogs[f.ResourceID], f)
		case inventory.ResourceTypeSubnet:
			if v := subnetVPC[f.ResourceID]; v != "" {
				ix.otherFlowLogs[v] = append(ix.otherFlowLogs[v], f)
			}
		case inventory.ResourceTypeNetworkInterface:
			if v := eniVPC[f.ResourceID]; v != "" {
				ix.otherFlowLogs[v] = append(ix.otherFlowLogs[v], f)
			}
		}
	}
	for _, g := range r.InternetGateways {
		for _, v := range g.AttachedVPCs {
			ix.exposed[v] = true
		}
	}
	for _, g := range r.LogGroups {
		ix.logGroups[g.Name] = g
	}
	return ix
}

func evaluateRegion(r *inventory.Region, o refOptions, res *finding.Result) {
	if e, failed := r.ErrorFor(inventory.CollVPCs); failed {
		res.Findings = append(res.Findings, scopeErrors(e, finding.ResourceRegion, r.Name)...)
		return
	}
	ix := indexRegion(r)
	for _, v := range r.VPCs {
		if o.SkipUnused && r.Read(inventory.CollNetworkInterfaces) && ix.enis[v.ID] == 0 {
			res.Summary.SkippedUnused++
			continue
		}
		res.Summary.VPCs++
		ev := refVPCEvidence(r, v, ix)
		base := finding.Finding{
			AccountID: r.AccountID, Region: r.Name, ResourceType: finding.ResourceVPC, ResourceID: v.ID,
			ResourceName: v.Name(), Location: v.Location, Evidence: ev,
		}
		res.Findings = append(res.Findings, enabledFinding(base, r, v, ix))
		if f, ok := retentionFinding(base, r, v, ix, o.MinRetentionDays); ok {
			res.Findings = append(res.Findings, f)
		}
	}
}

func refVPCEvidence(r *inventory.Region, v inventory.VPC, ix regionIndex) finding.Evidence {
	ev := finding.Evidence{OwnerID: v.OwnerID, IsDefault: ptr(v.IsDefault), Tags: v.Tags}
	if r.Read(inventory.CollInternetGateways) {
		ev.InternetExposed = ptr(ix.exposed[v.ID])
	}
	if r.Read(inventory.CollNetworkInterfaces) {
		ev.NetworkInterfaces = ptr(ix.enis[v.ID])
	}
	for _, f := range ix.vpcFlowLogs[v.ID] {
		ev.FlowLogs = append(ev.FlowLogs, refFlowLogEvidence(f))
	}
	for _, f := range ix.otherFlowLogs[v.ID] {
		ev.SubnetOrENIFlowLogs = append(ev.SubnetOrENIFlowLogs, refFlowLogEvidence(f))
	}
	if r.Read(inventory.CollLogGroups) {
		seen := map[string]bool{}
		for _, f := range ix.vpcFlowLogs[v.ID] {
			if f.DestinationType != inventory.DestinationCloudWatchLogs || f.LogGroupName == "" || seen[f.LogGroupName] {
				continue
			}
			seen[f.LogGroupName] = true
			g, ok := ix.logGroups[f.LogGroupName]
			ev.LogGroups = append(ev.LogGroups, finding.LogGroupEvidence{Name: f.LogGroupName, Exists: ok, RetentionDays: g.RetentionDays})
		}
	}
	return ev
}

func refFlowLogEvidence(f inventory.FlowLog) finding.FlowLogEvidence {
	dest := f.Destination
	if dest == "" {
		dest = f.LogGroupName
	}
	return finding.FlowLogEvidence{
		ID: f.ID, ResourceID: f.ResourceID, Status: f.Status, TrafficType: f.TrafficType,
		DestinationType: f.DestinationType, Destination: dest,
		DeliverLogsStatus: f.DeliverLogsStatus, DeliverLogsError: f.DeliverLogsError,
	}
}

// Satisfies reports whether a flow log meets the control: ACTIVE, capturing rejected traffic (REJECT or ALL),
// and not failing to deliver.
func refSatisfies(f inventory.FlowLog) bool {
	return f.Status == inventory.FlowLogStatusActive &&
		(f.TrafficType == inventory.TrafficReject || f.TrafficType == inventory.TrafficAll) &&
		f.DeliverLogsStatus != inventory.DeliveryFailed
}

func enabledFinding(base finding.Finding, r *inventory.Region, v inventory.VPC, ix regionIndex) finding.Finding {
	f := base
	f.CheckID, f.Title, f.Severity, f.Controls = CheckEnabled, titleEnabled, severity(CheckEnabled), enabledControls
	if v.OwnerID != "" && v.OwnerID != r.AccountID {
		f.Status, f.Reason = finding.StatusSkipped, finding.ReasonSharedVPC
		f.Message = fmt.Sprintf("shared VPC owned by account %s: evaluated in the owner account, which alone can create its VPC-level flow log", v.OwnerID)
		return f
	}
	if e, failed := r.ErrorFor(inventory.CollFlowLogs); failed {
		f.Status, f.Reason = finding.StatusError, finding.ReasonReadFailed
		f.Message = fmt.Sprintf("flow logs could not be read (%s): %s", e.Operation, e.Message)
		f.Evidence.Error = e.Message
		return f
	}
	logs := ix.vpcFlowLogs[v.ID]
	for _, l := range logs {
		if refSatisfies(l) {
			f.Status = finding.StatusPass
			f.Message = fmt.Sprintf("flow log %s is %s, captures %s traffic, delivers to %s", l.ID, l.Status, l.TrafficType, l.DestinationType)
			return f
		}
	}
	f.Status = finding.StatusFail
	f.Reason, f.Message = failReason(logs, ix.otherFlowLogs[v.ID], r.Read(inventory.CollSubnets) && r.Read(inventory.CollNetworkInterfaces))
	return f
}

// failReason explains why none of a VPC's flow logs satisfies the control. With several flow logs, the one
// closest to passing names the reason: delivery failure, then ACCEPT-only, then not active.
func failReason(logs, other []inventory.FlowLog, subnetsRead bool) (string, string) {
	if len(logs) == 0 {
		if len(other) > 0 {
			ids := make([]string, len(other))
			for i, o := range other {
				ids[i] = o.ResourceID
			}
			return finding.ReasonSubnetOrENIOnly, fmt.Sprintf("no VPC-level flow log, only %s on subnets or interfaces (%s), so new subnets and interfaces are not logged",
				refPlural(len(other), "flow log"), strings.Join(ids, ", "))
		}
		msg := "no flow log on the VPC"
		if !subnetsRead {
			msg += " (subnets or interfaces could not be read, so subnet- or interface-level flow logs were not considered)"
		}
		return finding.ReasonNoFlowLog, msg
	}
	var active []inventory.FlowLog
	for _, l := range logs {
		if l.Status == inventory.FlowLogStatusActive {
			active = append(active, l)
		}
	}
	if len(active) == 0 {
		return finding.ReasonNotActive, fmt.Sprintf("flow log %s is not active (status %q)", logs[0].ID, logs[0].Status)
	}
	for _, l := range active {
		if l.TrafficType == inventory.TrafficReject || l.TrafficType == inventory.TrafficAll {
			msg := fmt.Sprintf("flow log %s cannot deliver logs (DeliverLogsStatus FAILED)", l.ID)
			if l.DeliverLogsError != "" {
				msg += ": " + l.DeliverLogsError
			}
			return finding.ReasonDeliveryFailed, msg
		}
	}
	return finding.ReasonAcceptOnly, fmt.Sprintf("flow log %s captures %s traffic only: rejected traffic is not logged", active[0].ID, active[0].TrafficType)
}

// retentionFinding checks the log groups the VPC's own flow logs deliver to. VPCs with no CloudWatch Logs
// flow log get no retention finding: there is nothing to keep.
func retentionFinding(base finding.Finding, r *inventory.Region, v inventory.VPC, ix regionIndex, minDays int) (finding.Finding, bool) {
	if v.OwnerID != "" && v.OwnerID != r.AccountID {
		return finding.Finding{}, false
	}
	f := base
	f.CheckID, f.Title, f.Severity, f.Controls = CheckRetention, titleRetention, severity(CheckRetention), retentionControls
	f.Evidence.MinRetentionDays = minDays
	if e, failed := r.ErrorFor(inventory.CollFlowLogs); failed {
		f.Status, f.Reason = finding.StatusError, finding.ReasonReadFailed
		f.Message = fmt.Sprintf("flow logs could not be read (%s): %s", e.Operation, e.Message)
		f.Evidence.Error = e.Message
		return f, true
	}
	var groups []string
	seen := map[string]bool{}
	for _, l := range ix.vpcFlowLogs[v.ID] {
		if l.DestinationType == inventory.DestinationCloudWatchLogs && l.LogGroupName != "" && !seen[l.LogGroupName] {
			seen[l.LogGroupName] = true
			groups = append(groups, l.LogGroupName)
		}
	}
	if len(groups) == 0 {
		return finding.Finding{}, false
	}
	if e, failed := r.ErrorFor(inventory.CollLogGroups); failed {
		f.Status, f.Reason = finding.StatusError, finding.ReasonReadFailed
		f.Message = fmt.Sprintf("log groups could not be read (%s): %s", e.Operation, e.Message)
		f.Evidence.Error = e.Message
		return f, true
	}
	var missing, short []string
	for _, name := range groups {
		g, ok := ix.logGroups[name]
		switch {
		case !ok:
			missing = append(missing, name)
		case g.RetentionDays != nil && int(*g.RetentionDays) < minDays:
			short = append(short, fmt.Sprintf("%s keeps %d days", name, *g.RetentionDays))
		}
	}
	switch {
	case len(missing) > 0:
		f.Status, f.Reason = finding.StatusFail, finding.ReasonLogGroupMissing
		f.Message = fmt.Sprintf("flow logs deliver to %s: %s", refPlural(len(missing), "missing log group"), strings.Join(missing, ", "))
	case len(short) > 0:
		f.Status, f.Reason = finding.StatusFail, finding.ReasonRetentionTooShort
		f.Message = fmt.Sprintf("%s; at least %d days required", strings.Join(short, ", "), minDays)
	default:
		f.Status = finding.StatusPass
		f.Message = fmt.Sprintf("%s checked: each keeps flow logs at least %d days or never expires", refPlural(len(groups), "log group"), minDays)
	}
	return f, true
}

// refPlural is the reference's own "N noun(s)": the count with thousands separators, and the noun with an s
// unless the count is 1 (the nouns of the built-in messages all take an s).
func refPlural(n int, noun string) string {
	d := strconv.Itoa(n)
	for i := len(d) - 3; i > 0 && d[i-1] != '-'; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	if n != 1 {
		noun += "s"
	}
	return d + " " + noun
}
