package terraform

import (
	"encoding/base64"
	"errors"
	"fmt"
	iofs "io/fs"
	"path/filepath"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/flowguard/flowguard/internal/source/iac"
)

// The functions below are the only ones of the evaluator that touch anything outside the configuration's
// own text. The configuration is untrusted (a pull request writes it): every file is read through the scan
// root (never outside the path the user asked to scan, symlinks included), only regular files, at most
// iac.MaxFunctionFileSize bytes. What cannot be read is an error, which makes the value unknown: the
// findings depending on it are UNKNOWN, with the function and the reason, never the content.
//
// Not implemented, hence unknown whenever used: abspath, pathexpand, fileset, filemd5/sha*, timestamp,
// uuid and every other function that reads the host, the environment or the clock.

// resolvePath returns where a path given to a file function points: relative paths start at the root
// module's directory, as in Terraform.
func (mi *modInst) resolvePath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(mi.rootDir, p)
}

func (mi *modInst) readForFunction(fn, p string) ([]byte, error) {
	b, err := mi.sh.root.ReadFile(mi.resolvePath(p), iac.MaxFunctionFileSize)
	if err != nil {
		return nil, fmt.Errorf("%s(%q) not read: %v", fn, p, err)
	}
	return b, nil
}

func (mi *modInst) fileFunctions(fs map[string]function.Function) {
	pathParam := []function.Parameter{{Name: "path", Type: cty.String}}
	fs["file"] = function.New(&function.Spec{
		Params: pathParam,
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			b, err := mi.readForFunction("file", p)
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			if !utf8.Valid(b) {
				return cty.UnknownVal(cty.String), fmt.Errorf("file(%q): contents are not valid UTF-8; use filebase64", p)
			}
			return cty.StringVal(string(b)), nil
		},
	})
	fs["filebase64"] = function.New(&function.Spec{
		Params: pathParam,
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			b, err := mi.readForFunction("filebase64", args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(base64.StdEncoding.EncodeToString(b)), nil
		},
	})
	fs["fileexists"] = function.New(&function.Spec{
		Params: pathParam,
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			p := args[0].AsString()
			full := mi.resolvePath(p)
			if !mi.sh.root.Contains(full) {
				return cty.UnknownVal(cty.Bool), fmt.Errorf("fileexists(%q): %s %v %s", p, p, iac.ErrOutsideRoot, mi.sh.root.Dir())
			}
			st, err := mi.sh.root.Stat(full)
			switch {
			case err != nil && isNotExist(err):
				return cty.False, nil
			case err != nil:
				return cty.UnknownVal(cty.Bool), fmt.Errorf("fileexists(%q): %v", p, err)
			case !st.Mode().IsRegular():
				return cty.UnknownVal(cty.Bool), fmt.Errorf("fileexists(%q): %v", p, iac.ErrNotRegular)
			}
			return cty.True, nil
		},
	})
	fs["templatefile"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "vars", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return mi.templateFile(args[0].AsString(), args[1])
		},
	})
	fs["jsondecode"] = guardJSONDecode
	fs["indent"] = guardIndent
	fs["setproduct"] = guardSetProduct
}

func isNotExist(err error) bool { return errors.Is(err, iofs.ErrNotExist) }

// templateFile renders a template file with vars, as Terraform's templatefile does (no nested templatefile).
func (mi *modInst) templateFile(p string, vars cty.Value) (cty.Value, error) {
	src, err := mi.readForFunction("templatefile", p)
	if err != nil {
		return cty.DynamicVal, err
	}
	name := filepath.ToSlash(mi.resolvePath(p))
	if err := checkNesting(name, src, true); err != nil {
		return cty.DynamicVal, fmt.Errorf("templatefile(%q): %v", p, err)
	}
	expr, diags := hclsyntax.ParseTemplate(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.DynamicVal, fmt.Errorf("templatefile(%q): %s", p, (&ParseError{Diags: diags}).Error())
	}
	if !vars.IsWhollyKnown() {
		return cty.DynamicVal, nil
	}
	t := vars.Type()
	if vars.IsNull() || !(t.IsMapType() || t.IsObjectType()) {
		return cty.DynamicVal, fmt.Errorf("templatefile(%q): vars must be a map or object", p)
	}
	vs := map[string]cty.Value{}
	for it := vars.ElementIterator(); it.Next(); {
		k, v := it.Element()
		vs[k.AsString()] = v
	}
	fns := mi.functions()
	delete(fns, "templatefile")
	v, diags := expr.Value(&hcl.EvalContext{Variables: vs, Functions: fns})
	if diags.HasErrors() {
		return cty.DynamicVal, fmt.Errorf("templatefile(%q): %s", p, (&ParseError{Diags: diags}).Error())
	}
	return v, nil
}

// guardJSONDecode is jsondecode, refusing text nested deeper than maxNesting (the decoder recurses per level).
var guardJSONDecode = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type: func(args []cty.Value) (cty.Type, error) {
		if args[0].IsKnown() && !args[0].IsNull() {
			if d, line := jsonDepth(args[0].AsString()); d > maxNesting {
				return cty.NilType, fmt.Errorf("jsondecode: JSON nested more than %d levels deep (line %d of the string)", maxNesting, line)
			}
		}
		return stdlib.JSONDecodeFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return stdlib.JSONDecodeFunc.Call(args)
	},
})

