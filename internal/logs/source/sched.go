package source

import (
	"context"
	"runtime/debug"
	"sync"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

// sched hands the parts of the units to the workers (see chunk.go for how a stream is cut). Units are begun
// in order, at most `workers` of them incomplete at a time, and unit i only once unit i−2×workers is
// complete; a worker never waits for anything but a part, so that the parts of begun units always drain.
// Chunks are cut into a pool of 2×workers+2 slots (a buffer to read into, or the right to map a chunk of a
// file, see mmap.go), and a slot is free again only when its part and every earlier part of its unit are
// finished: at most that many chunks are cut and not yet finished in order.
// Parts are handed over unbuffered: a cutter holds its next chunk until a worker takes it, so a stream read
// in order keeps workers+1 buffers in use (the rest of the pool absorbs parts finished out of order), and
// the memory a run touches, and faults in, follows the workers, not the pool.
type sched struct {
	parts   chan *part
	free    chan []byte // chunk slots freed, with their buffer (nil until a reader needs one): at most 2×workers+2 exist
	workers int
	maps    *maps // the file chunks mapped and not yet released

	mu       sync.Mutex
	complete []bool
	first    int // the first incomplete unit
	active   int // units begun and not complete
	wake     chan struct{}
	unmade   int // slots the pool may still hand out for the first time
}

// unitRun is the state of one unit being read.
type unitRun struct {
	i    int
	u    Unit
	wrap func(error) error // for the errors of reading its text (see textUnit)

	// guarded by sched.mu
	low      int           // the first part not finished
	held     map[int]*part // parts finished after low, whose slots are kept until low passes them
	done     int           // parts finished
	total    int           // parts in all, once the last one finished (0: not yet)
	err      error         // the error of the first failed part
	errChunk int
	stop     bool // a part failed: cut no more, parse no further part
}

func newSched(units, workers int) *sched {
	s := &sched{parts: make(chan *part), free: make(chan []byte, 2*workers+2), workers: workers,
		complete: make([]bool, units), wake: make(chan struct{}, 1), maps: newMaps()}
	s.unmade = cap(s.free) // allocated on first use
	return s
}

// begin waits until unit i may be begun; false if ctx ended first.
func (s *sched) begin(ctx context.Context, i int) bool {
	for {
		s.mu.Lock()
		ok := s.active < s.workers && i <= s.first+2*s.workers
		if ok {
			s.active++
		}
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return false
		}
	}
}

// open starts reading a begun unit: a text stream is cut into chunks here, anything else is one part that
// a worker reads with Unit.Read.
func (s *sched) open(ctx context.Context, ur *unitRun, opts flowlog.Options) {
	tu, ok := ur.u.(textUnit)
	if !ok {
		s.send(ctx, &part{ur: ur, whole: true, last: true})
		return
	}
	op, err := tu.openText(ctx)
	switch {
	case err != nil:
		s.send(ctx, &part{ur: ur, last: true, err: err})
	case op.text == nil && op.mapped == nil:
		s.send(ctx, &part{ur: ur, whole: true, last: true})
	default:
		if op.wrap == nil {
			op.wrap = func(err error) error { return err }
		}
		ur.wrap = op.wrap
		s.cut(ctx, ur, op, opts)
	}
}

func (s *sched) send(ctx context.Context, p *part) bool {
	select {
	case s.parts <- p:
		return true
	case <-ctx.Done():
		s.release(p)
		return false
	}
}

// getSlot returns a chunk slot with its buffer, nil if it has none yet: a free one if there is one, else a
// new one while fewer than the pool's size exist, else the next one freed. Reusing first keeps the memory
// touched (and the page faults of touching it the first time) near what the workers have in hand, not the
// whole pool: a stream read by one worker uses 2 slots of its 4.
func (s *sched) getSlot(ctx context.Context) ([]byte, bool) {
	select {
	case b := <-s.free:
		return b, true
	default:
	}
	s.mu.Lock()
	fresh := s.unmade > 0
	if fresh {
		s.unmade--
	}
	s.mu.Unlock()
	if fresh {
		return nil, true
	}
	select {
	case b := <-s.free:
		return b, true
	case <-ctx.Done():
		return nil, false
	}
}

