package enrich

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Resource is one thing that owns interfaces: an instance, a load balancer, a NAT gateway, …
type Resource struct {
	Kind       string   `json:"kind"`
	ID         string   `json:"id"`
	Name       string   `json:"name,omitempty"`
	Account    string   `json:"account_id,omitempty"`
	Region     string   `json:"region,omitempty"`
	VPC        string   `json:"vpc_id,omitempty"`
	Interfaces []string `json:"interfaces"`
}

// Label names the resource for people: "instance i-0abc (web-1)", "nat-gateway nat-0def".
func (r *Resource) Label() string {
	s := r.Kind + " " + r.ID
	if r.Name != "" && r.Name != r.ID {
		s += " (" + r.Name + ")"
	}
	return s
}

// Interface is one network interface of the index.
type Interface struct {
	ID        string
	VPC       string
	Subnet    string
	Account   string
	Region    string
	Resource  int32   // index into Index.Resources
	SGs       []int32 // indexes into the security groups; nil when they were not read
	sgIDs     []string
	acl       int32 // index of the subnet's network ACL; -1: not known
	rulesRead bool  // the region's security groups and ACLs were read
}

// Index is the read-only lookup structure built from a snapshot. Safe for concurrent use.
type Index struct {
	Resources  []Resource
	Interfaces []Interface
	// Notes say what the inventory could not give (regions without security groups or ACLs, …).
	Notes []string

	byID   map[string]int32
	v4     table4
	hot    []ifHot  // per interface: policies, subnet, groups (fast.go)
	res    []int32  // per interface: its resource
	res2   []int32  // res with two -1 before it: res2[e+2] is e's resource for any e ≥ ambiguous
	own4   []uint64 // per interface: an IPv4 address only it holds, or noOwn4 (fast.go)
	pols   []policy
	in4    ranges4 // the internal prefixes as sorted disjoint ranges
	in6    ranges6
	v6     map[[16]byte]int32
	multi  map[netip.Addr][]int32 // addresses several interfaces hold (overlapping VPCs): resolved by VPC
	sgs    []secGroup
	sgByID map[string]int32
	acls   []networkACL
	// internal are the VPC and subnet CIDRs: an address inside one is not "the internet".
	internal []netip.Prefix
	labels   []string      // Resources[i].Label()
	reasons  []string      // interned reject-reason values
	ports    *[1024]uint64 // sensitive ports, a bit per port
	portHint [16]uint64    // the sensitive ports modulo 1024, a bit each: two cache lines rule out most ports
	sensList []int32       // the sensitive ports, ascending
	sgText   []int32       // per interface: the number of its group ids' text (Describer)
}

const (
	ambiguous = -2
	none      = -1
)

// Options for New.
type Options struct {
	// SensitivePorts are the destination ports whose internet ACCEPTs are exposure evidence
	// (DefaultSensitivePorts when nil).
	SensitivePorts []int32
}

// DefaultSensitivePorts: remote administration and databases.
var DefaultSensitivePorts = []int32{22, 23, 445, 1433, 1521, 2375, 3306, 3389, 5432, 5900, 5984, 6379, 9042, 9200, 11211, 27017}

// PortName names the well-known sensitive ports.
var PortName = map[int32]string{22: "SSH", 23: "Telnet", 445: "SMB", 1433: "SQL Server", 1521: "Oracle", 2375: "Docker API",
	3306: "MySQL", 3389: "RDP", 5432: "PostgreSQL", 5900: "VNC", 5984: "CouchDB", 6379: "Redis", 9042: "Cassandra",
	9200: "Elasticsearch", 11211: "Memcached", 27017: "MongoDB"}

