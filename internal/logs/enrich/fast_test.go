package enrich

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// randEstate builds a random inventory meant to hit the corners: VPCs with overlapping ranges, addresses
// several interfaces hold, IPv6, ACL entries in any order with equal rule numbers, deny before allow, port
// ranges (and 0-0), ICMP, -1 and unreadable protocols, bad CIDRs, groups referring to groups inside and
// outside the inventory and to prefix lists, interfaces with several groups, none, or unknown ones, and
// regions whose rules were not read.
func randEstate(rng *rand.Rand) (*inventory.Snapshot, []string, []string) {
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	protos := []string{"-1", "6", "tcp", "17", "udp", "1", "icmp", "58", "132", "all", "bogus", "300"}
	cidrs := []string{"0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.7/32", "10.1.0.0/16", "192.0.2.0/24",
		"198.51.100.0/25", "198.51.100.128/25", "203.0.113.9/32", "100.64.0.0/10", "::/0", "2001:db8::/32", "2001:db8:1::/48",
		"fd00::/8", "::ffff:10.0.0.0/104", "not-a-cidr", "255.255.255.255/32", "128.0.0.0/1"}
	ports := func() (int32, int32) {
		switch rng.IntN(5) {
		case 0:
			return -1, -1
		case 1:
			return 0, 0
		case 2:
			p := int32(rng.IntN(4) * 1000)
			return p, p + int32(rng.IntN(3000))
		case 3:
			return 0, 65535
		}
		p := []int32{22, 53, 80, 443, 3389, 5432, 8080}[rng.IntN(7)]
		return p, p
	}
	addrPool := []string{"10.0.1.7", "10.0.1.8", "10.0.2.9", "10.1.0.5", "10.0.1.7", "198.51.100.7", "203.0.113.9",
		"2001:db8::7", "2001:db8:1::9", "fd00::1", "::ffff:10.0.2.10", "10.0.3.1", "10.0.3.2", "54.1.2.3", "bad", "fe80::1%eth0"}
	snap := &inventory.Snapshot{}
	var eniIDs []string
	nreg := 1 + rng.IntN(2)
	for ri := range nreg {
		reg := &inventory.Region{AccountID: "111122223333", Name: fmt.Sprint("r", ri)}
		if rng.IntN(4) > 0 {
			reg.NetworkRead = true
		}
		nvpc := 1 + rng.IntN(2)
		for v := range nvpc {
			reg.VPCs = append(reg.VPCs, inventory.VPC{ID: fmt.Sprintf("vpc-%d%d", ri, v), CIDR: pick("10.0.0.0/16", "10.1.0.0/16", "172.16.0.0/12", "2001:db8::/32")})
			for s := range 1 + rng.IntN(3) {
				reg.Subnets = append(reg.Subnets, inventory.Subnet{ID: fmt.Sprintf("subnet-%d%d%d", ri, v, s), VPCID: reg.VPCs[v].ID,
					CIDR: pick("10.0.1.0/24", "10.0.2.0/24", "10.1.0.0/24", "2001:db8:1::/48", "bad")})
			}
		}
		ngroups := rng.IntN(5)
		for g := range ngroups {
			sg := inventory.SecurityGroup{ID: fmt.Sprintf("sg-%d%d", ri, g), Name: fmt.Sprint("g", g)}
			rule := func() inventory.SGRule {
				from, to := ports()
				r := inventory.SGRule{Protocol: pick(protos...), FromPort: from, ToPort: to}
				switch rng.IntN(6) {
				case 0:
					r.Group = fmt.Sprintf("sg-%d%d", ri, rng.IntN(ngroups+1)) // may be outside the inventory
				case 1:
					r.PrefixList = "pl-1"
				case 2:
					r.Group = fmt.Sprintf("sg-%d%d", 1-ri, rng.IntN(3)) // another region's group
				default:
					r.CIDR = pick(cidrs...)
				}
				return r
			}
			for range rng.IntN(5) {
				sg.Ingress = append(sg.Ingress, rule())
			}
			for range rng.IntN(4) {
				sg.Egress = append(sg.Egress, rule())
			}
			reg.SecurityGroups = append(reg.SecurityGroups, sg)
		}
		for a := range rng.IntN(4) {
			acl := inventory.NetworkACL{ID: fmt.Sprintf("acl-%d%d", ri, a), VPCID: reg.VPCs[rng.IntN(nvpc)].ID, IsDefault: rng.IntN(3) == 0}
			for _, s := range reg.Subnets {
				if rng.IntN(3) == 0 {
					acl.Subnets = append(acl.Subnets, s.ID)
				}
			}
			for range rng.IntN(8) {
				from, to := ports()
				acl.Entries = append(acl.Entries, inventory.ACLEntry{RuleNumber: int32(rng.IntN(6) * 50), Egress: rng.IntN(2) == 0,
					Protocol: pick(protos...), Allow: rng.IntN(2) == 0, CIDR: pick(cidrs...), FromPort: from, ToPort: to})
			}
			if rng.IntN(2) == 0 {
				acl.Entries = append(acl.Entries, inventory.ACLEntry{RuleNumber: 32767, Protocol: "-1", CIDR: "0.0.0.0/0"},
					inventory.ACLEntry{RuleNumber: 32767, Egress: true, Protocol: "-1", CIDR: "0.0.0.0/0"})
			}
			reg.NetworkACLs = append(reg.NetworkACLs, acl)
		}
		for n := range 2 + rng.IntN(8) {
			v := rng.IntN(nvpc)
			var subnet string
			if len(reg.Subnets) > 0 && rng.IntN(5) > 0 {
				subnet = reg.Subnets[rng.IntN(len(reg.Subnets))].ID
			}
			id := fmt.Sprintf("eni-%d%02d", ri, n)
			if rng.IntN(10) == 0 && len(eniIDs) > 0 {
				id = eniIDs[rng.IntN(len(eniIDs))] // a duplicate id: the first is kept
			}
			ni := inventory.NetworkInterface{ID: id, VPCID: reg.VPCs[v].ID, SubnetID: subnet, Type: "interface"}
			for range rng.IntN(3) {
				a := pick(addrPool...)
				if strings.Contains(a, ":") && !strings.HasPrefix(a, "::ffff") {
					ni.IPv6Addresses = append(ni.IPv6Addresses, a)
				} else {
					ni.PrivateIPs = append(ni.PrivateIPs, a)
				}
			}
			if rng.IntN(4) == 0 {
				ni.PublicIPs = []inventory.PublicIP{{PublicIP: pick(addrPool...)}}
			}
			if rng.IntN(4) > 0 {
				ni.SecurityGroups = []string{}
				for range rng.IntN(4) {
					ni.SecurityGroups = append(ni.SecurityGroups, fmt.Sprintf("sg-%d%d", ri, rng.IntN(ngroups+1)))
				}
			}
			reg.NetworkInterfaces = append(reg.NetworkInterfaces, ni)
			eniIDs = append(eniIDs, id)
		}
		snap.Regions = append(snap.Regions, reg)
	}
	var addrs []string
	for _, a := range addrPool {
		if a != "bad" && !strings.Contains(a, "%") {
			addrs = append(addrs, a)
		}
	}
	return snap, eniIDs, append(addrs, "10.0.1.9", "192.0.2.1", "8.8.8.8", "2001:db8::99", "203.0.113.10", "100.64.1.1", "0.0.0.0")
}

