package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// TestManyWorkersEachJobOnce: 1,000 jobs, separate worker processes (20 on
// PostgreSQL, 4 on SQLite), every job ran exactly once.
func TestManyWorkersEachJobOnce(t *testing.T) {
	for _, tc := range []struct {
		backend string
		workers int
	}{{"postgres", 20}, {"sqlite", 4}} {
		t.Run(tc.backend, func(t *testing.T) {
			const jobs = 1000
			dsn := testdb.DSN(t, tc.backend)
			db := testdb.OpenDSN(t, dsn, false)
			dir := t.TempDir()
			for range jobs {
				enqueueTest(t, db, fmt.Sprintf(`{"marker_dir":%q}`, dir))
			}
			for range tc.workers {
				// One connection each keeps 20 workers and their children
				// within the server's 100 connections.
				workerBin(t, plainBinary, dsn, "--max-conns", "1", "--lease", "30s", "--heartbeat", "2s")
			}
			waitFor(t, 5*time.Minute, "all jobs to complete", func() bool {
				done, err := db.JobList(ctx, store.JobListParams{Statuses: []store.JobStatus{store.JobCompleted}, Limit: jobs})
				return err == nil && len(done) == jobs
			})
			all, err := db.JobList(ctx, store.JobListParams{Limit: jobs + 10})
			if err != nil {
				t.Fatal(err)
			}
			workersSeen := map[string]bool{}
			for _, j := range all {
				if j.Attempt != 1 {
					t.Errorf("job %d ran %d attempts", j.ID, j.Attempt)
				}
				workersSeen[j.WorkerID] = true
			}
			runs := markers(t, dir)
			if len(runs) != jobs {
				t.Fatalf("%d jobs left execution markers, want %d", len(runs), jobs)
			}
			for job, n := range runs {
				if n != 1 {
					t.Errorf("job %s executed %d times", job, n)
				}
			}
			if len(workersSeen) < 2 {
				t.Errorf("only %d worker(s) took jobs", len(workersSeen))
			}
		})
	}
}

// TestKillWorkerMidJob: SIGKILL the owner; after its lease expires another
// worker re-runs the job; both attempts' logs stay apart.
func TestKillWorkerMidJob(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		dir := t.TempDir()
		a := worker(t, dsn)
		j := enqueueTest(t, db, fmt.Sprintf(`{"lines":30,"sleep_ms":3000,"marker_dir":%q}`, dir))
		waitFor(t, 20*time.Second, "attempt 1 to log", func() bool { return mustJob(t, db, j.ID).Progress.Done >= 2 })
		a.Signal(syscall.SIGKILL)
		a.Wait(t, 5*time.Second)
		worker(t, dsn)
		waitFor(t, 30*time.Second, "the job to complete", jobIs(t, db, j.ID, store.JobCompleted))
		final := mustJob(t, db, j.ID)
		if final.Attempt != 2 {
			t.Fatalf("completed at attempt %d, want 2", final.Attempt)
		}
		lines := testdb.Logs(t, db, j.ID)
		var expiry int64
		started := map[int]bool{}
		for _, l := range lines {
			if strings.Contains(l.Message, "lease of attempt 1 expired") {
				expiry = l.Seq
			}
			if strings.HasPrefix(l.Message, "test job started") {
				started[l.Attempt] = true
			}
		}
		if expiry == 0 || !started[1] || !started[2] {
			t.Fatalf("want both attempts' start lines and the expiry notice; got %v", lines)
		}
		for _, l := range lines {
			if (l.Attempt == 1 && l.Seq > expiry) || (l.Attempt == 2 && l.Seq < expiry) {
				t.Fatalf("line %d of attempt %d on the wrong side of the expiry notice (seq %d)", l.Seq, l.Attempt, expiry)
			}
		}
		if n := markers(t, dir)[strconv.FormatInt(j.ID, 10)]; n != 2 {
			t.Fatalf("job executed %d times, want 2 (one per attempt)", n)
		}
	})
}

