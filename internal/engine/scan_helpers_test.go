package engine_test

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/awsapi"
)

// scanOptions are what a live scan test varies: the reader's options, the evaluation's, and the clock.
type scanOptions struct {
	Collect  awsapi.Options
	Evaluate engine.Options
	Now      func() time.Time
}

func (o scanOptions) engine() engine.Options {
	e := o.Evaluate
	if e.Now == nil {
		e.Now = o.Now
	}
	return e
}

// scanLive scans the account of cfg's credentials through source.FromOptions and engine.Evaluate, as the
// scan command does.
func scanLive(ctx context.Context, cfg aws.Config, o scanOptions) (*finding.Result, *inventory.Snapshot) {
	conc := o.Collect.Concurrency
	if conc == 0 {
		conc = awsapi.DefaultConcurrency
	}
	src, err := source.FromOptions(source.Options{Regions: o.Collect.Regions, Concurrency: conc, Now: o.Now, Delivery: o.Collect.Delivery, Network: o.Collect.Network,
		AWSConfig: func(context.Context) (aws.Config, error) { return cfg, nil }})
	if err != nil {
		panic(err)
	}
	res, snap, err := engine.Evaluate(ctx, src, o.engine())
	if err != nil {
		panic(err) // a live source with a config only fails when the config cannot be had
	}
	return res, snap
}

// targets is a Source of accounts already entered (the tests enter them themselves), with the accounts that
// could not be entered.
type targets struct {
	targets    []awsapi.Target
	notEntered []inventory.ReadError
	o          awsapi.Options
}

func (t *targets) Describe() string { return "test accounts" }

func (t *targets) Load(ctx context.Context) (*inventory.Snapshot, error) {
	snap := awsapi.Accounts(ctx, t.targets, t.o)
	snap.Errors = append(t.notEntered, snap.Errors...)
	return snap, nil
}

func scanTargets(ctx context.Context, ts []awsapi.Target, notEntered []inventory.ReadError, o scanOptions) (*finding.Result, *inventory.Snapshot) {
	co := o.Collect
	if co.Now == nil {
		co.Now = o.Now
	}
	res, snap, err := engine.Evaluate(ctx, &targets{ts, notEntered, co}, o.engine())
	if err != nil {
		panic(err)
	}
	return res, snap
}

func scanSnapshot(snap *inventory.Snapshot, o scanOptions) *finding.Result {
	res, _, err := engine.Evaluate(context.Background(), source.Static(snap, "test inventory"), o.engine())
	if err != nil {
		panic(err)
	}
	return res
}
