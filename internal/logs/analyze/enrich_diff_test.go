package analyze

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/inventory"
	"github.com/flowguard/flowguard/internal/logs/enrich"
	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

// refShard is enrichShard.add computed the direct way, for the differential tests of its fast path (Own4 and
// Find4 inlined, the flat cause table): the addresses by Index.Lookup one by one, the causes in a Go map.
type refShard struct {
	e      *enrichShard // its tables; its attributor is not used
	causeN map[enrich.Cause]int64
	expo   map[enrich.ExposureKey]*exposureStat
}

func newRefShard(ix *enrich.Index) *refShard {
	return &refShard{e: newEnrichShard(ix, 64), causeN: map[enrich.Cause]int64{}, expo: map[enrich.ExposureKey]*exposureStat{}}
}

func (rs *refShard) add(r *flowlog.Record, iface int32) {
	e, ix := rs.e, rs.e.ix
	si, sknown := ix.Lookup(r.SrcAddr, iface)
	di, dknown := ix.Lookup(r.DstAddr, iface)
	sres, dres, own := ix.ResourceOf(si), ix.ResourceOf(di), int32(-1)
	if iface >= 0 {
		own = ix.ResourceOf(iface)
	} else {
		own = dres
		if own < 0 {
			own = sres
		}
	}
	if own < 0 && sres < 0 && dres < 0 {
		e.unresolv++
		return
	}
	e.resolved++
	bytes := max(r.Bytes, 0)
	if own >= 0 {
		e.res[own+1].recs++
		e.res[own+1].bytes += bytes
		if r.Action == flowlog.Reject {
			e.rej[own].rejs++
		}
	}
	switch r.Action {
	case flowlog.Reject:
		if sres >= 0 {
			e.rej[sres].rejSrc++
		} else if sknown {
			e.rejSrcA.Add(rkey{a: keyOf(r.SrcAddr), res: -1}, 1)
		}
		if dres >= 0 {
			e.rej[dres].rejDst++
		} else if dknown {
			e.rejDstA.Add(rkey{a: keyOf(r.DstAddr), res: -1}, 1)
		}
		if r.DstPort >= 0 && r.DstPort < 65536 {
			e.rejPort.add(uint64(dres+1)<<24|uint64(r.DstPort)<<8|uint64(r.Protocol&0xff), 1)
		}
		c := ix.AttributeAt(r, iface, si, di)
		if c.Iface >= 0 {
			rs.causeN[c]++
		} else {
			e.causes[causeKey{own, c}]++
		}
		e.kinds[c.Kind]++
	case flowlog.Accept:
		if bytes > 0 {
			if sres >= 0 {
				e.res[sres+1].sent += bytes
			}
			if dres >= 0 {
				e.res[dres+1].recv += bytes
			}
		}
		if k, src, ok := ix.ExposureAt(r, iface, di); ok {
			x := rs.expo[k]
			if x == nil {
				x = &exposureStat{}
				rs.expo[k] = x
			}
			if x.records == 0 {
				x.first, x.last = r.Start, r.End
			}
			x.records++
			x.bytes += bytes
			if r.Start >= 0 && (x.first < 0 || r.Start < x.first) {
				x.first = r.Start
			}
			x.last = max(x.last, r.End, r.Start)
			x.addSource(keyOf(src))
		}
	}
}