// release returns what part p holds: its mapped chunk, and its slot to the pool.
func (s *sched) release(p *part) {
	if p.mem != nil {
		s.maps.unmap(p.mem)
		p.mem = nil
	}
	if p.ends != nil {
		putEnds(p.ends)
		p.ends = nil
	}
	if p.slot {
		p.slot = false
		s.free <- p.buf
	}
}

// endsRoom is how many bytes of a chunk one kept line end stands for: a chunk keeps the offsets of up to
// chunkSize/endsRoom newlines (2 MiB for a 16 MiB chunk), which covers every line of a chunk whose lines
// average 32 bytes or more (flow-log records are 60 to 400); the worker finds any further ones itself.
// (A variable only so that tests can fill the arrays.)
var endsRoom = 32

// endsPool recycles the line-end arrays of chunks: a part holds one from its cutting to its release, so
// that there are no more of them than chunk slots.
var endsPool sync.Pool

func getEnds() []uint32 {
	want := max(chunkSize/endsRoom, 1)
	if e, ok := endsPool.Get().(*[]uint32); ok && cap(*e) == want {
		return (*e)[:0]
	}
	return make([]uint32, 0, want)
}

func putEnds(e []uint32) { endsPool.Put(&e) }

// stopped reports whether a part of ur failed, so that reading it further is pointless.
func (s *sched) stopped(ur *unitRun) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ur.stop
}

// read reads one part into sink.
func (s *sched) read(ctx context.Context, p *part, opts flowlog.Options, sink Sink) (flowlog.Stats, error) {
	switch {
	case p.whole:
		return p.ur.u.Read(ctx, opts, sink.Add)
	case p.data == nil:
		return flowlog.Stats{}, p.err
	}
	s.mu.Lock()
	skip := p.ur.stop && p.chunk > p.ur.errChunk
	s.mu.Unlock()
	if skip {
		return flowlog.Stats{}, nil
	}
	st, err := s.parse(ctx, p, opts, sink)
	if err != nil && err != ctx.Err() {
		err = p.ur.wrap(err)
	}
	return st, err
}

// parse parses chunk p into sink. A mapped chunk faults if its file shrank since it was mapped: that ends
// the unit with an error, not the process.
func (s *sched) parse(ctx context.Context, p *part, opts flowlog.Options, sink Sink) (st flowlog.Stats, err error) {
	name := p.ur.u.Name()
	ps := flowlog.NewParser(name, p.format, opts)
	if p.mem != nil {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				st, err = ps.Stats, s.maps.faultError(r, name)
			}
		}()
	}
	return parseChunk(ctx, p, ps, name, sink)
}

// finished records that part p was read (err: how that went). complete reports whether that was the unit's
// last outstanding part; err is then the unit's error: that of its first failed part in stream order.
func (s *sched) finished(p *part, err error) (complete bool, uerr error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ur := p.ur
	ur.done++
	// A chunk's slot goes back to the pool only once every earlier part of its unit is finished too: the
	// pool then also bounds the parts finished out of order, whose per-part results the sink holds until
	// it can merge them in order.
	if p.chunk == ur.low {
		s.release(p)
		for ur.low++; ur.held != nil; ur.low++ {
			h, ok := ur.held[ur.low]
			if !ok {
				break
			}
			delete(ur.held, ur.low)
			s.release(h)
		}
	} else {
		if ur.held == nil {
			ur.held = map[int]*part{}
		}
		ur.held[p.chunk] = p
	}
	if err != nil && (ur.err == nil || p.chunk < ur.errChunk) {
		ur.err, ur.errChunk, ur.stop = err, p.chunk, true
	}
	if p.last {
		ur.total = p.chunk + 1
	}
	if ur.total == 0 || ur.done < ur.total {
		return false, nil
	}
	s.complete[ur.i] = true
	s.active--
	for s.first < len(s.complete) && s.complete[s.first] {
		s.first++
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true, ur.err
}
