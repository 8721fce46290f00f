package analyze

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"unsafe"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// ifaceTable maps interface ids to their counters, at most MaxInterfaces of them: past that it keeps a
// deterministic sample, the ids whose sampleHash has at least level leading zero bits (1 in 2^level), raising
// the level until they fit, like the detectors. Which ids a worker keeps then depends on the ids it saw, not
// on their order, and a kept id was never refused, so its counts are exact; Finish raises the shards' levels
// to the one at which the union fits, so the report is the same whichever worker read which part. Ids of up
// 8 to 24 bytes (real ones are 21: "eni-" + 17 hex digits) are held as three overlapping words and their
// length, which together fix every byte, in an open-addressing table (linear probing, load ≤ 1/4 up to 16384
// slots, then ≤ 1/2) keyed by a seeded hash of the words: a lookup is a few loads, multiplications and one
// compare, no string hashing. A slot holds the id's counters too, in one cache line of 64 bytes: the
// per-record count is one line, where a pointer to the counters was a second miss (the top-k tables keep
// the interfaces out of the L2 cache). Other ids go to a map.
type ifaceTable struct {
	slots []ifaceSlot
	long  map[string]*ifaceStat
	n     int // ids kept: slots used, and long ones
	mask  uint64
	shift uint // 64 - log2(len(slots)): a hash's top bits are its home slot
	seed  uint64
	level int // > 0: the table overflowed, only ids with level leading zero bits in their sampleHash are kept
}

// ifaceKey is an id of 8 to 24 bytes: its words at 0, min(8, n-8) and n-8 cover it.
type ifaceKey struct {
	a, m, z uint64
	n       int
}

// eq reports whether k and o are the same id: one test of the or of the differences, not a branch per word.
func (k ifaceKey) eq(o ifaceKey) bool {
	return (k.a^o.a)|(k.m^o.m)|(k.z^o.z)|uint64(k.n^o.n) == 0
}

// ifaceSlot is an id of 8 to 24 bytes and its counters (k.n 0: an empty slot).
type ifaceSlot struct {
	k ifaceKey
	c ifaceCount
}

// The slots are one cache line each: 64 bytes, and the tables are large allocations (page-aligned).
var _ = [1]struct{}{}[unsafe.Sizeof(ifaceSlot{})-64]

func newIfaceTable(seed maphash.Seed) *ifaceTable {
	const size = 1024
	return &ifaceTable{slots: make([]ifaceSlot, size), mask: size - 1, shift: 64 - uint(bits.TrailingZeros(size)), seed: maphash.Comparable(seed, 0) | 1,
		long: map[string]*ifaceStat{}}
}

// ifaceKeyOf returns b's key; false unless b has 8 to 24 bytes (real ids have 21: shorter or longer ones are
// kept in the map, and the usual case inlined here has no copy or call).
func ifaceKeyOf(b []byte) (ifaceKey, bool) {
	n := len(b)
	if n < 8 || n > 24 {
		return ifaceKey{}, false
	}
	m := min(8, n-8) // (8 for real ids: n/2-4 took more instructions and a bounds check)
	return ifaceKey{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[m:]), binary.LittleEndian.Uint64(b[n-8:]), n}, true
}

// name is the id k holds (k from ifaceKeyOf).
func (k ifaceKey) name() string {
	var b [24]byte
	n := k.n
	binary.LittleEndian.PutUint64(b[:], k.a)
	binary.LittleEndian.PutUint64(b[min(8, n-8):], k.m)
	binary.LittleEndian.PutUint64(b[n-8:], k.z)
	return string(b[:n])
}

// hash multiplies the words by odd constants and xors them: no mix after, the home slot is the product's top
// bits, where every bit of a multiplied word counts (the layout of this table decides nothing in the report:
// entries are found by key and listed in the order they were added). The last word is rotated first, for the
// bytes ids differ in (the last hex digits) are its top bytes. The length is xored in with the seed: a
// multiply fewer (and eq compares it).
func (t *ifaceTable) hash(k ifaceKey) uint64 {
	return (k.a^t.seed^uint64(k.n))*0x9e3779b97f4a7c15 ^ k.m*0xc2b2ae3d27d4eb4f ^ bits.RotateLeft64(k.z, 32)*0x165667b19e3779f9
}

// home is k's home slot (shift < 64: the mask only spares the compiler's check of an oversized shift).
func (t *ifaceTable) home(k ifaceKey) uint64 { return t.hash(k) >> (t.shift & 63) }

