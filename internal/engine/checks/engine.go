package checks

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/engine/query"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Options tune an evaluation.
type Options struct {
	// Params override check parameters by name (minRetentionDays), for the checks that declare them.
	Params map[string]any
	// SkipUnused leaves out VPCs without network interfaces (when interfaces were read), and counts them.
	SkipUnused bool
	// Context stops the evaluation when done (Ctrl-C, SIGTERM): Output.Cancelled says so, and the findings
	// are those of the nodes evaluated until then. Nil never stops.
	Context context.Context
}

// Output is what an evaluation found.
type Output struct {
	Findings []finding.Finding
	// VPCs counts the VPCs evaluated; SkippedUnused the VPCs --skip-unused left out.
	VPCs          int
	SkippedUnused int
	// Cancelled is true when Options.Context ended the evaluation early: some assets have no finding.
	Cancelled bool
}

// ctxEvery is how many nodes a loop evaluates between looks at the context.
const ctxEvery = 256

var (
	relVPCFlowLog      = graph.TVPC.Relation("hasFlowLog")
	relVPCOtherFlowLog = graph.TVPC.Relation("hasSubnetOrEniFlowLog")
	relVPCENI          = graph.TVPC.Relation("hasNetworkInterface")
	relVPCIGW          = graph.TVPC.Relation("hasInternetGateway")
	relDeliversTo      = graph.TFlowLog.Relation("deliversTo")
)

// unused reports whether --skip-unused leaves VPC n out: no network interfaces, and they were read.
func unused(n *graph.Node) bool {
	return (n.Region == nil || n.Region.Read(inventory.CollNetworkInterfaces)) && len(n.Rel(relVPCENI)) == 0
}

// Run evaluates checks cs over g. Every covered asset gets a finding from every check (unless the check's
// exclude or scope leaves it out); an asset whose inventory was not read, or a check that cannot be evaluated,
// gives ERROR, never PASS.
func Run(g *graph.Graph, cs []*Check, o Options) *Output {
	if o.Context == nil {
		o.Context = context.Background()
	}
	ctx := o.Context
	out := &Output{}
	defer func() {
		if ctx.Err() != nil {
			out.Cancelled = true
		}
	}()
	snap := g.Snapshot
	ps := prepare(cs, o)
	// Accounts that could not be entered: an ERROR per check, so the gap is counted, not hidden.
	for _, e := range snap.Errors {
		for _, p := range ps {
			out.Findings = append(out.Findings, scopeError(p.c, e, finding.ResourceAccount, e.AccountID))
		}
	}
	for _, n := range g.Nodes(graph.TVPC) {
		if n.Region != nil && !n.Region.Read(inventory.CollVPCs) {
			continue
		}
		if o.SkipUnused && unused(n) {
			out.SkippedUnused++
			continue
		}
		out.VPCs++
	}
	// Regions whose collection of the check's asset type could not be read: an ERROR for the region.
	regionalError := func(c *Check, r *inventory.Region) bool {
		if c.typ.Collection == "" || c.typ == graph.TAccount || c.typ == graph.TBucket {
			return false
		}
		coll := c.typ.Collection
		if c.typ == graph.TRegion {
			coll = inventory.CollAll
		}
		e, failed := r.ErrorFor(coll)
		if failed && (coll != inventory.CollAll || e.Collection == inventory.CollAll) {
			out.Findings = append(out.Findings, scopeError(c, e, finding.ResourceRegion, r.Name))
		}
		return failed
	}
	// Per-asset checks run node by node, so that a node's evidence is built once for all of them.
	byType := map[*graph.Type][]int{}
	var types []*graph.Type
	for i, p := range ps {
		if p.c.expect.count {
			out.Findings = append(out.Findings, countFindings(ctx, g, p, regionalError)...)
			continue
		}
		if byType[p.c.typ] == nil {
			types = append(types, p.c.typ)
		}
		byType[p.c.typ] = append(byType[p.c.typ], i)
	}
	for _, t := range types {
		idx := byType[t]
		unread := make([]map[*inventory.Region]bool, len(idx))
		for j, i := range idx {
			unread[j] = map[*inventory.Region]bool{}
			for _, r := range snap.Regions {
				if regionalError(ps[i].c, r) {
					unread[j][r] = true
				}
			}
		}
		// Nodes are evaluated in chunks, one per CPU. Compiled checks keep per-call-site caches, so each
		// worker compiles its own; chunks are joined in order, so the output does not depend on scheduling.
		nodes := g.Nodes(t)
		workers := runtime.GOMAXPROCS(0)
		if len(nodes) < 4096 {
			workers = 1
		}
		size := (len(nodes) + workers - 1) / max(workers, 1)
		// Each worker fills its own window of out.Findings (at most one finding per node and check), then the
		// windows are compacted in place: no second copy of 200,000 findings.
		per := len(idx)
		start := len(out.Findings)
		out.Findings = slices.Grow(out.Findings, len(nodes)*per)[:start+len(nodes)*per]
		counts := make([]int, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			lo, hi := min(w*size, len(nodes)), min((w+1)*size, len(nodes))
			wps := ps
			if w > 0 {
				wps = prepare(cs, o)
			}
			wg.Go(func() {
				window := out.Findings[start+lo*per : start+hi*per]
				k := 0
				for x, n := range nodes[lo:hi] {
					if x%ctxEvery == 0 && ctx.Err() != nil {
						break
					}
					if t == graph.TVPC && o.SkipUnused && unused(n) {
						continue
					}
					var ev evidenceCache
					for j, i := range idx {
						if len(unread[j]) > 0 && n.Region != nil && unread[j][n.Region] {
							continue
						}
						p := wps[i]
						if f, ok := evaluate(p, n, &ev); ok {
							window[k] = f
							k++
						}
					}
				}
				counts[w] = k
			})
		}
		wg.Wait()
		dst := start
		for w := 0; w < workers; w++ {
			src := start + min(w*size, len(nodes))*per
			dst += copy(out.Findings[dst:], out.Findings[src:src+counts[w]])
		}
		clear(out.Findings[dst:])
		out.Findings = out.Findings[:dst]
	}
	return out
}

