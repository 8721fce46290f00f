package cost

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// maxEstimateFile bounds an estimate file read back (fix --cost-from): 100,000 groups are about 60 MB.
const maxEstimateFile = 128 << 20

// ReadEstimate reads an estimate written by `logs cost -o json`.
func ReadEstimate(path string) (*Estimate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEstimateFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxEstimateFile {
		return nil, fmt.Errorf("%s: over %d MiB: not an estimate flowguard wrote", path, maxEstimateFile>>20)
	}
	return DecodeEstimate(path, b)
}

// DecodeEstimate reads an estimate document (name is for errors).
func DecodeEstimate(name string, b []byte) (*Estimate, error) {
	var e Estimate
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if e.Schema != EstimateSchema {
		return nil, fmt.Errorf("%s: schema %q: want %q (flowguard logs cost -o json)", name, e.Schema, EstimateSchema)
	}
	for _, g := range e.Groups {
		for _, c := range g.PerDest {
			if !(c.All >= 0 && c.Reject >= 0) || math.IsInf(c.All, 0) || math.IsInf(c.Reject, 0) {
				return nil, fmt.Errorf("%s: group %q: bad cost %v/%v", name, g.Key, c.All, c.Reject)
			}
		}
	}
	return &e, nil
}

// DestinationFor maps a flow log's destination and S3 file format (fix's settings) to a price-table id.
// fix creates log groups in the Standard class.
func DestinationFor(destination, fileFormat string) string {
	switch {
	case destination == "s3" && fileFormat == "parquet":
		return "s3-parquet"
	case destination == "s3":
		return "s3-text"
	case destination == "kinesis-data-firehose":
		return "firehose"
	}
	return "cloudwatch-standard"
}

// PlanEstimate is the estimate for the VPCs a fix plan will log, at the plan's destination and traffic type.
type PlanEstimate struct {
	Source      string    `json:"source"`
	Destination string    `json:"destination"`
	Traffic     string    `json:"traffic_type"`
	Prices      PriceInfo `json:"prices"`
	VPCs        []VPCCost `json:"vpcs"`
	Total       float64   `json:"total_per_month"`
	// NotEstimated are the plan's VPCs the estimate has no records of.
	NotEstimated []string `json:"not_estimated,omitempty"`
	Notes        []string `json:"notes,omitempty"`
}

// VPCCost is one VPC's monthly estimate.
type VPCCost struct {
	VPCID       string  `json:"vpc_id"`
	BytesPerDay float64 `json:"line_bytes_per_day"`
	PerMonth    float64 `json:"per_month"`
}

// ForPlan picks the plan's VPCs out of e, priced at destination (a price-table id) for traffic (ALL or REJECT).
func ForPlan(e *Estimate, source string, vpcs []string, destination, traffic string) (*PlanEstimate, error) {
	if e.GroupedBy != "vpc" {
		return nil, fmt.Errorf("%s is grouped by %s, not by VPC: the records need the vpc-id field (format version 3 or later) for a per-VPC estimate", source, e.GroupedBy)
	}
	pe := &PlanEstimate{Source: source, Destination: destination, Traffic: strings.ToUpper(traffic), Prices: e.Prices, Notes: e.Notes}
	idx := map[string]*Share{}
	for i := range e.Groups {
		idx[e.Groups[i].Key] = &e.Groups[i]
	}
	for _, v := range vpcs {
		g := idx[v]
		if g == nil {
			pe.NotEstimated = append(pe.NotEstimated, v)
			continue
		}
		found := false
		for _, c := range g.PerDest {
			if c.Destination != destination {
				continue
			}
			found = true
			m := c.All
			if pe.Traffic == TrafficReject {
				m = c.Reject
			}
			pe.VPCs = append(pe.VPCs, VPCCost{VPCID: v, BytesPerDay: g.BytesPerDay, PerMonth: m})
			pe.Total += m
			break
		}
		if !found {
			return nil, fmt.Errorf("%s has no prices for destination %s", source, destination)
		}
	}
	return pe, nil
}

// WritePlanEstimate prints the estimate under a plan.
func WritePlanEstimate(w io.Writer, pe *PlanEstimate) {
	cur := pe.Prices.Currency
	fmt.Fprintf(w, "\nEstimated cost of the flow logs this plan creates (%s, %s traffic; %s, prices %s as of %s):\n",
		textsafe.Terminal(pe.Destination), textsafe.Terminal(pe.Traffic), textsafe.Terminal(pe.Source), textsafe.Terminal(pe.Prices.Region), textsafe.Terminal(pe.Prices.AsOf))
	t := &human.Table{Indent: "  ", Right: map[int]bool{1: true, 2: true}}
	t.Header("VPC", "TEXT/DAY", "PER MONTH")
	for _, v := range pe.VPCs {
		t.Row(v.VPCID, bytesF(v.BytesPerDay), Money(cur, v.PerMonth))
	}
	if len(pe.VPCs) > 0 {
		t.Row("total", "", Money(cur, pe.Total))
		io.WriteString(w, t.String())
	}
	if n := len(pe.NotEstimated); n > 0 {
		fmt.Fprintf(w, "  not estimated: %s with no records in the estimate (%s)\n", human.Plural(n, "VPC"), textsafe.Terminal(strings.Join(pe.NotEstimated[:min(n, 10)], ", ")))
	}
	for _, n := range pe.Notes {
		fmt.Fprintf(w, "  note: %s\n", textsafe.Terminal(n))
	}
}
