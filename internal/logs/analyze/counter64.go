package analyze

import (
	"math"
	"math/bits"
	"os"
	"unsafe"
)

// counter64 is TopK specialised for uint64 keys: a flat open-addressing table (linear probing, load ≤ 1/2) of
// key/count pairs side by side, so the per-record update of the top-talkers table is one hash and usually
// one cache line, with no GC-visible pointers. Same guarantee as TopK: exact below capacity, otherwise low by
// at most ErrBound.
type counter64 struct {
	slots    []slot64 // v == 0 marks an empty slot (weights added are > 0)
	n        int
	cap      int
	due      int // the count at which an insert acts (grew): warm, then prune (cap+1); n < due between adds
	mask     uint64
	ErrBound int64
	scratch  []slot64 // prune scratch: the live entries (capacity+2)
}

type slot64 struct {
	k uint64
	v int64
}

func newCounter64(capacity int) *counter64 {
	capacity = max(capacity, 16)
	size := 1
	for size < 2*capacity {
		size <<= 1
	}
	c := &counter64{slots: make([]slot64, size), cap: capacity, due: capacity + 1, mask: uint64(size - 1)}
	if pages := size * int(unsafe.Sizeof(slot64{})) / os.Getpagesize(); pages >= warmPages {
		c.due = pages / 4
	}
	return c
}

// A table's memory comes from the kernel untouched, and Add reads a slot before it writes one: the first read
// of a page maps the shared zero page, and the first write then replaces it (a second fault, and a TLB flush
// that interrupts every other core running the process). Once a table has as many keys as a quarter of its
// pages, a sign that it will fill, warm populates all its pages in one system call (populate): at most that
// quarter were touched before, and none faults after. A table that never gets that many keys (a small
// input, a quiet list) keeps only the pages it touched; one that does takes the memory its capacity bounds
// anyway. Tables smaller than warmPages are left to fault.
const warmPages = 16

func (c *counter64) warm() {
	populate(unsafe.Pointer(unsafe.SliceData(c.slots)), uintptr(len(c.slots))*unsafe.Sizeof(slot64{}))
	c.due = c.cap + 1
}

// Add adds w (> 0) to k's count.
func (c *counter64) Add(k uint64, w int64) {
	if w <= 0 {
		return
	}
	c.apply([]lagEntry{{k, w, mix(k) & c.mask}})
}

// apply adds the adds es (weights > 0, home slots given), in order: one add, or a lagged batch (lagged.go).
func (c *counter64) apply(es []lagEntry) {
	slots, mask, n, due := c.slots, c.mask, c.n, c.due // (n and due in registers, not stored back per add)
	for _, e := range es {
		i := e.i
		for {
			s := &slots[i]
			// The probe ends at k's slot or at an empty one, in one branch: which of the two it is (a new key or
			// not) is a coin toss for the branch predictor on tables of one-off keys, and both take the same
			// stores (an empty slot's count is 0, so adding w makes it the new key's).
			if empty := b2u(s.v == 0); empty|b2u(s.k == e.k) != 0 {
				s.k = e.k
				s.v += e.w
				if n += int(empty); n >= due { // (by an insert only: n < due before it)
					c.n = n
					c.grew() // pruning rewrites the slots in place: slots and es stay valid
					n, due = c.n, c.due
				}
				break
			}
			i = (i + 1) & mask
		}
	}
	c.n = n
}

// b2u is 1 for true, 0 for false (without a branch).
func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// grew warms the table at its due count, and prunes it once it is over capacity.
func (c *counter64) grew() {
	if c.n <= c.cap {
		c.warm()
		return
	}
	c.prune(c.cap / 2)
}

