package analyze

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// ifaceTable maps interface ids to their counters, at most MaxInterfaces of them. Ids of up to 24 bytes (real
// ones are 21: "eni-" + 17 hex digits) are held as three overlapping words and their length, which together
// fix every byte, in an open-addressing table (linear probing, load ≤ 1/2) keyed by a seeded hash of the
// words: a lookup is a few loads and word compares, no string hashing and no call. Longer ids go to a map.
type ifaceTable struct {
	slots []ifaceSlot
	long  map[string]*ifaceStat
	stats []*ifaceStat
	mask  uint64
	seed  uint64
}

// ifaceKey is an id of up to 24 bytes: its words at 0, n/2-4 and n-8 (zero-padded when n < 8) cover it.
type ifaceKey struct {
	a, m, z uint64
	n       int
}

type ifaceSlot struct {
	k ifaceKey
	s *ifaceStat // nil: empty
}

func newIfaceTable(seed maphash.Seed) *ifaceTable {
	const size = 1024
	return &ifaceTable{slots: make([]ifaceSlot, size), mask: size - 1, seed: maphash.Comparable(seed, 0) | 1,
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

// hash multiplies the words by odd constants, xors them and mixes the result once: half the work of mixing each word
// (the layout of this table decides nothing in the report: entries are found by key and listed in the order
// they were added).
func (t *ifaceTable) hash(k ifaceKey) uint64 {
	return mix((k.a^t.seed)*0x9e3779b97f4a7c15 ^ k.m*0xc2b2ae3d27d4eb4f ^ bits.RotateLeft64(k.z, 32) ^ uint64(k.n)<<58)
}

// get returns the counters of id, whose key is k (ok false: id is long), adding them if there are fewer than
// max; nil when the table is full.
func (t *ifaceTable) get(id []byte, k ifaceKey, ok bool, max int) *ifaceStat {
	if !ok {
		is := t.long[string(id)]
		if is == nil && len(t.stats) < max {
			is = &ifaceStat{name: string(id), enr: enrUnknown}
			t.stats = append(t.stats, is)
			t.long[is.name] = is
		}
		return is
	}
	i := t.hash(k) & t.mask
	for {
		s := &t.slots[i]
		if s.s == nil {
			break
		}
		if s.k == k {
			return s.s
		}
		i = (i + 1) & t.mask
	}
	if len(t.stats) >= max {
		return nil
	}
	is := &ifaceStat{name: string(id), enr: enrUnknown}
	t.stats = append(t.stats, is)
	t.slots[i] = ifaceSlot{k, is}
	if 2*len(t.stats) > len(t.slots) { // counting long ids too, which only makes it grow early
		t.grow()
	}
	return is
}

func (t *ifaceTable) grow() {
	old := t.slots
	t.slots = make([]ifaceSlot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.s == nil {
			continue
		}
		i := t.hash(s.k) & t.mask
		for t.slots[i].s != nil {
			i = (i + 1) & t.mask
		}
		t.slots[i] = s
	}
}