// New builds the index of every interface, security group and network ACL of the snapshot.
func New(snap *inventory.Snapshot, o Options) *Index {
	ix := &Index{byID: map[string]int32{}, v6: map[[16]byte]int32{}, multi: map[netip.Addr][]int32{},
		sgByID: map[string]int32{}, ports: &[1024]uint64{}}
	ix.initReasons()
	sens := o.SensitivePorts
	if sens == nil {
		sens = DefaultSensitivePorts
	}
	for _, p := range sens {
		if p >= 0 && p < 65536 {
			ix.ports[p>>6] |= 1 << (p & 63)
			ix.portHint[p>>6&15] |= 1 << (p & 63)
		}
	}
	for p := range int32(65536) {
		if ix.Sensitive(p) {
			ix.sensList = append(ix.sensList, p)
		}
	}
	type resKey struct{ account, region, kind, id string }
	resByKey := map[resKey]int32{}
	tmp4 := map[uint32]int32{}
	addAddr := func(s string, eni int32) {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return
		}
		a = a.Unmap()
		var k uint32
		if a.Is4() {
			k = key4(a)
		}
		set := func(v int32) {
			if a.Is4() {
				tmp4[k] = v
			} else {
				ix.v6[a.As16()] = v
			}
		}
		var prev int32
		var ok bool
		if a.Is4() {
			prev, ok = tmp4[k]
		} else {
			prev, ok = ix.v6[a.As16()]
		}
		switch {
		case !ok:
			set(eni)
		case prev == eni:
		case prev == ambiguous:
			ix.multi[a] = append(ix.multi[a], eni)
		default:
			ix.multi[a] = []int32{prev, eni}
			set(ambiguous)
		}
	}
	var unread []string
	for _, reg := range snap.Regions {
		where := reg.AccountID + "/" + reg.Name
		rulesRead := reg.Read(inventory.CollSecurityGroups) && reg.Read(inventory.CollNetworkACLs)
		if len(reg.NetworkInterfaces) > 0 && !rulesRead {
			unread = append(unread, where)
		}
		names := map[string]string{}
		for _, in := range reg.Instances {
			names[in.ID] = in.Tags["Name"]
		}
		sgBase := int32(len(ix.sgs))
		for i := range reg.SecurityGroups {
			g := &reg.SecurityGroups[i]
			ix.sgByID[g.ID] = sgBase + int32(i)
			ix.sgs = append(ix.sgs, compileSG(g))
		}
		for _, g := range ix.sgs[sgBase:] {
			g.resolve(ix.sgByID)
		}
		aclOf := map[string]int32{}
		defaultACL := map[string]int32{}
		for i := range reg.NetworkACLs {
			a := &reg.NetworkACLs[i]
			id := int32(len(ix.acls))
			ix.acls = append(ix.acls, compileACL(a))
			for _, s := range a.Subnets {
				aclOf[s] = id
			}
			if a.IsDefault {
				defaultACL[a.VPCID] = id
			}
		}
		for _, v := range reg.VPCs {
			if p, err := netip.ParsePrefix(v.CIDR); err == nil {
				ix.internal = append(ix.internal, p.Masked())
			}
		}
		for _, s := range reg.Subnets {
			if p, err := netip.ParsePrefix(s.CIDR); err == nil {
				ix.internal = append(ix.internal, p.Masked())
			}
		}
		for i := range reg.NetworkInterfaces {
			n := &reg.NetworkInterfaces[i]
			if _, dup := ix.byID[n.ID]; dup || n.ID == "" {
				continue
			}
			own := Classify(n)
			k := resKey{reg.AccountID, reg.Name, own.Kind, own.ID}
			r, ok := resByKey[k]
			if !ok {
				name := ""
				switch own.Kind {
				case KindInstance:
					name = or(names[own.ID], n.Name())
				case KindLoadBalancer:
					if p := strings.Split(own.ID, "/"); len(p) == 3 {
						name = p[1]
					}
				default:
					name = n.Name()
				}
				r = int32(len(ix.Resources))
				resByKey[k] = r
				ix.Resources = append(ix.Resources, Resource{Kind: own.Kind, ID: own.ID, Name: name, Account: reg.AccountID, Region: reg.Name, VPC: n.VPCID})
			}
			ix.Resources[r].Interfaces = append(ix.Resources[r].Interfaces, n.ID)
			e := int32(len(ix.Interfaces))
			itf := Interface{ID: n.ID, VPC: n.VPCID, Subnet: n.SubnetID, Account: reg.AccountID, Region: reg.Name, Resource: r, acl: none,
				rulesRead: rulesRead, sgIDs: n.SecurityGroups}
			if rulesRead {
				itf.SGs = []int32{}
				for _, g := range n.SecurityGroups {
					if gi, ok := ix.sgByID[g]; ok {
						itf.SGs = append(itf.SGs, gi)
					}
				}
				if a, ok := aclOf[n.SubnetID]; ok {
					itf.acl = a
				} else if a, ok := defaultACL[n.VPCID]; ok {
					itf.acl = a // a subnet without an explicit association uses its VPC's default ACL
				}
			}
			ix.Interfaces = append(ix.Interfaces, itf)
			ix.byID[n.ID] = e
			for _, a := range n.PrivateIPs {
				addAddr(a, e)
			}
			for _, a := range n.IPv6Addresses {
				addAddr(a, e)
			}
			for _, p := range n.PublicIPs {
				addAddr(p.PublicIP, e)
			}
		}
	}
	ix.v4 = newTable4(tmp4)
	ix.hot = make([]ifHot, len(ix.Interfaces))
	ix.res2 = make([]int32, len(ix.Interfaces)+2)
	ix.res2[0], ix.res2[1] = none, none
	ix.res = ix.res2[2:]
	ix.own4 = make([]uint64, len(ix.Interfaces))
	for e := range ix.Interfaces {
		ix.res[e] = ix.Interfaces[e].Resource
		ix.own4[e] = noOwn4
	}
	for k, e := range tmp4 {
		if e >= 0 && k != 0 && uint64(k) < ix.own4[e] { // any one will do: the lowest
			ix.own4[e] = uint64(k)
		}
	}
	ix.buildPolicies()
	texts := map[string]int32{}
	ix.sgText = make([]int32, len(ix.Interfaces))
	for e := range ix.Interfaces {
		t := strings.Join(ix.Interfaces[e].sgIDs, ", ")
		n, ok := texts[t]
		if !ok {
			n = int32(len(texts))
			texts[t] = n
		}
		ix.sgText[e] = n
	}
	ix.buildInternal()
	ix.labels = make([]string, len(ix.Resources))
	for i, r := range ix.Resources {
		slices.Sort(r.Interfaces)
		ix.labels[i] = r.Label()
	}
	if len(unread) > 0 {
		slices.Sort(unread)
		ix.Notes = append(ix.Notes, fmt.Sprintf("security groups or network ACLs were not read in %s (a snapshot saved without scan --read-network, or a read error): rejects there stay undetermined",
			strings.Join(unread, ", ")))
	}
	return ix
}

