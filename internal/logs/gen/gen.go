// Package gen writes realistic synthetic VPC flow logs, seeded and reproducible: request/response traffic
// between interfaces and AWS services, rejected internet noise, NODATA rows, SKIPDATA on one interface, and
// planted vertical scans, horizontal scans and brute-force attempts whose exact counts it reports, in any
// format version and in the S3 delivery layout.
package gen

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Config describes what to generate.
type Config struct {
	Seed       uint64
	Records    int           // records of normal traffic (planted records come on top)
	Start      time.Time     // first record (default 2026-01-01T00:00Z)
	Duration   time.Duration // spread of the records (default 24h)
	Format     *flowlog.Format
	Account    string // default 123456789012
	Region     string // default us-east-1
	VPC        string
	Interfaces int // default 50
	// ENIs, when set, are the interfaces the records are about (real ids and addresses, e.g. from an
	// inventory), instead of Interfaces made-up ones.
	ENIs []ENI

	VerticalScans   int // planted sources scanning many ports of one host
	HorizontalScans int // planted sources scanning one port on many hosts
	BruteForces     int // planted sources hammering SSH/RDP
	SkipData        int // SKIPDATA rows planted on one interface
}

// ENI is one interface for Config.ENIs: its id and private address; subnet and instance ids are optional.
type ENI struct {
	ID       string
	Addr     netip.Addr
	Subnet   string
	Instance string
}

// Planted is one attack the generator put in, with the numbers a detector should report.
type Planted struct {
	Kind        string    `json:"kind"` // vertical_scan, horizontal_scan, brute_force
	Source      string    `json:"source"`
	Destination string    `json:"destination,omitempty"`
	Port        int32     `json:"port,omitempty"`
	Protocol    int32     `json:"protocol"`
	Distinct    int       `json:"distinct"` // ports (vertical) or hosts (horizontal, brute force)
	Records     int64     `json:"records"`
	WindowStart time.Time `json:"window_start"`
}

// Summary says what was generated.
type Summary struct {
	Records      int64     `json:"records"`
	Planted      []Planted `json:"planted"`
	SkipDataENI  string    `json:"skipdata_interface,omitempty"`
	SkipDataRows int       `json:"skipdata_rows"`
}

func (c *Config) fill() {
	if c.Start.IsZero() {
		c.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.Duration <= 0 {
		c.Duration = 24 * time.Hour
	}
	if c.Format == nil {
		c.Format = flowlog.DefaultFormat
	}
	if c.Account == "" {
		c.Account = "123456789012"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.VPC == "" {
		c.VPC = "vpc-0a1b2c3d4e5f60718"
	}
	if len(c.ENIs) > 0 {
		c.Interfaces = len(c.ENIs)
	}
	if c.Interfaces <= 0 {
		c.Interfaces = 50
	}
}

// rec is one record before formatting.
type rec struct {
	iface            int
	src, dst         netip.Addr
	srcPort, dstPort int32
	proto            int32
	packets, bytes   int64
	start, end       int64
	reject           bool
	status           flowlog.Status
	egress           bool
	tcpFlags         int32
	service          string
}

// Generator produces records in time order.
type Generator struct {
	cfg      Config
	rng      *rand.Rand
	ifaceIPs []netip.Addr
	eni      []string
	subnets  []string
	inst     []string
	services []netip.Addr
	planted  []rec
	Summary  Summary
	noise    uint32
	line     []byte
	// Traffic is skewed like real networks: a few interfaces (NAT gateways, load balancers, databases) and
	// services carry most flows.
	zipf    *rand.Zipf
	svcZipf *rand.Zipf
	perm    []int

	progress      func(Progress)
	progressEvery time.Duration
	lastProgress  time.Time
	bytes         int64
}

// Progress is how far a generator is: records and bytes (of text, before compression) written so far, and
// the records it will write in all.
type Progress struct {
	Records, Total, Bytes int64
}

// Option configures a Generator.
type Option func(*Generator)

// WithProgress calls fn with the progress at most every interval while records are written, and once at the
// end (Records == Total). fn runs on the writing goroutine: it should be quick (e.g. redraw a status line).
func WithProgress(every time.Duration, fn func(Progress)) Option {
	return func(g *Generator) { g.progress, g.progressEvery = fn, every }
}

// Total is the number of records the generator writes: the normal traffic and the planted records.
func (g *Generator) Total() int64 { return int64(g.cfg.Records) + int64(len(g.planted)) }

func (g *Generator) reportProgress(final bool) {
	if g.progress == nil {
		return
	}
	if !final {
		now := time.Now()
		if now.Sub(g.lastProgress) < g.progressEvery {
			return
		}
		g.lastProgress = now
	}
	g.progress(Progress{Records: g.Summary.Records, Total: g.Total(), Bytes: g.bytes})
}

// ifaceZipf draws an interface index, popular ones more often; the permutation spreads the popular ones.
func (g *Generator) ifaceZipf() int { return g.perm[g.zipf.Uint64()] }

// New prepares a generator; the planted attacks are decided here.
func New(cfg Config, opts ...Option) *Generator {
	cfg.fill()
	g := &Generator{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)), Summary: Summary{Planted: []Planted{}}}
	for _, o := range opts {
		o(g)
	}
	g.lastProgress = time.Now()
	for _, e := range cfg.ENIs {
		g.ifaceIPs, g.eni = append(g.ifaceIPs, e.Addr), append(g.eni, e.ID)
		g.subnets, g.inst = append(g.subnets, cmp.Or(e.Subnet, "-")), append(g.inst, cmp.Or(e.Instance, "-"))
	}
	for i := len(cfg.ENIs); i < cfg.Interfaces; i++ {
		g.ifaceIPs = append(g.ifaceIPs, netip.AddrFrom4([4]byte{10, 0, byte(i / 250), byte(i%250 + 4)}))
		g.eni = append(g.eni, fmt.Sprintf("eni-%017x", uint64(0x0a000000000)+uint64(i)*7919))
		g.subnets = append(g.subnets, fmt.Sprintf("subnet-%017x", uint64(0x5b0000)+uint64(i/250)))
		g.inst = append(g.inst, fmt.Sprintf("i-%017x", uint64(0x1c0000000)+uint64(i)*104729))
	}
	for i := 0; i < 40; i++ {
		g.services = append(g.services, netip.AddrFrom4([4]byte{52, 94, byte(i), byte(10 + i)}))
	}
	g.zipf = rand.NewZipf(g.rng, 1.1, 2, uint64(cfg.Interfaces-1))
	g.svcZipf = rand.NewZipf(g.rng, 1.1, 2, uint64(len(g.services)-1))
	g.perm = g.rng.Perm(cfg.Interfaces)
	// Internet noise comes from fresh addresses; start each seed's sequence elsewhere so that files made with
	// different seeds do not share their scanners.
	g.noise = uint32(cfg.Seed * 0x9e3779b1)
	g.plant()
	return g
}

