package engine

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/engine/checks"
	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source"
	"github.com/flowguard/flowguard/internal/source/iac"
)

// TestUserCheckSaysUnknownLikeTheBuiltin: unknown values are data, so a user's check over a Terraform value
// the files cannot decide (traffic_type = var.t, no default) is UNKNOWN like the built-in check, with the
// reason and the file:line of the value — and only when its verdict actually reads that value.
func TestUserCheckSaysUnknownLikeTheBuiltin(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.tf"), `variable "t" {}

resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_flow_log" "f" {
  vpc_id          = aws_vpc.v.id
  traffic_type    = var.t
  log_destination = "arn:aws:s3:::flow-bucket"
  log_destination_type = "s3"
}
`)
	parse := func(src string) *checks.Check {
		t.Helper()
		c, err := checks.Parse("user.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	const head = "title: t\nseverity: high\ndescription: d\nexpect: eq []\n"
	user := []*checks.Check{
		// A VPC-level rule, as a user would write the control for their own policy.
		parse("id: vpc-logs-all\nasset_types: [VPC]\n" + head +
			"query: 'vpcs(where: {hasFlowLog_NONE: {flowLogStatus: \"ACTIVE\", trafficType: \"ALL\"}}){id}'\n"),
		// A flow-log rule whose PASS, as declared, rests on the unknown: not a PASS either.
		parse("id: no-accept-only\nasset_types: [FlowLog]\n" + head +
			"query: 'flowLogs(where: {trafficType: \"ACCEPT\"}){id}'\n"),
		// A rule that does not read the unknown value keeps its verdict.
		parse("id: active\nasset_types: [FlowLog]\n" + head +
			"query: 'flowLogs(where: {flowLogStatus_NOT: \"ACTIVE\"}){id}'\n"),
	}
	cs := append(checks.Builtin(), user...)
	res, err := scanIaC([]string{dir}, Options{Now: fixed, Checks: cs})
	if err != nil {
		t.Fatal(err)
	}
	at := filepath.ToSlash(filepath.Join(dir, "main.tf")) + ":9"
	byCheck := map[string]finding.Finding{}
	for _, f := range res.Findings {
		byCheck[f.CheckID] = f
	}
	for _, id := range []string{"vpc-flow-logs-enabled", "vpc-logs-all", "no-accept-only"} {
		f, ok := byCheck[id]
		if !ok {
			t.Errorf("%s: no finding", id)
			continue
		}
		if f.Status != finding.StatusUnknown || f.Reason != iac.ReasonUnresolved {
			t.Errorf("%s: %s %s, want UNKNOWN UNRESOLVED (%s)", id, f.Status, f.Reason, f.Message)
		}
		for _, want := range []string{"traffic_type", "var.t", at} {
			if !strings.Contains(f.Message, want) {
				t.Errorf("%s: message %q does not say %q", id, f.Message, want)
			}
		}
	}
	if f := byCheck["active"]; f.Status != finding.StatusPass {
		t.Errorf("active: %s %s %s, want PASS: its verdict does not read the unknown", f.Status, f.Reason, f.Message)
	}
}

// TestNoCodeDecidesUnknownByCheckID: no Go code that makes a finding UNKNOWN names a built-in check (by id or
// by the constants that hold the ids), so no code can treat them apart from a user's checks.
func TestNoCodeDecidesUnknownByCheckID(t *testing.T) {
	root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(strings.TrimSpace(string(root)), "internal")
	for _, id := range []string{"vpc-flow-logs-enabled", "vpc-flow-logs-retention", "CheckEnabled", "CheckRetention"} {
		err := filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if strings.Contains(string(src), id) && setsUnknown.Match(src) {
				t.Errorf("%s names %s and decides UNKNOWN: the engine, not code that knows a check, decides", p, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// setsUnknown matches code that gives a finding the status UNKNOWN.
var setsUnknown = regexp.MustCompile(`Status(, [\w.]+)* = (finding\.)?StatusUnknown|Status:\s*(finding\.)?StatusUnknown`)

// TestSnapshotOfIaCKeepsUnknown: the inventory an IaC scan reads, saved and read back, still says what it does
// not know, so evaluating the saved snapshot gives the same UNKNOWN verdicts.
func TestSnapshotOfIaCKeepsUnknown(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "main.tf"), `variable "t" {}
resource "aws_vpc" "v" {}
resource "aws_flow_log" "f" {
  vpc_id       = aws_vpc.v.id
  traffic_type = var.t
}
`)
	inputs, err := source.Discover([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	units, errs := source.Read(inputs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var buf bytes.Buffer
	if err := source.Snapshot(units, fixed()).Encode(&buf); err != nil {
		t.Fatal(err)
	}
	snap, err := inventory.Decode("iac.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	res := evalSnapshot(snap, Options{})
	n := 0
	for _, f := range res.Findings {
		if f.ResourceID == "aws_vpc.v" && f.Status == finding.StatusUnknown && f.Reason == iac.ReasonUnresolved &&
			strings.Contains(f.Message, "var.t") {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no UNKNOWN finding on aws_vpc.v after the round trip: %+v", res.Findings)
	}
}
