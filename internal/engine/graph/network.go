package graph

import (
	"strconv"
	"strings"

	"github.com/flowguard/flowguard/internal/inventory"
)

// The network types: security groups with their rules, network ACLs with their entries, and what an
// interface is attached to. Stored checks read them like the other types ("securityGroups(where: …)").
var (
	TSecurityGroup, TSecurityGroupRule, TNetworkACL, TNetworkACLEntry *Type

	rSGVPC, rSGRule, rSGENI, rSGTag, rENISG, rACLVPC, rACLEntry, rACLSubnet, rSubnetACL, rACLTag *Relation
)

// sgRule is the object behind a SecurityGroupRule node.
type sgRule struct {
	*inventory.SGRule
	group  string
	egress bool
}

// aclEntry is the object behind a NetworkAclEntry node.
type aclEntry struct {
	*inventory.ACLEntry
	acl string
}

type (
	addTypeFunc  func(name, root, doc string, coll inventory.Collection, rt string) *Type
	addFieldFunc func(t *Type, name string, k Kind, doc string, get func(*Node) Value)
	addRelFunc   func(t *Type, name string, target *Type, many bool, doc string) *Relation
)

// addNetworkTypes declares the network types; called before the Asset fields are added to every type.
func addNetworkTypes(add addTypeFunc) {
	TSecurityGroup = add("SecurityGroup", "securityGroups", "A VPC security group.", inventory.CollSecurityGroups, "AWS::EC2::SecurityGroup")
	TSecurityGroupRule = add("SecurityGroupRule", "", "One source (inbound) or destination (outbound) of a security group permission (reach it through hasRule).",
		"", "")
	TNetworkACL = add("NetworkAcl", "networkAcls", "A network ACL with its ordered entries.", inventory.CollNetworkACLs, "AWS::EC2::NetworkAcl")
	TNetworkACLEntry = add("NetworkAclEntry", "", "One numbered entry of a network ACL (reach it through hasEntry).", "", "")
}

// networkName is the "name" field of the network types.
func networkName(n *Node) (Value, bool) {
	switch o := n.Obj.(type) {
	case *inventory.SecurityGroup:
		if v := o.Tags["Name"]; v != "" {
			return Str(v), true
		}
		return Str(o.Name), true
	case *inventory.NetworkACL:
		return Str(o.Tags["Name"]), true
	case *inventory.NetworkInterface:
		return Str(o.Tags["Name"]), true
	}
	return Null, false
}

var internet = map[string]bool{"0.0.0.0/0": true, "::/0": true}

