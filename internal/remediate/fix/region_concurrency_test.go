package fix

import (
	"fmt"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/remediate/fix/journal"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
)

// RegionConcurrency: the log groups of one region are prepared several at a time, each group's own steps in
// order, and every log group is ready before the first CreateFlowLogs; every VPC gets its one flow log.
func TestApplyRegionConcurrency(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	var vpcs []string
	for i := range 6 {
		vpcs = append(vpcs, e.mkVPC(t, region, fmt.Sprintf("10.%d.0.0/16", 60+i), nil, false))
	}
	before := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(before), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	// Latency makes steps that run at once overlap in the journal.
	e.proxy.SetOptions(faultproxy.Options{Latency: 50 * time.Millisecond})
	out, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{RegionConcurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != journal.StatusComplete {
		t.Fatalf("status %s: %v", out.Status, out.Errors)
	}
	fls := e.flowLogsByVPC(t, region)
	for _, v := range vpcs {
		if len(fls[v]) != 1 {
			t.Errorf("%s has %d flow logs, want 1", v, len(fls[v]))
		}
	}
	_, recs, err := LoadRun(e.dir, out.RunID)
	if err != nil {
		t.Fatal(err)
	}
	open, maxOpen := 0, 0
	created := map[string]bool{} // log groups whose CreateLogGroup ended
	lastGroupEnd, firstFlowBegin := 0, 0
	for _, r := range recs {
		group := r.Action == ActCreateLogGroup || r.Action == ActPutRetentionPolicy
		switch {
		case group && r.Type == journal.TypeBegin:
			open++
			maxOpen = max(maxOpen, open)
			if r.Action == ActPutRetentionPolicy && !created[r.Resource] {
				t.Errorf("PutRetentionPolicy on %s began before its CreateLogGroup ended", r.Resource)
			}
		case group && r.Type == journal.TypeEnd:
			open--
			lastGroupEnd = r.Seq
			if r.Action == ActCreateLogGroup {
				created[r.Resource] = true
			}
		case r.Action == ActCreateFlowLogs && r.Type == journal.TypeBegin && firstFlowBegin == 0:
			firstFlowBegin = r.Seq
		}
	}
	if firstFlowBegin == 0 || firstFlowBegin < lastGroupEnd {
		t.Errorf("a CreateFlowLogs began (record %d) before the last log-group step ended (record %d)", firstFlowBegin, lastGroupEnd)
	}
	if maxOpen < 2 {
		t.Errorf("log-group steps ran one at a time (at most %d open at once), want several", maxOpen)
	}
	if maxOpen > 4 {
		t.Errorf("%d log-group steps open at once, more than RegionConcurrency 4", maxOpen)
	}
}
