package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/scouter-seo/scouter/internal/jobrun"
	"github.com/scouter-seo/scouter/internal/store"
)

// attempt supervises one claimed attempt: the child process, its raw output,
// the lease, stop requests and the final status.
type attempt struct {
	w        *Worker
	job      store.Job
	lease    store.Lease
	deadline time.Time // local estimate of the lease expiry; renewed by heartbeats

	stdin      io.WriteCloser
	cmd        *exec.Cmd
	stopAsked  bool // stdin closed: the child is stopping at a safe point
	handBack   bool // the worker is shutting down
	userStop   bool // a user asked to stop
	killed     bool
	leaseLost  bool
	graceTimer <-chan time.Time
}

func (a *attempt) logf(level store.LogLevel, format string, args ...any) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := a.w.db.JobLogsInsert(ctx, a.lease, []store.LogLine{{Level: level, Message: fmt.Sprintf(format, args...)}})
	if errors.Is(err, store.ErrLeaseLost) {
		a.leaseLost = true
	}
}

func (a *attempt) run(ctx context.Context) {
	log := a.w.log.With("job", a.job.ID, "attempt", a.lease.Attempt)
	log.Info("job claimed", "kind", a.job.Kind)
	a.logf(store.LogInfo, "attempt %d started on worker %s", a.lease.Attempt, a.w.cfg.ID)

	out := newOutput(a.w, a.lease, a.job.ID)
	defer out.close()
	fmt.Fprintf(out, "=== scouter: job %d attempt %d on worker %s, %s\n", a.job.ID, a.lease.Attempt, a.w.cfg.ID, time.Now().UTC().Format(time.RFC3339))

	args := append(append([]string(nil), a.w.cfg.Command[1:]...), "--job", strconv.FormatInt(a.job.ID, 10), "--attempt", strconv.Itoa(a.lease.Attempt))
	a.cmd = exec.Command(a.w.cfg.Command[0], args...)
	a.cmd.Env = a.w.cfg.Env
	a.cmd.Stdout, a.cmd.Stderr = out, out
	// Its own process group: a terminal's Ctrl-C reaches the worker, which
	// decides what happens to the job, not the child directly.
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := a.cmd.StdinPipe()
	if err == nil {
		a.stdin = stdin
		err = a.cmd.Start()
	}
	if err != nil {
		log.Error("cannot start job process", "err", err)
		a.finish(store.JobFailed, "cannot start job process: "+err.Error(), nil)
		return
	}
	log.Info("job process started", "pid", a.cmd.Process.Pid)
	exited := make(chan error, 1)
	go func() { exited <- a.cmd.Wait() }()

	sub := a.w.db.Subscribe(store.TopicJob(a.job.ID))
	defer sub.Close()
	hb := time.NewTicker(a.w.cfg.Heartbeat)
	defer hb.Stop()
	a.heartbeat(ctx, a.cmd.Process.Pid)
	shutdown := a.w.shutdown

	var waitErr error
loop:
	for {
		if a.leaseLost {
			// Not ours any more: the child's writes are fenced off already;
			// stop it now rather than let it spend a site's patience.
			log.Warn("lease lost; killing the job process")
			a.kill()
		} else if time.Now().After(a.deadline) {
			log.Warn("cannot renew the lease in time; killing the job process")
			a.leaseLost = true
			a.kill()
		}
		select {
		case waitErr = <-exited:
			break loop
		case <-hb.C:
			a.heartbeat(ctx, 0)
		case <-sub.C:
			if j, err := a.w.db.JobGet(ctx, a.job.ID); err == nil && j.Attempt == a.lease.Attempt && j.Status == store.JobStopping {
				a.requestStop("stop requested")
			}
		case <-shutdown:
			shutdown = nil
			a.handBack = true
			a.requestStop("worker shutting down")
		case <-a.graceTimer:
			log.Warn("job process did not stop in time; killing it", "grace", a.w.cfg.StopGrace)
			a.logf(store.LogWarn, "job process did not stop within %s; killed", a.w.cfg.StopGrace)
			a.kill()
		}
	}
	out.close()

	code := exitCode(waitErr)
	log.Info("job process exited", "code", code, "killed", a.killed)
	switch {
	case a.leaseLost || code == jobrun.ExitLeaseLost:
		log.Warn("attempt abandoned: the lease is lost, another attempt owns the job")
	case a.handBack && (code == jobrun.ExitStopped || a.killed):
		a.handBackJob()
	case a.userStop && (code == jobrun.ExitStopped || a.killed):
		a.finish(store.JobStopped, "", &code)
	case code == jobrun.ExitCompleted:
		a.finish(store.JobCompleted, "", &code)
	default:
		msg := fmt.Sprintf("job process exited with code %d", code)
		if a.killed {
			msg = "job process was killed"
		}
		if last := out.lastLine(); last != "" {
			msg += ": " + last
		}
		a.finish(store.JobFailed, msg, &code)
	}
}

// heartbeat renews the lease; the status it returns carries stop requests
// to workers that get no notifications.
func (a *attempt) heartbeat(ctx context.Context, childPID int) {
	sent := time.Now()
	hctx, cancel := context.WithTimeout(ctx, a.w.cfg.Heartbeat)
	defer cancel()
	status, err := a.w.db.JobHeartbeat(hctx, store.JobHeartbeatParams{Lease: a.lease, LeaseMs: a.w.cfg.Lease.Milliseconds(), ChildPID: childPID})
	switch {
	case errors.Is(err, store.ErrLeaseLost):
		a.leaseLost = true
	case err != nil:
		a.w.log.Warn("heartbeat failed; will retry", "job", a.job.ID, "err", err, "lease_left", time.Until(a.deadline).Round(time.Millisecond))
	default:
		a.deadline = sent.Add(a.w.cfg.Lease)
		if status == store.JobStopping {
			a.requestStop("stop requested")
		}
	}
}

