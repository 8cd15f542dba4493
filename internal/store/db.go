package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Options configure Open.
type Options struct {
	// DSN is a postgres:// URL, or sqlite:PATH / a file path; empty means the
	// SQLite file scouter.db in DataDir.
	DSN     string
	DataDir string
	Logger  *slog.Logger
	// MaxConns caps the connections of this process (PostgreSQL). Zero means 4.
	MaxConns int
	// Notify enables cross-process notifications: LISTEN on PostgreSQL, a
	// data_version watch on SQLite. In-process notifications always work.
	Notify bool
	// Migrate runs pending migrations. Without it, Open initialises an empty
	// database but refuses one whose schema is behind.
	Migrate bool
	// NoMmap keeps SQLite's readers from mapping the file. Mapping speeds
	// up the reports' scans, but every page read through it counts in the
	// process's resident memory (up to 256 MiB): job processes, which read
	// a crawl once, do without it.
	NoMmap bool
}

// DB is the store. It is safe for concurrent use.
type DB struct {
	d      *dialect
	w      *sql.DB // writes; SQLite: one connection, immediate transactions
	r      *sql.DB // reads; PostgreSQL: the same pool as w
	log    *slog.Logger
	hub    *hub
	dsn    string
	schema string // PostgreSQL: current_schema(), names the notify channel

	queries sync.Map // raw query → expanded query

	stop   context.CancelFunc
	done   sync.WaitGroup
	closed sync.Once
}

// DSN is the resolved data source, for child processes (it may hold a
// password: pass it through the environment, never on a command line).
func (db *DB) DSN() string { return db.dsn }

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// IsPostgres reports whether the DSN names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects, checks the schema version and starts the notification
// watcher when asked. Errors are one line a user can act on.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	db := &DB{log: o.Logger, hub: newHub(), dsn: o.DSN}
	var err error
	if IsPostgres(o.DSN) {
		err = db.openPostgres(ctx, o)
	} else {
		err = db.openSQLite(ctx, o)
	}
	if err != nil {
		return nil, err
	}
	if err := db.checkSchema(ctx, o.Migrate); err != nil {
		db.Close()
		return nil, err
	}
	wctx, cancel := context.WithCancel(context.Background())
	db.stop = cancel
	if o.Notify {
		db.done.Add(1)
		go func() {
			defer db.done.Done()
			if db.d == postgresDialect {
				db.listenPostgres(wctx)
			} else {
				db.watchSQLite(wctx)
			}
		}()
	}
	return db, nil
}

// Close stops the watcher and closes the connections. It is idempotent.
func (db *DB) Close() error {
	var err error
	db.closed.Do(func() {
		if db.stop != nil {
			db.stop()
		}
		db.done.Wait()
		err = db.w.Close()
		if db.r != db.w {
			err = errors.Join(err, db.r.Close())
		}
	})
	return err
}

func (db *DB) openPostgres(ctx context.Context, o Options) error {
	cfg, err := pgx.ParseConfig(o.DSN)
	if err != nil {
		return fmt.Errorf("invalid database URL: %s", describePgParseError(err))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	db.d = postgresDialect
	conn, err := sql.Open("pgx", o.DSN)
	if err != nil {
		return fmt.Errorf("invalid database URL: %w", err)
	}
	max := o.MaxConns
	if max <= 0 {
		max = 4
	}
	conn.SetMaxOpenConns(max)
	conn.SetMaxIdleConns(max)
	conn.SetConnMaxIdleTime(5 * time.Minute)
	db.w, db.r = conn, conn
	pctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout+time.Second)
	defer cancel()
	if err := conn.QueryRowContext(pctx, "SELECT current_schema()").Scan(&db.schema); err != nil {
		conn.Close()
		return fmt.Errorf("cannot reach database %s: %s", redactDSN(o.DSN), rootCause(err))
	}
	return nil
}

func (db *DB) openSQLite(ctx context.Context, o Options) error {
	path := strings.TrimPrefix(strings.TrimPrefix(o.DSN, "sqlite://"), "sqlite:")
	if path == "" {
		if o.DataDir == "" {
			return errors.New("no database: set --db or --data-dir")
		}
		if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		path = filepath.Join(o.DataDir, "scouter.db")
	}
	if strings.Contains(path, "://") {
		return fmt.Errorf("invalid database URL %q: use postgres://… or a SQLite file path", redactDSN(o.DSN))
	}
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("SQLite database directory %s: %w", dir, err)
		}
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	db.d = sqliteDialect
	db.dsn = "sqlite:" + path
	// One writer connection with immediate transactions (SQLite has one writer
	// anyway; this turns lock upgrades into waits under busy_timeout), and a
	// read-only pool beside it. WAL lets readers run during writes.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	u := "file:" + (&url.URL{Path: path}).EscapedPath()
	// The writer gets a 64 MiB page cache (default 2 MiB): a crawl's batch
	// inserts touch index pages all over the file.
	w, err := sql.Open("sqlite", u+"?"+pragmas+"&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open SQLite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("open SQLite %s: %s", path, rootCause(err))
	}
	// Readers map the file (256 MiB) unless NoMmap: the URL explorer and
	// the reports scan a crawl's pages, and reading them through mmap
	// instead of read(2) calls into a 2 MiB page cache halves their time
	// (docs/BENCHMARKS.md).
	mmap := "&_pragma=mmap_size(268435456)"
	if o.NoMmap {
		mmap = ""
	}
	r, err := sql.Open("sqlite", u+"?"+pragmas+"&_pragma=query_only(1)"+mmap)
	if err != nil {
		w.Close()
		return fmt.Errorf("open SQLite %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db.w, db.r = w, r
	return nil
}

// q returns the query expanded for this dialect, cached.
func (db *DB) q(raw string) string {
	if v, ok := db.queries.Load(raw); ok {
		return v.(string)
	}
	e := db.d.expand(raw)
	db.queries.Store(raw, e)
	return e
}

// tx runs fn in a write transaction and publishes its notifications after
// commit (PostgreSQL also sends them with pg_notify inside the transaction).
func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx, n *notes) error) error {
	t, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.wrap("begin", err)
	}
	n := &notes{}
	if err := fn(t, n); err != nil {
		t.Rollback()
		return err
	}
	if db.d == postgresDialect && len(n.topics) > 0 {
		for _, topic := range n.topics {
			if _, err := t.ExecContext(ctx, "SELECT pg_notify($1, $2)", db.channel(), topic); err != nil {
				t.Rollback()
				return db.wrap("notify", err)
			}
		}
	}
	if err := t.Commit(); err != nil {
		return db.wrap("commit", err)
	}
	db.hub.publish(n.topics...)
	return nil
}

// notes collects the topics a transaction changed.
type notes struct{ topics []string }

func (n *notes) add(topic string) {
	for _, t := range n.topics {
		if t == topic {
			return
		}
	}
	n.topics = append(n.topics, topic)
}

// wrap adds context to a driver error; sql.ErrNoRows becomes ErrNotFound.
func (db *DB) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrLeaseLost) || errors.Is(err, ErrInvalidState) {
		return err
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// rootCause strips the driver's wrapping for one-line messages.
func rootCause(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		msg := ce.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			return strings.TrimSpace(msg[i+2:])
		}
		return msg
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return err.Error()
}

func describePgParseError(err error) string {
	msg := err.Error()
	// pgx quotes the whole DSN (with its password) in parse errors.
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return "cannot parse"
}

// redactDSN hides a password for messages.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		if err != nil {
			return "(unparseable URL)"
		}
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	u.RawQuery = ""
	return u.String()
}
