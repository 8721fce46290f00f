package awscli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
)

// A folder with only the caller identity holds nothing to evaluate: an error, never an empty (passing) scan.
func TestIdentityOnlyIsNothingToEvaluate(t *testing.T) {
	dir := writeFiles(t, map[string]string{"identity.json": identityJSON, "notes.json": `{"x": 1}`})
	_, err := Load(dir, Options{Region: "eu-west-1"})
	if !errors.Is(err, inventory.ErrNothingToEvaluate) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("err = %v, want nothing to evaluate naming %s", err, dir)
	}
}

// {"Vpcs": null} is not {"Vpcs": []}: the list was not given, so the collection was not read (ERROR), once.
func TestNullListIsNotRead(t *testing.T) {
	for _, tc := range []struct{ key, coll string }{{"Vpcs", "vpcs"}, {"FlowLogs", "flow_logs"}, {"logGroups", "log_groups"}} {
		files := map[string]string{"111111111111/eu-west-1/vpcs.json": `{"Vpcs": []}`,
			"111111111111/eu-west-1/fl.json": `{"FlowLogs": []}`, "111111111111/eu-west-1/lg.json": `{"logGroups": []}`}
		for name, body := range files {
			if strings.Contains(body, tc.key) {
				files[name] = `{"` + tc.key + `":  null }`
			}
		}
		snap, err := Load(writeFiles(t, files), Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := snap.Regions[0]
		if r.Read(inventory.Collection(tc.coll)) {
			t.Errorf("%s: null list counted as read", tc.key)
		}
		n := 0
		for _, e := range r.Errors {
			if string(e.Collection) == tc.coll {
				n++
				if e.Code != "Null" || !strings.Contains(e.Message, "is null") {
					t.Errorf("%s: error %+v", tc.key, e)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s: %d errors for the collection, want 1: %+v", tc.key, n, r.Errors)
		}
	}
	// The empty list is read: an account-region with no VPCs is fine.
	snap, err := Load(writeFiles(t, map[string]string{"111111111111/eu-west-1/vpcs.json": `{"Vpcs": []}`}), Options{})
	if err != nil || !snap.Regions[0].Read(inventory.CollVPCs) {
		t.Fatalf("an empty list: %v %+v", err, snap)
	}
}

// Only regular files inside the folder are read: a symlink out of it is refused, one inside is followed.
func TestSymlinksStayInside(t *testing.T) {
	outside := writeFiles(t, map[string]string{"secret.json": vpcsJSON})
	dir := writeFiles(t, map[string]string{"111111111111/eu-west-1/fl.json": flowLogsJSON, "111111111111/eu-west-1/real.json": vpcsJSON})
	if err := os.Symlink(filepath.Join(dir, "111111111111/eu-west-1/real.json"), filepath.Join(dir, "111111111111/eu-west-1/link.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, Options{}); err != nil {
		t.Fatalf("a link inside: %v", err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.json"), filepath.Join(dir, "111111111111/eu-west-1/vpcs.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir, Options{}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Fatalf("a link outside: %v", err)
	}
}

func TestFIFOIsRefused(t *testing.T) {
	dir := writeFiles(t, map[string]string{"111111111111/eu-west-1/vpcs.json": vpcsJSON})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.json"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := Load(dir, Options{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("FIFO: %v", err)
	}
}

// FuzzBuild: any file content gives an error or a snapshot the evaluation can walk (inventory.Validate).
func FuzzBuild(f *testing.F) {
	for _, s := range []string{vpcsJSON, flowLogsJSON, logGroupsJSON, identityJSON, `{"Vpcs": null}`, `{"Vpcs": [null]}`,
		`{"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}]}`, `{"NetworkInterfaces": [{}]}`,
		`{"InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1"}]}]}`,
		`{"FlowLogs": [], "NextToken": "x"}`, `[1]`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, ok, err := classify("111111111111/eu-west-1/x.json", data)
		if err != nil || !ok {
			return
		}
		fl.path = "x.json"
		snap, err := build("d", []file{fl}, Options{}, time.Time{})
		if err != nil {
			return
		}
		if err := snap.Validate(); err != nil {
			t.Fatalf("built an invalid snapshot: %v", err)
		}
	})
}
