package graph

import (
	"sort"
	"sync"

	"github.com/flowguard/flowguard/internal/inventory"
)

// Node is one asset. Its fields are read through the schema (Get); the inventory object behind it is Obj.
type Node struct {
	Type       *Type
	ID         string
	Account    string
	RegionName string
	Partition  string
	// Obj is the inventory object: *inventory.VPC, *inventory.FlowLog, *inventory.LogGroup, … (*inventory.Region
	// for Region nodes).
	Obj any
	// Region is the account-region the node was read in; nil for accounts and buckets.
	Region *inventory.Region
	rels   [][]*Node
	unk    *unknowns
}

// Get returns the value of field f (f must belong to n.Type).
func (n *Node) Get(f *Field) Value { return f.get(n) }

// Field returns the value of the field called name, or null when there is no such field.
func (n *Node) Field(name string) Value {
	if f := n.Type.fields[name]; f != nil {
		return f.get(n)
	}
	return Null
}

// Name returns the node's name field (the Name tag, or the resource's own name), without a lookup by name.
func (n *Node) Name() Value { return n.Type.Fields[nameField].get(n) }

// Rel returns the nodes related to n by r (r must belong to n.Type). The slice must not be modified.
func (n *Node) Rel(r *Relation) []*Node { return n.rels[r.index] }

// Related returns the nodes related to n by the relation called name.
func (n *Node) Related(name string) []*Node {
	if r := n.Type.relations[name]; r != nil {
		return n.rels[r.index]
	}
	return nil
}

// Graph is the asset graph of one snapshot, with its nodes listed per type.
type Graph struct {
	Schema   *Schema
	Snapshot *inventory.Snapshot
	byType   [][]*Node
	keyOnce  sync.Once
	byKey    map[nodeKey]*Node
}

type nodeKey struct {
	typ                 *Type
	account, region, id string
}

// Nodes returns every node of type t, in inventory order. The slice must not be modified.
func (g *Graph) Nodes(t *Type) []*Node { return g.byType[t.index] }

// Lookup finds a node by type, account, region and id ("" region for global types).
func (g *Graph) Lookup(t *Type, account, region, id string) *Node {
	// Built on first use: evaluation walks relations and never needs it.
	g.keyOnce.Do(func() {
		n := 0
		for _, ns := range g.byType {
			n += len(ns)
		}
		g.byKey = make(map[nodeKey]*Node, n)
		for _, ns := range g.byType {
			for _, m := range ns {
				k := nodeKey{m.Type, m.Account, m.RegionName, m.ID}
				if _, dup := g.byKey[k]; !dup {
					g.byKey[k] = m
				}
			}
		}
	})
	return g.byKey[nodeKey{t, account, region, id}]
}

