// Package testdb gives each test an isolated real database: a fresh SQLite
// file, or a fresh schema in the PostgreSQL named by SCOUTER_TEST_PG
// (default postgres://postgres@127.0.0.1:5432/test).
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/scouter-seo/scouter/internal/store"
)

// DefaultPostgres is the shared test server of the README.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Backends lists the dialects every conformance test runs against.
var Backends = []string{"sqlite", "postgres"}

// PostgresURL is the base server URL for tests.
func PostgresURL() string {
	if u := os.Getenv("SCOUTER_TEST_PG"); u != "" {
		return u
	}
	return DefaultPostgres
}

// DSN returns a DSN for a new empty database of the given backend, removed
// when the test ends.
func DSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "scouter.db")
	case "postgres":
		return PostgresSchema(t, PostgresURL())
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

// PostgresSchema creates a schema on the server at base and returns a DSN
// whose search_path selects it. PostgreSQL being unreachable fails the test:
// a suite that silently skips its PostgreSQL half would hide a broken set-up.
func PostgresSchema(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("SCOUTER_TEST_PG: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("PostgreSQL at %s is needed for this test (start it, or set SCOUTER_TEST_PG): %v", base, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a store on a new database of the backend, closed at cleanup.
func Open(t testing.TB, backend string) *store.DB {
	t.Helper()
	return OpenDSN(t, DSN(t, backend), true)
}

// OpenDSN opens another handle on an existing test database (a second
// "process").
func OpenDSN(t testing.TB, dsn string, notify bool) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{DSN: dsn, Notify: notify, MaxConns: 8})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
