// Package worker claims jobs from the database and runs each attempt in a
// child process, holding the job's lease by heartbeat while it runs.
package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
)

// Store is what a worker needs of the database.
type Store interface {
	HasClaimable(ctx context.Context) (bool, error)
	JobClaim(ctx context.Context, p store.JobClaimParams) ([]store.Job, error)
	JobGet(ctx context.Context, id int64) (store.Job, error)
	JobHeartbeat(ctx context.Context, p store.JobHeartbeatParams) (store.JobStatus, error)
	JobFinish(ctx context.Context, p store.JobFinishParams) error
	JobHandBack(ctx context.Context, l store.Lease) error
	JobReapExpired(ctx context.Context) ([]store.Job, error)
	JobLogsInsert(ctx context.Context, l store.Lease, lines []store.LogLine) error
	JobOutputAppend(ctx context.Context, l store.Lease, seq int, data []byte) error
	Subscribe(topics ...string) *store.Subscription
}

// Config tunes a worker. Zero values take the defaults below.
type Config struct {
	ID          string
	Concurrency int           // jobs at once; default 1
	Lease       time.Duration // default 30s: a crashed job is re-queued within about a minute
	Heartbeat   time.Duration // default Lease/6
	ReapEvery   time.Duration // default 10s, jittered
	PollEvery   time.Duration // backstop when no notification comes; default 2s, jittered
	StopGrace   time.Duration // after a stop request, kill the child after this; default 10s
	// Command runs one attempt: Command + ["--job", id, "--attempt", n].
	Command []string
	// Env is the child's environment (it must name the database).
	Env []string
	// LogDir, when set, also keeps each attempt's raw output in a local file.
	LogDir string
	// OutputCap bounds the raw output stored per attempt; default 64 MiB.
	OutputCap int
	// OnlyJob, when set, makes the worker claim that job and no other.
	OnlyJob int64
	// FollowUp, when set, names the job a completed job leads to (a crawl's
	// audit); it is enqueued in the transaction that completes the job.
	FollowUp func(store.Job) *store.JobEnqueueParams
}

func (c *Config) setDefaults() error {
	if len(c.Command) == 0 {
		return errors.New("worker: no child command")
	}
	if c.ID == "" {
		host, _ := os.Hostname()
		b := make([]byte, 3)
		rand.Read(b)
		c.ID = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	c.Concurrency = max(c.Concurrency, 1)
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = c.Lease / 6
	}
	if c.Heartbeat >= c.Lease/2 {
		return fmt.Errorf("worker: heartbeat %s must be under half the lease %s", c.Heartbeat, c.Lease)
	}
	if c.ReapEvery <= 0 {
		c.ReapEvery = 10 * time.Second
	}
	if c.PollEvery <= 0 {
		c.PollEvery = 2 * time.Second
	}
	if c.StopGrace <= 0 {
		c.StopGrace = 10 * time.Second
	}
	if c.OutputCap <= 0 {
		c.OutputCap = 64 << 20
	}
	return nil
}

// Worker claims and supervises jobs. Start it once; Stop is idempotent.
type Worker struct {
	db   Store
	cfg  Config
	log  *slog.Logger
	host string

	cancel   context.CancelFunc
	shutdown chan struct{} // closed by Stop: hand running jobs back
	freed    chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once

	mu      sync.Mutex
	running map[int64]*attempt
}

// New validates the configuration and returns a worker.
func New(db Store, cfg Config, log *slog.Logger) (*Worker, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return &Worker{db: db, cfg: cfg, log: log.With("worker", cfg.ID), host: host,
		shutdown: make(chan struct{}), freed: make(chan struct{}, 1), running: map[int64]*attempt{}}, nil
}

// ID is the worker's identity as recorded on the jobs it owns.
func (w *Worker) ID() string { return w.cfg.ID }

// Start launches the claim and reaper loops.
func (w *Worker) Start(ctx context.Context) {
	ctx, w.cancel = context.WithCancel(ctx)
	w.wg.Add(2)
	go func() { defer w.wg.Done(); w.claimLoop(ctx) }()
	go func() { defer w.wg.Done(); w.reapLoop(ctx) }()
	w.log.Info("worker started", "concurrency", w.cfg.Concurrency, "lease", w.cfg.Lease)
}

// Stop stops claiming, asks running jobs to stop at a safe point and hands
// them back to the queue, killing children that outlive the grace period,
// then returns once everything has ended.
func (w *Worker) Stop() {
	w.stopOnce.Do(func() {
		close(w.shutdown)
		w.wg.Wait()
		if w.cancel != nil {
			w.cancel()
		}
		w.log.Info("worker stopped")
	})
}

func (w *Worker) claimLoop(ctx context.Context) {
	queue := w.db.Subscribe(store.TopicQueue)
	defer queue.Close()
	backoff := 100 * time.Millisecond
	for {
		select {
		case <-w.shutdown:
			return
		default:
		}
		err := w.claim(ctx)
		wait := jitter(w.cfg.PollEvery)
		if err != nil {
			w.log.Warn("claim failed; retrying", "err", err, "in", backoff)
			wait = jitter(backoff)
			backoff = min(backoff*2, 10*time.Second)
		} else {
			backoff = 100 * time.Millisecond
		}
		t := time.NewTimer(wait)
		select {
		case <-w.shutdown:
			t.Stop()
			return
		case <-ctx.Done():
			t.Stop()
			return
		case <-queue.C:
		case <-w.freed:
		case <-t.C:
		}
		t.Stop()
	}
}

// claim takes as many jobs as there are free slots, and no more.
func (w *Worker) claim(ctx context.Context) error {
	w.mu.Lock()
	free := w.cfg.Concurrency - len(w.running)
	w.mu.Unlock()
	if free <= 0 {
		return nil
	}
	if ok, err := w.db.HasClaimable(ctx); err != nil || !ok {
		return err
	}
	// The lease is counted locally from before the claim, so this worker
	// believes it expires no later than the database does.
	claimedAt := time.Now()
	jobs, err := w.db.JobClaim(ctx, store.JobClaimParams{WorkerID: w.cfg.ID, WorkerHost: w.host,
		WorkerPID: os.Getpid(), Limit: free, LeaseMs: w.cfg.Lease.Milliseconds(), JobID: w.cfg.OnlyJob})
	if err != nil {
		return err
	}
	for _, j := range jobs {
		a := &attempt{w: w, job: j, lease: store.Lease{JobID: j.ID, Attempt: j.Attempt},
			deadline: claimedAt.Add(w.cfg.Lease)}
		w.mu.Lock()
		w.running[j.ID] = a
		w.mu.Unlock()
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			a.run(ctx)
			w.mu.Lock()
			delete(w.running, j.ID)
			w.mu.Unlock()
			select {
			case w.freed <- struct{}{}:
			default:
			}
		}()
	}
	return nil
}

// reapLoop re-queues jobs whose lease expired; every worker runs one, so
// any live worker recovers a dead one's jobs.
func (w *Worker) reapLoop(ctx context.Context) {
	for {
		t := time.NewTimer(jitter(w.cfg.ReapEvery))
		select {
		case <-w.shutdown:
			t.Stop()
			return
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		jobs, err := w.db.JobReapExpired(ctx)
		if err != nil {
			w.log.Warn("reaping expired leases failed", "err", err)
			continue
		}
		for _, j := range jobs {
			w.log.Warn("lease expired; job recovered", "job", j.ID, "attempt", j.Attempt, "owner", j.WorkerID, "status", j.Status)
		}
	}
}

// jitter spreads d over [d/2, 3d/2) so many workers do not poll in step.
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(mrand.Int64N(int64(d)))
}
