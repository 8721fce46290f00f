package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// plantLink makes path a symbolic link to a file standing for the user's ~/.bashrc and returns that file.
func plantLink(t *testing.T, path string) string {
	t.Helper()
	victim := filepath.Join(t.TempDir(), "bashrc")
	if err := os.WriteFile(victim, []byte("export PATH=/usr/bin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, path); err != nil {
		t.Fatal(err)
	}
	return victim
}

func assertUntouched(t *testing.T, victim string) {
	t.Helper()
	if b, _ := os.ReadFile(victim); string(b) != "export PATH=/usr/bin\n" {
		t.Fatalf("flowguard wrote through a planted symbolic link: %s is now %.80q", victim, b)
	}
}

// --out and --out-dir never write through a symbolic link planted at the destination.
func TestReportsNeverWriteThroughSymlinks(t *testing.T) {
	t.Parallel()
	snap := fixtureSnapshot(t)

	out := filepath.Join(t.TempDir(), "report.sarif")
	victim := plantLink(t, out)
	code, _, errOut := runCLI(t, "scan", "--snapshot", snap, "-o", "sarif", "--out", out)
	assertUntouched(t, victim)
	if code != 2 || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("--out onto a symlink: exit %d, stderr %q; want exit 2 and a clear refusal", code, errOut)
	}

	dir := filepath.Join(t.TempDir(), "reports")
	os.Mkdir(dir, 0o755)
	victim = plantLink(t, filepath.Join(dir, "flowguard.sarif"))
	code, _, errOut = runCLI(t, "scan", "--snapshot", snap, "-o", "json,sarif", "--out-dir", dir)
	assertUntouched(t, victim)
	if code != 2 || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("--out-dir with a planted symlink: exit %d, stderr %q", code, errOut)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "flowguard.json")); err != nil || !strings.Contains(string(b), "flowguard.scan/v1") {
		t.Errorf("the other formats of --out-dir were not written: %v", err)
	}

	snapOut := filepath.Join(t.TempDir(), "inv.json")
	victim = plantLink(t, snapOut)
	code, _, errOut = runCLI(t, "scan", "--snapshot", snap, "--save-snapshot", snapOut, "-o", "json", "--out", filepath.Join(t.TempDir(), "r.json"))
	assertUntouched(t, victim)
	if code != 2 || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("--save-snapshot onto a symlink: exit %d, stderr %q", code, errOut)
	}

	// A regular file already there is replaced, as before.
	out = filepath.Join(t.TempDir(), "r.json")
	os.WriteFile(out, []byte("old"), 0o644)
	if code, _, errOut := runCLI(t, "scan", "--snapshot", snap, "-o", "json", "--out", out); code == 3 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "flowguard.scan/v1") {
		t.Fatalf("report not replaced: %.80q", b)
	}
}

// Reports are 0644, a saved snapshot (a whole account inventory) is 0600, whatever the file held before.
func TestOutputFileModes(t *testing.T) {
	t.Parallel()
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	snap := fixtureSnapshot(t)
	dir := t.TempDir()
	rep, inv := filepath.Join(dir, "r.json"), filepath.Join(dir, "inv.json")
	if code, _, errOut := runCLI(t, "scan", "--snapshot", snap, "-o", "json", "--out", rep, "--save-snapshot", inv); code == 3 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for p, want := range map[string]os.FileMode{rep: 0o644, inv: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(p), st.Mode().Perm(), want)
		}
	}
}

// An endpoint URL that does not parse (--endpoint-url or AWS_ENDPOINT_URL) is reported, before any call,
// without the password of its userinfo.
func TestEndpointURLPasswordNeverPrinted(t *testing.T) {
	t.Parallel()
	// Nothing may leave the machine: fake static credentials, no shared files, no instance metadata.
	env := []string{"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=x", "AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull, "AWS_EC2_METADATA_DISABLED=true"}
	bad := []string{"http://user:s3cr3tpw@127.0.0.1:badport", "http://user:s3cr3tpw@127.0.0.1:1/%zz",
		"http://user:s3cr3tpw@[::1", "user:s3cr3tpw@127.0.0.1:5000", "http://:s3cr3tpw@127.0.0.1:x"}
	for _, u := range bad {
		for _, args := range [][]string{{"scan", "--endpoint-url", u, "--region", "us-east-1"}, {"query", "--endpoint-url", u, "vpcs{id}"}} {
			code, out, errOut := runEnv(t, env, args...)
			if strings.Contains(out+errOut, "s3cr3tpw") {
				t.Errorf("%s: the password is printed:\n%s%s", args[:3], out, errOut)
			}
			if code != 3 || !strings.Contains(errOut, "endpoint URL") {
				t.Errorf("%s: exit %d, stderr %q; want exit 3 naming the endpoint URL", args[:3], code, errOut)
			}
		}
	}
	code, out, errOut := runEnv(t, append(env, "AWS_ENDPOINT_URL="+bad[0]), "scan", "--region", "us-east-1")
	if strings.Contains(out+errOut, "s3cr3tpw") || code != 3 {
		t.Errorf("AWS_ENDPOINT_URL: exit %d, password printed or not refused:\n%s%s", code, out, errOut)
	}
}