// TestFrozenWorkerIsFenced: SIGSTOP a worker and its child past the lease,
// let another worker take over, then SIGCONT: the frozen attempt's writes
// are rejected and its worker stops its child. PostgreSQL only: on SQLite a
// process frozen inside a write transaction holds the file's single write
// lock, so nobody can take over until it resumes (see docs/ARCHITECTURE.md).
func TestFrozenWorkerIsFenced(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		dsn := testdb.DSN(t, "postgres")
		db := testdb.OpenDSN(t, dsn, true)
		a := worker(t, dsn, "--lease", "2s")
		j := enqueueTest(t, db, `{"lines":80,"sleep_ms":8000}`)
		waitFor(t, 20*time.Second, "attempt 1 to run", func() bool {
			j := mustJob(t, db, j.ID)
			return j.Progress.Done >= 2 && j.ChildPID > 0
		})
		child := mustJob(t, db, j.ID).ChildPID
		a.Signal(syscall.SIGSTOP)
		syscall.Kill(child, syscall.SIGSTOP)
		worker(t, dsn, "--lease", "2s")
		waitFor(t, 30*time.Second, "attempt 2 to run", func() bool {
			j := mustJob(t, db, j.ID)
			return j.Attempt == 2 && j.Status == store.JobRunning
		})
		syscall.Kill(child, syscall.SIGCONT)
		a.Signal(syscall.SIGCONT)
		waitFor(t, 15*time.Second, "the frozen worker to stop its child", func() bool { return processGone(child) })
		waitFor(t, 30*time.Second, "attempt 2 to complete", jobIs(t, db, j.ID, store.JobCompleted))
		out := a.Output()
		if !strings.Contains(out, "lease lost") && !strings.Contains(out, "cannot renew the lease") {
			t.Fatalf("frozen worker did not notice it lost the lease:\n%s", tail(out, 3000))
		}
		if strings.Contains(out, `msg="job finished"`) {
			t.Fatalf("frozen worker recorded a completion:\n%s", tail(out, 3000))
		}
		var expiry int64
		for _, l := range testdb.Logs(t, db, j.ID) {
			if strings.Contains(l.Message, "lease of attempt 1 expired") {
				expiry = l.Seq
				continue
			}
			if l.Attempt == 1 && expiry > 0 {
				t.Fatalf("attempt 1 wrote %q after its lease expired", l.Message)
			}
		}
		if expiry == 0 {
			t.Fatal("no expiry notice in the log")
		}
		if final := mustJob(t, db, j.ID); final.Attempt != 2 || final.Progress.Done != 80 {
			t.Fatalf("final job: attempt %d, progress %d", final.Attempt, final.Progress.Done)
		}
	})
}

// TestStopAndResume: a stop reaches the running job through notifications
// (with heartbeats too slow to carry it) and, with notifications off,
// through heartbeats; the stopped job resumes as a new job.
func TestStopAndResume(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		for _, mode := range []struct {
			name  string
			flags []string
		}{
			// A 60s heartbeat cannot deliver a stop within the 8s below.
			{"notify", []string{"--lease", "6m", "--heartbeat", "60s", "--poll-every", "60s"}},
			{"no-notify", []string{"--no-notify", "--lease", "5s", "--heartbeat", "500ms"}},
		} {
			t.Run(mode.name, func(t *testing.T) {
				worker(t, dsn, mode.flags...)
				j := enqueueTest(t, db, `{"lines":40,"sleep_ms":20000}`)
				waitFor(t, 20*time.Second, "the job to run", func() bool { return mustJob(t, db, j.ID).Progress.Done >= 1 })
				out, errOut, code := run(t, dsn, "jobs", "stop", strconv.FormatInt(j.ID, 10))
				if code != 0 || !strings.Contains(out, "stopping") {
					t.Fatalf("jobs stop: %d %q %q", code, out, errOut)
				}
				waitFor(t, 8*time.Second, "the job to stop", jobIs(t, db, j.ID, store.JobStopped))
				stopped := mustJob(t, db, j.ID)
				if stopped.Progress.Done >= 40 {
					t.Fatal("the job ran to the end instead of stopping")
				}
				out, errOut, code = run(t, dsn, "jobs", "resume", strconv.FormatInt(j.ID, 10))
				if code != 0 || !strings.Contains(out, "resumes job") {
					t.Fatalf("jobs resume: %d %q %q", code, out, errOut)
				}
				var next int64
				fmt.Sscanf(out, "job %d", &next)
				waitFor(t, 20*time.Second, "the resumed job to run", func() bool { return mustJob(t, db, next).Status == store.JobRunning })
				run(t, dsn, "jobs", "stop", strconv.FormatInt(next, 10))
				waitFor(t, 8*time.Second, "the resumed job to stop", jobIs(t, db, next, store.JobStopped))
			})
		}
	})
}