func (g *Generator) hourSlots() []int64 {
	first := (g.cfg.Start.Unix() + 3599) / 3600 * 3600
	last := g.cfg.Start.Add(g.cfg.Duration).Unix()
	var out []int64
	for h := first; h+3600 <= last; h += 3600 {
		out = append(out, h)
	}
	if len(out) == 0 { // shorter than an hour: use the window containing the start
		out = append(out, g.cfg.Start.Unix()/3600*3600)
	}
	return out
}

// plant decides the attacks: each inside one aligned hour so a 1h tumbling window sees all of it.
func (g *Generator) plant() {
	slots := g.hourSlots()
	slot := func(i int) int64 { return slots[i%len(slots)] }
	n := 0
	for i := 0; i < g.cfg.VerticalScans; i++ {
		src := netip.AddrFrom4([4]byte{203, 0, 113, byte(10 + i)})
		dst := g.ifaceIPs[(i*7+3)%len(g.ifaceIPs)]
		ports := 40 + 20*i%200
		h := slot(n)
		n++
		for p := 0; p < ports; p++ {
			t := h + 60 + int64(p)*3
			g.planted = append(g.planted, rec{iface: (i*7 + 3) % len(g.ifaceIPs), src: src, dst: dst, srcPort: 40000 + int32(p), dstPort: 1000 + int32(p)*7,
				proto: 6, packets: 1, bytes: 44, start: t, end: t + 30, reject: true, status: flowlog.OK, tcpFlags: 2})
		}
		g.Summary.Planted = append(g.Summary.Planted, Planted{Kind: "vertical_scan", Source: src.String(), Destination: dst.String(),
			Protocol: 6, Distinct: ports, Records: int64(ports), WindowStart: time.Unix(h, 0).UTC()})
	}
	for i := 0; i < g.cfg.HorizontalScans; i++ {
		src := netip.AddrFrom4([4]byte{198, 51, 100, byte(10 + i)})
		port := []int32{23, 445, 3306, 6379}[i%4]
		hosts := min(len(g.ifaceIPs), 15+5*i)
		h := slot(n)
		n++
		for k := 0; k < hosts; k++ {
			t := h + 120 + int64(k)*5
			g.planted = append(g.planted, rec{iface: k, src: src, dst: g.ifaceIPs[k], srcPort: 50000 + int32(k), dstPort: port,
				proto: 6, packets: 1, bytes: 40, start: t, end: t + 20, reject: true, status: flowlog.OK, tcpFlags: 2})
		}
		g.Summary.Planted = append(g.Summary.Planted, Planted{Kind: "horizontal_scan", Source: src.String(), Port: port, Protocol: 6,
			Distinct: hosts, Records: int64(hosts), WindowStart: time.Unix(h, 0).UTC()})
	}
	for i := 0; i < g.cfg.BruteForces; i++ {
		src := netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i)})
		port := []int32{22, 3389}[i%2]
		k := (i*11 + 5) % len(g.ifaceIPs)
		tries := 25 + 5*i
		h := slot(n)
		n++
		for j := 0; j < tries; j++ {
			t := h + 300 + int64(j)*60
			g.planted = append(g.planted, rec{iface: k, src: src, dst: g.ifaceIPs[k], srcPort: 30000 + int32(j), dstPort: port,
				proto: 6, packets: 3, bytes: 180, start: t, end: t + 50, reject: true, status: flowlog.OK, tcpFlags: 2})
		}
		g.Summary.Planted = append(g.Summary.Planted, Planted{Kind: "brute_force", Source: src.String(), Destination: g.ifaceIPs[k].String(),
			Port: port, Protocol: 6, Distinct: 1, Records: int64(tries), WindowStart: time.Unix(h, 0).UTC()})
	}
	if g.cfg.SkipData > 0 {
		k := 2 % len(g.ifaceIPs)
		g.Summary.SkipDataENI, g.Summary.SkipDataRows = g.eni[k], g.cfg.SkipData
		span := g.cfg.Duration.Nanoseconds() / int64(time.Second)
		for j := 0; j < g.cfg.SkipData; j++ {
			t := g.cfg.Start.Unix() + int64(j)*span/int64(g.cfg.SkipData)
			g.planted = append(g.planted, rec{iface: k, start: t, end: t + 60, status: flowlog.SkipData, srcPort: -1, dstPort: -1, proto: -1, packets: -1, bytes: -1, tcpFlags: -1})
		}
	}
	slices.SortStableFunc(g.planted, func(a, b rec) int { return int(a.start - b.start) })
}

