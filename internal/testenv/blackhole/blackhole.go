// Package blackhole gives tests a loopback address that never answers a connect: a listening socket whose
// accept queue is full, so that Linux drops further SYNs, as a firewall that drops packets (rather than
// refusing them) does.
package blackhole

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Listen returns 127.0.0.1:PORT of such a socket, closed when t ends.
func Listen(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil { // never accepted: the queue is full after one connection
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
	// Fill the queue until a connect goes unanswered.
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Fatalf("filling the accept queue: %v", err)
			}
			return addr
		}
		t.Cleanup(func() { c.Close() })
		if i > 64 {
			t.Fatal("the accept queue of a listen(fd, 0) socket never filled")
		}
	}
}
