package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrationFS embed.FS

// dialect is what differs between the backends: the driver, placeholders, how writers are serialized, and
// the migration files (the same versions, each in its backend's types).
type dialect struct {
	name string
	// dollar: placeholders are $1, $2 (PostgreSQL) instead of ?.
	dollar bool
	// lock serializes writers inside a transaction (PostgreSQL: an advisory lock; SQLite's BEGIN IMMEDIATE
	// already holds the one write lock).
	lock string
}

var (
	sqliteDialect   = dialect{name: "sqlite"}
	postgresDialect = dialect{name: "postgres", dollar: true, lock: "SELECT pg_advisory_xact_lock(7206101437562381)"}
)

// sqlStore is the one implementation of Store over database/sql; the dialect says what differs.
type sqlStore struct {
	db    *sql.DB
	d     dialect
	where string
	path  string // the SQLite file, for Describe
}

// openSQLite opens the SQLite file of dsn (a path, file:PATH or sqlite:PATH), creating its directory.
func openSQLite(ctx context.Context, dsn string) (Store, error) {
	s, err := openSQLiteVersion(ctx, dsn, -1)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func sqlitePath(dsn string) (string, error) {
	p := dsn
	for _, pre := range []string{"sqlite://", "sqlite:", "file://", "file:"} {
		if strings.HasPrefix(p, pre) {
			p = strings.TrimPrefix(p, pre)
			break
		}
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return "", fmt.Errorf("store %q: SQLite options in the DSN are not supported (flowguard sets its own)", dsn)
	}
	if p == "" || p == ":memory:" {
		return "", fmt.Errorf("store %q: want a file path", dsn)
	}
	return p, nil
}

func openSQLiteVersion(ctx context.Context, dsn string, maxVersion int) (*sqlStore, error) {
	p, err := sqlitePath(dsn)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", filepath.Dir(p), err)
	}
	if fi, err := os.Lstat(p); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("store %s: not a regular file", p)
	}
	// WAL lets readers (serve) work beside a writer (scan); busy_timeout makes concurrent writers wait for the
	// lock instead of failing; every transaction takes the write lock at BEGIN (immediate), so a writer never
	// has to upgrade a read lock and deadlock with another.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+p+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	if f, err := os.OpenFile(p, os.O_RDONLY|os.O_CREATE, 0o600); err == nil {
		f.Close()
	}
	s := &sqlStore{db: db, d: sqliteDialect, where: p, path: p}
	if err := s.migrate(ctx, maxVersion); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", p, err)
	}
	return s, nil
}

func openPostgres(ctx context.Context, dsn string) (Store, error) {
	s, err := openPostgresVersion(ctx, dsn, -1)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func openPostgresVersion(ctx context.Context, dsn string, maxVersion int) (*sqlStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", Redact(dsn), err)
	}
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(time.Minute)
	s := &sqlStore{db: db, d: postgresDialect, where: Redact(dsn)}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", Redact(dsn), err)
	}
	if err := s.migrate(ctx, maxVersion); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", Redact(dsn), err)
	}
	return s, nil
}

func (s *sqlStore) Close() error { return s.db.Close() }

// migration is one embedded SQL file: NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func migrations(d dialect) ([]migration, error) {
	dir := "migrations/" + d.name
	ents, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".sql") {
			continue
		}
		v, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: no version number", n)
		}
		b, err := migrationFS.ReadFile(dir + "/" + n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(n, ".sql"), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", m.name, i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this flowguard writes.
func SchemaVersion() int {
	ms, _ := migrations(sqliteDialect)
	return len(ms)
}

// migrate brings the schema to maxVersion (-1: the latest), each migration in its own transaction with the
// version recorded in schema_migrations, under the writers' lock so that two processes opening a new store
// at once do not both migrate it. A store newer than this flowguard is refused.
func (s *sqlStore) migrate(ctx context.Context, maxVersion int) error {
	ms, err := migrations(s.d)
	if err != nil {
		return err
	}
	if maxVersion >= 0 && maxVersion < len(ms) {
		ms = ms[:maxVersion]
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var cur sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&cur); err != nil {
			return err
		}
		latest := SchemaVersion()
		if int(cur.Int64) > latest {
			return fmt.Errorf("schema version %d is newer than this flowguard's (%d): upgrade flowguard", cur.Int64, latest)
		}
		for _, m := range ms {
			if m.version <= int(cur.Int64) {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`), m.version, m.name, time.Now().UnixMilli()); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// version is the schema version of the store.
func (s *sqlStore) version(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// q rewrites ? placeholders to the dialect's.
func (s *sqlStore) q(query string) string {
	if !s.d.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// tx runs fn in a write transaction holding the writers' lock, and retries it when the database reports a
// conflict it resolved by aborting us (PostgreSQL serialization failure or deadlock, SQLite busy).
func (s *sqlStore) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 8; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
			}
		}
		err = s.tryTx(ctx, fn)
		if err == nil || !retryable(err) {
			return err
		}
	}
	return err
}

func (s *sqlStore) tryTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.d.lock != "" {
		if _, err := tx.ExecContext(ctx, s.d.lock); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// Describe says what the store is.
func (s *sqlStore) Describe(ctx context.Context) (Description, error) {
	d := Description{Backend: s.d.name, Where: s.where, Rows: map[string]int64{}}
	v, err := s.version(ctx)
	if err != nil {
		return d, err
	}
	d.Version = v
	for _, t := range []string{"scans", "finding_keys", "finding_states", "finding_obs", "changes", "runs", "logs_reports"} {
		var n int64
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return d, err
		}
		d.Rows[t] = n
	}
	if s.d.name == "postgres" {
		err = s.db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&d.Bytes)
	} else {
		// Count what is in the database file, not what waits in the write-ahead log.
		s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(s.path + suffix); err == nil {
				d.Bytes += fi.Size()
			}
		}
	}
	return d, err
}
