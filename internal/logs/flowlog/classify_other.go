//go:build !amd64

package flowlog

import "unsafe"

// classifyVec reports whether classifyVecAsm is a vector classify: never on this architecture.
const classifyVec = false

// classifyVecAsm is classifyGeneric here (m.pair not read).
func classifyVecAsm(m *lineMasks, line []byte, _ unsafe.Pointer) { classifyGeneric(m, line) }
