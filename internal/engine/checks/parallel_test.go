package checks

import (
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
)

// Large graphs are evaluated in chunks by several workers: the output must be the same as one worker's.
func TestParallelSameAsSequential(t *testing.T) {
	snap := graphtest.Large(10_000, 3)
	snap.Regions[3].Errors = append(snap.Regions[3].Errors, graphtest.Snapshot().Regions[1].Errors...)
	g := graph.Build(snap)
	for _, o := range []Options{{}, {SkipUnused: true}} {
		prev := runtime.GOMAXPROCS(1)
		seq := Run(g, Default(Builtin()), o)
		runtime.GOMAXPROCS(4)
		par := Run(g, Default(Builtin()), o)
		runtime.GOMAXPROCS(prev)
		if d := cmp.Diff(seq, par); d != "" {
			t.Errorf("%+v: parallel differs (-sequential +parallel):\n%s", o, d)
		}
		// Large has no network interfaces: --skip-unused leaves every VPC out.
		if o.SkipUnused && (seq.SkippedUnused != 10_000 || len(seq.Findings) != 0) {
			t.Errorf("skip-unused: %d skipped, %d findings", seq.SkippedUnused, len(seq.Findings))
		}
		if !o.SkipUnused && len(seq.Findings) < 20_000 {
			t.Errorf("%d findings", len(seq.Findings))
		}
	}
}
