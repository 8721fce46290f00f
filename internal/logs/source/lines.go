package source

import "bytes"

// Line ends are found once per chunk, by the cutter, which must follow every line anyway (line numbers and
// header lines, see cutter): lineEnds finds them and counts them with a vector loop where the processor has
// one, and keeps their offsets (up to a bound) for the worker, which then cuts the chunk's lines without
// searching for them again. Only a line whose first byte could start a header ([a-z], blank, tab: records
// start with a number, "-" or an upper-case word unless their format's first field is lower-case text) needs
// a closer look, which the cutter takes line by line.

// headStart reports whether a line starting with b could be a header line (see cutter.scan).
func headStart(b byte) bool { return b-'a' <= 'z'-'a' || b == ' ' || b == '\t' }

// lineEnds follows data from offset from, which starts a line, to the next line start after it whose first
// byte could start a header (headStart). It returns that line's offset (stop; len(data) when there is none),
// the number of newlines in data[from:stop], and ends with the offset of each of those newlines appended
// while ends has room (cap(ends)): once full it stays full, so that ends always holds the first newlines
// of the chunk, in order, and the caller knows where they stop.
func lineEnds(data []byte, from int, ends []uint32) (stop, n int, _ []uint32) {
	if lineEndsVec {
		return lineEndsVector(data, from, ends)
	}
	return lineEndsGeneric(data, from, ends)
}

// lineEndsGeneric is lineEnds with bytes.IndexByte, one line at a time: the reference for the vector loop.
func lineEndsGeneric(data []byte, from int, ends []uint32) (stop, n int, _ []uint32) {
	for i := from; ; {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return len(data), n, ends
		}
		i += j
		if len(ends) < cap(ends) {
			ends = append(ends, uint32(i))
		}
		n++
		if i++; i < len(data) && headStart(data[i]) {
			return i, n, ends
		}
	}
}
