// Package inflate opens gzip streams for reading flow logs. Its one job is to inflate them as fast as the
// build allows: by default with its own pure-Go inflater (deflate.go, in the design of Eric Biggers'
// libdeflate; about twice klauspost/compress's speed on flow-log text); built with `-tags isal` (and cgo), with
// Intel ISA-L's igzip from the system library (Debian: libisal-dev), faster still.
//
// Both read concatenated gzip members as one stream (multistream, like gzip -d) and report the same kinds of
// error: io.ErrUnexpectedEOF for a truncated stream, ErrChecksum for a CRC-32 or length that does not match,
// ErrHeader for a header that is not gzip (trailing garbage after a member included), and a
// flate.CorruptInputError for invalid compressed data.
package inflate

import "compress/gzip"

// The errors both implementations return (the values klauspost/compress/gzip, the tests' reference, returns too).
var (
	ErrChecksum = gzip.ErrChecksum
	ErrHeader   = gzip.ErrHeader
)
