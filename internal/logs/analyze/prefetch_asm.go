//go:build amd64 || arm64

package analyze

import "unsafe"

// prefetch asks the CPU to bring p's cache line in, without waiting for it (PREFETCHT0, PRFM PLDL1KEEP).
//
//go:noescape
func prefetch(p unsafe.Pointer)

// prefetchBlock is prefetch of the 4 cache lines from p on (256 bytes): one call, where calls are what
// costs (a call to assembly spills the caller's registers).
//
//go:noescape
func prefetchBlock(p unsafe.Pointer)
