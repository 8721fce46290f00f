package source

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/iac"
	"github.com/flowguard/flowguard/internal/source/iac/cloudformation"
	"github.com/flowguard/flowguard/internal/source/iac/terraform"
)

// Input is one thing to read: a Terraform root directory, a plan JSON file or a CloudFormation template.
type Input struct {
	Kind string // iac.KindTerraform, iac.KindTerraformPlan, iac.KindCloudFormation
	Path string
	// Root is the path the user named that holds the input: nothing outside it (or, for a file, outside its
	// directory) is read for this input, whatever the files say. "" means the input's own directory.
	Root string
}

// ErrNothingFound is returned (wrapped, with the paths) when the paths hold no Terraform, plan or
// CloudFormation input: nothing was read, so nothing passes. It is an inventory.ErrNothingToEvaluate.
var ErrNothingFound error = nothingFound{}

type nothingFound struct{}

func (nothingFound) Error() string        { return "no Terraform, CloudFormation or plan files" }
func (nothingFound) Is(target error) bool { return target == inventory.ErrNothingToEvaluate }

// Discover lists the inputs under paths. Directories are walked recursively (hidden directories such as
// .git and .terraform, and node_modules, are skipped); YAML and JSON files that are neither a template nor a
// plan are ignored there. A file named explicitly must be one of the three.
func Discover(paths []string) ([]Input, error) {
	out, _, err := discover(paths)
	return out, err
}

// discover is Discover that also returns the paths under which nothing was found (when others had inputs).
func discover(paths []string) ([]Input, []string, error) {
	var out []Input
	var empty []string
	seen := map[string]bool{}
	for _, p := range paths {
		n := 0
		add := func(in Input) {
			n++
			if !seen[in.Kind+"|"+in.Path] {
				seen[in.Kind+"|"+in.Path] = true
				out = append(out, in)
			}
		}
		if err := discoverOne(p, add); err != nil {
			return nil, nil, err
		}
		if n == 0 {
			empty = append(empty, p)
		}
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("%w under %s", ErrNothingFound, strings.Join(paths, ", "))
	}
	// A plan beside its root module says everything the .tf files say, resolved: read the plan only, so that
	// the same VPC is not reported twice.
	planned := map[string]bool{}
	for _, in := range out {
		if in.Kind == iac.KindTerraformPlan {
			planned[filepath.ToSlash(filepath.Dir(in.Path))] = true
		}
	}
	kept := out[:0]
	for _, in := range out {
		if in.Kind == iac.KindTerraform && planned[in.Path] {
			continue
		}
		kept = append(kept, in)
	}
	out = kept
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, empty, nil
}

// discoverOne calls add for every input under one path.
func discoverOne(p string, add func(Input)) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	root, err := iac.NewRoot(p)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		in, ok, err := classify(root, p)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s: not a Terraform file, Terraform plan JSON or CloudFormation template", p)
		}
		in.Root = p
		add(in)
		return nil
	}
	roots, err := terraform.Roots(root, p)
	if err != nil {
		return err
	}
	for _, r := range roots {
		add(Input{Kind: iac.KindTerraform, Path: r, Root: p})
	}
	err = filepath.WalkDir(p, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if fp != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(fp, ".tf") {
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil // FIFOs, sockets and devices are never read
		}
		in, ok, err := classify(root, fp)
		if err != nil || !ok {
			return nil // unreadable or unrelated files under a directory are not ours to judge
		}
		in.Root = p
		add(in)
		return nil
	})
	if err != nil {
		return err
	}
	return nil
}

// classify says what a file is by its extension and, for JSON and YAML, its content (at most
// iac.MaxSourceSize bytes of it are looked at).
func classify(root iac.Root, p string) (Input, bool, error) {
	p = filepath.ToSlash(filepath.Clean(p))
	ext := strings.ToLower(filepath.Ext(p))
	switch ext {
	case ".tf":
		return Input{Kind: iac.KindTerraform, Path: filepath.ToSlash(filepath.Dir(p))}, true, nil
	case ".json", ".yaml", ".yml", ".template":
	default:
		return Input{}, false, nil
	}
	src, _, err := root.ReadPrefix(p, iac.MaxSourceSize)
	if err != nil {
		return Input{}, false, err
	}
	if ext == ".json" && terraform.LooksLikePlan(src) {
		return Input{Kind: iac.KindTerraformPlan, Path: p}, true, nil
	}
	if cloudformation.Looks(src) {
		return Input{Kind: iac.KindCloudFormation, Path: p}, true, nil
	}
	return Input{}, false, nil
}

