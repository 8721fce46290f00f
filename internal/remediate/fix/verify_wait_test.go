package fix

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/logs/layout"
)

// verify --wait polls until the fixed VPCs' records arrive: here one VPC's first object lands in the bucket
// after the first round (moto delivers nothing, so the test writes it where AWS would), the other's never
// does. The first VPC passes in a later round; the second is named as not delivering when the wait ends.
func TestVerifyWaitSeesRecordsArrive(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	early := e.mkVPC(t, region, "10.6.0.0/16", nil, false)
	never := e.mkVPC(t, region, "10.7.0.0/16", nil, false)
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	s := DefaultSettings()
	s.Destination = "s3"
	bucket := "wait-" + e.acct.ID
	e.s3Bucket(t, bucket)
	s.S3BucketARN = "arn:aws:s3:::" + bucket
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: s, JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	flowLog := ""
	for _, f := range e.flowLogsByVPC(t, region)[early] {
		flowLog = f.ID
	}
	if flowLog == "" {
		t.Fatal("the run made no flow log on the first VPC")
	}

	s3c := s3.NewFromConfig(e.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	var sleeps, rounds atomic.Int32
	var waiting []int
	vr, err := VerifyWait(ctx, e.cfg, e.dir, pr.Plan.RunID, WaitOptions{Wait: 4 * time.Second, Poll: time.Second,
		Progress: func(round, w, total int, left time.Duration) {
			rounds.Store(int32(round))
			waiting = append(waiting, w)
		},
		Sleep: func(ctx context.Context, d time.Duration) error {
			if sleeps.Add(1) == 1 {
				// Delivery appears after the first round.
				key := layout.Key("", e.acct.ID, region, flowLog, time.Now().Add(-time.Minute), "feedc0de", layout.Options{})
				if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
					Body: strings.NewReader("version\n")}); err != nil {
					return err
				}
			}
			time.Sleep(d)
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	// The run also fixed the account's default VPC, whose records never arrive either.
	if len(waiting) < 2 || waiting[0] != 3 || waiting[1] != 2 || waiting[len(waiting)-1] != 2 {
		t.Errorf("VPCs waited for, per round = %v; want 3, then 2 until the end", waiting)
	}
	if v := verdictOf(vr, early); v == nil || v.Status != finding.StatusPass || v.Delivering == nil || v.Delivering.LagSeconds == nil {
		t.Errorf("early VPC: %+v", v)
	}
	v := verdictOf(vr, never)
	if v == nil || v.Status != finding.StatusFail || v.Delivering == nil || v.Delivering.Status == finding.StatusPass {
		t.Errorf("never VPC: %+v", v)
	}
	if vr.Wait == nil || len(vr.Wait.NotDelivering) != 2 || !strings.Contains(strings.Join(vr.Wait.NotDelivering, " "), region+"/"+never) ||
		strings.Contains(strings.Join(vr.Wait.NotDelivering, " "), early) || vr.Wait.Rounds != int(rounds.Load()) {
		t.Errorf("wait summary = %+v", vr.Wait)
	}
	if vr.Pass != 1 || vr.Fail != 2 || vr.Overall() != finding.OutcomeFail {
		t.Errorf("counts pass %d fail %d, overall %v", vr.Pass, vr.Fail, vr.Overall())
	}
	// Without --wait, verify reads no destination.
	e.proxy.Reset()
	if _, err := Verify(ctx, e.cfg, e.dir, pr.Plan.RunID, 0); err != nil {
		t.Fatal(err)
	}
	if n := e.proxy.Calls()["s3:ListObjectsV2"]; n != 0 {
		t.Errorf("verify without --wait listed the bucket %d times", n)
	}
}

// Interrupted while waiting (Ctrl-C): the last round is the result, marked incomplete.
func TestVerifyWaitInterrupted(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	const region = "us-east-1"
	e.mkVPC(t, region, "10.8.0.0/16", nil, false)
	res := miniScan(t, ctx, e.cfg, e.acct.ID, region)
	pr, err := Prepare(ctx, e.cfg, PrepareOptions{Findings: fromResult(res), Settings: DefaultSettings(), JournalDir: e.dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Execute(ctx, e.cfg, pr, e.dir, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	vr, err := VerifyWait(ctx, e.cfg, e.dir, pr.Plan.RunID, WaitOptions{Wait: time.Hour,
		Sleep: func(context.Context, time.Duration) error { return context.Canceled }})
	if err != nil || vr.Wait == nil || !vr.Wait.Interrupted || vr.Wait.Rounds != 1 || len(vr.Wait.NotDelivering) == 0 ||
		vr.Overall() != finding.OutcomeIncomplete {
		t.Fatalf("interrupted wait: %v %+v", err, vr)
	}
}
