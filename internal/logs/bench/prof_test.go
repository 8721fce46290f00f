package bench

import (
	"os"
	"runtime/pprof"
	"testing"
)

func TestProfile(t *testing.T) {
	if os.Getenv("PROF") == "" {
		t.Skip()
	}
	ds, err := Generate(t.TempDir(), 256<<20, true)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create("/tmp/pipe.prof")
	pprof.StartCPUProfile(f)
	for i := 0; i < 2; i++ {
		r, err := ds.Pipeline("x", ds.Plain, 1)
		t.Log(r.RecordsPerCPUSec(), err)
	}
	pprof.StopCPUProfile()
}
