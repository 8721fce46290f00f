//go:build !(isal && cgo)

package inflate

import (
	"compress/flate"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

// Name says which inflater is compiled in.
func Name() string { return "flowguard pure-Go inflater (libdeflate-style)" }

// NewReader reads the gzip stream r (all its members) and returns the uncompressed bytes. Close releases the
// reader; it does not close r.
func NewReader(r io.Reader) (io.ReadCloser, error) {
	z := &decoder{framer: framer{src: r, in: make([]byte, inSize)}, buf: make([]byte, bufSize)}
	if err := z.readHeader(); err != nil {
		return nil, err
	}
	z.startMember()
	return z, nil
}

const (
	winSize  = 32 << 10 // the farthest a match reaches back
	maxMatch = 258
	// outSlack is how far past a match's end its word copies may write.
	outSlack = 32
	// bufSize is the output buffer: the window, then new output until less than a match's room is left.
	bufSize = winSize + 256<<10 + maxMatch + outSlack
	// outLimit: decoding stops once the output reaches it, so that a match (and its overshoot) always fits.
	outLimit = bufSize - maxMatch - outSlack
	// inMargin: the fast loop runs while this much input is left after its position, for a refill of the bit
	// buffer (8 bytes read, 7 consumed at most) without checks.
	inMargin = 16
)

const (
	stBlock   = iota // a block header is next
	stStored         // in a stored block, storedLeft bytes to go
	stHuffman        // in a Huffman block (tables lit and dist)
)

var errClosed = errors.New("inflate: read after Close")

// decoder inflates gzip members (RFC 1951 deflate data) into buf, which keeps the last 32 KiB of output for
// matches and slides when full, and hands buf[rp:op] to its reader. Memory is bounded whatever the input: the
// input buffer, buf and the tables.
//
// The design is libdeflate's: a 64-bit bit buffer refilled with one 8-byte load, decode tables that give a
// literal (or two, as ISA-L's do) or a length with its extra bits in one lookup, matches copied a word at a
// time, and a fast loop that never checks for the end of the input or of the bits within a symbol, because it
// runs only while the input has room for a refill and refills before every symbol that could need it; near
// the end of the input, a careful path decodes one symbol at a time. It uses no unsafe code: Go's bounds
// checks stay where the compiler cannot drop them.
type decoder struct {
	framer
	bb uint64 // bit buffer: its low bl bits are input not yet consumed; above them, zeros or bits of in[pos:]
	bl uint

	buf    []byte
	op     int // output end
	rp     int // buf[rp:op] is not yet read
	wstart int // where the current member's output starts in buf (negative once slid out)
	crcPos int // buf[crcPos:op] is not yet in crc
	crc    uint32
	size   uint32

	state      int
	final      bool
	storedLeft int
	lit        *[litTableSize]uint32 // tables of the current Huffman block: own* or fixed*
	dist       *[distTableSize]uint32
	ownLit     [litTableSize]uint32
	ownDist    [distTableSize]uint32
	lens       [286 + 30]uint8

	err    error // sticky: Read returns it once buf[rp:op] is read
	closed bool
}

func (z *decoder) startMember() {
	z.state, z.final = stBlock, false
	z.wstart, z.crcPos, z.crc, z.size = z.op, z.op, 0, 0
}

func (z *decoder) corrupt() error { return flate.CorruptInputError(z.offset) }

// Bit input outside the fast loop.

// refill moves input into the bit buffer a byte at a time until it holds at least 56 bits or the input ends,
// reading more from the source when the buffer is short.
func (z *decoder) refill() {
	z.bb &= 1<<z.bl - 1
	if z.end-z.pos < 8 && z.srcErr == nil {
		z.fillInput()
	}
	for z.bl < 56 && z.pos < z.end {
		z.bb |= uint64(z.in[z.pos]) << z.bl
		z.pos++
		z.offset++
		z.bl += 8
	}
}

// fillInput gives the bit buffer's whole bytes back to the input (they are still in it), then reads more.
func (z *decoder) fillInput() {
	z.giveBack()
	for z.end-z.pos < inMargin && z.srcErr == nil {
		z.fill()
	}
}

func (z *decoder) giveBack() {
	k := z.bl >> 3
	z.pos -= int(k)
	z.offset -= int64(k)
	z.bl &= 7
	z.bb &= 1<<z.bl - 1
}

// bits consumes n ≤ 32 bits; io.ErrUnexpectedEOF if the input ends first.
func (z *decoder) bits(n uint) (uint32, error) {
	if z.bl < n {
		z.refill()
		if z.bl < n {
			return 0, io.ErrUnexpectedEOF
		}
	}
	v := uint32(z.bb & (1<<n - 1))
	z.bb >>= n
	z.bl -= n
	return v, nil
}

// symbol decodes a symbol with table t (main table of tableBits bits) and consumes it with its extra bits,
// which it returns.
func (z *decoder) symbol(t []uint32, tableBits uint) (e uint32, extra uint32, err error) {
	z.refill()
	v := z.bb & (1<<z.bl - 1) // bits past the input's end are zero
	e = t[v&(1<<tableBits-1)]
	if e&fSub != 0 {
		if z.bl < tableBits {
			return 0, 0, io.ErrUnexpectedEOF
		}
		z.bb >>= tableBits
		z.bl -= tableBits
		v >>= tableBits
		e = t[e>>16+uint32(v)&(1<<(e>>8&15)-1)]
	}
	if e&(fLit|fVal|fEOB) == 0 {
		return 0, 0, z.corrupt()
	}
	n := uint(e & 63)
	if n > z.bl {
		return 0, 0, io.ErrUnexpectedEOF
	}
	extra = uint32(z.bb&(1<<n-1)) >> (e >> 8 & 15)
	z.bb >>= n
	z.bl -= n
	return e, extra, nil
}

// Decoding.

// decode inflates into buf until buf reaches outLimit, the stream ends (z.err = io.EOF) or fails.
func (z *decoder) decode() {
	for z.err == nil && z.op < outLimit {
		switch z.state {
		case stBlock:
			z.err = z.blockHeader()
		case stStored:
			z.err = z.stored()
		case stHuffman:
			z.err = z.huffman()
		}
	}
	z.checksum()
}

func (z *decoder) checksum() {
	z.crc = crc32.Update(z.crc, crc32.IEEETable, z.buf[z.crcPos:z.op])
	z.size += uint32(z.op - z.crcPos)
	z.crcPos = z.op
}

// endBlock goes on after a block: with the next block, or after the last with the member's trailer and the
// next member's header.
func (z *decoder) endBlock() error {
	z.state = stBlock
	if !z.final {
		return nil
	}
	z.giveBack()
	z.bb, z.bl = 0, 0
	z.checksum()
	var t [8]byte
	if err := z.readFull(t[:]); err != nil {
		return noEOF(err)
	}
	if binary.LittleEndian.Uint32(t[:4]) != z.crc || binary.LittleEndian.Uint32(t[4:]) != z.size {
		return ErrChecksum
	}
	if err := z.readHeader(); err != nil {
		return err
	}
	z.startMember()
	return nil
}

func (z *decoder) blockHeader() error {
	h, err := z.bits(3)
	if err != nil {
		return err
	}
	z.final = h&1 == 1
	switch h >> 1 {
	case 0:
		z.bb >>= z.bl & 7 // to a byte boundary
		z.bl &^= 7
		n, err := z.bits(16)
		if err != nil {
			return err
		}
		nn, err := z.bits(16)
		if err != nil {
			return err
		}
		if uint16(nn) != ^uint16(n) {
			return z.corrupt()
		}
		z.giveBack() // the data comes from the input buffer directly
		z.storedLeft = int(n)
		z.state = stStored
		return nil
	case 1:
		z.lit, z.dist = fixedLit, fixedDist
	case 2:
		if err := z.dynamicTables(); err != nil {
			return err
		}
		pairLiterals(z.ownLit[:1<<litBits])
		z.lit, z.dist = &z.ownLit, &z.ownDist
	default:
		return z.corrupt()
	}
	z.state = stHuffman
	return nil
}

// codeOrder is the order of the code-length code's lengths in a dynamic block header.
var codeOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamicTables reads a dynamic block's codes (RFC 1951 3.2.7) into ownLit and ownDist, with
// klauspost/compress's checks in its order.
func (z *decoder) dynamicTables() error {
	h, err := z.bits(14)
	if err != nil {
		return err
	}
	nlit, ndist, nclen := int(h&31)+257, int(h>>5&31)+1, int(h>>10)+4
	if nlit > 286 || ndist > 30 {
		return z.corrupt()
	}
	var preLens [19]uint8
	for _, s := range codeOrder[:nclen] {
		v, err := z.bits(3)
		if err != nil {
			return err
		}
		preLens[s] = uint8(v)
	}
	var pre [1 << preBits]uint32
	if !buildTable(pre[:], preBits, preLens[:], preResults[:]) {
		return z.corrupt()
	}
	lens := z.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		e, _, err := z.symbol(pre[:], preBits)
		if err != nil {
			return err
		}
		s := e >> 16
		if s < 16 {
			lens[i] = uint8(s)
			i++
			continue
		}
		var rep, nb uint32
		var l uint8
		switch s {
		case 16:
			if i == 0 {
				return z.corrupt()
			}
			rep, nb, l = 3, 2, lens[i-1]
		case 17:
			rep, nb = 3, 3
		default:
			rep, nb = 11, 7
		}
		x, err := z.bits(uint(nb))
		if err != nil {
			return err
		}
		rep += x
		if i+int(rep) > len(lens) {
			return z.corrupt()
		}
		for range rep {
			lens[i] = l
			i++
		}
	}
	if !buildTable(z.ownLit[:], litBits, lens[:nlit], litResults[:]) || !buildTable(z.ownDist[:], distBits, lens[nlit:], distResults[:]) {
		return z.corrupt()
	}
	return nil
}

