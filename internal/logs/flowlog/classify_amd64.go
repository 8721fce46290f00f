package flowlog

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

func init() { classifyImpl = classifyFor(cpu.X86.HasAVX2, cpu.X86.HasBMI2) }

// classifyVec reports whether classifyVecAsm may run here: classifyImpl is classifyAVX2, and the processor
// has the BMI1 instructions that its reading of m.pair uses (every one with BMI2 has).
var classifyVec = cpu.X86.HasAVX2 && cpu.X86.HasBMI2 && cpu.X86.HasBMI1

// classifyVecAsm is the vector classify without the length check (the caller's: len(line) <= maskWords×64),
// for Parse's direct call: the call through classifyImpl and classifyAVX2 cost a sixth of classify. With p
// (the line's bytes with maskedPad readable bytes after them), it also reads m.pair.
func classifyVecAsm(m *lineMasks, line []byte, p unsafe.Pointer) { classifyAVX2Asm(m, line, p) }

// classifyFor is the classify for a processor with (or without) AVX2 and BMI2: the vector one needs both.
func classifyFor(avx2, bmi2 bool) func(*lineMasks, []byte) {
	if avx2 && bmi2 {
		return classifyAVX2
	}
	return classifyGeneric
}

// classifyAVX2 is classify with AVX2 (classify_amd64.s), 64 bytes per step. It costs no more calls than
// installing the assembly itself in classifyImpl would: a Go function value of an assembly function is a
// wrapper too.
func classifyAVX2(m *lineMasks, line []byte) {
	if len(line) > maskWords*64 {
		panic("flowlog: classify: line too long")
	}
	classifyAVX2Asm(m, line, nil)
}

// classifyAVX2Asm is classifyAVX2 without the length check (len(line) <= maskWords×64), and with p (nil or
// the line's bytes with maskedPad readable bytes after them) the reading of m.pair. It reads memory only
// within the 4 KiB pages that hold line's bytes, never past them, and the spans of m.pair at p; see
// classify_amd64.s.
//
//go:noescape
func classifyAVX2Asm(m *lineMasks, line []byte, p unsafe.Pointer)