// addNetworkFields declares the fields and relations of the network types and the interface's new fields.
func addNetworkFields(field addFieldFunc, rel addRelFunc) {
	eni := func(n *Node) *inventory.NetworkInterface { return n.Obj.(*inventory.NetworkInterface) }
	field(TNetworkInterface, "description", KindString, "the description (services write theirs: \"ELB app/…\", \"Interface for NAT Gateway nat-…\")",
		func(n *Node) Value { return Str(eni(n).Description) })
	field(TNetworkInterface, "requesterId", KindString, "who created it for a service (amazon-elb, amazon-rds, …)", func(n *Node) Value { return Str(eni(n).RequesterID) })
	field(TNetworkInterface, "requesterManaged", KindBool, "managed by an AWS service", func(n *Node) Value { return Bool(eni(n).RequesterManaged) })
	field(TNetworkInterface, "instanceId", KindString, "the instance it is attached to", func(n *Node) Value {
		if a := eni(n).Attachment; a != nil {
			return Str(a.InstanceID)
		}
		return Null
	})
	field(TNetworkInterface, "privateIp", KindString, "the primary private address", func(n *Node) Value {
		if ips := eni(n).PrivateIPs; len(ips) > 0 {
			return Str(ips[0])
		}
		return Null
	})
	field(TNetworkInterface, "publicIp", KindString, "a public or Elastic IP associated with it", func(n *Node) Value {
		if ips := eni(n).PublicIPs; len(ips) > 0 {
			return Str(ips[0].PublicIP)
		}
		return Null
	})
	field(TNetworkInterface, "securityGroupCount", KindInt, "security groups", func(n *Node) Value { return Int(int64(len(eni(n).SecurityGroups))) })
	rENISG = rel(TNetworkInterface, "hasSecurityGroup", TSecurityGroup, true, "its security groups")

	sg := func(n *Node) *inventory.SecurityGroup { return n.Obj.(*inventory.SecurityGroup) }
	field(TSecurityGroup, "groupName", KindString, "the group name", func(n *Node) Value { return Str(sg(n).Name) })
	field(TSecurityGroup, "description", KindString, "the description", func(n *Node) Value { return Str(sg(n).Description) })
	field(TSecurityGroup, "vpcId", KindString, "the VPC", func(n *Node) Value { return Str(sg(n).VPCID) })
	field(TSecurityGroup, "ingressRuleCount", KindInt, "inbound rules (one per source)", func(n *Node) Value { return Int(int64(len(sg(n).Ingress))) })
	field(TSecurityGroup, "egressRuleCount", KindInt, "outbound rules (one per destination)", func(n *Node) Value { return Int(int64(len(sg(n).Egress))) })
	field(TSecurityGroup, "openToInternet", KindBool, "an inbound rule allows 0.0.0.0/0 or ::/0", func(n *Node) Value {
		for _, r := range sg(n).Ingress {
			if internet[r.CIDR] {
				return Bool(true)
			}
		}
		return Bool(false)
	})
	rSGVPC = rel(TSecurityGroup, "inVpc", TVPC, false, "the VPC")
	rSGRule = rel(TSecurityGroup, "hasRule", TSecurityGroupRule, true, "its rules, inbound and outbound")
	rSGENI = rel(TSecurityGroup, "hasNetworkInterface", TNetworkInterface, true, "interfaces that use it")
	rSGTag = rel(TSecurityGroup, "hasTag", TTag, true, "tags")

	rule := func(n *Node) *sgRule { return n.Obj.(*sgRule) }
	field(TSecurityGroupRule, "direction", KindString, "inbound or outbound", func(n *Node) Value {
		if rule(n).egress {
			return Str("outbound")
		}
		return Str("inbound")
	})
	field(TSecurityGroupRule, "groupId", KindString, "the security group", func(n *Node) Value { return Str(rule(n).group) })
	field(TSecurityGroupRule, "protocol", KindString, "-1 (all), tcp, udp, icmp, icmpv6 or a number", func(n *Node) Value { return Str(rule(n).Protocol) })
	field(TSecurityGroupRule, "fromPort", KindInt, "first port (-1: all)", func(n *Node) Value { return Int(int64(rule(n).FromPort)) })
	field(TSecurityGroupRule, "toPort", KindInt, "last port (-1: all)", func(n *Node) Value { return Int(int64(rule(n).ToPort)) })
	field(TSecurityGroupRule, "cidr", KindString, "the IPv4 or IPv6 range", func(n *Node) Value { return Str(rule(n).CIDR) })
	field(TSecurityGroupRule, "prefixListId", KindString, "the prefix list", func(n *Node) Value { return Str(rule(n).PrefixList) })
	field(TSecurityGroupRule, "referencedGroupId", KindString, "the security group it names", func(n *Node) Value { return Str(rule(n).Group) })
	field(TSecurityGroupRule, "fromInternet", KindBool, "an inbound rule from 0.0.0.0/0 or ::/0", func(n *Node) Value {
		return Bool(!rule(n).egress && internet[rule(n).CIDR])
	})

	acl := func(n *Node) *inventory.NetworkACL { return n.Obj.(*inventory.NetworkACL) }
	field(TNetworkACL, "vpcId", KindString, "the VPC", func(n *Node) Value { return Str(acl(n).VPCID) })
	field(TNetworkACL, "isDefault", KindBool, "the VPC's default ACL", func(n *Node) Value { return Bool(acl(n).IsDefault) })
	field(TNetworkACL, "entryCount", KindInt, "entries, inbound and outbound", func(n *Node) Value { return Int(int64(len(acl(n).Entries))) })
	rACLVPC = rel(TNetworkACL, "inVpc", TVPC, false, "the VPC")
	rACLEntry = rel(TNetworkACL, "hasEntry", TNetworkACLEntry, true, "its entries")
	rACLSubnet = rel(TNetworkACL, "hasSubnet", TSubnet, true, "subnets associated with it")
	rACLTag = rel(TNetworkACL, "hasTag", TTag, true, "tags")
	rSubnetACL = rel(TSubnet, "hasNetworkAcl", TNetworkACL, false, "the subnet's network ACL")

	entry := func(n *Node) *aclEntry { return n.Obj.(*aclEntry) }
	field(TNetworkACLEntry, "networkAclId", KindString, "the ACL", func(n *Node) Value { return Str(entry(n).acl) })
	field(TNetworkACLEntry, "ruleNumber", KindInt, "evaluated in increasing order; 32767 is the final deny", func(n *Node) Value { return Int(int64(entry(n).RuleNumber)) })
	field(TNetworkACLEntry, "egress", KindBool, "an outbound entry", func(n *Node) Value { return Bool(entry(n).Egress) })
	field(TNetworkACLEntry, "protocol", KindString, "-1 (all) or a protocol number", func(n *Node) Value { return Str(entry(n).Protocol) })
	field(TNetworkACLEntry, "action", KindString, "allow or deny", func(n *Node) Value {
		if entry(n).Allow {
			return Str("allow")
		}
		return Str("deny")
	})
	field(TNetworkACLEntry, "cidr", KindString, "the IPv4 or IPv6 range", func(n *Node) Value { return Str(entry(n).CIDR) })
	field(TNetworkACLEntry, "fromPort", KindInt, "first port (0 with toPort 0: all)", func(n *Node) Value { return Int(int64(entry(n).FromPort)) })
	field(TNetworkACLEntry, "toPort", KindInt, "last port", func(n *Node) Value { return Int(int64(entry(n).ToPort)) })
}

