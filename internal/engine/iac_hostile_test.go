//go:build unix

package engine

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/sink/report"
)

// The IaC under scan is untrusted: a pull request writes it, and the scan runs on a CI runner whose
// environment holds cloud credentials. These tests play the pull request.

const secretEnv = "FLOWGUARD_TEST_AWS_SECRET_ACCESS_KEY"
const secretValue = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYSECRETKEY"

// render writes a result in every machine format a CI job uploads.
func render(t *testing.T, r *finding.Result) string {
	t.Helper()
	var all bytes.Buffer
	for _, name := range []string{"sarif", "json"} {
		f, err := report.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Write(&all, r, report.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	return all.String()
}

// TestHostileFileFunctionLeaksNothing: file("/proc/self/environ") in a pull request must not put the CI
// runner's credentials into the SARIF. The scan runs in a child process started with a secret in its
// environment (the initial environment is what /proc/self/environ shows).
func TestHostileFileFunctionLeaksNothing(t *testing.T) {
	if os.Getenv("FLOWGUARD_HOSTILE_CHILD") == "1" {
		hostileChild(t)
		return
	}
	outside := t.TempDir()
	secretFile := filepath.Join(outside, "credentials")
	writeFile(t, secretFile, "[default]\naws_secret_access_key = "+secretValue+"\n")
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	writeFile(t, filepath.Join(base, "outside.txt"), secretValue)
	writeFile(t, root+"/main.tf", fmt.Sprintf(`
resource "aws_vpc" "v" {
  tags = {
    Env   = file("/proc/self/environ")
    Abs   = file(%q)
    Rel   = file("../outside.txt")
    B64   = filebase64("/proc/self/environ")
    Tmpl  = templatefile(%q, {})
  }
}
resource "aws_flow_log" "f" {
  vpc_id               = aws_vpc.v.id
  traffic_type         = file("/proc/self/environ")
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`, secretFile, secretFile))
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileFileFunctionLeaksNothing$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FLOWGUARD_HOSTILE_CHILD=1", "FLOWGUARD_HOSTILE_ROOT="+root, secretEnv+"="+secretValue)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	if strings.Contains(out, secretValue) || strings.Contains(stderr.String(), secretValue) {
		t.Fatalf("the secret is in the output:\n%s", out)
	}
	for _, want := range []string{"UNKNOWN", `file(\"/proc/self/environ\") not read`, "is outside the scanned path", "CHILD-DONE"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func hostileChild(t *testing.T) {
	if os.Getenv(secretEnv) != secretValue {
		t.Fatal("child started without the secret")
	}
	r := scanWithin(t, []string{os.Getenv("FLOWGUARD_HOSTILE_ROOT")})
	os.Stdout.WriteString(render(t, r))
	if len(r.Findings) != 1 || r.Findings[0].Status != finding.StatusUnknown {
		t.Errorf("findings %v, want one UNKNOWN", verdicts(r))
	}
	os.Stdout.WriteString("\nCHILD-DONE\n")
}

// TestFileFunctionOnlyReadsRegularFilesInside: /dev/zero, a FIFO, a symlink out of the root, a file over the
// cap: each is UNKNOWN, promptly, with a reason naming the function; a file inside the root is read.
func TestFileFunctionOnlyReadsRegularFilesInside(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, outside+"/traffic.txt", "ALL")
	const tmpl = `
resource "aws_vpc" "v" {}
resource "aws_flow_log" "f" {
  vpc_id               = aws_vpc.v.id
  traffic_type         = trimspace(file(%q))
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`
	for _, c := range []struct {
		name, arg string
		setup     func(dir string)
		want      finding.Status
		why       string
	}{
		{"inside", "traffic.txt", func(dir string) { writeFile(t, dir+"/traffic.txt", "ALL\n") }, finding.StatusPass, ""},
		{"inside through path.module", "${path.module}/t/traffic.txt", func(dir string) { writeFile(t, dir+"/t/traffic.txt", "ALL\n") }, finding.StatusPass, ""},
		{"dev zero", "/dev/zero", func(string) {}, finding.StatusUnknown, "is outside the scanned path"},
		{"symlink to dev zero", "zero", func(dir string) { symlink(t, "/dev/zero", dir+"/zero") }, finding.StatusUnknown, "is outside the scanned path"},
		{"fifo", "pipe", func(dir string) {
			if err := syscall.Mkfifo(dir+"/pipe", 0o644); err != nil {
				t.Fatal(err)
			}
		}, finding.StatusUnknown, "is not a regular file"},
		{"symlink out", "traffic.txt", func(dir string) { symlink(t, outside+"/traffic.txt", dir+"/traffic.txt") }, finding.StatusUnknown, "is outside the scanned path"},
		{"dotdot out", "../" + filepath.Base(outside) + "/traffic.txt", func(string) {}, finding.StatusUnknown, "is outside the scanned path"},
		{"too large", "big.txt", func(dir string) { writeFile(t, dir+"/big.txt", strings.Repeat("A", 2<<20)) }, finding.StatusUnknown, "is too large"},
		{"directory", "sub", func(dir string) { os.MkdirAll(dir+"/sub", 0o755) }, finding.StatusUnknown, "is not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "root")
			writeFile(t, dir+"/main.tf", fmt.Sprintf(tmpl, c.arg))
			c.setup(dir)
			r := scanWithin(t, []string{dir})
			if len(r.Findings) != 1 || r.Findings[0].Status != c.want {
				t.Fatalf("%v, want one %s", verdicts(r), c.want)
			}
			if msg := r.Findings[0].Message; c.why != "" && (!strings.Contains(msg, "file(") || !strings.Contains(msg, c.why)) {
				t.Errorf("message %q lacks file( and %q", msg, c.why)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestModulesStayInsideTheRoot: a local module outside the scanned path, directly or through a symlink, is
// not read; the VPC it could cover is UNKNOWN with the reason. Inside, it is read.
func TestModulesStayInsideTheRoot(t *testing.T) {
	const flowLogModule = `
variable "vpc_id" {}
resource "aws_flow_log" "f" {
  vpc_id               = var.vpc_id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`
	for _, c := range []struct {
		name, source string
		setup        func(base, root string)
		want         finding.Status
		why          string
	}{
		{"inside", "./mods/fl", func(base, root string) { writeFile(t, root+"/mods/fl/main.tf", flowLogModule) }, finding.StatusPass, ""},
		{"dotdot", "../mods/fl", func(base, root string) { writeFile(t, base+"/mods/fl/main.tf", flowLogModule) }, finding.StatusUnknown, "outside the scanned path"},
		{"deep dotdot", "../../../../../../../../etc", func(base, root string) {}, finding.StatusUnknown, "outside the scanned path"},
		{"symlink", "./mods/fl", func(base, root string) {
			writeFile(t, base+"/elsewhere/main.tf", flowLogModule)
			os.MkdirAll(root+"/mods", 0o755)
			symlink(t, base+"/elsewhere", root+"/mods/fl")
		}, finding.StatusUnknown, "outside the scanned path"},
		{"tf file symlinked out", "./mods/fl", func(base, root string) {
			writeFile(t, base+"/elsewhere/main.tf", flowLogModule)
			os.MkdirAll(root+"/mods/fl", 0o755)
			symlink(t, base+"/elsewhere/main.tf", root+"/mods/fl/main.tf")
		}, finding.StatusUnknown, "outside the scanned path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			root := base + "/root"
			writeFile(t, root+"/main.tf", fmt.Sprintf("resource \"aws_vpc\" \"v\" {}\nmodule \"fl\" {\n  source = %q\n  vpc_id = aws_vpc.v.id\n}\n", c.source))
			c.setup(base, root)
			r := scanWithin(t, []string{root})
			vpcs, mods := splitModuleFindings(r)
			if len(vpcs) != 1 || vpcs[0].Status != c.want {
				t.Fatalf("%v, want one %s", verdicts(r), c.want)
			}
			if c.why != "" && !strings.Contains(vpcs[0].Message, c.why) {
				t.Errorf("message %q lacks %q", vpcs[0].Message, c.why)
			}
			if c.want == finding.StatusUnknown && (len(mods) == 0 || !strings.Contains(mods[0].Message, c.why)) {
				t.Errorf("no finding of the module not read: %v", verdicts(r))
			}
		})
	}
}

// TestNonRegularInputsDoNotHang: a FIFO named like a template or a .tf file is never opened for a blocking
// read; the rest is scanned.
func TestNonRegularInputsDoNotHang(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/ok/main.tf", `resource "aws_vpc" "v" {}`)
	for _, p := range []string{dir + "/template.yaml", dir + "/plan.json", dir + "/bad/main.tf"} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := scanWithin(t, []string{dir})
	if got := verdicts(r); len(got) != 1 || !strings.Contains(got[0], "aws_vpc.v@") || !strings.Contains(got[0], "FAIL NO_FLOW_LOG") {
		t.Errorf("findings %v, want the VPC of ok/ failing", got)
	}
	if len(r.Errors) != 1 || !strings.Contains(r.Errors[0].Message, "bad/main.tf is not a regular file") {
		t.Errorf("errors %+v, want bad/main.tf reported", r.Errors)
	}
}

// TestCountOverTheLimitIsUnknown: a count or for_each past what flowguard expands is UNKNOWN with the
// reason, not silently cut at the limit (1,000 passing VPCs and 500 vanished ones).
func TestCountOverTheLimitIsUnknown(t *testing.T) {
	for _, c := range []struct{ name, expand, index string }{
		{"count", "count = 1500", "count.index"},
		{"for_each", "for_each = toset([for i in concat(range(1000), range(1000, 1500)) : tostring(i)])", "each.key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir+"/main.tf", fmt.Sprintf(`
resource "aws_vpc" "v" {
  %s
}
resource "aws_flow_log" "f" {
  %s
  vpc_id               = aws_vpc.v[%s].id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::b"
}
`, c.expand, c.expand, c.index))
			r := scanWithin(t, []string{dir})
			if len(r.Findings) == 0 || r.Summary.Pass > 0 {
				t.Fatalf("%d findings, %d PASS: want no PASS", len(r.Findings), r.Summary.Pass)
			}
			for _, f := range r.Findings {
				if f.Status != finding.StatusUnknown || !strings.Contains(f.Message, "1500 instances, more than the 1000 flowguard expands") {
					t.Errorf("%s %s: %s", f.ResourceID, f.Status, f.Message)
				}
			}
		})
	}
}

// TestDeepFileIsAnErrorTheRestIsScanned: a .tf file nested 100,000 parentheses deep (a fatal stack overflow
// in the HCL parser) is reported with file:line; the other roots are still scanned.
func TestDeepFileIsAnErrorTheRestIsScanned(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/ok/main.tf", `resource "aws_vpc" "v" {}`)
	writeFile(t, dir+"/bad/main.tf", "resource \"aws_vpc\" \"w\" {}\nlocals {\n  a = "+strings.Repeat("(", 100000)+"1"+strings.Repeat(")", 100000)+"\n}\n")
	writeFile(t, dir+"/cfn.yaml", "AWSTemplateFormatVersion: x\nResources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      Tags: "+strings.Repeat("[", 100000)+"\n")
	r := scanWithin(t, []string{dir})
	if got := verdicts(r); len(got) != 1 || !strings.Contains(got[0], "aws_vpc.v@") {
		t.Errorf("findings %v, want the VPC of ok/", got)
	}
	var msgs []string
	for _, e := range r.Errors {
		msgs = append(msgs, e.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{dir + "/bad/main.tf:3: expressions nest more than 1000 levels deep", dir + "/cfn.yaml:6: exceeded max depth"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
	if r.Overall() != finding.OutcomeIncomplete {
		t.Errorf("exit %d, want %d", r.Overall(), finding.OutcomeIncomplete)
	}
}

// TestTransformMakesVerdictsUnknown: a template macro may add the flow log (or a VPC): no FAIL is final.
func TestTransformMakesVerdictsUnknown(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/t.yaml", "AWSTemplateFormatVersion: x\nTransform: [AWS::Serverless-2016-10-31, {Name: AWS::Include, Parameters: {Location: s3://b/k}}]\nResources:\n  V:\n    Type: AWS::EC2::VPC\n")
	r := scanWithin(t, []string{dir})
	if len(r.Findings) != 1 || r.Findings[0].Status != finding.StatusUnknown || !strings.Contains(r.Findings[0].Message, "macro") {
		t.Errorf("%v, want UNKNOWN because of the macro", verdicts(r))
	}
}
