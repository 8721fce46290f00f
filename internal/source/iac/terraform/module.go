// Package terraform reads Terraform configurations (.tf files, with hashicorp/hcl/v2) and plan JSON
// (`terraform show -json`) into IaC units: the VPCs, flow logs, log groups, subnets, interfaces, buckets and
// delivery roles they declare, with file:line and address. Expressions are evaluated statically with go-cty:
// variables (defaults and terraform.tfvars), locals, count and for_each instances, local modules (followed) and
// the terraform-aws-modules/vpc/aws module (modelled from its inputs). What cannot be known without running
// Terraform stays unknown and is recorded, with the reason, as iac.Unresolved.
package terraform

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/flowguard/flowguard/internal/source/iac"
)

// module is one parsed Terraform module directory.
type module struct {
	dir       string
	variables []*hclsyntax.Block
	locals    []*hclsyntax.Attribute
	resources []*hclsyntax.Block
	data      []*hclsyntax.Block
	modules   []*hclsyntax.Block
	outputs   []*hclsyntax.Block
	providers []*hclsyntax.Block
	tfvars    []*hclsyntax.Attribute
}

// ParseError is a syntax error in a Terraform file, with file:line.
type ParseError struct {
	Diags hcl.Diagnostics
}

func (e *ParseError) Error() string {
	var parts []string
	for _, d := range e.Diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		where := ""
		if d.Subject != nil {
			where = fmt.Sprintf("%s:%d: ", d.Subject.Filename, d.Subject.Start.Line)
		}
		msg := where + d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		parts = append(parts, msg)
		if len(parts) == 3 {
			break
		}
	}
	return strings.Join(parts, "; ")
}

// ParseFile parses one .tf source; filename is what errors and locations show. A source that nests deeper
// than flowguard parses is a *NestingError, found before the parser sees it.
func ParseFile(filename string, src []byte) (*hclsyntax.Body, error) {
	if len(src) > iac.MaxSourceSize {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d flowguard parses", filename, len(src), iac.MaxSourceSize)
	}
	if err := checkNesting(filename, src, false); err != nil {
		return nil, err
	}
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, &ParseError{Diags: diags}
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil, fmt.Errorf("%s: not native HCL syntax", filename)
	}
	boundFor(body)
	return body, nil
}

// loadModule parses every .tf file of dir (not recursive), in name order, reading only inside fsRoot.
func loadModule(fsRoot iac.Root, dir string, root bool) (*module, error) {
	entries, err := fsRoot.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read module %s: %w", dir, err)
	}
	m := &module{dir: dir}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".tf") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		p := joinPath(dir, n)
		src, err := fsRoot.ReadFile(p, iac.MaxSourceSize)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		body, err := ParseFile(p, src)
		if err != nil {
			return nil, err
		}
		m.add(body)
	}
	if root {
		if err := m.loadTFVars(fsRoot, entries); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *module) add(body *hclsyntax.Body) {
	for _, b := range body.Blocks {
		switch b.Type {
		case "variable":
			if len(b.Labels) == 1 {
				m.variables = append(m.variables, b)
			}
		case "locals":
			m.locals = append(m.locals, sortedAttrs(b.Body)...)
		case "resource":
			if len(b.Labels) == 2 {
				m.resources = append(m.resources, b)
			}
		case "data":
			if len(b.Labels) == 2 {
				m.data = append(m.data, b)
			}
		case "module":
			if len(b.Labels) == 1 {
				m.modules = append(m.modules, b)
			}
		case "output":
			if len(b.Labels) == 1 {
				m.outputs = append(m.outputs, b)
			}
		case "provider":
			if len(b.Labels) == 1 {
				m.providers = append(m.providers, b)
			}
		}
	}
}

// loadTFVars reads terraform.tfvars and *.auto.tfvars, the files Terraform loads without flags.
func (m *module) loadTFVars(fsRoot iac.Root, entries []fs.DirEntry) error {
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (n == "terraform.tfvars" || strings.HasSuffix(n, ".auto.tfvars")) {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { // terraform.tfvars first, then *.auto.tfvars in name order
		if (names[i] == "terraform.tfvars") != (names[j] == "terraform.tfvars") {
			return names[i] == "terraform.tfvars"
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		p := joinPath(m.dir, n)
		src, err := fsRoot.ReadFile(p, iac.MaxSourceSize)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		body, err := ParseFile(p, src)
		if err != nil {
			return err
		}
		m.tfvars = append(m.tfvars, sortedAttrs(body)...)
	}
	return nil
}

func sortedAttrs(b *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].SrcRange.Start.Byte < out[j].SrcRange.Start.Byte || (out[i].SrcRange.Start.Byte == out[j].SrcRange.Start.Byte && out[i].Name < out[j].Name)
	})
	return out
}

// joinPath joins like filepath.Join but keeps "./" out of display paths and uses forward slashes.
func joinPath(dir, name string) string {
	return filepath.ToSlash(filepath.Join(dir, name))
}

// localSource reports whether a module source is a local path, which is followed.
func localSource(src string) bool {
	return strings.HasPrefix(src, "./") || strings.HasPrefix(src, "../")
}

// moduleSource is a module block's source when it is a known string, "" otherwise (Terraform wants a
// literal; anything else names no module flowguard could follow or recognise).
func moduleSource(b *hclsyntax.Block) string {
	a, ok := b.Body.Attributes["source"]
	if !ok {
		return ""
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().Equals(ctyString) {
		return ""
	}
	return v.AsString()
}

// communityVPCSource reports whether a module source is terraform-aws-modules/vpc/aws (registry or git).
func communityVPCSource(src string) bool {
	s := strings.ToLower(src)
	s = strings.TrimPrefix(s, "registry.terraform.io/")
	return strings.HasPrefix(s, "terraform-aws-modules/vpc/aws") || strings.Contains(s, "terraform-aws-modules/terraform-aws-vpc")
}

// Roots returns the Terraform root modules under dir: directories with .tf files that no other directory
// uses as a local module. Hidden directories (.terraform, .git) are skipped. Files are read only inside fsRoot.
func Roots(fsRoot iac.Root, dir string) ([]string, error) {
	var dirs []string
	has := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".tf") {
			dd := filepath.ToSlash(filepath.Dir(p))
			if !has[dd] {
				has[dd] = true
				dirs = append(dirs, dd)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	called := map[string]bool{}
	for _, d := range dirs {
		m, err := loadModule(fsRoot, d, false)
		if err != nil {
			continue // reported when the directory is read as a root
		}
		for _, b := range m.modules {
			if s := moduleSource(b); localSource(s) {
				called[filepath.ToSlash(filepath.Clean(filepath.Join(d, s)))] = true
			}
		}
	}
	var roots []string
	for _, d := range dirs {
		if !called[filepath.ToSlash(filepath.Clean(d))] {
			roots = append(roots, d)
		}
	}
	sort.Strings(roots)
	return roots, nil
}