// stored copies a stored block's bytes from the input.
func (z *decoder) stored() error {
	for z.storedLeft > 0 && z.op < outLimit {
		if err := z.buffered(); err != nil {
			return noEOF(err)
		}
		n := copy(z.buf[z.op:min(z.op+z.storedLeft, outLimit)], z.in[z.pos:z.end])
		z.op += n
		z.pos += n
		z.offset += int64(n)
		z.storedLeft -= n
	}
	if z.storedLeft == 0 {
		return z.endBlock()
	}
	return nil
}

// huffman decodes a Huffman block: in the fast loop while the input has room, else a symbol at a time.
func (z *decoder) huffman() error {
	for z.op < outLimit {
		if z.end-z.pos < inMargin && z.srcErr == nil {
			z.fillInput()
		}
		var done bool
		var err error
		if z.end-z.pos >= inMargin {
			done, err = z.fast()
		} else {
			done, err = z.careful()
		}
		if err != nil {
			return err
		}
		if done {
			return z.endBlock()
		}
	}
	return nil
}

// careful decodes one symbol with every check.
func (z *decoder) careful() (done bool, err error) {
	e, extra, err := z.symbol(z.lit[:], litBits)
	switch {
	case err != nil:
		return false, err
	case e&fLit != 0:
		binary.LittleEndian.PutUint16(z.buf[z.op:], uint16(e>>16))
		z.op += int(e >> 8 & 3)
		return false, nil
	case e&fEOB != 0:
		return true, nil
	}
	length := int(e>>16 + extra)
	d, extra, err := z.symbol(z.dist[:], distBits)
	if err != nil {
		return false, err
	}
	dist := int(d>>16 + extra)
	if dist > z.op-z.wstart {
		return false, z.corrupt()
	}
	copyMatch(z.buf, z.op, dist, length)
	z.op += length
	return false, nil
}

