package fix

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// term makes an untrusted value (a tag, a name, an AWS error message, a flag) one inert line: the plan is what an
// operator approves, so nothing in it may repaint the terminal or forge a line.
func term(s string) string { return textsafe.Terminal(s) }

// WritePlan prints a plan for review: settings, then every API call that changes something, batch by batch,
// then what is left alone and why. Every value that is not flowguard's own text goes through textsafe.Terminal.
func WritePlan(w io.Writer, p *Plan, applying bool) {
	s := p.Settings
	switch {
	case p.Resumed:
		fmt.Fprintf(w, "flowguard fix plan: finishing run %s, account %s\n", term(p.RunID), term(p.Account))
	default:
		// The id is the run's from the plan on: the tags below carry it, and the apply line passes it on.
		fmt.Fprintf(w, "flowguard fix plan: run %s, account %s\n", term(p.RunID), term(p.Account))
	}
	dest := term(s.Destination) + " " + term(s.LogGroupTemplate)
	if s.Destination == inventory.DestinationS3 {
		dest = fmt.Sprintf("s3 %s (%s, hive partitions %v, per-hour %v)", term(s.S3BucketARN), term(s.FileFormat), s.HivePartitions, s.PerHourPartitions)
	} else {
		dest += ", retention " + human.Plural(int(s.RetentionDays), "day")
		if s.KMSKey != "" {
			dest += ", KMS " + term(s.KMSKey)
		}
	}
	format := "default format"
	if s.LogFormat != "" {
		format = "format " + term(s.LogFormat)
	}
	fmt.Fprintf(w, "  flow logs: traffic %s -> %s, %s, aggregation %ds\n", term(s.TrafficType), dest, format, s.MaxAggregationInterval)
	fmt.Fprintf(w, "  rollout: internet-exposed and production (%s) VPCs first, batch size %d", term(s.PriorityTag), s.BatchSize)
	if s.MaxBatches > 0 {
		fmt.Fprintf(w, ", at most %s", human.PluralOf(s.MaxBatches, "batch", "batches"))
	}
	fmt.Fprintln(w)
	changes := "change"
	if len(p.Steps) == 1 {
		changes = "changes"
	}
	fmt.Fprintf(w, "  %s to change in %s, %s that %s something\n", targetCount(p.Targets), human.Plural(len(p.Regions), "region"),
		human.Plural(len(p.Steps), "API call"), changes)
	fmt.Fprintf(w, "  %s\n", CountsLine(p.Counts()))
	if line := NotRemediatedLine(p.NotRemediated); line != "" {
		fmt.Fprintf(w, "  %s\n", line)
	}

	// Column widths come from every step, so that a long region (ap-southeast-2) or action keeps every batch
	// aligned; the lines under a step start under its action.
	rw, aw := 0, 0
	for _, st := range p.Steps {
		rw, aw = max(rw, human.Width(term(stepWhere(st)))), max(aw, human.Width(term(st.Action)))
	}
	under := strings.Repeat(" ", 2+rw+2)

	targets := map[string]Target{}
	for _, t := range p.Targets {
		targets[t.Region+"/"+t.VPCID] = t
	}
	cur := -1
	for _, st := range p.Steps {
		if st.Batch != cur {
			cur = st.Batch
			if cur == 0 {
				fmt.Fprintln(w, "\naccount prerequisites (before batch 1):")
			} else {
				fmt.Fprintf(w, "\nbatch %d:\n", cur)
			}
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", human.Pad(term(stepWhere(st)), rw), human.Pad(term(st.Action), aw), term(st.Resource))
		switch st.Action {
		case ActCreateFlowLogs:
			for _, v := range st.VPCs {
				tg := targets[st.Region+"/"+v]
				fmt.Fprintf(w, "%s%s%s  %s\n", under, term(v), describeTarget(tg), term(strings.Join(tg.Reasons, ",")))
			}
			f := st.FlowLog
			if f.ResourceType == inventory.ResourceTypeTransitGateway {
				// No traffic type (AWS refuses one), every Transit Gateway field: say so rather than print the format.
				fmt.Fprintf(w, "%sResourceType=TransitGateway (every flow; LogFormat: the %d Transit Gateway fields, version 6) LogDestinationType=%s",
					under, len(strings.Fields(f.LogFormat)), term(f.DestinationType))
			} else {
				fmt.Fprintf(w, "%sResourceType=VPC TrafficType=%s LogDestinationType=%s", under, term(f.TrafficType), term(f.DestinationType))
			}
			if f.RoleARN != "" {
				fmt.Fprintf(w, " DeliverLogsPermissionArn=%s", term(f.RoleARN))
			}
			if f.DestinationType == inventory.DestinationS3 {
				fmt.Fprintf(w, " FileFormat=%s HiveCompatiblePartitions=%v PerHourPartition=%v", term(f.FileFormat), f.HivePartitions, f.PerHourPartitions)
			}
			fmt.Fprintf(w, " MaxAggregationInterval=%d tags=%s\n", f.MaxAggregationInterval, formatTags(st.Tags))
		case ActCreateRole, ActUpdateAssumeRole, ActPutRolePolicy:
			fmt.Fprintf(w, "%s%s\n", under, term(st.Why))
			for _, l := range strings.Split(st.PolicyDocument, "\n") {
				fmt.Fprintf(w, "%s  %s\n", under, term(l))
			}
		case ActPutRetentionPolicy:
			fmt.Fprintf(w, "%sRetentionInDays=%d (%s)\n", under, st.RetentionDays, term(st.Why))
		case ActCreateLogGroup:
			extra := ""
			if st.KMSKey != "" {
				extra = " KmsKeyId=" + term(st.KMSKey)
			}
			fmt.Fprintf(w, "%stags=%s%s\n", under, formatTags(st.Tags), extra)
		}
	}
	if len(p.Done) > 0 {
		fmt.Fprintf(w, "\nalready done by this run (found by its tag, recorded in the journal):\n")
		t := &human.Table{Indent: "  "}
		for _, d := range p.Done {
			t.Row(d.Region, d.VPCID, "flow log "+d.FlowLogID)
		}
		io.WriteString(w, t.String())
	}
	if len(p.Deferred) > 0 {
		fmt.Fprintf(w, "\ndeferred beyond --max-batches %d (%s): run fix again after this run\n", s.MaxBatches, human.Plural(len(p.Deferred), "VPC"))
		t := &human.Table{Indent: "  "}
		for _, tg := range p.Deferred {
			t.Row(tg.Region, tg.VPCID+describeTarget(tg), fmt.Sprintf("(batch %d)", tg.Batch))
		}
		io.WriteString(w, t.String())
	}
	if len(p.Diagnoses) > 0 {
		fmt.Fprintf(w, "\nflow logs whose delivery FAILED:\n")
		dw := 0
		for _, d := range p.Diagnoses {
			dw = max(dw, human.Width(term(d.Region)))
		}
		for _, d := range p.Diagnoses {
			id := d.FlowLogID
			if id == "" {
				id = "-"
			}
			fmt.Fprintf(w, "  %s  %s %s: %s\n  %s  proposal: %s\n", human.Pad(term(d.Region), dw), term(d.VPCID), term(id), term(d.Cause),
				strings.Repeat(" ", dw), term(d.Proposal))
		}
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintf(w, "\nleft alone (%s):\n", human.Plural(len(p.Skipped), "VPC"))
		t := &human.Table{Indent: "  "}
		for _, k := range p.Skipped {
			t.Row(k.AccountID, k.Region, k.VPCID, k.Reason)
		}
		io.WriteString(w, t.String())
	}
	if len(p.Passing) > 0 {
		fmt.Fprintf(w, "\nalready passing (%s):\n", human.Plural(len(p.Passing), "VPC"))
		t := &human.Table{Indent: "  "}
		for _, k := range p.Passing {
			t.Row(k.AccountID, k.Region, k.VPCID, k.Reason)
		}
		io.WriteString(w, t.String())
	}
	if len(p.Notes) > 0 {
		fmt.Fprintf(w, "\nnotes:\n")
		for _, n := range p.Notes {
			fmt.Fprintf(w, "  - %s\n", term(n))
		}
	}
	if !applying {
		if p.Resumed {
			fmt.Fprintf(w, "\nNothing was changed. Apply with: flowguard fix --apply --run %s\n", term(p.RunID))
		} else {
			fmt.Fprintf(w, "\nNothing was changed. Apply this plan's run with: flowguard fix --apply --run %s (same flags)\n", term(p.RunID))
		}
	}
}

// CountsLine says how a plan's VPCs divide; the parts add up to the total.
func CountsLine(c Counts) string {
	line := fmt.Sprintf("%s in the plan: %s to change, %s deferred, %s left alone, %s already passing",
		human.Plural(c.Total, "VPC"), human.Count(c.ToChange), human.Count(c.Deferred), human.Count(c.LeftAlone), human.Count(c.Passing))
	if c.Done > 0 {
		line += ", " + human.Count(c.Done) + " already done by this run"
	}
	return line
}

// NotRemediatedLine says how many findings of checks fix does not remediate are left alone, and of which
// checks; empty when there are none.
func NotRemediatedLine(cs []CheckFindings) string {
	n, ids := 0, make([]string, 0, len(cs))
	for _, c := range cs {
		n += c.Findings
		ids = append(ids, term(c.CheckID))
	}
	if n == 0 {
		return ""
	}
	checks := "checks"
	if len(ids) == 1 {
		checks = "a check"
	}
	return fmt.Sprintf("%s of %s fix does not remediate (%s) left alone: fix changes only what %s and %s find",
		human.Plural(n, "FAIL finding"), checks, strings.Join(ids, ", "), CheckEnabled, CheckRetention)
}

// stepWhere is a step's region, or "global" for the account-wide ones (IAM).
func stepWhere(st Step) string {
	if st.Region == "" {
		return "global"
	}
	return st.Region
}

// targetCount says how many VPCs (and Transit Gateways, when there are some) a plan changes.
func targetCount(ts []Target) string {
	tgws := 0
	for _, t := range ts {
		if t.IsTransitGateway() {
			tgws++
		}
	}
	if tgws == 0 {
		return human.Plural(len(ts), "VPC")
	}
	return human.Plural(len(ts)-tgws, "VPC") + " and " + human.Plural(tgws, "Transit Gateway")
}

func describeTarget(tg Target) string {
	var parts []string
	if tg.IsTransitGateway() {
		parts = append(parts, "Transit Gateway")
	}
	if tg.Name != "" {
		parts = append(parts, term(tg.Name))
	}
	if tg.InternetExposed {
		parts = append(parts, "internet-exposed")
	}
	if tg.Production {
		parts = append(parts, "production")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func formatTags(m map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, term(k)+"="+term(m[k]))
	}
	return strings.Join(parts, ",")
}

// WriteOutcome prints what an apply did, per VPC.
func WriteOutcome(w io.Writer, o *Outcome) {
	counts := map[string]int{}
	for _, v := range o.VPCs {
		counts[v.Status]++
	}
	fmt.Fprintf(w, "\nrun %s: %s — %d created, %d already done, %d failed, %d not attempted, %d deferred\n", term(o.RunID), term(o.Headline()),
		counts[OutcomeCreated], counts[OutcomeAlreadyDone], counts[OutcomeFailed], counts[OutcomeNotAttempted], o.Deferred)
	t := &human.Table{Indent: "  "}
	for _, v := range o.VPCs {
		switch v.Status {
		case OutcomeFailed, OutcomeNotAttempted:
			t.Row(v.Region, v.VPCID, v.Status, v.Error)
		}
	}
	io.WriteString(w, t.String())
	for _, e := range o.Errors {
		fmt.Fprintf(w, "  error: %s\n", term(fmt.Sprint(e)))
	}
	if o.JournalPath != "" {
		fmt.Fprintf(w, "journal: %s\n", term(o.JournalPath))
		switch o.Status {
		case journal.StatusComplete:
			fmt.Fprintf(w, "check it: flowguard verify --run %s    undo it: flowguard rollback --run %s\n", term(o.RunID), term(o.RunID))
		case journal.StatusPartial:
			fmt.Fprintf(w, "check it: flowguard verify --run %s    undo it: flowguard rollback --run %s\n", term(o.RunID), term(o.RunID))
			fmt.Fprintf(w, "the %s deferred beyond --max-batches: run fix --apply again to change them\n", human.Plural(o.Deferred, "VPC"))
		default:
			fmt.Fprintf(w, "finish it: flowguard fix --apply --run %s    undo it: flowguard rollback --run %s\n", term(o.RunID), term(o.RunID))
		}
	}
}

// VerifyTableOptions tune WriteVerify.
type VerifyTableOptions struct {
	// Color allows ANSI colour (a terminal only).
	Color bool
	// Statuses keeps only the VPCs in one of these statuses (FAIL, ERROR, PASS…, upper case); empty keeps all.
	// The counts line still counts every VPC.
	Statuses []string
}

// WriteVerify prints a run's verification for people: the counts, then one row per VPC, failures and errors
// first, with column widths computed from the rows (a long region keeps the columns aligned) and colour added
// after padding.
func WriteVerify(w io.Writer, v *VerifyResult, o VerifyTableOptions) {
	total := len(v.VPCs)
	gone := ""
	if v.Gone > 0 {
		gone = fmt.Sprintf(", %s no longer exist", human.Count(v.Gone))
	}
	fmt.Fprintf(w, "run %s: %s of %s pass, %s fail, %s could not be read%s\n", term(v.RunID), human.Count(v.Pass), human.Plural(total, "VPC"),
		human.Count(v.Fail), human.Count(v.Error), gone)
	keep := map[finding.Status]bool{}
	for _, s := range o.Statuses {
		keep[finding.Status(strings.ToUpper(strings.TrimSpace(s)))] = true
	}
	rank := func(s finding.Status) int {
		for i, st := range finding.Statuses {
			if st == s {
				return i
			}
		}
		return len(finding.Statuses)
	}
	rows := make([]VPCVerdict, 0, len(v.VPCs))
	for _, x := range v.VPCs {
		if len(keep) == 0 || keep[x.Status] {
			rows = append(rows, x)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rank(rows[i].Status) < rank(rows[j].Status) })
	if len(rows) == 0 {
		if total > 0 {
			fmt.Fprintf(w, "no VPC of the run is %s\n", strings.Join(o.Statuses, " or "))
		}
		return
	}
	t := &human.Table{Color: o.Color}
	waited := v.Wait != nil
	if waited {
		t.Header("STATUS", "REGION", "VPC", "REASON", "RUN'S FLOW LOG DELIVERY", "NEWEST RECORD")
	} else {
		t.Header("STATUS", "REGION", "VPC", "REASON", "RUN'S FLOW LOG DELIVERY")
	}
	for _, x := range rows {
		if waited {
			rec := "-"
			if d := x.Delivering; d != nil && d.LagSeconds != nil {
				rec = (time.Duration(*d.LagSeconds) * time.Second).String() + " ago"
			}
			d, reason := x.Delivery, x.Reason
			if d == "" {
				d = "-"
			}
			if reason == "" {
				reason = "-"
			}
			t.AddCells(human.Cell{Text: string(x.Status), Color: human.StatusColor(string(x.Status))}, human.Cell{Text: x.Region}, human.Cell{Text: x.VPCID},
				human.Cell{Text: reason}, human.Cell{Text: d}, human.Cell{Text: rec})
			continue
		}
		d := x.Delivery
		if d == "" {
			d = "-"
		}
		reason := x.Reason
		if reason == "" {
			reason = "-"
		}
		t.AddCells(human.Cell{Text: string(x.Status), Color: human.StatusColor(string(x.Status))}, human.Cell{Text: x.Region}, human.Cell{Text: x.VPCID},
			human.Cell{Text: reason}, human.Cell{Text: d})
	}
	io.WriteString(w, t.String())
}
