package athena

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Reports lists the reports that have SQL, in the order "all" runs them.
var Reports = []string{
	"summary", "top-rejected-sources", "top-rejected-destinations", "top-rejected-ports", "top-talkers",
	"vertical-scans", "horizontal-scans", "brute-force", "skipdata",
}

// Titles are the reports' headings, matching the local report's.
var Titles = map[string]string{
	"summary":                   "Summary",
	"top-rejected-sources":      "Top rejected sources",
	"top-rejected-destinations": "Top rejected destinations",
	"top-rejected-ports":        "Top rejected destination ports",
	"top-talkers":               "Top talkers by bytes (not rejected)",
	"vertical-scans":            "Vertical port scans",
	"horizontal-scans":          "Horizontal scans",
	"brute-force":               "Brute force",
	"skipdata":                  "SKIPDATA share per interface",
}

// Params are what a report query selects and its thresholds (the same as the local report's).
type Params struct {
	Table  Table
	Config analyze.Config // Filter, thresholds and TopN; zero values take analyze's defaults
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func inList(col string, vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = sqlString(v)
	}
	return fmt.Sprintf("%s IN (%s)", col, strings.Join(q, ", "))
}

func intList(col string, vals []int32) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprint(v)
	}
	return fmt.Sprintf("%s IN (%s)", col, strings.Join(q, ", "))
}

// where renders the filter: partition predicates first (so Athena prunes), then the exact conditions.
func (p *Params) where(extra ...string) []string {
	f := p.Config.Filter
	var w []string
	if len(p.Table.Accounts) > 0 {
		w = append(w, inList(colAccount, p.Table.Accounts))
	}
	if len(p.Table.Regions) > 0 {
		w = append(w, inList(colRegion, p.Table.Regions))
	}
	// Objects are delivered up to an hour after the records' start: widen the partition range by that.
	if !f.Since.IsZero() {
		w = append(w, fmt.Sprintf("%s >= %s", colDate, sqlString(DateValue(f.Since, p.Table.Layout))))
		w = append(w, fmt.Sprintf(`"start" >= %d`, f.Since.Unix()))
	}
	if !f.Until.IsZero() {
		w = append(w, fmt.Sprintf("%s <= %s", colDate, sqlString(DateValue(f.Until.Add(time.Hour), p.Table.Layout))))
		w = append(w, fmt.Sprintf(`"start" < %d`, f.Until.Unix()))
	}
	if len(f.Accounts) > 0 {
		w = append(w, inList("account_id", f.Accounts))
	}
	if len(f.VPCs) > 0 {
		w = append(w, inList("vpc_id", f.VPCs))
	}
	if len(f.Interfaces) > 0 {
		w = append(w, inList("interface_id", f.Interfaces))
	}
	if f.Action != flowlog.ActionNone {
		w = append(w, "action = "+sqlString(f.Action.String()))
	}
	if len(f.Addrs) > 0 {
		var or []string
		for _, pfx := range f.Addrs {
			c := sqlString(pfx.Masked().String())
			or = append(or, fmt.Sprintf("contains(%s, try_cast(srcaddr AS IPADDRESS)) OR contains(%s, try_cast(dstaddr AS IPADDRESS))", c, c))
		}
		w = append(w, "("+strings.Join(or, " OR ")+")")
	}
	if len(f.Ports) > 0 {
		w = append(w, "("+intList("srcport", f.Ports)+" OR "+intList("dstport", f.Ports)+")")
	}
	if len(f.Protocols) > 0 {
		w = append(w, intList("protocol", f.Protocols))
	}
	return append(w, extra...)
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return "WHERE " + strings.Join(conds, "\n  AND ") + "\n"
}

func seconds(d time.Duration) int64 { return max(int64(d/time.Second), 1) }

