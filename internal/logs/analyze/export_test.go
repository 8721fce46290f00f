package analyze

// NthLargest is exported for tests.
var NthLargest = nthLargest

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