// TestStopIgnoredIsKilled: a job that ignores the stop is killed after the
// grace period and ends stopped.
func TestStopIgnoredIsKilled(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		worker(t, dsn, "--stop-grace", "1s")
		j := enqueueTest(t, db, `{"lines":100,"sleep_ms":60000,"ignore_stop":true}`)
		waitFor(t, 20*time.Second, "the job to run", func() bool { return mustJob(t, db, j.ID).Progress.Done >= 1 })
		if _, err := db.JobStopRequest(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "the job to be stopped", jobIs(t, db, j.ID, store.JobStopped))
		found := false
		for _, l := range testdb.Logs(t, db, j.ID) {
			found = found || strings.Contains(l.Message, "did not stop within")
		}
		if !found {
			t.Fatal("no log line says the job process was killed")
		}
	})
}

// TestWorkerSIGTERMHandsBack: SIGTERM stops claiming, the running job stops
// at a safe point and goes back to the queue, and the worker exits; another
// worker then completes the job.
func TestWorkerSIGTERMHandsBack(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		a := worker(t, dsn)
		j := enqueueTest(t, db, `{"lines":20,"sleep_ms":4000}`)
		waitFor(t, 20*time.Second, "the job to run", func() bool { return mustJob(t, db, j.ID).Progress.Done >= 1 })
		a.Signal(syscall.SIGTERM)
		if err := a.Wait(t, 10*time.Second); err != nil {
			t.Fatalf("worker exit: %v", err)
		}
		if got := mustJob(t, db, j.ID); got.Status != store.JobQueued {
			t.Fatalf("after SIGTERM the job is %s, want queued", got.Status)
		}
		worker(t, dsn)
		waitFor(t, 30*time.Second, "the job to complete elsewhere", jobIs(t, db, j.ID, store.JobCompleted))
		if got := mustJob(t, db, j.ID); got.Attempt != 2 {
			t.Fatalf("attempt %d, want 2", got.Attempt)
		}
	})
}

// TestFailuresAndExitCodes: a job that fails or exits non-zero ends failed
// with the reason; a completed one ends completed.
func TestFailuresAndExitCodes(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		worker(t, dsn, "--concurrency", "3")
		fail := enqueueTest(t, db, `{"fail":"disk on fire"}`)
		exit := enqueueTest(t, db, `{"exit_code":7}`)
		ok := enqueueTest(t, db, `{"lines":3}`)
		waitFor(t, 20*time.Second, "jobs to end", func() bool {
			return mustJob(t, db, fail.ID).Status.Terminal() && mustJob(t, db, exit.ID).Status.Terminal() && mustJob(t, db, ok.ID).Status.Terminal()
		})
		if j := mustJob(t, db, fail.ID); j.Status != store.JobFailed || !strings.Contains(j.Error, "disk on fire") {
			t.Errorf("failing job: %s %q", j.Status, j.Error)
		}
		if j := mustJob(t, db, exit.ID); j.Status != store.JobFailed || j.ExitCode == nil || *j.ExitCode != 7 {
			t.Errorf("exiting job: %s exit %v", j.Status, j.ExitCode)
		}
		if j := mustJob(t, db, ok.ID); j.Status != store.JobCompleted || j.Progress.Done != 3 {
			t.Errorf("ok job: %s %d", j.Status, j.Progress.Done)
		}
		out, _, code := run(t, dsn, "jobs", "logs", strconv.FormatInt(fail.ID, 10), "--raw")
		if code != 0 || !strings.Contains(out, "disk on fire") || !strings.Contains(out, "=== scouter: job") {
			t.Errorf("raw output of the failing job: %q", out)
		}
	})
}

