package flowlog

import (
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestClassifyAVX2GuardPages classifies lines of every length that end exactly at the end of a readable
// page followed by an inaccessible one, and lines that start exactly at the start of a readable page
// preceded by an inaccessible one: a load past the line's end, or before its start in another page, would
// crash the test.
func TestClassifyAVX2GuardPages(t *testing.T) {
	needAVX2(t)
	page, ps := guardedPage(t), os.Getpagesize()
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 0; n <= maskWords*64; n++ {
		for _, line := range [][]byte{page[ps-n:], page[:n:n]} {
			randomLine(rng, line)
			checkClassify(t, "avx2", classifyAVX2, randomMasks(rng), line)
			checkClassify(t, "generic", classifyGeneric, randomMasks(rng), line)
		}
	}
}

// guardedPage returns a readable and writable page between two inaccessible ones, unmapped at the test's end:
// a load before its start or past its end crashes the test.
func guardedPage(t *testing.T) []byte {
	ps := os.Getpagesize()
	mem, err := syscall.Mmap(-1, 0, 3*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	for _, guard := range [][]byte{mem[:ps], mem[2*ps:]} {
		if err := syscall.Mprotect(guard, syscall.PROT_NONE); err != nil {
			t.Fatal(err)
		}
	}
	return mem[ps : 2*ps]
}

// classifyCPUTime is the process's CPU time, for the benchmarks' cpu-ns/line on a shared machine.
func classifyCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
