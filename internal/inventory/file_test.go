package inventory_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/inventory"
)

const head = `{"schema":"flowguard.inventory/v1","source":"aws",`

func TestDecodeRefusesBrokenSnapshots(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"null region", head + `"regions":[null]}`, []string{"inv.json", "regions[0]: null"}},
		{"missing account and region", head + `"regions":[{"vpcs":[]}]}`,
			[]string{"regions[0].account_id: missing", "regions[0].region: missing"}},
		{"duplicate account-region", head + `"regions":[{"account_id":"111111111111","region":"eu-west-1"},{"account_id":"222222222222","region":"eu-west-1"},{"account_id":"111111111111","region":"eu-west-1"}]}`,
			[]string{"regions[2]: account 111111111111 region eu-west-1 appears twice (first at regions[0])"}},
		{"null vpc", head + `"regions":[{"account_id":"111111111111","region":"eu-west-1","vpcs":[null]}]}`,
			[]string{"regions[0].vpcs[0].id: missing"}},
		{"duplicate vpc", head + `"regions":[{"account_id":"111111111111","region":"eu-west-1","vpcs":[{"id":"vpc-1"},{"id":"vpc-1"}]}]}`,
			[]string{"regions[0].vpcs[1]: VPC vpc-1 appears twice"}},
		{"flow log without resource", head + `"regions":[{"account_id":"111111111111","region":"eu-west-1","flow_logs":[{"id":"fl-1"}]}]}`,
			[]string{"regions[0].flow_logs[0].resource_id: missing"}},
		{"null lists of other kinds", head + `"regions":[{"account_id":"1","region":"r","subnets":[null],"network_interfaces":[null],"internet_gateways":[null],"log_groups":[null],"errors":[null]}],"buckets":[null],"errors":[null]}`,
			[]string{"regions[0].subnets[0].id", "regions[0].network_interfaces[0].id", "regions[0].internet_gateways[0].id",
				"regions[0].log_groups[0].name", "regions[0].errors[0].collection", "buckets[0].name", "errors[0].collection"}},
		{"wrong type", head + "\n" + `"regions":{"a":1}}`, []string{"inv.json:2:", "regions: want []*inventory.Region"}},
		{"not a snapshot", `{"schema":"flowguard.scan/v1"}`, []string{"not a flowguard snapshot"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := inventory.Decode("inv.json", []byte(tc.doc))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestValidateBoundsTheMessage(t *testing.T) {
	doc := head + `"regions":[` + strings.Repeat("null,", 999) + `null]}`
	_, err := inventory.Decode("inv.json", []byte(doc))
	if err == nil || !strings.Contains(err.Error(), "and 980 more problems") || strings.Count(err.Error(), "\n") > 25 {
		t.Fatalf("error not bounded: %v", err)
	}
}

func TestReadFileRoundTripAndLimit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "inv.json")
	s := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: inventory.SourceAWS, Regions: []*inventory.Region{
		{AccountID: "111111111111", Name: "eu-west-1", VPCs: []inventory.VPC{{ID: "vpc-1"}}, FlowLogs: []inventory.FlowLog{{ID: "fl-1", ResourceID: "vpc-1"}}}}}
	if err := s.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	got, err := inventory.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Regions) != 1 || got.Regions[0].VPCs[0].ID != "vpc-1" {
		t.Fatalf("round trip: %+v", got)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.ReadLimited(big, 1024); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("ReadLimited over the limit: %v", err)
	}
	if data, err := inventory.ReadLimited(big, 2048); err != nil || len(data) != 2048 {
		t.Fatalf("ReadLimited at the limit: %d bytes, %v", len(data), err)
	}
}