func (c *counter64) prune(keep int) {
	// The live entries are gathered into a scratch slice kept between prunes (allocated at the first one, so
	// a table that stays exact never pays for it; pruning allocates nothing, so a long read does not feed the
	// GC), partially sorted so that the keep heaviest come first, and only those are put back.
	const block = 16
	if c.scratch == nil {
		// The cap+1 live entries, and room for the gather's stores past the last of them (a block's worth).
		c.scratch = make([]slot64, c.cap+1+block)
	}
	live := c.scratch
	slots, mask := c.slots, c.mask
	// The slots are visited in blocks of 16 taken in a golden-ratio stride, not in order. Entries tied at the
	// cut are kept in gather order (the first of them: see selectSlots), and slot order is hash order: kept
	// in slot order, the ties (all the entries when one-off keys of count 1 fill the table) came from one end
	// of it, and reinserted they formed one long cluster that every later Add for a new key probed through,
	// thousands of slots each time. Strided, any run of the gather order is spread over the whole table;
	// blocks keep the walk cache-friendly.
	nb := uint64(len(slots) / block)  // a power of two: the table has at least 32 slots
	stride := (nb*0x9E3779B9)>>32 | 1 // odd, so the walk visits every block once
	j, b := 0, uint64(0)
	for range nb {
		// The walk jumps, which the hardware prefetcher does not follow: fetch the block after next meanwhile
		// (its 4 cache lines; 256 bytes a block).
		prefetchBlock(unsafe.Pointer(&slots[((b+2*stride)&(nb-1))*block]))
		// A block and the block's room in live as arrays: one bounds check each per block, none per slot (j
		// counts live entries, at most cap+1, so j+block is within live).
		j += gatherBlock((*[block]slot64)(live[j:]), (*[block]slot64)(slots[b*block:]))
		b = (b + stride) & (nb - 1)
	}
	live = live[:j]
	cut := selectSlots(live, keep) // live[:keep] are the keep heaviest, none lighter than cut
	c.ErrBound += cut              // (the gather emptied the table)
	c.n = keep
	kept := live[:keep]
	// The kept entries land all over the table: their home slots are found and prefetched lagLen at a time,
	// and each batch is put in while the next one's lines arrive (as lagged does for Add: one call to the
	// assembly per batch, not one per entry, which spilled the loop's registers).
	var q [2][lagLen]lagEntry // the batch being fetched, and the one before it
	n := 0                    // entries in the last batch filled
	for b := 0; b*lagLen < len(kept); b++ {
		cur := &q[b&1]
		for j, s := range kept[b*lagLen : min(b*lagLen+lagLen, len(kept))] {
			cur[j] = lagEntry{s.k, s.v, mix(s.k) & mask}
			n = j + 1
		}
		c.fetch(cur)
		if b > 0 {
			c.place(q[b&1^1][:])
		}
	}
	c.place(q[(len(kept)-1)/lagLen&1][:n])
}

// place puts entries known to be absent from the table in empty slots from their home slots on.
func (c *counter64) place(es []lagEntry) {
	slots, mask := c.slots, c.mask
	for _, e := range es {
		i := e.i
		for slots[i].v != 0 {
			i = (i + 1) & mask
		}
		slots[i] = slot64{e.k, e.w}
	}
}

// gatherBlock moves src's live entries to the start of dst, in order, empties src and returns how many. A
// function of its own, so that its loop has the registers to itself (inside prune's, the count went to the
// stack and back for every slot). Emptying the block here, while its lines are in cache, spares a second
// pass over the whole table (larger than the L2 cache) to clear it.
//
//go:noinline
func gatherBlock(dst, src *[16]slot64) int {
	n := 0
	// Four slots a turn: the loop's own count and test cost as much as a slot's move.
	for i := 0; i < 16; i += 4 {
		n = gatherSlot(dst, n, src[i])
		n = gatherSlot(dst, n, src[i+1])
		n = gatherSlot(dst, n, src[i+2])
		n = gatherSlot(dst, n, src[i+3])
	}
	*src = [16]slot64{}
	return n
}

// gatherSlot stores s at dst[n] and returns n+1 if s is live, else n. Branch-free: half the slots are empty,
// in no pattern a branch predictor could learn.
func gatherSlot(dst *[16]slot64, n int, s slot64) int {
	dst[n&15] = s                        // n ≤ the slot's index in the block: the mask changes nothing
	return n + int(uint64(s.v|-s.v)>>63) // 1 if s.v != 0
}

