package source_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/source"
)

func writeSnapshot(t *testing.T) string {
	t.Helper()
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: "test", CollectedAt: time.Unix(0, 0).UTC()}
	for _, a := range []string{"111111111111", "222222222222"} {
		for _, r := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
			snap.Regions = append(snap.Regions, &inventory.Region{AccountID: a, Name: r, VPCs: []inventory.VPC{{ID: "vpc-" + r}}})
		}
	}
	snap.Errors = []inventory.ReadError{
		{AccountID: "333333333333", Collection: inventory.CollAccount, Operation: "AssumeRole", Message: "denied"},
		{AccountID: "111111111111", Region: "us-east-1", Collection: inventory.CollVPCs, Operation: "DescribeVpcs", Message: "throttled"},
	}
	p := filepath.Join(t.TempDir(), "inv.json")
	if err := snap.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSnapshotRegions: --region narrows a snapshot as it narrows a live read, and says what it left out.
func TestSnapshotRegions(t *testing.T) {
	p := writeSnapshot(t)
	src, err := source.FromOptions(source.Options{Snapshot: p, Regions: []string{"eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := src.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Regions) != 2 {
		t.Errorf("%d account-regions, want the 2 of eu-west-1", len(snap.Regions))
	}
	for _, r := range snap.Regions {
		if r.Name != "eu-west-1" {
			t.Errorf("region %s/%s kept", r.AccountID, r.Name)
		}
	}
	if len(snap.Errors) != 1 || snap.Errors[0].Region != "" {
		t.Errorf("errors = %v, want only the account-level one", snap.Errors)
	}
	a, ok := src.(source.Annotator)
	if !ok {
		t.Fatal("the snapshot source has no notes")
	}
	want := "--region eu-west-1: 2 other regions of snapshot " + p + " left out (ap-southeast-2, us-east-1)"
	if n := a.Notes(); len(n) != 1 || n[0] != want {
		t.Errorf("notes = %q, want %q", n, want)
	}

	// Without --region, everything; a region the snapshot never read is an error, not a clean result.
	src, _ = source.FromOptions(source.Options{Snapshot: p})
	if snap, err := src.Load(t.Context()); err != nil || len(snap.Regions) != 6 || len(src.(source.Annotator).Notes()) != 0 {
		t.Errorf("no --region: %v, %+v", err, snap)
	}
	src, _ = source.FromOptions(source.Options{Snapshot: p, Regions: []string{"eu-west-1", "eu-north-1"}})
	if _, err := src.Load(t.Context()); err == nil || !strings.Contains(err.Error(), "has no such region") || !strings.Contains(err.Error(), "eu-north-1") {
		t.Errorf("missing region: err = %v", err)
	}
}