// sampleHash is an id's hash for the sample kept past MaxInterfaces: unseeded, so the same ids are kept in
// every run. Computed only when an id is added or refused, never for an id found.
func sampleHash[T string | []byte](id T) uint64 {
	h := uint64(14695981039346656037) // FNV-1a, then mixed: the ids differ in a few hex digits
	for i := range len(id) {
		h = (h ^ uint64(id[i])) * 1099511628211
	}
	return mix(h)
}

// sampled reports whether an id of sample hash h is kept at level l.
func sampled(h uint64, l int) bool { return bits.LeadingZeros64(h) >= l }

// count counts a record of status st for id, whose key is k (ok false: id goes to the map), adding id if it is in the
// sample (every id until the table holds max; see ifaceTable), and returns id's counters; nil when id is not
// in the sample.
func (t *ifaceTable) count(id []byte, k ifaceKey, ok bool, max int, st flowlog.Status) *ifaceCount {
	if !ok {
		is := t.long[string(id)]
		if is == nil {
			h := sampleHash(id)
			if !t.admit(h, max) {
				return nil
			}
			is = &ifaceStat{name: string(id), sh: h, ifaceCount: ifaceCount{enr: enrUnknown}}
			t.long[is.name] = is
			t.n++
		}
		is.count(st)
		return &is.ifaceCount
	}
	i, found := t.find(k)
	if found {
		c := &t.slots[i].c
		c.count(st)
		return c
	}
	if t.n >= max || t.level > 0 {
		n := t.n
		if !t.admit(sampleHash(id), max) {
			return nil
		}
		if t.n != n { // the table was rebuilt: find k's free slot again
			i, _ = t.find(k)
		}
	}
	t.slots[i] = ifaceSlot{k, ifaceCount{enr: enrUnknown}}
	t.slots[i].c.count(st)
	t.n++
	// Load ≤ 1/4 while the table is small (≤ 16384 slots, 1 MB): a lookup then mostly finds its id in the
	// first slot, where at 1/2 a second probe is common and the mispredicted loop cost as much as the rest.
	// Past it, load ≤ 1/2 as before, so that MaxInterfaces ids take no more memory. The map's ids count too, which
	// only makes it grow early.
	if 4*t.n > len(t.slots) && (len(t.slots) < 1<<14 || 2*t.n > len(t.slots)) {
		t.grow()
		i, _ = t.find(k)
	}
	return &t.slots[i].c
}

// find is k's slot (found), or the empty slot where its probe ends.
func (t *ifaceTable) find(k ifaceKey) (i uint64, found bool) {
	for i = t.home(k); t.slots[i].k.n != 0; i = (i + 1) & t.mask {
		if t.slots[i].k.eq(k) {
			return i, true
		}
	}
	return i, false
}

// admit reports whether a new id of sample hash h is kept, raising the level (and dropping the ids it no
// longer samples) until the kept ids and this one fit in max.
func (t *ifaceTable) admit(h uint64, max int) bool {
	for {
		if !sampled(h, t.level) {
			return false
		}
		if t.n < max {
			return true
		}
		t.raise()
	}
}

// raise drops the ids not sampled at the next level.
func (t *ifaceTable) raise() {
	t.level++
	for name, is := range t.long {
		if !sampled(is.sh, t.level) {
			delete(t.long, name)
		}
	}
	t.n = len(t.long)
	t.rehash(len(t.slots), func(k ifaceKey) bool { return sampled(sampleHash(k.name()), t.level) })
}

func (t *ifaceTable) grow() {
	t.rehash(2*len(t.slots), nil)
}

// rehash moves the ids to a new table of size slots, those that keep says to keep (all when keep is nil).
func (t *ifaceTable) rehash(size int, keep func(ifaceKey) bool) {
	old := t.slots
	t.slots = make([]ifaceSlot, size)
	t.mask = uint64(size - 1)
	t.shift = 64 - uint(bits.TrailingZeros(uint(size)))
	for _, s := range old {
		if s.k.n == 0 || keep != nil && !keep(s.k) {
			continue
		}
		i, _ := t.find(s.k)
		t.slots[i] = s
		if keep != nil {
			t.n++
		}
	}
}

// each calls f with every id kept, its sample hash and its counters.
func (t *ifaceTable) each(f func(name string, sh uint64, c *ifaceCount)) {
	for i := range t.slots {
		if s := &t.slots[i]; s.k.n != 0 {
			name := s.k.name()
			f(name, sampleHash(name), &s.c)
		}
	}
	for _, is := range t.long {
		f(is.name, is.sh, &is.ifaceCount)
	}
}
