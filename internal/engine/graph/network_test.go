package graph_test

import (
	"testing"

	"github.com/flowguard/flowguard/internal/engine/graph"
	"github.com/flowguard/flowguard/internal/inventory"
)

// Security groups, their rules, network ACLs, their entries and subnet associations, and the interfaces'
// attachments are in the graph, for stored checks.
func TestBuildNetwork(t *testing.T) {
	reg := &inventory.Region{AccountID: "111111111111", Name: "eu-west-1",
		VPCs:    []inventory.VPC{{ID: "vpc-1"}},
		Subnets: []inventory.Subnet{{ID: "subnet-1", VPCID: "vpc-1"}},
		NetworkInterfaces: []inventory.NetworkInterface{{ID: "eni-1", VPCID: "vpc-1", SubnetID: "subnet-1", ENIDetails: inventory.ENIDetails{
			Description: "ELB app/shop/1", RequesterManaged: true, SecurityGroups: []string{"sg-1"}, PrivateIPs: []string{"10.0.0.5"},
			PublicIPs: []inventory.PublicIP{{PublicIP: "54.0.0.1"}}, Attachment: &inventory.ENIAttachment{InstanceID: "i-1"}, Tags: map[string]string{"Name": "lb-a"}}}},
		RegionNetwork: inventory.RegionNetwork{NetworkRead: true,
			SecurityGroups: []inventory.SecurityGroup{{ID: "sg-1", Name: "web", VPCID: "vpc-1",
				Ingress: []inventory.SGRule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0"}},
				Egress:  []inventory.SGRule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"}}}},
			NetworkACLs: []inventory.NetworkACL{{ID: "acl-1", VPCID: "vpc-1", Subnets: []string{"subnet-1"},
				Entries: []inventory.ACLEntry{{RuleNumber: 90, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22}}}},
		}}
	g := graph.Build(&inventory.Snapshot{Regions: []*inventory.Region{reg}})
	sg := g.Lookup(graph.TSecurityGroup, "111111111111", "eu-west-1", "sg-1")
	acl := g.Lookup(graph.TNetworkACL, "111111111111", "eu-west-1", "acl-1")
	eni := g.Lookup(graph.TNetworkInterface, "111111111111", "eu-west-1", "eni-1")
	sub := g.Lookup(graph.TSubnet, "111111111111", "eu-west-1", "subnet-1")
	if sg == nil || acl == nil || eni == nil || sub == nil {
		t.Fatalf("nodes missing: %v %v %v %v", sg, acl, eni, sub)
	}
	rules := sg.Related("hasRule")
	entries := acl.Related("hasEntry")
	for _, tc := range []struct{ got, want string }{
		{sg.Field("name").String(), "web"},
		{sg.Field("openToInternet").String(), "true"},
		{related(sg, "hasNetworkInterface"), "eni-1"},
		{related(eni, "hasSecurityGroup"), "sg-1"},
		{eni.Field("name").String(), "lb-a"},
		{eni.Field("description").String(), "ELB app/shop/1"},
		{eni.Field("instanceId").String(), "i-1"},
		{eni.Field("publicIp").String(), "54.0.0.1"},
		{related(sub, "hasNetworkAcl"), "acl-1"},
		{related(acl, "hasSubnet"), "subnet-1"},
		{fmtBool(len(rules) == 2), "true"},
		{rules[0].Field("fromInternet").String(), "true"},
		{rules[1].Field("direction").String(), "outbound"},
		{entries[0].Field("action").String(), "deny"},
		{entries[0].Field("ruleNumber").String(), "90"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
