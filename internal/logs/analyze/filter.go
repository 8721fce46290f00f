package analyze

import (
	"net/netip"
	"slices"
	"time"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Filter selects the records a report counts. Empty fields match everything.
type Filter struct {
	Since, Until time.Time // on the record's start time: Since <= start < Until
	Accounts     []string
	VPCs         []string
	Interfaces   []string
	Action       flowlog.ActionValue // ActionNone: any
	Addrs        []netip.Prefix      // source or destination inside one of them
	Ports        []int32             // source or destination port
	Protocols    []int32
}

// IsZero reports whether the filter matches everything.
func (f *Filter) IsZero() bool {
	return f.Since.IsZero() && f.Until.IsZero() && len(f.Accounts) == 0 && len(f.VPCs) == 0 && len(f.Interfaces) == 0 &&
		f.Action == flowlog.ActionNone && len(f.Addrs) == 0 && len(f.Ports) == 0 && len(f.Protocols) == 0
}

type compiledFilter struct {
	any          bool
	since, until int64
	f            Filter
}

func compile(f Filter) compiledFilter {
	c := compiledFilter{any: !f.IsZero(), f: f, since: -1 << 62, until: 1 << 62}
	if !f.Since.IsZero() {
		c.since = f.Since.Unix()
	}
	if !f.Until.IsZero() {
		c.until = f.Until.Unix()
	}
	return c
}

func containsBytes(set []string, b []byte) bool {
	for _, s := range set {
		if s == string(b) {
			return true
		}
	}
	return false
}

func (c *compiledFilter) match(r *flowlog.Record) bool {
	if !c.any {
		return true
	}
	f := &c.f
	if r.Start != flowlog.NA && (r.Start < c.since || r.Start >= c.until) {
		return false
	}
	if r.Start == flowlog.NA && (!f.Since.IsZero() || !f.Until.IsZero()) {
		return false
	}
	if len(f.Accounts) > 0 && !containsBytes(f.Accounts, r.Field(flowlog.AccountID)) {
		return false
	}
	if len(f.VPCs) > 0 && !containsBytes(f.VPCs, r.Field(flowlog.VPCID)) {
		return false
	}
	if len(f.Interfaces) > 0 && !containsBytes(f.Interfaces, r.Field(flowlog.InterfaceID)) {
		return false
	}
	if f.Action != flowlog.ActionNone && r.Action != f.Action {
		return false
	}
	if len(f.Addrs) > 0 {
		ok := false
		for _, p := range f.Addrs {
			if (r.SrcAddr.IsValid() && p.Contains(r.SrcAddr)) || (r.DstAddr.IsValid() && p.Contains(r.DstAddr)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(f.Ports) > 0 && !slices.Contains(f.Ports, r.SrcPort) && !slices.Contains(f.Ports, r.DstPort) {
		return false
	}
	if len(f.Protocols) > 0 && !slices.Contains(f.Protocols, r.Protocol) {
		return false
	}
	return true
}
