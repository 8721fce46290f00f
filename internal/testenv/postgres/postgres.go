// Package postgres starts a real, throw-away PostgreSQL server for tests: Debian's initdb and pg_ctl (package
// postgresql, /usr/lib/postgresql/*/bin) in a temporary directory, listening only on 127.0.0.1 on a free port,
// with its unix socket in that directory. initdb refuses to run as root, so when the tests run as root (CI)
// the server runs as the `postgres` system user, owner of the temporary directory. A missing PostgreSQL fails
// the test with the install hint: it never skips.
//
// One server per test binary (Shared); each test gets its own database (NewDatabase), so tests run in parallel.
// Main stops the server, by its PID, after the tests.
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
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// InstallHint says how to get PostgreSQL.
const InstallHint = "install PostgreSQL: apt-get update && apt-get install -y postgresql (or set FLOWGUARD_PG_BIN to the directory of initdb and pg_ctl)"

// Server is a running PostgreSQL.
type Server struct {
	Dir  string // the temporary directory: data/ and the socket
	Port int
	PID  int
	bin  string
	cred *syscall.Credential
}

// BinDir finds initdb and pg_ctl: $FLOWGUARD_PG_BIN, else the newest /usr/lib/postgresql/*/bin.
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
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", s.Port, dir)
		out, err := s.run(ctx, "pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			break
		}
		if attempt >= 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	pidFile, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		s.Close()
		return nil, err
	}
	s.PID, _ = strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	return s, nil
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

// Close stops the server (SIGTERM then SIGKILL to its PID) and removes its directory.
func (s *Server) Close() error {
	if s.PID > 0 {
		if p, err := os.FindProcess(s.PID); err == nil {
			p.Signal(syscall.SIGINT) // fast shutdown
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				if p.Signal(syscall.Signal(0)) != nil {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if p.Signal(syscall.Signal(0)) == nil {
				p.Signal(syscall.SIGKILL)
			}
		}
	}
	return os.RemoveAll(s.Dir)
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
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Context() context.Context
}

var (
	sharedOnce sync.Once
	shared     *Server
	sharedErr  error
	nextDB     atomic.Int64
)

// Shared returns the test binary's server, starting it on first use.
func Shared(t TB) *Server {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Start(context.Background()) })
	if sharedErr != nil {
		t.Fatalf("postgres: %v", sharedErr)
	}
	return shared
}

// Main runs a test binary's tests and then stops the shared server: call it from TestMain.
func Main(m interface{ Run() int }) int {
	code := m.Run()
	if shared != nil {
		shared.Close()
	}
	return code
}

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
