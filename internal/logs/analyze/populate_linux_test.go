package analyze

import (
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestPopulate: populate makes resident exactly the pages holding the bytes given, and changes none of them.
func TestPopulate(t *testing.T) {
	ps := os.Getpagesize()
	mem, err := unix.Mmap(-1, 0, 16*ps, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Skip(err)
	}
	defer unix.Munmap(mem)
	resident := func() []bool {
		vec := make([]byte, 16)
		if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&mem[0])), uintptr(len(mem)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
			t.Skip(errno)
		}
		r := make([]bool, 16)
		for i, v := range vec {
			r[i] = v&1 != 0
		}
		return r
	}
	for i, r := range resident() {
		if r {
			t.Skipf("page %d of a new map already resident", i)
		}
	}
	// From the middle of page 3 to the first byte of page 7: pages 3 to 7.
	populate(unsafe.Pointer(&mem[3*ps+ps/2]), uintptr(4*ps-ps/2+1))
	for i, r := range resident() {
		if want := i >= 3 && i <= 7; r != want {
			if i == 3 && !r {
				t.Skip("MADV_POPULATE_WRITE not supported by this kernel")
			}
			t.Fatalf("page %d resident %v, want %v", i, r, want)
		}
	}
	for i, b := range mem {
		if b != 0 {
			t.Fatalf("byte %d is %d", i, b)
		}
	}
}
