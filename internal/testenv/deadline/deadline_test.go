package deadline

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// fatalTB records Fatalf (and stops nothing): enough for Within's one call.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, a ...any) {
	f.msg = strings.TrimSpace(fmt.Sprintf(format, a...))
}

func TestWithin(t *testing.T) {
	ok := &fatalTB{}
	Within(ok, time.Second, "a quick step", "no reason", func() {})
	if ok.msg != "" {
		t.Errorf("a step that returned failed: %q", ok.msg)
	}
	hung := &fatalTB{}
	release := make(chan struct{})
	defer close(release)
	Within(hung, 20*time.Millisecond, "a stuck step", "the budget is not enforced", func() { <-release })
	if hung.msg != "a stuck step did not return within 20ms: the budget is not enforced" {
		t.Errorf("%q", hung.msg)
	}
}
