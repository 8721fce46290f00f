package checks

import (
	"slices"
	"testing"

	"github.com/flowguard/flowguard/internal/inventory"
)

// The built-in checks read none of the on-demand network collections: a scan of them never lists security
// groups, ACLs or instances. A check names what its queries reach and what it requires.
func TestNetworkTheChecksNeed(t *testing.T) {
	if got := Network(Builtin()); len(got) != 0 {
		t.Errorf("built-in checks need %v, want nothing", got)
	}
	head := "title: t\nseverity: high\ndescription: d\nexpect: eq []\n"
	acl, err := Parse("acl.yaml", []byte("id: a\nasset_types: [Subnet]\n"+head+
		"query: 'subnets(where: {hasNetworkAcl_NOT: {isDefault: true}}){id}'\n"))
	if err != nil {
		t.Fatal(err)
	}
	req, err := Parse("req.yaml", []byte("id: r\nasset_types: [VPC]\nrequires: [security_groups]\n"+head+"query: 'vpcs(where: {id: \"x\"}){id}'\n"))
	if err != nil {
		t.Fatal(err)
	}
	// A message that follows a relation to the groups reads them too.
	msg, err := Parse("msg.yaml", []byte("id: m\nasset_types: [NetworkInterface]\n"+head+
		"query: 'networkInterfaces(where: {requesterManaged: true}){id}'\nfail: 'groups {{range .Rel \"hasSecurityGroup\"}}{{.ID}} {{end}}'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Network(); !slices.Equal(got, []inventory.Collection{inventory.CollSecurityGroups}) {
		t.Errorf("message check: %v", got)
	}
	if got := acl.Network(); !slices.Equal(got, []inventory.Collection{inventory.CollNetworkACLs}) {
		t.Errorf("acl check: %v", got)
	}
	if got := Network(append(Builtin(), acl, req)); !slices.Equal(got, []inventory.Collection{inventory.CollSecurityGroups, inventory.CollNetworkACLs}) {
		t.Errorf("all: %v", got)
	}
}

// A check that reads delivery evidence — in a query or quoted in a message — requires it for the assets in
// its scope, as if it said so: a scan running it reads the destinations (Need), and where they were not read
// its assets are ERROR, never a PASS judged on null fields. The built-in checks other than
// vpc-flow-logs-delivering read none.
func TestDeliveryTheChecksNeed(t *testing.T) {
	for _, c := range Builtin() {
		if got := Need([]*Check{c}, inventory.CollDelivery); got != (c.ID == "vpc-flow-logs-delivering") {
			t.Errorf("%s: needs delivery evidence %v", c.ID, got)
		}
	}
	head := "title: t\nseverity: high\ndescription: d\nexpect: eq []\nasset_types: [VPC]\n"
	for name, body := range map[string]string{
		"query":   "query: 'vpcs(where: {hasFlowLog_SOME: {deliveryLagSeconds_GT: 86400}}){id}'\n",
		"message": "query: 'vpcs(where: {hasFlowLog: null}){id}'\nfail: '{{range .Rel \"hasFlowLog\"}}{{.F \"neverDelivered\"}}{{end}}'\n",
	} {
		c, err := Parse(name+".yaml", []byte("id: "+name+"\n"+head+body))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c.RequiresInScope, []inventory.Collection{inventory.CollDelivery}) || !Need([]*Check{c}, inventory.CollDelivery) {
			t.Errorf("%s: requires in scope %v, want delivery", name, c.RequiresInScope)
		}
	}
	plain, err := Parse("plain.yaml", []byte("id: p\n"+head+"query: 'vpcs(where: {hasFlowLog_NONE: {deliverLogsStatus: \"SUCCESS\"}}){id}'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if Need([]*Check{plain}, inventory.CollDelivery) {
		t.Error("a check without delivery fields needs delivery evidence")
	}
}
