package cmdutil

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Exit codes are the command layer's: no package outside internal/cli (and the mains in cmd/, which only
// wire) imports cmdutil, and none declares an exit code or an ExitCode method of its own. Domain packages
// report a finding.Outcome instead.
func TestOnlyTheCommandLayerHasExitCodes(t *testing.T) {
	t.Parallel()
	const module = "github.com/flowguard/flowguard"
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	exitNames := map[string]bool{"ExitOK": true, "ExitFail": true, "ExitIncomplete": true, "ExitUsage": true, "ExitPartial": true, "ExitDeclined": true, "ExitCode": true}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasPrefix(rel, "internal/cli/") || strings.HasPrefix(rel, "cmd/") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == module+"/internal/cli" || strings.HasPrefix(p, module+"/internal/cli/") {
				t.Errorf("%s imports %s: only the command layer may", rel, p)
			}
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && exitNames[d.Name.Name] {
					t.Errorf("%s: method %s: domain packages report a finding.Outcome, not an exit code", rel, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if vs, ok := s.(*ast.ValueSpec); ok {
						for _, n := range vs.Names {
							if exitNames[n.Name] {
								t.Errorf("%s declares %s: exit codes live in internal/cli/cmdutil", rel, n.Name)
							}
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("read %d Go files under %s: not the module", files, root)
	}
}
