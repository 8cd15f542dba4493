package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/worker"
)

// workerFlags are shared by `worker` and the embedded workers of `serve`.
type workerFlags struct {
	concurrency int
	lease       time.Duration
	heartbeat   time.Duration
	reapEvery   time.Duration
	pollEvery   time.Duration
	stopGrace   time.Duration
	noNotify    bool
	maxConns    int
	onlyJob     int64 // claim this job only (scouter crawl's embedded worker)
}

func (f *workerFlags) register(fs *flag.FlagSet, concurrencyName string, defConcurrency int) {
	fs.IntVar(&f.concurrency, concurrencyName, defConcurrency, "jobs run at once")
	fs.DurationVar(&f.lease, "lease", 30*time.Second, "job lease; a dead worker's job is recovered after it")
	fs.DurationVar(&f.heartbeat, "heartbeat", 0, "lease renewal interval (default lease/6)")
	fs.DurationVar(&f.reapEvery, "reap-every", 10*time.Second, "how often to look for expired leases")
	fs.DurationVar(&f.pollEvery, "poll-every", 2*time.Second, "queue poll backstop when no notification arrives")
	fs.DurationVar(&f.stopGrace, "stop-grace", 10*time.Second, "time a job gets to stop before it is killed")
	fs.BoolVar(&f.noNotify, "no-notify", false, "ignore database notifications; rely on polling and heartbeats")
	fs.IntVar(&f.maxConns, "max-conns", 3, "database connections of this process (PostgreSQL)")
}

func (f *workerFlags) validate(concurrencyName string, allowZero bool) error {
	least := 1
	if allowZero {
		least = 0
	}
	if f.concurrency < least {
		return usagef("--%s must be at least %d", concurrencyName, least)
	}
	if f.lease < time.Second {
		return usagef("--lease must be at least 1s")
	}
	if f.heartbeat != 0 && f.heartbeat >= f.lease/2 {
		return usagef("--heartbeat must be under half of --lease")
	}
	if f.maxConns < 1 {
		return usagef("--max-conns must be at least 1")
	}
	return nil
}

// newWorker builds a worker whose children re-run this binary.
func newWorker(db *store.DB, cfg *Config, f *workerFlags, log *slog.Logger) (*worker.Worker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	env := append(os.Environ(),
		"SCOUTER_DB="+db.DSN(),
		"SCOUTER_LOG_LEVEL="+cfg.LogLevel,
		"SCOUTER_LOG_FORMAT="+cfg.LogFormat)
	logDir := ""
	if cfg.DataDir != "" {
		logDir = filepath.Join(cfg.DataDir, "logs")
	}
	return worker.New(db, worker.Config{
		Concurrency: f.concurrency,
		Lease:       f.lease,
		Heartbeat:   f.heartbeat,
		ReapEvery:   f.reapEvery,
		PollEvery:   f.pollEvery,
		StopGrace:   f.stopGrace,
		Command:     []string{exe, jobRunCommand},
		Env:         env,
		LogDir:      logDir,
		OnlyJob:     f.onlyJob,
		FollowUp:    followUp,
	}, log)
}

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	var cfg Config
	var wf workerFlags
	cfg.register(fs)
	wf.register(fs, "concurrency", 1)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if err := wf.validate("concurrency", false); err != nil {
		return err
	}
	log := cfg.logger(stderr)
	db, err := cfg.open(ctx, log, store.Options{Notify: !wf.noNotify, MaxConns: wf.maxConns})
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := newWorker(db, &cfg, &wf, log)
	if err != nil {
		return err
	}
	w.Start(context.Background())
	<-ctx.Done()
	log.Info("shutting down: no new jobs; running jobs stop at a safe point and go back to the queue")
	w.Stop()
	return nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var cfg Config
	cfg.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	db, err := cfg.open(ctx, cfg.logger(stderr), store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer db.Close()
	have, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database schema at version %d (%s)\n", have, db.Dialect())
	return nil
}
