package remediate_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/flowguard/flowguard/internal/cli/clitest"
	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/testenv/moto"
)

// verify --wait on a run whose flow logs deliver nothing (moto delivers nothing): the wait ends, verify names
// the VPCs without records and exits 1; on a terminal a progress line said what it waited for, piped none.
func TestVerifyWaitNamesVPCsWithoutRecords(t *testing.T) {
	t.Parallel()
	srv := moto.Shared(t)
	for _, tty := range []bool{true, false} {
		acct := moto.NewTestAccount(t)
		const region = "us-east-1"
		if _, err := ec2.NewFromConfig(acct.Config(srv.URL, region)).CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")}); err != nil {
			t.Fatal(err)
		}
		env := append(acct.Env(srv.URL, region), "HOME="+t.TempDir())
		jd := t.TempDir()
		if code, out, errOut := runEnv(t, env, "fix", "--region", region, "--journal-dir", jd, "--apply", "--yes"); code != 0 {
			t.Fatalf("fix: exit %d\n%s\n%s", code, out, errOut)
		}
		if code, _, errOut := runEnv(t, env, "verify", "--journal-dir", jd, "--wait", "-1s"); code != cmdutil.ExitUsage {
			t.Errorf("--wait -1s: exit %d %s", code, errOut)
		}
		f, out, stderr := cmdutil.NewTestFactory("", clitest.Env(env))
		f.IOStreams.ErrTTY = tty
		code := clitest.RunWith(t, f, "verify", "--journal-dir", jd, "--wait", "2s")
		errs := stderr.String()
		if code != cmdutil.ExitFail || !strings.Contains(errs, "no delivered records from 2 VPCs: us-east-1/vpc-") ||
			!strings.Contains(out.String(), "NEWEST RECORD") || !strings.Contains(out.String(), "AWAITING_FIRST_DELIVERY") {
			t.Fatalf("tty %v: exit %d\n%s\n%s", tty, code, out, errs)
		}
		if shown := strings.Contains(errs, "verify: waiting for delivered records from 2 of 2 VPCs"); shown != tty {
			t.Errorf("tty %v: progress line shown %v\n%q", tty, shown, errs)
		}
	}
}
