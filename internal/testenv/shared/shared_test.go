package shared

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

type fakeServer struct{ closed int }

func (f *fakeServer) Close() error { f.closed++; return nil }

// fakeTB records Fatalf instead of stopping the goroutine.
type fakeTB struct {
	mu    sync.Mutex
	fatal []string
}

func (t *fakeTB) Helper()                  {}
func (t *fakeTB) Context() context.Context { return context.Background() }
func (t *fakeTB) Fatalf(f string, a ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fatal = append(t.fatal, fmt.Sprintf(f, a...))
}

type run struct{ n int }

func (r run) Run() int { return r.n }

// Started once however many tests ask, concurrently; the same server to each; closed once by Main.
func TestStartedOnceClosedByMain(t *testing.T) {
	starts := 0
	srv := &fakeServer{}
	p := New("fake", func(context.Context) (*fakeServer, error) { starts++; return srv, nil })
	var wg sync.WaitGroup
	tb := &fakeTB{}
	for range 8 {
		wg.Go(func() {
			if got := p.Get(tb); got != srv {
				t.Errorf("got %p, want %p", got, srv)
			}
		})
	}
	wg.Wait()
	if starts != 1 || len(tb.fatal) != 0 {
		t.Errorf("starts %d, fatal %q", starts, tb.fatal)
	}
	if code := p.Main(run{3}); code != 3 || srv.closed != 1 {
		t.Errorf("Main: code %d, closed %d", code, srv.closed)
	}
}

// A failed start fails every test that asks, with the server's name, and is not retried; Main closes
// nothing; a server never asked for is never started.
func TestFailedStartFailsEveryCaller(t *testing.T) {
	starts, half := 0, &fakeServer{}
	p := New("fake", func(context.Context) (*fakeServer, error) { starts++; return half, errors.New("not installed") })
	a, b := &fakeTB{}, &fakeTB{}
	p.Get(a)
	p.Get(b)
	if starts != 1 || len(a.fatal) != 1 || a.fatal[0] != "fake: not installed" || len(b.fatal) != 1 {
		t.Errorf("starts %d, fatal %q %q", starts, a.fatal, b.fatal)
	}
	if p.Main(run{0}); half.closed != 0 {
		t.Errorf("Main closed a server that failed to start")
	}

	idle := New("idle", func(context.Context) (*fakeServer, error) { t.Error("started"); return nil, nil })
	if code := idle.Main(run{1}); code != 1 {
		t.Errorf("code %d", code)
	}
}
