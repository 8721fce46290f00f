// Package shared is the "one process per test binary" of the test servers (moto_server, PostgreSQL): the
// first test that asks starts it, every later one gets the same, a failed start fails every test that asks
// (tests against real servers never skip), and Main stops it after the tests when it was started.
package shared

import (
	"context"
	"sync"
)

// TB is the part of testing.TB the servers' helpers need.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Context() context.Context
}

// Server is one test binary's server of kind S, started by start on first use. Its zero value is not
// usable: make it with New, as a package variable.
type Server[S interface{ Close() error }] struct {
	name  string
	start func(context.Context) (S, error)

	once    sync.Once
	s       S
	err     error
	started bool
}

// New is the shared server that start starts; name prefixes the failure of a test that cannot have it.
func New[S interface{ Close() error }](name string, start func(context.Context) (S, error)) *Server[S] {
	return &Server[S]{name: name, start: start}
}

// Get returns the server, starting it on first use; a failed start fails t with "name: error".
func (p *Server[S]) Get(t TB) S {
	t.Helper()
	p.once.Do(func() {
		p.s, p.err = p.start(context.Background())
		p.started = p.err == nil
	})
	if p.err != nil {
		t.Fatalf("%s: %v", p.name, p.err)
	}
	return p.s
}

// Main runs a test binary's tests and then stops the server if a test started it: call it from TestMain.
func (p *Server[S]) Main(m interface{ Run() int }) int {
	code := m.Run()
	if p.started {
		p.s.Close()
	}
	return code
}