// fast decodes symbols while the input has inMargin bytes left and the output is below outLimit. At the top
// of each iteration the bit buffer holds at least 48 bits, which is the most a length and a distance take
// (15 + 5 and 15 + 13).
func (z *decoder) fast() (done bool, err error) {
	in, buf, lit, dist := z.in, z.buf, z.lit, z.dist
	bb, bl, pos, op := z.bb, z.bl, z.pos, z.op
	inEnd := z.end - inMargin
	startPos, wstart := pos, z.wstart
	for op < outLimit {
		if bl < 48 {
			if pos > inEnd {
				break
			}
			bb |= binary.LittleEndian.Uint64(in[pos:]) << (bl & 63)
			pos += 7 - int(bl>>3)
			bl |= 56
		}
		e := lit[bb&(1<<litBits-1)]
		if e&fSub != 0 {
			bb >>= litBits
			bl -= litBits
			e = lit[(e>>16+uint32(bb)&(1<<(e>>8&15)-1))&(litTableSize-1)]
		}
		saved := bb
		bb >>= e & 63
		bl -= uint(e & 63)
		if e&fLit != 0 {
			binary.LittleEndian.PutUint16(buf[op:], uint16(e>>16)) // the second byte is output or slack
			op += int(e >> 8 & 3)
			continue
		}
		if e&fVal == 0 {
			if e&fEOB != 0 {
				done = true
			} else {
				err = flate.CorruptInputError(z.offset + int64(pos-startPos))
			}
			break
		}
		length := int(e>>16) + int(saved&(1<<(e&31)-1)>>(e>>8&15))

		d := dist[bb&(1<<distBits-1)]
		if d&fSub != 0 {
			bb >>= distBits
			bl -= distBits
			d = dist[(d>>16+uint32(bb)&(1<<(d>>8&15)-1))&(distTableSize-1)]
		}
		saved = bb
		bb >>= d & 63
		bl -= uint(d & 63)
		if d&fVal == 0 {
			err = flate.CorruptInputError(z.offset + int64(pos-startPos))
			break
		}
		dst := int(d>>16) + int(saved&(1<<(d&31)-1)>>(d>>8&15))
		if dst > op-wstart {
			err = flate.CorruptInputError(z.offset + int64(pos-startPos))
			break
		}
		if dst >= 16 { // the common case, inlined
			copyFar(buf, op, op-dst, length)
		} else {
			copyMatch(buf, op, dst, length)
		}
		op += length
	}
	z.bb, z.bl, z.pos, z.op = bb, bl, pos, op
	z.offset += int64(pos - startPos)
	return done, err
}