// TestLogsFollowCLI: `jobs logs --follow` prints every line once and exits
// with the job.
func TestLogsFollowCLI(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		worker(t, dsn)
		j := enqueueTest(t, db, `{"lines":25,"sleep_ms":1500}`)
		out, errOut, code := run(t, dsn, "jobs", "logs", strconv.FormatInt(j.ID, 10), "--follow")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for i := 1; i <= 25; i++ {
			if n := strings.Count(out, fmt.Sprintf("line %d of 25\n", i)); n != 1 {
				t.Fatalf("line %d printed %d times:\n%s", i, n, out)
			}
		}
		if !strings.HasSuffix(out, fmt.Sprintf("job %d completed\n", j.ID)) {
			t.Fatalf("follow did not end with the job's status:\n%s", out)
		}
	})
}

// TestConcurrentStartsOneJob: many processes start the same crawl at once.
func TestConcurrentStartsOneJob(t *testing.T) {
	backends(t, func(t *testing.T, backend, dsn string, db *store.DB) {
		crawl, first, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "http://127.0.0.1/", Job: store.JobEnqueueParams{Kind: "test"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.JobStopRequest(ctx, first.ID); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		outs := make([]string, 6)
		for i := range outs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], _, _ = run(t, dsn, "jobs", "enqueue", "--kind", "test", "--crawl", strconv.FormatInt(crawl.ID, 10))
			}()
		}
		wg.Wait()
		for _, o := range outs[1:] {
			if o != outs[0] || strings.TrimSpace(o) == "" {
				t.Fatalf("concurrent starts returned different jobs: %q", outs)
			}
		}
	})
}

// TestPostgresRestart: the database restarts while jobs run; workers
// reconnect and no job is lost or run twice.
func TestPostgresRestart(t *testing.T) {
	cluster := testdb.StartCluster(t)
	dsn := testdb.PostgresSchema(t, cluster.DSN())
	db := testdb.OpenDSN(t, dsn, false)
	dir := t.TempDir()
	const jobs = 40
	var ids []int64
	for range jobs {
		ids = append(ids, enqueueTest(t, db, fmt.Sprintf(`{"lines":4,"sleep_ms":400,"marker_dir":%q}`, dir)).ID)
	}
	for range 2 {
		workerBin(t, plainBinary, dsn, "--concurrency", "2", "--lease", "20s", "--heartbeat", "1s")
	}
	waitFor(t, 60*time.Second, "some jobs to complete", func() bool {
		done, err := db.JobList(ctx, store.JobListParams{Statuses: []store.JobStatus{store.JobCompleted}, Limit: jobs})
		return err == nil && len(done) >= 5
	})
	cluster.Stop()
	time.Sleep(2 * time.Second)
	cluster.Start()
	waitFor(t, 3*time.Minute, "all jobs to complete", func() bool {
		done, err := db.JobList(ctx, store.JobListParams{Statuses: []store.JobStatus{store.JobCompleted}, Limit: jobs})
		return err == nil && len(done) == jobs
	})
	for _, id := range ids {
		if j := mustJob(t, db, id); j.Attempt != 1 {
			t.Errorf("job %d: attempt %d", id, j.Attempt)
		}
	}
	for job, n := range markers(t, dir) {
		if n != 1 {
			t.Errorf("job %s executed %d times", job, n)
		}
	}
	if got := len(markers(t, dir)); got != jobs {
		t.Fatalf("%d jobs executed, want %d", got, jobs)
	}
}
