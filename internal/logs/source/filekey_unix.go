//go:build unix

package source

import (
	"os"
	"syscall"
)

// keyOf is the device and inode of st.
func keyOf(st os.FileInfo) (fileKey, bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{dev: uint64(s.Dev), ino: uint64(s.Ino)}, true //nolint:unconvert // int32 on some systems
}
