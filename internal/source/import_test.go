package source_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Sources know only the inventory (and AWS configs, pagination, safe text): no package under internal/source
// may depend, even indirectly, on the engine or the command layer.
func TestSourcesDoNotImportEngineOrCLI(t *testing.T) {
	const mod = "github.com/flowguard/flowguard/internal/"
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps ./... (in internal/source): %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list listed too little to check: %q", deps)
	}
	sawSelf := false
	for _, d := range deps {
		sawSelf = sawSelf || d == mod+"source"
		for _, banned := range []string{mod + "engine", mod + "cli"} {
			if d == banned || strings.HasPrefix(d, banned+"/") {
				t.Errorf("a package under internal/source depends on %s", d)
			}
		}
	}
	if !sawSelf {
		t.Fatalf("go list did not list internal/source itself: %q", deps)
	}
}
