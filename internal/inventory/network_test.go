package inventory

import (
	"encoding/json"
	"strings"
	"testing"
)

// A network collection is read only when the reader listed it: not listed is "not read" (never "none"), not
// a failure (the region's Errors stay empty), and a listing that failed keeps its own error.
func TestNetworkCollectionsReadOnlyWhenListed(t *testing.T) {
	r := &Region{AccountID: "111122223333", Name: "eu-west-1"}
	for _, c := range NetworkCollections {
		e, failed := r.ErrorFor(c)
		if r.Read(c) || !failed || e.Code != CodeNotRead || e.Operation != NetworkOperation(c) || !strings.Contains(e.Message, "not read") {
			t.Errorf("%s unlisted: Read %v, ErrorFor %+v %v", c, r.Read(c), e, failed)
		}
	}
	if !r.Read(CollVPCs) {
		t.Error("vpcs: not read without an error")
	}

	r.NetworkLists = []Collection{CollSecurityGroups, CollNetworkACLs}
	r.Errors = []ReadError{{Collection: CollNetworkACLs, Operation: "ec2:DescribeNetworkAcls", Code: "UnauthorizedOperation", Message: "denied"}}
	if !r.Read(CollSecurityGroups) || r.Read(CollNetworkACLs) || r.Read(CollInstances) {
		t.Errorf("listed groups, denied ACLs, unlisted instances: read %v %v %v", r.Read(CollSecurityGroups), r.Read(CollNetworkACLs), r.Read(CollInstances))
	}
	if e, _ := r.ErrorFor(CollNetworkACLs); e.Code != "UnauthorizedOperation" {
		t.Errorf("denied ACLs: %+v, want the denial", e)
	}

	// Snapshots written with the one flag meant all three; the list survives a round trip.
	var old Region
	if err := json.Unmarshal([]byte(`{"account_id":"1","region":"r","vpcs":[],"flow_logs":[],"network_read":true}`), &old); err != nil {
		t.Fatal(err)
	}
	for _, c := range NetworkCollections {
		if !old.Read(c) {
			t.Errorf("network_read snapshot: %s not read", c)
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Region
	if err := json.Unmarshal(b, &back); err != nil || !back.Read(CollSecurityGroups) || back.Read(CollInstances) {
		t.Errorf("round trip %s: %v", b, err)
	}
}
