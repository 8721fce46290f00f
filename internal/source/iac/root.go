package iac

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Size caps of what the IaC readers read. Everything read is untrusted: a pull request decides what the files
// are, so nothing is read without a bound.
const (
	// MaxSourceSize bounds one .tf, .tfvars or CloudFormation template file (CloudFormation itself takes at
	// most 1 MB of template).
	MaxSourceSize = 8 << 20
	// MaxPlanSize bounds one Terraform plan JSON file.
	MaxPlanSize = 256 << 20
	// MaxFunctionFileSize bounds a file read by a Terraform function (file, templatefile, ...).
	MaxFunctionFileSize = 1 << 20
)

// Errors of Root reads, wrapped with the path.
var (
	ErrOutsideRoot = errors.New("is outside the scanned path")
	ErrNotRegular  = errors.New("is not a regular file")
	ErrTooLarge    = errors.New("is too large")
)

// Root confines the reads of the IaC readers to what the user asked to scan: a directory (and what is under
// it) or the directory of a file. Paths are resolved symlink by symlink inside the root (os.Root): a symlink
// inside the root that points outside it is outside. Only regular files are read, opened without blocking
// (a FIFO cannot hang a read), and never more than a cap.
type Root struct {
	dir string // absolute, cleaned
}

// NewRoot confines reads to path when it is a directory, else to the directory holding it.
func NewRoot(path string) (Root, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Root{}, fmt.Errorf("scan root: %w", err)
	}
	if !st.IsDir() {
		path = filepath.Dir(path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Root{}, fmt.Errorf("scan root %s: %w", path, err)
	}
	return Root{dir: filepath.Clean(abs)}, nil
}

// Dir is the absolute directory reads are confined to.
func (r Root) Dir() string { return r.dir }

// rel returns p (absolute, or relative to the working directory) relative to the root, or ErrOutsideRoot when
// it is not under it lexically.
func (r Root) rel(p string) (string, error) {
	if r.dir == "" {
		return "", fmt.Errorf("%s: no scan root", p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	rel, err := filepath.Rel(r.dir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%s %w %s", p, ErrOutsideRoot, r.dir)
	}
	return rel, nil
}

// Contains reports whether p is lexically under the root (symlinks are checked when p is opened).
func (r Root) Contains(p string) bool {
	_, err := r.rel(p)
	return err == nil
}

func (r Root) open(p string) (*os.File, error) {
	rel, err := r.rel(p)
	if err != nil {
		return nil, err
	}
	or, err := os.OpenRoot(r.dir)
	if err != nil {
		return nil, fmt.Errorf("open scan root: %w", err)
	}
	defer or.Close()
	// O_NONBLOCK: opening a FIFO for reading does not wait for a writer.
	f, err := or.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
			return nil, fmt.Errorf("%s %w %s (through a symbolic link)", p, ErrOutsideRoot, r.dir)
		}
		return nil, fmt.Errorf("open %s: %w", p, unwrapPath(err))
	}
	return f, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadFile reads the regular file p (absolute, or relative to the working directory), at most limit bytes.
func (r Root) ReadFile(p string, limit int64) ([]byte, error) {
	f, err := r.open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s %w", p, ErrNotRegular)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s %w (%d bytes, at most %d read)", p, ErrTooLarge, st.Size(), limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s %w (more than %d bytes)", p, ErrTooLarge, limit)
	}
	return b, nil
}

// ReadPrefix reads at most limit bytes of the regular file p; truncated says there was more.
func (r Root) ReadPrefix(p string, limit int64) (b []byte, truncated bool, err error) {
	f, err := r.open(p)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("stat %s: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		return nil, false, fmt.Errorf("%s %w", p, ErrNotRegular)
	}
	b, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", p, err)
	}
	if int64(len(b)) > limit {
		return b[:limit], true, nil
	}
	return b, false, nil
}

// Stat returns what p is, following symbolic links only inside the root.
func (r Root) Stat(p string) (fs.FileInfo, error) {
	f, err := r.open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

// ReadDir lists the directory p, sorted by name.
func (r Root) ReadDir(p string) ([]fs.DirEntry, error) {
	f, err := r.open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", p, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", p)
	}
	es, err := f.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", p, err)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].Name() < es[j].Name() })
	return es, nil
}
