package remediate_test

import (
	"os"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

// runEnv runs flowguard in-process with env (KEY=VALUE pairs) as its whole environment.
func runEnv(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	r := clitest.Run(t, env, args...)
	return r.Code, r.Stdout, r.Stderr
}
