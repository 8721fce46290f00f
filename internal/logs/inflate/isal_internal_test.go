//go:build isal && cgo

package inflate

import (
	"bytes"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

func gzipped(t *testing.T, text []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(text)
	zw.Close()
	return b.Bytes()
}

// TestCMemoryFreed: Close frees the C memory once however often it is called, a failed NewReader frees it,
// and a reader dropped without Close is freed by its cleanup.
func TestCMemoryFreed(t *testing.T) {
	runtime.GC()
	base := live.Load()
	data := gzipped(t, bytes.Repeat([]byte("10.0.0.1 10.0.0.2 443 ACCEPT\n"), 1000))
	zr, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := live.Load(); got != base+1 {
		t.Fatalf("live readers %d after NewReader, want %d", got, base+1)
	}
	zr.Close()
	zr.Close()
	if got := live.Load(); got != base {
		t.Fatalf("live readers %d after Close twice, want %d", got, base)
	}
	if _, err := NewReader(bytes.NewReader([]byte("not gzip at all"))); err == nil {
		t.Fatal("NewReader accepted text")
	}
	if got := live.Load(); got != base {
		t.Fatalf("live readers %d after a failed NewReader, want %d", got, base)
	}
	for range 10 {
		zr, err := NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, zr, 100)
	}
	for i := 0; live.Load() != base && i < 100; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := live.Load(); got != base {
		t.Fatalf("live readers %d after dropping 10 unclosed readers and GC, want %d", got, base)
	}
}
