package engine

import (
	"context"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source"
)

// evalSnapshot evaluates an inventory already in memory through the one entry.
func evalSnapshot(snap *inventory.Snapshot, o Options) *finding.Result {
	res, _, err := Evaluate(context.Background(), source.Static(snap, "test inventory"), o)
	if err != nil {
		panic(err) // a static source cannot fail to load
	}
	return res
}

// scanIaC evaluates the IaC under paths, stamped with o.Now, as 'flowguard iac scan' does.
func scanIaC(paths []string, o Options) (*finding.Result, error) {
	res, _, err := Evaluate(context.Background(), &source.IaC{Paths: paths, Now: o.Now}, o)
	return res, err
}
