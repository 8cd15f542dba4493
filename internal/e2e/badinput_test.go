package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/testdb"
)

// TestBadInput: each mistake gives one clear line and a non-zero exit, never
// a stack trace.
func TestBadInput(t *testing.T) {
	sqlite := testdb.DSN(t, "sqlite")
	cases := []struct {
		name string
		dsn  string
		args []string
		want string
	}{
		{"unknown job", sqlite, []string{"jobs", "show", "424242"}, "job 424242 not found"},
		{"unknown job logs", sqlite, []string{"jobs", "logs", "424242"}, "job 424242 not found"},
		{"not an id", sqlite, []string{"jobs", "stop", "abc"}, `"abc" is not a job id`},
		{"bad database URL", "postgres://u:secret@[::1", []string{"jobs", "list"}, "invalid database URL"},
		{"unreachable database", "postgres://postgres:secret@127.0.0.1:1/test?connect_timeout=2", []string{"worker"}, "cannot reach database"},
		{"missing SQLite directory", filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), []string{"migrate"}, "SQLite database directory"},
		{"unknown command", sqlite, []string{"crawlz"}, `unknown command "crawlz"`},
		{"bad lease", sqlite, []string{"worker", "--lease", "10ms"}, "--lease must be at least 1s"},
		{"bad args JSON", sqlite, []string{"jobs", "enqueue", "--kind", "test", "--args", "{"}, "--args is not valid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, tc.dsn, tc.args...)
			if code == 0 {
				t.Fatalf("exit 0; stdout %q stderr %q", out, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Fatalf("stderr %q does not say %q", errOut, tc.want)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") > 0 && !strings.Contains(errOut, "Usage") {
				t.Fatalf("more than one line: %q", errOut)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") || strings.Contains(errOut, "secret") {
				t.Fatalf("stack trace or password in the error: %q", errOut)
			}
		})
	}
}
