package analyze

import "unsafe"

// lagLen is how many adds a lagged table holds back: enough that a prefetched line has arrived when its add
// is applied (a record takes a few hundred ns to parse and count), few enough that it is still in L1 cache.
const lagLen = 8

// lagged feeds a counter64 lagLen adds late. Each add computes its key's home slot and prefetches that slot's
// cache line, then applies the add given lagLen adds before, whose line is in cache by now. Adds are applied
// in the order given, pruning included, so the table ends exactly as if fed directly: flush before reading
// it. The top-k tables are larger than the L2 cache and most adds touch a line of their own, so without the
// lag nearly every add waits for a cache miss (the time of the per-record aggregation was mostly that). A
// plain load in place of the prefetch (portable Go) measured slower: a load that misses holds up every later
// instruction's retirement until it arrives, a prefetch holds up nothing.
type lagged struct {
	c   *counter64
	q   [lagLen]lagEntry
	pos int
}

type lagEntry struct {
	k uint64
	w int64 // 0: empty
	i uint64
}

func newLagged(capacity int) *lagged { return &lagged{c: newCounter64(capacity)} }

// add adds w to k's count, lagLen adds from now (or at flush).
func (l *lagged) add(k uint64, w int64) {
	if w <= 0 {
		return
	}
	c := l.c
	i := mix(k) & c.mask
	prefetch(unsafe.Pointer(&c.slots[i]))
	e := &l.q[l.pos]
	if e.w != 0 {
		c.addAt(e.k, e.w, e.i)
	}
	*e = lagEntry{k, w, i}
	l.pos = (l.pos + 1) & (lagLen - 1)
}

// flush applies the adds held back, oldest first.
func (l *lagged) flush() {
	for j := range lagLen {
		e := &l.q[(l.pos+j)&(lagLen-1)]
		if e.w != 0 {
			l.c.addAt(e.k, e.w, e.i)
			*e = lagEntry{}
		}
	}
}
