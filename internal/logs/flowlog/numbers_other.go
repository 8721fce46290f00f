//go:build !amd64

package flowlog

import "unsafe"

// numsVec reports whether numbersVec is a vector routine: never on this architecture (parseV5Masked then
// reads the number columns one by one).
const numsVec = false

// numbersVec is numbersGo here.
func numbersVec(r *Record, p unsafe.Pointer, s int, e *[7]int) bool { return numbersGo(r, p, s, e) }
