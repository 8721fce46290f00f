package gen

import (
	"fmt"
	"net/netip"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Estate is an inventory of n interfaces in 10 subnets (each with its own network ACL) and 20 security
// groups, and the gen.ENIs that generate traffic over it (the inventory of the enrichment benchmarks
// and determinism tests).
func Estate(n int) (*inventory.Snapshot, []ENI) {
	reg := &inventory.Region{AccountID: "123456789012", Name: "us-east-1", VPCs: []inventory.VPC{{ID: "vpc-0a1b2c3d4e5f60718", CIDR: "10.0.0.0/16"}}}
	reg.NetworkRead = true
	for g := range 20 {
		sg := inventory.SecurityGroup{ID: fmt.Sprintf("sg-%017x", g), Name: fmt.Sprint("group-", g)}
		for _, p := range []int32{443, 80, 5432, 6379, 8080} {
			sg.Ingress = append(sg.Ingress, inventory.SGRule{Protocol: "tcp", FromPort: p, ToPort: p, CIDR: "10.0.0.0/16"})
		}
		sg.Ingress = append(sg.Ingress, inventory.SGRule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0"})
		sg.Egress = []inventory.SGRule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"}}
		reg.SecurityGroups = append(reg.SecurityGroups, sg)
	}
	for s := range 10 {
		sub := fmt.Sprintf("subnet-%017x", 0x5b0000+s)
		reg.Subnets = append(reg.Subnets, inventory.Subnet{ID: sub, VPCID: "vpc-0a1b2c3d4e5f60718", CIDR: fmt.Sprintf("10.0.%d.0/24", s)})
		reg.NetworkACLs = append(reg.NetworkACLs, inventory.NetworkACL{ID: fmt.Sprintf("acl-%017x", s), Subnets: []string{sub}, Entries: []inventory.ACLEntry{
			{RuleNumber: 10, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 23, ToPort: 23},
			{RuleNumber: 20, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 445, ToPort: 445},
			{RuleNumber: 30, Protocol: "6", CIDR: "0.0.0.0/0", FromPort: 3389, ToPort: 3389},
			{RuleNumber: 100, Protocol: "-1", Allow: true, CIDR: "0.0.0.0/0"},
			{RuleNumber: 100, Egress: true, Protocol: "-1", Allow: true, CIDR: "0.0.0.0/0"},
			{RuleNumber: 32767, Protocol: "-1", CIDR: "0.0.0.0/0"},
		}})
	}
	var enis []ENI
	for i := range n {
		id := fmt.Sprintf("eni-%017x", 0x0a000000000+i*7919)
		sub := reg.Subnets[i%10]
		ip := netip.AddrFrom4([4]byte{10, 0, byte(i % 10), byte(4 + i/10)})
		inst := fmt.Sprintf("i-%017x", 0x1c0000000+i)
		reg.NetworkInterfaces = append(reg.NetworkInterfaces, inventory.NetworkInterface{ID: id, VPCID: "vpc-0a1b2c3d4e5f60718", SubnetID: sub.ID, Type: "interface",
			ENIDetails: inventory.ENIDetails{PrivateIPs: []string{ip.String()}, SecurityGroups: []string{reg.SecurityGroups[i%20].ID},
				Attachment: &inventory.ENIAttachment{InstanceID: inst}}})
		reg.Instances = append(reg.Instances, inventory.Instance{ID: inst, Tags: map[string]string{"Name": fmt.Sprint("host-", i)}})
		enis = append(enis, ENI{ID: id, Addr: ip, Subnet: sub.ID, Instance: inst})
	}
	return &inventory.Snapshot{Regions: []*inventory.Region{reg}}, enis
}
