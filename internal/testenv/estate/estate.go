// Package estate generates a synthetic, deterministic estate for tests and benchmarks at scale: N accounts ×
// M regions × K VPCs, as the finding.Result a scan of it gives. The same options always give the same result,
// byte for byte, so that a test can compute what a report must show. Accounts differ in how compliant they
// are (from fully compliant to mostly failing) so that roll-ups and filters have something to show, and the
// hostile option plants tag values written to inject script into an HTML page.
package estate

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
)

// Check ids, as the built-in checks name them.
const (
	CheckEnabled   = "vpc-flow-logs-enabled"
	CheckRetention = "vpc-flow-logs-retention"
)

// Options size the estate.
type Options struct {
	Accounts int // number of accounts (default 10)
	Regions  int // regions per account, from a fixed list of 16 (default 5)
	VPCs     int // VPCs per account and region (default 10)
	// Hostile puts HostileValues into the tags of the first VPC of every account, and one into its name.
	Hostile bool
}

// HostileValues are tag values that would run script if a page inserted them as markup, or followed them as
// links. Each one that ran would set window.__pwned.
var HostileValues = []string{
	`<img src=x onerror="window.__pwned='img'">`,
	`</script><script>window.__pwned='script'</script>`,
	`javascript:window.__pwned='href'`,
	`"><svg onload="window.__pwned='svg'">`,
	`'-alert(window.__pwned='quote')-'`,
	`<!--<script>window.__pwned='comment'</script>-->`,
	"\u2028window.__pwned='ls'\u2029",
}

// Regions is the list the generator draws regions from (long names on purpose).
var Regions = []string{
	"us-east-1", "eu-west-1", "ap-southeast-2", "eu-central-1", "us-west-2", "ap-northeast-1", "sa-east-1",
	"ca-central-1", "eu-north-1", "ap-south-1", "us-east-2", "eu-west-2", "ap-southeast-1", "us-west-1",
	"eu-west-3", "ap-northeast-2",
}

var controlsEnabled = []finding.Control{
	{Framework: "CIS AWS Foundations Benchmark", Version: "3.0.0", ID: "3.7"},
	{Framework: "AWS Security Hub", ID: "EC2.6"},
	{Framework: "AWS Config", ID: "VPC_FLOW_LOGS_ENABLED"},
}

var controlsRetention = []finding.Control{
	{Framework: "AWS Security Hub", ID: "CloudWatch.16"},
	{Framework: "AWS Config", ID: "CW_LOGGROUP_RETENTION_PERIOD_CHECK"},
}

// Checks describes the two checks of the generated result.
func Checks() []finding.CheckInfo {
	return []finding.CheckInfo{
		{ID: CheckEnabled, Title: "VPC flow logging is enabled in all VPCs", Severity: "medium",
			Description: "Every VPC has at least one flow log on the VPC itself that is ACTIVE, captures rejected traffic and delivers.",
			Remediation: "Create a flow log on the VPC with traffic type ALL (or REJECT, cheaper) delivering to CloudWatch Logs or S3 (`flowguard fix`).",
			Controls:    controlsEnabled},
		{ID: CheckRetention, Title: "Flow-log log groups keep logs long enough", Severity: "low",
			Description: "Every log group a VPC's flow logs deliver to exists and keeps events for at least 365 days.",
			Remediation: "aws logs put-retention-policy --log-group-name NAME --retention-in-days 365",
			Controls:    controlsRetention},
	}
}

func (o Options) withDefaults() Options {
	if o.Accounts <= 0 {
		o.Accounts = 10
	}
	if o.Regions <= 0 {
		o.Regions = 5
	}
	if o.Regions > len(Regions) {
		o.Regions = len(Regions)
	}
	if o.VPCs <= 0 {
		o.VPCs = 10
	}
	return o
}

// AccountID returns the id of account a (0-based).
func AccountID(a int) string { return fmt.Sprintf("%012d", 100000000000+a*1111) }

