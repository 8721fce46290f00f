package analyze

// counter64 is TopK specialised for uint64 keys: a flat open-addressing table (linear probing, load ≤ 1/2) of
// key/count pairs side by side, so the per-record update of the top-talkers table is one hash and usually
// one cache line, with no GC-visible pointers. Same guarantee as TopK: exact below capacity, otherwise low by
// at most ErrBound.
type counter64 struct {
	slots    []slot64 // v == 0 marks an empty slot (weights added are > 0)
	n        int
	cap      int
	mask     uint64
	ErrBound int64
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
	return &counter64{slots: make([]slot64, size), cap: capacity, mask: uint64(size - 1)}
}

// Add adds w (> 0) to k's count.
func (c *counter64) Add(k uint64, w int64) {
	if w <= 0 {
		return
	}
	i := mix(k) & c.mask
	for {
		s := &c.slots[i]
		if s.v == 0 {
			s.k, s.v = k, w
			c.n++
			if c.n > c.cap {
				c.prune(c.cap / 2)
			}
			return
		}
		if s.k == k {
			s.v += w
			return
		}
		i = (i + 1) & c.mask
	}
}

func (c *counter64) prune(keep int) {
	counts := make([]int64, 0, c.n)
	for _, s := range c.slots {
		if s.v != 0 {
			counts = append(counts, s.v)
		}
	}
	cut := nthLargest(counts, keep)
	c.ErrBound += cut
	old := c.slots
	c.slots = make([]slot64, len(old))
	c.n = 0
	kept := 0
	for _, s := range old {
		if s.v == 0 || s.v < cut || (s.v == cut && kept >= keep) {
			continue
		}
		kept++
		j := mix(s.k) & c.mask
		for c.slots[j].v != 0 {
			j = (j + 1) & c.mask
		}
		c.slots[j] = s
		c.n++
	}
}

// each calls f for every key and count.
func (c *counter64) each(f func(k uint64, v int64)) {
	for _, s := range c.slots {
		if s.v != 0 {
			f(s.k, s.v)
		}
	}
}
