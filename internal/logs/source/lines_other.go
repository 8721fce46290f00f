//go:build !amd64

package source

// lineEndsVec reports whether lineEndsVector is a vector loop: never on this architecture.
const lineEndsVec = false

func lineEndsVector(data []byte, from int, ends []uint32) (stop, n int, _ []uint32) {
	return lineEndsGeneric(data, from, ends)
}
