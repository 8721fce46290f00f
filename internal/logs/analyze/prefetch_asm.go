//go:build amd64 || arm64

package analyze

import "unsafe"

// prefetch asks the CPU to bring p's cache line in, without waiting for it (PREFETCHT0, PRFM PLDL1KEEP).
//
//go:noescape
func prefetch(p unsafe.Pointer)
