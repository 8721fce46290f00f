package analyze

import (
	"math/rand/v2"
	"unsafe"
)

// srcTable is the one-off filter's sources (detector.srcs): an extendible hash table (the Go map's own
// structure) of fixed segments of segLen slots, each a flat open-addressing table (linear probing, load ≤
// 3/4) of sources and their states side by side, 56 bytes a slot. A source's segment is chosen by the top
// bits of its hash, through a directory; a segment over 3/4 full splits in two by the next bit, the
// directory doubling when the segment was the only one of its prefix. Nearly every record the detectors see
// is a new one-off source, so this is what they spend their time on: one probe finds a source or the empty
// slot it goes in (a Go map took a lookup and then an assignment), and a batch's slots are prefetched ahead
// (fetch). Growing a segment at a time, into one new segment, leaves no garbage: a flat table doubled in one
// piece took megabytes of fresh memory each time, a page fault every 4 KB. The hash is seeded, so crafted
// addresses cannot pile up in one run of slots; the layout decides nothing in the report (detections are
// sorted, and state is counted per source).
type srcTable struct {
	dir   []*srcSeg // 2^depth entries; a segment of depth d is held by the 2^(depth-d) entries of its prefix
	depth uint
	seed  uint64
	spare *[segLen]srcSlot // a split's copy of the segment it splits
}

// segBits is log2 of segLen, the slots in a segment (56 KB of them).
const (
	segBits = 10
	segLen  = 1 << segBits
)

type srcSeg struct {
	slots [segLen]srcSlot // st.used marks an occupied slot
	n     int
	depth uint // the top depth bits of its sources' hashes are its prefix
}

type srcSlot struct {
	src akey
	st  srcState
}

// A slot is at most 56 bytes (srcState's flags, used included, fit in its padding): compiled only so.
var _ = [1]struct{}{}[unsafe.Sizeof(srcSlot{})/57]

func newSrcTable() srcTable {
	return srcTable{dir: []*srcSeg{{}}, seed: rand.Uint64()}
}

// hash is src's seeded hash (akey.hash, TopK's): the seed goes through a mix before the second word, so that
// which addresses share a home slot cannot be worked out without it.
func (t *srcTable) hash(src akey) uint64 { return src.hash(t.seed) }

// seg returns the segment of hash h, and h's home slot in it: the segBits bits after its prefix.
func (t *srcTable) seg(h uint64) (*srcSeg, uint64) {
	g := t.dir[h>>1>>(63-t.depth)] // (two shifts: depth 0 takes no bits)
	return g, h << g.depth >> (64 - segBits)
}

// find returns src's slot: occupied if src is held, else the empty slot it goes in (then fill it and call
// added, before the next find). h is t.hash(src).
func (t *srcTable) find(src akey, h uint64) *srcSlot {
	g, i := t.seg(h)
	for ; ; i = (i + 1) & (segLen - 1) {
		s := &g.slots[i]
		if !s.st.used || s.src == src {
			return s
		}
	}
}

// added counts a slot of hash h filled after find, and splits its segment when it is over 3/4 full.
func (t *srcTable) added(h uint64) {
	g, _ := t.seg(h)
	if g.n++; g.n > segLen/4*3 {
		t.split(g, h)
	}
}

// split splits segment g, of hash h, in two by the bit after its prefix.
func (t *srcTable) split(g *srcSeg, h uint64) {
	if g.depth == t.depth {
		if t.depth == 64-segBits {
			return // (not with a seeded hash: 2^54 segments) the segment fills past 3/4
		}
		dir := make([]*srcSeg, 2*len(t.dir))
		for i, s := range t.dir {
			dir[2*i], dir[2*i+1] = s, s
		}
		t.dir, t.depth = dir, t.depth+1
	}
	// g's prefix is held by the entries first..first+span-1: g keeps the first half, a new segment takes the
	// second. g's sources are copied aside and put back into both: one segment allocated a split, and no
	// garbage (two new ones, g left to the collector, made twice the memory to fault in).
	span := 1 << (t.depth - g.depth)
	first := int(h>>1>>(63-t.depth)) &^ (span - 1)
	g.depth++
	hi := &srcSeg{depth: g.depth}
	// Its pages come untouched from the kernel and put reads each slot before it writes one: populated in one
	// call, they take no zero-page fault followed by a copy-on-write one (see counter64.warm).
	populate(unsafe.Pointer(hi), unsafe.Sizeof(*hi))
	for i := span / 2; i < span; i++ {
		t.dir[first+i] = hi
	}
	if t.spare == nil {
		t.spare = new([segLen]srcSlot)
	}
	*t.spare = g.slots
	clear(g.slots[:])
	g.n = 0
	t.put(t.spare[:])
}

// put adds the occupied slots of ss, sources not in the table, to their segments, which have room for them
// (a split's halves, or the cleared segment of a purge).
func (t *srcTable) put(ss []srcSlot) {
	for i := range ss {
		if s := &ss[i]; s.st.used {
			h := t.hash(s.src)
			*t.find(s.src, h) = *s
			g, _ := t.seg(h)
			g.n++
		}
	}
}

// keep drops every source for which keep is false. A segment's kept sources are gathered aside and put back
// into it, cleared: the probe runs of the dropped ones must not be left holes.
func (t *srcTable) keep(keep func(akey) bool) {
	var kept []srcSlot
	for i := 0; i < len(t.dir); i += 1 << (t.depth - t.dir[i].depth) {
		g := t.dir[i]
		kept = kept[:0]
		for _, s := range g.slots {
			if s.st.used && keep(s.src) {
				kept = append(kept, s)
			}
		}
		clear(g.slots[:])
		g.n = 0
		t.put(kept)
	}
}

// fetch prefetches the home slot of the source of hash h (and the 3 cache lines after it, where its probe
// usually ends).
func (t *srcTable) fetch(h uint64) {
	g, i := t.seg(h)
	prefetchBlock(unsafe.Pointer(&g.slots[i]))
}
