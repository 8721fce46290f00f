package logs_test

import (
	"slices"
	"testing"
	"time"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/cli/logs"
)

// The command only fills its options: flags and arguments land where reportRun reads them.
func TestReportFlagsFillOptions(t *testing.T) {
	t.Parallel()
	f, _, _ := cmdutil.NewTestFactory("", nil)
	var got *logs.ReportOptions
	cmd := logs.NewCmdReport(f, func(o *logs.ReportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"dir", "s3://bucket/p/", "--log-group", "g1,g2", "--strict", "-o", "json", "--since", "24h", "--format", "${version}"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || !slices.Equal(got.Inputs, []string{"dir", "s3://bucket/p/"}) || !slices.Equal(got.LogGroups, []string{"g1", "g2"}) ||
		!got.Strict || got.Output != "json" || got.Since != "24h" || got.LogFormat != "${version}" || got.IO != f.IOStreams {
		t.Errorf("options %+v", got)
	}
}

// The clock comes from the factory: a relative --since is relative to it. With the factory's clock at
// 2000-01-01T00:00Z, --since 1h is before --until 2000-01-01T00:30Z, so the window is accepted and the empty
// directory gives "nothing read" (2); with the wall clock --since would come after --until (a usage error, 3).
func TestReportUsesTheFactoryClock(t *testing.T) {
	t.Parallel()
	f, _, _ := cmdutil.NewTestFactory("", nil)
	f.Now = func() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }
	cmd := logs.NewCmdReport(f, nil)
	cmd.SetArgs([]string{t.TempDir(), "--since", "1h", "--until", "2000-01-01T00:30:00Z"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if code := cmdutil.CodeOf(err); code != cmdutil.ExitIncomplete {
		t.Fatalf("exit %d (%v), want 2", code, err)
	}
}
