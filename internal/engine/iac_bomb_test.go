package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
)

// TestIterationBombsAreUnknownPromptly: nested for expressions (each range is capped at 1,024 elements, their
// product is not) and setproduct build billions of values. They become UNKNOWN with the reason, in seconds
// (the deadline is generous for a loaded CI runner); the test fails instead of hanging if they do not.
func TestIterationBombsAreUnknownPromptly(t *testing.T) {
	for _, c := range []struct{ name, expr string }{
		{"nested for", `[for a in range(1024) : [for b in range(1024) : [for c in range(1024) : c]]]`},
		{"range in a for body", `[for a in range(1024) : [for b in range(1024) : range(1024)]]`},
		{"for in a template", `"%{for a in range(1024)}%{for b in range(1024)}%{for c in range(1024)}x%{endfor}%{endfor}%{endfor}"`},
		{"setproduct", `setproduct(range(1024), range(1024), range(1024))`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir+"/main.tf", fmt.Sprintf(`
locals {
  bomb = %s
}
resource "aws_vpc" "v" {}
resource "aws_flow_log" "f" {
  vpc_id               = aws_vpc.v.id
  traffic_type         = length(local.bomb) > 0 ? "REJECT" : "REJECT"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`, c.expr))
			r := scanDeadline(t, []string{dir}, 30*time.Second)
			if len(r.Findings) != 1 || r.Findings[0].Status != finding.StatusUnknown {
				t.Fatalf("%v, want one UNKNOWN", verdicts(r))
			}
			if msg := r.Findings[0].Message; !strings.Contains(msg, "more than flowguard evaluates") {
				t.Errorf("message %q does not say why", msg)
			}
		})
	}
}

// TestModestIterationStillEvaluates: the bound leaves ordinary for expressions alone.
func TestModestIterationStillEvaluates(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/main.tf", `
locals {
  azs   = [for a in ["a", "b", "c"] : "eu-west-1${a}"]
  pairs = [for p in setproduct(local.azs, range(100)) : join("-", [p[0], tostring(p[1])])]
  grid  = flatten([for x in range(100) : [for y in range(100) : x * y]])
}
resource "aws_vpc" "v" {}
resource "aws_flow_log" "f" {
  vpc_id               = aws_vpc.v.id
  traffic_type         = length(local.pairs) == 300 && length(local.grid) == 10000 ? "ALL" : "REJECT"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`)
	r := scanWithin(t, []string{dir})
	if len(r.Findings) != 1 || r.Findings[0].Status != finding.StatusPass {
		t.Fatalf("%v, want one PASS", verdicts(r))
	}
}
