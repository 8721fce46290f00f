package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowguard/flowguard/internal/logs/flowlog"
)

const twoRecords = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
	"2 123456789012 eni-a 10.0.0.1 10.0.0.2 443 49152 6 10 840 1620000000 1620000060 ACCEPT OK\n" +
	"2 123456789012 eni-a 10.0.0.3 10.0.0.2 22 49153 6 1 40 1620000000 1620000060 REJECT OK\n"

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func records(t *testing.T, units []Unit) int64 {
	t.Helper()
	st, _, err := runAll(t, units, flowlog.Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return st.Records
}

// A symlinked directory, and symlinked files and directories inside the tree, are read; loops are reported,
// not followed; what is reached twice is read once.
func TestListFollowsSymlinks(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "real")
	write(t, filepath.Join(real, "2026", "a.log"), twoRecords)
	write(t, filepath.Join(root, "elsewhere", "b.log"), twoRecords)
	write(t, filepath.Join(root, "other", "c.log"), twoRecords)
	symlink(t, filepath.Join(root, "elsewhere", "b.log"), filepath.Join(real, "2026", "b.log")) // file link
	symlink(t, filepath.Join(root, "other"), filepath.Join(real, "other"))                      // dir link
	symlink(t, real, filepath.Join(real, "2026", "loop"))                                       // loop
	symlink(t, filepath.Join(real, "2026"), filepath.Join(real, "again"))                       // seen twice
	link := filepath.Join(root, "link")
	symlink(t, real, link)

	units, problems, err := List([]string{link}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range units {
		names = append(names, strings.TrimPrefix(u.Name(), link+"/"))
	}
	if got, want := strings.Join(names, " "), "2026/a.log 2026/b.log other/c.log"; got != want {
		t.Errorf("units %q, want %q", got, want)
	}
	if n := records(t, units); n != 6 {
		t.Errorf("%d records, want 6", n)
	}
	if len(problems) != 1 || problems[0].Source != filepath.Join(link, "2026", "loop") || !strings.Contains(problems[0].Error, "loop") {
		t.Errorf("problems: %+v, want the loop", problems)
	}
}

// Broken links, empty directories and directories with only hidden files are problems, not silence.
func TestListProblems(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "d", ".hidden.log"), twoRecords)
	if err := os.Mkdir(filepath.Join(root, "e"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(root, "nowhere"), filepath.Join(root, "e", "broken"))
	units, problems, err := List([]string{filepath.Join(root, "d"), filepath.Join(root, "e")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 0 {
		t.Errorf("units: %v", units)
	}
	var got []string
	for _, p := range problems {
		got = append(got, strings.TrimPrefix(p.Source, root)+": "+p.Error)
	}
	if len(got) != 2 || !strings.Contains(got[0], "/d: no files") || !strings.Contains(got[1], "/e/broken: broken symbolic link") {
		t.Errorf("problems:\n%s", strings.Join(got, "\n"))
	}
	if _, _, err := List([]string{filepath.Join(root, "missing")}, nil); err == nil {
		t.Error("a missing path is not an error")
	}
}

// A chain of directory links deeper than the cap stops with a problem.
func TestListDepthCap(t *testing.T) {
	root := t.TempDir()
	dir := root
	for i := 0; i < maxDirDepth+2; i++ {
		dir = filepath.Join(dir, "d")
	}
	write(t, filepath.Join(dir, "x.log"), twoRecords)
	_, problems, err := List([]string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error, "levels deep") {
		t.Errorf("problems: %+v", problems)
	}
}