// diffShards says how the fast shard a differs from the reference b ("" when it does not).
func diffShards(a *enrichShard, b *refShard) string {
	e := b.e
	causeN := map[uint64]int64{}
	a.causeN.each(func(k uint64, v int64) { causeN[k] = v })
	ports := func(l *lagged) map[uint64]int64 {
		l.flush()
		m := map[uint64]int64{}
		l.c.each(func(k uint64, v int64) { m[k] = v })
		return m
	}
	causes := map[enrich.Cause]int64{}
	for k, v := range causeN {
		causes[a.at.Cause(int32(k>>32), int32(uint32(k)))] += v
	}
	norm := func(x exposureStat) exposureStat {
		x.srcs = slices.Clone(x.srcs)
		slices.SortFunc(x.srcs, akey.compare)
		x.hi = 0
		return x
	}
	expo, wexpo := map[enrich.ExposureKey]exposureStat{}, map[enrich.ExposureKey]exposureStat{}
	for i, x := range a.expo {
		if x.records > 0 {
			expo[a.at.ExposureKey(int32(i))] = norm(x)
		}
	}
	for k, x := range b.expo {
		wexpo[k] = norm(*x)
	}
	switch {
	case a.resolved != e.resolved || a.unresolv != e.unresolv:
		return fmt.Sprintf("resolved %d/%d, want %d/%d", a.resolved, a.unresolv, e.resolved, e.unresolv)
	case !slices.Equal(a.res[1:], e.res[1:]):
		return "per-resource counts differ"
	case !slices.Equal(a.rej, e.rej):
		return "per-resource REJECT counts differ"
	case a.kinds != e.kinds:
		return fmt.Sprintf("kinds %v, want %v", a.kinds, e.kinds)
	case !maps.Equal(a.rejSrcA.counts(), e.rejSrcA.counts()) || !maps.Equal(a.rejDstA.counts(), e.rejDstA.counts()):
		return "address rows differ"
	case !maps.Equal(ports(a.rejPort), ports(e.rejPort)):
		return "port rows differ"
	case !maps.Equal(causes, b.causeN) || !maps.Equal(a.causes, e.causes):
		return fmt.Sprintf("causes %v %v, want %v %v", causes, a.causes, b.causeN, e.causes)
	case !reflect.DeepEqual(expo, wexpo):
		return "exposure rows differ"
	}
	return ""
}

// diffEstate is gen.Estate(n) with the first half of its interfaces' addresses held again in a second VPC
// (ambiguous addresses), an IPv6-only interface, and one of a third VPC.
func diffEstate(n int) (*enrich.Index, []gen.ENI) {
	snap, enis := gen.Estate(n)
	reg := snap.Regions[0]
	reg.VPCs = append(reg.VPCs, inventory.VPC{ID: "vpc-2", CIDR: "10.0.0.0/16"}, inventory.VPC{ID: "vpc-3", CIDR: "10.1.0.0/16"})
	for _, ni := range slices.Clone(reg.NetworkInterfaces[:n/2]) {
		ni.ID, ni.VPCID, ni.Attachment = strings.Replace(ni.ID, "eni-0", "eni-f", 1), "vpc-2", nil
		reg.NetworkInterfaces = append(reg.NetworkInterfaces, ni)
	}
	reg.NetworkInterfaces = append(reg.NetworkInterfaces,
		inventory.NetworkInterface{ID: "eni-v6", VPCID: "vpc-3", Type: "interface", ENIDetails: inventory.ENIDetails{IPv6Addresses: []string{"2001:db8::9"}}},
		inventory.NetworkInterface{ID: "eni-c3", VPCID: "vpc-3", Type: "interface", ENIDetails: inventory.ENIDetails{PrivateIPs: []string{"10.1.0.9"}}})
	return enrich.New(snap, enrich.Options{}), enis
}

