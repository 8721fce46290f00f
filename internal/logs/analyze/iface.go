package analyze

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// ifaceTable maps interface ids to their counters, at most MaxInterfaces of them: past that it keeps a
// deterministic sample, the ids whose sampleHash has at least level leading zero bits (1 in 2^level), raising
// the level until they fit, like the detectors. Which ids a worker keeps then depends on the ids it saw, not
// on their order, and a kept id was never refused, so its counts are exact; Finish raises the shards' levels
// to the one at which the union fits, so the report is the same whichever worker read which part. Ids of up
// to 24 bytes (real ones are 21: "eni-" + 17 hex digits) are held as three overlapping words and their
// length, which together fix every byte, in an open-addressing table (linear probing, load ≤ 1/4 up to 16384
// slots, then ≤ 1/2) keyed by a seeded hash of the words: a lookup is a few loads, multiplications and one
// compare, no string hashing. Longer ids go to a map.
type ifaceTable struct {
	slots []ifaceSlot
	long  map[string]*ifaceStat
	stats []*ifaceStat
	mask  uint64
	shift uint // 64 - log2(len(slots)): a hash's top bits are its home slot
	seed  uint64
	level int // > 0: the table overflowed, only ids with level leading zero bits in their sampleHash are kept
}

// ifaceKey is an id of up to 24 bytes: its words at 0, n/2-4 and n-8 (zero-padded when n < 8) cover it.
type ifaceKey struct {
	a, m, z uint64
	n       int
}

// eq reports whether k and o are the same id: one test of the or of the differences, not a branch per word.
func (k ifaceKey) eq(o ifaceKey) bool {
	return (k.a^o.a)|(k.m^o.m)|(k.z^o.z)|uint64(k.n^o.n) == 0
}

type ifaceSlot struct {
	k ifaceKey
	s *ifaceStat // nil: empty
}

func newIfaceTable(seed maphash.Seed) *ifaceTable {
	const size = 1024
	return &ifaceTable{slots: make([]ifaceSlot, size), mask: size - 1, shift: 64 - uint(bits.TrailingZeros(size)), seed: maphash.Comparable(seed, 0) | 1,
		long: map[string]*ifaceStat{}}
}

// ifaceKeyOf returns b's key; false when b is longer than 24 bytes.
func ifaceKeyOf(b []byte) (ifaceKey, bool) {
	n := len(b)
	switch {
	case n >= 8 && n <= 24:
		return ifaceKey{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[n/2-4:]), binary.LittleEndian.Uint64(b[n-8:]), n}, true
	case n < 8:
		var w [8]byte
		copy(w[:], b)
		return ifaceKey{a: binary.LittleEndian.Uint64(w[:]), n: n}, true
	}
	return ifaceKey{}, false
}

// hash multiplies the words by odd constants and xors them: no mix after, the home slot is the product's top
// bits, where every bit of a multiplied word counts (the layout of this table decides nothing in the report:
// entries are found by key and listed in the order they were added). The last word is rotated first, for the
// bytes ids differ in (the last hex digits) are its top bytes.
func (t *ifaceTable) hash(k ifaceKey) uint64 {
	return (k.a^t.seed)*0x9e3779b97f4a7c15 ^ k.m*0xc2b2ae3d27d4eb4f ^ bits.RotateLeft64(k.z, 32)*0x165667b19e3779f9 ^ uint64(k.n)*0x27d4eb2f165667c5
}

// home is k's home slot (shift < 64: the mask only spares the compiler's check of an oversized shift).
func (t *ifaceTable) home(k ifaceKey) uint64 { return t.hash(k) >> (t.shift & 63) }

// sampleHash is an id's hash for the sample kept past MaxInterfaces: unseeded, so the same ids are kept in
// every run. Computed only when an id is added or refused, never for an id found.
func sampleHash(id []byte) uint64 {
	h := uint64(14695981039346656037) // FNV-1a, then mixed: the ids differ in a few hex digits
	for _, c := range id {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return mix(h)
}

// sampled reports whether an id of sample hash h is kept at level l.
func sampled(h uint64, l int) bool { return bits.LeadingZeros64(h) >= l }

// get returns the counters of id, whose key is k (ok false: id is long), adding them if id is in the sample
// (every id until the table holds max; see ifaceTable); nil when id is not in the sample.
func (t *ifaceTable) get(id []byte, k ifaceKey, ok bool, max int) *ifaceStat {
	if !ok {
		if is := t.long[string(id)]; is != nil {
			return is
		}
		h := sampleHash(id)
		if !t.admit(h, max) {
			return nil
		}
		is := &ifaceStat{name: string(id), enr: enrUnknown, sh: h}
		t.stats = append(t.stats, is)
		t.long[is.name] = is
		return is
	}
	i := t.home(k)
	for {
		s := &t.slots[i]
		if s.s == nil {
			break
		}
		if s.k.eq(k) {
			return s.s
		}
		i = (i + 1) & t.mask
	}
	h := sampleHash(id)
	if len(t.stats) >= max || t.level > 0 {
		n := len(t.stats)
		if !t.admit(h, max) {
			return nil
		}
		if len(t.stats) != n { // the table was rebuilt: find k's free slot again
			i = t.home(k)
			for t.slots[i].s != nil {
				i = (i + 1) & t.mask
			}
		}
	}
	is := &ifaceStat{name: string(id), enr: enrUnknown, sh: h}
	t.stats = append(t.stats, is)
	t.slots[i] = ifaceSlot{k, is}
	// Load ≤ 1/4 while the table is small (≤ 16384 slots, 640 KB): a lookup then mostly finds its id in the
	// first slot, where at 1/2 a second probe is common and the mispredicted loop cost as much as the rest.
	// Past it, load ≤ 1/2 as before, so that MaxInterfaces ids take no more memory. Long ids count too, which
	// only makes it grow early.
	if n := len(t.stats); 4*n > len(t.slots) && (len(t.slots) < 1<<14 || 2*n > len(t.slots)) {
		t.grow()
	}
	return is
}

// admit reports whether a new id of sample hash h is kept, raising the level (and dropping the ids it no
// longer samples) until the kept ids and this one fit in max.
func (t *ifaceTable) admit(h uint64, max int) bool {
	for {
		if !sampled(h, t.level) {
			return false
		}
		if len(t.stats) < max {
			return true
		}
		t.raise()
	}
}

// raise drops the ids not sampled at the next level.
func (t *ifaceTable) raise() {
	t.level++
	kept := t.stats[:0]
	for _, is := range t.stats {
		if sampled(is.sh, t.level) {
			kept = append(kept, is)
		}
	}
	clear(t.stats[len(kept):])
	t.stats = kept
	for name, is := range t.long {
		if !sampled(is.sh, t.level) {
			delete(t.long, name)
		}
	}
	old := t.slots
	t.slots = make([]ifaceSlot, len(old))
	for _, s := range old {
		if s.s == nil || !sampled(s.s.sh, t.level) {
			continue
		}
		i := t.home(s.k)
		for t.slots[i].s != nil {
			i = (i + 1) & t.mask
		}
		t.slots[i] = s
	}
}

func (t *ifaceTable) grow() {
	old := t.slots
	t.slots = make([]ifaceSlot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	t.shift--
	for _, s := range old {
		if s.s == nil {
			continue
		}
		i := t.home(s.k)
		for t.slots[i].s != nil {
			i = (i + 1) & t.mask
		}
		t.slots[i] = s
	}
}
