package awscli

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/inventory"
)

// describe-network-interfaces output keeps what flow-log enrichment needs: owner hints, attachment,
// addresses (private, IPv6, public), groups and tags.
func TestENIDetails(t *testing.T) {
	t.Parallel()
	const enis = `{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "VpcId": "vpc-1", "SubnetId": "subnet-1", "Status": "in-use",
	  "InterfaceType": "nat_gateway", "Description": "Interface for NAT Gateway nat-0abc", "RequesterId": "amazon", "RequesterManaged": true,
	  "OwnerId": "111122223333", "Attachment": {"AttachmentId": "ela-attach-1", "InstanceOwnerId": "amazon-aws", "Status": "attached", "DeviceIndex": 1},
	  "PrivateIpAddress": "10.0.1.5", "Association": {"PublicIp": "54.1.2.3", "AllocationId": "eipalloc-1", "IpOwnerId": "111122223333"},
	  "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.5", "Primary": true, "Association": {"PublicIp": "54.1.2.3", "AllocationId": "eipalloc-1"}},
	    {"PrivateIpAddress": "10.0.1.6"}],
	  "Ipv6Addresses": [{"Ipv6Address": "2001:db8::5"}], "Groups": [{"GroupId": "sg-1", "GroupName": "web"}],
	  "TagSet": [{"Key": "Name", "Value": "egress"}]}]}`
	snap, err := Load(writeFiles(t, map[string]string{"111122223333/eu-west-1/enis.json": enis}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := snap.Regions[0].NetworkInterfaces
	want := []inventory.NetworkInterface{{ID: "eni-1", VPCID: "vpc-1", SubnetID: "subnet-1", Status: "in-use", Type: "nat_gateway",
		ENIDetails: inventory.ENIDetails{Description: "Interface for NAT Gateway nat-0abc", RequesterID: "amazon", RequesterManaged: true,
			OwnerID: "111122223333", Attachment: &inventory.ENIAttachment{ID: "ela-attach-1", InstanceOwnerID: "amazon-aws", Status: "attached", DeviceIndex: 1},
			PrivateIPs: []string{"10.0.1.5", "10.0.1.6"}, IPv6Addresses: []string{"2001:db8::5"},
			PublicIPs:      []inventory.PublicIP{{PublicIP: "54.1.2.3", PrivateIP: "10.0.1.5", AllocationID: "eipalloc-1"}},
			SecurityGroups: []string{"sg-1"}, Tags: map[string]string{"Name": "egress"}}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