// networkBuild is what buildNetwork needs from Build.
type networkBuild struct {
	newNode func(t *Type, id, acct, region, part string, obj any, reg *inventory.Region) *Node
	link    func(a *Node, r *Relation, b *Node)
	addTags func(n *Node, r *Relation, tags map[string]string)
	vpcs    map[string]*Node
	subnets map[string]*Node
	enis    map[string]*Node
}

// buildNetwork adds one region's security groups and network ACLs and links them.
func (b networkBuild) buildNetwork(reg *inventory.Region, acct, rn, part string) {
	groups := make(map[string]*Node, len(reg.SecurityGroups))
	for i := range reg.SecurityGroups {
		g := &reg.SecurityGroups[i]
		n := b.newNode(TSecurityGroup, g.ID, acct, rn, part, g, reg)
		groups[g.ID] = n
		if v := b.vpcs[g.VPCID]; v != nil {
			b.link(n, rSGVPC, v)
		}
		for _, rs := range []struct {
			l      []inventory.SGRule
			egress bool
		}{{g.Ingress, false}, {g.Egress, true}} {
			for j := range rs.l {
				id := g.ID + "/" + map[bool]string{false: "in", true: "out"}[rs.egress] + "/" + strings.Join([]string{rs.l[j].Protocol,
					itoa(rs.l[j].FromPort), itoa(rs.l[j].ToPort), rs.l[j].CIDR + rs.l[j].PrefixList + rs.l[j].Group}, ":")
				b.link(n, rSGRule, b.newNode(TSecurityGroupRule, id, acct, rn, part, &sgRule{&rs.l[j], g.ID, rs.egress}, reg))
			}
		}
		b.addTags(n, rSGTag, g.Tags)
	}
	for i := range reg.NetworkInterfaces {
		e := &reg.NetworkInterfaces[i]
		en := b.enis[e.ID]
		if en == nil {
			continue
		}
		for _, id := range e.SecurityGroups {
			if g := groups[id]; g != nil {
				b.link(en, rENISG, g)
				b.link(g, rSGENI, en)
			}
		}
	}
	for i := range reg.NetworkACLs {
		a := &reg.NetworkACLs[i]
		n := b.newNode(TNetworkACL, a.ID, acct, rn, part, a, reg)
		if v := b.vpcs[a.VPCID]; v != nil {
			b.link(n, rACLVPC, v)
		}
		for j := range a.Entries {
			e := &a.Entries[j]
			dir := "in"
			if e.Egress {
				dir = "out"
			}
			b.link(n, rACLEntry, b.newNode(TNetworkACLEntry, a.ID+"/"+dir+"/"+itoa(e.RuleNumber), acct, rn, part, &aclEntry{e, a.ID}, reg))
		}
		for _, s := range a.Subnets {
			if sn := b.subnets[s]; sn != nil {
				b.link(n, rACLSubnet, sn)
				if len(sn.rels[rSubnetACL.index]) == 0 {
					b.link(sn, rSubnetACL, n)
				}
			}
		}
		b.addTags(n, rACLTag, a.Tags)
	}
}

func itoa(i int32) string { return strconv.Itoa(int(i)) }