// SQL returns the query of a report.
func SQL(report string, p Params) (string, error) {
	if err := p.Table.fill(); err != nil {
		return "", err
	}
	cfg := p.Config.WithDefaults()
	for _, a := range cfg.Filter.Addrs {
		if !a.IsValid() {
			return "", fmt.Errorf("bad address filter")
		}
	}
	from := "FROM " + p.Table.Ref() + "\n"
	scanActions := "action = 'REJECT'"
	if cfg.ScanAccepted {
		scanActions = "action IN ('ACCEPT', 'REJECT')"
	}
	var q string
	switch report {
	case "summary":
		q = "SELECT count(*) AS records,\n" +
			"  count_if(action = 'ACCEPT') AS accepted,\n" +
			"  count_if(action = 'REJECT') AS rejected,\n" +
			"  count_if(log_status = 'NODATA') AS nodata,\n" +
			"  count_if(log_status = 'SKIPDATA') AS skipdata,\n" +
			"  coalesce(sum(bytes), 0) AS bytes,\n" +
			"  coalesce(sum(packets), 0) AS packets,\n" +
			"  from_unixtime(min(\"start\")) AS first_start,\n" +
			"  from_unixtime(max(\"end\")) AS last_end\n" +
			from + whereClause(p.where())
	case "top-rejected-sources", "top-rejected-destinations":
		col := "srcaddr"
		if report == "top-rejected-destinations" {
			col = "dstaddr"
		}
		name := map[string]string{"srcaddr": "source", "dstaddr": "destination"}[col]
		q = fmt.Sprintf("SELECT %s AS %s, count(*) AS records\n", col, name) + from +
			whereClause(p.where("action = 'REJECT'", col+" IS NOT NULL", col+" <> '-'")) +
			fmt.Sprintf("GROUP BY %s\nORDER BY records DESC, %s\nLIMIT %d\n", col, name, cfg.TopN)
	case "top-rejected-ports":
		q = "SELECT dstport AS port, protocol, count(*) AS records\n" + from +
			whereClause(p.where("action = 'REJECT'", "dstport IS NOT NULL")) +
			fmt.Sprintf("GROUP BY dstport, protocol\nORDER BY records DESC, port, protocol\nLIMIT %d\n", cfg.TopN)
	case "top-talkers":
		q = "SELECT srcaddr AS source, dstaddr AS destination, sum(bytes) AS bytes\n" + from +
			whereClause(p.where("bytes > 0", "action <> 'REJECT'", "srcaddr <> '-'", "dstaddr <> '-'")) +
			fmt.Sprintf("GROUP BY srcaddr, dstaddr\nORDER BY bytes DESC, source, destination\nLIMIT %d\n", cfg.TopN)
	case "vertical-scans":
		w := seconds(cfg.VerticalWindow)
		q = fmt.Sprintf("SELECT srcaddr AS source, dstaddr AS destination,\n"+
			"  from_unixtime((\"start\" / %d) * %d) AS window_start,\n"+
			"  count(DISTINCT dstport) AS distinct_ports, count(*) AS records,\n"+
			"  from_unixtime(min(\"start\")) AS first_seen, from_unixtime(max(\"start\")) AS last_seen\n", w, w) + from +
			whereClause(p.where(scanActions, "dstport IS NOT NULL", "srcaddr <> '-'", "dstaddr <> '-'")) +
			fmt.Sprintf("GROUP BY srcaddr, dstaddr, \"start\" / %d\nHAVING count(DISTINCT dstport) >= %d\nORDER BY window_start, distinct_ports DESC, source, destination\n", w, cfg.VerticalPorts)
	case "horizontal-scans":
		w := seconds(cfg.HorizontalWindow)
		q = fmt.Sprintf("SELECT srcaddr AS source, dstport AS port, protocol,\n"+
			"  from_unixtime((\"start\" / %d) * %d) AS window_start,\n"+
			"  count(DISTINCT dstaddr) AS distinct_hosts, count(*) AS records,\n"+
			"  from_unixtime(min(\"start\")) AS first_seen, from_unixtime(max(\"start\")) AS last_seen\n", w, w) + from +
			whereClause(p.where(scanActions, "dstport IS NOT NULL", "srcaddr <> '-'", "dstaddr <> '-'")) +
			fmt.Sprintf("GROUP BY srcaddr, dstport, protocol, \"start\" / %d\nHAVING count(DISTINCT dstaddr) >= %d\nORDER BY window_start, distinct_hosts DESC, source, port\n", w, cfg.HorizontalHosts)
	case "brute-force":
		w := seconds(cfg.BruteForceWindow)
		q = fmt.Sprintf("SELECT srcaddr AS source, dstport AS port, protocol,\n"+
			"  from_unixtime((\"start\" / %d) * %d) AS window_start,\n"+
			"  count(*) AS rejects, count(DISTINCT dstaddr) AS distinct_hosts,\n"+
			"  from_unixtime(min(\"start\")) AS first_seen, from_unixtime(max(\"start\")) AS last_seen\n", w, w) + from +
			whereClause(p.where("action = 'REJECT'", intList("dstport", cfg.BruteForcePorts), "srcaddr <> '-'")) +
			fmt.Sprintf("GROUP BY srcaddr, dstport, protocol, \"start\" / %d\nHAVING count(*) >= %d\nORDER BY window_start, rejects DESC, source, port\n", w, cfg.BruteForceRejects)
	case "skipdata":
		q = "SELECT interface_id AS interface, count(*) AS records,\n" +
			"  count_if(log_status = 'SKIPDATA') AS skipdata,\n" +
			"  round(100.0 * count_if(log_status = 'SKIPDATA') / count(*), 2) AS skipdata_pct\n" + from +
			whereClause(p.where()) +
			"GROUP BY interface_id\nHAVING count_if(log_status = 'SKIPDATA') > 0\nORDER BY skipdata_pct DESC, skipdata DESC, interface\n"
	default:
		return "", fmt.Errorf("unknown report %q (want one of %s, or all)", report, strings.Join(Reports, ", "))
	}
	// Every column a query names must be in the table.
	for _, need := range neededColumns(report, p) {
		if !slices.Contains(p.Table.Format.Names, need) {
			return "", fmt.Errorf("report %s needs the %s field, which the table's format does not have", report, need)
		}
	}
	return q, nil
}

func neededColumns(report string, p Params) []string {
	need := map[string][]string{
		"summary":                   {"action", "log-status", "bytes", "packets", "start", "end"},
		"top-rejected-sources":      {"action", "srcaddr"},
		"top-rejected-destinations": {"action", "dstaddr"},
		"top-rejected-ports":        {"action", "dstport", "protocol"},
		"top-talkers":               {"srcaddr", "dstaddr", "bytes", "action"},
		"vertical-scans":            {"action", "srcaddr", "dstaddr", "dstport", "start"},
		"horizontal-scans":          {"action", "srcaddr", "dstaddr", "dstport", "protocol", "start"},
		"brute-force":               {"action", "srcaddr", "dstaddr", "dstport", "protocol", "start"},
		"skipdata":                  {"interface-id", "log-status"},
	}[report]
	f := p.Config.Filter
	if !f.Since.IsZero() || !f.Until.IsZero() {
		need = append(need, "start")
	}
	if len(f.VPCs) > 0 {
		need = append(need, "vpc-id")
	}
	if len(f.Interfaces) > 0 {
		need = append(need, "interface-id")
	}
	if len(f.Accounts) > 0 {
		need = append(need, "account-id")
	}
	return need
}
