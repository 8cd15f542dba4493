package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists a dialect's migrations in order. Both dialects carry the
// same numbers.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("bad migration file name %s", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion returns the database's version and the one this binary wants.
func (db *DB) SchemaVersion(ctx context.Context) (have, want int, err error) {
	ms, err := migrations(db.d.name)
	if err != nil {
		return 0, 0, err
	}
	want = ms[len(ms)-1].version
	have, err = schemaVersion(ctx, db.r, db.d)
	return have, want, err
}

func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, d *dialect) (int, error) {
	var exists bool
	check := "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')"
	if d == postgresDialect {
		check = "SELECT to_regclass('schema_migrations') IS NOT NULL"
	}
	if err := q.QueryRowContext(ctx, check).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %s", rootCause(err))
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %s", rootCause(err))
	}
	return v, nil
}

// checkSchema migrates when asked or when the database is empty, and
// otherwise refuses a schema that is behind or ahead.
func (db *DB) checkSchema(ctx context.Context, migrate bool) error {
	have, want, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case have == want:
		return nil
	case have > want:
		return fmt.Errorf("%w: the database is at version %d, this scouter knows up to %d; upgrade scouter", ErrSchemaAhead, have, want)
	case have == 0 || migrate:
		return db.Migrate(ctx)
	default:
		return fmt.Errorf("%w: the database is at version %d, this scouter needs %d; run `scouter migrate`", ErrSchemaBehind, have, want)
	}
}

// Migrate applies pending migrations, each in its own transaction. Concurrent
// migrators serialise: PostgreSQL on a transaction-scoped advisory lock,
// SQLite on its single writer.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations(db.d.name)
	if err != nil {
		return err
	}
	for _, m := range ms {
		err := func() error {
			tx, err := db.w.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			if db.d == postgresDialect {
				if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.scouter_migrate'))"); err != nil {
					return err
				}
			}
			have, err := schemaVersion(ctx, tx, db.d)
			if err != nil {
				return err
			}
			if have >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.q("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"), m.version, m.name); err != nil {
				return err
			}
			db.log.Debug("applied migration", "version", m.version, "name", m.name)
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("migration %s: %s", m.name, rootCause(err))
		}
	}
	return nil
}
