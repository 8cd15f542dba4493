package crawler

import (
	"context"
	"errors"
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
	wg    sync.WaitGroup // batches sent and not yet written
	done  chan struct{}

	mu     sync.Mutex
	failed error
}

// writeRetryFor is how long a write is retried while the database is away.
const writeRetryFor = 2 * time.Minute

func newWriter(db Store, lease store.Lease, log Logger) *writer {
	w := &writer{db: db, lease: lease, log: log, in: make(chan *batch, 1), done: make(chan struct{})}
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
		w.wg.Done()
	}
}

// write stores a batch, retrying while the database is unreachable: a stop
// request does not cancel it, since what was fetched must be kept.
func (w *writer) write(b *batch) error {
	cb := &store.CrawlBatch{Pages: b.pages, Links: b.links}
	deadline := time.Now().Add(writeRetryFor)
	for wait := 250 * time.Millisecond; ; wait = min(wait*2, 5*time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := w.db.CrawlWrite(ctx, w.lease, cb)
		cancel()
		if err == nil || errors.Is(err, store.ErrLeaseLost) || time.Now().After(deadline) {
			return err
		}
		w.log.Warn("database write failed (%v); retrying", err)
		time.Sleep(wait)
	}
}
