package engine

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/finding"
	"github.com/flowguard/flowguard/internal/source/iac"
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
	return scanDeadline(t, paths, 60*time.Second)
}

// scanDeadline is scanWithin with the given deadline.
func scanDeadline(t *testing.T, paths []string, deadline time.Duration) *finding.Result {
	t.Helper()
	type out struct {
		r   *finding.Result
		err error
	}
	ch := make(chan out, 1)
	go func() {
		r, err := scanIaC(paths, Options{Now: fixed})
		ch <- out{r, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			t.Fatal(o.err)
		}
		return o.r
	case <-time.After(deadline):
		t.Fatalf("scan did not return within %s", deadline)
	}
	return nil
}

// splitModuleFindings separates the findings of modules not read from the others.
func splitModuleFindings(r *finding.Result) (others, mods []finding.Finding) {
	for _, f := range r.Findings {
		if f.ResourceType == iac.ResourceModule {
			mods = append(mods, f)
		} else {
			others = append(others, f)
		}
	}
	return others, mods
}
