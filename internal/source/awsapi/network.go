package awsapi

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/pagination"
)

// ConvertNetworkInterface is the one translation of an EC2 network interface into the inventory model:
// type, description and requester (which say what owns it), attachment, addresses, security groups, tags.
func ConvertNetworkInterface(n ec2types.NetworkInterface) inventory.NetworkInterface {
	out := inventory.NetworkInterface{ID: aws.ToString(n.NetworkInterfaceId), VPCID: aws.ToString(n.VpcId),
		SubnetID: aws.ToString(n.SubnetId), Status: string(n.Status), Type: string(n.InterfaceType)}
	d := &out.ENIDetails
	d.Description = aws.ToString(n.Description)
	d.RequesterID = aws.ToString(n.RequesterId)
	d.RequesterManaged = aws.ToBool(n.RequesterManaged)
	d.OwnerID = aws.ToString(n.OwnerId)
	if a := n.Attachment; a != nil {
		d.Attachment = &inventory.ENIAttachment{ID: aws.ToString(a.AttachmentId), InstanceID: aws.ToString(a.InstanceId),
			InstanceOwnerID: aws.ToString(a.InstanceOwnerId), DeviceIndex: aws.ToInt32(a.DeviceIndex), Status: string(a.Status)}
	}
	seen := map[string]bool{}
	addPublic := func(a *ec2types.NetworkInterfaceAssociation, private string) {
		if a == nil || aws.ToString(a.PublicIp) == "" || seen[aws.ToString(a.PublicIp)] {
			return
		}
		seen[aws.ToString(a.PublicIp)] = true
		d.PublicIPs = append(d.PublicIPs, inventory.PublicIP{PublicIP: aws.ToString(a.PublicIp), PrivateIP: private,
			AllocationID: aws.ToString(a.AllocationId), IPOwnerID: aws.ToString(a.IpOwnerId)})
	}
	if ip := aws.ToString(n.PrivateIpAddress); ip != "" {
		d.PrivateIPs = append(d.PrivateIPs, ip)
	}
	for _, p := range n.PrivateIpAddresses {
		ip := aws.ToString(p.PrivateIpAddress)
		if ip != "" && ip != aws.ToString(n.PrivateIpAddress) {
			d.PrivateIPs = append(d.PrivateIPs, ip)
		}
		addPublic(p.Association, ip)
	}
	addPublic(n.Association, aws.ToString(n.PrivateIpAddress))
	for _, a := range n.Ipv6Addresses {
		if ip := aws.ToString(a.Ipv6Address); ip != "" {
			d.IPv6Addresses = append(d.IPv6Addresses, ip)
		}
	}
	for _, g := range n.Groups {
		d.SecurityGroups = append(d.SecurityGroups, aws.ToString(g.GroupId))
	}
	d.Tags = tagMap(n.TagSet)
	return out
}

