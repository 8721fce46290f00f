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