type prepared struct {
	c    *Check
	cc   *compiled
	err  error
	ctx  *msgCtx
	ev   *query.Eval
	over *overBudget
}

// prepare compiles every check with the options' parameters; a check that does not compile keeps its error
// (its findings become ERROR). The checks share one query.Eval: a prepare serves one goroutine.
func prepare(cs []*Check, o Options) []prepared {
	ps := make([]prepared, len(cs))
	ev := query.NewEval(o.Context)
	for i, c := range cs {
		cc, err := c.compile(o.Params)
		ps[i] = prepared{c: c, cc: cc, err: err, ev: ev, over: &overBudget{}}
		if cc != nil {
			ps[i].ctx = &msgCtx{params: cc.params, ev: ev}
		}
	}
	return ps
}

// scopeError reports an account or region that could not be read.
func scopeError(c *Check, e inventory.ReadError, resourceType, resourceID string) finding.Finding {
	f := c.finding()
	f.Status, f.Reason = finding.StatusError, finding.ReasonReadFailed
	f.Message = fmt.Sprintf("could not be read (%s): %s", e.Operation, e.Message)
	f.AccountID, f.Region, f.ResourceType, f.ResourceID = e.AccountID, e.Region, resourceType, resourceID
	f.Evidence = finding.Evidence{Error: e.Message}
	return f
}

// finding is a finding with the check's metadata filled in.
func (c *Check) finding() finding.Finding {
	controls := c.Controls
	if controls == nil {
		controls = []finding.Control{}
	}
	return finding.Finding{CheckID: c.ID, Title: c.Title, Severity: c.Severity, Controls: controls}
}

