//go:build !amd64 && !arm64

package analyze

import "unsafe"

// prefetchBlock does nothing on this architecture: a lagged table then costs its queue, and works the same.
func prefetchBlock(unsafe.Pointer) {}

func prefetchHomes(unsafe.Pointer, *[lagLen]lagEntry) {}
