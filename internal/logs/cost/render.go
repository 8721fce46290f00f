package cost

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/human"
	"github.com/flowguard/flowguard/internal/textsafe"
)

// Money renders an amount in the table's currency: "$1,234.56"; under a cent "<$0.01"; "EUR 3.10" for others.
func Money(currency string, v float64) string {
	sym, suffix := "$", ""
	if currency != "USD" {
		sym, suffix = "", " "+currency
	}
	if v > 0 && v < 0.005 {
		return "<" + sym + "0.01" + suffix
	}
	cents := int64(math.Round(v * 100))
	return sym + human.Count(cents/100) + "." + fmt.Sprintf("%02d", cents%100) + suffix
}

func bytesF(f float64) string { return human.Bytes(int64(math.Round(f))) }

// shortNames are the column titles of the per-group table.
var shortNames = map[string]string{
	"cloudwatch-standard": "CWL STANDARD", "cloudwatch-infrequent-access": "CWL INFREQUENT", "s3-text": "S3 TEXT",
	"s3-parquet": "S3 PARQUET", "firehose": "FIREHOSE",
}

// WriteTable prints the estimate for people: the price table and its date first, then every destination and
// traffic type, then the top groups (VPCs or interfaces) by volume.
func WriteTable(w io.Writer, e *Estimate, top int) error {
	var b strings.Builder
	p := e.Prices
	cur := p.Currency
	fmt.Fprintf(&b, "Flow-log cost estimate, prices: %s, region %s, %s as of %s\n", textsafe.Terminal(p.File), textsafe.Terminal(p.Region),
		textsafe.Terminal(cur), textsafe.Terminal(p.AsOf))
	span := time.Duration(e.SpanSeconds) * time.Second
	fmt.Fprintf(&b, "Read %s records over %s (%s to %s): %s of text, %s REJECT by volume\n", human.Count(e.Read.Records), span,
		time.Unix(e.From, 0).UTC().Format(time.RFC3339), time.Unix(e.To, 0).UTC().Format(time.RFC3339),
		human.Bytes(e.Read.LineBytes), pct(e.RejectShare))
	fmt.Fprintf(&b, "Per day: %s records, %s of text (REJECT only: %s records, %s); a month is %s days; storage at steady state with %d days' retention\n\n",
		human.Count(e.PerDay.Records), human.Bytes(e.PerDay.LineBytes), human.Count(e.PerDay.RejectRecords), human.Bytes(e.PerDay.RejectLineBytes),
		strconv.FormatFloat(p.Assume.DaysPerMonth, 'f', -1, 64), e.RetentionDays)
	t := &human.Table{Indent: "  ", Right: map[int]bool{2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true}}
	t.Header("DESTINATION", "TRAFFIC", "RECORDS/MONTH", "VOLUME/MONTH", "DELIVERY", "EXTRA", "STORED", "STORAGE", "TOTAL/MONTH")
	for _, l := range e.Lines {
		extra := "-"
		if l.Extra > 0 {
			extra = Money(cur, l.Extra)
		}
		stored, storage := "-", "-"
		if l.StoredBytes > 0 {
			stored, storage = bytesF(l.StoredBytes), Money(cur, l.Storage)
		}
		t.Row(l.Name, l.Traffic, human.Count(int64(math.Round(l.Records))), bytesF(l.Bytes), Money(cur, l.Delivery), extra, stored, storage, Money(cur, l.Total))
	}
	b.WriteString(t.String())
	if len(e.Groups) > 0 {
		title := "VPC"
		if e.GroupedBy == "interface" {
			title = "INTERFACE"
		}
		fmt.Fprintf(&b, "\nPer %s, monthly (ALL / REJECT only), share of the totals above:\n", strings.ToLower(title))
		g := &human.Table{Indent: "  ", Right: map[int]bool{}}
		head := []string{title, "RECORDS READ", "TEXT/DAY", "REJECT"}
		for i, c := range e.Groups[0].PerDest {
			n := shortNames[c.Destination]
			if n == "" {
				n = strings.ToUpper(c.Destination)
			}
			head = append(head, n)
			g.Right[4+i] = true
		}
		g.Right[1], g.Right[2], g.Right[3] = true, true, true
		g.Header(head...)
		for i, s := range e.Groups {
			if top > 0 && i == top {
				break
			}
			row := []string{s.Key, human.Count(s.Records), bytesF(s.BytesPerDay), pct(s.RejectShare)}
			for _, c := range s.PerDest {
				row = append(row, Money(cur, c.All)+" / "+Money(cur, c.Reject))
			}
			g.Row(row...)
		}
		b.WriteString(g.String())
		if n := len(e.Groups) - top; top > 0 && n > 0 {
			fmt.Fprintf(&b, "  … and %s more (all of them in -o json)\n", human.Plural(n, strings.ToLower(title)))
		}
	}
	if e.Input != nil {
		for _, re := range e.Input.ReadErrors {
			fmt.Fprintf(&b, "\nnot read: %s: %s", textsafe.Terminal(re.Source), textsafe.Terminal(re.Error))
		}
		if e.Input.Stats.Malformed > 0 {
			fmt.Fprintf(&b, "\n%s malformed lines skipped", human.Count(e.Input.Stats.Malformed))
			for _, m := range e.Input.Stats.Samples {
				fmt.Fprintf(&b, "\n  %s", textsafe.Terminal(m.String()))
			}
		}
		if len(e.Input.ReadErrors) > 0 || e.Input.Stats.Malformed > 0 {
			b.WriteString("\n")
		}
	}
	b.WriteString("\nAssumptions: volume = the records' text as read (CloudWatch Logs: each record is an event, its text + " +
		strconv.FormatFloat(p.Assume.EventOverhead, 'f', -1, 64) + " bytes); gzip compresses text " + strconv.FormatFloat(p.Assume.GzipRatio, 'f', -1, 64) +
		"x, Parquet is " + strconv.FormatFloat(p.Assume.ParquetVsGzip, 'f', -1, 64) + " of gzip text; tiers apply to the volume read, per account and region; requests, queries and the Firehose destination's storage are not included.\n")
	for _, n := range e.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }
