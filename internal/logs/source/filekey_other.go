//go:build !unix

package source

import "os"

// keyOf: no device and inode here; loops are still found (os.SameFile against the parents).
func keyOf(os.FileInfo) (fileKey, bool) { return fileKey{}, false }
