package jobrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
)

const (
	flushEvery  = 200 * time.Millisecond
	flushLines  = 500
	bufferLimit = 20000 // lines kept while the database is unreachable
)

// Logger batches structured log lines into job_logs and echoes them to the
// raw output. Writes survive short database outages: lines wait in a bounded
// buffer and are retried.
type Logger struct {
	db    Store
	lease store.Lease
	out   io.Writer
	lost  func()

	mu       sync.Mutex
	buf      []store.LogLine
	dropped  int
	progress *store.Progress
	wake     chan struct{}
	done     chan struct{}
	stopped  chan struct{}
	err      error // store.ErrLeaseLost once fenced off
}

func newLogger(db Store, l store.Lease, out io.Writer, lost func()) *Logger {
	lg := &Logger{db: db, lease: l, out: out, lost: lost,
		wake: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
	go lg.loop()
	return lg
}

// Info, Warn and Error add a line of that level.
func (l *Logger) Info(format string, args ...any)  { l.add(store.LogInfo, format, args...) }
func (l *Logger) Warn(format string, args ...any)  { l.add(store.LogWarn, format, args...) }
func (l *Logger) Error(format string, args ...any) { l.add(store.LogError, format, args...) }

func (l *Logger) add(level store.LogLevel, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	fmt.Fprintf(l.out, "%s %-5s %s\n", time.Now().UTC().Format("15:04:05.000"), level, msg)
	l.mu.Lock()
	if len(l.buf) >= bufferLimit {
		l.buf = l.buf[1:]
		l.dropped++
	}
	l.buf = append(l.buf, store.LogLine{Level: level, Message: msg})
	full := len(l.buf) >= flushLines
	l.mu.Unlock()
	if full {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

func (l *Logger) setProgress(p store.Progress) {
	l.mu.Lock()
	l.progress = &p
	l.mu.Unlock()
}

func (l *Logger) loop() {
	defer close(l.stopped)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	backoff := flushEvery
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
		case <-l.wake:
		}
		if err := l.flush(context.Background()); err != nil {
			if errors.Is(err, store.ErrLeaseLost) {
				l.lost()
				return
			}
			// The database is away: keep the lines and try again later.
			fmt.Fprintf(l.out, "warning: cannot write logs (%v); retrying\n", err)
			select {
			case <-l.done:
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = flushEvery
	}
}

// flush writes buffered lines and the latest progress.
func (l *Logger) flush(ctx context.Context) error {
	l.mu.Lock()
	if l.err != nil {
		l.mu.Unlock()
		return l.err
	}
	lines := l.buf
	if l.dropped > 0 {
		lines = append([]store.LogLine{{Level: store.LogWarn, Message: fmt.Sprintf("%d log lines dropped while the database was unreachable", l.dropped)}}, lines...)
	}
	progress := l.progress
	l.mu.Unlock()

	if len(lines) > 0 {
		if err := l.db.JobLogsInsert(ctx, l.lease, lines); err != nil {
			return l.fail(err)
		}
	}
	if progress != nil {
		if err := l.db.JobProgress(ctx, l.lease, *progress); err != nil {
			return l.fail(err)
		}
	}
	l.mu.Lock()
	written := len(lines)
	if l.dropped > 0 {
		written--
		l.dropped = 0
	}
	l.buf = l.buf[written:]
	if l.progress == progress {
		l.progress = nil
	}
	l.mu.Unlock()
	return nil
}

func (l *Logger) fail(err error) error {
	if errors.Is(err, store.ErrLeaseLost) {
		l.mu.Lock()
		l.err = store.ErrLeaseLost
		l.mu.Unlock()
	}
	return err
}

// close stops the loop and makes a last flush, retrying for a while.
func (l *Logger) close() error {
	close(l.done)
	<-l.stopped
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := l.flush(ctx)
		cancel()
		if err == nil || errors.Is(err, store.ErrLeaseLost) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}
}