var ports = []int32{443, 443, 443, 80, 5432, 6379, 8080, 443, 53}

// Each emits every record in time order to fn as a formatted line (without newline); the slice is reused.
func (g *Generator) Each(fn func(start int64, line []byte) error) error {
	c := g.cfg
	t0 := c.Start.Unix()
	span := max(c.Duration.Nanoseconds()/int64(time.Second), 1)
	pi := 0
	emit := func(r *rec) error {
		for pi < len(g.planted) && g.planted[pi].start <= r.start {
			if err := g.write(&g.planted[pi], fn); err != nil {
				return err
			}
			pi++
		}
		return g.write(r, fn)
	}
	var r rec
	for i := 0; i < c.Records; {
		t := t0 + int64(i)*span/int64(max(c.Records, 1))
		k := g.ifaceZipf()
		me := g.ifaceIPs[k]
		x := g.rng.IntN(100)
		switch {
		case x < 84 && i+1 < c.Records: // a request and its response, both accepted
			var peer netip.Addr
			svc := ""
			if g.rng.IntN(3) == 0 {
				peer = g.services[int(g.svcZipf.Uint64())]
				svc = "S3"
			} else {
				peer = g.ifaceIPs[(k+1+g.ifaceZipf())%len(g.ifaceIPs)]
				if peer == me { // a single interface talks to a service instead
					peer = g.services[0]
				}
			}
			port := ports[g.rng.IntN(len(ports))]
			proto := int32(6)
			if port == 53 {
				proto = 17
			}
			eph := int32(32768 + g.rng.IntN(28232))
			pk := int64(1 + g.rng.IntN(40))
			by := pk * int64(60+g.rng.IntN(1400))
			r = rec{iface: k, src: me, dst: peer, srcPort: eph, dstPort: port, proto: proto, packets: pk, bytes: by,
				start: t, end: t + 1 + int64(g.rng.IntN(59)), status: flowlog.OK, egress: true, tcpFlags: 3, service: svc}
			if err := emit(&r); err != nil {
				return err
			}
			pk2 := int64(1 + g.rng.IntN(60))
			r = rec{iface: k, src: peer, dst: me, srcPort: port, dstPort: eph, proto: proto, packets: pk2, bytes: pk2 * int64(60+g.rng.IntN(1400)),
				start: t, end: r.end, status: flowlog.OK, tcpFlags: 19, service: svc}
			i += 2
		case x < 95: // internet noise: a fresh source, one rejected probe
			g.noise++
			h := g.noise * 2654435761
			src := netip.AddrFrom4([4]byte{45, byte(h >> 16), byte(h >> 8), byte(h)})
			port := []int32{23, 445, 1433, 3306, 8080, 22, 3389, 5900, 25, 21}[g.rng.IntN(10)]
			r = rec{iface: k, src: src, dst: me, srcPort: int32(1024 + g.rng.IntN(60000)), dstPort: port, proto: 6, packets: 1, bytes: 40,
				start: t, end: t + 1, reject: true, status: flowlog.OK, tcpFlags: 2}
			i++
		case x < 98: // an internal client blocked by a security group, always the same neighbour
			peer := g.ifaceIPs[(k+1)%len(g.ifaceIPs)]
			r = rec{iface: k, src: me, dst: peer, srcPort: int32(32768 + g.rng.IntN(28232)), dstPort: 5432, proto: 6, packets: 2, bytes: 120,
				start: t, end: t + 2, reject: true, status: flowlog.OK, egress: true, tcpFlags: 2}
			i++
		default: // an idle interface
			r = rec{iface: k, start: t, end: t + 60, status: flowlog.NoData, srcPort: -1, dstPort: -1, proto: -1, packets: -1, bytes: -1, tcpFlags: -1}
			i++
		}
		if err := emit(&r); err != nil {
			return err
		}
	}
	for ; pi < len(g.planted); pi++ {
		if err := g.write(&g.planted[pi], fn); err != nil {
			return err
		}
	}
	g.reportProgress(true)
	return nil
}

