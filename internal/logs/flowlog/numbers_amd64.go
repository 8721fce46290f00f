package flowlog

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// numsVec reports whether numbersVec may run here: it uses AVX2. (parseV5Masked runs only where the classify
// is a vector one, which needs AVX2 too; tests turn numsVec off to run the blocks it replaces.)
var numsVec = cpu.X86.HasAVX2

// numbersVec is numbersGo with 256-bit vectors (numbers_amd64.s); only where numsVec. It reads the 16 bytes
// before each of the seven ends, all in [e[0]-16, e[6]), and nothing before checking the lengths.
//
//go:noescape
func numbersVec(r *Record, p unsafe.Pointer, s int, e *[7]int) bool