// evaluate gives check p.c's finding on node n; false when the check has nothing to say about n. A query
// that cannot be evaluated on n (the evaluation budget, or the context ended) gives ERROR.
func evaluate(p prepared, n *graph.Node, ec *evidenceCache) (finding.Finding, bool) {
	c, cc, ctx := p.c, p.cc, p.ctx
	f := c.finding()
	f.AccountID, f.Region, f.ResourceType, f.ResourceID = n.Account, n.RegionName, c.typ.ResourceType, n.ID
	f.ResourceName = n.Name().String()
	f.Location = location(n)
	if p.err != nil {
		return checkError(f, p.err), true
	}
	if p.over.err != nil {
		return checkError(f, fmt.Errorf("not evaluated: the check ran over its evaluation budget earlier (%w)", p.over.err)), true
	}
	// A network collection its queries read was not read in n's region: no query answer means anything.
	if readError(&f, c.network, n) {
		return f, true
	}
	match := func(r *query.Root) (bool, error) { return r.Match(p.ev, n) }
	if cc.exclude != nil {
		excluded, err := match(cc.exclude)
		if err != nil {
			return p.fail(f, fmt.Errorf("exclude: %w", err)), true
		}
		if excluded {
			return f, false
		}
	}
	var err error
	if f.Evidence, err = evidence(c, cc, p.ev, n, ec); err != nil {
		return p.fail(f, fmt.Errorf("evidence: %w", err)), true
	}
	tn := Node{n, ctx}
	for i, s := range cc.skip {
		skip, err := match(s)
		if err != nil {
			return p.fail(f, fmt.Errorf("skip[%d]: %w", i, err)), true
		}
		if skip {
			msg, err := render(cc.skipMsg[i], tn, "skipped by rule "+c.Skip[i].Reason)
			if err != nil {
				return p.fail(f, err), true
			}
			f.Status, f.Reason, f.Message = finding.StatusSkipped, c.Skip[i].Reason, msg
			return f, true
		}
	}
	if readError(&f, c.Requires, n) {
		return f, true
	}
	if cc.scope != nil {
		in, err := match(cc.scope)
		if err != nil {
			return p.fail(f, fmt.Errorf("scope: %w", err)), true
		}
		if !in {
			return f, false
		}
	}
	if readError(&f, c.RequiresInScope, n) {
		return f, true
	}
	fails, err := match(cc.query)
	if err != nil {
		return p.fail(f, err), true
	}
	// What the verdict depends on, taken before the reason and message queries reuse the Eval.
	var unk []*inventory.Unknown
	if us := p.ev.Unknowns(); us != nil {
		unk = append(unk, us...)
	}
	witness := p.ev.Witness()
	if !fails {
		msg, err := render(cc.pass, tn, "does not match the check's query")
		if err != nil {
			return p.fail(f, err), true
		}
		f.Status, f.Message = finding.StatusPass, msg
		settle(&f, n, unk, nil)
		return f, true
	}
	for i, r := range cc.errors {
		ok, err := match(r)
		if err != nil {
			return p.fail(f, fmt.Errorf("errors[%d]: %w", i, err)), true
		}
		if ok {
			msg, err := render(cc.errMsg[i], tn, "could not be evaluated: "+c.Errors[i].Reason)
			if err != nil {
				return p.fail(f, err), true
			}
			f.Status, f.Reason, f.Message = finding.StatusError, c.Errors[i].Reason, msg
			f.Evidence.Error = msg
			return f, true
		}
	}
	f.Status = finding.StatusFail
	tmpl, def := cc.fail, "matches the check's query"
	for i, r := range cc.reasons {
		ok, err := match(r)
		if err != nil {
			return p.fail(f, fmt.Errorf("reasons[%d]: %w", i, err)), true
		}
		if ok {
			f.Reason, tmpl, def = c.Reasons[i].Reason, cc.reasMsg[i], "reason "+c.Reasons[i].Reason
			if tmpl == nil {
				tmpl = cc.fail
			}
			break
		}
	}
	msg, err := render(tmpl, tn, def)
	if err != nil {
		return p.fail(f, err), true
	}
	f.Message = msg
	settle(&f, n, unk, witness)
	return f, true
}

// overBudget remembers the first budget error of a check: a query or message that needs too much work on
// one asset is not given the same budget again on every other asset (100,000 VPCs × a budget is hours).
type overBudget struct{ err error }

// fail is checkError, remembering budget errors.
func (p prepared) fail(f finding.Finding, err error) finding.Finding {
	var le *query.LimitError
	var be *budgetError
	if errors.As(err, &le) || errors.As(err, &be) {
		p.over.err = err
	}
	return checkError(f, err)
}

func checkError(f finding.Finding, err error) finding.Finding {
	f.Status, f.Reason = finding.StatusError, finding.ReasonCheckError
	f.Message = "the check could not be evaluated: " + err.Error()
	f.Evidence.Error = err.Error()
	return f
}

// readError turns the first unread collection of colls into an ERROR finding.
func readError(f *finding.Finding, colls []inventory.Collection, n *graph.Node) bool {
	if n.Region == nil {
		return false
	}
	for _, coll := range colls {
		if e, failed := n.Region.ErrorFor(coll); failed {
			f.Status, f.Reason = finding.StatusError, finding.ReasonReadFailed
			f.Message = fmt.Sprintf("%s could not be read (%s): %s", strings.ReplaceAll(string(coll), "_", " "), e.Operation, e.Message)
			f.Evidence.Error = e.Message
			return true
		}
	}
	return false
}

