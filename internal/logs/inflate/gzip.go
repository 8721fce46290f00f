package inflate

import (
	"encoding/binary"
	"hash/crc32"
	"io"
)

// inSize is the input buffer: the compressed bytes read from the source at a time.
const inSize = 256 << 10

const (
	flagHdrCrc  = 1 << 1
	flagExtra   = 1 << 2
	flagName    = 1 << 3
	flagComment = 1 << 4
)

// framer reads a gzip stream's framing (RFC 1952: member headers and trailers) from the input buffer the
// inflater decodes from. It follows klauspost/compress/gzip's reader step by step (header checks, their order,
// and which error each failure gives), so that the inflaters are interchangeable with it.
type framer struct {
	src    io.Reader
	in     []byte // input buffer; in[pos:end] is read but not yet consumed
	pos    int
	end    int
	srcErr error // the source's error, once it returned one (io.EOF at its end)
	offset int64 // compressed bytes consumed, for CorruptInputError
	str    [512]byte
}

// fill reads more input after in[pos:end] (moved to the front).
func (z *framer) fill() {
	if z.pos > 0 {
		z.end = copy(z.in, z.in[z.pos:z.end])
		z.pos = 0
	}
	for tries := 0; z.srcErr == nil; tries++ {
		n, err := z.src.Read(z.in[z.end:])
		z.end += n
		if err != nil {
			z.srcErr = err
		}
		if n > 0 {
			return
		}
		if tries == 100 {
			z.srcErr = io.ErrNoProgress // as bufio.Reader says of a source that returns nothing
		}
	}
}

// buffered makes sure some input is buffered, reading more if none is; else it returns the source's error.
func (z *framer) buffered() error {
	if z.pos == z.end {
		if z.srcErr == nil {
			z.fill()
		}
		if z.pos == z.end {
			return z.srcErr
		}
	}
	return nil
}

func (z *framer) readByte() (byte, error) {
	if err := z.buffered(); err != nil {
		return 0, err
	}
	b := z.in[z.pos]
	z.pos++
	z.offset++
	return b, nil
}

// readFull fills b with io.ReadFull's errors: io.EOF only if no byte was read.
func (z *framer) readFull(b []byte) error {
	for i := range b {
		c, err := z.readByte()
		if err != nil {
			if i > 0 && err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		b[i] = c
	}
	return nil
}

// skip reads n bytes into the header digest.
func (z *framer) skip(n int, digest *uint32) error {
	for n > 0 {
		if err := z.buffered(); err != nil {
			return err
		}
		k := min(n, z.end-z.pos)
		*digest = crc32.Update(*digest, crc32.IEEETable, z.in[z.pos:z.pos+k])
		z.pos += k
		z.offset += int64(k)
		n -= k
	}
	return nil
}

// readString reads a zero-terminated header field of at most 512 bytes. Like klauspost's (and the standard
// library's), it returns the source's error as it is, io.EOF included.
func (z *framer) readString(digest *uint32) error {
	for i := 0; ; i++ {
		if i >= len(z.str) {
			return ErrHeader
		}
		c, err := z.readByte()
		if err != nil {
			return err
		}
		z.str[i] = c
		if c == 0 {
			*digest = crc32.Update(*digest, crc32.IEEETable, z.str[:i+1])
			return nil
		}
	}
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readHeader reads a member's header (RFC 1952 2.3); its deflate data follows. io.EOF means the stream ended
// cleanly before it.
func (z *framer) readHeader() error {
	var b [10]byte
	if err := z.readFull(b[:]); err != nil {
		return err
	}
	if b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 {
		return ErrHeader
	}
	flg := b[3]
	digest := crc32.ChecksumIEEE(b[:])
	if flg&flagExtra != 0 {
		if err := z.readFull(b[:2]); err != nil {
			return noEOF(err)
		}
		digest = crc32.Update(digest, crc32.IEEETable, b[:2])
		if err := z.skip(int(binary.LittleEndian.Uint16(b[:2])), &digest); err != nil {
			return noEOF(err)
		}
	}
	if flg&flagName != 0 {
		if err := z.readString(&digest); err != nil {
			return err
		}
	}
	if flg&flagComment != 0 {
		if err := z.readString(&digest); err != nil {
			return err
		}
	}
	if flg&flagHdrCrc != 0 {
		if err := z.readFull(b[:2]); err != nil {
			return noEOF(err)
		}
		if binary.LittleEndian.Uint16(b[:2]) != uint16(digest) {
			return ErrHeader
		}
	}
	if flg>>5 != 0 {
		return ErrHeader
	}
	return nil
}
