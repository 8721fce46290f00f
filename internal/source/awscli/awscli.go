// Package awscli builds an inventory snapshot from the JSON that the AWS CLI prints (`aws ec2 describe-vpcs`,
// `describe-flow-logs`, `aws logs describe-log-groups`, …), which is what an auditor usually gets from a
// client, so that the checks can run on it offline.
//
// Files are recognised by their content (top-level key Vpcs, FlowLogs, logGroups, Subnets,
// NetworkInterfaces, InternetGateways, or Account+Arn for `aws sts get-caller-identity`), not by name. The
// region and account of a file come from its path: a path element (directory or a dot/underscore-separated
// part of the file name) that is a region name (us-east-1) or a 12-digit account id; otherwise from the
// defaults in Options, then from an sts get-caller-identity file beside it. So both
//
//	DIR/us-east-1/vpcs.json            DIR/111111111111/eu-west-1/flow-logs.json
//	DIR/vpcs.us-east-1.json            DIR/describe-flow-logs_eu-west-1.json   (with --region for unnamed ones)
//
// work. A collection without a file for an account-region that has any file is "not read" (an
// inventory.ReadError), so the checks report ERROR rather than PASS for what they cannot see; so is a file
// that ends with a NextToken (output cut short with --max-items).
package awscli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Options give the region and account of files whose path does not name them.
type Options struct {
	Region    string
	AccountID string
}

// kind is what a file holds.
type kind int

const (
	kindVPCs kind = iota
	kindFlowLogs
	kindLogGroups
	kindSubnets
	kindENIs
	kindIGWs
	kindIdentity
	// Transit Gateways are optional: without their output an AWS CLI folder simply has none (see tgw.go).
	kindTGWs
	kindTGWAttachments
)

