package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flowguard/flowguard/internal/logs/analyze"
)

// topLists are the top lists to show: by address, by resource (--by resource), or both (HTML).
func topLists(r *analyze.Report, both bool) []analyze.TopList {
	e := r.Enrichment
	switch {
	case e == nil:
		return r.Top
	case both:
		return append(append([]analyze.TopList{}, r.Top...), e.ByResource...)
	case r.KeyBy == analyze.ByResource:
		return e.ByResource
	}
	return r.Top
}

// enrichmentTables are the inventory-joined sections: traffic per resource, reject causes, exposure.
func enrichmentTables(r *analyze.Report, n, bytes func(int64) string) []Table {
	e := r.Enrichment
	if e == nil {
		return nil
	}
	res := Table{ID: "resources", Title: "Traffic per resource (records logged on its interfaces)",
		Columns: []string{"resource", "vpc", "interfaces", "records", "bytes", "rejects"}, Bar: 3}
	for _, x := range e.PerResource {
		res.Rows = append(res.Rows, []string{x.Resource, x.VPC, strings.Join(x.Ifaces, " "), n(x.Records), bytes(x.Bytes), n(x.Rejects)})
		res.barValues = append(res.barValues, float64(x.Records))
	}
	if len(res.barValues) != len(res.Rows) || len(res.Rows) == 0 {
		res.barValues = nil
	}
	causes := Table{ID: "reject_causes", Title: "Why was it rejected? Top reject causes per resource and rule",
		Columns: []string{"resource", "cause", "rule", "records"}, Bar: -1}
	var kinds []string
	for _, k := range []string{"network-acl", "no-security-group-allow", "reject-reason", "undetermined"} {
		if v, ok := e.RejectsByKind[k]; ok {
			kinds = append(kinds, k+" "+n(v))
		}
	}
	if len(kinds) > 0 {
		causes.Title += " (" + strings.Join(kinds, ", ") + ")"
	}
	for i, c := range e.RejectCauses {
		if i == 50 {
			causes.Title += fmt.Sprintf(" — first 50 of %d rows", len(e.RejectCauses))
			break
		}
		causes.Rows = append(causes.Rows, []string{c.Resource, c.Cause, c.Rule, n(c.Records)})
	}
	ports := make([]string, len(e.SensitivePorts))
	for i, p := range e.SensitivePorts {
		ports[i] = strconv.Itoa(int(p))
	}
	exp := Table{ID: "exposure", Title: "Exposure evidence: internet traffic accepted to sensitive ports (" + strings.Join(ports, ", ") + ")",
		Columns: []string{"resource", "interface", "port", "records", "bytes", "sources", "examples", "allowed by", "first", "last"}, Bar: -1}
	for _, x := range e.Exposure {
		p := analyze.PortString(x.Port, x.Protocol)
		if x.Service != "" {
			p += " " + x.Service
		}
		exp.Rows = append(exp.Rows, []string{x.Resource, x.Interface, p, n(x.Records), bytes(x.Bytes), n(int64(x.Sources)),
			strings.Join(x.Examples, " "), x.Rule, ts(x.First), ts(x.Last)})
	}
	out := []Table{res, causes, exp}
	if len(e.Notes) > 0 {
		nt := Table{ID: "enrichment_notes", Title: "Inventory notes", Columns: []string{"note"}, Bar: -1}
		for _, s := range e.Notes {
			nt.Rows = append(nt.Rows, []string{s})
		}
		out = append(out, nt)
	}
	return out
}