// roll is a deterministic number in [0, 100) for a VPC and a purpose.
func roll(purpose string, a, r, v int) int {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d/%d/%d", purpose, a, r, v)
	return int(h.Sum32() % 100)
}

// failRate is the share of failing VPCs of account a, in percent: accounts range from 0 to 90.
func failRate(a int) int { return (a * 37) % 91 }

// Result returns the scan result of the estate: for each VPC a vpc-flow-logs-enabled finding, and a
// vpc-flow-logs-retention finding when the VPC delivers to CloudWatch Logs, sorted as finding.Sort sorts.
func Result(o Options) *finding.Result {
	o = o.withDefaults()
	start := time.Date(2026, 11, 23, 4, 0, 0, 0, time.UTC)
	res := &finding.Result{
		Schema: finding.ResultSchema, Tool: finding.Tool{Name: "flowguard", Version: "0.0.0-estate"}, Source: "snapshot",
		StartedAt: start, FinishedAt: start.Add(42 * time.Second), Checks: Checks(), Errors: []finding.Error{},
	}
	for a := 0; a < o.Accounts; a++ {
		res.Accounts = append(res.Accounts, AccountID(a))
	}
	res.Regions = append(res.Regions, Regions[:o.Regions]...)
	for a := 0; a < o.Accounts; a++ {
		acct := AccountID(a)
		for r := 0; r < o.Regions; r++ {
			region := Regions[r]
			for v := 0; v < o.VPCs; v++ {
				res.Findings = append(res.Findings, vpcFindings(o, acct, region, a, r, v)...)
				res.Summary.VPCs++
			}
		}
	}
	finding.Sort(res.Findings)
	res.Summarize()
	return res
}

