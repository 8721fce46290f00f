package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseErrorHasFileLine(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte("resource \"aws_vpc\" \"a\" {\n  cidr_block = \n}\n"), 0o644)
	_, err := Read(dir, false)
	want := filepath.ToSlash(filepath.Join(dir, "main.tf")) + ":2: Invalid expression"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error = %v, want prefix %q", err, want)
	}
}

// FuzzRead feeds malformed Terraform to the reader: it must return a unit or an error naming the file,
// never panic or hang.
func FuzzRead(f *testing.F) {
	for _, d := range []string{"basic", "count", "foreach", "community", "locals", "unknown", "wrongtrust", "policydoc"} {
		m, _ := filepath.Glob(filepath.Join("testdata", d, "*.tf"))
		for _, p := range m {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`resource "aws_flow_log" "x" { count = -1 }`))
	f.Add([]byte(`resource "aws_vpc" "x" { for_each = toset([1, null]) }`))
	f.Add([]byte("locals {\n a = local.b\n b = local.a\n}\nresource \"aws_flow_log\" \"f\" { vpc_id = local.a }\n"))
	f.Add([]byte(`module "m" { source = "./" }`))
	f.Add([]byte(`resource "aws_cloudwatch_log_group" "g" { retention_in_days = "x" }`))
	f.Add([]byte("resource \"aws_vpc\" {\n"))
	// Hostile input: files outside the root, the environment, devices, deep nesting, huge expansions.
	f.Add([]byte(`resource "aws_vpc" "v" { tags = { a = file("/proc/self/environ"), b = file("../../x"), c = filebase64("/dev/zero"), d = fileexists("/etc/passwd") } }`))
	f.Add([]byte(`locals { t = templatefile("main.tf", { a = 1 }) }` + "\n" + `module "m" { source = "../../../../etc" }`))
	f.Add([]byte(`resource "aws_vpc" "v" { count = 1500 }` + "\n" + `resource "aws_flow_log" "f" { for_each = toset(setproduct(range(1000), range(1000), range(1000))) }`))
	f.Add([]byte("locals {\n a = " + strings.Repeat("(", 2000) + "1" + strings.Repeat(")", 2000) + "\n b = jsondecode(\"" + strings.Repeat("[", 2000) + "\")\n c = indent(1000000000, \"a\\nb\")\n}\n"))
	f.Add([]byte("locals {\n a = <<EOT\n%{if true}${\"${1}\"}%{endif}\n  EOT\n b = \"$${x}%%{y}\"\n}\n"))
	f.Add([]byte(`resource "aws_cloudwatch_log_group" "g" { retention_in_days = -5 }` + "\n" + `resource "aws_cloudwatch_log_group" "h" { retention_in_days = 1.5 }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		u, err := Read(dir, false) // confined to dir: nothing outside t.TempDir() is read
		if err == nil && u == nil {
			t.Fatal("nil unit without error")
		}
		if err != nil && !strings.Contains(err.Error(), "main.tf") {
			t.Fatalf("error without file name: %v", err)
		}
	})
}
