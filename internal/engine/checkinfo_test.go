package engine_test

import (
	"bytes"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/engine"
	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/engine/graph/graphtest"
	"github.com/flowguard/flowguard/internal/sink/report"
	"github.com/flowguard/flowguard/internal/source"
)

// The engine describes every check it ran in Result.Checks, user checks as well as built-in ones, so the
// reports that explain their rules (SARIF help, the HTML report) carry a user check's description and
// remediation without being told about it any other way (report.Options stays empty here).
func TestResultChecksReachSARIFAndHTML(t *testing.T) {
	user, err := checks.LoadDir("checks/testdata")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := checks.Merge(checks.Builtin(), user)
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := engine.Evaluate(t.Context(), source.Static(graphtest.Snapshot(), "fixture"), engine.Options{Checks: cs})
	if err != nil {
		t.Fatal(err)
	}
	const id = "internet-exposed-vpcs-log-all-traffic"
	const desc = "A VPC with an internet gateway has an active flow log capturing ALL traffic."
	const remedy = "Recreate the VPC's flow log with --traffic-type ALL."
	if len(res.Checks) != len(cs) {
		t.Fatalf("Result.Checks has %d checks, want the %d that ran", len(res.Checks), len(cs))
	}
	found := false
	for _, c := range res.Checks {
		if c.ID == id {
			found = true
			if c.Description != desc || c.Remediation != remedy || c.Title == "" || len(c.Controls) != 1 {
				t.Errorf("Result.Checks entry of the user check: %+v", c)
			}
		}
	}
	if !found {
		t.Fatalf("Result.Checks lacks the user check %s: %+v", id, res.Checks)
	}

	for _, name := range []string{"sarif", "html"} {
		f, err := report.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf, res, report.Options{}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if name == "html" {
			out = html.UnescapeString(out)
		}
		for _, want := range []string{desc, remedy} {
			if !strings.Contains(out, want) {
				t.Errorf("%s report lacks the user check's %q", name, want)
			}
		}
	}
}

// --max-delivery-lag's default is the delivering check's maxDeliveryLagSeconds (7200 in its YAML).
func TestDefaultMaxDeliveryLag(t *testing.T) {
	if got := engine.DefaultMaxDeliveryLag(); got != 2*time.Hour {
		t.Errorf("%v", got)
	}
}
