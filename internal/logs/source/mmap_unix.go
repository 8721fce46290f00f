//go:build unix

package source

import (
	"os"

	"golang.org/x/sys/unix"
)

const canMap = true

// mapRegion maps n > 0 bytes of f read-only from off (a multiple of the page size). (A variable so that
// tests can put inaccessible pages around the map.)
var mapRegion = func(f *os.File, off int64, n int) (mem []byte, unmap func(), err error) {
	mem, err = unix.Mmap(int(f.Fd()), off, n, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return mem, func() { unix.Munmap(mem) }, nil
}
