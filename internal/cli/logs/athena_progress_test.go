package logs_test

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// `logs athena run` waits for Athena: on a terminal it says which report's query is in which state and for how
// long; piped, stderr stays empty. (Moto's queries succeed at once: the proxy answers RUNNING twice first.)
func TestLogsAthenaRunShowsQueryStateOnATerminalOnly(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	for _, tty := range []bool{true, false} {
		acct := moto.NewTestAccount(t)
		var polls atomic.Int32
		p := faultproxy.New(srv.URL, faultproxy.Options{Rewrite: func(c faultproxy.Call, body []byte) []byte {
			if c.Action != "GetQueryExecution" || polls.Add(1) > 2 {
				return body
			}
			return bytes.Replace(body, []byte(`"State": "SUCCEEDED"`), []byte(`"State": "RUNNING"`), 1)
		}})
		defer p.Close()
		f, out, stderr := cmdutil.NewTestFactory("", clitest.Env(acct.Env(p.URL, "us-east-1")))
		f.IOStreams.ErrTTY = tty
		code := clitest.RunWith(t, f, "logs", "athena", "run", "top-rejected-sources", "--output-location", "s3://results-"+acct.ID+"/", "-o", "json")
		if code != 0 || polls.Load() < 3 {
			t.Fatalf("tty %v: exit %d after %d polls\n%s\n%s", tty, code, polls.Load(), out, stderr)
		}
		errs := stderr.String()
		if want := "\r\x1b[Kreport top-rejected-sources (1/1): Athena query RUNNING, "; tty && !strings.Contains(errs, want) {
			t.Errorf("terminal stderr %q, want a line starting %q", errs, want)
		}
		if tty && !strings.HasSuffix(errs, "\r\x1b[K") {
			t.Errorf("terminal stderr %q: the line is not cleared at the end", errs)
		}
		if !tty && errs != "" {
			t.Errorf("piped stderr %q, want nothing", errs)
		}
	}
}
