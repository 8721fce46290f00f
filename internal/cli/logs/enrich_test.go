package logs_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/google/go-cmp/cmp"

	"github.com/flowguard/flowguard/internal/logs/analyze"
	"github.com/flowguard/flowguard/internal/logs/gen"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// estate is what TestReportEnrichedFromMoto builds in moto.
type estate struct {
	vpc, pub, priv, pub2     string
	sgWeb, sgDB, sgApp, nacl string
	web, db, app             string // instance ids
	webENI, dbENI, appENI    string
	webIP, dbIP, appIP       string
	natID, natENI, natIP     string
	lbID, lbENI, lbIP        string // lbID: app/NAME/HASH
}

// must stops the estate set-up at the first failed call (a panic fails the test with the call's stack).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// buildEstate makes a VPC with a public and a private subnet: instances web-1 (public, SG web: SSH and
// HTTPS from anywhere), db-1 (private, SG db: PostgreSQL from SG web only) and app-1 (private, SG app: no
// inbound rule), a NAT gateway and an application load balancer; the private subnet's network ACL denies
// MySQL from the public subnet at rule 90.
func buildEstate(t *testing.T, c *ec2.Client, lb *elbv2.Client) estate {
	ctx := t.Context()
	var e estate
	e.vpc = *must(c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.30.0.0/16")})).Vpc.VpcId
	subnet := func(cidr, az string) string {
		return *must(c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &e.vpc, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(az)})).Subnet.SubnetId
	}
	e.pub, e.priv, e.pub2 = subnet("10.30.1.0/24", "us-east-1a"), subnet("10.30.2.0/24", "us-east-1a"), subnet("10.30.3.0/24", "us-east-1b")
	igw := *must(c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayId
	must(c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &igw, VpcId: &e.vpc}))
	sg := func(name string) string {
		return *must(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: &e.vpc})).GroupId
	}
	e.sgWeb, e.sgDB, e.sgApp = sg("web"), sg("db"), sg("app")
	tcp := func(port int32) ec2types.IpPermission {
		return ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
	}
	ssh, https, pg := tcp(22), tcp(443), tcp(5432)
	ssh.IpRanges = []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}
	https.IpRanges = []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}
	pg.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: &e.sgWeb}}
	must(c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &e.sgWeb, IpPermissions: []ec2types.IpPermission{ssh, https}}))
	must(c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: &e.sgDB, IpPermissions: []ec2types.IpPermission{pg}}))

	e.nacl = *must(c.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &e.vpc})).NetworkAcl.NetworkAclId
	entry := func(n int32, egress, allow bool, proto, cidr string, from, to int32) {
		in := &ec2.CreateNetworkAclEntryInput{NetworkAclId: &e.nacl, RuleNumber: aws.Int32(n), Egress: aws.Bool(egress), Protocol: aws.String(proto),
			RuleAction: ec2types.RuleActionAllow, CidrBlock: aws.String(cidr)}
		if !allow {
			in.RuleAction = ec2types.RuleActionDeny
		}
		if from > 0 {
			in.PortRange = &ec2types.PortRange{From: aws.Int32(from), To: aws.Int32(to)}
		}
		must(c.CreateNetworkAclEntry(ctx, in))
	}
	entry(90, false, false, "6", "10.30.1.0/24", 3306, 3306)
	entry(100, false, true, "-1", "0.0.0.0/0", 0, 0)
	entry(100, true, true, "-1", "0.0.0.0/0", 0, 0)
	// Move the private subnet from the default ACL to this one.
	acls := must(c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{e.priv}}}}))
	var assoc string
	for _, a := range acls.NetworkAcls[0].Associations {
		if aws.ToString(a.SubnetId) == e.priv {
			assoc = aws.ToString(a.NetworkAclAssociationId)
		}
	}
	must(c.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: &assoc, NetworkAclId: &e.nacl}))

	run := func(name, subnet, group string) (id, eni, ip string) {
		out := must(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-03cf127a"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			InstanceType: ec2types.InstanceTypeT3Micro, SubnetId: &subnet, SecurityGroupIds: []string{group},
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}}))
		in := out.Instances[0]
		return *in.InstanceId, *in.NetworkInterfaces[0].NetworkInterfaceId, *in.PrivateIpAddress
	}
	e.web, e.webENI, e.webIP = run("web-1", e.pub, e.sgWeb)
	e.db, e.dbENI, e.dbIP = run("db-1", e.priv, e.sgDB)
	e.app, e.appENI, e.appIP = run("app-1", e.priv, e.sgApp)

	eip := must(c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc}))
	nat := must(c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &e.pub, AllocationId: eip.AllocationId})).NatGateway
	e.natID = *nat.NatGatewayId
	e.natENI, e.natIP = *nat.NatGatewayAddresses[0].NetworkInterfaceId, *nat.NatGatewayAddresses[0].PrivateIp
	// Moto gap: the NAT gateway's interface has no description (AWS writes "Interface for NAT Gateway
	// nat-…", requester-managed, type nat_gateway). Set the description AWS would have written.
	must(c.ModifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: &e.natENI,
		Description: &ec2types.AttributeValue{Value: aws.String("Interface for NAT Gateway " + e.natID)}}))

	lbOut := must(lb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("shop"), Subnets: []string{e.pub, e.pub2}, SecurityGroups: []string{e.sgWeb}}))
	arn := *lbOut.LoadBalancers[0].LoadBalancerArn
	e.lbID = arn[strings.Index(arn, ":loadbalancer/")+len(":loadbalancer/"):]
	// Moto gap: elbv2 creates no network interfaces. AWS creates one per subnet, described "ELB app/NAME/ID";
	// create it the way AWS does (the description is what ties it to the load balancer).
	lbENI := must(c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &e.pub, Groups: []string{e.sgWeb},
		Description: aws.String("ELB " + e.lbID)})).NetworkInterface
	e.lbENI, e.lbIP = *lbENI.NetworkInterfaceId, *lbENI.PrivateIpAddress
	return e
}

