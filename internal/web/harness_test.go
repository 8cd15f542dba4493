package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scouter-seo/scouter/internal/api"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// binary is the scouter command, built once, run as the worker process of
// the browser tests (the crawls run in its job-run children).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "scouter-web-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "scouter")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/scouter")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build scouter:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var bg = context.Background()

// env is a server like `scouter serve`: the API and the UI on one mux
// behind Protect, on a fresh database (SQLite unless the options say).
type env struct {
	t   testing.TB
	dsn string
	db  *store.DB
	ui  *UI
	srv *httptest.Server
	sse bool // the API has the job event stream
}

type envOptions struct {
	tailLen int    // log lines per load in the panel (0: the default)
	noSSE   bool   // answer 404 to the event stream, as an API without it does
	backend string // testdb backend ("": sqlite)
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	if o.backend == "" {
		o.backend = "sqlite"
	}
	dsn := testdb.DSN(t, o.backend)
	db := testdb.OpenDSN(t, dsn, true)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	api.New(db, log, []string{"crawl", "test"}).Register(mux)
	ui := New(db, log)
	if o.tailLen > 0 {
		ui.tailLen = o.tailLen
	}
	ui.Register(mux)
	probe := httptest.NewRequest("GET", "/api/v1/jobs/1/events", nil)
	_, pattern := mux.Handler(probe)
	var h http.Handler = mux
	if o.noSSE {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/events") {
				http.Error(w, `{"error":"no such API route"}`, http.StatusNotFound)
				return
			}
			mux.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(Protect(h))
	t.Cleanup(srv.Close)
	return &env{t: t, dsn: dsn, db: db, ui: ui, srv: srv, sse: pattern != "/api/" && !o.noSSE}
}

// startWorker runs `scouter worker` on the env's database with quick
// timings; it is stopped with SIGTERM (then killed) when the test ends.
func (e *env) startWorker() {
	t := e.t
	t.Helper()
	var out syncBuffer
	cmd := exec.Command(binary, "worker", "--lease", "3s", "--heartbeat", "300ms", "--poll-every", "200ms",
		"--reap-every", "500ms", "--stop-grace", "3s")
	cmd.Env = append(os.Environ(), "SCOUTER_DB="+e.dsn, "SCOUTER_DATA_DIR="+t.TempDir(), "SCOUTER_LOG_LEVEL=info")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(8 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("worker output:\n%s", tail(out.String(), 4000))
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// chromiumPath is Debian's chromium (scripts/test-deps installs it);
// SCOUTER_TEST_CHROMIUM names another binary.
func chromiumPath(t testing.TB) string {
	p := os.Getenv("SCOUTER_TEST_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the browser tests need Chromium at %s (run scripts/test-deps, or set SCOUTER_TEST_CHROMIUM): %v", p, err)
	}
	return p
}

// browser is a headless Chromium tab. Its console is watched: a
// Content-Security-Policy violation, an uncaught exception or an error
// (other than a network one, such as the 404 of a missing event stream)
// fails the test, since no page should have any.
type browser struct {
	ctx context.Context
	t   testing.TB

	mu       sync.Mutex
	problems []string
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(bg, opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	b := &browser{ctx: ctx, t: t}
	// The first Run starts the browser; it must not have a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	consoleDone := make(chan struct{})
	messages := chromedp.Console(ctx)
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			switch {
			case strings.Contains(m.Text, "Content Security Policy"),
				m.IsException(),
				m.Type == chromedp.ConsoleError && m.Source != "network":
				b.problem(m.String() + " " + m.URL)
			}
		}
	}()
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		<-consoleDone
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, p := range b.problems {
			t.Errorf("browser: %s", p)
		}
	})
	return b
}

func (b *browser) problem(s string) {
	b.mu.Lock()
	b.problems = append(b.problems, s)
	b.mu.Unlock()
}

// do runs actions with a generous timeout.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// waitJS waits until a JavaScript expression is true.
func (b *browser) waitJS(d time.Duration, what, expr string) {
	b.t.Helper()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + " | " +
				((document.getElementById("status")||{}).textContent||"") + " | " +
				((document.getElementById("transport")||{}).textContent||"") + " | rows=" +
				document.querySelectorAll("#terminal .line").length`))
			cancel()
			b.t.Fatalf("timed out after %s waiting for %s (%s); page: %s (err %v)", d, what, expr, state, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitFor polls a Go condition.
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

// terminalSeqs is the seq of every log row of the panel's terminal.
const terminalSeqs = `Array.from(document.querySelectorAll("#terminal .line[data-seq]")).map(e => e.getAttribute("data-seq")).join(",")`
