package fix

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/sync/errgroup"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
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
}

// VerifyResult is the re-check of a run's VPCs.
type VerifyResult struct {
	RunID string       `json:"run_id"`
	VPCs  []VPCVerdict `json:"vpcs"`
	Pass  int          `json:"pass"`
	Fail  int          `json:"fail"`
	Error int          `json:"error"`
	// Warnings say what was wrong with the run's journal (a torn final record, suspect records).
	Warnings []string `json:"warnings,omitempty"`
}

// Overall follows the scan's: OK all pass, a failure when some fail, incomplete when some could not be read.
func (v *VerifyResult) Overall() finding.Outcome {
	switch {
	case v.Error > 0:
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

// Verify re-reads the flow logs of every VPC run id touched (one filtered DescribeFlowLogs pass per region) and
// applies the control to each: an ACTIVE flow log on the VPC, REJECT or ALL, whose delivery has not FAILED.
func Verify(ctx context.Context, cfg aws.Config, dir, id string, concurrency int) (*VerifyResult, error) {
	if concurrency <= 0 {
		concurrency = DefaultConcurrency
	}
	info, contents, err := loadRun(dir, id)
	if err != nil {
		return nil, err
	}
	sc := scopeOf(contents.Records)
	cl := newClients(cfg)
	res := &VerifyResult{RunID: id, Warnings: contents.Warnings()}
	var verdicts []VPCVerdict
	type regionOut struct {
		v []VPCVerdict
	}
	outs := make([]regionOut, len(sc.regionNames))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(concurrency)
	for i, region := range sc.regionNames {
		vpcs := sortedKeys(sc.vpcs[region])
		if len(vpcs) == 0 {
			continue
		}
		g.Go(func() error {
			var fls []inventory.FlowLog
			var rerr error
			for k := 0; k < len(vpcs) && rerr == nil; k += 200 {
				chunk := vpcs[k:min(k+200, len(vpcs))]
				part, err := describeFlowLogs(gctx, cl.EC2(region), nil, []ec2types.Filter{{Name: aws.String("resource-id"), Values: chunk}})
				rerr = err
				fls = append(fls, part...)
			}
			for _, v := range vpcs {
				vd := VPCVerdict{AccountID: info.Account, Region: region, VPCID: v}
				if rerr != nil {
					vd.Status, vd.Reason = finding.StatusError, fmt.Sprintf("%s: %s", finding.ReasonReadFailed, apiMessage(rerr))
					outs[i].v = append(outs[i].v, vd)
					continue
				}
				var on []inventory.FlowLog
				for _, f := range fls {
					if f.ResourceID == v {
						on = append(on, f)
					}
				}
				vd.Status, vd.Reason = judge(on)
				for _, f := range on {
					st := FlowLogState{ID: f.ID, Status: f.Status, TrafficType: f.TrafficType, DestinationType: f.DestinationType,
						Destination: firstNonEmpty(f.LogGroupName, f.Destination), DeliverLogsStatus: f.DeliverLogsStatus,
						DeliverLogsError: f.DeliverLogsError, ByRun: f.Tags[TagRunID] == id}
					if st.ByRun {
						vd.Delivery = f.DeliverLogsStatus
					}
					vd.FlowLogs = append(vd.FlowLogs, st)
				}
				outs[i].v = append(outs[i].v, vd)
			}
			return nil
		})
	}
	g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, o := range outs {
		verdicts = append(verdicts, o.v...)
	}
	sort.SliceStable(verdicts, func(i, k int) bool {
		if verdicts[i].Region != verdicts[k].Region {
			return verdicts[i].Region < verdicts[k].Region
		}
		return verdicts[i].VPCID < verdicts[k].VPCID
	})
	res.VPCs = verdicts
	for _, v := range verdicts {
		switch v.Status {
		case finding.StatusPass:
			res.Pass++
		case finding.StatusFail:
			res.Fail++
		default:
			res.Error++
		}
	}
	return res, nil
}

// judge applies the control to the flow logs on one VPC and gives the FAIL reason.
func judge(on []inventory.FlowLog) (finding.Status, string) {
	if len(on) == 0 {
		return finding.StatusFail, finding.ReasonNoFlowLog
	}
	var active, rejectOrAll bool
	for _, f := range on {
		if passes(f) {
			return finding.StatusPass, ""
		}
		if f.Status == inventory.FlowLogStatusActive {
			active = true
			if f.TrafficType != inventory.TrafficAccept {
				rejectOrAll = true
			}
		}
	}
	switch {
	case !active:
		return finding.StatusFail, finding.ReasonNotActive
	case !rejectOrAll:
		return finding.StatusFail, finding.ReasonAcceptOnly
	}
	return finding.StatusFail, finding.ReasonDeliveryFailed
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