// render runs a message template on n; a nil template gives def.
func render(m *message, n Node, def string) (string, error) {
	if m == nil {
		return def, nil
	}
	return m.render(n)
}

// countFindings evaluates a "count OP N" check: one finding per account and region (per account for global
// asset types).
func countFindings(ctx context.Context, g *graph.Graph, p prepared, regionalError func(*Check, *inventory.Region) bool) []finding.Finding {
	c, cc, cerr := p.c, p.cc, p.err
	type key struct{ account, region string }
	var keys []key
	counts := map[key]int{}
	failed := map[key]bool{}
	global := c.typ == graph.TBucket || c.typ == graph.TAccount
	for _, r := range g.Snapshot.Regions {
		k := key{r.AccountID, r.Name}
		if global {
			k.region = ""
		}
		if _, seen := counts[k]; !seen {
			keys = append(keys, k)
			counts[k] = 0
		}
		if !global && regionalError(c, r) {
			failed[k] = true
		}
	}
	var out []finding.Finding
	for _, k := range keys {
		f := c.finding()
		f.AccountID, f.Region = k.account, k.region
		f.ResourceType, f.ResourceID = finding.ResourceRegion, k.region
		if global {
			f.ResourceType, f.ResourceID = finding.ResourceAccount, k.account
		}
		if failed[k] {
			continue
		}
		if cerr != nil {
			out = append(out, checkError(f, cerr))
			continue
		}
		if p.over.err != nil {
			out = append(out, checkError(f, fmt.Errorf("not evaluated: the check ran over its evaluation budget earlier (%w)", p.over.err)))
			continue
		}
		if ctx.Err() != nil {
			return out
		}
		n, unread := 0, error(nil)
		var unk []*inventory.Unknown
		for x, node := range g.Nodes(c.typ) {
			if x%ctxEvery == 0 && ctx.Err() != nil {
				return out
			}
			if node.Account != k.account || node.RegionName != k.region {
				continue
			}
			if cc.exclude != nil {
				excluded, err := cc.exclude.Match(p.ev, node)
				if err != nil {
					unread = fmt.Errorf("exclude: %w", err)
					break
				}
				if excluded {
					continue
				}
			}
			var probe finding.Finding
			if readError(&probe, c.network, node) || readError(&probe, c.Requires, node) {
				unread = fmt.Errorf("%s", probe.Message)
				break
			}
			if cc.scope != nil {
				in, err := cc.scope.Match(p.ev, node)
				if err != nil {
					unread = fmt.Errorf("scope: %w", err)
					break
				}
				if !in {
					continue
				}
			}
			match, err := cc.query.Match(p.ev, node)
			if err != nil {
				unread = err
				break
			}
			unk = append(unk, p.ev.Unknowns()...)
			if match {
				n++
			}
		}
		if ctx.Err() != nil {
			return out
		}
		var le *query.LimitError
		if errors.As(unread, &le) {
			out = append(out, p.fail(f, unread))
			continue
		}
		if unread != nil {
			f.Status, f.Reason, f.Message = finding.StatusError, finding.ReasonReadFailed, unread.Error()
			f.Evidence.Error = unread.Error()
			out = append(out, f)
			continue
		}
		f.Status = finding.StatusPass
		if !c.expect.holds(n) {
			f.Status = finding.StatusFail
		}
		f.Message = fmt.Sprintf("%d %s matched; expected %s", n, c.typ.Name, c.expect)
		f.Evidence.Extra = map[string]any{"count": n}
		settle(&f, nil, unk, nil)
		out = append(out, f)
	}
	return out
}

// evidenceCache keeps a node's VPC evidence for the next check on the same node. Findings share its slices
// and maps; nothing modifies them afterwards.
type evidenceCache struct {
	vpc  finding.Evidence
	done bool
}

