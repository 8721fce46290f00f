// Package deadline bounds a test step that must return: a regression that makes it hang fails the test with
// what did not return, instead of hanging the suite until go test's timeout.
package deadline

import (
	"testing"
	"time"
)

// Within runs f in a goroutine and fails t when it has not returned before d; what names the step, why what
// a hang would mean ("the expansion budget is not enforced"). f must not call t.FailNow.
func Within(t testing.TB, d time.Duration, what, why string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("%s did not return within %v: %s", what, d, why)
	}
}
