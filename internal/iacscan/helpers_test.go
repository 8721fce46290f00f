package iacscan

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
)

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// scanWithin fails the test instead of hanging when a scan does not return.
func scanWithin(t *testing.T, paths []string) *finding.Result {
	t.Helper()
	type out struct {
		r   *finding.Result
		err error
	}
	ch := make(chan out, 1)
	go func() {
		r, err := Scan(paths, Options{Now: fixed})
		ch <- out{r, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			t.Fatal(o.err)
		}
		return o.r
	case <-time.After(60 * time.Second):
		t.Fatal("scan did not return within 60s")
	}
	return nil
}
