//go:build amd64 || arm64

package analyze

import "unsafe"

// prefetchBlock asks the CPU to bring in the 4 cache lines from p on (256 bytes), without waiting for them
// (PREFETCHT0, PRFM PLDL1KEEP): one call, where calls are what costs (a call to assembly spills the caller's
// registers).
//
//go:noescape
func prefetchBlock(p unsafe.Pointer)

// prefetchHomes prefetches the home slots of a batch of queued adds: slots is the table's first slot, and the
// assembly reads each entry's i at offset 16 of its 24 bytes (lagged.go checks the layout when compiled). A
// prefetch never faults, whatever the address.
//
//go:noescape
func prefetchHomes(slots unsafe.Pointer, es *[lagLen]lagEntry)
