package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"unsafe"
)

// A plain local file is read through memory maps rather than read(2) into the pool's buffers: the workers
// parse the page cache in place, which saves the system calls and the copy (and its cache traffic). Each
// chunk is mapped on its own, [page start, chunk end), and unmapped when its pool slot is freed, so that the
// maps held follow the slots, and so the workers, never the file's size. The chunks are those read(2) gives
// (cut decides where they end, from the same bytes), so every result is the same.
//
// A file that shrinks while mapped makes the memory past its new end fault (SIGBUS): the goroutines that
// touch mapped memory (the cutter, a worker in a mapped chunk) turn that fault into a read error of the unit
// (debug.SetPanicOnFault) and the run goes on with the others. A file that grows is read up to the size it
// had when opened. Nothing reads past a chunk's pages: the parser reads lines in place only within the
// pages that hold them (flowlog: lineBuf, classify).

// errChanged is the error of a unit whose mapped file shrank while it was read.
var errChanged = errors.New("the file shrank while it was read")

// mapFeed is a feed of a regular file's chunks, each mapped on its own.
type mapFeed struct {
	f       *os.File
	size    int64 // the size when opened: the file is read up to there
	pos     int64 // where the next chunk starts
	counted int64 // the bytes up to there are counted in the progress
	cnt     *counters
	maps    *maps
	read    *readFeed // after a map failed: the rest of the file, read from sec
	sec     *io.SectionReader
}

// newMapFeed returns a feed of fh's chunks through memory maps, or nil where fh cannot be mapped (not a
// regular file, empty, or no memory maps on this system): Run then reads it.
func newMapFeed(ctx context.Context, fh *os.File) *mapFeed {
	if !canMap {
		return nil
	}
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return nil
	}
	cnt, _ := ctx.Value(countersKey{}).(*counters)
	return &mapFeed{f: fh, size: st.Size(), cnt: cnt}
}

func (f *mapFeed) next(p *part, skip bool) ([]byte, error) {
	if f.read == nil && skip {
		f.skipLine()
		skip = f.read != nil // not skipped to the end of the line: the reader goes on
	}
	if f.read != nil {
		return f.readNext(p, skip)
	}
	n := min(int64(chunkSize), f.size-f.pos)
	var rerr error
	if n < int64(chunkSize) {
		rerr = io.EOF
	}
	data := make([]byte, 0) // what read gives at the end: no bytes, not nil
	if n > 0 {
		off := f.pos &^ int64(os.Getpagesize()-1)
		mem, err := f.maps.mapFile(f.f, off, int(f.pos+n-off))
		if err != nil {
			f.fallBack()
			return f.readNext(p, skip)
		}
		p.mem, data = mem, mem[f.pos-off:]
	}
	f.count(f.pos + n)
	return data, rerr
}

func (f *mapFeed) keep(n int) {
	if f.read != nil {
		f.read.keep(n)
		return
	}
	f.pos += int64(n)
}

// skipLine moves past the rest of a line too long to keep: up to the next newline, or the end.
func (f *mapFeed) skipLine() {
	for f.pos < f.size {
		off, end := f.pos&^int64(os.Getpagesize()-1), min(f.pos+int64(chunkSize), f.size)
		mem, err := f.maps.mapFile(f.f, off, int(end-off))
		if err != nil {
			f.fallBack()
			return
		}
		i := bytes.IndexByte(mem[f.pos-off:], '\n')
		f.maps.unmap(mem)
		if i >= 0 {
			f.pos += int64(i) + 1
			return
		}
		f.pos = end
	}
}

// fallBack reads the rest of the file from pos with read(2), as a file that could not be mapped.
func (f *mapFeed) fallBack() {
	f.sec = io.NewSectionReader(f.f, f.pos, f.size-f.pos)
	f.read = &readFeed{r: f.sec}
}

func (f *mapFeed) readNext(p *part, skip bool) ([]byte, error) {
	data, err := f.read.next(p, skip)
	at, _ := f.sec.Seek(0, io.SeekCurrent)
	f.count(f.pos + at) // pos stays where the section starts
	return data, err
}

// count counts the bytes up to end into the progress.
func (f *mapFeed) count(end int64) {
	if f.cnt != nil && end > f.counted {
		f.cnt.bytes.Add(end - f.counted)
		f.counted = end
	}
}

// maps are the memory maps of a run's chunks not yet unmapped (a cancelled run leaves some: Run unmaps them
// at its end), and tell a fault in them from any other.
type maps struct {
	mu   sync.Mutex
	live map[*byte]mapped
}

type mapped struct {
	size  int // the bytes mapped: whole pages from the first
	unmap func()
}

func newMaps() *maps { return &maps{live: map[*byte]mapped{}} }

// mapFile maps n > 0 bytes of f from off, a multiple of the page size.
func (m *maps) mapFile(f *os.File, off int64, n int) ([]byte, error) {
	mem, unmap, err := mapRegion(f, off, n)
	if err != nil {
		return nil, err
	}
	ps := os.Getpagesize()
	m.mu.Lock()
	m.live[&mem[0]] = mapped{size: (n + ps - 1) &^ (ps - 1), unmap: unmap}
	m.mu.Unlock()
	return mem, nil
}

func (m *maps) unmap(mem []byte) {
	m.mu.Lock()
	mp, ok := m.live[&mem[0]]
	delete(m.live, &mem[0])
	m.mu.Unlock()
	if ok {
		mp.unmap()
	}
}

// unmapAll unmaps what is left, once nothing reads the chunks any more.
func (m *maps) unmapAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, mp := range m.live {
		mp.unmap()
		delete(m.live, k)
	}
}

// faultError turns r, a panic recovered in a goroutine that faults by panicking, into the read error of
// unit name if it is a fault in one of the maps; any other panic goes on.
func (m *maps) faultError(r any, name string) error {
	if f, ok := r.(interface{ Addr() uintptr }); ok && m.holds(f.Addr()) {
		return fmt.Errorf("read %s: %w", name, errChanged)
	}
	panic(r)
}

func (m *maps) holds(addr uintptr) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, mp := range m.live {
		if base := uintptr(unsafe.Pointer(k)); addr >= base && addr-base < uintptr(mp.size) {
			return true
		}
	}
	return false
}
