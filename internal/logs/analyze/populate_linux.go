package analyze

import (
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// populate makes the n bytes from p resident and writable now, in one system call (MADV_POPULATE_WRITE,
// Linux 5.14): see counter64.warm. The whole pages holding them are populated, which changes no byte. Where
// the kernel lacks it, nothing is done, and the pages fault in as they are touched.
func populate(p unsafe.Pointer, n uintptr) {
	if n == 0 {
		return
	}
	ps := uintptr(os.Getpagesize())
	start := uintptr(p) &^ (ps - 1)
	end := (uintptr(p) + n + ps - 1) &^ (ps - 1)
	// Addresses, not pointers: the rounded start may be before p's object. Those pages are mapped (they hold
	// p's bytes), so the kernel only fills in their page-table entries.
	unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_POPULATE_WRITE)
	runtime.KeepAlive(p)
}
