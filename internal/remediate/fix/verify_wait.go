package fix

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/finding"
)

// WaitOptions tune Verify: with Wait, verify polls until every VPC of the run shows delivered records
// (vpc-flow-logs-delivering PASS) or Wait expires.
type WaitOptions struct {
	Concurrency int
	// Wait is how long to poll for delivered records; 0 verifies once, without reading the destinations.
	Wait time.Duration
	// MaxDeliveryLag is the check's maxDeliveryLagSeconds (0: its default).
	MaxDeliveryLag time.Duration
	// Poll is the time between two rounds (default: Wait/20, between 5 s and 30 s).
	Poll time.Duration
	// Progress, when set, is told after each round how many VPCs still wait and how long is left.
	Progress func(round, waiting, total int, left time.Duration)
	// Now and Sleep are the clock (tests fix them).
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// DeliveringVerdict is vpc-flow-logs-delivering's verdict on a VPC of the run.
type DeliveringVerdict struct {
	Status       finding.Status `json:"status"`
	Reason       string         `json:"reason,omitempty"`
	Message      string         `json:"message,omitempty"`
	NewestRecord *time.Time     `json:"newest_record,omitempty"`
	LagSeconds   *int64         `json:"lag_seconds,omitempty"`
}

// Outcome is what the verdict makes of a VPC whose control passes: PASS when records arrive, ERROR when the
// destination could not be read, FAIL otherwise (nothing yet, stale, silent interfaces).
func (d *DeliveringVerdict) Outcome() finding.Status {
	switch d.Status {
	case finding.StatusPass, finding.StatusError:
		return d.Status
	}
	return finding.StatusFail
}

// WaitSummary is how verify --wait went.
type WaitSummary struct {
	WaitSeconds    int64 `json:"wait_seconds"`
	ElapsedSeconds int64 `json:"elapsed_seconds"`
	Rounds         int   `json:"rounds"`
	// NotDelivering lists the VPCs ("region/vpc-id") without delivered records when the wait ended.
	NotDelivering []string `json:"not_delivering,omitempty"`
	// Interrupted is set when the wait was cut short (Ctrl-C): the result is the last round's.
	Interrupted bool `json:"interrupted,omitempty"`
}

func deliveringVerdict(f finding.Finding, found bool) *DeliveringVerdict {
	if !found || f.CheckID == "" {
		return &DeliveringVerdict{Status: finding.StatusError, Reason: finding.ReasonReadFailed,
			Message: "vpc-flow-logs-delivering has no verdict on this VPC (no ACTIVE flow log, or not read)"}
	}
	d := &DeliveringVerdict{Status: f.Status, Reason: f.Reason, Message: f.Message}
	if ev := f.Evidence.Delivery; ev != nil {
		d.NewestRecord, d.LagSeconds = ev.NewestRecord, ev.LagSeconds
	}
	return d
}

// VerifyWait is Verify, and with o.Wait, polling: each round re-reads the run's regions and the destinations of
// their flow logs, until every VPC whose control passes shows delivered records or the wait is over. The
// result is the last round's; a VPC passes only with its records delivered.
func VerifyWait(ctx context.Context, cfg aws.Config, dir, id string, o WaitOptions) (*VerifyResult, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.Poll <= 0 {
		o.Poll = min(max(o.Wait/20, 5*time.Second), 30*time.Second)
	}
	info, contents, err := loadRun(dir, id)
	if err != nil {
		return nil, err
	}
	sc := scopeOf(contents.Records)
	var regions []string
	for _, r := range sc.regionNames {
		if len(sc.vpcs[r]) > 0 {
			regions = append(regions, r)
		}
	}
	if len(regions) == 0 {
		return &VerifyResult{RunID: id, Warnings: contents.Warnings()}, nil
	}
	start := o.Now()
	deadline := start.Add(o.Wait)
	for round := 1; ; round++ {
		res, err := verifyRound(ctx, cfg, info, sc, regions, id, o)
		if err != nil {
			return nil, err
		}
		res.Warnings = contents.Warnings()
		if o.Wait <= 0 {
			return res, nil
		}
		waiting := waitingFor(res)
		now := o.Now()
		if o.Progress != nil {
			o.Progress(round, len(waiting), len(res.VPCs), max(deadline.Sub(now), 0))
		}
		if len(waiting) == 0 || !now.Add(o.Poll).Before(deadline.Add(o.Poll/2)) {
			res.Wait = &WaitSummary{WaitSeconds: int64(o.Wait / time.Second), ElapsedSeconds: int64(now.Sub(start) / time.Second),
				Rounds: round, NotDelivering: waiting}
			return res, nil
		}
		if err := o.Sleep(ctx, min(o.Poll, deadline.Sub(now))); err != nil {
			// Interrupted: what the last round saw is still worth reporting, marked incomplete.
			res.Wait = &WaitSummary{WaitSeconds: int64(o.Wait / time.Second), ElapsedSeconds: int64(o.Now().Sub(start) / time.Second),
				Rounds: round, NotDelivering: waiting, Interrupted: true}
			return res, nil
		}
	}
}

// waitingFor lists the VPCs whose control passes but whose records have not been seen arriving. VPCs that
// fail the control or are gone are not waited for: no delivery can fix them.
func waitingFor(res *VerifyResult) []string {
	var out []string
	for _, v := range res.VPCs {
		if v.Delivering != nil && v.Delivering.Status != finding.StatusPass {
			out = append(out, v.Region+"/"+v.VPCID)
		}
	}
	return out
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
