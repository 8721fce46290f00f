package remediate_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/cli/cmdutil"
	"github.com/flowguard/flowguard/internal/cli/remediate"
)

// fix only fills its options; the default --journal-dir comes from the factory's environment (HOME).
func TestFixFlagsFillOptions(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	f, _, _ := cmdutil.NewTestFactory("", map[string]string{"HOME": home})
	var got *remediate.FixOptions
	cmd := remediate.NewCmdFix(f, func(o *remediate.FixOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--from", "scan.json", "--apply", "--yes", "--delivery-role-name", "r", "--file-format", "parquet", "--tag", "a=b"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.From != "scan.json" || !got.Apply || !got.Yes || got.Settings.RoleName != "r" || got.Layout.FileFormat != "parquet" ||
		len(got.Tags) != 1 || got.JournalDir != filepath.Join(home, ".flowguard", "runs") {
		t.Errorf("options %+v", got)
	}
}

// Declining the prompt on a terminal is exit 5 (ExitDeclined, not a failure) and "nothing changed"; only y or yes goes on.
func TestConfirm(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"y\n": true, "YES\n": true, "n\n": false, "\n": false, "": false, "yes please\n": false} {
		io, _, errOut := cmdutil.Test(in)
		err := io.ConfirmOrStop("Go?")
		if (err == nil) != want {
			t.Errorf("%q: %v, want yes=%v", in, err, want)
		}
		if !want && (cmdutil.CodeOf(err) != cmdutil.ExitDeclined || !strings.Contains(errOut.String(), "nothing changed")) {
			t.Errorf("%q: exit %d, stderr %q", in, cmdutil.CodeOf(err), errOut)
		}
	}
}
