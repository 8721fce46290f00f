// Package source turns the flags of a command into the one Source that loads its inventory: live AWS (one
// account, or many through an organization or an account list), a saved snapshot, AWS CLI output, or
// Terraform/CloudFormation paths. FromOptions is the only place an input kind is chosen.
//
// Sources know only the inventory model (and AWS configs, pagination, safe text): no package under source
// imports the engine or the command layer (import_test.go checks it).
package source

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source/accounts"
	"github.com/flowguard/flowguard/internal/source/awsapi"
	"github.com/flowguard/flowguard/internal/source/awscli"
)

// Source loads an inventory. Read problems inside the estate (access denied, a region that failed) are
// recorded in the snapshot's errors, not returned; the error is for a source that cannot be used at all.
type Source interface {
	Load(ctx context.Context) (*inventory.Snapshot, error)
	// Describe names the input for messages ("snapshot inv.json", "AWS account of the credentials", …).
	Describe() string
}

// Annotator is implemented by sources that have, beside the inventory, notes for the report (IaC: nothing
// declared) and problems that are not gaps in the estate (an IaC file that does not parse: no account or
// region is missing, yet the result is incomplete). Both are valid after Load.
type Annotator interface {
	Notes() []string
	Problems() []inventory.ReadError
}

// Options say which input to read; the command layer fills them from its flags.
type Options struct {
	// Snapshot is a saved inventory file (scan --save-snapshot).
	Snapshot string
	// FromAWSCLI is a directory of AWS CLI JSON output.
	FromAWSCLI string
	// IaCPaths are Terraform/CloudFormation files and directories.
	IaCPaths []string
	// Regions narrow a live read (empty: every enabled region) or a snapshot (its other regions are left
	// out, and a note says how many); for AWS CLI output, the one region of files whose path names none.
	Regions []string
	// Concurrency bounds the account-regions read at once (and the accounts entered at once).
	Concurrency int
	// Accounts select the accounts of a multi-account read (--org, --accounts, --accounts-file) and the
	// role that enters them.
	Accounts accounts.Options
	// AWSConfig gives the caller's AWS config; injected by the command layer. Only live sources call it.
	AWSConfig func(context.Context) (aws.Config, error)
	// Network names the network collections (inventory.NetworkCollections) a live read lists too: what the
	// checks or query touch, or enrichment needs. A saved or IaC input has what it has: the ones it lacks
	// are "not read" there.
	Network []inventory.Collection
	// Progress, when set, is called after each account-region of a live read with the regions done and total.
	Progress func(done, total int)
	// Now stamps the snapshot (tests fix it).
	Now func() time.Time
	// Delivery asks a live read for delivery evidence at the flow logs' destinations (the checks that
	// require the "delivery" collection).
	Delivery awsapi.DeliveryOptions
}

// ErrAWSConfig wraps the error of Options.AWSConfig: the credentials or profile cannot be used.
var ErrAWSConfig = errors.New("AWS configuration")

// FromOptions chooses the input: IaC paths, a snapshot, AWS CLI output, or live AWS (several accounts when
// any account selection is given). Conflicting or incomplete options are an error.
func FromOptions(o Options) (Source, error) {
	kinds := 0
	for _, set := range []bool{o.Snapshot != "", o.FromAWSCLI != "", len(o.IaCPaths) > 0} {
		if set {
			kinds++
		}
	}
	if kinds > 1 {
		if len(o.IaCPaths) == 0 {
			return nil, errors.New("use --snapshot or --from-aws-cli, not both")
		}
		return nil, errors.New("use --snapshot, --from-aws-cli or IaC paths, not several")
	}
	if kinds > 0 && o.Accounts.MultiAccount() {
		return nil, errors.New("--org, --accounts and --accounts-file select accounts to read live: not with a saved or IaC input")
	}
	switch {
	case len(o.IaCPaths) > 0:
		return &IaC{Paths: o.IaCPaths, Now: o.Now}, nil
	case o.Snapshot != "":
		return &snapshotFile{path: o.Snapshot, regions: o.Regions}, nil
	case o.FromAWSCLI != "":
		if len(o.Regions) > 1 {
			return nil, errors.New("--from-aws-cli takes one --region: the region of files whose path names none")
		}
		src := &awsCLI{dir: o.FromAWSCLI}
		if len(o.Regions) == 1 {
			src.opts.Region = o.Regions[0]
		}
		return src, nil
	}
	if o.Concurrency < 1 {
		return nil, errors.New("--concurrency must be at least 1")
	}
	if o.AWSConfig == nil {
		return nil, errors.New("a live AWS source needs an AWS config")
	}
	return &live{o: o}, nil
}

