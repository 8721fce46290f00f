package analyze

import (
	"hash/maphash"
	"math/bits"
	"net/netip"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// Counter64 exposes the flat counter to tests.
type Counter64 = counter64

var NewCounter64 = newCounter64

func (c *counter64) Get(k uint64) (v int64) {
	c.each(func(kk uint64, vv int64) {
		if kk == k {
			v = vv
		}
	})
	return v
}

func (c *counter64) Len() int { return c.n }

// IfaceTableCheck inserts ids into an interface table holding at most max entries and returns, per id, the
// name of the entry found for it ("" when the table was full), looking each id up twice.
func IfaceTableCheck(ids []string, max int) ([]string, int) {
	t := newIfaceTable(maphash.MakeSeed())
	out := make([]string, len(ids))
	for pass := 0; pass < 3; pass++ { // the first pass fills the table (and sets its level); the next two must agree
		for i, id := range ids {
			k, ok := ifaceKeyOf([]byte(id))
			if c := t.count([]byte(id), k, ok, max, flowlog.OK); c != nil {
				name := t.nameOf(c)
				if pass == 2 && out[i] != name {
					return nil, 0
				}
				out[i] = name
			} else if pass == 2 && out[i] != "" {
				return nil, 0
			} else {
				out[i] = ""
			}
		}
	}
	return out, t.level
}

// nameOf is the id whose counters are c ("": none of the table's).
func (t *ifaceTable) nameOf(c *ifaceCount) string {
	for i := range t.slots {
		if &t.slots[i].c == c {
			return t.slots[i].k.name()
		}
	}
	for _, is := range t.long {
		if &is.ifaceCount == c {
			return is.name
		}
	}
	return ""
}

// IfaceSampled reports whether id is in the interface table's sample at level l.
func IfaceSampled(id string, l int) bool { return sampled(sampleHash(id), l) }

// LongestRun is the longest run of occupied slots: what an Add for an absent key may have to probe.
func (c *counter64) LongestRun() int {
	best, run := 0, 0
	for i := range 2 * len(c.slots) { // twice round, for a run that wraps
		if c.slots[i&int(c.mask)].v != 0 {
			run++
			best = max(best, min(run, len(c.slots)))
		} else {
			run = 0
		}
	}
	return best
}

// EnrichOnly runs the enrichment of recs alone (no aggregation), for BenchmarkEnrichAdd.
var EnrichOnly = enrichOnly

// Sampled reports whether the detectors keep source src when they cover 1 source in sample.
func Sampled(src string, sample int64) bool {
	if sample <= 1 {
		return true
	}
	return levelOf(keyOf(netip.MustParseAddr(src))) >= bits.TrailingZeros64(uint64(sample))
}
