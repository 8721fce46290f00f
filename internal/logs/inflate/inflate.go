// Package inflate opens gzip streams for reading flow logs. Its one job is to pick the inflater compiled in:
// by default github.com/klauspost/compress/gzip (pure Go); built with `-tags isal` (and cgo), Intel ISA-L's
// igzip from the system library (Debian: libisal-dev), about 3× faster on flow-log text.
//
// Both read concatenated gzip members as one stream (multistream, like gzip -d) and report the same kinds of
// error: io.ErrUnexpectedEOF for a truncated stream, ErrChecksum for a CRC-32 or length that does not match,
// ErrHeader for a header that is not gzip (trailing garbage after a member included), and a
// flate.CorruptInputError for invalid compressed data.
package inflate

import "compress/gzip"

// The errors both implementations return (the values klauspost/compress/gzip returns too).
var (
	ErrChecksum = gzip.ErrChecksum
	ErrHeader   = gzip.ErrHeader
)
