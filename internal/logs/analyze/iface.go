package analyze

import (
	"encoding/binary"
	"hash/maphash"
)

// ifaceTable maps interface ids to their counters: an open-addressing table (linear probing, load ≤ 1/2)
// keyed by a cheap seeded hash of the id's bytes, with the id compared on a hash match, so a lookup is a few
// loads and one short compare instead of maphash plus a Go map probe. At most MaxInterfaces entries.
type ifaceTable struct {
	slots []ifaceSlot
	stats []*ifaceStat
	mask  uint64
	seed  uint64
	mseed maphash.Seed
}

type ifaceSlot struct {
	h uint64
	s *ifaceStat // nil: empty
}

func newIfaceTable(seed maphash.Seed) *ifaceTable {
	const size = 1024
	return &ifaceTable{slots: make([]ifaceSlot, size), mask: size - 1, seed: maphash.Comparable(seed, 0) | 1, mseed: seed}
}

// hash mixes up to 24 bytes read as three overlapping words (interface ids are 21: "eni-" + 17 hex
// digits); longer ids go through maphash.
func (t *ifaceTable) hash(b []byte) uint64 {
	n := len(b)
	var x uint64
	switch {
	case n >= 8 && n <= 24:
		a := binary.LittleEndian.Uint64(b)
		m := binary.LittleEndian.Uint64(b[n/2-4:])
		z := binary.LittleEndian.Uint64(b[n-8:])
		x = mix(a^t.seed) ^ mix(m+t.seed) ^ z
	case n < 8:
		var w [8]byte
		copy(w[:], b)
		x = binary.LittleEndian.Uint64(w[:]) ^ t.seed
	default:
		return maphash.Bytes(t.mseed, b)
	}
	return mix(x ^ uint64(n))
}

// get returns id's counters, adding them if there are fewer than max; nil when the table is full.
func (t *ifaceTable) get(id []byte, max int) *ifaceStat {
	h := t.hash(id)
	i := h & t.mask
	for {
		s := &t.slots[i]
		if s.s == nil {
			break
		}
		if s.h == h && s.s.name == string(id) {
			return s.s
		}
		i = (i + 1) & t.mask
	}
	if len(t.stats) >= max {
		return nil
	}
	is := &ifaceStat{name: string(id)}
	t.stats = append(t.stats, is)
	t.slots[i] = ifaceSlot{h, is}
	if 2*len(t.stats) > len(t.slots) {
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
		i := s.h & t.mask
		for t.slots[i].s != nil {
			i = (i + 1) & t.mask
		}
		t.slots[i] = s
	}
}