// The Done-when of issue 15: a moto estate with instances, a NAT gateway and a load balancer; a generated log
// over their real interfaces is reported by resource name, and planted REJECTs are attributed to the network
// ACL rule and to the missing security-group allow the estate set up; internet SSH ACCEPTed into web-1 is
// exposure evidence with the rule that let it in.
func TestReportEnrichedFromMoto(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	acct := moto.NewTestAccount(t)
	cfg := acct.Config(srv.URL, "us-east-1")
	e := buildEstate(t, ec2.NewFromConfig(cfg), elbv2.NewFromConfig(cfg))
	env := acct.Env(srv.URL, "us-east-1")
	dir := t.TempDir()
	snap := filepath.Join(dir, "inv.json")
	if r := flowguard(t, env, "scan", "--region", "us-east-1", "--read-network", "--save-snapshot", snap, "-o", "json"); r.code > 1 {
		t.Fatalf("scan: %d %s", r.code, r.stderr)
	}

	// Generated traffic over the estate's real interfaces, then the planted records.
	g := gen.New(gen.Config{Seed: 7, Records: 4000, Account: acct.ID, VPC: e.vpc, ENIs: []gen.ENI{
		{ID: e.webENI, Addr: netip.MustParseAddr(e.webIP), Subnet: e.pub, Instance: e.web},
		{ID: e.dbENI, Addr: netip.MustParseAddr(e.dbIP), Subnet: e.priv, Instance: e.db},
		{ID: e.appENI, Addr: netip.MustParseAddr(e.appIP), Subnet: e.priv, Instance: e.app},
		{ID: e.natENI, Addr: netip.MustParseAddr(e.natIP), Subnet: e.pub},
		{ID: e.lbENI, Addr: netip.MustParseAddr(e.lbIP), Subnet: e.pub},
	}})
	var b strings.Builder
	if err := g.WriteStream(&b, true); err != nil {
		t.Fatal(err)
	}
	line := func(eni, src, dst string, sport, dport int, action string, n int) {
		for i := range n {
			fmt.Fprintf(&b, "2 %s %s %s %s %d %d 6 1 40 %d %d %s OK\n", acct.ID, eni, src, dst, sport+i, dport, 1767225600+i, 1767225660+i, action)
		}
	}
	line(e.dbENI, e.webIP, e.dbIP, 40000, 3306, "REJECT", 7)        // the private subnet's ACL rule 90
	line(e.dbENI, e.appIP, e.dbIP, 41000, 5432, "REJECT", 5)        // SG db allows 5432 from SG web only
	line(e.webENI, "198.51.100.7", e.webIP, 50000, 22, "ACCEPT", 3) // internet SSH: exposure
	line(e.webENI, "203.0.113.9", e.webIP, 51000, 22, "ACCEPT", 2)  // a second source
	line(e.dbENI, "198.51.100.7", e.dbIP, 52000, 5432, "ACCEPT", 0) // none: keeps the helper honest
	logs := filepath.Join(dir, "flow.log")
	if err := os.WriteFile(logs, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	r := flowguard(t, env, "logs", "report", logs, "--snapshot", snap, "--by", "resource", "-o", "json")
	if r.code != 0 {
		t.Fatalf("report: %d %s", r.code, r.stderr)
	}
	var rep analyze.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	en := rep.Enrichment
	if en == nil {
		t.Fatal("no enrichment in the report")
	}
	if en.Unresolved != 0 || en.Resolved != rep.Totals.Records {
		t.Errorf("records joined %d, not joined %d, of %d", en.Resolved, en.Unresolved, rep.Totals.Records)
	}
	labels := map[string]string{}
	for _, x := range en.PerResource {
		labels[x.ID] = x.Resource
	}
	for id, want := range map[string]string{
		e.web: "instance " + e.web + " (web-1)", e.db: "instance " + e.db + " (db-1)", e.app: "instance " + e.app + " (app-1)",
		e.natID: "nat-gateway " + e.natID, e.lbID: "load-balancer " + e.lbID + " (shop)",
	} {
		if labels[id] != want {
			t.Errorf("resource %s: %q, want %q (all: %v)", id, labels[id], want, labels)
		}
	}
	cause := func(res, kind, rule string) int64 {
		for _, c := range en.RejectCauses {
			if c.Resource == res && c.Cause == kind && strings.Contains(c.Rule, rule) {
				return c.Records
			}
		}
		return 0
	}
	if n := cause(labels[e.db], "network-acl", e.nacl+" inbound rule 90: deny tcp 3306 from 10.30.1.0/24"); n != 7 {
		t.Errorf("db-1 REJECTs by ACL rule 90: %d, want 7\n%+v", n, en.RejectCauses)
	}
	// The generated internet noise is rejected by the security groups too: count app-1's PostgreSQL only.
	r2 := flowguard(t, env, "logs", "report", logs, "--snapshot", snap, "-o", "json", "--addr", e.appIP, "--port", "5432", "--action", "reject")
	var only analyze.Report
	if err := json.Unmarshal([]byte(r2.stdout), &only); err != nil {
		t.Fatalf("%v: %s", err, r2.stderr)
	}
	var sgRejects int64
	for _, c := range only.Enrichment.RejectCauses {
		if c.Resource == labels[e.db] && c.Cause == "no-security-group-allow" {
			sgRejects += c.Records
			if !strings.Contains(c.Rule, "no inbound security group rule allows it (considered "+e.sgDB+")") {
				t.Errorf("rule %q", c.Rule)
			}
		}
	}
	if sgRejects != 5 {
		t.Errorf("db-1 REJECTs of app-1 for no SG allow: %d, want 5\n%+v", sgRejects, only.Enrichment.RejectCauses)
	}
	var ssh *analyze.Exposure
	for i, x := range en.Exposure {
		if x.Resource == labels[e.web] && x.Port == 22 {
			ssh = &en.Exposure[i]
		}
	}
	if ssh == nil {
		t.Fatalf("no SSH exposure on web-1: %+v", en.Exposure)
	}
	if ssh.Records < 5 || ssh.Sources < 2 || !strings.Contains(ssh.Rule, e.sgWeb+" (web) inbound tcp 22 from 0.0.0.0/0") {
		t.Errorf("SSH exposure: %+v", ssh)
	}
	// The top lists by resource name resources; the address lists carry the owner of each address.
	found := false
	for _, tl := range en.ByResource {
		for _, row := range tl.Rows {
			found = found || strings.Contains(row.Key, "instance "+e.db+" (db-1)")
		}
	}
	if !found {
		t.Errorf("no top list by resource names db-1: %+v", en.ByResource)
	}

	// Read live (--enrich, the same estate through the AWS API), the enrichment is the same.
	r3 := flowguard(t, env, "logs", "report", logs, "--enrich", "--region", "us-east-1", "--by", "resource", "-o", "json")
	var live analyze.Report
	if err := json.Unmarshal([]byte(r3.stdout), &live); err != nil || r3.code != 0 {
		t.Fatalf("--enrich: %d %v %s", r3.code, err, r3.stderr)
	}
	if d := cmp.Diff(rep.Enrichment, live.Enrichment); d != "" {
		t.Errorf("live enrichment differs from the snapshot's (-snapshot +live):\n%s", d)
	}
	// Flags that need an inventory are refused without one.
	for _, args := range [][]string{{"--by", "resource"}, {"--sensitive-ports", "22"}, {"--snapshot", snap, "--enrich"}, {"--snapshot", snap, "--by", "vpc"}} {
		if r := flowguard(t, env, append([]string{"logs", "report", logs}, args...)...); r.code != 3 {
			t.Errorf("%v: exit %d, want 3: %s", args, r.code, r.stderr)
		}
	}

	// The table keyed by resource, on a terminal-like output, names the rule.
	r = flowguard(t, env, "logs", "report", logs, "--snapshot", snap, "--by", "resource")
	for _, want := range []string{"Top rejected destinations by resource", "instance " + e.db + " (db-1)", "inbound rule 90: deny tcp 3306", "Exposure evidence", "SSH"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table output lacks %q:\n%s", want, r.stdout)
		}
	}
}
