package store

import "context"

// RawExecForTest runs a statement for tests that must corrupt state on
// purpose (a schema that is behind). Not for production code.
func (db *DB) RawExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.w.ExecContext(ctx, db.q(q), args...)
	return err
}