// FuzzDecode: whatever the bytes, Decode returns a snapshot or an error, never panics, and a snapshot it
// accepts is one the evaluation can walk (no nil regions, identifying fields present).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		head + `"regions":[{"account_id":"111111111111","region":"eu-west-1","vpcs":[{"id":"vpc-1","tags":{"Name":"a"}}],"flow_logs":[{"id":"fl-1","resource_id":"vpc-1","status":"ACTIVE","traffic_type":"ALL"}],"log_groups":[{"name":"g","retention_days":null}]}],"buckets":[{"name":"b","account_id":"1","state":"exists"}]}`,
		head + `"regions":[null]}`,
		head + `"regions":[]}`,
		head + `"regions":[{"account_id":"1","region":"r","errors":[{"collection":"all","operation":"scan","message":"x"}]}]}`,
		`{"schema":"flowguard.scan/v1","findings":[]}`,
		`[]`, `null`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := inventory.Decode("fuzz.json", data)
		if err != nil {
			return
		}
		for i, r := range s.Regions {
			if r == nil || r.AccountID == "" || r.Name == "" {
				t.Fatalf("accepted a broken region %d: %+v", i, r)
			}
		}
	})
}

func TestEmptySnapshotIsNothingToEvaluate(t *testing.T) {
	for _, doc := range []string{head + `"regions":[]}`, head + `"regions":null}`, head[:len(head)-1] + `}`} {
		_, err := inventory.Decode("inv.json", []byte(doc))
		if !errors.Is(err, inventory.ErrNothingToEvaluate) || !strings.Contains(err.Error(), "nothing to evaluate: the snapshot inv.json has no regions") {
			t.Errorf("%s: %v", doc, err)
		}
	}
	// No region but a recorded read error (an account that could not be entered) is a valid snapshot.
	if _, err := inventory.Decode("inv.json", []byte(head+`"regions":[],"errors":[{"account_id":"1","collection":"account","operation":"sts:AssumeRole","message":"denied"}]}`)); err != nil {
		t.Fatal(err)
	}
}

// TestUnknownsSurviveTheRoundTrip: a snapshot of an IaC scan keeps what its reader could not resolve, so that
// `scan --snapshot` says UNKNOWN where the scan that saved it did.
func TestUnknownsSurviveTheRoundTrip(t *testing.T) {
	at := &inventory.Location{File: "main.tf", Line: 7, Address: "aws_flow_log.f"}
	snap := &inventory.Snapshot{Schema: inventory.SnapshotSchema, Source: inventory.SourceTerraform, Regions: []*inventory.Region{{
		AccountID: "iac", Name: "-",
		VPCs: []inventory.VPC{{ID: "aws_vpc.v", Unknowns: []inventory.Unknown{{Field: "hasFlowLog", Why: "module not followed"}}}},
		FlowLogs: []inventory.FlowLog{{ID: "aws_flow_log.f", ResourceID: "aws_vpc.v", Location: at,
			Unknowns: []inventory.Unknown{{Field: "trafficType", What: "aws_flow_log.f: traffic_type", Why: "var.t has no default value", Location: at}}}},
		LogGroups: []inventory.LogGroup{{Name: "g", Unknowns: []inventory.Unknown{{Field: "retentionInDays", Why: "-5 is not valid", Reason: "INVALID_RETENTION", Invalid: true}}}},
		Unknowns:  []inventory.Unknown{{Field: inventory.RegionFlowLogs, Why: "flow log target unknown", Reason: inventory.UnknownNotDeclared}},
	}}}
	p := filepath.Join(t.TempDir(), "inv.json")
	if err := snap.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	got, err := inventory.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r := got.Regions[0]
	if diff := cmp.Diff(snap.Regions[0].Unknowns, r.Unknowns); diff != "" {
		t.Errorf("region unknowns (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(snap.Regions[0].VPCs[0].Unknowns, r.VPCs[0].Unknowns); diff != "" {
		t.Errorf("VPC unknowns (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(snap.Regions[0].FlowLogs[0].Unknowns, r.FlowLogs[0].Unknowns); diff != "" {
		t.Errorf("flow log unknowns (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(snap.Regions[0].LogGroups[0].Unknowns, r.LogGroups[0].Unknowns); diff != "" {
		t.Errorf("log group unknowns (-want +got):\n%s", diff)
	}
	if s := r.FlowLogs[0].Unknowns[0].String(); s != "aws_flow_log.f: traffic_type: var.t has no default value (main.tf:7)" {
		t.Errorf("String() = %q", s)
	}
}