// selectSlots moves the k heaviest entries of a (0 ≤ k < len(a)) to a[:k] and returns the cut: the count
// a[k] would have if a were sorted by count in descending order. a[:k] holds, in a's order, the entries
// heavier than the cut and the first of those tied at it; what is left in a[k:] is unspecified (entries may
// be duplicated or lost).
//
// A counting select, not a comparison one (a quickselect's compares with the pivot are coin tosses for the
// branch predictor): histograms of the counts give the cut, and a last pass moves the kept entries, each
// pass without a branch per entry. The first histogram's buckets are log-linear (bucketOf), so that one-off
// keys of count 1 and byte counts spread over many octaves both find the cut's bucket narrow: exact for
// small counts; for counts below 2^(subBits+logHist), one more pass over histLen equal parts of it finds
// the cut; wider buckets take more, down to one count (at most 6 more). Each pass is O(len(a)): pruning
// still costs O(1) amortised per Add.
func selectSlots(a []slot64, k int) int64 {
	var h [histLen]uint32 // (len(a) < 2^32: a table that large would take 128 GB)
	for _, s := range a {
		h[bucketOf(s.v)]++
	}
	b, r := heaviestBucket(&h, k)
	lo, width := bucketRange(b)
	for width > 1 {
		// The range in histLen equal parts (each a power of two counts, the last maybe shorter), counting only
		// the entries in it: the others add 0 (to a bucket of their own difference's).
		shift := max(bits.Len64(width-1)-logHist, 0)
		clear(h[:])
		for _, s := range a {
			d := uint64(s.v - lo) // wraps: < width exactly for the counts in the range
			h[d>>shift&(histLen-1)] += uint32(b2u(d < width))
		}
		b, r = heaviestBucket(&h, r)
		lo += int64(b) << shift
		width = min(1<<shift, width-uint64(b)<<shift)
	}
	// r is the cut's rank among the entries of count cut: the first r of them are kept, with every heavier one.
	// Each entry is stored at w ≤ its index (over an entry already read, or itself), and w moves on past it
	// if it is kept: in two loops, up to the r-th tie and after it, so that no count of ties left to keep
	// makes a chain of dependent steps from entry to entry.
	cut, w, i := lo, 0, 0
	for ties := r; ties > 0; i++ {
		s := a[i]
		a[w] = s
		w += int(b2u(s.v >= cut))
		ties -= int(b2u(s.v == cut))
	}
	for _, s := range a[i:] {
		a[w] = s
		w += int(b2u(s.v > cut))
	}
	return cut
}

const (
	subBits = 5 // the bits of a count below its leading one that its first bucket tells apart
	logHist = 12
	histLen = 1 << logHist // buckets in a histogram
	// exactMax: the counts from 2^53 on share a bucket (float64 holds the counts below exactly). topBucket is it.
	exactMax  = 1 << 53
	topBucket = 53<<subBits + 1
)

// bucketOf is count v's bucket in the first histogram: 0 for v ≤ 0 (a sum that wrapped past 2^63), else 1 +
// the exponent and the subBits leading bits of the mantissa of v as a float64 (exact below 2^53), counted
// from those of 1. Ascending with v: a bucket holds the counts from 2^e·(1+i/2^subBits) to before
// 2^e·(1+(i+1)/2^subBits), at most one for e ≤ subBits; topBucket holds every count from 2^53 on. A
// conversion, a shift and a subtraction: no bit length (BSR is slow on AMD cores; LZCNT needs GOAMD64=v3).
func bucketOf(v int64) int {
	f := math.Float64bits(float64(min(max(v, 0), exactMax)))
	return max(int(f>>(52-subBits))-1023<<subBits+1, 0) & (histLen - 1) // (the mask changes nothing)
}

// bucketRange is the counts bucket b holds: lo to lo+width-1 (width 0 for a bucket that holds none).
func bucketRange(b int) (lo int64, width uint64) {
	switch {
	case b == 0:
		return math.MinInt64, 1<<63 + 1 // every count ≤ 0
	case b >= topBucket:
		return exactMax, math.MaxInt64 - exactMax + 1
	}
	f := uint64(b-1+1023<<subBits) << (52 - subBits) // the bits of the bucket's least float64
	lo = int64(math.Ceil(math.Float64frombits(f)))
	return lo, uint64(int64(math.Ceil(math.Float64frombits(f+1<<(52-subBits)))) - lo)
}

// heaviestBucket finds the bucket of h holding the entry of rank r (0: the heaviest; h's buckets in ascending
// order) and returns it and the entry's rank within it. h must hold more than r entries.
func heaviestBucket(h *[histLen]uint32, r int) (int, int) {
	b := len(h) - 1
	for ; b > 0 && int(h[b]) <= r; b-- {
		r -= int(h[b])
	}
	return b, r
}

// each calls f for every key and count.
func (c *counter64) each(f func(k uint64, v int64)) {
	for _, s := range c.slots {
		if s.v != 0 {
			f(s.k, s.v)
		}
	}
}

// reset empties the table (keeping its memory).
func (c *counter64) reset() {
	if c.n > 0 || c.ErrBound > 0 {
		clear(c.slots)
	}
	c.n, c.ErrBound = 0, 0
}