// IaC reads Terraform configurations, Terraform plan JSON and CloudFormation templates under Paths into one
// inventory. A path with no such file is an error (nothing read is not compliance) when no path has any;
// otherwise it is a read error in the snapshot, as is each input that cannot be read.
type IaC struct {
	Paths []string
	// Now stamps the snapshot (tests fix it).
	Now func() time.Time

	units    []*iac.Unit
	notes    []string
	problems []inventory.ReadError
}

func (s *IaC) Describe() string { return "IaC " + strings.Join(s.Paths, ", ") }

// Units are the units read by Load: what the IaC post-pass of the engine revisits.
func (s *IaC) Units() []*iac.Unit { return s.units }

// Notes are the units' remarks, and a note when the files declare no VPC.
func (s *IaC) Notes() []string { return s.notes }

// Problems are the inputs that could not be read and the paths under which nothing was found.
func (s *IaC) Problems() []inventory.ReadError { return s.problems }

// Load discovers and reads the inputs under Paths.
func (s *IaC) Load(ctx context.Context) (*inventory.Snapshot, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	inputs, empty, err := discover(s.Paths)
	if err != nil {
		return nil, err
	}
	units, errs := Read(inputs)
	snap := Snapshot(units, now().UTC())
	s.problems = errs
	// A path the user named under which nothing was found was not checked: it must not pass silently.
	for _, p := range empty {
		s.problems = append(s.problems, inventory.ReadError{AccountID: iac.AccountID, Operation: "discover " + p,
			Message: fmt.Sprintf("%v under %s: nothing there was read", ErrNothingFound, p)})
	}
	if len(units) == 0 {
		s.problems = append(s.problems, inventory.ReadError{AccountID: iac.AccountID, Operation: "read " + strings.Join(s.Paths, ", "),
			Message: fmt.Sprintf("nothing was read: all %d inputs failed (see the errors above), so nothing was checked", len(inputs))})
	}
	s.units, s.notes = units, nil
	vpcs := 0
	for _, u := range units {
		s.notes = append(s.notes, u.Notes...)
		vpcs += len(u.Region.VPCs)
	}
	if len(units) > 0 && vpcs == 0 {
		s.notes = append(s.notes, fmt.Sprintf("0 VPCs declared in the %d inputs read (%s)", len(units), unitPaths(units)))
	}
	return snap, nil
}

// Read reads every input into a unit. An input that cannot be read is returned as a read error beside the others.
func Read(inputs []Input) ([]*iac.Unit, []inventory.ReadError) {
	qualify := len(inputs) > 1
	var units []*iac.Unit
	var errs []inventory.ReadError
	for _, in := range inputs {
		var (
			u   *iac.Unit
			err error
		)
		rootPath := in.Root
		if rootPath == "" {
			rootPath = in.Path
		}
		root, err := iac.NewRoot(rootPath)
		if err == nil {
			switch in.Kind {
			case iac.KindTerraform:
				u, err = terraform.ReadIn(root, in.Path, qualify)
			case iac.KindTerraformPlan:
				var src []byte
				if src, err = root.ReadFile(in.Path, iac.MaxPlanSize); err == nil {
					u, err = terraform.ReadPlanIn(root, in.Path, src, qualify)
				}
			case iac.KindCloudFormation:
				var src []byte
				if src, err = root.ReadFile(in.Path, iac.MaxSourceSize); err == nil {
					u, err = cloudformation.Read(in.Path, src, qualify)
				}
			}
		}
		if err != nil {
			errs = append(errs, inventory.ReadError{AccountID: iac.AccountID, Operation: "read " + in.Kind + " " + in.Path, Message: err.Error()})
			continue
		}
		units = append(units, u)
	}
	return units, errs
}

// Snapshot assembles units into one inventory snapshot.
func Snapshot(units []*iac.Unit, now time.Time) *inventory.Snapshot {
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, CollectedAt: now}
	kinds := map[string]bool{}
	for _, u := range units {
		r := u.Region
		snap.Regions = append(snap.Regions, &r)
		snap.Buckets = append(snap.Buckets, u.Buckets...)
		switch u.Kind {
		case iac.KindCloudFormation:
			kinds[inventory.SourceCloudFormation] = true
		default:
			kinds[inventory.SourceTerraform] = true
		}
	}
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	snap.Source = strings.Join(ks, "+")
	if snap.Source == "" {
		snap.Source = inventory.SourceTerraform
	}
	return snap
}

func unitPaths(units []*iac.Unit) string {
	const show = 5
	var ps []string
	for i, u := range units {
		if i == show {
			ps = append(ps, fmt.Sprintf("and %d more", len(units)-show))
			break
		}
		ps = append(ps, u.Path)
	}
	return strings.Join(ps, ", ")
}
