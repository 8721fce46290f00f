//go:build !amd64

package flowlog

import "unsafe"

// ipv4Vec reports whether ipv4SpanVec is a vector routine: never on this architecture.
const ipv4Vec = false

// ipv4SpanVec is ipv4SpanGo here.
func ipv4SpanVec(q unsafe.Pointer, k int) (uint32, bool) { return ipv4SpanGo(q, k) }

// ipv4PairVec is ipv4SpanGo on both spans here (parseV5Masked does not call it: ipv4Vec is false).
func ipv4PairVec(q unsafe.Pointer, k0, k1 int) (a0, a1 uint32, ok bool) {
	a0, ok0 := ipv4SpanGo(q, k0)
	a1, ok1 := ipv4SpanGo(unsafe.Add(q, k0+1), k1)
	return a0, a1, ok0 && ok1
}