// TestEnrichAddMatchesDirect: enrichShard.add's fast path counts what the direct lookups count, on generated
// traffic and on records whose addresses and interfaces are drawn from the inventory's (held by one
// interface, by several, by none; IPv4, IPv6, IPv4-mapped), with and without an interface field.
func TestEnrichAddMatchesDirect(t *testing.T) {
	t.Parallel()
	ix, enis := diffEstate(40)
	g := gen.New(gen.Config{Seed: 3, Records: 20_000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Duration: time.Hour,
		ENIs: enis, VerticalScans: 1, BruteForces: 1})
	var buf bytes.Buffer
	if err := g.WriteStream(&buf, false); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	rng := rand.New(rand.NewPCG(5, 6))
	ids := []string{"-", "eni-unknown", "eni-v6", "eni-c3", enis[0].ID, "eni-f" + enis[1].ID[5:], enis[30].ID}
	addrs := []string{"10.1.0.9", "2001:db8::9", "::ffff:" + enis[0].Addr.String(), "198.51.100.7", "-", "0.0.0.0", "10.0.9.9"}
	for _, e := range enis[:25] {
		addrs = append(addrs, e.Addr.String())
	}
	for range 20_000 {
		act := []string{"ACCEPT", "REJECT", "-"}[rng.IntN(3)]
		lines = append(lines, fmt.Appendf(nil, "2 123456789012 %s %s %s %d %d %d 1 %d 1767225600 1767225660 %s OK",
			ids[rng.IntN(len(ids))], addrs[rng.IntN(len(addrs))], addrs[rng.IntN(len(addrs))], 1024+rng.IntN(5),
			[]int{22, 23, 443, 5432, 3389, 80}[rng.IntN(6)], []int{6, 17, 1}[rng.IntN(3)], rng.IntN(3)*40, act))
	}
	fast, ref := newEnrichShard(ix, 64), newRefShard(ix)
	p := flowlog.NewParser("t", flowlog.DefaultFormat, flowlog.Options{})
	n := 0
	for i, line := range lines {
		r, err := p.Parse(line, int64(i+1))
		if err != nil || r == nil {
			continue
		}
		n++
		iface := ix.Interface(r.Field(flowlog.InterfaceID))
		fast.add(r, iface)
		ref.add(r, iface)
		if i%1000 == 0 || i >= len(lines)-20_000 && i%97 == 0 {
			if d := diffShards(fast, ref); d != "" {
				t.Fatalf("after line %d %q: %s", i+1, line, d)
			}
		}
	}
	if d := diffShards(fast, ref); d != "" {
		t.Fatal(d)
	}
	if n < 30_000 || fast.resolved == 0 || fast.unresolv == 0 || fast.rejSrcA.Len() == 0 || fast.causeN.n == 0 || len(ref.expo) == 0 {
		t.Fatalf("the records do not exercise add: %d parsed, %d resolved, %d unresolved, %d ambiguous rows, %d causes, %d exposures",
			n, fast.resolved, fast.unresolv, fast.rejSrcA.Len(), fast.causeN.n, len(ref.expo))
	}
	t.Logf("%d records, %d resolved, %d unresolved, %d ambiguous source rows, %d causes, %d exposures", n, fast.resolved, fast.unresolv,
		fast.rejSrcA.Len(), fast.causeN.n, len(ref.expo))
}

// FuzzEnrichAddMatchesDirect: any records, added in turn, are counted by enrichShard.add as by the direct
// lookups (refShard).
func FuzzEnrichAddMatchesDirect(f *testing.F) {
	ix, enis := diffEstate(20)
	a, b := enis[0].Addr.String(), enis[1].Addr.String()
	f.Add("2 1 "+enis[0].ID+" "+a+" 198.51.100.1 22 40000 6 1 40 1 2 ACCEPT OK", "2 1 - 10.1.0.9 "+b+" 1 22 6 1 40 1 2 REJECT OK")
	f.Add("2 1 eni-c3 10.1.0.9 "+a+" 1 5432 6 1 40 1 2 REJECT OK", "2 1 eni-v6 2001:db8::9 ::ffff:"+a+" 1 22 6 1 40 1 2 ACCEPT OK")
	f.Add("2 1 eni-f"+enis[2].ID[5:]+" "+enis[2].Addr.String()+" 203.0.113.9 3389 1 6 1 0 1 2 REJECT OK", "2 1 - - - - - - - - 1 2 - NODATA")
	f.Fuzz(func(t *testing.T, l1, l2 string) {
		fast, ref := newEnrichShard(ix, 16), newRefShard(ix)
		p := flowlog.NewParser("f", flowlog.DefaultFormat, flowlog.Options{})
		for i, line := range []string{l1, l2, l1} {
			r, err := p.Parse([]byte(line), int64(i+1))
			if err != nil || r == nil {
				continue
			}
			iface := ix.Interface(r.Field(flowlog.InterfaceID))
			fast.add(r, iface)
			ref.add(r, iface)
			if d := diffShards(fast, ref); d != "" {
				t.Fatalf("%q: %s", line, d)
			}
		}
	})
}

