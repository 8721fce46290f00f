//go:build !amd64

package flowlog

// classifyVec reports whether classifyVecAsm is a vector classify: never on this architecture.
const classifyVec = false

// classifyVecAsm is classifyGeneric here.
func classifyVecAsm(m *lineMasks, line []byte) { classifyGeneric(m, line) }
