package source

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// lineEndsVec reports whether lineEndsVector runs the AVX2 loop (lines_amd64.s).
var lineEndsVec = cpu.X86.HasAVX2 && cpu.X86.HasBMI1

// lineEndsVector is lineEnds with AVX2: 64 bytes compared with '\n' per step, then one short step per newline.
func lineEndsVector(data []byte, from int, ends []uint32) (stop, n int, _ []uint32) {
	room := ends[:cap(ends)]
	stop, n, k := lineEndsAVX2(unsafe.SliceData(data), len(data), from, unsafe.SliceData(room), len(ends), cap(ends))
	return stop, n, ends[:k]
}

// lineEndsAVX2 is lineEnds over the n bytes at p from offset from, storing newline offsets at ends[stored:room]
// and returning the new count of them, k. It reads only bytes before p+n.
//
//go:noescape
func lineEndsAVX2(p *byte, n, from int, ends *uint32, stored, room int) (stop, count, k int)
