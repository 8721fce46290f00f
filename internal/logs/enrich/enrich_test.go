package enrich

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	att := func(i string) *inventory.ENIAttachment { return &inventory.ENIAttachment{InstanceID: i} }
	for _, c := range []struct {
		n    inventory.NetworkInterface
		want Owner
	}{
		{inventory.NetworkInterface{ID: "eni-1", Type: "nat_gateway", ENIDetails: inventory.ENIDetails{Description: "Interface for NAT Gateway nat-0abc"}}, Owner{KindNATGateway, "nat-0abc"}},
		{inventory.NetworkInterface{ID: "eni-1", Type: "nat_gateway"}, Owner{KindNATGateway, "eni-1"}},
		{inventory.NetworkInterface{ID: "eni-2", ENIDetails: inventory.ENIDetails{Description: "ELB app/shop/50dc6c495c0c9188"}}, Owner{KindLoadBalancer, "app/shop/50dc6c495c0c9188"}},
		{inventory.NetworkInterface{ID: "eni-2", Type: "network_load_balancer", ENIDetails: inventory.ENIDetails{Description: "ELB net/api/1234"}}, Owner{KindLoadBalancer, "net/api/1234"}},
		{inventory.NetworkInterface{ID: "eni-2", ENIDetails: inventory.ENIDetails{Description: "ELB classic-lb"}}, Owner{KindLoadBalancer, "classic-lb"}},
		{inventory.NetworkInterface{ID: "eni-3", Type: "lambda", ENIDetails: inventory.ENIDetails{Description: "AWS Lambda VPC ENI-my-fn-1b2c3d4e-0a1b-4c5d-8e9f-0123456789ab"}}, Owner{KindLambda, "my-fn"}},
		{inventory.NetworkInterface{ID: "eni-3", ENIDetails: inventory.ENIDetails{Description: "AWS Lambda VPC ENI-odd"}}, Owner{KindLambda, "odd"}},
		{inventory.NetworkInterface{ID: "eni-4", ENIDetails: inventory.ENIDetails{Description: "arn:aws:ecs:us-east-1:123456789012:attachment/6b1c-42", Attachment: att("")}}, Owner{KindECSTask, "attachment/6b1c-42"}},
		{inventory.NetworkInterface{ID: "eni-5", Type: "vpc_endpoint", ENIDetails: inventory.ENIDetails{Description: "VPC Endpoint Interface vpce-0123"}}, Owner{KindVPCEndpoint, "vpce-0123"}},
		{inventory.NetworkInterface{ID: "eni-5", Type: "vpc_endpoint"}, Owner{KindVPCEndpoint, "eni-5"}},
		{inventory.NetworkInterface{ID: "eni-6", Type: "gateway_load_balancer_endpoint", ENIDetails: inventory.ENIDetails{Description: "VPC Endpoint Interface vpce-9"}}, Owner{KindGWLBEndpoint, "vpce-9"}},
		{inventory.NetworkInterface{ID: "eni-6", Type: "gateway_load_balancer_endpoint", ENIDetails: inventory.ENIDetails{Description: "GWLB vpce-9"}}, Owner{KindGWLBEndpoint, "vpce-9"}},
		{inventory.NetworkInterface{ID: "eni-7", Type: "transit_gateway", ENIDetails: inventory.ENIDetails{Description: "Network Interface for Transit Gateway Attachment tgw-attach-0aa"}}, Owner{KindTGWAttachment, "tgw-attach-0aa"}},
		{inventory.NetworkInterface{ID: "eni-8", ENIDetails: inventory.ENIDetails{Description: "EFS mount target for fs-12345678 (fsmt-87654321)"}}, Owner{KindEFS, "fs-12345678"}},
		{inventory.NetworkInterface{ID: "eni-9", ENIDetails: inventory.ENIDetails{Description: "RDSNetworkInterface", RequesterID: "amazon-rds"}}, Owner{KindRDS, "eni-9"}},
		{inventory.NetworkInterface{ID: "eni-a", ENIDetails: inventory.ENIDetails{Description: "ElastiCache sessions-001"}}, Owner{KindElastiCache, "sessions-001"}},
		{inventory.NetworkInterface{ID: "eni-b", ENIDetails: inventory.ENIDetails{Description: "Amazon EKS prod"}}, Owner{KindEKS, "prod"}},
		{inventory.NetworkInterface{ID: "eni-c", Type: "interface", ENIDetails: inventory.ENIDetails{Attachment: att("i-0abc")}}, Owner{KindInstance, "i-0abc"}},
		{inventory.NetworkInterface{ID: "eni-c", Type: "efa", ENIDetails: inventory.ENIDetails{Attachment: att("i-0abc")}}, Owner{KindInstance, "i-0abc"}},
		{inventory.NetworkInterface{ID: "eni-d", Type: "api_gateway_managed"}, Owner{"api_gateway_managed", "eni-d"}},
		{inventory.NetworkInterface{ID: "eni-e", Type: "interface", ENIDetails: inventory.ENIDetails{Description: "my own interface"}}, Owner{KindInterface, "eni-e"}},
	} {
		if got := Classify(&c.n); got != c.want {
			t.Errorf("%s %q %q: %+v, want %+v", c.n.ID, c.n.Type, c.n.Description, got, c.want)
		}
	}
}

