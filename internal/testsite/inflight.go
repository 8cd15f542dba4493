package testsite

import "sync"

// inflight lets Close wait for running handlers without http.Server's
// Shutdown, which waits up to 5 s for connections that were dialled but
// never sent a request (http.Transport leaves such spare connections
// behind), and that would make every test's Close slow.
type inflight struct {
	mu     sync.Mutex
	cond   sync.Cond
	n      int
	closed bool
}

// enter registers a handler; false once closing has begun.
func (f *inflight) enter() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	f.n++
	return true
}

func (f *inflight) leave() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n--; f.n == 0 && f.cond.L != nil {
		f.cond.Broadcast()
	}
}

// close refuses new handlers and waits for the running ones, which must
// be on their way out (callers release waiting handlers first).
func (f *inflight) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	f.cond.L = &f.mu
	for f.n > 0 {
		f.cond.Wait()
	}
}
