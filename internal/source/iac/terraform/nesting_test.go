package terraform

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeepNestingIsRefusedBeforeParsing: each of these overflows the Go stack (fatal, not recoverable) in the
// HCL parser or the evaluator when parsed; they must come back as an error with file:line instead.
func TestDeepNestingIsRefusedBeforeParsing(t *testing.T) {
	const n = 100000
	cases := []struct{ name, src string }{
		{"parentheses", "locals {\n  a = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "\n}\n"},
		{"brackets and braces", "locals {\n  a = " + strings.Repeat("[{a=", n) + "1" + strings.Repeat("}]", n) + "\n}\n"},
		{"unary operators", "locals {\n  a = " + strings.Repeat("!", n) + "true\n}\n"},
		{"operator chain", "locals {\n  a = 1" + strings.Repeat("+1", 10*n) + "\n}\n"},
		{"conditional chain", "locals {\n  a = " + strings.Repeat("true ? 1 : ", n) + "2\n}\n"},
		{"interpolations", "locals {\n  a = " + strings.Repeat(`"${`, n) + "1" + strings.Repeat(`}"`, n) + "\n}\n"},
		{"template directives", "locals {\n  a = <<EOT\n" + strings.Repeat("%{if true}", n) + strings.Repeat("%{endif}", n) + "\nEOT\n}\n"},
		{"closers in comments do not hide depth", "locals {\n  a = " + strings.Repeat("( # )))\n", n) + "1" + strings.Repeat(")", n) + "\n}\n"},
		{"closers in strings do not hide depth", "locals {\n  a = " + strings.Repeat(`("))))",`, n) + "1" + strings.Repeat(")", n) + "\n}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Read(dir, false)
			var ne *NestingError
			if !errors.As(err, &ne) {
				t.Fatalf("err = %v, want a NestingError", err)
			}
			if ne.File != filepath.ToSlash(filepath.Join(dir, "main.tf")) || ne.Line < 2 {
				t.Errorf("at %s:%d, want main.tf from line 2", ne.File, ne.Line)
			}
		})
	}
}

// TestOrdinaryNestingIsParsed: the scanner does not refuse what real configurations do.
func TestOrdinaryNestingIsParsed(t *testing.T) {
	src := `
locals {
  # a comment with ((( and "quotes
  /* block ((( */
  tags = { for k, v in { a = 1, b = 2 } : k => v + 1 if v > 0 }
  s    = "x-${join("-", [for x in ["a", "b"] : upper(x)])}-$${literal}-%%{literal}"
  doc  = <<-EOT
    {"a": [${jsonencode({ b = [1, 2, 3] })}]}
    %{ for x in [1, 2] ~}
    ${x}
    %{ endfor ~}
    EOT
  big  = [` + strings.Repeat("1 + 2 - 3 * 4, ", 5000) + `0]
  cond = true ? (false ? 1 : 2) : 3
}
resource "aws_vpc" "v" {
  tags = local.tags == null ? {} : { Name = local.s }
}
`
	if err := checkNesting("main.tf", []byte(src), false); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFile("main.tf", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

// TestDeepJSONDecodeAndTemplateFile: jsondecode of a deeply nested string and templatefile of a deeply nested
// template are unknown (with the reason), not a crash.
func TestDeepJSONDecodeAndTemplateFile(t *testing.T) {
	dir := t.TempDir()
	deep := strings.Repeat("[", 200000) + strings.Repeat("]", 200000)
	os.WriteFile(filepath.Join(dir, "deep.json"), []byte(deep), 0o644)
	os.WriteFile(filepath.Join(dir, "deep.tpl"), []byte(strings.Repeat("${(", 100000)+"1"+strings.Repeat(")}", 100000)), 0o644)
	os.WriteFile(filepath.Join(dir, "trust.tpl"), []byte(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"${svc}"},"Action":"sts:AssumeRole"}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`
resource "aws_vpc" "v" {}
resource "aws_flow_log" "a" {
  vpc_id       = aws_vpc.v.id
  traffic_type = length(jsondecode(file("deep.json"))) > 0 ? "ALL" : "ALL"
  iam_role_arn = aws_iam_role.r.arn
  log_destination = "arn:aws:logs:us-east-1:1:log-group:g"
}
resource "aws_flow_log" "b" {
  vpc_id       = aws_vpc.v.id
  traffic_type = templatefile("deep.tpl", {})
  log_destination = "arn:aws:logs:us-east-1:1:log-group:g"
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = templatefile("${path.module}/trust.tpl", { svc = "ec2.amazonaws.com" })
}
`), 0o644)
	u, err := Read(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	var why []string
	for _, x := range u.Unresolved {
		why = append(why, x.String())
	}
	all := strings.Join(why, "\n")
	for _, want := range []string{"jsondecode: JSON nested more than 1000 levels deep", `templatefile("deep.tpl")`, "nest more than 1000 levels deep"} {
		if !strings.Contains(all, want) {
			t.Errorf("unresolved lacks %q:\n%s", want, all)
		}
	}
	// templatefile inside the root works: the role trusts ec2, so delivery would fail.
	found := false
	for _, f := range u.Region.FlowLogs {
		if f.ID == "aws_flow_log.a" && f.DeliverLogsStatus == "FAILED" && strings.Contains(f.DeliverLogsError, "ec2.amazonaws.com") {
			found = true
		}
	}
	if !found {
		t.Errorf("flow logs %+v: the trust policy rendered by templatefile was not read", u.Region.FlowLogs)
	}
}

// FuzzParseFile: the nesting scan and the HCL parser on arbitrary bytes, without the filesystem. A source the
// scan lets through must parse (or fail) without overflowing the stack; the scan never panics.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte("locals {\n  a = (1 + 2) * -3\n  b = \"${a}-%{if true}x%{endif}\"\n}\n"))
	f.Add([]byte("a = <<-EOT\n  ${jsonencode({ a = [1, 2] })}\n  EOT\n"))
	f.Add([]byte("a = [" + strings.Repeat("(", 900) + "1" + strings.Repeat(")", 900) + "]\n"))
	f.Add([]byte("# ((((\n/* [[[ */\na = \"\\\")\"\n"))
	f.Add([]byte("a = <<EOT\n$${x}%%{y}\nEOT\nb = true ? 1 : false ? 2 : 3\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		body, err := ParseFile("fuzz.tf", src)
		if err == nil && body == nil {
			t.Fatal("nil body without error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.tf") {
			t.Fatalf("error without file name: %v", err)
		}
	})
}
