package awscli

import (
	"errors"
	"strings"
	"testing"

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
