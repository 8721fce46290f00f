package remediate_test

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/testenv/faultproxy"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// Like scan, fix --apply says on a terminal why it is slow when AWS throttles it (here CreateFlowLogs, during
// the apply), and the step line printed next on the terminal is not glued onto the retry line; piped, stderr
// has no such line.
func TestFixShowsThrottlingRetriesOnATerminalOnly(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	for _, tty := range []bool{true, false} {
		acct := moto.NewTestAccount(t)
		const region = "us-east-1"
		if _, err := ec2.NewFromConfig(acct.Config(srv.URL, region)).CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")}); err != nil {
			t.Fatal(err)
		}
		var throttled atomic.Int32
		p := faultproxy.New(srv.URL, faultproxy.Options{Decide: func(c faultproxy.Call) faultproxy.Fault {
			if c.Name() == "ec2:CreateFlowLogs" && throttled.Add(1) <= 2 {
				return faultproxy.Throttle
			}
			return faultproxy.None
		}})
		defer p.Close()
		f, out, stderr := cmdutil.NewTestFactory("", clitest.Env(append(acct.Env(p.URL, region), "HOME="+t.TempDir())))
		f.IOStreams.ErrTTY = tty
		if tty {
			// One terminal: stdout and stderr interleave on it.
			f.IOStreams.Out = f.IOStreams.ErrOut
		}
		code := clitest.RunWith(t, f, "fix", "--region", region, "--journal-dir", t.TempDir(), "--apply", "--yes", "--max-backoff", "10ms")
		if code != 0 || throttled.Load() < 3 || !strings.Contains(out.String()+stderr.String(), ": complete") {
			t.Fatalf("tty %v: exit %d after %d CreateFlowLogs calls: the throttled call was not retried to success\n%s\n%s", tty, code, throttled.Load(), out, stderr)
		}
		line := "throttled by ec2:CreateFlowLogs in us-east-1, retrying (attempt 2/10)…"
		errs := stderr.String()
		if tty {
			i := strings.Index(errs, "\r\x1b[K"+line)
			if i < 0 {
				t.Fatalf("terminal stderr %q, want the line %q", errs, line)
			}
			last := strings.LastIndex(errs, "/10)…")
			if rest := errs[last+len("/10)…"):]; !strings.HasPrefix(rest, "\r\x1b[K") {
				t.Errorf("the retry line is not cleared before what follows: %q", rest)
			}
		}
		if !tty && strings.Contains(errs, "retrying") {
			t.Errorf("piped stderr %q, want no retry line", errs)
		}
	}
}