// TestResourceTopMatchesMerge: the by-resource rows picked from the three row sets are TopK.Top of one table
// holding them all, as finishEnrichment built it before (the address rows inserted into the enrichment's
// table, then the top rows taken), with ties, pruned tables and addresses held by several interfaces.
func TestResourceTopMatchesMerge(t *testing.T) {
	t.Parallel()
	ix, enis := diffEstate(40)
	rng := rand.New(rand.NewPCG(9, 10))
	nres := len(ix.Resources)
	for round := range 200 {
		amb := NewTopK(16+rng.IntN(40), rkey.compare) // addresses several interfaces hold
		addr := NewTopK(16+rng.IntN(40), akey.compare)
		for range rng.IntN(300) {
			e := enis[rng.IntN(20)] // the first half is held twice
			amb.Add(rkey{a: keyOf(e.Addr), res: -1}, int64(1+rng.IntN(4)))
		}
		for range rng.IntN(300) {
			var a netip.Addr
			switch rng.IntN(3) {
			case 0:
				a = netip.AddrFrom4([4]byte{198, 51, 100, byte(rng.IntN(256))})
			case 1:
				a = enis[rng.IntN(len(enis))].Addr // held: not a row of the list
			default:
				a = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(rng.IntN(256))})
			}
			addr.Add(keyOf(a), int64(1+rng.IntN(4)))
		}
		per := make([]int64, nres)
		for i := range per {
			if rng.IntN(3) == 0 {
				per[i] = int64(rng.IntN(8))
			}
		}
		// The former way: everything into the enrichment's table, then its top rows.
		old := NewTopK(amb.cap, rkey.compare)
		amb.each(old.addExact)
		for i, v := range per {
			if v > 0 {
				old.addExact(rkey{res: int32(i)}, v)
			}
		}
		addr.each(func(k akey, v int64) {
			if !ix.Known(k.addr()) {
				old.addExact(rkey{a: k, res: -1}, v)
			}
		})
		// Finish's merged tables may hold their counts as an adopted list, not yet indexed (TopK.adopt).
		if round%2 == 1 {
			amb, addr = adopted(amb), adopted(addr)
		}
		for _, n := range []int{0, 1, 5, 12, 1000} {
			want := old.Top(n)
			if got := resourceTop(ix, amb, per, addr, n); !slices.Equal(got, want) {
				t.Fatalf("round %d, top %d: %v, want %v", round, n, got, want)
			}
		}
	}
}

// adopted is a table holding t's counts as an adopted list (as a first merge leaves it), not in its index.
func adopted[K comparable](t *TopK[K]) *TopK[K] {
	var es []Entry[K]
	t.each(func(k K, v int64) { es = append(es, Entry[K]{k, v}) })
	a := NewTopK(1<<20, t.compare)
	a.adopt(es, t.ErrBound)
	return a
}

// TestRankStrings: ranks order the strings as strings.Compare does, equal strings get equal ranks, and text
// gives each rank's string.
func TestRankStrings(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	for range 100 {
		ss := make([]string, rng.IntN(30))
		for i := range ss {
			ss[i] = []string{"", "a", "b", "ab", "instance i-1", "(not in the inventory)", "z"}[rng.IntN(7)]
		}
		rank, text := rankStrings(len(ss), func(i int) string { return ss[i] })
		for i := range ss {
			if text[rank[i]] != ss[i] {
				t.Fatalf("%q: text[rank[%d]] = %q", ss, i, text[rank[i]])
			}
			for j := range ss {
				if c := strings.Compare(ss[i], ss[j]); c != cmp.Compare(rank[i], rank[j]) {
					t.Fatalf("%q: ranks %d %d, strings compare %d", ss, rank[i], rank[j], c)
				}
			}
		}
	}
}
