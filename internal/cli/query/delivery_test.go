package query_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// A query that reads delivery evidence makes a live read collect it (the flow logs' destinations are read,
// as scan does for vpc-flow-logs-delivering); a snapshot saved without it answers null there, and the query
// says so and exits 2 rather than let null pass for "nothing delivered". A query without delivery fields is
// unaffected.
func TestQueryDeliveryEvidence(t *testing.T) {
	t.Parallel()
	acct, ids := clitest.DemoAccount(t, "")
	env := acct.Env(moto.Shared(t).URL, "us-east-1")
	const q = `flowLogs { resourceId destinationRead destinationErrorCode deliveryReadWhere }`

	type flowLog struct {
		ResourceID           string  `json:"resourceId"`
		DestinationRead      *bool   `json:"destinationRead"`
		DestinationErrorCode *string `json:"destinationErrorCode"`
		DeliveryReadWhere    *string `json:"deliveryReadWhere"`
	}
	decode := func(r run) []flowLog {
		t.Helper()
		var doc map[string][]flowLog
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("%v\n%s\n%s", err, r.stdout, r.stderr)
		}
		return doc["flowLogs"]
	}

	live := flowguard(t, env, "query", demoRegions, "-o", "json", q)
	if live.code != 0 {
		t.Fatalf("live query: exit %d\n%s", live.code, live.stderr)
	}
	fls := decode(live)
	if len(fls) == 0 {
		t.Fatal("the demo account has no flow logs")
	}
	payments := false
	for _, fl := range fls {
		if fl.DestinationRead == nil || fl.DeliveryReadWhere == nil {
			t.Errorf("flow log of %s: delivery evidence not collected by the live read: %+v", fl.ResourceID, fl)
			continue
		}
		if fl.ResourceID == ids["payments"] {
			// Its log group does not exist.
			payments = true
			if *fl.DestinationRead || fl.DestinationErrorCode == nil || *fl.DestinationErrorCode != "ResourceNotFoundException" {
				t.Errorf("payments' flow log: destinationRead %v, code %v; want false, ResourceNotFoundException",
					*fl.DestinationRead, fl.DestinationErrorCode)
			}
		}
	}
	if !payments {
		t.Errorf("no flow log of the payments VPC %s among %+v", ids["payments"], fls)
	}

	// A default scan reads no destinations: its snapshot holds no delivery evidence.
	snap := filepath.Join(t.TempDir(), "inv.json")
	if r := flowguard(t, env, "scan", demoRegions, "--save-snapshot", snap, "-o", "json"); r.code != 0 && r.code != 1 {
		t.Fatalf("scan: exit %d\n%s", r.code, r.stderr)
	}
	off := flowguard(t, env, "query", "--snapshot", snap, "-o", "json", q)
	if off.code != 2 || !strings.Contains(off.stderr, "holds no delivery evidence") {
		t.Errorf("query of delivery fields on a snapshot without them: exit %d, want 2 and a note\n%s", off.code, off.stderr)
	}
	for _, fl := range decode(off) {
		if fl.DestinationRead != nil {
			t.Errorf("flow log of %s: destinationRead %v from a snapshot that holds no delivery evidence", fl.ResourceID, *fl.DestinationRead)
		}
	}
	if r := flowguard(t, env, "query", "--snapshot", snap, "-o", "json", "flowLogs { id resourceId }"); r.code != 0 {
		t.Errorf("a query without delivery fields on the same snapshot: exit %d\n%s", r.code, r.stderr)
	}

	// A scan that runs the delivery check keeps what it read in its snapshot (it exits 2: the payments
	// VPC's destination cannot be read, an ERROR finding).
	snap2 := filepath.Join(t.TempDir(), "inv.json")
	if r := flowguard(t, env, "scan", demoRegions, "--check", "vpc-flow-logs-delivering", "--save-snapshot", snap2, "-o", "json"); r.code > 2 {
		t.Fatalf("scan with the delivery check: exit %d\n%s", r.code, r.stderr)
	}
	on := flowguard(t, env, "query", "--snapshot", snap2, "-o", "json", q)
	if on.code != 0 {
		t.Fatalf("query of a snapshot with delivery evidence: exit %d\n%s", on.code, on.stderr)
	}
	for _, fl := range decode(on) {
		if fl.DestinationRead == nil {
			t.Errorf("flow log of %s: no delivery evidence in the snapshot of a delivery scan", fl.ResourceID)
		}
	}
}
