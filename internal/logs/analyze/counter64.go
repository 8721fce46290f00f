package analyze

// counter64 is TopK specialised for uint64 keys: a flat open-addressing table (linear probing, load ≤ 1/2), so
// the per-record update of the top-talkers table is one hash and usually one cache line, with no GC-visible
// pointers. Same guarantee as TopK: exact below capacity, otherwise low by at most ErrBound.
type counter64 struct {
	keys     []uint64
	vals     []int64 // 0 marks an empty slot (weights added are > 0)
	n        int
	cap      int
	mask     uint64
	ErrBound int64
}

func newCounter64(capacity int) *counter64 {
	capacity = max(capacity, 16)
	size := 1
	for size < 2*capacity {
		size <<= 1
	}
	return &counter64{keys: make([]uint64, size), vals: make([]int64, size), cap: capacity, mask: uint64(size - 1)}
}

// Add adds w (> 0) to k's count.
func (c *counter64) Add(k uint64, w int64) {
	if w <= 0 {
		return
	}
	i := mix(k) & c.mask
	for {
		v := c.vals[i]
		if v == 0 {
			c.keys[i], c.vals[i] = k, w
			c.n++
			if c.n > c.cap {
				c.prune(c.cap / 2)
			}
			return
		}
		if c.keys[i] == k {
			c.vals[i] = v + w
			return
		}
		i = (i + 1) & c.mask
	}
}

func (c *counter64) prune(keep int) {
	counts := make([]int64, 0, c.n)
	for _, v := range c.vals {
		if v != 0 {
			counts = append(counts, v)
		}
	}
	cut := nthLargest(counts, keep)
	c.ErrBound += cut
	oldK, oldV := c.keys, c.vals
	c.keys, c.vals = make([]uint64, len(oldK)), make([]int64, len(oldV))
	c.n = 0
	kept := 0
	for i, v := range oldV {
		if v == 0 || v < cut || (v == cut && kept >= keep) {
			continue
		}
		kept++
		j := mix(oldK[i]) & c.mask
		for c.vals[j] != 0 {
			j = (j + 1) & c.mask
		}
		c.keys[j], c.vals[j] = oldK[i], v
		c.n++
	}
}

// each calls f for every key and count.
func (c *counter64) each(f func(k uint64, v int64)) {
	for i, v := range c.vals {
		if v != 0 {
			f(c.keys[i], v)
		}
	}
}
