package fix

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// FlowLogState is one flow log of a verified VPC.
type FlowLogState struct {
	ID                string `json:"id"`
	Status            string `json:"status"`
	TrafficType       string `json:"traffic_type"`
	DestinationType   string `json:"destination_type"`
	Destination       string `json:"destination"`
	DeliverLogsStatus string `json:"deliver_logs_status,omitempty"`
	DeliverLogsError  string `json:"deliver_logs_error,omitempty"`
	// ByRun is true for the flow log this run created.
	ByRun bool `json:"by_run"`
}

// VPCVerdict says whether the control passes now for one VPC a run touched.
type VPCVerdict struct {
	AccountID string         `json:"account_id"`
	Region    string         `json:"region"`
	VPCID     string         `json:"vpc_id"`
	Status    finding.Status `json:"status"`
	Reason    string         `json:"reason,omitempty"`
	// Delivery is the delivery status of the run's flow log (SUCCESS, FAILED, or "" when AWS has not said yet).
	Delivery string         `json:"delivery,omitempty"`
	FlowLogs []FlowLogState `json:"flow_logs"`
	// Delivering is the verdict of vpc-flow-logs-delivering on the VPC (verify --wait only).
	Delivering *DeliveringVerdict `json:"delivering,omitempty"`
}

// VerifyResult is the re-check of a run's VPCs.
type VerifyResult struct {
	RunID string       `json:"run_id"`
	VPCs  []VPCVerdict `json:"vpcs"`
	Pass  int          `json:"pass"`
	Fail  int          `json:"fail"`
	Error int          `json:"error"`
	// Gone counts the run's VPCs that no longer exist (SKIPPED, VPC_NOT_FOUND): neither a pass nor a failure.
	Gone int `json:"gone,omitempty"`
	// Warnings say what was wrong with the run's journal (a torn final record, suspect records).
	Warnings []string `json:"warnings,omitempty"`
	// Wait says how verify --wait went: how long it polled and which VPCs did not show delivered records.
	Wait *WaitSummary `json:"wait,omitempty"`
}

// Overall follows the scan's: OK all pass, a failure when some fail, incomplete when some could not be read.
func (v *VerifyResult) Overall() finding.Outcome {
	switch {
	case v.Error > 0, v.Wait != nil && v.Wait.Interrupted:
		return finding.OutcomeIncomplete
	case v.Fail > 0:
		return finding.OutcomeFail
	}
	return finding.OutcomeOK
}

// LatestRun returns the newest run in dir that applied something, or "".
func LatestRun(dir string) (string, error) {
	runs, err := journal.List(dir)
	if err != nil {
		return "", err
	}
	for _, r := range runs {
		if r.LastCommand == "fix" || r.FlowLogsCreated > 0 {
			return r.ID, nil
		}
	}
	return "", nil
}

// Verify re-reads the run's regions as scan does and evaluates every VPC the run touched with scan's own
// built-in check (engine.Evaluate over the live account restricted to the run's regions): the verdict and the
// reason are scan's (SUBNET_OR_ENI_ONLY, DELIVERY_FAILED, ...). Beside it, the delivery status of the run's flow
// log.
func Verify(ctx context.Context, cfg aws.Config, dir, id string, concurrency int) (*VerifyResult, error) {
	return VerifyWait(ctx, cfg, dir, id, WaitOptions{Concurrency: concurrency})
}

