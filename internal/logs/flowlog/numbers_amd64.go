package flowlog

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// numsVec reports whether numbersVec may run here: it uses AVX2, BMI1 and BMI2. (parseV5Masked runs only
// where the classify is a vector one, which needs them too; tests turn numsVec off to run the blocks it
// replaces.)
var numsVec = cpu.X86.HasAVX2 && cpu.X86.HasBMI1 && cpu.X86.HasBMI2

// numbersVec is numbersGo with 256-bit vectors (numbers_amd64.s); only where numsVec. It reads the 8 bytes
// of sp from byte s/8 (s <= maskWords×64+7: within sp), then the 16 bytes before each of the seven ends, all
// in [e0-16, e6), and those only once it has found that the seven columns are a line's text that it takes.
//
//go:noescape
func numbersVec(r *Record, p unsafe.Pointer, sp *[maskWords + 1]uint64, s int) (c uint64, base, next int)