func vpcFindings(o Options, acct, region string, a, r, v int) []finding.Finding {
	id := fmt.Sprintf("vpc-%06x%02x%09x", a, r, v)
	env := []string{"prod", "staging", "dev", "sandbox"}[roll("env", a, r, v)%4]
	team := []string{"payments", "identity", "data", "platform", "search", "mobile"}[roll("team", a, r, v)%6]
	name := fmt.Sprintf("%s-%s-%d", team, env, v)
	tags := map[string]string{"Name": name, "env": env, "team": team}
	if o.Hostile && r == 0 && v == 0 {
		for i, h := range HostileValues {
			tags[fmt.Sprintf("hostile%d", i)] = h
		}
		tags["Name"] = HostileValues[0]
		name = HostileValues[0]
	}
	exposed := roll("igw", a, r, v) < 35
	ev := finding.Evidence{OwnerID: acct, IsDefault: ptr(v == 0), InternetExposed: &exposed,
		NetworkInterfaces: ptr(roll("eni", a, r, v)), Tags: tags}
	base := func(check string) finding.Finding {
		f := finding.Finding{AccountID: acct, Region: region, ResourceType: finding.ResourceVPC, ResourceID: id,
			ResourceName: name, CheckID: check, Evidence: ev}
		for _, c := range Checks() {
			if c.ID == check {
				f.Title, f.Severity, f.Controls = c.Title, c.Severity, c.Controls
			}
		}
		return f
	}
	en := base(CheckEnabled)
	fl := finding.FlowLogEvidence{ID: "fl-" + id[4:], ResourceID: id, Status: "ACTIVE", TrafficType: "REJECT",
		DestinationType: "cloud-watch-logs", Destination: "arn:aws:logs:" + region + ":" + acct + ":log-group:/aws/vpc-flow-logs/" + id,
		DeliverLogsStatus: "SUCCESS"}
	if roll("dest", a, r, v) < 30 {
		fl.DestinationType, fl.Destination = "s3", "arn:aws:s3:::flowlogs-"+acct+"-"+region
	}
	// Shared VPCs are evaluated in their owner account: SKIPPED, and out of the retention check's scope.
	if roll("shared", a, r, v) < 3 {
		owner := AccountID((a + 1) % max(o.Accounts, 2))
		en.Evidence.OwnerID = owner
		en.Status, en.Reason = finding.StatusSkipped, finding.ReasonSharedVPC
		en.Message = "shared VPC owned by account " + owner + ": evaluated in the owner account, which alone can create its VPC-level flow log"
		return []finding.Finding{en}
	}
	failing := roll("fail", a, r, v) < failRate(a)
	var logs []finding.FlowLogEvidence
	switch k := roll("kind", a, r, v); {
	case !failing:
		logs = []finding.FlowLogEvidence{fl}
		en.Status, en.Message = finding.StatusPass, "flow log "+fl.ID+" is ACTIVE, captures REJECT traffic, delivers to "+fl.DestinationType
	case k < 50:
		en.Status, en.Reason, en.Message = finding.StatusFail, finding.ReasonNoFlowLog, "no flow log on the VPC"
	case k < 65:
		fl.DeliverLogsStatus = "FAILED"
		logs = []finding.FlowLogEvidence{fl}
		en.Status, en.Reason = finding.StatusFail, finding.ReasonDeliveryFailed
		en.Message = "flow log " + fl.ID + " cannot deliver logs (DeliverLogsStatus FAILED): Access error"
		logs[0].DeliverLogsError = "Access error"
	case k < 80:
		fl.TrafficType = "ACCEPT"
		logs = []finding.FlowLogEvidence{fl}
		en.Status, en.Reason = finding.StatusFail, finding.ReasonAcceptOnly
		en.Message = "flow log " + fl.ID + " captures ACCEPT traffic only: rejected traffic is not logged"
	case k < 90:
		sub := fl
		sub.ResourceID, sub.ID = "subnet-"+id[4:], "fl-s"+id[5:]
		en.Evidence.SubnetOrENIFlowLogs = []finding.FlowLogEvidence{sub}
		en.Status, en.Reason = finding.StatusFail, finding.ReasonSubnetOrENIOnly
		en.Message = "no VPC-level flow log, only 1 flow log on subnets or interfaces (" + sub.ResourceID + "), so new subnets and interfaces are not logged"
	default:
		fl.Status = "INACTIVE"
		logs = []finding.FlowLogEvidence{fl}
		en.Status, en.Reason = finding.StatusFail, finding.ReasonNotActive
		en.Message = "flow log " + fl.ID + " is not active (status \"INACTIVE\")"
	}
	if en.Status == finding.StatusFail && roll("exc", a, r, v) < 8 {
		en.Status = finding.StatusExcepted
		en.Evidence.Exception = &finding.ExceptionEvidence{ID: "EX-" + acct[8:], Owner: "net-team@example.com",
			Reason: "legacy VPC, decommission planned", Expires: "2027-03-31", Ticket: "SEC-" + acct[9:]}
	}
	en.Evidence.FlowLogs = logs
	out := []finding.Finding{en}
	// Only VPCs that deliver to CloudWatch Logs have a log group to keep.
	if len(logs) > 0 && logs[0].DestinationType == "cloud-watch-logs" {
		rt := base(CheckRetention)
		rt.Evidence.FlowLogs = logs
		rt.Evidence.MinRetentionDays = 365
		group := "/aws/vpc-flow-logs/" + id
		switch k := roll("retention", a, r, v); {
		case k < 60:
			rt.Evidence.LogGroups = []finding.LogGroupEvidence{{Name: group, Exists: true, RetentionDays: ptr[int32](400)}}
			rt.Status, rt.Message = finding.StatusPass, "1 log group checked: each keeps flow logs at least 365 days or never expires"
		case k < 90:
			rt.Evidence.LogGroups = []finding.LogGroupEvidence{{Name: group, Exists: true, RetentionDays: ptr[int32](30)}}
			rt.Status, rt.Reason, rt.Message = finding.StatusFail, finding.ReasonRetentionTooShort, group+" keeps 30 days; at least 365 days required"
		default:
			rt.Evidence.LogGroups = []finding.LogGroupEvidence{{Name: group}}
			rt.Status, rt.Reason, rt.Message = finding.StatusFail, finding.ReasonLogGroupMissing, "flow logs deliver to 1 missing log group: "+group
		}
		out = append(out, rt)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