// copyMatch copies length bytes from dist back to buf[op:]: a word at a time where the distance allows,
// writing up to outSlack bytes past the end (output not yet made, overwritten later).
func copyMatch(buf []byte, op, dist, length int) {
	src := op - dist
	switch {
	case dist >= 16:
		copyFar(buf, op, src, length)
	case dist >= 8:
		for i := 0; i < length; i += 8 {
			binary.LittleEndian.PutUint64(buf[op+i:], binary.LittleEndian.Uint64(buf[src+i:]))
		}
	case dist == 1:
		v := uint64(buf[src]) * 0x0101010101010101
		for i := 0; i < length; i += 8 {
			binary.LittleEndian.PutUint64(buf[op+i:], v)
		}
	default:
		d := buf[op : op+length]
		s := buf[src : src+len(d)]
		for i := range d {
			d[i] = s[i]
		}
	}
}

// copyFar copies a match whose distance is at least 16, 16 bytes at a time.
func copyFar(buf []byte, op, src, length int) {
	for i, j := op, src; i < op+length; i, j = i+16, j+16 {
		d, s := buf[i:i+16], buf[j:j+16]
		binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(s))
		binary.LittleEndian.PutUint64(d[8:], binary.LittleEndian.Uint64(s[8:]))
	}
}

// Reading.

// slide keeps the window and makes room after it.
func (z *decoder) slide() {
	shift := z.op - winSize
	copy(z.buf, z.buf[shift:z.op])
	z.op -= shift
	z.rp -= shift
	z.crcPos -= shift
	z.wstart -= shift
}

// more decodes more output, first sliding the window down when the buffer is full.
func (z *decoder) more() {
	if z.op >= outLimit {
		z.slide()
	}
	z.decode()
}

func (z *decoder) Read(p []byte) (int, error) {
	if z.closed {
		return 0, errClosed
	}
	for z.rp == z.op {
		if z.err != nil || len(p) == 0 {
			return 0, z.err
		}
		z.more()
	}
	n := copy(p, z.buf[z.rp:z.op])
	z.rp += n
	return n, nil
}

// WriteTo writes the rest of the stream to w (io.Copy uses it) straight from the output buffer.
func (z *decoder) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for !z.closed {
		if z.rp < z.op {
			n, err := w.Write(z.buf[z.rp:z.op])
			total += int64(n)
			z.rp += n
			if err != nil {
				return total, err
			}
			continue
		}
		if z.err == io.EOF {
			return total, nil
		}
		if z.err != nil {
			return total, z.err
		}
		z.more()
	}
	return total, errClosed
}

// Close releases the buffers. It may be called more than once; Read after Close fails.
func (z *decoder) Close() error {
	z.closed = true
	z.in, z.buf = nil, nil
	return nil
}
