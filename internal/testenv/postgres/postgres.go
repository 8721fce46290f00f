// Package postgres starts a real, throw-away PostgreSQL server for tests: Debian's initdb and postgres (package
// postgresql, /usr/lib/postgresql/*/bin) in a temporary directory, listening only on 127.0.0.1 on a free port,
// with its unix socket in that directory. initdb refuses to run as root, so when the tests run as root (CI)
// the server runs as the `postgres` system user, owner of the temporary directory. A missing PostgreSQL fails
// the test with the install hint: it never skips.
//
// One server per test binary (Shared); each test gets its own database (NewDatabase), so tests run in parallel.
// Main stops the server, by its PID, after the tests; a killed test binary takes it along (parent-death signal).
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	testshared "github.com/flowguard/flowguard/internal/testenv/shared"
)

// InstallHint says how to get PostgreSQL.
const InstallHint = "install PostgreSQL: apt-get update && apt-get install -y postgresql (or set FLOWGUARD_PG_BIN to the directory of initdb and postgres)"

// Server is a running PostgreSQL.
type Server struct {
	Dir    string // the temporary directory: data/ and the socket
	Port   int
	PID    int
	bin    string
	cred   *syscall.Credential
	proc   *exec.Cmd
	exited chan error
}

// BinDir finds initdb and postgres: $FLOWGUARD_PG_BIN, else the newest /usr/lib/postgresql/*/bin.
func BinDir() (string, error) {
	if d := os.Getenv("FLOWGUARD_PG_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", err
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no /usr/lib/postgresql/*/bin/initdb")
}

// Start initializes a cluster in a new temporary directory and starts it on 127.0.0.1.
func Start(ctx context.Context) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL not found (%v): %s", err, InstallHint)
	}
	dir, err := os.MkdirTemp("", "flowguard-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		// initdb refuses root: the cluster belongs to the postgres system user.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root, and no postgres system user to run PostgreSQL as (%v): %s", err, InstallHint)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := s.run(ctx, "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	// The server is a child of the test binary (not daemonized by pg_ctl) with a parent-death signal: a test
	// binary killed by a timeout or Ctrl-C does not leave a PostgreSQL behind.
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		if err = s.startServer(ctx, data); err == nil {
			break
		}
		if attempt >= 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("postgres: %v\n%s", err, log)
		}
	}
	return s, nil
}

func (s *Server) startServer(ctx context.Context, data string) error {
	logf, err := os.Create(filepath.Join(s.Dir, "log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	if s.cred != nil {
		os.Chown(logf.Name(), int(s.cred.Uid), int(s.cred.Gid))
	}
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", data, "-c", "listen_addresses=127.0.0.1", "-p", strconv.Itoa(s.Port),
		"-k", s.Dir, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200")
	cmd.Dir = s.Dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=" + s.Dir}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.PID, s.proc = cmd.Process.Pid, cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s.exited = exited
	db, _ := sql.Open("pgx", s.DSN("postgres"))
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("postgres exited: %v", err)
		default:
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := db.PingContext(pctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return fmt.Errorf("not ready after 60s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.Dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=" + s.Dir}
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	return cmd.CombinedOutput()
}

// DSN is the URL of database db on the server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// Close stops the server (fast shutdown, then SIGKILL to its PID) and removes its directory.
func (s *Server) Close() error {
	s.stop()
	return os.RemoveAll(s.Dir)
}

func (s *Server) stop() {
	if s.proc == nil {
		return
	}
	s.proc.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.proc.Process.Kill()
		<-s.exited
	}
	s.proc = nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// TB is what Shared and NewDatabase need of a test.
type TB = testshared.TB

var (
	shared = testshared.New("postgres", Start)
	nextDB atomic.Int64
)

// Shared returns the test binary's server, starting it on first use.
func Shared(t TB) *Server {
	t.Helper()
	return shared.Get(t)
}

// Main runs a test binary's tests and then stops the shared server: call it from TestMain.
func Main(m interface{ Run() int }) int { return shared.Main(m) }

// NewDatabase creates a fresh database on the shared server and returns its DSN.
func NewDatabase(t TB) string {
	t.Helper()
	s := Shared(t)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), nextDB.Add(1))
	db, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("postgres: create database: %v", err)
	}
	return s.DSN(name)
}
