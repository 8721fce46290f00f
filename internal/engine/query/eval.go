package query

import (
	"context"
	"fmt"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Evaluation limits. A compiled query is bounded in size (MaxExpansion), but its cost over a graph is not:
// a filter that walks a relation back and forth (regions(where: {hasVpc_SOME: {inRegion: {hasVpc_SOME: …}}}))
// costs fan-out^depth per node, and a selection that does the same renders fan-out^depth values. Evaluation
// therefore counts its work and looks at its context while it works.
const (
	// MaxMatchSteps bounds the work of evaluating a query on one node: every related node a relation
	// condition or a selected relation looks at is a step. The built-in checks take a handful of steps per
	// node; a region with 10,000 VPCs of 10 flow logs each, walked two relations deep, takes about 100,000.
	// 10,000,000 steps is a fraction of a second of CPU.
	MaxMatchSteps = 10_000_000
	// MaxProjectValues bounds the values one Project (the selection of one node, as evidence of a finding)
	// renders.
	MaxProjectValues = 100_000
	// ctxEvery is how many steps pass between looks at the context (a look costs a lock).
	ctxEvery = 1 << 12
)

// maxResultValues bounds the values one JSON rendering of a query's results holds in memory: 2,000,000
// values are about 200 MB and several seconds; 100,000 VPCs with 20 fields each. Beyond that, filter, select
// fewer fields, or use the table output. Variables (not constants) so that tests and fuzzers can lower them.
var (
	maxResultValues = 2_000_000
	maxMatchSteps   = MaxMatchSteps
)

// LimitError reports an evaluation stopped because it needed more work or output than allowed.
type LimitError struct {
	// What ran over: "steps" or "values"; Limit is the limit; Node the node being evaluated ("" for none).
	What  string
	Limit int
	Node  string
}

func (e *LimitError) Error() string {
	on := ""
	if e.Node != "" {
		on = " on " + e.Node
	}
	if e.What == "values" {
		return fmt.Sprintf("the query's result%s has more than %d values (a selection walks relations too deep); "+
			"select fewer relations or filter them", on, e.Limit)
	}
	return fmt.Sprintf("evaluating the query%s takes more than %d steps (relation filters nested too deep for "+
		"this graph); simplify the filter", on, e.Limit)
}

// Eval is the state of an evaluation: its context and the work done so far. One Eval serves any number of
// calls one after the other; it is not safe for concurrent use (give each goroutine its own).
type Eval struct {
	ctx    context.Context
	total  uint64 // steps since the Eval was made: when to look at the context
	steps  int    // steps of the current call
	limit  int
	values int // values rendered by the current call
	vlimit int
	err    error
	// why holds the Unknowns the current call's result depends on. The rule every predicate keeps: a result
	// that does not depend on an unknown leaves why as it found it (combinators cut back what a decided
	// branch collected), so an empty why after Match means the answer is known.
	why []*inventory.Unknown
	// witness is the first related node whose match made the current call's result true (the log group
	// whose retention is too short), nil when the result is false or decided on the node itself.
	witness *graph.Node
}

// NewEval returns an Eval that stops when ctx is done. A nil ctx never stops.
func NewEval(ctx context.Context) *Eval {
	if ctx == nil {
		ctx = context.Background()
	}
	return &Eval{ctx: ctx, limit: maxMatchSteps, vlimit: MaxProjectValues}
}

// Context is the context the Eval stops with.
func (e *Eval) Context() context.Context { return e.ctx }

// Err is why the last call stopped: the context's error or a *LimitError; nil when it completed.
func (e *Eval) Err() error { return e.err }

// begin starts a call with fresh budgets; a context error stays (the evaluation is over).
func (e *Eval) begin() {
	if e.err != nil && e.ctx.Err() == nil {
		e.err = nil
	}
	e.steps, e.values = 0, 0
	e.why, e.witness = e.why[:0], nil
}

// Unknowns returns the Unknowns the last Match depended on (nil: its answer is known). The slice is valid
// until the next call on e.
func (e *Eval) Unknowns() []*inventory.Unknown {
	if len(e.why) == 0 {
		return nil
	}
	return e.why
}

// Witness returns the related node whose match made the last Match true, or nil.
func (e *Eval) Witness() *graph.Node { return e.witness }

// consult records that the result depends on us (the value was read but is not known).
func (e *Eval) consult(us []*inventory.Unknown) { e.why = append(e.why, us...) }

// tick counts a step; false when the evaluation must stop.
func (e *Eval) tick() bool {
	if e.err != nil {
		return false
	}
	e.steps++
	if e.total++; e.total%ctxEvery == 0 {
		if err := e.ctx.Err(); err != nil {
			e.err = err
			return false
		}
	}
	if e.steps > e.limit {
		e.err = &LimitError{What: "steps", Limit: e.limit}
		return false
	}
	return true
}

// value counts one rendered value; false when the evaluation must stop.
func (e *Eval) value() bool {
	if e.values++; e.values > e.vlimit && e.err == nil {
		e.err = &LimitError{What: "values", Limit: e.vlimit}
	}
	return e.tick()
}

// fail returns the evaluation's error, naming node id when it is a limit.
func (e *Eval) fail(id string) error {
	if le, ok := e.err.(*LimitError); ok && le.Node == "" {
		c := *le
		c.Node = id
		return &c
	}
	return e.err
}

// LowerLimitsForFuzzing sets small expansion and evaluation limits, for fuzzers in this and other packages
// (every input must run in milliseconds; the mechanism under test is the same), and returns the function
// that restores the real ones.
func LowerLimitsForFuzzing() (restore func()) {
	v, m, x := maxResultValues, maxMatchSteps, maxExpansion
	maxResultValues, maxMatchSteps, maxExpansion = 20_000, 100_000, 5_000
	return func() { maxResultValues, maxMatchSteps, maxExpansion = v, m, x }
}
