//go:build !(isal && cgo)

package inflate

import (
	"io"

	"github.com/klauspost/compress/gzip"
)

// Name says which inflater is compiled in.
func Name() string { return "klauspost/compress/gzip" }

// NewReader reads the gzip stream r (all its members) and returns the uncompressed bytes. Close releases the
// reader; it does not close r.
func NewReader(r io.Reader) (io.ReadCloser, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	return zr, nil
}
