package inventory

import "strings"

// Network objects read for flow-log enrichment and reject attribution: what owns an interface, which
// security groups and network ACLs filter its traffic. Each comes from one paginated pass per region
// (DescribeSecurityGroups, DescribeNetworkAcls, DescribeInstances), never one call per VPC.
//
// They are read on demand: the built-in checks never use them, so a scan reads them only when a check or
// query touches their types, for logs enrichment, or when asked (scan --read-network). A region that did not
// read one has it "not read" (Region.Read false, ErrorFor gives a NotRead error), never "none".

// Collections of the network objects.
const (
	CollSecurityGroups Collection = "security_groups"
	CollNetworkACLs    Collection = "network_acls"
	CollInstances      Collection = "instances"
)

// NetworkCollections are the collections read on demand, in their reading order.
var NetworkCollections = []Collection{CollSecurityGroups, CollNetworkACLs, CollInstances}

// networkOps are the AWS operations that list them.
var networkOps = map[Collection]string{CollSecurityGroups: "ec2:DescribeSecurityGroups",
	CollNetworkACLs: "ec2:DescribeNetworkAcls", CollInstances: "ec2:DescribeInstances"}

// IsNetwork reports whether c is one of the collections read on demand.
func IsNetwork(c Collection) bool { _, ok := networkOps[c]; return ok }

// NetworkOperation is the AWS operation that lists network collection c ("" for another collection).
func NetworkOperation(c Collection) string { return networkOps[c] }

// CodeNotRead is the ReadError code of a network collection that was not asked for.
const CodeNotRead = "NotRead"

// RegionNetwork is embedded in Region: the security groups, network ACLs and instances of the account-region.
type RegionNetwork struct {
	SecurityGroups []SecurityGroup `json:"security_groups,omitempty"`
	NetworkACLs    []NetworkACL    `json:"network_acls,omitempty"`
	// Instances name the EC2 instances interfaces are attached to (id, Name tag, state).
	Instances []Instance `json:"instances,omitempty"`
	// NetworkLists names the network collections the reader listed (whether or not any exist, whether or
	// not the listing succeeded: a failure is in Region.Errors). One not named was not read: "no ACL" there
	// means "not read", not "none".
	NetworkLists []Collection `json:"network_lists,omitempty"`
	// NetworkRead, in snapshots written before NetworkLists, means all three were listed.
	NetworkRead bool `json:"network_read,omitempty"`
}

// networkListed reports whether the reader listed network collection c.
func (n *RegionNetwork) networkListed(c Collection) bool {
	if n.NetworkRead {
		return true
	}
	for _, x := range n.NetworkLists {
		if x == c {
			return true
		}
	}
	return false
}

// notRead is the error of a network collection that was not listed: not a failure, so it is not in
// Region.Errors (the region is not incomplete for the checks that do not need it).
func notRead(r *Region, c Collection) ReadError {
	return ReadError{AccountID: r.AccountID, Region: r.Name, Collection: c, Operation: networkOps[c], Code: CodeNotRead,
		Message: "not read: the reader of this inventory did not list " + strings.ReplaceAll(string(c), "_", " ") +
			" (a live scan lists them only for a check or query that uses them, logs report --enrich, or scan --read-network)"}
}

// ENIDetails is embedded in NetworkInterface: what the interface is attached to and which addresses and
// security groups it has, as DescribeNetworkInterfaces returns them.
type ENIDetails struct {
	Description      string            `json:"description,omitempty"`
	RequesterID      string            `json:"requester_id,omitempty"`
	RequesterManaged bool              `json:"requester_managed,omitempty"`
	OwnerID          string            `json:"owner_id,omitempty"`
	Attachment       *ENIAttachment    `json:"attachment,omitempty"`
	PrivateIPs       []string          `json:"private_ips,omitempty"`
	IPv6Addresses    []string          `json:"ipv6_addresses,omitempty"`
	PublicIPs        []PublicIP        `json:"public_ips,omitempty"`
	SecurityGroups   []string          `json:"security_groups,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
}

// ENIAttachment is an interface's attachment: to an instance (InstanceID) or to a service-managed owner.
type ENIAttachment struct {
	ID              string `json:"id,omitempty"`
	InstanceID      string `json:"instance_id,omitempty"`
	InstanceOwnerID string `json:"instance_owner_id,omitempty"`
	DeviceIndex     int32  `json:"device_index,omitempty"`
	Status          string `json:"status,omitempty"`
}

// PublicIP is a public address associated with one of the interface's private addresses.
type PublicIP struct {
	PublicIP     string `json:"public_ip"`
	PrivateIP    string `json:"private_ip,omitempty"`
	AllocationID string `json:"allocation_id,omitempty"` // set for an Elastic IP
	IPOwnerID    string `json:"ip_owner_id,omitempty"`   // "amazon" for an auto-assigned public IP
}

// Name is the interface's Name tag, or "".
func (n NetworkInterface) Name() string { return n.Tags["Name"] }

// SecurityGroup is a VPC security group with its rules.
type SecurityGroup struct {
	ID          string            `json:"id"`
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	VPCID       string            `json:"vpc_id,omitempty"`
	OwnerID     string            `json:"owner_id,omitempty"`
	Ingress     []SGRule          `json:"ingress,omitempty"`
	Egress      []SGRule          `json:"egress,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
}

// SGRule is one source (or destination) of one security group permission: AWS's IpPermission with several
// ranges becomes several SGRules, so that each names exactly what it allows.
type SGRule struct {
	// Protocol is "-1" (all), "tcp", "udp", "icmp", "icmpv6" or an IANA protocol number.
	Protocol string `json:"protocol"`
	// FromPort and ToPort bound the ports (tcp/udp) or are the ICMP type and code; -1 or both 0 with
	// protocol -1: all.
	FromPort int32 `json:"from_port"`
	ToPort   int32 `json:"to_port"`
	// Exactly one of CIDR (IPv4 or IPv6), PrefixList and Group is set.
	CIDR        string `json:"cidr,omitempty"`
	PrefixList  string `json:"prefix_list,omitempty"`
	Group       string `json:"group,omitempty"`
	Description string `json:"description,omitempty"`
}

// NetworkACL is a network ACL with its ordered entries and the subnets it is associated with.
type NetworkACL struct {
	ID        string            `json:"id"`
	VPCID     string            `json:"vpc_id,omitempty"`
	IsDefault bool              `json:"is_default"`
	Entries   []ACLEntry        `json:"entries,omitempty"`
	Subnets   []string          `json:"subnets,omitempty"`
	Tags      map[string]string `json:"tags,omitempty"`
}

// ACLEntry is one numbered rule of a network ACL. Rule 32767 is the final "*" deny of every ACL.
type ACLEntry struct {
	RuleNumber int32  `json:"rule_number"`
	Egress     bool   `json:"egress"`
	Protocol   string `json:"protocol"` // "-1" (all) or an IANA number ("6", "17", "1")
	Allow      bool   `json:"allow"`
	CIDR       string `json:"cidr,omitempty"` // IPv4 or IPv6
	// FromPort and ToPort are the port range (tcp/udp); 0,0 when the rule has none (all ports).
	FromPort int32 `json:"from_port,omitempty"`
	ToPort   int32 `json:"to_port,omitempty"`
}

// Instance is an EC2 instance, as far as flow-log enrichment needs it.
type Instance struct {
	ID       string            `json:"id"`
	Type     string            `json:"type,omitempty"`
	State    string            `json:"state,omitempty"`
	VPCID    string            `json:"vpc_id,omitempty"`
	SubnetID string            `json:"subnet_id,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
}
