package analyze

// minutes counts a shard's traffic per minute: in a dense window of at most windowMinutes buckets (the records
// of a file or stream span minutes to hours, mostly in time order: a bucket is a subtraction and an index
// away, no map lookup, no allocation) and, for minutes outside it, in a map. The window is placed at the
// first minute seen and widened (copied) while the span seen fits in windowMinutes; a minute past that goes to
// the map. So memory is one bucket per minute of the span read, plus at most windowMinutes (160 KB) for the
// window. Which minutes sit in the window and which in the map depends on the order of the records, never
// the counts: each minute is counted in one place, and each summed into the report (each).
type minutes struct {
	win  []Bucket // minute lo+i
	lo   int64
	far  map[int64]*Bucket // minutes outside the window
	used bool              // the window is placed
	// The last minute's bucket and the second after it (0: none): consecutive records mostly start in the same
	// minute, which then costs a compare, no division. Only find moves the window, and it sets cur after.
	cur    *Bucket
	curEnd int64
}

// windowMinutes bounds the dense window: 4096 minutes (2.8 days) of 40-byte buckets.
const windowMinutes = 4096

// bucket returns the bucket of the minute holding Unix second t ≥ 0.
func (h *minutes) bucket(t int64) *Bucket {
	if uint64(h.curEnd-1-t) < 60 { // t in [curEnd-60, curEnd)
		return h.cur
	}
	return h.find(t)
}

// find is bucket for a second outside the last minute.
func (h *minutes) find(t int64) *Bucket {
	m := t / 60
	b := h.at(m)
	h.cur, h.curEnd = b, m*60+60
	return b
}

// at returns minute m's bucket.
func (h *minutes) at(m int64) *Bucket {
	if j := uint64(m - h.lo); j < uint64(len(h.win)) {
		return &h.win[j]
	}
	return h.slow(m)
}

// slow places or widens the window to hold m, or returns m's bucket in the map.
func (h *minutes) slow(m int64) *Bucket {
	switch {
	case !h.used:
		// Room on both sides: records come roughly in time order, a little early or late.
		h.used, h.lo, h.win = true, m-16, make([]Bucket, 64)
		return &h.win[16]
	case m >= h.lo-windowMinutes && m < h.lo+windowMinutes:
		lo, hi := min(h.lo, m), max(h.lo+int64(len(h.win)), m+1) // the minutes to cover, [lo, hi)
		if hi-lo <= windowMinutes {
			// Double the window (within the bound), on the side m is, so that a stream widening it minute by
			// minute copies it O(log) times.
			n := min(max(2*int64(len(h.win)), hi-lo), windowMinutes)
			if m < h.lo {
				lo = hi - n // else the window starts where it did
			}
			w := make([]Bucket, n)
			copy(w[h.lo-lo:], h.win)
			h.win, h.lo = w, lo
			return &h.win[m-lo]
		}
	}
	if h.far == nil {
		h.far = map[int64]*Bucket{}
	}
	b := h.far[m]
	if b == nil {
		b = &Bucket{}
		h.far[m] = b
	}
	return b
}

// each calls f for every minute counted (Records > 0: a bucket is only taken for a record), in no order.
func (h *minutes) each(f func(m int64, b *Bucket)) {
	for i := range h.win {
		if b := &h.win[i]; b.Records > 0 {
			f(h.lo+int64(i), b)
		}
	}
	for m, b := range h.far {
		f(m, b)
	}
}
