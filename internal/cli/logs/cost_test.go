package logs_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/logs/cost"
)

func TestLogsCost(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "flowlogs")
	if code, _, errOut := runCLI(t, "logs", "generate", "--out-dir", dir, "--records", "20000", "--version", "3"); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "logs", "cost", dir, "-o", "json", "--retention-days", "30")
	if code != 0 {
		t.Fatalf("cost: exit %d: %s", code, errOut)
	}
	var e cost.Estimate
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	if e.Schema != cost.EstimateSchema || e.Read.Records != 20000 || e.RetentionDays != 30 || e.GroupedBy != "vpc" || len(e.Groups) != 1 {
		t.Errorf("estimate %+v", e)
	}
	if e.Prices.Region != "us-east-1" || len(e.Lines) != 10 {
		t.Errorf("prices %+v, %d lines", e.Prices, len(e.Lines))
	}
	code, out, _ = runCLI(t, "logs", "cost", dir, "--group-by", "interface")
	if code != 0 || !strings.Contains(out, "INTERFACE") || !strings.Contains(out, "as of") || !strings.Contains(out, "more (all of them in -o json)") {
		t.Errorf("table (exit %d):\n%s", code, out)
	}
	// A price table of one's own: the built-in one, printed, with S3 at twice the price.
	code, out, _ = runCLI(t, "logs", "cost", "--print-prices")
	if code != 0 {
		t.Fatal(code)
	}
	own := strings.Replace(strings.Replace(out, `"region": "us-east-1"`, `"region": "eu-west-9"`, 1), `"storage_usd_per_gb_month": 0.023`, `"storage_usd_per_gb_month": 0.046`, 1)
	pf := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(pf, []byte(own), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "logs", "cost", dir, "--prices", pf, "-o", "json", "--retention-days", "30")
	var e2 cost.Estimate
	if code != 0 || json.Unmarshal([]byte(out), &e2) != nil {
		t.Fatalf("own prices: exit %d: %s", code, errOut)
	}
	if e2.Prices.Region != "eu-west-9" || e2.Prices.File != pf {
		t.Errorf("own table not stated: %+v", e2.Prices)
	}
	for i, l := range e2.Lines {
		if l.Destination == "s3-text" && l.Storage != 2*e.Lines[i].Storage {
			t.Errorf("S3 storage %v with the doubled price, %v before", l.Storage, e.Lines[i].Storage)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(strings.Replace(own, `"volume": "event"`, `"volume": "evnt"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "logs", "cost", dir, "--prices", bad)
	if code != 3 || !strings.Contains(errOut, bad+":26:") {
		t.Errorf("bad price file: exit %d: %s", code, errOut)
	}
	if code, _, _ = runCLI(t, "logs", "cost"); code != 3 {
		t.Errorf("no input: exit %d", code)
	}
}
