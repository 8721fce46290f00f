package analyze

import "unsafe"

// lagLen is how many adds a lagged table holds back: enough that a prefetched line has arrived when its add
// is applied (a record takes a few hundred ns to parse and count), few enough that it is still in L1 cache.
const lagLen = 8

// lagged feeds a counter64 lagLen adds late, in batches: the adds are queued; each time lagLen more are
// queued, the cache lines of their home slots are prefetched, and the lagLen queued before them (fetched a
// batch ago, in cache by now) are applied. Adds are applied in the order given, pruning included, so the
// table ends exactly as if fed directly: flush before reading it. The top-k tables are larger than the L2
// cache and most adds touch a line of their own, so without the lag nearly every add waits for a cache miss
// (the time of the per-record aggregation was mostly that). A plain load in place of the prefetch (portable
// Go) measured slower: a load that misses holds up every later instruction's retirement until it arrives, a
// prefetch holds up nothing. In batches, an add is two stores, inlined into the caller (push): no call (a call
// to the assembly prefetch spills every live register), and the hashing and probing loops run hot over lagLen
// adds.
type lagged struct {
	c *counter64
	lagQueue
}

// lagQueue is the queue of a table whose adds are applied lagLen late (lagged, flatCount): push queues an
// add; every lagLen pushes the owner's batch finds and prefetches the home slots of the adds just queued
// (fresh) and, once there are lagLen before them, applies those (q[:lagLen]) and shifts the queue.
type lagQueue struct {
	n int // adds queued, < 2×lagLen between calls; q[:lagLen] are prefetched when n ≥ lagLen
	q [2 * lagLen]lagEntry
}

// push queues the add of w to k's count and reports whether a batch is due (then call the owner's batch).
// Without a call, so that Shard.Add has it inlined.
func (q *lagQueue) push(k uint64, w int64) bool {
	n := q.n & (2*lagLen - 1) // n < 2×lagLen: the mask only spares a bounds check
	q.q[n].k, q.q[n].w = k, w
	q.n = n + 1
	return n&(lagLen-1) == lagLen-1
}

// fresh is the lagLen adds just queued, when a batch is due.
func (q *lagQueue) fresh() *[lagLen]lagEntry {
	if q.n == lagLen {
		return (*[lagLen]lagEntry)(q.q[:lagLen])
	}
	return (*[lagLen]lagEntry)(q.q[lagLen:])
}

// shift drops the lagLen oldest adds, once applied: the fresh ones move to the front.
func (q *lagQueue) shift() {
	copy(q.q[:lagLen], q.q[lagLen:])
	q.n = lagLen
}

type lagEntry struct {
	k uint64
	w int64
	i uint64 // k's home slot
}

// prefetchHomes (assembly) reads i at offset 16 of each 24-byte entry, and lagLen entries: compiled only so.
var (
	_ = [1]struct{}{}[unsafe.Offsetof(lagEntry{}.i)-16]
	_ = [1]struct{}{}[unsafe.Sizeof(lagEntry{})-24]
	_ = [1]struct{}{}[lagLen-8]
	_ = [1]struct{}{}[unsafe.Sizeof(slot64{})-16]
)

// fetch prefetches the home slots of a batch of adds.
func (c *counter64) fetch(es *[lagLen]lagEntry) {
	prefetchHomes(unsafe.Pointer(unsafe.SliceData(c.slots)), es)
}

func newLagged(capacity int) *lagged { return &lagged{c: newCounter64(capacity)} }

// add adds w to k's count, once lagLen more adds are made (or at flush).
func (l *lagged) add(k uint64, w int64) {
	if w > 0 && l.push(k, w) {
		l.batch()
	}
}

// batch finds the home slots of the lagLen adds just queued and prefetches them and, if there are lagLen
// before them, applies those.
//
//go:noinline
func (l *lagged) batch() {
	l.fetch(l.fresh())
	if l.n == lagLen {
		return
	}
	l.c.apply(l.q[:lagLen])
	l.shift()
}

// fetch sets the home slots of a batch of queued adds and prefetches them.
func (l *lagged) fetch(es *[lagLen]lagEntry) {
	l.homes(es[:])
	l.c.fetch(es)
}

// homes sets the home slots of queued adds.
func (l *lagged) homes(es []lagEntry) {
	mask := l.c.mask
	for j := range es {
		es[j].i = mix(es[j].k) & mask
	}
}

// flush applies the adds held back, oldest first (the last ones' home slots are not found yet: all are found
// again here, which gives the same slots).
func (l *lagged) flush() {
	q := l.q[:l.n]
	l.homes(q)
	l.c.apply(q)
	l.n = 0
}
