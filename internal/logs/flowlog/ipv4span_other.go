//go:build !amd64

package flowlog

import "unsafe"

// ipv4Vec reports whether ipv4SpanVec is a vector routine: never on this architecture.
const ipv4Vec = false

// ipv4SpanVec is ipv4SpanGo here.
func ipv4SpanVec(q unsafe.Pointer, k int) (uint32, bool) { return ipv4SpanGo(q, k) }