// Len is the number of interfaces indexed.
func (ix *Index) Len() int { return len(ix.Interfaces) }

// Interface returns the index of the interface with id b, or -1.
func (ix *Index) Interface(b []byte) int32 {
	if i, ok := ix.byID[string(b)]; ok {
		return i
	}
	return none
}

// Addr returns the interface that holds address a, or -1. An address several interfaces hold (VPCs with
// overlapping ranges) is resolved to the one in near's VPC when near (an interface index) is given, else -1.
func (ix *Index) Addr(a netip.Addr, near int32) int32 {
	e, _ := ix.Lookup(a, near)
	return e
}

// ResourceOf returns the resource index of interface e, or -1.
func (ix *Index) ResourceOf(e int32) int32 {
	if e < 0 {
		return none
	}
	return ix.res[e]
}

// Internal reports whether a is private (RFC 1918, RFC 6598 shared, loopback, link-local, IPv6 ULA) or inside
// a VPC or subnet range of the inventory: traffic from it is not from the internet.
func (ix *Index) Internal(a netip.Addr) bool {
	if a.Is4() { // the same tests on the number
		k := key4(a)
		switch {
		case k>>24 == 10, k>>20 == 172<<4|1, k>>16 == 192<<8|168, // RFC 1918
			k>>24 == 127, k>>16 == 169<<8|254, k == 0, k>>22 == 100<<2|1: // loopback, link-local, unspecified, RFC 6598
			return true
		}
		return ix.in4.contains(k)
	}
	a = a.Unmap()
	if !a.IsValid() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || cgnat.Contains(a) {
		return true
	}
	if a.Is4() {
		return ix.in4.contains(key4(a))
	}
	return a.Zone() == "" && ix.in6.contains(key6(a))
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Sensitive reports whether port is one of the sensitive ports.
func (ix *Index) Sensitive(port int32) bool {
	// The hint first: the 8 KB bitmap is read for the few ports that share 10 low bits with a sensitive one.
	return ix.portHint[port>>6&15]&(1<<(port&63)) != 0 && uint32(port) < 65536 && ix.ports[port>>6]&(1<<(port&63)) != 0
}

// SensitivePorts are the sensitive ports, ascending (a copy).
func (ix *Index) SensitivePorts() []int32 { return slices.Clone(ix.sensList) }

// Known reports whether some inventory interface holds address a (also when several do).
func (ix *Index) Known(a netip.Addr) bool {
	_, ok := ix.Lookup(a, none)
	return ok
}

// Label is resource i's label (Resource.Label), computed once.
func (ix *Index) Label(i int32) string { return ix.labels[i] }