// testSnapshot: VPC 10.0.0.0/16; subnet a (10.0.1.0/24, ACL acl-a: inbound 50 deny tcp 22 from 0.0.0.0/0,
// 100 allow all; outbound 100 deny udp 53 to 10.0.0.0/8, 200 allow all), subnet b (10.0.2.0/24, default ACL
// acl-d: allow all). web (10.0.1.10, public 54.1.2.3, SG web: tcp 80-443 from anywhere, tcp 5432 to SG db) and
// db (10.0.2.20, SG db: tcp 5432 from SG web) and cache (10.0.2.30, SG pl: tcp 6379 from a prefix list).
func testSnapshot() *inventory.Snapshot {
	eni := func(id, subnet, ip, inst string, sgs ...string) inventory.NetworkInterface {
		return inventory.NetworkInterface{ID: id, VPCID: "vpc-1", SubnetID: subnet, Type: "interface", ENIDetails: inventory.ENIDetails{
			PrivateIPs: []string{ip}, SecurityGroups: sgs, Attachment: &inventory.ENIAttachment{InstanceID: inst}}}
	}
	web := eni("eni-web", "subnet-a", "10.0.1.10", "i-web", "sg-web")
	web.PublicIPs = []inventory.PublicIP{{PublicIP: "54.1.2.3", PrivateIP: "10.0.1.10"}}
	return &inventory.Snapshot{Regions: []*inventory.Region{{
		AccountID: "111122223333", Name: "eu-west-1",
		VPCs:    []inventory.VPC{{ID: "vpc-1", CIDR: "10.0.0.0/16"}},
		Subnets: []inventory.Subnet{{ID: "subnet-a", VPCID: "vpc-1", CIDR: "10.0.1.0/24"}, {ID: "subnet-b", VPCID: "vpc-1", CIDR: "10.0.2.0/24"}},
		NetworkInterfaces: []inventory.NetworkInterface{web, eni("eni-db", "subnet-b", "10.0.2.20", "i-db", "sg-db"),
			eni("eni-cache", "subnet-b", "10.0.2.30", "i-cache", "sg-pl")},
		RegionNetwork: inventory.RegionNetwork{NetworkRead: true,
			Instances: []inventory.Instance{{ID: "i-web", Tags: map[string]string{"Name": "web-1"}}},
			SecurityGroups: []inventory.SecurityGroup{
				{ID: "sg-web", Name: "web", Ingress: []inventory.SGRule{{Protocol: "tcp", FromPort: 80, ToPort: 443, CIDR: "0.0.0.0/0"}, {Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0"}},
					Egress: []inventory.SGRule{{Protocol: "tcp", FromPort: 5432, ToPort: 5432, Group: "sg-db"}}},
				{ID: "sg-db", Name: "db", Ingress: []inventory.SGRule{{Protocol: "tcp", FromPort: 5432, ToPort: 5432, Group: "sg-web"}},
					Egress: []inventory.SGRule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"}}},
				{ID: "sg-pl", Ingress: []inventory.SGRule{{Protocol: "tcp", FromPort: 6379, ToPort: 6379, PrefixList: "pl-1"}}},
			},
			NetworkACLs: []inventory.NetworkACL{
				{ID: "acl-a", VPCID: "vpc-1", Subnets: []string{"subnet-a"}, Entries: []inventory.ACLEntry{
					{RuleNumber: 100, Protocol: "-1", Allow: true, CIDR: "0.0.0.0/0"},
					{RuleNumber: 50, Protocol: "6", Allow: false, CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22},
					{RuleNumber: 32767, Protocol: "-1", Allow: false, CIDR: "0.0.0.0/0"},
					{RuleNumber: 100, Egress: true, Protocol: "17", Allow: false, CIDR: "10.0.0.0/8", FromPort: 53, ToPort: 53},
					{RuleNumber: 200, Egress: true, Protocol: "-1", Allow: true, CIDR: "0.0.0.0/0"},
				}},
				{ID: "acl-d", VPCID: "vpc-1", IsDefault: true, Entries: []inventory.ACLEntry{
					{RuleNumber: 100, Protocol: "-1", Allow: true, CIDR: "0.0.0.0/0"}, {RuleNumber: 100, Egress: true, Protocol: "-1", Allow: true, CIDR: "0.0.0.0/0"}}},
			},
		},
	}}}
}

// rec parses one default-format (v2) line.
func rec(t testing.TB, line string) *flowlog.Record {
	t.Helper()
	f := flowlog.DefaultFormat
	if strings.Contains(line, "reject-reason:") {
		line = strings.Replace(line, "reject-reason:", "", 1)
		f = flowlog.FormatOf(append(append([]flowlog.Field{}, f.Fields...), flowlog.RejectReason)...)
	}
	p := flowlog.NewParser("t", f, flowlog.Options{Strict: true})
	r, err := p.Parse([]byte(line), 1)
	if err != nil || r == nil {
		t.Fatalf("%q: %v", line, err)
	}
	return r
}

func TestAttribute(t *testing.T) {
	t.Parallel()
	ix := New(testSnapshot(), Options{})
	for _, c := range []struct{ line, want string }{
		// Inbound SSH to web from the internet: the subnet ACL's rule 50 (rule order, not list order).
		{"2 1 eni-web 198.51.100.1 10.0.1.10 4000 22 6 1 40 1 2 REJECT OK", "network ACL acl-a inbound rule 50: deny tcp 22 from 0.0.0.0/0"},
		// Inbound 8080 to web: the ACL allows (rule 100), no SG rule allows it.
		{"2 1 eni-web 198.51.100.1 10.0.1.10 4000 8080 6 1 40 1 2 REJECT OK", "no inbound security group rule allows it (considered sg-web)"},
		// Outbound DNS from web to a 10/8 resolver: the outbound rule 100.
		{"2 1 eni-web 10.0.1.10 10.9.9.9 5000 53 17 1 40 1 2 REJECT OK", "network ACL acl-a outbound rule 100: deny udp 53 to 10.0.0.0/8"},
		// Outbound web → db 5432 is allowed by web's egress rule to SG db (db holds SG db): as read, allowed.
		{"2 1 eni-web 10.0.1.10 10.0.2.20 5000 5432 6 1 40 1 2 REJECT OK", "undetermined: the network ACL and security groups as read allow it"},
		// Inbound to db from cache: same subnet (no ACL), SG db allows only SG web.
		{"2 1 eni-db 10.0.2.30 10.0.2.20 5000 5432 6 1 40 1 2 REJECT OK", "no inbound security group rule allows it (considered sg-db)"},
		// Inbound to db from web: allowed by SG db (group reference).
		{"2 1 eni-db 10.0.1.10 10.0.2.20 5000 5432 6 1 40 1 2 REJECT OK", "undetermined: the network ACL and security groups as read allow it"},
		// A prefix-list rule may allow it.
		{"2 1 eni-cache 10.9.0.1 10.0.2.30 5000 6379 6 1 40 1 2 REJECT OK", "undetermined: a security-group rule names a prefix list"},
		// The record's own reject-reason wins.
		{"2 1 eni-web 198.51.100.1 10.0.1.10 4000 22 6 1 40 1 2 REJECT OK reject-reason:BPA", "record reject-reason BPA (VPC Block Public Access)"},
		{"2 1 eni-web 198.51.100.1 10.0.1.10 4000 22 6 1 40 1 2 REJECT OK reject-reason:XYZ", "record reject-reason other"},
		// Through the interface (neither address is its own).
		{"2 1 eni-web 198.51.100.1 10.0.2.20 4000 22 6 1 40 1 2 REJECT OK", "undetermined: the interface holds neither address"},
		{"2 1 eni-zzz 198.51.100.1 10.0.2.20 4000 22 6 1 40 1 2 REJECT OK", "undetermined: the record's interface is not in the inventory"},
		{"2 1 eni-web - - - - - - - 1 2 - NODATA", "undetermined: the record has no addresses"},
	} {
		r := rec(t, c.line)
		got := ix.Describe(ix.Attribute(r, ix.Interface(r.Field(flowlog.InterfaceID))))
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%s\n got  %s\n want %s", c.line, got, c.want)
		}
	}
	// The final "*" rule: an ACL whose entries match nothing denies.
	snap := testSnapshot()
	acl := &snap.Regions[0].NetworkACLs[0]
	acl.Entries = acl.Entries[1:2] // only rule 50
	ix = New(snap, Options{})
	r := rec(t, "2 1 eni-web 198.51.100.1 10.0.1.10 4000 443 6 1 40 1 2 REJECT OK")
	if got := ix.Describe(ix.Attribute(r, ix.Interface(r.Field(flowlog.InterfaceID)))); !strings.Contains(got, "rule *: no rule allows it") {
		t.Errorf("final deny: %s", got)
	}
}

// A snapshot written before security groups and ACLs were read still loads, resolves resources, and says why
// it cannot attribute.
func TestOldSnapshot(t *testing.T) {
	t.Parallel()
	old := `{"schema":"flowguard.inventory/v1","source":"aws","collected_at":"2026-01-01T00:00:00Z","regions":[{"account_id":"111122223333",
	"region":"eu-west-1","vpcs":[{"id":"vpc-1","cidr":"10.0.0.0/16","is_default":false}],"flow_logs":[],
	"network_interfaces":[{"id":"eni-1","vpc_id":"vpc-1","subnet_id":"subnet-a","status":"in-use","type":"nat_gateway"}]}]}`
	var snap inventory.Snapshot
	if err := json.Unmarshal([]byte(old), &snap); err != nil {
		t.Fatal(err)
	}
	ix := New(&snap, Options{})
	if len(ix.Notes) != 1 || !strings.Contains(ix.Notes[0], "111122223333/eu-west-1") {
		t.Errorf("notes %q", ix.Notes)
	}
	r := rec(t, "2 1 eni-1 198.51.100.1 10.0.1.10 4000 22 6 1 40 1 2 REJECT OK")
	e := ix.Interface(r.Field(flowlog.InterfaceID))
	if e < 0 || ix.Resources[ix.ResourceOf(e)].Label() != "nat-gateway eni-1" {
		t.Fatalf("eni-1 → %d", e)
	}
	// The interface has no address in the old snapshot: the record passes through it.
	if got := ix.Describe(ix.Attribute(r, e)); !strings.Contains(got, "undetermined") {
		t.Errorf("%s", got)
	}
}

func TestAddrAndExposure(t *testing.T) {
	t.Parallel()
	snap := testSnapshot()
	// A second VPC reusing db's address: the address is resolved by the record's VPC.
	snap.Regions[0].NetworkInterfaces = append(snap.Regions[0].NetworkInterfaces, inventory.NetworkInterface{ID: "eni-other", VPCID: "vpc-2",
		SubnetID: "subnet-z", ENIDetails: inventory.ENIDetails{PrivateIPs: []string{"10.0.2.20"}}})
	ix := New(snap, Options{SensitivePorts: []int32{22, 5432}})
	db, other := ix.Interface([]byte("eni-db")), ix.Interface([]byte("eni-other"))
	a := netip.MustParseAddr("10.0.2.20")
	if got := ix.Addr(a, -1); got != -1 {
		t.Errorf("ambiguous address without context → %d", got)
	}
	if ix.Addr(a, db) != db || ix.Addr(a, other) != other || !ix.Known(a) {
		t.Errorf("address by VPC: %d %d", ix.Addr(a, db), ix.Addr(a, other))
	}
	if got := ix.Addr(netip.MustParseAddr("54.1.2.3"), -1); got != ix.Interface([]byte("eni-web")) {
		t.Errorf("public IP → %d", got)
	}
	web := ix.Interface([]byte("eni-web"))
	for _, c := range []struct {
		line string
		ok   bool
		rule string
	}{
		{"2 1 eni-web 198.51.100.1 10.0.1.10 4000 22 6 1 40 1 2 ACCEPT OK", true, "sg-web (web) inbound tcp 22 from 0.0.0.0/0"},
		{"2 1 eni-web 10.0.2.20 10.0.1.10 4000 22 6 1 40 1 2 ACCEPT OK", false, ""},     // inside the VPC
		{"2 1 eni-web 100.64.1.1 10.0.1.10 4000 22 6 1 40 1 2 ACCEPT OK", false, ""},    // shared address space
		{"2 1 eni-web 198.51.100.1 10.0.1.10 4000 443 6 1 40 1 2 ACCEPT OK", false, ""}, // not sensitive
		{"2 1 eni-web 10.0.1.10 198.51.100.1 22 4000 6 1 40 1 2 ACCEPT OK", false, ""},  // outbound
		{"2 1 eni-db 198.51.100.1 10.0.2.20 4000 5432 6 1 40 1 2 ACCEPT OK", true, ""},  // no rule as read allows it
	} {
		r := rec(t, c.line)
		k, _, ok := ix.Exposure(r, ix.Interface(r.Field(flowlog.InterfaceID)))
		if ok != c.ok || ok && ix.SGRuleText(k.SG, k.Rule) != c.rule {
			t.Errorf("%s: %v %q", c.line, ok, ix.SGRuleText(k.SG, k.Rule))
		}
		if ok && c.rule != "" && k.Iface != web {
			t.Errorf("%s: interface %d", c.line, k.Iface)
		}
	}
	if lbl := ix.Resources[ix.ResourceOf(web)].Label(); lbl != "instance i-web (web-1)" {
		t.Errorf("label %q", lbl)
	}
}

// FuzzClassify: any description, type and requester classify without panicking, into a non-empty owner.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{"ELB app/x/1", "AWS Lambda VPC ENI-f-1b2c3d4e-0a1b-4c5d-8e9f-0123456789ab", "Interface for NAT Gateway ",
		"EFS mount target for ", "arn:aws:ecs:x:attachment/", "VPC Endpoint Interface vpce-", "ELB ", "Amazon EKS "} {
		f.Add(s, "interface", "")
	}
	f.Fuzz(func(t *testing.T, desc, typ, req string) {
		o := Classify(&inventory.NetworkInterface{ID: "eni-f", Type: typ, ENIDetails: inventory.ENIDetails{Description: desc, RequesterID: req}})
		if o.Kind == "" || o.ID == "" {
			t.Fatalf("%q %q: %+v", desc, typ, o)
		}
	})
}