// maxIndent bounds indent's spaces (indent(1e9, s) is a gigabyte of spaces).
const maxIndent = 1024

var guardIndent = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "spaces", Type: cty.Number}, {Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if n, ok := intOf(args[0]); !ok || n < 0 || n > maxIndent {
			return cty.UnknownVal(cty.String), fmt.Errorf("indent: spaces must be between 0 and %d", maxIndent)
		}
		return stdlib.IndentFunc.Call(args)
	},
})

// maxProduct bounds the elements setproduct builds (three sets of 1,024 are a billion).
const maxProduct = 100000

var guardSetProduct = function.New(&function.Spec{
	VarParam: &function.Parameter{Name: "sets", Type: cty.DynamicPseudoType},
	Type: func(args []cty.Value) (cty.Type, error) {
		return stdlib.SetProductFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, ret cty.Type) (cty.Value, error) {
		n := 1
		for _, a := range args {
			if !a.IsKnown() || a.IsNull() {
				continue
			}
			t := a.Type()
			if !(t.IsCollectionType() || t.IsTupleType()) {
				continue
			}
			n *= max(a.LengthInt(), 1)
			if n > maxProduct {
				return cty.UnknownVal(ret), fmt.Errorf("setproduct: more than %d elements", maxProduct)
			}
		}
		v, err := stdlib.SetProductFunc.Call(args)
		if err != nil {
			return cty.UnknownVal(ret), err
		}
		return convert.Convert(v, ret)
	},
})

// iterateFunc is the name of the function every for expression's collection goes through (see boundFor): a
// name no configuration can call, since HCL function names cannot start with "__".
const iterateFunc = "__flowguard_iterate"

// boundFor makes every for expression of body (and every %{for} of its templates, which HCL parses as for
// expressions) evaluate its collection through iterateFunc, which counts the elements against the read's
// budget. HCL offers no other hook into for expressions.
func boundFor(body *hclsyntax.Body) {
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		if f, ok := n.(*hclsyntax.ForExpr); ok {
			if c, ok := f.CollExpr.(*hclsyntax.FunctionCallExpr); ok && c.Name == iterateFunc {
				return nil
			}
			r := f.CollExpr.Range()
			f.CollExpr = &hclsyntax.FunctionCallExpr{Name: iterateFunc, Args: []hclsyntax.Expression{f.CollExpr},
				NameRange: r, OpenParenRange: r, CloseParenRange: r}
		}
		return nil
	})
}

// spendElements takes n elements from the read's budget, or says why not.
func (mi *modInst) spendElements(what string, n int) error {
	if n > mi.sh.elements {
		mi.sh.elements = 0
		return fmt.Errorf("%s: the configuration iterates over or builds more than %d elements, more than flowguard evaluates", what, maxElements)
	}
	mi.sh.elements -= n
	return nil
}

// boundedFunctions replaces the functions that build or walk collections without bound in total.
func (mi *modInst) boundedFunctions(fs map[string]function.Function) {
	fs[iterateFunc] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "collection", Type: cty.DynamicPseudoType, AllowUnknown: true,
			AllowDynamicType: true, AllowNull: true}},
		Type: func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v := args[0]
			if v.IsKnown() && !v.IsNull() && (v.Type().IsCollectionType() || v.Type().IsTupleType() || v.Type().IsObjectType()) {
				if err := mi.spendElements("for expression", v.LengthInt()); err != nil {
					return cty.UnknownVal(v.Type()), err
				}
			}
			return v, nil
		},
	})
	rng := stdlib.RangeFunc
	fs["range"] = function.New(&function.Spec{
		VarParam: rng.VarParam(),
		Type:     func(args []cty.Value) (cty.Type, error) { return rng.ReturnTypeForValues(args) },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := rng.Call(args)
			if err != nil {
				return v, err
			}
			if err := mi.spendElements("range", v.LengthInt()); err != nil {
				return cty.UnknownVal(v.Type()), err
			}
			return v, nil
		},
	})
	sp := stdlib.SetProductFunc
	fs["setproduct"] = function.New(&function.Spec{
		VarParam: sp.VarParam(),
		Type:     func(args []cty.Value) (cty.Type, error) { return sp.ReturnTypeForValues(args) },
		Impl: func(args []cty.Value, rt cty.Type) (cty.Value, error) {
			n := 1
			for _, a := range args {
				if !a.IsKnown() || a.IsNull() || !a.CanIterateElements() {
					return sp.Call(args)
				}
				l := a.LengthInt()
				if l == 0 {
					n = 0
					break
				}
				if n > maxElements/l { // past the whole budget: no need to multiply further
					n = maxElements + 1
					break
				}
				n *= l
			}
			if err := mi.spendElements("setproduct", n); err != nil {
				return cty.UnknownVal(rt), err
			}
			return sp.Call(args)
		},
	})
}