// listSecurityGroups reads every security group of the region with its rules: one paginated pass.
func listSecurityGroups(ctx context.Context, c *ec2.Client) ([]inventory.SecurityGroup, error) {
	var out []inventory.SecurityGroup
	p := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeSecurityGroupsPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeSecurityGroupsOutput) *string { return page.NextToken }, func(page *ec2.DescribeSecurityGroupsOutput) {
		for _, g := range page.SecurityGroups {
			out = append(out, ConvertSecurityGroup(g))
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// ConvertSecurityGroup translates a security group; each range of each permission becomes one SGRule.
func ConvertSecurityGroup(g ec2types.SecurityGroup) inventory.SecurityGroup {
	sg := inventory.SecurityGroup{ID: aws.ToString(g.GroupId), Name: aws.ToString(g.GroupName), Description: aws.ToString(g.Description),
		VPCID: aws.ToString(g.VpcId), OwnerID: aws.ToString(g.OwnerId), Tags: tagMap(g.Tags)}
	sg.Ingress = convertPermissions(g.IpPermissions)
	sg.Egress = convertPermissions(g.IpPermissionsEgress)
	return sg
}

func convertPermissions(ps []ec2types.IpPermission) []inventory.SGRule {
	var out []inventory.SGRule
	for _, p := range ps {
		base := inventory.SGRule{Protocol: aws.ToString(p.IpProtocol), FromPort: -1, ToPort: -1}
		if p.FromPort != nil {
			base.FromPort = *p.FromPort
		}
		if p.ToPort != nil {
			base.ToPort = *p.ToPort
		}
		for _, r := range p.IpRanges {
			x := base
			x.CIDR, x.Description = aws.ToString(r.CidrIp), aws.ToString(r.Description)
			out = append(out, x)
		}
		for _, r := range p.Ipv6Ranges {
			x := base
			x.CIDR, x.Description = aws.ToString(r.CidrIpv6), aws.ToString(r.Description)
			out = append(out, x)
		}
		for _, r := range p.PrefixListIds {
			x := base
			x.PrefixList, x.Description = aws.ToString(r.PrefixListId), aws.ToString(r.Description)
			out = append(out, x)
		}
		for _, r := range p.UserIdGroupPairs {
			x := base
			x.Group, x.Description = aws.ToString(r.GroupId), aws.ToString(r.Description)
			out = append(out, x)
		}
	}
	return out
}

// listNetworkACLs reads every network ACL of the region with entries and associations: one paginated pass.
func listNetworkACLs(ctx context.Context, c *ec2.Client) ([]inventory.NetworkACL, error) {
	var out []inventory.NetworkACL
	p := ec2.NewDescribeNetworkAclsPaginator(c, &ec2.DescribeNetworkAclsInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeNetworkAclsPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeNetworkAclsOutput) *string { return page.NextToken }, func(page *ec2.DescribeNetworkAclsOutput) {
		for _, a := range page.NetworkAcls {
			out = append(out, ConvertNetworkACL(a))
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// ConvertNetworkACL translates a network ACL.
func ConvertNetworkACL(a ec2types.NetworkAcl) inventory.NetworkACL {
	acl := inventory.NetworkACL{ID: aws.ToString(a.NetworkAclId), VPCID: aws.ToString(a.VpcId), IsDefault: aws.ToBool(a.IsDefault), Tags: tagMap(a.Tags)}
	for _, e := range a.Entries {
		x := inventory.ACLEntry{RuleNumber: aws.ToInt32(e.RuleNumber), Egress: aws.ToBool(e.Egress), Protocol: aws.ToString(e.Protocol),
			Allow: e.RuleAction == ec2types.RuleActionAllow, CIDR: aws.ToString(e.CidrBlock)}
		if x.CIDR == "" {
			x.CIDR = aws.ToString(e.Ipv6CidrBlock)
		}
		if r := e.PortRange; r != nil {
			x.FromPort, x.ToPort = aws.ToInt32(r.From), aws.ToInt32(r.To)
		}
		if _, err := strconv.Atoi(x.Protocol); err != nil && x.Protocol != "" {
			// The API answers numbers; a name would be an older or other producer's spelling.
			if n, ok := protoNumbers[x.Protocol]; ok {
				x.Protocol = n
			}
		}
		acl.Entries = append(acl.Entries, x)
	}
	for _, s := range a.Associations {
		if id := aws.ToString(s.SubnetId); id != "" {
			acl.Subnets = append(acl.Subnets, id)
		}
	}
	return acl
}

var protoNumbers = map[string]string{"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "all": "-1"}

// collectNetwork starts the reads of the network collections named (security groups, network ACLs,
// instances) on g, and records on reg which were listed: the others are "not read", never "none".
func collectNetwork(ctx context.Context, g *sync.WaitGroup, c *ec2.Client, reg *inventory.Region, want []inventory.Collection,
	fail func(inventory.Collection, string, error)) {
	for _, coll := range inventory.NetworkCollections {
		if !slices.Contains(want, coll) {
			continue
		}
		reg.NetworkLists = append(reg.NetworkLists, coll)
		op := inventory.NetworkOperation(coll)
		g.Go(func() {
			var err error
			switch coll {
			case inventory.CollSecurityGroups:
				var sgs []inventory.SecurityGroup
				if sgs, err = listSecurityGroups(ctx, c); err == nil {
					reg.SecurityGroups = sgs
				}
			case inventory.CollNetworkACLs:
				var acls []inventory.NetworkACL
				if acls, err = listNetworkACLs(ctx, c); err == nil {
					reg.NetworkACLs = acls
				}
			case inventory.CollInstances:
				var insts []inventory.Instance
				if insts, err = listInstances(ctx, c); err == nil {
					reg.Instances = insts
				}
			}
			if err != nil {
				fail(coll, op, err)
			}
		})
	}
}

// listInstances reads the region's instances (id, type, state, Name and other tags): one paginated pass.
func listInstances(ctx context.Context, c *ec2.Client) ([]inventory.Instance, error) {
	var out []inventory.Instance
	p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(pageSize)},
		func(o *ec2.DescribeInstancesPaginatorOptions) { o.StopOnDuplicateToken = true })
	if err := pagination.Each(ctx, maxPages, p.HasMorePages, p.NextPage, func(page *ec2.DescribeInstancesOutput) *string { return page.NextToken }, func(page *ec2.DescribeInstancesOutput) {
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				in := inventory.Instance{ID: aws.ToString(i.InstanceId), Type: string(i.InstanceType), VPCID: aws.ToString(i.VpcId),
					SubnetID: aws.ToString(i.SubnetId), Tags: tagMap(i.Tags)}
				if i.State != nil {
					in.State = string(i.State.Name)
				}
				out = append(out, in)
			}
		}
	}); err != nil {
		return nil, err
	}
	return out, nil
}
