package outfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteRefusesSymlinkAndKeepsTarget(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "bashrc")
	if err := os.WriteFile(victim, []byte("original\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "flowguard.sarif")
	if err := os.Symlink(victim, out); err != nil {
		t.Fatal(err)
	}
	err := Write(out, []byte("report"), ModeReport)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Write through a symlink: err = %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "original\n" {
		t.Fatalf("the link's target was changed: %q", b)
	}
	if st, _ := os.Lstat(out); st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was removed")
	}
	assertNoTemp(t, dir)
}

func TestWriteDanglingSymlinkRefused(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.json")
	victim := filepath.Join(dir, "would-be-created")
	os.Symlink(victim, out)
	if err := Write(out, []byte("x"), ModeReport); err == nil {
		t.Fatal("no error writing through a dangling symlink")
	}
	if _, err := os.Stat(victim); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the dangling link's target was created")
	}
}

func TestWriteReplacesHardLinkInsteadOfWritingThrough(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	os.WriteFile(victim, []byte("original"), 0o644)
	out := filepath.Join(dir, "report.json")
	if err := os.Link(victim, out); err != nil {
		t.Skip("no hard links here:", err)
	}
	if err := Write(out, []byte("report"), ModeReport); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "original" {
		t.Fatalf("written through a hard link: victim now %q", b)
	}
	if b, _ := os.ReadFile(out); string(b) != "report" {
		t.Fatalf("report = %q", b)
	}
}

func TestWriteModesAndReplace(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		perm os.FileMode
	}{{"report.json", ModeReport}, {"snap.json", ModePrivate}} {
		p := filepath.Join(dir, tc.name)
		// An existing file with other permissions is replaced by one with the chosen mode.
		os.WriteFile(p, []byte("old contents that are longer"), 0o666)
		os.Chmod(p, 0o666)
		if err := Write(p, []byte("new"), tc.perm); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != tc.perm {
			t.Errorf("%s: mode %v, want %v", tc.name, st.Mode().Perm(), tc.perm)
		}
		if b, _ := os.ReadFile(p); string(b) != "new" {
			t.Errorf("%s: contents %q", tc.name, b)
		}
	}
	assertNoTemp(t, dir)
}

func TestWriteFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.txt")
	os.WriteFile(p, []byte("previous"), 0o644)
	err := WriteWith(p, ModeReport, func(w io.Writer) error {
		w.Write([]byte("half"))
		return errors.New("boom")
	})
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v, want one naming %s", err, p)
	}
	if b, _ := os.ReadFile(p); string(b) != "previous" {
		t.Fatalf("a failed write changed the file: %q", b)
	}
	assertNoTemp(t, dir)
}

func TestWriteRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, []byte("x"), ModeReport); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("err = %v", err)
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// WriteTree makes the directories, writes each file with the mode, returns the paths; a file it cannot write
// (a symbolic link at the destination) stops it with the paths written before.
func TestWriteTree(t *testing.T) {
	dir := t.TempDir()
	files := []File{{Path: "terraform/main.tf", Content: []byte("a")}, {Path: "terraform/member/main.tf", Content: []byte("b")}, {Path: "x/y", Content: []byte("c")}}
	os.MkdirAll(filepath.Join(dir, "x"), 0o755)
	os.Symlink("/etc/passwd", filepath.Join(dir, "x", "y"))
	paths, err := WriteTree(dir, files, ModePrivate)
	if err == nil || len(paths) != 2 || paths[1] != filepath.Join(dir, "terraform", "member", "main.tf") {
		t.Fatalf("paths %q, err %v", paths, err)
	}
	for i, p := range paths {
		st, err := os.Stat(p)
		if b, _ := os.ReadFile(p); err != nil || string(b) != string(files[i].Content) || st.Mode().Perm() != ModePrivate {
			t.Errorf("%s: %q, %v", p, b, err)
		}
	}
}