// FuzzIndex: a hostile inventory (bad CIDRs, protocols, ports, rule numbers, duplicate ids) and hostile
// records never panic the index, the attribution or the exposure check.
func FuzzIndex(f *testing.F) {
	seed, _ := json.Marshal(testSnapshot())
	f.Add(seed, "2 1 eni-web 198.51.100.1 10.0.1.10 4000 22 6 1 40 1 2 REJECT OK")
	f.Add([]byte(`{"regions":[{"network_read":true,"network_interfaces":[{"id":"eni-1","private_ips":["::1","x"]}],"network_acls":[{"id":"a","entries":[{"protocol":"zz","cidr":"::/0"}]}]}]}`),
		"2 1 eni-1 ::1 ::2 1 2 6 1 1 1 2 ACCEPT OK")
	f.Fuzz(func(t *testing.T, inv []byte, line string) {
		var snap inventory.Snapshot
		if json.Unmarshal(inv, &snap) != nil {
			return
		}
		for _, r := range snap.Regions {
			if r == nil {
				return
			}
		}
		ix := New(&snap, Options{})
		p := flowlog.NewParser("f", nil, flowlog.Options{})
		r, _ := p.Parse([]byte(line), 1)
		if r == nil {
			return
		}
		e := ix.Interface(r.Field(flowlog.InterfaceID))
		_ = ix.Describe(ix.Attribute(r, e))
		if k, _, ok := ix.Exposure(r, e); ok {
			_ = ix.SGRuleText(k.SG, k.Rule)
		}
	})
}