var kinds = []struct {
	key        string
	coll       inventory.Collection
	command    string
	operation  string
	regionWide bool
}{
	kindVPCs:      {"Vpcs", inventory.CollVPCs, "aws ec2 describe-vpcs", "DescribeVpcs", true},
	kindFlowLogs:  {"FlowLogs", inventory.CollFlowLogs, "aws ec2 describe-flow-logs", "DescribeFlowLogs", true},
	kindLogGroups: {"logGroups", inventory.CollLogGroups, "aws logs describe-log-groups", "DescribeLogGroups", true},
	kindSubnets:   {"Subnets", inventory.CollSubnets, "aws ec2 describe-subnets", "DescribeSubnets", true},
	kindENIs:      {"NetworkInterfaces", inventory.CollNetworkInterfaces, "aws ec2 describe-network-interfaces", "DescribeNetworkInterfaces", true},
	kindIGWs:      {"InternetGateways", inventory.CollInternetGateways, "aws ec2 describe-internet-gateways", "DescribeInternetGateways", true},
	kindIdentity:  {"Account", inventory.CollAccount, "aws sts get-caller-identity", "GetCallerIdentity", false},
	kindTGWs:      {"TransitGateways", inventory.CollTransitGateways, "aws ec2 describe-transit-gateways", "DescribeTransitGateways", false},
	kindTGWAttachments: {"TransitGatewayAttachments", inventory.CollTransitGatewayAttachments,
		"aws ec2 describe-transit-gateway-attachments", "DescribeTransitGatewayAttachments", false},
}

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d{1,2}$`)
	accountRE = regexp.MustCompile(`^\d{12}$`)
)

// file is one recognised input file.
type file struct {
	path            string
	kind            kind
	account, region string // from the path, or ""
	raw             map[string]json.RawMessage
}

// Bounds on what Load reads: each file is held in memory while it is decoded, and every file's resources
// until the snapshot is built.
const (
	MaxFileBytes  = 512 << 20 // one AWS CLI output file
	MaxTotalBytes = 2 << 30   // all files of the directory
)

// inside reports whether path (symlinks resolved) is root or under it.
func inside(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Load reads every *.json file under dir and builds a snapshot with Source aws-cli.
func Load(dir string, o Options) (*inventory.Snapshot, error) {
	var files []file
	var problems []error
	var newest time.Time
	var total int64
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("read aws-cli directory: %w", err)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".json") {
			return nil
		}
		// Only regular files inside dir: a symlink out of it would read what the user did not point at, and a
		// FIFO or device would block or never end.
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", p, err))
				return nil
			}
			if !inside(root, target) {
				problems = append(problems, fmt.Errorf("%s: a symbolic link to %s, outside %s: not followed", p, target, dir))
				return nil
			}
		}
		if info, err := os.Stat(p); err != nil || !info.Mode().IsRegular() {
			problems = append(problems, fmt.Errorf("%s: not a regular file", p))
			return nil
		}
		data, err := inventory.ReadLimited(p, MaxFileBytes)
		if err != nil {
			return err
		}
		if total += int64(len(data)); total > MaxTotalBytes {
			return fmt.Errorf("%s: more than %d MiB of JSON in all: refused", dir, MaxTotalBytes>>20)
		}
		if info, err := d.Info(); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
		rel, _ := filepath.Rel(root, p)
		f, ok, err := classify(rel, data)
		if err != nil {
			problems = append(problems, err)
		} else if ok {
			f.path = rel
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read aws-cli directory: %w", err)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no AWS CLI JSON found (want the output of aws ec2 describe-vpcs, describe-flow-logs, aws logs describe-log-groups)", dir)
	}
	return build(dir, files, o, newest)
}

// classify recognises a file by its top-level keys; ok is false for JSON that is none of the known outputs.
func classify(rel string, data []byte) (file, bool, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line := 1 + strings.Count(string(data[:min(int(syn.Offset), len(data))]), "\n")
			return file{}, false, fmt.Errorf("%s:%d: %v", rel, line, err)
		}
		return file{}, false, nil // JSON, but not an object: not ours
	}
	f := file{raw: raw, kind: -1}
	for k, spec := range kinds {
		if _, ok := raw[spec.key]; ok {
			if kind(k) == kindIdentity {
				if _, ok := raw["Arn"]; !ok {
					continue
				}
			}
			f.kind = kind(k)
			break
		}
	}
	if f.kind < 0 {
		return file{}, false, nil
	}
	for _, part := range pathParts(rel) {
		switch {
		case regionRE.MatchString(part):
			f.region = part
		case accountRE.MatchString(part):
			f.account = part
		}
	}
	return f, true, nil
}

// pathParts splits a relative path into directory names and the dot/underscore/space-separated parts of the file
// name (vpcs.us-east-1.json → vpcs, us-east-1).
func pathParts(rel string) []string {
	rel = filepath.ToSlash(strings.TrimSuffix(rel, filepath.Ext(rel)))
	var out []string
	dirs := strings.Split(rel, "/")
	for i, d := range dirs {
		if i < len(dirs)-1 {
			out = append(out, d)
			continue
		}
		out = append(out, strings.FieldsFunc(d, func(r rune) bool { return r == '.' || r == '_' || r == ' ' })...)
		// describe-vpcs-us-east-1: a region at the end of a dash-separated name.
		if m := regionSuffix.FindString(d); m != "" {
			out = append(out, strings.TrimPrefix(m, "-"))
		}
	}
	return out
}

var regionSuffix = regexp.MustCompile(`-[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d{1,2}$`)

type scope struct{ account, region string }

func build(dir string, files []file, o Options, collected time.Time) (*inventory.Snapshot, error) {
	// Accounts from identity files, by the directory they sit in.
	identity := map[string]string{} // account path part ("" for none) → account id
	for _, f := range files {
		if f.kind != kindIdentity {
			continue
		}
		var id struct{ Account string }
		if err := json.Unmarshal(mustJSON(f.raw), &id); err != nil || !accountRE.MatchString(id.Account) {
			return nil, fmt.Errorf("%s: sts get-caller-identity output without a 12-digit Account", f.path)
		}
		identity[f.account] = id.Account
	}
	var problems []error
	regions := map[scope]*inventory.Region{}
	read := map[scope]map[kind]bool{}
	var order []scope
	for _, f := range files {
		if f.kind == kindIdentity {
			continue
		}
		region := f.region
		if region == "" {
			region = o.Region
		}
		if region == "" {
			problems = append(problems, fmt.Errorf("%s: cannot tell the region: put the file under a directory named after the region (us-east-1/), name it vpcs.us-east-1.json, or pass --region", f.path))
			continue
		}
		account := f.account
		if account == "" {
			account = o.AccountID
		}
		if account == "" {
			account = identity[""]
		}
		if account == "" {
			account = identity[f.account]
		}
		if account == "" {
			account = soleOwner(files)
		}
		if account == "" {
			problems = append(problems, fmt.Errorf("%s: cannot tell the account: add the output of `aws sts get-caller-identity`, put the files under a directory named after the account id, or pass --account", f.path))
			continue
		}
		sc := scope{account, region}
		r := regions[sc]
		if r == nil {
			r = &inventory.Region{AccountID: account, Name: region, Partition: inventory.PartitionOf(region), VPCs: []inventory.VPC{}, FlowLogs: []inventory.FlowLog{}}
			regions[sc] = r
			read[sc] = map[kind]bool{}
			order = append(order, sc)
		}
		spec := kinds[f.kind]
		if raw := f.raw[spec.key]; string(bytes.TrimSpace(raw)) == "null" {
			// {"Vpcs": null} is not an empty list: the list was not given, so it was not read.
			r.Errors = append(r.Errors, inventory.ReadError{AccountID: account, Region: region, Collection: spec.coll,
				Operation: spec.operation, Code: "Null",
				Message: fmt.Sprintf("%s: `%s` is null, not a list: the %s output was not given", f.path, spec.key, spec.command)})
			read[sc][f.kind] = true // recorded as not read above; no second "not provided" error
			continue
		}
		if err := decodeInto(r, f); err != nil {
			problems = append(problems, err)
			continue
		}
		read[sc][f.kind] = true
		if next := string(f.raw["NextToken"]); next != "" && next != "null" && next != `""` {
			spec := kinds[f.kind]
			r.Errors = append(r.Errors, inventory.ReadError{AccountID: account, Region: region, Collection: spec.coll,
				Operation: spec.operation, Code: "Truncated",
				Message: fmt.Sprintf("%s ends with a NextToken: the output was cut short (run %s without --max-items)", f.path, spec.command)})
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%w: the aws-cli directory %s has only `aws sts get-caller-identity` output, no resource list (describe-vpcs, describe-flow-logs, …) for any region", inventory.ErrNothingToEvaluate, dir)
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].account != order[j].account {
			return order[i].account < order[j].account
		}
		return order[i].region < order[j].region
	})
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: inventory.SourceAWSCLI, CollectedAt: collected.UTC()}
	for _, sc := range order {
		r := regions[sc]
		for k, spec := range kinds {
			if !spec.regionWide || read[sc][kind(k)] {
				continue
			}
			r.Errors = append(r.Errors, inventory.ReadError{AccountID: sc.account, Region: sc.region, Collection: spec.coll,
				Operation: spec.operation, Code: "NotProvided",
				Message: fmt.Sprintf("no `%s` output for %s/%s in the aws-cli directory", spec.command, sc.account, sc.region)})
		}
		tgwNotProvided(r, sc.account, sc.region, read[sc])
		dedupe(r)
		snap.Regions = append(snap.Regions, r)
	}
	return snap, nil
}

// soleOwner is the account when every VPC of every file has the same OwnerId (a shared VPC would differ).
func soleOwner(files []file) string {
	owner := ""
	for _, f := range files {
		if f.kind != kindVPCs {
			continue
		}
		var out struct{ Vpcs []struct{ OwnerId string } }
		if json.Unmarshal(mustJSON(f.raw), &out) != nil {
			return ""
		}
		for _, v := range out.Vpcs {
			if owner != "" && v.OwnerId != owner {
				return ""
			}
			owner = v.OwnerId
		}
	}
	return owner
}

func mustJSON(raw map[string]json.RawMessage) []byte {
	b, _ := json.Marshal(raw)
	return b
}

// dedupe drops repeated resources (the same collection given in two files).
func dedupe(r *inventory.Region) {
	r.VPCs = uniq(r.VPCs, func(v inventory.VPC) string { return v.ID })
	r.FlowLogs = uniq(r.FlowLogs, func(v inventory.FlowLog) string { return v.ID })
	r.LogGroups = uniq(r.LogGroups, func(v inventory.LogGroup) string { return v.Name })
	r.Subnets = uniq(r.Subnets, func(v inventory.Subnet) string { return v.ID })
	r.NetworkInterfaces = uniq(r.NetworkInterfaces, func(v inventory.NetworkInterface) string { return v.ID })
	r.InternetGateways = uniq(r.InternetGateways, func(v inventory.InternetGateway) string { return v.ID })
	r.TransitGateways = uniq(r.TransitGateways, func(v inventory.TransitGateway) string { return v.ID })
	r.TransitGatewayAttachments = uniq(r.TransitGatewayAttachments, func(v inventory.TransitGatewayAttachment) string { return v.ID })
}

func uniq[T any](xs []T, key func(T) string) []T {
	if xs == nil {
		return nil
	}
	seen := map[string]bool{}
	out := xs[:0]
	for _, x := range xs {
		if k := key(x); !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}
