package analyze

import "unsafe"

// lagLen is how many adds a lagged table holds back: enough that a prefetched line has arrived when its add
// is applied (a record takes a few hundred ns to parse and count), few enough that it is still in L1 cache.
const lagLen = 8

// lagged feeds a counter64 lagLen to 2×lagLen-1 adds late. Each add computes its key's home slot and
// prefetches that slot's cache line, and queues the add; once 2×lagLen are queued, the lagLen oldest are
// applied in one go, their lines in cache by now. Adds are applied in the order given, pruning included, so the
// table ends exactly as if fed directly: flush before reading it. The top-k tables are larger than the L2
// cache and most adds touch a line of their own, so without the lag nearly every add waits for a cache miss
// (the time of the per-record aggregation was mostly that). A plain load in place of the prefetch (portable
// Go) measured slower: a load that misses holds up every later instruction's retirement until it arrives, a
// prefetch holds up nothing. Applying the adds a batch at a time, not one per add, keeps the per-add part a
// hash, a prefetch and three stores, and the probing loop hot.
type lagged struct {
	c *counter64
	n int // adds queued, < 2×lagLen between calls
	q [2 * lagLen]lagEntry
}

type lagEntry struct {
	k uint64
	w int64
	i uint64 // k's home slot
}

func newLagged(capacity int) *lagged { return &lagged{c: newCounter64(capacity)} }

// add adds w to k's count, lagLen to 2×lagLen-1 adds from now (or at flush).
func (l *lagged) add(k uint64, w int64) {
	if w <= 0 {
		return
	}
	c := l.c
	i := mix(k) & c.mask
	p := &c.slots[i]
	n := l.n
	l.q[n&(2*lagLen-1)] = lagEntry{k, w, i} // n < 2×lagLen: the mask only spares a bounds check
	l.n = n + 1
	prefetch(unsafe.Pointer(p)) // last: a call to assembly spills whatever is live across it
	if l.n == 2*lagLen {
		l.shift()
	}
}

// shift applies the lagLen oldest adds and moves the others to the front of the queue.
func (l *lagged) shift() {
	l.c.apply(l.q[:lagLen])
	copy(l.q[:lagLen], l.q[lagLen:])
	l.n = lagLen
}

// flush applies the adds held back, oldest first.
func (l *lagged) flush() {
	l.c.apply(l.q[:l.n])
	l.n = 0
}
