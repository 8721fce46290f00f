//go:build !amd64

package flowlog

import "unsafe"

// numsVec reports whether numbersVec is a vector routine: never on this architecture (parseV5Masked then
// reads the number columns one by one).
const numsVec = false

// numbersVec is numbersGo here.
func numbersVec(r *Record, p unsafe.Pointer, sp *[maskWords + 1]uint64, s int) (c uint64, base, next int) {
	return numbersGo(r, p, sp, s)
}
