package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestMigrateDeferredKeys upgrades a SQLite database holding a crawl from
// version 5 to 6, which rebuilds pages, links and findings: every row and
// index must survive, the keys to crawls must be deferred, and deleting a
// crawl must still cascade.
func TestMigrateDeferredKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	ms, err := migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version > 5 {
			break
		}
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if _, err := raw.Exec("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", m.version, m.name); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`INSERT INTO crawls (id, start_url, created_at) VALUES (1, 'https://a.test/', 0), (2, 'https://b.test/', 0)`,
		`INSERT INTO pages (crawl_id, id, url, internal, state, depth, found_from, status, title, crawled_at, link_score, near_dup, finding_count)
		 VALUES (1, 1, 'https://a.test/', 1, 'crawled', 0, NULL, 200, 'Home ''quoted''', 1700000000000, 97.5, 2, 1),
		        (1, 2, 'https://a.test/x', 1, 'queued', 1, 1, 0, '', NULL, 0, 1, 0),
		        (2, 1, 'https://b.test/', 1, 'crawled', 0, NULL, 404, 'B', 1700000000001, 0, 0, 0)`,
		`INSERT INTO links (crawl_id, source_id, position, target_id, kind, text, flags, internal)
		 VALUES (1, 1, 0, 2, 'anchor', 'x', 1, 1), (1, 1, 1, 1, 'canonical', '', 0, 1), (2, 1, 0, 1, 'anchor', 'self', 0, 1)`,
		`INSERT INTO findings (crawl_id, check_id, page_id, seq, element) VALUES (1, 'title_short', 1, 0, 'Home'), (2, 'status_4xx', 1, 0, '404')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	tables := []string{"pages ORDER BY crawl_id, id", "links ORDER BY crawl_id, source_id, position", "findings ORDER BY crawl_id, check_id"}
	before := map[string][][]any{}
	for _, tb := range tables {
		before[tb] = dumpRows(t, raw, "SELECT * FROM "+tb)
	}
	indexes := dumpRows(t, raw, `SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)

	db, err := Open(ctx, Options{DSN: path, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	have, want, err := db.SchemaVersion(ctx)
	db.Close()
	if err != nil || have != want || want < 6 {
		t.Fatalf("schema version %d of %d (%v)", have, want, err)
	}

	for _, tb := range tables {
		if got := dumpRows(t, raw, "SELECT * FROM "+tb); !reflect.DeepEqual(got, before[tb]) {
			t.Errorf("%s after the migration:\n%v\nwant\n%v", tb, got, before[tb])
		}
	}
	if got := dumpRows(t, raw, `SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`); !reflect.DeepEqual(got, indexes) {
		t.Errorf("indexes after the migration:\n%v\nwant\n%v", got, indexes)
	}
	for _, tb := range []string{"pages", "links", "findings"} {
		var ddl string
		if err := raw.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, tb).Scan(&ddl); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ddl, "REFERENCES crawls (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED") {
			t.Errorf("%s's key to crawls is not deferred:\n%s", tb, ddl)
		}
	}

	// A row naming no crawl is still refused, at commit.
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO links (crawl_id, source_id, position, target_id, kind, internal) VALUES (9, 1, 0, 1, 'anchor', 1)`); err != nil {
		t.Fatalf("the insert itself failed: %v", err)
	}
	if err := tx.Commit(); err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("commit of a link to no crawl: %v, want a foreign key error", err)
	}
	// Deleting a crawl still deletes its rows, and only its rows.
	if _, err := raw.Exec(`DELETE FROM crawls WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	for _, tb := range []string{"pages", "links", "findings"} {
		var left, other int
		if err := raw.QueryRow(fmt.Sprintf(`SELECT count(*) FILTER (WHERE crawl_id = 1), count(*) FILTER (WHERE crawl_id = 2) FROM %s`, tb)).Scan(&left, &other); err != nil {
			t.Fatal(err)
		}
		if left != 0 || other == 0 {
			t.Errorf("%s: %d rows of the deleted crawl left, %d of the other", tb, left, other)
		}
	}
}

func dumpRows(t *testing.T, db *sql.DB, q string) [][]any {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
