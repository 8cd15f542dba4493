// Package e2e runs the real scouter binary as separate processes (workers,
// job children, CLI commands) against real SQLite files and PostgreSQL.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// binary is scouter built with the race detector when the tests have it, so
// worker and job processes are race-checked too; plainBinary is built
// without it for the tests whose point is volume (a thousand processes).
var binary, plainBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scouter-e2e-")
	if err != nil {
		panic(err)
	}
	plainBinary = filepath.Join(dir, "scouter")
	binary = plainBinary
	builds := [][]string{{"build", "-o", plainBinary, "../../cmd/scouter"}}
	if raceFlag != "" {
		binary = filepath.Join(dir, "scouter-race")
		builds = append(builds, []string{"build", raceFlag, "-o", binary, "../../cmd/scouter"})
	}
	errs := make(chan error, len(builds))
	for _, args := range builds {
		go func() {
			build := exec.Command("go", args...)
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			errs <- build.Run()
		}()
	}
	for range builds {
		if err := <-errs; err != nil {
			fmt.Fprintln(os.Stderr, "build scouter:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var ctx = context.Background()

// proc is a running scouter process with its output captured.
type proc struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	err  error
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *proc) Pid() int { return p.cmd.Process.Pid }

func (p *proc) Signal(s syscall.Signal) { p.cmd.Process.Signal(s) }

// Wait waits for the process to exit, at most d.
func (p *proc) Wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		t.Fatalf("process %v still running after %s; output:\n%s", p.cmd.Args, d, p.Output())
		return nil
	}
}

func start(t *testing.T, dsn string, args ...string) *proc {
	t.Helper()
	return startBin(t, binary, dsn, args...)
}

func startBin(t *testing.T, bin, dsn string, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), "SCOUTER_DB="+dsn, "SCOUTER_DATA_DIR="+t.TempDir())
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGCONT)
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("output of %v:\n%s", p.cmd.Args[1:], tail(p.Output(), 4000))
		}
	})
	return p
}

// worker starts `scouter worker` with quick timings for tests.
func worker(t *testing.T, dsn string, extra ...string) *proc {
	return workerBin(t, binary, dsn, extra...)
}

func workerBin(t *testing.T, bin, dsn string, extra ...string) *proc {
	args := append([]string{"worker", "--lease", "3s", "--heartbeat", "300ms", "--reap-every", "500ms",
		"--poll-every", "500ms", "--stop-grace", "3s"}, extra...)
	return startBin(t, bin, dsn, args...)
}

// run runs a CLI command to completion.
func run(t *testing.T, dsn string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "SCOUTER_DB="+dsn, "SCOUTER_DATA_DIR="+t.TempDir())
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func jobIs(t *testing.T, db *store.DB, id int64, status store.JobStatus) func() bool {
	return func() bool {
		j, err := db.JobGet(ctx, id)
		return err == nil && j.Status == status
	}
}

func mustJob(t *testing.T, db *store.DB, id int64) store.Job {
	t.Helper()
	j, err := db.JobGet(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func enqueueTest(t *testing.T, db *store.DB, args string) store.Job {
	t.Helper()
	j, _, err := db.JobEnqueue(ctx, store.JobEnqueueParams{Kind: "test", Args: []byte(args)})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// markers counts the executions each job left in dir (job-attempt-pid).
func markers(t *testing.T, dir string) map[string]int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range entries {
		job, _, _ := strings.Cut(e.Name(), "-")
		n[job]++
	}
	return n
}

func backends(t *testing.T, fn func(t *testing.T, backend, dsn string, db *store.DB)) {
	for _, b := range testdb.Backends {
		t.Run(b, func(t *testing.T) {
			dsn := testdb.DSN(t, b)
			db := testdb.OpenDSN(t, dsn, true)
			fn(t, b, dsn, db)
		})
	}
}

func processGone(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil {
		return true
	}
	// A zombie still answers signal 0: look at its state.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(b))
	return len(fields) > 2 && fields[2] == "Z"
}