// randRecords makes records over the estate: interface ids known, unknown or absent, addresses of the
// inventory or not, any protocol (or none), ports (or none), either direction, some with a reject-reason.
func randRecords(t *testing.T, rng *rand.Rand, enis, addrs []string, n int) []*flowlog.Record {
	f := flowlog.FormatOf(flowlog.Version, flowlog.InterfaceID, flowlog.SrcAddr, flowlog.DstAddr, flowlog.SrcPort, flowlog.DstPort,
		flowlog.Protocol, flowlog.Packets, flowlog.Bytes, flowlog.Start, flowlog.End, flowlog.Action, flowlog.LogStatus,
		flowlog.FlowDirection, flowlog.RejectReason, flowlog.PktSrcAddr)
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	var out []*flowlog.Record
	for i := range n {
		addr := func() string {
			switch rng.IntN(8) {
			case 0:
				return "-"
			case 1:
				return fmt.Sprintf("%d.%d.%d.%d", 1+rng.IntN(223), rng.IntN(256), rng.IntN(256), rng.IntN(256)) // internet noise
			}
			return pick(addrs...)
		}
		eni := "-"
		switch rng.IntN(6) {
		case 0:
		case 1:
			eni = "eni-unknown"
		default:
			eni = pick(enis...)
		}
		port := fmt.Sprint(pick("22", "53", "80", "443", "3389", "5432", "8080", "0", "65535", "1500", "2999"))
		if rng.IntN(10) == 0 {
			port = fmt.Sprint(rng.IntN(65536))
		}
		if rng.IntN(15) == 0 {
			port = "-"
		}
		line := strings.Join([]string{"8", eni, addr(), addr(), "4000", port, pick("6", "17", "1", "58", "132", "47", "-", "6", "6"),
			"1", "40", "100", "160", pick("REJECT", "REJECT", "ACCEPT"), "OK", pick("ingress", "egress", "-"),
			pick("-", "-", "-", "BPA", "other"), pick("-", "-", "-", addr())}, " ")
		r, err := flowlog.NewParser("t", f, flowlog.Options{}).Parse([]byte(line), int64(i+1))
		if err != nil || r == nil {
			t.Fatalf("%q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

// refAddr is the straightforward reading of which interface holds an address: every interface's addresses,
// parsed as New reads them; one holder, or the first in near's VPC when several hold it.
func refAddr(ix *Index, snap *inventory.Snapshot, a netip.Addr, near int32) (int32, bool) {
	if !a.IsValid() || a.Is4In6() {
		return none, false
	}
	var holders []int32
	seen := map[string]bool{}
	for _, reg := range snap.Regions {
		for _, n := range reg.NetworkInterfaces {
			if n.ID == "" || seen[n.ID] {
				continue
			}
			seen[n.ID] = true
			e := ix.byID[n.ID]
			var all []string
			all = append(append(all, n.PrivateIPs...), n.IPv6Addresses...)
			for _, p := range n.PublicIPs {
				all = append(all, p.PublicIP)
			}
			for _, s := range all {
				b, err := netip.ParseAddr(s)
				if err == nil && b.Zone() == "" && b.Unmap() == a.WithZone("") {
					if len(holders) == 0 || holders[len(holders)-1] != e {
						holders = append(holders, e)
					}
				}
			}
		}
	}
	distinct := map[int32]bool{}
	for _, h := range holders {
		distinct[h] = true
	}
	switch {
	case len(distinct) == 0:
		return none, false
	case len(distinct) == 1:
		return holders[0], true
	}
	if near >= 0 && a.Zone() == "" {
		for _, h := range holders {
			if ix.Interfaces[h].VPC == ix.Interfaces[near].VPC {
				return h, true
			}
		}
	}
	return none, true
}

// refInternal is Internal as a walk of every internal prefix.
func refInternal(ix *Index, a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || cgnat.Contains(a) {
		return true
	}
	for _, p := range ix.internal {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// TestFastMatchesReference compares, over random inventories and records, the flat lookups with a
// straightforward reading of the inventory, and the memoised attribution and exposure with AttributeAt and
// ExposureAt evaluated for every record — with a memo of 16 slots (constant eviction) and of 4096.
func TestFastMatchesReference(t *testing.T) {
	t.Parallel()
	seeds := 60
	if testing.Short() {
		seeds = 15
	}
	var hits, evals int64
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 15))
		snap, enis, addrs := randEstate(rng)
		ix := New(snap, Options{SensitivePorts: []int32{22, 3389, 5432, 0, 65535}})
		recs := randRecords(t, rng, enis, addrs, 2000)
		small, big := ix.NewAttributor(16), ix.NewAttributor(0)
		for _, r := range recs {
			iface := ix.Interface(r.Field(flowlog.InterfaceID))
			for _, a := range []netip.Addr{r.SrcAddr, r.DstAddr, r.PktSrcAddr} {
				for _, near := range []int32{none, iface} {
					we, wk := refAddr(ix, snap, a, near)
					if e, k := ix.Lookup(a, near); e != we || k != wk {
						t.Fatalf("seed %d: Lookup(%v, %d) = %d %v, want %d %v", seed, a, near, e, k, we, wk)
					}
					if e := ix.Addr(a, near); e != we {
						t.Fatalf("seed %d: Addr(%v, %d) = %d, want %d", seed, a, near, e, we)
					}
				}
				if got, want := ix.Internal(a), refInternal(ix, a); got != want {
					t.Fatalf("seed %d: Internal(%v) = %v, want %v", seed, a, got, want)
				}
			}
			si, di, sk, dk := ix.LookupRecord(r, iface)
			ws, wsk := ix.Lookup(r.SrcAddr, iface)
			wd, wdk := ix.Lookup(r.DstAddr, iface)
			if si != ws || di != wd || sk != wsk || dk != wdk {
				t.Fatalf("seed %d: LookupRecord = %d %d %v %v, want %d %d %v %v", seed, si, di, sk, dk, ws, wd, wsk, wdk)
			}
			want := ix.AttributeAt(r, iface, si, di)
			for _, at := range []*Attributor{small, big} {
				if x, tm := at.Attribute(r, iface, si, di); at.Cause(x, tm) != want {
					t.Fatalf("seed %d: %s/%d: Attribute = %+v, want %+v (memo %d)", seed, r.SrcAddr, r.DstPort, at.Cause(x, tm), want, 2*len(at.memo))
				}
				wk, wsrc, wok := ix.ExposureAt(r, iface, di)
				id, src, ok := at.Exposure(r, iface, di)
				if ok != wok || ok && (at.ExposureKey(id) != wk || src != wsrc) {
					t.Fatalf("seed %d: Exposure = %v %v, want %+v %v %v", seed, ok, src, wk, wsrc, wok)
				}
			}
		}
		hits += big.Hits
		evals += big.Hits + big.Misses
	}
	t.Logf("memo answered %d of %d rule evaluations", hits, evals)
	if hits == 0 {
		t.Error("the memo never answered: the test does not exercise it")
	}
}

// TestAttributorPeerGroups: two peers that differ only in their groups (same subnet, same port, same address
// class under db's rules) get different answers when a rule refers to a group, whichever the memo saw first.
func TestAttributorPeerGroups(t *testing.T) {
	t.Parallel()
	snap := testSnapshot()
	reg := snap.Regions[0]
	reg.NetworkInterfaces = append(reg.NetworkInterfaces, inventory.NetworkInterface{ID: "eni-other", VPCID: "vpc-1", SubnetID: "subnet-a",
		Type: "interface", ENIDetails: inventory.ENIDetails{PrivateIPs: []string{"10.0.1.11"}, SecurityGroups: []string{"sg-pl"}}})
	ix := New(snap, Options{})
	lines := []string{
		"2 1 eni-db 10.0.1.10 10.0.2.20 5000 5432 6 1 40 1 2 REJECT OK", // from web, which holds SG web: allowed as read
		"2 1 eni-db 10.0.1.11 10.0.2.20 5000 5432 6 1 40 1 2 REJECT OK", // from other: no group rule allows it
	}
	for _, order := range [][]int{{0, 1}, {1, 0}} {
		at := ix.NewAttributor(0)
		for _, i := range order {
			r := rec(t, lines[i])
			iface := ix.Interface(r.Field(flowlog.InterfaceID))
			si, di := ix.Addr(r.SrcAddr, iface), ix.Addr(r.DstAddr, iface)
			want := ix.AttributeAt(r, iface, si, di)
			if x, tm := at.Attribute(r, iface, si, di); at.Cause(x, tm) != want {
				t.Errorf("%v: %s: %s, want %s", order, lines[i], ix.Describe(at.Cause(x, tm)), ix.Describe(want))
			}
		}
	}
}

// FuzzAttributorMatchesDirect: over the test inventory, any two records attributed in turn by one
// Attributor (the second may be answered from the first's memo entry) get AttributeAt's and ExposureAt's
// answers.
func FuzzAttributorMatchesDirect(f *testing.F) {
	ix := New(testSnapshot(), Options{SensitivePorts: []int32{22, 5432, 6379}})
	f.Add("eni-web 198.51.100.1 10.0.1.10 22 6 REJECT ingress -", "eni-web 198.51.100.2 10.0.1.10 22 6 REJECT ingress -")
	f.Add("eni-db 10.0.1.10 10.0.2.20 5432 6 REJECT ingress -", "eni-db 10.0.2.30 10.0.2.20 5432 6 REJECT ingress -")
	f.Add("eni-web 10.0.1.10 10.9.9.9 53 17 REJECT egress -", "- 10.0.1.10 10.9.9.9 53 17 REJECT egress BPA")
	f.Add("eni-web 203.0.113.5 10.0.1.10 22 6 ACCEPT ingress -", "eni-cache 2001:db8::1 10.0.2.30 6379 6 ACCEPT - -")
	format := flowlog.FormatOf(flowlog.InterfaceID, flowlog.SrcAddr, flowlog.DstAddr, flowlog.DstPort, flowlog.Protocol, flowlog.Action,
		flowlog.FlowDirection, flowlog.RejectReason)
	f.Fuzz(func(t *testing.T, a, b string) {
		at := ix.NewAttributor(16)
		for i, line := range []string{a, b, a} {
			r, err := flowlog.NewParser("f", format, flowlog.Options{}).Parse([]byte(line), int64(i+1))
			if err != nil || r == nil {
				continue
			}
			iface := ix.Interface(r.Field(flowlog.InterfaceID))
			si, di, _, _ := ix.LookupRecord(r, iface)
			if x, tm := at.Attribute(r, iface, si, di); at.Cause(x, tm) != ix.AttributeAt(r, iface, si, di) {
				t.Fatalf("%q: Attribute %+v, want %+v", line, at.Cause(x, tm), ix.AttributeAt(r, iface, si, di))
			}
			wk, wsrc, wok := ix.ExposureAt(r, iface, di)
			if id, src, ok := at.Exposure(r, iface, di); ok != wok || ok && (at.ExposureKey(id) != wk || src != wsrc) {
				t.Fatalf("%q: Exposure %v %v, want %+v %v %v", line, ok, src, wk, wsrc, wok)
			}
		}
	})
}

// TestInternalEdges: Internal's IPv4 tests on the number agree with netip's on the edges of every range.
func TestInternalEdges(t *testing.T) {
	t.Parallel()
	ix := New(testSnapshot(), Options{})
	for _, s := range []string{"10.0.0.0", "9.255.255.255", "11.0.0.0", "10.255.255.255", "172.15.255.255", "172.16.0.0", "172.31.255.255",
		"172.32.0.0", "192.167.255.255", "192.168.0.0", "192.168.255.255", "192.169.0.0", "127.0.0.1", "126.255.255.255", "128.0.0.0",
		"169.254.1.1", "169.253.255.255", "169.255.0.0", "0.0.0.0", "0.0.0.1", "100.63.255.255", "100.64.0.0", "100.127.255.255",
		"100.128.0.0", "::ffff:10.0.0.1", "::ffff:8.8.8.8", "255.255.255.255", "8.8.8.8", "::1", "fe80::1", "fd00::1", "2001:db8::1"} {
		a := netip.MustParseAddr(s)
		if got, want := ix.Internal(a), refInternal(ix, a); got != want {
			t.Errorf("Internal(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestUpperCounts: upper is the number of elements ≤ k, for every length up to 40 and keys around each element,
// int32 and uint32 (near its top).
func TestUpperCounts(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for n := range 41 {
		for range 20 {
			s := make([]int32, n)
			for i := range s {
				s[i] = rng.Int32N(100)
			}
			slices.Sort(s)
			s = slices.Compact(s)
			for k := int32(-2); k < 103; k++ {
				want := 0
				for _, v := range s {
					if v <= k {
						want++
					}
				}
				if got := upper(s, k); got != want {
					t.Fatalf("upper(%v, %d) = %d, want %d", s, k, got, want)
				}
				u := make([]uint32, len(s)) // the same at the top of the uint32 range
				for i, v := range s {
					u[i] = uint32(v) + 0xffffff00
				}
				if got := upper(u, uint32(k)+0xffffff00); k >= 0 && got != want {
					t.Fatalf("upper(%v, %d) = %d, want %d", u, uint32(k)+0xffffff00, got, want)
				}
			}
		}
	}
}

// TestDescriberMatchesDescribe: over random inventories and records, the Describer's remembered texts are
// Describe's, whichever cause came first (causes sharing a text share an entry).
func TestDescriberMatchesDescribe(t *testing.T) {
	t.Parallel()
	n := 0
	for seed := range 20 {
		rng := rand.New(rand.NewPCG(uint64(seed), 16))
		snap, enis, addrs := randEstate(rng)
		ix := New(snap, Options{})
		d := ix.NewDescriber()
		for _, r := range randRecords(t, rng, enis, addrs, 1000) {
			iface := ix.Interface(r.Field(flowlog.InterfaceID))
			c := ix.Attribute(r, iface)
			if got, want := d.Describe(c), ix.Describe(c); got != want {
				t.Fatalf("seed %d: Describer %q, want %q (%+v)", seed, got, want, c)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no causes")
	}
}

// TestAddr4MatchesAs4: Addr4 reads an IPv4 address's number as As4 gives it, on this toolchain through its
// one-load path (addrWordOK: if a Go release changes netip.Addr's layout this fails, to say that Addr4 fell back
// to As4 and the per-record lookups lost their fast read), and through the fallback too.
func TestAddr4MatchesAs4(t *testing.T) {
	if !addrWordOK {
		t.Fatal("netip.Addr's layout is not the one Addr4 reads: it falls back to As4")
	}
	rng := rand.New(rand.NewPCG(21, 22))
	for i := range 100_000 {
		var b [4]byte
		switch i {
		case 0: // the edges
		case 1:
			b = [4]byte{255, 255, 255, 255}
		case 2:
			b = [4]byte{0x80, 0, 0, 1}
		default:
			*(*uint32)(unsafe.Pointer(&b)) = rng.Uint32()
		}
		a := netip.AddrFrom4(b)
		want := binary.BigEndian.Uint32(b[:])
		if got, slow := Addr4(&a), key4Of(&a); got != want || slow != want || key4(a) != want {
			t.Fatalf("%v: Addr4 %#x, key4 %#x, want %#x", a, got, slow, want)
		}
	}
}

// FuzzAddr4: any IPv4 address, parsed from text as the flow-log parser's callers may give it, reads the same
// through Addr4 as through As4.
func FuzzAddr4(f *testing.F) {
	f.Add("10.0.1.7")
	f.Add("255.255.255.255")
	f.Add("0.0.0.0")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return
		}
		if got, want := Addr4(&a), key4(a); got != want {
			t.Fatalf("%v: Addr4 %#x, As4 %#x", a, got, want)
		}
	})
}

// TestSensitiveMatchesList: Sensitive (its two-line hint, then the bitmap) says yes exactly for the listed
// ports in range, on random lists, for every port around the range and its folds.
func TestSensitiveMatchesList(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for round := range 20 {
		var list []int32
		for range rng.IntN(40) {
			list = append(list, int32(rng.IntN(70000))-1000)
		}
		if round == 0 {
			list = nil // the defaults
		}
		ix := New(&inventory.Snapshot{}, Options{SensitivePorts: list})
		if list == nil {
			list = DefaultSensitivePorts
		}
		for p := int32(-70000); p < 70000; p++ {
			want := p >= 0 && p < 65536 && slices.Contains(list, p)
			if ix.Sensitive(p) != want {
				t.Fatalf("list %v: Sensitive(%d) = %v", list, p, !want)
			}
		}
		for _, p := range []int32{math.MinInt32, math.MaxInt32, math.MinInt32 + 22, 1<<20 + 22} {
			if ix.Sensitive(p) {
				t.Fatalf("Sensitive(%d)", p)
			}
		}
	}
}