// snapshotFile is an inventory saved by scan --save-snapshot, narrowed to regions when any are given.
type snapshotFile struct {
	path    string
	regions []string
	notes   []string
}

func (s *snapshotFile) Describe() string { return "snapshot " + s.path }

func (s *snapshotFile) Load(context.Context) (*inventory.Snapshot, error) {
	snap, err := inventory.ReadFile(s.path)
	if err != nil || len(s.regions) == 0 {
		return snap, err
	}
	want := map[string]bool{}
	for _, r := range s.regions {
		want[r] = true
	}
	has, out := map[string]bool{}, map[string]bool{}
	kept := snap.Regions[:0:0]
	for _, r := range snap.Regions {
		has[r.Name] = true
		if want[r.Name] {
			kept = append(kept, r)
		} else {
			out[r.Name] = true
		}
	}
	var missing []string
	for _, r := range s.regions {
		if !has[r] {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		// Evaluating a region the snapshot never read would report nothing there: as if it were compliant.
		return nil, fmt.Errorf("--region %s: the snapshot has no such region (it has %s)", strings.Join(missing, ","), strings.Join(sortedSet(has), ", "))
	}
	errs := snap.Errors[:0:0]
	for _, e := range snap.Errors {
		if e.Region == "" || want[e.Region] {
			errs = append(errs, e)
		} else {
			out[e.Region] = true
		}
	}
	snap.Regions, snap.Errors = kept, errs
	if n := len(out); n > 0 {
		noun := "regions"
		if n == 1 {
			noun = "region"
		}
		s.notes = []string{fmt.Sprintf("--region %s: %d other %s of snapshot %s left out (%s)", strings.Join(s.regions, ","), n, noun, s.path, strings.Join(sortedSet(out), ", "))}
	}
	return snap, nil
}

// Notes say which regions of the snapshot --region left out.
func (s *snapshotFile) Notes() []string { return s.notes }

// Problems is empty: a snapshot's read problems are in the snapshot.
func (s *snapshotFile) Problems() []inventory.ReadError { return nil }

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// awsCLI is a directory of AWS CLI JSON output.
type awsCLI struct {
	dir  string
	opts awscli.Options
}

func (s *awsCLI) Describe() string { return "AWS CLI output " + s.dir }

func (s *awsCLI) Load(context.Context) (*inventory.Snapshot, error) {
	return awscli.Load(s.dir, s.opts)
}

// live reads AWS: the account of the credentials, or the accounts Options.Accounts select.
type live struct{ o Options }

func (s *live) Describe() string {
	a := s.o.Accounts
	switch {
	case a.Org:
		return "AWS organization"
	case a.AccountsFile != "":
		return "AWS accounts of " + a.AccountsFile
	case len(a.Accounts) > 0:
		return "AWS accounts " + strings.Join(a.Accounts, ",")
	}
	return "AWS account of the credentials"
}

func (s *live) Load(ctx context.Context) (*inventory.Snapshot, error) {
	cfg, err := s.o.AWSConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAWSConfig, err)
	}
	collect := awsapi.Options{Regions: s.o.Regions, Concurrency: s.o.Concurrency, Progress: s.o.Progress, Now: s.o.Now,
		Delivery: s.o.Delivery, Network: s.o.Network}
	if !s.o.Accounts.MultiAccount() {
		return awsapi.Account(ctx, cfg, collect), nil
	}
	ao := s.o.Accounts
	ao.Concurrency = s.o.Concurrency
	targets, notEntered, err := accounts.Resolve(ctx, cfg, ao)
	if err != nil {
		return nil, err
	}
	snap := awsapi.Accounts(ctx, targets, collect)
	// Accounts that could not be entered are read errors of the estate: ERROR findings beside the others.
	snap.Errors = append(notEntered, snap.Errors...)
	return snap, nil
}

// Static is an inventory already in memory (tests, and callers that built one themselves).
func Static(snap *inventory.Snapshot, describe string) Source { return &static{snap, describe} }

type static struct {
	snap     *inventory.Snapshot
	describe string
}

func (s *static) Describe() string { return s.describe }

func (s *static) Load(context.Context) (*inventory.Snapshot, error) { return s.snap, nil }
