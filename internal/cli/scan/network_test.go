package scan_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// The network lists are read only for what needs them: a scan role without ec2:DescribeSecurityGroups,
// DescribeNetworkAcls and DescribeInstances scans the built-in checks exactly as before; a check or query
// over security groups, or --read-network, reads them, and a denial makes that (and only that) ERROR.
func TestNetworkListsOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	denied := func(c faultproxy.Call) faultproxy.Fault {
		switch c.Action {
		case "DescribeSecurityGroups", "DescribeNetworkAcls", "DescribeInstances":
			return faultproxy.AccessDenied
		}
		return faultproxy.None
	}
	p := faultproxy.New(srv.URL, faultproxy.Options{Decide: denied})
	defer p.Close()
	env := acct.Env(p.URL, "us-east-1")
	dir := t.TempDir()
	checksDir := filepath.Join(dir, "checks")
	if err := os.MkdirAll(checksDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(checksDir, "sg.yaml"), []byte(`id: sg-no-open-ingress
title: no security group open to the internet
severity: high
description: d
asset_types: [SecurityGroup]
query: 'securityGroups(where: {openToInternet: true}){id}'
expect: eq []
`), 0o644); err != nil {
		t.Fatal(err)
	}

	// The built-in checks: the default VPC has no flow log (exit 1), as without the denial; no network call.
	snap := filepath.Join(dir, "inv.json")
	r := flowguard(t, env, "scan", "--region", "us-east-1", "--save-snapshot", snap)
	if r.code != 1 || strings.Contains(r.stdout, "INCOMPLETE") {
		t.Errorf("built-in scan: exit %d, want 1 (FAIL), not incomplete\n%s%s", r.code, r.stdout, r.stderr)
	}
	if f := p.Faults()[faultproxy.AccessDenied]; f != 0 {
		t.Errorf("built-in scan called a network list %d times: %v", f, p.Calls())
	}

	// A stored check over security groups: they are listed, denied, and that check is ERROR with the reason.
	r = flowguard(t, env, "scan", "--region", "us-east-1", "--checks", checksDir, "-o", "json")
	if r.code != 2 {
		t.Errorf("scan --checks: exit %d, want 2\n%s", r.code, r.stderr)
	}
	var res finding.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	var sg int
	for _, f := range res.Findings {
		if f.CheckID != "sg-no-open-ingress" {
			if f.Status == finding.StatusError {
				t.Errorf("built-in %s on %s is ERROR: %s", f.CheckID, f.ResourceID, f.Message)
			}
			continue
		}
		sg++
		if f.Status != finding.StatusError || !strings.Contains(f.Message, "ec2:DescribeSecurityGroups") || !strings.Contains(f.Message, "UnauthorizedOperation") {
			t.Errorf("sg check: %s %q, want ERROR with the operation and the denial", f.Status, f.Message)
		}
	}
	if sg == 0 {
		t.Error("no finding of the security-group check")
	}
	if n := p.Calls()["ec2:DescribeNetworkAcls"] + p.Calls()["ec2:DescribeInstances"]; n != 0 {
		t.Errorf("ACLs or instances listed %d times for a check over security groups only", n)
	}

	// The same check over the snapshot the built-in scan saved: not read there, ERROR, never PASS over nothing.
	r = flowguard(t, nil, "scan", "--snapshot", snap, "--checks", checksDir, "--check", "sg-no-open-ingress", "-o", "json")
	if r.code != 2 || !strings.Contains(r.stdout, "not read") || strings.Contains(r.stdout, `"PASS"`) {
		t.Errorf("snapshot: exit %d, want 2 with \"not read\"\n%s", r.code, r.stdout)
	}
	// A query over security groups: live (denied) and on that snapshot (not read), both incomplete.
	r = flowguard(t, env, "query", "--region", "us-east-1", "securityGroups { id }")
	if r.code != 2 || !strings.Contains(r.stderr, "incomplete") {
		t.Errorf("live query: exit %d stderr %q, want 2", r.code, r.stderr)
	}
	r = flowguard(t, nil, "query", "--snapshot", snap, "securityGroups { id }")
	if r.code != 2 || !strings.Contains(r.stderr, "ec2:DescribeSecurityGroups: not read") {
		t.Errorf("snapshot query: exit %d stderr %q, want 2 naming what was not read", r.code, r.stderr)
	}
	// A query that does not reach them is complete on that snapshot.
	if r = flowguard(t, nil, "query", "--snapshot", snap, "vpcs { id }"); r.code != 0 {
		t.Errorf("vpc query: exit %d stderr %q, want 0", r.code, r.stderr)
	}

	// --read-network asks for all three: denied, the scan says so (exit 2).
	r = flowguard(t, env, "scan", "--region", "us-east-1", "--read-network")
	if r.code != 2 || !strings.Contains(r.stdout, "UnauthorizedOperation") {
		t.Errorf("--read-network: exit %d, want 2\n%s", r.code, r.stdout)
	}
	if r = flowguard(t, nil, "scan", "--snapshot", snap, "--read-network"); r.code != 3 {
		t.Errorf("--read-network with --snapshot: exit %d, want 3 (usage)", r.code)
	}
}
