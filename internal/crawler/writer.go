package crawler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
)

// writer writes batches in the background so fetching goes on during a
// write; one batch waits while another is written, which bounds memory.
type writer struct {
	db    Store
	lease store.Lease
	log   Logger
	in    chan *batch
	free  chan *batch    // written batches, emptied for reuse
	wg    sync.WaitGroup // batches sent and not yet written
	done  chan struct{}

	mu     sync.Mutex
	failed error
}

// retryFor is how long a database call is retried while the database is
// away (a restart, a failover) before the crawl gives up.
const retryFor = 2 * time.Minute

// retry runs fn until it succeeds, fails with a lease loss, ctx ends, or
// retryFor passes, with capped exponential backoff and a log line per retry.
func retry(ctx context.Context, log Logger, what string, fn func(ctx context.Context) error) error {
	deadline := time.Now().Add(retryFor)
	for wait := 250 * time.Millisecond; ; wait = min(wait*2, 5*time.Second) {
		err := fn(ctx)
		switch {
		case err == nil || errors.Is(err, store.ErrLeaseLost):
			return err
		case ctx.Err() != nil:
			return ctx.Err()
		case time.Now().After(deadline):
			return fmt.Errorf("%s: %w", what, err)
		}
		log.Warn("%s failed (%v); retrying", what, err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func newWriter(db Store, lease store.Lease, log Logger) *writer {
	w := &writer{db: db, lease: lease, log: log, in: make(chan *batch, 1), free: make(chan *batch, 1), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *writer) send(b *batch) {
	if w.err() != nil {
		return
	}
	w.wg.Add(1)
	w.in <- b
}

func (w *writer) wait() { w.wg.Wait() }

// reuse returns an empty batch, a written one if there is one.
func (w *writer) reuse() *batch {
	select {
	case b := <-w.free:
		return b
	default:
		return newBatch()
	}
}

func (w *writer) close() {
	close(w.in)
	<-w.done
}

func (w *writer) err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failed
}

func (w *writer) loop() {
	defer close(w.done)
	for b := range w.in {
		if w.err() == nil {
			if err := w.write(b); err != nil {
				w.mu.Lock()
				w.failed = err
				w.mu.Unlock()
			}
		}
		b.reset()
		select {
		case w.free <- b:
		default:
		}
		w.wg.Done()
	}
}

// write stores a batch, retrying while the database is unreachable. A stop
// request does not cancel it: what was fetched must be kept.
func (w *writer) write(b *batch) error {
	cb := &store.CrawlBatch{Pages: b.pages, Links: b.links}
	return retry(context.Background(), w.log, "database write", func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		return w.db.CrawlWrite(ctx, w.lease, cb)
	})
}
