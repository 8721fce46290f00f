package estate

import (
	"encoding/json"
	"testing"

	"github.com/flowguard/flowguard/internal/finding"
)

func TestResultIsDeterministicAndSized(t *testing.T) {
	o := Options{Accounts: 200, Regions: 5, VPCs: 5, Hostile: true}
	a, _ := json.Marshal(Result(o))
	b, _ := json.Marshal(Result(o))
	if string(a) != string(b) {
		t.Fatal("two results of the same options differ")
	}
	r := Result(o)
	if r.Summary.VPCs != 5000 {
		t.Errorf("VPCs = %d, want 5000", r.Summary.VPCs)
	}
	vpcs := map[string]bool{}
	perAccountFail := map[string]int{}
	for _, f := range r.Findings {
		vpcs[f.AccountID+"/"+f.Region+"/"+f.ResourceID] = true
		if f.Status == finding.StatusFail && f.CheckID == CheckEnabled {
			perAccountFail[f.AccountID]++
		}
	}
	if len(vpcs) != 5000 {
		t.Errorf("%d distinct VPCs, want 5000", len(vpcs))
	}
	// Accounts differ: some pass entirely, some fail a lot.
	if perAccountFail[AccountID(0)] != 0 || perAccountFail[AccountID(2)] < 10 {
		t.Errorf("fail counts: account 0 %d, account 2 %d", perAccountFail[AccountID(0)], perAccountFail[AccountID(2)])
	}
	for _, st := range []finding.Status{finding.StatusPass, finding.StatusFail, finding.StatusSkipped, finding.StatusExcepted} {
		n := 0
		for _, f := range r.Findings {
			if f.Status == st {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no %s finding", st)
		}
	}
	hostile := 0
	for _, f := range r.Findings {
		if f.Evidence.Tags["hostile0"] == HostileValues[0] {
			hostile++
		}
	}
	if hostile < 200 {
		t.Errorf("%d findings carry hostile tags, want one VPC per account", hostile)
	}
}

func TestSnapshotIsValidDeterministicAndSized(t *testing.T) {
	o := Options{Accounts: 10, Regions: 5, VPCs: 100}
	a, _ := json.Marshal(Snapshot(o))
	b, _ := json.Marshal(Snapshot(o))
	if string(a) != string(b) {
		t.Fatal("two snapshots of the same options differ")
	}
	s := Snapshot(o)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range s.Regions {
		n += len(r.VPCs)
	}
	if n != 5000 || len(s.Regions) != 50 {
		t.Errorf("%d VPCs in %d regions, want 5,000 in 50", n, len(s.Regions))
	}
}
