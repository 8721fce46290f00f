//go:build isal && cgo

package inflate

/*
#cgo LDFLAGS: -lisal
#include <stdlib.h>
#include <isa-l.h>

typedef struct {
	int ret;
	uint32_t produced;
	uint32_t consumed;
	int block_state;
} fg_result;

// fg_new allocates and initializes a stateful inflater for raw deflate data whose gzip trailer (CRC-32 and
// length) follows it and is checked by ISA-L. The gzip header is parsed in Go.
static struct inflate_state *fg_new(void) {
	struct inflate_state *s = calloc(1, sizeof *s);
	if (s != NULL) {
		isal_inflate_init(s);
		s->crc_flag = ISAL_GZIP_NO_HDR_VER;
	}
	return s;
}

// fg_reset prepares s for the next gzip member.
static void fg_reset(struct inflate_state *s) {
	isal_inflate_reset(s);
	s->crc_flag = ISAL_GZIP_NO_HDR_VER;
}

// fg_inflate inflates from in (C memory) into out (Go memory, borrowed for the call only: no pointer to it
// or to in is left in s when it returns).
static fg_result fg_inflate(struct inflate_state *s, uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t out_len) {
	fg_result r;
	s->next_in = in;
	s->avail_in = in_len;
	s->next_out = out;
	s->avail_out = out_len;
	r.ret = isal_inflate(s);
	r.produced = out_len - s->avail_out;
	r.consumed = in_len - s->avail_in;
	r.block_state = s->block_state;
	s->next_in = NULL;
	s->avail_in = 0;
	s->next_out = NULL;
	s->avail_out = 0;
	return r;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/klauspost/compress/flate"
)

// Name says which inflater is compiled in.
func Name() string {
	return fmt.Sprintf("ISA-L igzip %d.%d.%d (cgo)", C.ISAL_MAJOR_VERSION, C.ISAL_MINOR_VERSION, C.ISAL_PATCH_VERSION)
}

var errClosed = errors.New("inflate: read after Close")

// cmem is the reader's C memory: ISA-L's state and the input buffer. free is idempotent; Close calls it,
// and a cleanup does if a reader is dropped without Close.
type cmem struct {
	st *C.struct_inflate_state
	in unsafe.Pointer
}

// live counts the readers whose C memory is not yet freed (for the tests).
var live atomic.Int64

func (m *cmem) free() {
	if m.st != nil {
		live.Add(-1)
		C.free(unsafe.Pointer(m.st))
		m.st = nil
	}
	if m.in != nil {
		C.free(m.in)
		m.in = nil
	}
}

// reader reads a gzip stream of any number of members with ISA-L, streaming: memory is the input buffer,
// ISA-L's state (about 100 KiB with its 64 KiB history) and the caller's buffer. The gzip headers are read in
// Go (framer); ISA-L inflates and checks each member's trailer.
type reader struct {
	framer             // its input buffer is mem.in
	mu      sync.Mutex // Read and Close may come from different goroutines: never free state in use
	mem     *cmem
	cleanup runtime.Cleanup
	err     error  // sticky: the error Read returns from now on
	obuf    []byte // for small reads: inflated here, then copied
	out     []byte // obuf's inflated bytes; out[opos:] not yet read
	opos    int
}

// NewReader reads the gzip stream r (all its members) and returns the uncompressed bytes. Close releases the
// reader's C memory; it does not close r.
func NewReader(r io.Reader) (io.ReadCloser, error) {
	mem := &cmem{st: C.fg_new(), in: C.malloc(inSize)}
	if mem.st == nil || mem.in == nil {
		mem.free()
		return nil, errors.New("inflate: cannot allocate ISA-L state")
	}
	live.Add(1)
	z := &reader{framer: framer{src: r, in: unsafe.Slice((*byte)(mem.in), inSize)}, mem: mem}
	z.cleanup = runtime.AddCleanup(z, (*cmem).free, mem)
	if err := z.nextMember(); err != nil {
		z.Close()
		return nil, err
	}
	return z, nil
}

// nextMember reads a member's header and readies ISA-L for its deflate data. io.EOF means the stream ended
// cleanly before it.
func (z *reader) nextMember() error {
	if err := z.readHeader(); err != nil {
		return err
	}
	C.fg_reset(z.mem.st)
	return nil
}

// smallRead is the read size below which Read inflates into the reader's own buffer and copies: each call into
// ISA-L moves up to 64 KiB of history, so many small calls would cost more than the copy.
const smallRead = 64 << 10

func (z *reader) Read(p []byte) (int, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.mem.st == nil {
		return 0, errClosed
	}
	if z.opos < len(z.out) {
		n := copy(p, z.out[z.opos:])
		z.opos += n
		return n, nil
	}
	if z.err != nil || len(p) == 0 {
		return 0, z.err
	}
	if len(p) >= smallRead {
		return z.inflate(p)
	}
	if z.obuf == nil {
		z.obuf = make([]byte, 2*smallRead)
	}
	n, err := z.inflate(z.obuf)
	z.out = z.obuf[:n]
	z.opos = copy(p, z.out)
	if z.opos < n {
		err = nil // z.err, returned once the rest is read
	}
	return z.opos, err
}

// inflate fills out with at least one byte unless the stream ends or fails (then z.err is set).
func (z *reader) inflate(out []byte) (int, error) {
	out = out[:min(len(out), 1<<30)]
	for {
		res := C.fg_inflate(z.mem.st, (*C.uint8_t)(unsafe.Add(z.mem.in, z.pos)), C.uint32_t(z.end-z.pos),
			(*C.uint8_t)(unsafe.Pointer(&out[0])), C.uint32_t(len(out)))
		n, used := int(res.produced), int(res.consumed)
		z.pos += used
		z.offset += int64(used)
		switch {
		case res.ret < 0:
			z.err = isalError(res.ret, z.offset)
			return n, z.err
		case res.block_state == C.ISAL_BLOCK_FINISH:
			// The member's trailer matched its data: go on with the next member, if there is one.
			z.err = z.nextMember()
			if n > 0 || z.err != nil {
				return n, z.err
			}
		case n > 0:
			return n, nil
		case z.pos == z.end || used == 0:
			// ISA-L needs more input than it has.
			if z.srcErr != nil {
				z.err = noEOF(z.srcErr)
				return 0, z.err
			}
			z.fill()
		}
	}
}

func isalError(ret C.int, offset int64) error {
	switch ret {
	case C.ISAL_INCORRECT_CHECKSUM:
		return ErrChecksum
	case C.ISAL_INVALID_BLOCK, C.ISAL_INVALID_SYMBOL, C.ISAL_INVALID_LOOKBACK:
		return flate.CorruptInputError(offset)
	}
	return fmt.Errorf("inflate: ISA-L error %d at input offset %d", int(ret), offset)
}

// WriteTo writes the rest of the stream to w (io.Copy uses it), a large buffer at a time.
func (z *reader) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, 256<<10)
	var total int64
	for {
		n, err := z.Read(buf)
		if n > 0 {
			m, werr := w.Write(buf[:n])
			total += int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Close frees the reader's C memory. It may be called more than once; Read after Close fails.
func (z *reader) Close() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.mem.st != nil {
		z.cleanup.Stop()
		z.mem.free()
		z.in, z.obuf, z.out = nil, nil, nil
	}
	return nil
}