// requestStop closes the child's stdin, which asks it to stop at a safe
// point, and arms the grace timer.
func (a *attempt) requestStop(why string) {
	if why == "stop requested" {
		a.userStop = true
	}
	if a.stopAsked {
		return
	}
	a.stopAsked = true
	a.w.log.Info("asking the job process to stop", "job", a.job.ID, "why", why)
	a.stdin.Close()
	a.graceTimer = time.After(a.w.cfg.StopGrace)
}

func (a *attempt) kill() {
	if a.killed || a.cmd.Process == nil {
		return
	}
	a.killed = true
	a.cmd.Process.Kill()
}

// finish records the final status, retrying through database outages for as
// long as the lease lasts; after that the job is another worker's to redo.
func (a *attempt) finish(status store.JobStatus, msg string, code *int) {
	p := store.JobFinishParams{Lease: a.lease, Status: status, Error: msg, ExitCode: code}
	if status == store.JobCompleted && a.w.cfg.FollowUp != nil {
		p.Then = a.w.cfg.FollowUp(a.job)
	}
	a.retry("finish", func(ctx context.Context) error { return a.w.db.JobFinish(ctx, p) })
	a.w.log.Info("job finished", "job", a.job.ID, "attempt", a.lease.Attempt, "status", status, "error", msg)
}

func (a *attempt) handBackJob() {
	a.retry("hand back", func(ctx context.Context) error { return a.w.db.JobHandBack(ctx, a.lease) })
	a.w.log.Info("job handed back to the queue", "job", a.job.ID)
}

func (a *attempt) retry(op string, fn func(ctx context.Context) error) {
	backoff := 100 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := fn(ctx)
		cancel()
		switch {
		case err == nil:
			return
		case errors.Is(err, store.ErrLeaseLost):
			a.w.log.Warn(op+" rejected: the lease is lost", "job", a.job.ID, "attempt", a.lease.Attempt)
			return
		case time.Now().After(a.deadline):
			a.w.log.Error(op+" failed until the lease expired; the job will be recovered", "job", a.job.ID, "err", err)
			return
		}
		a.w.log.Warn(op+" failed; retrying", "job", a.job.ID, "err", err)
		time.Sleep(jitter(backoff))
		backoff = min(backoff*2, 5*time.Second)
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return -1
}

// output collects the child's raw stdout and stderr: to a local file when
// configured, and in chunks to the database so any machine can serve it.
type output struct {
	w       *Worker
	lease   store.Lease
	file    *os.File
	mu      sync.Mutex
	buf     bytes.Buffer
	stored  int
	seq     int
	last    []byte // last complete line, for the failure message
	partial []byte
	capped  bool
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

func newOutput(w *Worker, l store.Lease, jobID int64) *output {
	o := &output{w: w, lease: l, done: make(chan struct{})}
	if w.cfg.LogDir != "" {
		if err := os.MkdirAll(w.cfg.LogDir, 0o750); err == nil {
			o.file, _ = os.OpenFile(filepath.Join(w.cfg.LogDir, fmt.Sprintf("job-%d.log", jobID)), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
		}
	}
	o.wg.Add(1)
	go o.loop()
	return o
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.file != nil {
		o.file.Write(p)
	}
	for _, line := range bytes.SplitAfter(p, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		o.partial = append(o.partial, line...)
		if line[len(line)-1] == '\n' {
			if trimmed := bytes.TrimSpace(o.partial); len(trimmed) > 0 {
				o.last = append(o.last[:0], trimmed...)
			}
			o.partial = o.partial[:0]
		}
		if len(o.partial) > 4096 {
			o.partial = o.partial[:0]
		}
	}
	if o.stored+o.buf.Len()+len(p) > o.w.cfg.OutputCap {
		if !o.capped {
			o.capped = true
			fmt.Fprintf(&o.buf, "\n=== scouter: output over %d bytes; the rest is not stored\n", o.w.cfg.OutputCap)
		}
		return len(p), nil
	}
	o.buf.Write(p)
	return len(p), nil
}

func (o *output) lastLine() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.last)
}

func (o *output) pending() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Len() > 0
}

func (o *output) loop() {
	defer o.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-o.done:
			o.flush()
			return
		case <-t.C:
			o.flush()
		}
	}
}

func (o *output) flush() {
	o.mu.Lock()
	if o.buf.Len() == 0 {
		o.mu.Unlock()
		return
	}
	chunk := bytes.Clone(o.buf.Bytes())
	seq := o.seq
	o.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := o.w.db.JobOutputAppend(ctx, o.lease, seq, chunk); err != nil {
		// Kept for the next flush, unless the lease is gone.
		if errors.Is(err, store.ErrLeaseLost) {
			o.mu.Lock()
			o.buf.Reset()
			o.mu.Unlock()
		}
		return
	}
	o.mu.Lock()
	o.buf.Next(len(chunk))
	o.stored += len(chunk)
	o.seq++
	o.mu.Unlock()
}

func (o *output) close() {
	o.once.Do(func() {
		close(o.done)
		o.wg.Wait()
		// The last chunk matters most (it holds the error): retry briefly.
		for i := 0; i < 10 && o.pending(); i++ {
			time.Sleep(500 * time.Millisecond)
			o.flush()
		}
		if o.file != nil {
			o.file.Close()
		}
	})
}
