package engine

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source"
)

const vpcModule = `
resource "aws_vpc" "v" {}
`

const passingVPC = `
resource "aws_vpc" "ok" {}
resource "aws_flow_log" "ok" {
  vpc_id               = aws_vpc.ok.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`

// TestModuleNotReadAlwaysSurfaces: a module flowguard did not read may declare the only VPCs there are (or
// VPCs beside passing ones). Every such module call is an UNKNOWN finding at the module block, with the reason,
// and the scan does not exit 0 — even when no VPC is declared anywhere that was read.
func TestModuleNotReadAlwaysSurfaces(t *testing.T) {
	deepChain := func(base, root string) {
		for i := 1; i <= 8; i++ {
			writeFile(t, fmt.Sprintf("%s/m/l%d/main.tf", root, i), fmt.Sprintf("module \"next\" {\n  source = \"../l%d\"\n}\n", i+1))
		}
		writeFile(t, root+"/m/l9/main.tf", vpcModule)
	}
	for _, c := range []struct {
		name, root string // root main.tf; the module block is always on line 2
		setup      func(base, root string)
		why        string
		at         string // the module block not read, under root: "main.tf:2" when empty
	}{
		{"outside the root", "\nmodule \"net\" {\n  source = \"../net\"\n}\n",
			func(base, root string) { writeFile(t, base+"/net/main.tf", vpcModule) }, "outside the scanned path", ""},
		{"outside beside a passing VPC", "\nmodule \"net\" {\n  source = \"../net\"\n}\n" + passingVPC,
			func(base, root string) { writeFile(t, base+"/net/main.tf", vpcModule) }, "outside the scanned path", ""},
		{"does not parse", "\nmodule \"net\" {\n  source = \"./net\"\n}\n",
			func(base, root string) { writeFile(t, root+"/net/main.tf", "resource \"aws_vpc\" \"v\" {\n") }, "could not be read", ""},
		{"missing", "\nmodule \"net\" {\n  source = \"./net\"\n}\n", func(base, root string) {}, "could not be read", ""},
		{"too deep", "\nmodule \"net\" {\n  source = \"./m/l1\"\n}\n", deepChain, "deep", "m/l6/main.tf:1"},
		{"count unknown", "variable \"n\" {}\nmodule \"net\" {\n  source = \"./net\"\n  count  = var.n\n}\n",
			func(base, root string) { writeFile(t, root+"/net/main.tf", vpcModule) }, "var.n", ""},
		{"three instances outside", "\nmodule \"net\" {\n  source = \"../net\"\n  count  = 3\n}\n",
			func(base, root string) { writeFile(t, base+"/net/main.tf", vpcModule) }, "and 2 more instances", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			root := filepath.ToSlash(filepath.Join(base, "root"))
			writeFile(t, root+"/main.tf", c.root)
			c.setup(base, root)
			r := scanWithin(t, []string{root})
			if code := r.Overall(); code == finding.OutcomeOK {
				t.Errorf("exit 0 with a module not read: %v", verdicts(r))
			}
			_, mods := splitModuleFindings(r)
			if len(mods) == 0 {
				t.Fatalf("no finding for the module not read: %v (errors %+v)", verdicts(r), r.Errors)
			}
			at := root + "/main.tf:2"
			if c.at != "" {
				at = root + "/" + c.at
			}
			for _, f := range mods {
				if f.Status != finding.StatusUnknown || f.Location == nil || fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line) != at {
					t.Errorf("%s %s at %+v, want UNKNOWN at %s", f.ResourceID, f.Status, f.Location, at)
				}
				if !strings.Contains(f.Message, "module.net") || !strings.Contains(f.Message, c.why) {
					t.Errorf("message %q lacks module.net and %q", f.Message, c.why)
				}
			}
			if r.Summary.Unknown < len(mods) {
				t.Errorf("summary counts %d UNKNOWN, %d module findings", r.Summary.Unknown, len(mods))
			}
		})
	}
}

// TestNothingReadIsNotAPass: a path with no IaC, or whose every input fails, was not checked; a path with
// valid IaC that declares no VPC passes but says so.
func TestNothingReadIsNotAPass(t *testing.T) {
	t.Run("no IaC at all", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir+"/README.md", "# infra\n")
		writeFile(t, dir+"/values.yaml", "replicas: 3\n")
		writeFile(t, dir+"/.terraform/modules/x/main.tf", vpcModule) // hidden: never scanned
		_, err := scanIaC([]string{dir}, Options{Now: fixed})
		if !errors.Is(err, source.ErrNothingFound) || !strings.Contains(err.Error(), "no Terraform, CloudFormation or plan files under "+dir) {
			t.Errorf("err %v, want ErrNothingFound naming %s", err, dir)
		}
	})
	t.Run("every input fails", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir+"/a/main.tf", "resource \"aws_vpc\" \"v\" {\n")
		writeFile(t, dir+"/b/main.tf", "resource \"aws_vpc\" {{{\n")
		r := scanWithin(t, []string{dir})
		if r.Overall() != finding.OutcomeIncomplete {
			t.Errorf("exit %d, want %d", r.Overall(), finding.OutcomeIncomplete)
		}
		if !hasError(r, "nothing was read") {
			t.Errorf("errors %+v lack \"nothing was read\"", r.Errors)
		}
	})
	t.Run("one of two paths empty", func(t *testing.T) {
		good, empty := t.TempDir(), t.TempDir()
		writeFile(t, good+"/main.tf", passingVPC)
		writeFile(t, empty+"/notes.txt", "x")
		r := scanWithin(t, []string{good, empty})
		if r.Summary.Pass == 0 || r.Overall() != finding.OutcomeIncomplete {
			t.Errorf("%v exit %d, want the PASS of the good path and exit 2", verdicts(r), r.Overall())
		}
		if !hasError(r, "no Terraform, CloudFormation or plan files under "+empty) {
			t.Errorf("errors %+v do not name %s", r.Errors, empty)
		}
	})
	t.Run("valid IaC without VPCs", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir+"/main.tf", "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n")
		r := scanWithin(t, []string{dir})
		if r.Overall() != finding.OutcomeOK || len(r.Errors) > 0 {
			t.Errorf("exit %d, errors %+v: want 0", r.Overall(), r.Errors)
		}
		if !strings.Contains(strings.Join(r.Notes, "\n"), "0 VPCs declared") {
			t.Errorf("notes %q lack \"0 VPCs declared\"", r.Notes)
		}
	})
}

func hasError(r *finding.Result, s string) bool {
	for _, e := range r.Errors {
		if strings.Contains(e.Message, s) {
			return true
		}
	}
	return false
}
