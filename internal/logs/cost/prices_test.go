package cost_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/logs/cost"
)

func TestBuiltinPricesValid(t *testing.T) {
	p := cost.Builtin()
	if p.Region == "" || p.AsOf == "" || len(p.Sources) < 3 {
		t.Fatalf("built-in table lacks region, date or sources: %+v", p)
	}
}

// TestPriceFileErrors: every mistake in a price file is named with file:line, all of them at once.
func TestPriceFileErrors(t *testing.T) {
	good := string(cost.BuiltinJSON())
	for _, c := range []struct {
		name, old, new string
		want           []string
	}{
		{"syntax", `"region": "us-east-1",`, `"region": "us-east-1",,`, []string{"p.json:3:", "invalid character"}},
		{"unknown field", `"currency": "USD",`, `"currency": "USD", "curency": 1,`, []string{"p.json:4:", "curency"}},
		{"negative price", `{"up_to_tb": 10, "usd_per_gb": 0.50}`, `{"up_to_tb": 10, "usd_per_gb": -0.50}`, []string{"p.json:28:", "price -0.5"}},
		{"tiers out of order", `{"up_to_tb": 30, "usd_per_gb": 0.25},
        {"up_to_tb": 50, "usd_per_gb": 0.10},`, `{"up_to_tb": 30, "usd_per_gb": 0.25},
        {"up_to_tb": 20, "usd_per_gb": 0.10},`, []string{"p.json:30:", "up_to_tb 20"}},
		{"two errors", `"gzip_ratio": 6.0,`, `"gzip_ratio": 0,`, []string{"p.json:18:", "gzip_ratio"}},
		{"wrong type", `"days_per_month": 30.4375,`, `"days_per_month": "thirty",`, []string{"p.json:17:", "days_per_month"}},
		{"bad volume", `"volume": "line",`, `"volume": "lines",`, []string{"p.json:52:", `volume "lines"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(good, c.old) {
				t.Fatalf("the built-in table no longer contains %q", c.old)
			}
			path := filepath.Join(t.TempDir(), "p.json")
			if err := os.WriteFile(path, []byte(strings.Replace(good, c.old, c.new, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := cost.LoadPrices(path)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), strings.Replace(w, "p.json", path, 1)) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func FuzzParsePrices(f *testing.F) {
	f.Add(cost.BuiltinJSON())
	f.Add([]byte(`{"schema": "flowguard.prices/v1", "destinations": [{"delivery_tiers": [{}]}]}`))
	f.Add([]byte(`[1, 2`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := cost.ParsePrices("fuzz.json", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, d := range p.Destinations {
			if len(d.DeliveryTiers) == 0 || d.DeliveryTiers[len(d.DeliveryTiers)-1].UpToTB != 0 {
				t.Fatalf("accepted tiers %+v", d.DeliveryTiers)
			}
		}
	})
}

func TestDestinationFor(t *testing.T) {
	for _, c := range [][3]string{{"cloud-watch-logs", "", "cloudwatch-standard"}, {"s3", "plain-text", "s3-text"}, {"s3", "parquet", "s3-parquet"}, {"kinesis-data-firehose", "", "firehose"}} {
		if got := cost.DestinationFor(c[0], c[1]); got != c[2] {
			t.Errorf("%s %s: %s, want %s", c[0], c[1], got, c[2])
		}
	}
}

// FuzzDecodeEstimate: what fix --cost-from reads is untrusted: any input is an estimate with sane costs or an
// error naming the file, and a plan can be priced from whatever decodes.
func FuzzDecodeEstimate(f *testing.F) {
	f.Add([]byte(`{"schema":"flowguard.logs-cost/v1","grouped_by":"vpc","groups":[{"id":"vpc-1","monthly":[{"destination":"cloudwatch-standard","all":1.5,"reject":0.1}]}]}`))
	f.Add([]byte(`{"schema":"flowguard.logs-cost/v1","groups":[{"monthly":[{"all":-1}]}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := cost.DecodeEstimate("fuzz.json", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		pe, err := cost.ForPlan(e, "fuzz.json", []string{"vpc-1", "vpc-2"}, "cloudwatch-standard", "REJECT")
		if err == nil && (pe.Total < 0 || len(pe.VPCs)+len(pe.NotEstimated) != 2) {
			t.Fatalf("plan estimate %+v", pe)
		}
	})
}
