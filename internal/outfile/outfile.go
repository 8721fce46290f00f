// Package outfile is the one way flowguard writes a file it produces (reports, snapshots, baseline
// templates, generated flow logs; the fix journal has its own append-only writer): into a temporary file in
// the destination's directory, then renamed over the destination.
//
// That makes every write atomic (a reader never sees half a report, a crash leaves the old file) and means a
// write never goes through what is already at the destination: a symbolic link planted there
// (reports/flowguard.sarif -> ~/.bashrc) is refused with an error, and a hard link or a link planted between
// the check and the rename is replaced, never written through. The temporary file is created with O_EXCL, so
// it cannot be a planted link either.
package outfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// File modes, chosen on purpose (the process umask can only narrow them).
const (
	// ModeReport is for reports and templates: meant to be shared, uploaded, committed.
	ModeReport fs.FileMode = 0o644
	// ModePrivate is for snapshots: a whole account inventory (account ids, network layout, tags, role and
	// bucket ARNs) is reconnaissance material, readable by its owner only. chmod it to share it.
	ModePrivate fs.FileMode = 0o600
)

// Write writes data to path with mode perm (see the package comment).
func Write(path string, data []byte, perm fs.FileMode) error {
	return WriteWith(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteWith creates path with mode perm from what fill writes, atomically. When fill fails nothing changes
// at path.
func WriteWith(path string, perm fs.FileMode, fill func(io.Writer) error) (err error) {
	if err := checkDestination(path); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := createTemp(dir, base, perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// checkDestination refuses a destination that is a symbolic link or not a regular file.
func checkDestination(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("write %s: %w", path, err)
	case st.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(path)
		return fmt.Errorf("write %s: refusing to write through a symbolic link (it points to %q): remove it or choose another path", path, target)
	case !st.Mode().IsRegular():
		return fmt.Errorf("write %s: not a regular file (%s): remove it or choose another path", path, st.Mode().Type())
	}
	return nil
}

// createTemp creates a new file next to the destination, never following or reusing an existing entry.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, error) {
	for range 10 {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, errors.New("cannot create a temporary file")
}

// File is one generated file, by slash-separated path relative to an output directory (baseline templates,
// guard's infrastructure).
type File struct {
	Path    string
	Content []byte
}

// WriteTree writes files under dir with mode perm, each as Write does, creating the directories it needs, and
// returns the paths written. The first failure stops it, with the paths written before.
func WriteTree(dir string, files []File, perm fs.FileMode) ([]string, error) {
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return paths, err
		}
		if err := Write(p, f.Content, perm); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}
