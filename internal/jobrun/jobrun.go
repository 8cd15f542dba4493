// Package jobrun is the child side of a job: the process a worker spawns to
// run one attempt. It writes structured log lines and progress to the
// database itself, fenced by its lease, and tells the worker how it ended
// through its exit code.
package jobrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
)

// Exit codes between child and worker.
const (
	ExitCompleted = 0
	ExitFailed    = 1
	ExitStopped   = 3 // stopped at a safe point on request
	ExitLeaseLost = 4 // the attempt no longer owns the job; nothing recorded
)

// Handler runs one job attempt. It returns when done, or soon after ctx is
// cancelled (a stop request) at a safe point, with ctx's error.
type Handler func(ctx context.Context, jc *Context) error

// Store is what the child needs of the database.
type Store interface {
	JobGet(ctx context.Context, id int64) (store.Job, error)
	JobLogsInsert(ctx context.Context, l store.Lease, lines []store.LogLine) error
	JobProgress(ctx context.Context, l store.Lease, p store.Progress) error
}

// Context is what a handler gets: its job, a logger and a progress reporter.
type Context struct {
	Job   store.Job
	Lease store.Lease
	Log   *Logger
}

// Progress records progress; it is written within a flush interval.
func (c *Context) Progress(p store.Progress) { c.Log.setProgress(p) }

var (
	errStopRequested = errors.New("stop requested")
	errLeaseLost     = errors.New("lease lost")
)

// Run runs attempt of job id with the matching handler and returns the
// process exit code. Closing stdin (or SIGTERM/SIGINT) asks the job to stop:
// the worker closes it to stop the job, and it closes by itself when the
// worker dies.
func Run(ctx context.Context, db Store, id int64, attempt int, handlers map[string]Handler, stdin io.Reader, out io.Writer) int {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var job store.Job
	var err error
	for wait, deadline := 200*time.Millisecond, time.Now().Add(30*time.Second); ; wait = min(wait*2, 3*time.Second) {
		job, err = db.JobGet(ctx, id)
		if err == nil || errors.Is(err, store.ErrNotFound) || time.Now().After(deadline) {
			break
		}
		time.Sleep(wait)
	}
	if err != nil {
		fmt.Fprintf(out, "error: job %d: %v\n", id, err)
		return ExitFailed
	}
	if job.Attempt != attempt || (job.Status != store.JobRunning && job.Status != store.JobStopping) {
		fmt.Fprintf(out, "error: job %d is %s at attempt %d, not attempt %d\n", id, job.Status, job.Attempt, attempt)
		return ExitLeaseLost
	}
	h, ok := handlers[job.Kind]
	if !ok {
		fmt.Fprintf(out, "error: unknown job kind %q\n", job.Kind)
		return ExitFailed
	}

	go func() {
		io.Copy(io.Discard, stdin)
		cancel(errStopRequested)
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			cancel(errStopRequested)
		case <-ctx.Done():
		}
	}()

	lease := store.Lease{JobID: id, Attempt: attempt}
	logger := newLogger(db, lease, out, func() { cancel(errLeaseLost) })
	jc := &Context{Job: job, Lease: lease, Log: logger}

	herr := runHandler(ctx, h, jc)
	// The final flush must get through even though ctx may be cancelled.
	flushErr := logger.close()

	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errLeaseLost) || errors.Is(flushErr, store.ErrLeaseLost):
		fmt.Fprintln(out, "error: lease lost; another attempt owns the job now")
		return ExitLeaseLost
	case herr == nil:
		return ExitCompleted
	case errors.Is(cause, errStopRequested) && errors.Is(herr, context.Canceled):
		fmt.Fprintln(out, "stopped at a safe point")
		return ExitStopped
	default:
		fmt.Fprintf(out, "error: %v\n", herr)
		return ExitFailed
	}
}

// runHandler turns a panic into an error, so the job fails with a message
// instead of a stack trace only.
func runHandler(ctx context.Context, h Handler, jc *Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job panicked: %v", r)
		}
	}()
	err = h(ctx, jc)
	if err != nil {
		jc.Log.Error("%s", err)
	}
	return err
}
