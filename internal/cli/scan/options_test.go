package scan_test

import (
	"slices"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/cli/scan"
)

// The command only fills its options; the deprecated --role-name lands in --assume-role with one warning.
func TestScanFlagsFillOptions(t *testing.T) {
	t.Parallel()
	f, _, _ := cmdutil.NewTestFactory("", nil)
	var got *scan.ScanOptions
	cmd := scan.NewCmdScan(f, func(o *scan.ScanOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--region", "eu-west-1,us-east-1", "--accounts", "111122223333", "--role-name", "audit", "-o", "json,sarif",
		"--out-dir", "r", "--concurrency", "3", "--skip-unused", "--check", "vpc-flow-logs-enabled",
		"--status", "fail,ERROR", "--status", "UNKNOWN"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || !slices.Equal(got.AWS.NormalizedRegions(), []string{"eu-west-1", "us-east-1"}) || got.Accounts.RoleName != "audit" ||
		got.Output != "json,sarif" || got.OutDir != "r" || got.Concurrency != 3 || !got.SkipUnused ||
		!slices.Equal(got.CheckIDs, []string{"vpc-flow-logs-enabled"}) ||
		!slices.Equal(got.Statuses, []string{"fail", "ERROR", "UNKNOWN"}) || got.Ctx == nil || got.IO != f.IOStreams {
		t.Errorf("options %+v", got)
	}
}