// Build makes the graph of snap. Relations are resolved through indexes, so building is linear in the size
// of the inventory. The graph points into snap: do not modify snap while the graph is in use.
func Build(snap *inventory.Snapshot) *Graph {
	s := Default
	g := &Graph{Schema: s, Snapshot: snap, byType: make([][]*Node, len(s.Types))}
	// Preallocate node storage per type in one block each: graphs of 100k VPCs build without GC churn.
	var nVPC, nFL, nSub, nENI, nIGW, nLG int
	for _, r := range snap.Regions {
		if r == nil {
			continue
		}
		nVPC += len(r.VPCs)
		nFL += len(r.FlowLogs)
		nSub += len(r.Subnets)
		nENI += len(r.NetworkInterfaces)
		nIGW += len(r.InternetGateways)
		nLG += len(r.LogGroups)
	}
	// Nodes and their relation-list headers come from one block per type.
	type pool struct {
		nodes []Node
		rels  [][]*Node
	}
	pools := make([]pool, len(s.Types))
	for t, n := range map[*Type]int{TVPC: nVPC, TFlowLog: nFL, TSubnet: nSub, TNetworkInterface: nENI,
		TInternetGateway: nIGW, TLogGroup: nLG} {
		pools[t.index] = pool{make([]Node, 0, n), make([][]*Node, n*len(t.Relations))}
		g.byType[t.index] = make([]*Node, 0, n)
	}
	newNode := func(t *Type, id, acct, region, part string, obj any, reg *inventory.Region) *Node {
		var n *Node
		var rels [][]*Node
		if p := &pools[t.index]; len(p.nodes) < cap(p.nodes) {
			p.nodes = append(p.nodes, Node{})
			n = &p.nodes[len(p.nodes)-1]
			rels, p.rels = p.rels[:len(t.Relations):len(t.Relations)], p.rels[len(t.Relations):]
		} else {
			n, rels = &Node{}, make([][]*Node, len(t.Relations))
		}
		*n = Node{Type: t, ID: id, Account: acct, RegionName: region, Partition: part, Obj: obj, Region: reg, rels: rels}
		g.byType[t.index] = append(g.byType[t.index], n)
		return n
	}
	link := func(a *Node, r *Relation, b *Node) { a.rels[r.index] = append(a.rels[r.index], b) }
	addTags := func(n *Node, r *Relation, tags map[string]string) {
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t := newNode(TTag, k+"="+tags[k], n.Account, n.RegionName, n.Partition, &tag{k, tags[k]}, n.Region)
			link(n, r, t)
		}
	}

	accounts := map[string]*Node{}
	accountOf := func(id, part string) *Node {
		if a := accounts[id]; a != nil {
			return a
		}
		a := newNode(TAccount, id, id, "", part, &account{ID: id, Partition: part}, nil)
		accounts[id] = a
		return a
	}
	type pending struct {
		fl  *Node
		reg *inventory.Region
	}
	var flowLogs []pending

	for _, reg := range snap.Regions {
		if reg == nil { // a hostile or broken snapshot; inventory.Validate refuses these
			continue
		}
		acct, rn, part := reg.AccountID, reg.Name, reg.Partition
		an := accountOf(acct, part)
		rnode := newNode(TRegion, acct+"/"+rn, acct, rn, part, reg, reg)
		link(an, rAccountRegion, rnode)
		link(rnode, rRegionAccount, an)
		for i := range reg.Errors {
			e := newNode(TReadError, acct+"/"+rn+"/"+string(reg.Errors[i].Collection), acct, rn, part, &reg.Errors[i], reg)
			link(rnode, rRegionReadErr, e)
			link(e, rReadErrRegion, rnode)
		}
		vpcs := make(map[string]*Node, len(reg.VPCs))
		for i := range reg.VPCs {
			v := &reg.VPCs[i]
			n := newNode(TVPC, v.ID, acct, rn, part, v, reg)
			vpcs[v.ID] = n
			n.markUnknowns(v.Unknowns)
			link(rnode, rRegionVPC, n)
			link(an, rAccountVPC, n)
			link(n, rVPCRegion, rnode)
			link(n, rVPCAccount, an)
			addTags(n, rVPCTag, v.Tags)
		}
		subnets := make(map[string]*Node, len(reg.Subnets))
		for i := range reg.Subnets {
			s := &reg.Subnets[i]
			n := newNode(TSubnet, s.ID, acct, rn, part, s, reg)
			subnets[s.ID] = n
			if v := vpcs[s.VPCID]; v != nil {
				link(v, rVPCSubnet, n)
				link(n, rSubnetVPC, v)
			}
			addTags(n, rSubnetTag, s.Tags)
		}
		enis := make(map[string]*Node, len(reg.NetworkInterfaces))
		for i := range reg.NetworkInterfaces {
			e := &reg.NetworkInterfaces[i]
			n := newNode(TNetworkInterface, e.ID, acct, rn, part, e, reg)
			enis[e.ID] = n
			if v := vpcs[e.VPCID]; v != nil {
				link(v, rVPCENI, n)
				link(n, rENIVPC, v)
			}
			if s := subnets[e.SubnetID]; s != nil {
				link(s, rSubnetENI, n)
				link(n, rENISubnet, s)
			}
		}
		networkBuild{newNode, link, addTags, vpcs, subnets, enis}.buildNetwork(reg, acct, rn, part)
		for i := range reg.InternetGateways {
			ig := &reg.InternetGateways[i]
			n := newNode(TInternetGateway, ig.ID, acct, rn, part, ig, reg)
			for _, id := range ig.AttachedVPCs {
				if v := vpcs[id]; v != nil {
					link(n, rIGWVPC, v)
					link(v, rVPCIGW, n)
				}
			}
			addTags(n, rIGWTag, ig.Tags)
		}
		logGroups := make(map[string]*Node, len(reg.LogGroups))
		for i := range reg.LogGroups {
			l := &reg.LogGroups[i]
			n := newNode(TLogGroup, l.Name, acct, rn, part, l, reg)
			n.markUnknowns(l.Unknowns)
			if _, dup := logGroups[l.Name]; !dup {
				logGroups[l.Name] = n
			}
			link(rnode, rRegionLogGroup, n)
			link(n, rLogGroupRegion, rnode)
		}
		tg := buildTGW(reg, rnode, vpcs, newNode, link, addTags)
		for i := range reg.FlowLogs {
			f := &reg.FlowLogs[i]
			n := newNode(TFlowLog, f.ID, acct, rn, part, f, reg)
			n.markUnknowns(f.Unknowns)
			link(rnode, rRegionFlowLog, n)
			link(n, rFlowLogRegion, rnode)
			addTags(n, rFlowLogTag, f.Tags)
			rt := inventory.ResourceTypeOf(f.ResourceID)
			if rt == "" {
				rt = f.ResourceType
			}
			switch rt {
			case inventory.ResourceTypeVPC:
				if v := vpcs[f.ResourceID]; v != nil {
					link(v, rVPCFlowLog, n)
					link(n, rFlowLogVPC, v)
				}
			case inventory.ResourceTypeSubnet:
				if s := subnets[f.ResourceID]; s != nil {
					link(s, rSubnetFlowLog, n)
					if v := s.rels[rSubnetVPC.index]; len(v) == 1 {
						link(v[0], rVPCOtherFlowLog, n)
						link(n, rFlowLogVPC, v[0])
					}
				}
			case inventory.ResourceTypeNetworkInterface:
				if e := enis[f.ResourceID]; e != nil {
					link(e, rENIFlowLog, n)
					if v := e.rels[rENIVPC.index]; len(v) == 1 {
						link(v[0], rVPCOtherFlowLog, n)
						link(n, rFlowLogVPC, v[0])
					}
				}
			default:
				tg.linkFlowLog(rt, f.ResourceID, n, link)
			}
			if name := logGroupName(f); name != "" {
				// CloudWatch Logs delivery is to a log group of the flow log's own account and region.
				if l := logGroups[name]; l != nil {
					link(n, rFlowLogLogGroup, l)
					link(l, rLogGroupFlowLog, n)
					continue
				}
			}
			if f.BucketName() != "" {
				flowLogs = append(flowLogs, pending{n, reg})
			}
		}
		regionUnknowns(rnode, an, reg)
	}
	// Buckets are global: resolved once every region is in.
	buckets := map[[2]string]*Node{}
	bucketsByName := map[string]*Node{}
	for i := range snap.Buckets {
		b := &snap.Buckets[i]
		n := newNode(TBucket, b.Name, b.AccountID, "", "", b, nil)
		buckets[[2]string{b.AccountID, b.Name}] = n
		if _, dup := bucketsByName[b.Name]; !dup {
			bucketsByName[b.Name] = n
		}
	}
	for _, p := range flowLogs {
		f := p.fl.Obj.(*inventory.FlowLog)
		if name := f.BucketName(); name != "" {
			b := buckets[[2]string{p.fl.Account, name}]
			if b == nil {
				b = bucketsByName[name]
			}
			if b != nil {
				link(p.fl, rFlowLogBucket, b)
				link(b, rBucketFlowLog, p.fl)
			}
		}
	}
	return g
}

// regionUnknowns spreads what is not known about a region onto the relations it leaves incomplete: a flow log
// whose resource is not known could be any VPC's; VPCs not known are missing from the region's and account's
// lists.
func regionUnknowns(rnode, an *Node, reg *inventory.Region) {
	for i := range reg.Unknowns {
		u := &reg.Unknowns[i]
		switch u.Field {
		case inventory.RegionFlowLogs:
			rnode.markRel(rRegionFlowLog, u)
			for _, v := range rnode.rels[rRegionVPC.index] {
				v.markRel(rVPCFlowLog, u)
				v.markRel(rVPCOtherFlowLog, u)
			}
		case inventory.RegionVPCs:
			rnode.markRel(rRegionVPC, u)
			an.markRel(rAccountVPC, u)
		default:
			rnode.markUnknown(u)
		}
	}
}