func (g *Generator) write(r *rec, fn func(int64, []byte) error) error {
	g.Summary.Records++
	b := g.line[:0]
	c := &g.cfg
	data := r.status == flowlog.OK
	addr := func(a netip.Addr) {
		if !data {
			b = append(b, '-')
			return
		}
		b = a.AppendTo(b)
	}
	num := func(v int64) {
		if v < 0 || !data && v != r.start && v != r.end {
			b = append(b, '-')
			return
		}
		b = strconv.AppendInt(b, v, 10)
	}
	for i, f := range c.Format.Fields {
		if i > 0 {
			b = append(b, ' ')
		}
		switch f {
		case flowlog.Version:
			b = strconv.AppendInt(b, int64(c.Format.Version()), 10)
		case flowlog.AccountID:
			b = append(b, c.Account...)
		case flowlog.InterfaceID:
			b = append(b, g.eni[r.iface]...)
		case flowlog.SrcAddr, flowlog.PktSrcAddr:
			addr(r.src)
		case flowlog.DstAddr, flowlog.PktDstAddr:
			addr(r.dst)
		case flowlog.SrcPort:
			num(int64(r.srcPort))
		case flowlog.DstPort:
			num(int64(r.dstPort))
		case flowlog.Protocol:
			num(int64(r.proto))
		case flowlog.Packets:
			num(r.packets)
		case flowlog.Bytes:
			num(r.bytes)
		case flowlog.Start:
			b = strconv.AppendInt(b, r.start, 10)
		case flowlog.End:
			b = strconv.AppendInt(b, r.end, 10)
		case flowlog.Action:
			switch {
			case !data:
				b = append(b, '-')
			case r.reject:
				b = append(b, "REJECT"...)
			default:
				b = append(b, "ACCEPT"...)
			}
		case flowlog.LogStatus:
			b = append(b, r.status.String()...)
		case flowlog.VPCID:
			b = append(b, c.VPC...)
		case flowlog.SubnetID:
			b = append(b, g.subnets[r.iface]...)
		case flowlog.InstanceID:
			b = append(b, g.inst[r.iface]...)
		case flowlog.TCPFlags:
			if data && r.proto == 6 {
				b = strconv.AppendInt(b, int64(r.tcpFlags), 10)
			} else {
				b = append(b, '-')
			}
		case flowlog.Type:
			if data {
				b = append(b, "IPv4"...)
			} else {
				b = append(b, '-')
			}
		case flowlog.Region:
			b = append(b, c.Region...)
		case flowlog.AZID:
			b = append(b, "use1-az"...)
			b = strconv.AppendInt(b, int64(r.iface%3+1), 10)
		case flowlog.PktSrcAWSService:
			if data && !r.egress && r.service != "" {
				b = append(b, r.service...)
			} else {
				b = append(b, '-')
			}
		case flowlog.PktDstAWSService:
			if data && r.egress && r.service != "" {
				b = append(b, r.service...)
			} else {
				b = append(b, '-')
			}
		case flowlog.FlowDirection:
			switch {
			case !data:
				b = append(b, '-')
			case r.egress:
				b = append(b, "egress"...)
			default:
				b = append(b, "ingress"...)
			}
		case flowlog.TrafficPath:
			switch {
			case !data || !r.egress:
				b = append(b, '-')
			case r.service != "":
				b = append(b, '7')
			default:
				b = append(b, '1')
			}
		default: // sublocation, ECS, reject-reason and unknown newer fields
			b = append(b, '-')
		}
	}
	g.line = b
	g.bytes += int64(len(b)) + 1
	if g.progress != nil && g.Summary.Records&1023 == 0 {
		g.reportProgress(false)
	}
	return fn(r.start, b)
}

func unixUTC(s int64) time.Time { return time.Unix(s, 0).UTC() }