// evidence builds the evidence sections the check asks for.
func evidence(c *Check, cc *compiled, e *query.Eval, n *graph.Node, ec *evidenceCache) (finding.Evidence, error) {
	var ev finding.Evidence
	for _, s := range c.Evidence {
		switch s {
		case "vpc":
			if n.Type == graph.TVPC {
				if !ec.done {
					vpcEvidence(&ec.vpc, n)
					ec.done = true
				}
				vpc := ec.vpc
				vpc.MinRetentionDays, vpc.Extra = ev.MinRetentionDays, ev.Extra
				ev = vpc
			}
		case "delivery":
			if n.Type == graph.TVPC {
				ev.Delivery = deliveryEvidence(n, cc.params)
			}
		case evidenceTGW:
			if n.Type == graph.TTransitGateway {
				tgwEvidence(&ev, n)
			}
		case "min_retention_days":
			if v, ok := cc.params["minRetentionDays"]; ok {
				ev.MinRetentionDays = toInt(v)
			}
		case "selection":
			o, err := cc.query.Project(e, n)
			if err != nil {
				return finding.Evidence{}, err
			}
			ev.Extra = toMap(o)
		}
	}
	return ev, nil
}

func toInt(v any) int {
	switch v := v.(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	return 0
}

func toMap(o query.Object) map[string]any {
	m := make(map[string]any, len(o.Keys))
	for i, k := range o.Keys {
		m[k] = o.Values[i]
	}
	return m
}

func location(n *graph.Node) *inventory.Location {
	switch o := n.Obj.(type) {
	case *inventory.VPC:
		return o.Location
	case *inventory.FlowLog:
		return o.Location
	case *inventory.LogGroup:
		return o.Location
	}
	return nil
}

// vpcEvidence is what flowguard saw about a VPC: the same for every check on it.
func vpcEvidence(ev *finding.Evidence, n *graph.Node) {
	v := n.Obj.(*inventory.VPC)
	r := n.Region
	read := func(c inventory.Collection) bool { return r == nil || r.Read(c) }
	ev.OwnerID, ev.IsDefault, ev.Tags = v.OwnerID, boolPtr(v.IsDefault), v.Tags
	if read(inventory.CollInternetGateways) {
		ev.InternetExposed = boolPtr(len(n.Rel(relVPCIGW)) > 0)
	}
	if read(inventory.CollNetworkInterfaces) {
		ev.NetworkInterfaces = ptr(len(n.Rel(relVPCENI)))
	}
	if fls := n.Rel(relVPCFlowLog); len(fls) > 0 {
		ev.FlowLogs = make([]finding.FlowLogEvidence, len(fls))
		for i, m := range fls {
			ev.FlowLogs[i] = flowLogEvidence(m.Obj.(*inventory.FlowLog))
		}
	}
	if fls := n.Rel(relVPCOtherFlowLog); len(fls) > 0 {
		ev.SubnetOrENIFlowLogs = make([]finding.FlowLogEvidence, len(fls))
		for i, m := range fls {
			ev.SubnetOrENIFlowLogs[i] = flowLogEvidence(m.Obj.(*inventory.FlowLog))
		}
	}
	telemetryEvidence(ev, n)
	if read(inventory.CollLogGroups) {
		var seen map[string]bool
		for _, m := range n.Rel(relVPCFlowLog) {
			f := m.Obj.(*inventory.FlowLog)
			if f.DestinationType != inventory.DestinationCloudWatchLogs || f.LogGroupName == "" || seen[f.LogGroupName] {
				continue
			}
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[f.LogGroupName] = true
			lg := finding.LogGroupEvidence{Name: f.LogGroupName}
			if d := m.Rel(relDeliversTo); len(d) > 0 {
				lg.Exists, lg.RetentionDays = true, d[0].Obj.(*inventory.LogGroup).RetentionDays
			}
			ev.LogGroups = append(ev.LogGroups, lg)
		}
	}
}

func flowLogEvidence(f *inventory.FlowLog) finding.FlowLogEvidence {
	dest := f.Destination
	if dest == "" {
		dest = f.LogGroupName
	}
	return finding.FlowLogEvidence{
		ID: f.ID, ResourceID: f.ResourceID, Status: f.Status, TrafficType: f.TrafficType,
		DestinationType: f.DestinationType, Destination: dest,
		DeliverLogsStatus: f.DeliverLogsStatus, DeliverLogsError: f.DeliverLogsError,
	}
}

func ptr[T any](v T) *T { return &v }

// Evidence booleans point at these two: findings never modify their evidence.
var trueValue, falseValue = true, false

func boolPtr(b bool) *bool {
	if b {
		return &trueValue
	}
	return &falseValue
}