// verifyRound re-reads the run's regions once and judges its VPCs; with delivery, also with the check
// vpc-flow-logs-delivering (whose verdict goes to VPCVerdict.Delivering).
func verifyRound(ctx context.Context, cfg aws.Config, info RunInfo, sc runScope, regions []string, id string, o WaitOptions) (*VerifyResult, error) {
	res := &VerifyResult{RunID: id}
	eo := engine.Options{}
	collect := awsapi.Options{Regions: regions, Concurrency: o.Concurrency}
	if o.Wait > 0 {
		cs, err := checks.Select(engine.Builtin(), []string{CheckEnabled, engine.CheckDelivering})
		if err != nil {
			return nil, err
		}
		eo.Checks, eo.MaxDeliveryLag = cs, o.MaxDeliveryLag
		collect.Delivery = awsapi.DeliveryOptions{Enabled: true, Now: o.Now}
		if o.MaxDeliveryLag > 0 {
			collect.Delivery.Window = max(inventory.DeliveryWindow, 2*o.MaxDeliveryLag)
		}
	}
	snap := awsapi.Account(ctx, cfg, collect)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	scan, _, err := engine.Evaluate(ctx, source.Static(snap, "AWS account "+info.Account), eo)
	if err != nil {
		return nil, err
	}
	type key struct{ region, vpc string }
	found := map[key]finding.Finding{}
	delivering := map[key]finding.Finding{}
	for _, f := range scan.Findings {
		switch f.CheckID {
		case CheckEnabled, CheckTGWEnabled:
			found[key{f.Region, f.ResourceID}] = f
		case engine.CheckDelivering:
			delivering[key{f.Region, f.ResourceID}] = f
		}
	}
	// A region (or the account) that could not be read: its VPCs are ERROR, never judged on a partial read.
	readErr := map[string]string{}
	for _, e := range scan.Errors {
		msg := e.Operation + ": " + e.Message
		if e.Region == "" {
			for _, r := range regions {
				if readErr[r] == "" {
					readErr[r] = msg
				}
			}
		} else if readErr[e.Region] == "" {
			readErr[e.Region] = msg
		}
	}
	flowLogs := map[key][]inventory.FlowLog{}
	for _, r := range snap.Regions {
		for _, f := range r.FlowLogs {
			flowLogs[key{r.Name, f.ResourceID}] = append(flowLogs[key{r.Name, f.ResourceID}], f)
		}
	}
	var verdicts []VPCVerdict
	for _, region := range regions {
		for _, v := range sortedKeys(sc.vpcs[region]) {
			vd := VPCVerdict{AccountID: info.Account, Region: region, VPCID: v}
			f, ok := found[key{region, v}]
			switch {
			case ok && f.Status == finding.StatusError:
				vd.Status, vd.Reason = f.Status, f.Reason+": "+f.Message
			case ok:
				vd.Status, vd.Reason = f.Status, f.Reason
			case readErr[region] != "":
				vd.Status, vd.Reason = finding.StatusError, finding.ReasonReadFailed+": "+readErr[region]
			default:
				vd.Status, vd.Reason = finding.StatusSkipped, ReasonVPCGone
			}
			if o.Wait > 0 && vd.Status == finding.StatusPass {
				// With --wait, the VPC passes only with its records delivered; otherwise the delivery check's
				// reason is the VPC's (NEVER_DELIVERED, AWAITING_FIRST_DELIVERY, STALE, …).
				df, seen := delivering[key{region, v}]
				vd.Delivering = deliveringVerdict(df, seen)
				if st := vd.Delivering.Outcome(); st != finding.StatusPass {
					vd.Status, vd.Reason = st, vd.Delivering.Reason
				}
			}
			for _, f := range flowLogs[key{region, v}] {
				st := FlowLogState{ID: f.ID, Status: f.Status, TrafficType: f.TrafficType, DestinationType: f.DestinationType,
					Destination: firstNonEmpty(f.LogGroupName, f.Destination), DeliverLogsStatus: f.DeliverLogsStatus,
					DeliverLogsError: f.DeliverLogsError, ByRun: f.Tags[TagRunID] == id}
				if st.ByRun {
					vd.Delivery = f.DeliverLogsStatus
				}
				vd.FlowLogs = append(vd.FlowLogs, st)
			}
			verdicts = append(verdicts, vd)
		}
	}
	res.VPCs = verdicts
	res.count()
	return res, nil
}

// count tallies the verdicts (with --wait, a VPC whose records did not arrive is already a FAIL or ERROR).
func (res *VerifyResult) count() {
	res.Pass, res.Fail, res.Error, res.Gone = 0, 0, 0, 0
	for _, v := range res.VPCs {
		switch v.Status {
		case finding.StatusPass:
			res.Pass++
		case finding.StatusFail:
			res.Fail++
		case finding.StatusSkipped:
			res.Gone++
		default:
			res.Error++
		}
	}
}

// ReasonVPCGone is verify's reason for a VPC of the run that the account no longer has: there is nothing to
// check (scan has no finding for it either).
const ReasonVPCGone = "VPC_NOT_FOUND"

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
