package store

import (
	"context"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notification topics.
const (
	// TopicQueue fires when a job becomes claimable.
	TopicQueue = "queue"
	// TopicCrawls fires when any crawl's status changes.
	TopicCrawls = "crawls"
)

// TopicJob fires when a job changes: status, stop request, progress, logs.
func TopicJob(id int64) string { return "job:" + strconv.FormatInt(id, 10) }

// Subscription delivers wake-ups. A wake-up says "look again", never what
// changed: subscribers re-read the database, so a lost or coalesced
// notification costs latency, never correctness.
type Subscription struct {
	C      <-chan struct{}
	c      chan struct{}
	topics []string
	hub    *hub
}

// Close ends the subscription. It is idempotent.
func (s *Subscription) Close() { s.hub.unsubscribe(s) }

type hub struct {
	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{}
}

func newHub() *hub { return &hub{subs: map[string]map[*Subscription]struct{}{}} }

// Subscribe wakes the subscriber when any of the topics is published.
func (db *DB) Subscribe(topics ...string) *Subscription {
	c := make(chan struct{}, 1)
	s := &Subscription{C: c, c: c, topics: topics, hub: db.hub}
	db.hub.mu.Lock()
	defer db.hub.mu.Unlock()
	for _, t := range topics {
		if db.hub.subs[t] == nil {
			db.hub.subs[t] = map[*Subscription]struct{}{}
		}
		db.hub.subs[t][s] = struct{}{}
	}
	return s
}

func (h *hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range s.topics {
		delete(h.subs[t], s)
		if len(h.subs[t]) == 0 {
			delete(h.subs, t)
		}
	}
}

func (h *hub) publish(topics ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range topics {
		for s := range h.subs[t] {
			wake(s.c)
		}
	}
}

// publishAll wakes everyone: used when changes may have been missed.
func (h *hub) publishAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for s := range set {
			wake(s.c)
		}
	}
}

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// channel is the PostgreSQL notification channel, one per schema so that
// installations sharing a database do not wake each other.
func (db *DB) channel() string { return "scouter_" + db.schema }

// listenPostgres holds one dedicated connection in LISTEN and relays
// notifications to the hub, reconnecting with jittered backoff.
func (db *DB) listenPostgres(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		// Anything may have changed while we were not listening.
		db.hub.publishAll()
		db.log.Warn("notification listener lost its connection; reconnecting", "err", rootCause(err), "in", backoff)
		sleepCtx(ctx, jitter(backoff))
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (db *DB) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{db.channel()}.Sanitize()); err != nil {
		return err
	}
	// Reconnected: whatever happened meanwhile must be looked at.
	db.hub.publishAll()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		db.hub.publish(n.Payload)
	}
}

// watchSQLite notices commits of other processes through PRAGMA
// data_version, which changes when another connection commits, and wakes
// every subscriber; they re-read what they care about.
func (db *DB) watchSQLite(ctx context.Context) {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		db.log.Warn("cannot watch SQLite for changes; relying on polling", "err", err)
		return
	}
	defer conn.Close()
	var last int64 = -1
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var v int64
		if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			continue
		}
		if last >= 0 && v != last {
			db.hub.publishAll()
		}
		last = v
	}
}

func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
