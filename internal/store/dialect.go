package store

import (
	"strconv"
	"strings"
)

// dialect holds what differs between SQLite and PostgreSQL. Queries are
// written once with ? placeholders and {tokens}; expand turns them into the
// dialect's SQL.
type dialect struct {
	name string
	// now is the database clock in the dialect's time type. Lease and
	// schedule comparisons use it only, never a process clock.
	now string
	// plusMs adds a millisecond count (a placeholder) to now.
	plusMs string
	// skipLocked makes concurrent claimers pass over rows another holds
	// (PostgreSQL); SQLite has a single writer, so nothing is needed.
	skipLocked string
	// forShare holds the job row against a concurrent re-queue while a
	// fenced insert commits (PostgreSQL); SQLite serialises writers anyway.
	forShare string
	// forUpdate locks a row against concurrent writers until commit
	// (PostgreSQL); SQLite serialises writers anyway.
	forUpdate    string
	dollarParams bool
}

var sqliteDialect = &dialect{
	name:   "sqlite",
	now:    "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
	plusMs: "(CAST(unixepoch('subsec') * 1000 AS INTEGER) + ?)",
}

var postgresDialect = &dialect{
	name:         "postgres",
	now:          "clock_timestamp()",
	plusMs:       "(clock_timestamp() + CAST(? AS double precision) * interval '1 millisecond')",
	skipLocked:   "FOR UPDATE SKIP LOCKED",
	forShare:     "FOR SHARE",
	forUpdate:    "FOR UPDATE",
	dollarParams: true,
}

// expand replaces the {tokens} and, for PostgreSQL, numbers the placeholders.
// Queries never contain ? inside string literals.
func (d *dialect) expand(q string) string {
	q = strings.NewReplacer(
		"{now}", d.now,
		"{now+ms}", d.plusMs,
		"{skip_locked}", d.skipLocked,
		"{for_share}", d.forShare,
		"{for_update}", d.forUpdate,
	).Replace(q)
	if !d.dollarParams {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
