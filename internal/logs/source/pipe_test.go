package source

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
	"github.com/flowguard/flowguard/internal/logs/gen"
)

func gzipped(t *testing.T, records int) (plain, gz []byte) {
	t.Helper()
	var p, z bytes.Buffer
	if err := gen.New(gen.Config{Seed: 9, Records: records}).WriteStream(&p, true); err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(&z)
	zw.Write(p.Bytes())
	zw.Close()
	return p.Bytes(), z.Bytes()
}

// The pipe hands over exactly the bytes of the stream, across many buffers, whatever the read sizes.
func TestPipeReadsTheWholeStream(t *testing.T) {
	plain, gz := gzipped(t, 40000) // several MiB: many ring buffers
	if len(plain) < 4*pipeBufSize {
		t.Fatalf("%d bytes: not enough to cycle the ring", len(plain))
	}
	zr, _ := gzip.NewReader(bytes.NewReader(gz))
	p := newPipe(zr)
	defer p.Close()
	var got bytes.Buffer
	buf := make([]byte, 7777)
	for {
		n, err := p.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), plain) {
		t.Fatalf("got %d bytes, want %d", got.Len(), len(plain))
	}
}

// A stream corrupt in the middle: the records before the damage are read, and the error is reported.
func TestPipeCorruptStream(t *testing.T) {
	_, gz := gzipped(t, 40000)
	bad := append([]byte{}, gz[:len(gz)/2]...) // truncated
	var n int64
	st, err := ReadStream(context.Background(), bytes.NewReader(bad), "half.gz", flowlog.Options{}, func(*flowlog.Record) { n++ })
	if err == nil || !strings.Contains(err.Error(), "half.gz") || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err %v", err)
	}
	if n == 0 || st.Records != n || n >= 40000 {
		t.Errorf("%d records before the damage (stats %d)", n, st.Records)
	}
}

// A read abandoned early (a malformed line in strict mode, after a few records) stops the inflating goroutine
// while it still has most of the stream to inflate: none is left behind.
func TestPipeStopsWhenAbandoned(t *testing.T) {
	plain, _ := gzipped(t, 40000)
	i := bytes.IndexByte(plain, '\n') + 1
	i += bytes.IndexByte(plain[i:], '\n') + 1
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(plain[:i])
	zw.Write([]byte("garbage line\n"))
	zw.Write(plain[i:])
	zw.Close()
	before := runtime.NumGoroutine()
	for range 20 {
		var n int
		_, err := ReadStream(context.Background(), bytes.NewReader(z.Bytes()), "x.gz", flowlog.Options{Strict: true}, func(*flowlog.Record) { n++ })
		var me *flowlog.MalformedError
		if !errors.As(err, &me) || n != 1 {
			t.Fatalf("err %v after %d records", err, n)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Errorf("%d goroutines, %d before: inflaters left running", g, before)
	}
}
