package query

import (
	"slices"
	"testing"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Collections name what a query reads: its root's type, every relation target its filters and selection
// (fragments included) follow, and the delivery evidence when it reads a delivery field — what a scan must
// list for its answer to mean anything.
func TestCollectionsAQueryReads(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []inventory.Collection
	}{
		{`vpcs { id }`, []inventory.Collection{inventory.CollVPCs}},
		{`vpcs(where: {hasFlowLog_NONE: {flowLogStatus: "ACTIVE"}}) { id }`, []inventory.Collection{inventory.CollVPCs, inventory.CollFlowLogs}},
		{`securityGroups(where: {openToInternet: true}) { id hasRule { cidr } }`, []inventory.Collection{inventory.CollSecurityGroups}},
		// Through the interfaces, in a filter; null still reads the relation.
		{`vpcs(where: {hasNetworkInterface_SOME: {hasSecurityGroup: null}}) { id }`,
			[]inventory.Collection{inventory.CollVPCs, inventory.CollNetworkInterfaces, inventory.CollSecurityGroups}},
		// In a selection, through a fragment.
		{`query { subnets { ...S } } fragment S on Subnet { id hasNetworkAcl { id } }`,
			[]inventory.Collection{inventory.CollSubnets, inventory.CollNetworkACLs}},
		// The interfaces' own fields come with the interfaces.
		{`networkInterfaces(where: {requesterManaged: true}) { description instanceId securityGroupCount }`,
			[]inventory.Collection{inventory.CollNetworkInterfaces}},
		// Delivery evidence is read apart from its flow logs and interfaces: in a filter, a selection, a fragment.
		{`flowLogs(where: {deliveryLagSeconds_GT: 3600}) { id }`, []inventory.Collection{inventory.CollFlowLogs, inventory.CollDelivery}},
		{`vpcs { hasFlowLog { id destinationRead } }`, []inventory.Collection{inventory.CollVPCs, inventory.CollFlowLogs, inventory.CollDelivery}},
		{`query { networkInterfaces { ...I } } fragment I on NetworkInterface { id recordLagSeconds }`,
			[]inventory.Collection{inventory.CollNetworkInterfaces, inventory.CollDelivery}},
		{`flowLogs { id deliverLogsStatus }`, []inventory.Collection{inventory.CollFlowLogs}},
	} {
		q, err := Parse("q", tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		p, err := q.Compile(graph.Default, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		if got := p.Collections(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Collections = %v, want %v", tc.src, got, tc.want)
		}
	}
}
