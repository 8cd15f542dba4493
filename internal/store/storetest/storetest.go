// Package storetest is the one conformance suite that every store backend
// must pass. The SQLite and PostgreSQL tests both call Run.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// Run runs the whole suite against fresh databases of the backend.
func Run(t *testing.T, backend string) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *store.DB, dsn string)
	}{
		{"EnqueueGetList", testEnqueueGetList},
		{"ClaimEachJobOnce", testClaimEachJobOnce},
		{"ClaimRespectsLimitAndSchedule", testClaimLimitSchedule},
		{"FencingAfterLeaseExpiry", testFencing},
		{"OneActiveJobPerCrawl", testOneActiveJobPerCrawl},
		{"StopAndResume", testStopAndResume},
		{"CrawlMirrorsJob", testCrawlMirror},
		{"ReapStoppingAndGiveUp", testReapStoppingAndGiveUp},
		{"HandBack", testHandBack},
		{"LogCursorConcurrentWriters", testLogCursor},
		{"LogTailAndBefore", testLogTail},
		{"OutputFenced", testOutput},
		{"NotifyAcrossHandles", testNotifyAcrossHandles},
		{"SchemaVersionChecks", testSchemaVersion},
		{"CrawlWriteFrontier", testCrawlWrite},
		{"CrawlWriteFenced", testCrawlWriteFenced},
		{"CrawlListActive", testCrawlListActive},
		{"CrawlDelete", testCrawlDelete},
		{"AuditWrite", testAuditWrite},
		{"AuditWriteFenced", testAuditWriteFenced},
		{"Explore", testExplore},
		{"ExploreHostile", testExploreHostile},
		{"Reports", testReports},
		{"Compare", testCompare},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dsn := testdb.DSN(t, backend)
			db := testdb.OpenDSN(t, dsn, true)
			tc.fn(t, db, dsn)
		})
	}
}

var ctx = context.Background()

func enqueue(t *testing.T, db *store.DB, p store.JobEnqueueParams) store.Job {
	t.Helper()
	if p.Kind == "" {
		p.Kind = "test"
	}
	j, _, err := db.JobEnqueue(ctx, p)
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return j
}

func claim(t *testing.T, db *store.DB, worker string, n int, leaseMs int64) []store.Job {
	t.Helper()
	jobs, err := db.JobClaim(ctx, store.JobClaimParams{WorkerID: worker, WorkerHost: "h", WorkerPID: 1, Limit: n, LeaseMs: leaseMs})
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return jobs
}

func lease(j store.Job) store.Lease { return store.Lease{JobID: j.ID, Attempt: j.Attempt} }

func testEnqueueGetList(t *testing.T, db *store.DB, _ string) {
	j := enqueue(t, db, store.JobEnqueueParams{Args: json.RawMessage(`{"sleep_ms":5}`)})
	if j.Status != store.JobQueued || j.Attempt != 0 || j.MaxAttempts != 3 {
		t.Fatalf("new job = %+v", j)
	}
	got, err := db.JobGet(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	var args map[string]int
	if err := json.Unmarshal(got.Args, &args); err != nil || args["sleep_ms"] != 5 {
		t.Fatalf("args round trip: %s (%v)", got.Args, err)
	}
	if got.CreatedAt.IsZero() || time.Since(got.CreatedAt) > time.Hour || time.Until(got.CreatedAt) > time.Hour {
		t.Fatalf("created_at = %v", got.CreatedAt)
	}
	if _, err := db.JobGet(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown job: err = %v, want ErrNotFound", err)
	}
	if _, _, err := db.JobEnqueue(ctx, store.JobEnqueueParams{Kind: "test", Args: json.RawMessage(`{bad`)}); err == nil {
		t.Fatal("invalid JSON args accepted")
	}
	enqueue(t, db, store.JobEnqueueParams{})
	list, err := db.JobList(ctx, store.JobListParams{Statuses: []store.JobStatus{store.JobQueued}, Limit: 10})
	if err != nil || len(list) != 2 || list[0].ID < list[1].ID {
		t.Fatalf("list = %v, %v; want 2 jobs newest first", list, err)
	}
}

func testClaimEachJobOnce(t *testing.T, db *store.DB, dsn string) {
	const jobs, claimers = 200, 8
	for range jobs {
		enqueue(t, db, store.JobEnqueueParams{})
	}
	// Claimers on separate handles, as separate processes would be.
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan error, claimers)
	for w := range claimers {
		h := testdb.OpenDSN(t, dsn, false)
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("w%d", w)
			for {
				got, err := h.JobClaim(ctx, store.JobClaimParams{WorkerID: name, Limit: 3, LeaseMs: 60000})
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, j := range got {
					if prev, dup := seen[j.ID]; dup {
						errs <- fmt.Errorf("job %d claimed by %s and %s", j.ID, prev, name)
					}
					seen[j.ID] = name
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != jobs {
		t.Fatalf("claimed %d distinct jobs, want %d", len(seen), jobs)
	}
}

func testClaimLimitSchedule(t *testing.T, db *store.DB, _ string) {
	for range 5 {
		enqueue(t, db, store.JobEnqueueParams{})
	}
	later := enqueue(t, db, store.JobEnqueueParams{DelayMs: 3_600_000})
	if later.Status != store.JobPending {
		t.Fatalf("delayed job status = %s, want pending", later.Status)
	}
	got := claim(t, db, "w", 2, 60000)
	if len(got) != 2 || got[0].Status != store.JobRunning || got[0].Attempt != 1 || got[0].WorkerID != "w" || got[0].LeaseExpiresAt == nil {
		t.Fatalf("claim 2 = %+v", got)
	}
	if got := claim(t, db, "w", 0, 60000); len(got) != 0 {
		t.Fatalf("claim with no free slot returned %d jobs", len(got))
	}
	rest := claim(t, db, "w", 10, 60000)
	if len(rest) != 3 {
		t.Fatalf("claimed %d, want the 3 due jobs (not the delayed one)", len(rest))
	}
	if ok, err := db.HasClaimable(ctx); err != nil || ok {
		t.Fatalf("HasClaimable = %v, %v; want false", ok, err)
	}
}

func testFencing(t *testing.T, db *store.DB, _ string) {
	j := enqueue(t, db, store.JobEnqueueParams{})
	first := claim(t, db, "old", 1, 300)[0]
	l1 := lease(first)
	if _, err := db.JobHeartbeat(ctx, store.JobHeartbeatParams{Lease: l1, LeaseMs: 300, ChildPID: 42}); err != nil {
		t.Fatalf("heartbeat within lease: %v", err)
	}
	if err := db.JobLogsInsert(ctx, l1, []store.LogLine{{Level: store.LogInfo, Message: "from attempt 1"}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	// Expired but not yet reaped: the old owner's writes are already refused.
	if _, err := db.JobHeartbeat(ctx, store.JobHeartbeatParams{Lease: l1, LeaseMs: 300}); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("heartbeat after expiry: err = %v, want ErrLeaseLost", err)
	}
	reaped, err := db.JobReapExpired(ctx)
	if err != nil || len(reaped) != 1 || reaped[0].Status != store.JobQueued {
		t.Fatalf("reap = %+v, %v", reaped, err)
	}
	second := claim(t, db, "new", 1, 60000)
	if len(second) != 1 || second[0].ID != j.ID || second[0].Attempt != 2 {
		t.Fatalf("re-claim = %+v", second)
	}
	l2 := lease(second[0])
	checks := map[string]error{
		"heartbeat": func() error {
			_, err := db.JobHeartbeat(ctx, store.JobHeartbeatParams{Lease: l1, LeaseMs: 60000})
			return err
		}(),
		"log":      db.JobLogsInsert(ctx, l1, []store.LogLine{{Level: store.LogInfo, Message: "late"}}),
		"progress": db.JobProgress(ctx, l1, store.Progress{Done: 1}),
		"output":   db.JobOutputAppend(ctx, l1, 0, []byte("late")),
		"finish":   db.JobFinish(ctx, store.JobFinishParams{Lease: l1, Status: store.JobCompleted}),
		"handback": db.JobHandBack(ctx, l1),
	}
	for op, err := range checks {
		if !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("old attempt %s: err = %v, want ErrLeaseLost", op, err)
		}
	}
	if err := db.JobLogsInsert(ctx, l2, []store.LogLine{{Level: store.LogInfo, Message: "from attempt 2"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: l2, Status: store.JobCompleted}); err != nil {
		t.Fatal(err)
	}
	lines, _ := db.JobLogs(ctx, store.JobLogsParams{JobID: j.ID})
	byAttempt := map[int][]string{}
	for _, l := range lines {
		byAttempt[l.Attempt] = append(byAttempt[l.Attempt], l.Message)
	}
	if len(byAttempt[1]) != 2 || byAttempt[1][0] != "from attempt 1" || len(byAttempt[2]) != 1 || byAttempt[2][0] != "from attempt 2" {
		t.Fatalf("logs by attempt = %v; want attempt 1's line and the expiry notice apart from attempt 2's", byAttempt)
	}
	final, _ := db.JobGet(ctx, j.ID)
	if final.Status != store.JobCompleted || final.Attempt != 2 {
		t.Fatalf("final = %s attempt %d", final.Status, final.Attempt)
	}
}

func testOneActiveJobPerCrawl(t *testing.T, db *store.DB, dsn string) {
	crawl, first, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "http://127.0.0.1/", Job: store.JobEnqueueParams{Kind: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := finishFirst(db, first); err != nil {
		t.Fatal(err)
	}
	const starters = 10
	ids := make(chan int64, starters)
	created := make(chan bool, starters)
	var wg sync.WaitGroup
	for range starters {
		h := testdb.OpenDSN(t, dsn, false)
		wg.Add(1)
		go func() {
			defer wg.Done()
			j, c, err := h.JobEnqueue(ctx, store.JobEnqueueParams{Kind: "test", CrawlID: &crawl.ID})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- j.ID
			created <- c
		}()
	}
	wg.Wait()
	close(ids)
	close(created)
	distinct := map[int64]bool{}
	for id := range ids {
		distinct[id] = true
	}
	nCreated := 0
	for c := range created {
		if c {
			nCreated++
		}
	}
	if len(distinct) != 1 || nCreated != 1 {
		t.Fatalf("%d concurrent starts gave jobs %v (%d created); want one job", starters, distinct, nCreated)
	}
}

func finishFirst(db *store.DB, j store.Job) error {
	got, err := db.JobClaim(ctx, store.JobClaimParams{WorkerID: "w", Limit: 1, LeaseMs: 60000})
	if err != nil || len(got) != 1 || got[0].ID != j.ID {
		return fmt.Errorf("claim first job: %v %v", got, err)
	}
	return db.JobFinish(ctx, store.JobFinishParams{Lease: lease(got[0]), Status: store.JobCompleted})
}

func testStopAndResume(t *testing.T, db *store.DB, _ string) {
	queued := enqueue(t, db, store.JobEnqueueParams{})
	stopped, err := db.JobStopRequest(ctx, queued.ID)
	if err != nil || stopped.Status != store.JobStopped || stopped.FinishedAt == nil {
		t.Fatalf("stop queued job = %+v, %v; want stopped at once", stopped, err)
	}
	running := enqueue(t, db, store.JobEnqueueParams{})
	c := claim(t, db, "w", 1, 60000)[0]
	st, err := db.JobStopRequest(ctx, running.ID)
	if err != nil || st.Status != store.JobStopping || st.StopRequestedAt == nil {
		t.Fatalf("stop running job = %+v, %v; want stopping", st, err)
	}
	afterFirst, _ := db.JobGet(ctx, running.ID)
	again, err := db.JobStopRequest(ctx, running.ID)
	if err != nil || again.Status != store.JobStopping || again.LogSeq != afterFirst.LogSeq || afterFirst.LogSeq == 0 {
		t.Fatalf("second stop request = %s, %v, log seq %d→%d; want no change", again.Status, err, afterFirst.LogSeq, again.LogSeq)
	}
	status, err := db.JobHeartbeat(ctx, store.JobHeartbeatParams{Lease: lease(c), LeaseMs: 60000})
	if err != nil || status != store.JobStopping {
		t.Fatalf("heartbeat status = %s, %v; the owner must learn of the stop", status, err)
	}
	if _, _, err := db.JobResume(ctx, running.ID); !errors.Is(err, store.ErrInvalidState) {
		t.Fatalf("resume of a stopping job: err = %v, want ErrInvalidState", err)
	}
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: lease(c), Status: store.JobStopped}); err != nil {
		t.Fatal(err)
	}
	resumed, created, err := db.JobResume(ctx, running.ID)
	if err != nil || !created || resumed.ID == running.ID || resumed.Status != store.JobQueued || resumed.Kind != running.Kind {
		t.Fatalf("resume = %+v, %v, %v", resumed, created, err)
	}
	if _, err := db.JobStopRequest(ctx, 987654); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stop unknown job: err = %v", err)
	}
}

func testCrawlMirror(t *testing.T, db *store.DB, _ string) {
	crawl, job, err := db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "http://127.0.0.1/", Options: json.RawMessage(`{"max_depth":2}`), Job: store.JobEnqueueParams{Kind: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	want := func(status string) {
		t.Helper()
		c, err := db.CrawlGet(ctx, crawl.ID)
		if err != nil || c.Status != status || c.LastJobID == nil || *c.LastJobID == 0 {
			t.Fatalf("crawl = %+v, %v; want status %s", c, err, status)
		}
	}
	want("queued")
	c := claim(t, db, "w", 1, 60000)[0]
	want("running")
	if err := db.JobProgress(ctx, lease(c), store.Progress{Done: 7, Total: 20}); err != nil {
		t.Fatal(err)
	}
	got, _ := db.CrawlGet(ctx, crawl.ID)
	if got.Crawled != 7 || got.Found != 20 {
		t.Fatalf("crawl counters = %d/%d, want 7/20", got.Crawled, got.Found)
	}
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: lease(c), Status: store.JobFailed, Error: "boom"}); err != nil {
		t.Fatal(err)
	}
	want("error")
	next, _, err := db.JobResume(ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	want("queued")
	c2 := claim(t, db, "w", 1, 60000)[0]
	if c2.ID != next.ID {
		t.Fatalf("claimed %d, want resumed job %d", c2.ID, next.ID)
	}
	if err := db.JobFinish(ctx, store.JobFinishParams{Lease: lease(c2), Status: store.JobCompleted}); err != nil {
		t.Fatal(err)
	}
	want("finished")
	list, err := db.CrawlList(ctx, 0, 10)
	if err != nil || len(list) != 1 || list[0].ID != crawl.ID || string(list[0].Options) == "" {
		t.Fatalf("crawl list = %+v, %v", list, err)
	}
}

func testReapStoppingAndGiveUp(t *testing.T, db *store.DB, _ string) {
	stopping := enqueue(t, db, store.JobEnqueueParams{})
	giveUp := enqueue(t, db, store.JobEnqueueParams{MaxAttempts: 1})
	claim(t, db, "w", 2, 200)
	if _, err := db.JobStopRequest(ctx, stopping.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	reaped, err := db.JobReapExpired(ctx)
	if err != nil || len(reaped) != 2 {
		t.Fatalf("reap = %d jobs, %v", len(reaped), err)
	}
	a, _ := db.JobGet(ctx, stopping.ID)
	b, _ := db.JobGet(ctx, giveUp.ID)
	if a.Status != store.JobStopped || b.Status != store.JobFailed || b.Error == "" {
		t.Fatalf("after reap: stopping job %s, max-attempts job %s (%q)", a.Status, b.Status, b.Error)
	}
	if again, err := db.JobReapExpired(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second reap = %d, %v", len(again), err)
	}
}

func testHandBack(t *testing.T, db *store.DB, _ string) {
	j := enqueue(t, db, store.JobEnqueueParams{MaxAttempts: 1})
	c := claim(t, db, "w", 1, 60000)[0]
	if err := db.JobHandBack(ctx, lease(c)); err != nil {
		t.Fatal(err)
	}
	got, _ := db.JobGet(ctx, j.ID)
	if got.Status != store.JobQueued {
		t.Fatalf("handed back job is %s, want queued", got.Status)
	}
	c2 := claim(t, db, "w2", 1, 60000)
	if len(c2) != 1 || c2[0].Attempt != 2 {
		t.Fatalf("re-claim after hand back = %+v", c2)
	}
}

// testLogCursor: writers on separate handles append concurrently while a
// follower reads after its cursor and reconnects (new handle, same cursor)
// every few reads. It must see every line exactly once, in seq order.
func testLogCursor(t *testing.T, db *store.DB, dsn string) {
	j := enqueue(t, db, store.JobEnqueueParams{})
	l := lease(claim(t, db, "w", 1, 600000)[0])
	const writers, batches, perBatch = 4, 40, 5
	var wg sync.WaitGroup
	for w := range writers {
		h := testdb.OpenDSN(t, dsn, false)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				lines := make([]store.LogLine, perBatch)
				for i := range lines {
					lines[i] = store.LogLine{Level: store.LogInfo, Message: fmt.Sprintf("w%d b%d l%d", w, b, i)}
				}
				if err := h.JobLogsInsert(ctx, l, lines); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	got := map[string]int{}
	var cursor int64
	reader := db
	reads := 0
	finished := false
	for {
		lines, err := reader.JobLogs(ctx, store.JobLogsParams{JobID: j.ID, After: cursor, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range lines {
			if line.Seq != cursor+1 {
				t.Fatalf("seq %d after cursor %d: a gap", line.Seq, cursor)
			}
			cursor = line.Seq
			got[line.Message]++
		}
		reads++
		if reads%5 == 0 {
			reader = testdb.OpenDSN(t, dsn, false)
		}
		if len(lines) == 0 {
			if finished {
				break
			}
			select {
			case <-done:
				finished = true
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	if len(got) != writers*batches*perBatch {
		t.Fatalf("follower saw %d distinct lines, want %d", len(got), writers*batches*perBatch)
	}
	for msg, n := range got {
		if n != 1 {
			t.Fatalf("line %q seen %d times", msg, n)
		}
	}
}

func testLogTail(t *testing.T, db *store.DB, _ string) {
	j := enqueue(t, db, store.JobEnqueueParams{})
	l := lease(claim(t, db, "w", 1, 600000)[0])
	lines := make([]store.LogLine, 1200) // more than one INSERT batch
	for i := range lines {
		lines[i] = store.LogLine{Level: store.LogWarn, Message: fmt.Sprint(i + 1)}
	}
	if err := db.JobLogsInsert(ctx, l, lines); err != nil {
		t.Fatal(err)
	}
	tail, err := db.JobLogs(ctx, store.JobLogsParams{JobID: j.ID, Tail: true, Limit: 3})
	if err != nil || len(tail) != 3 || tail[0].Seq != 1198 || tail[2].Message != "1200" || tail[0].Level != store.LogWarn {
		t.Fatalf("tail = %+v, %v", tail, err)
	}
	before, err := db.JobLogs(ctx, store.JobLogsParams{JobID: j.ID, Before: 1198, Limit: 2})
	if err != nil || len(before) != 2 || before[0].Seq != 1196 || before[1].Seq != 1197 {
		t.Fatalf("before = %+v, %v", before, err)
	}
	long := make([]byte, store.MaxLogMessage*2)
	for i := range long {
		long[i] = 'x'
	}
	if err := db.JobLogsInsert(ctx, l, []store.LogLine{{Level: "bogus", Message: string(long)}}); err != nil {
		t.Fatal(err)
	}
	last, _ := db.JobLogs(ctx, store.JobLogsParams{JobID: j.ID, Tail: true, Limit: 1})
	if len(last[0].Message) != store.MaxLogMessage || last[0].Level != store.LogInfo {
		t.Fatalf("long line stored with %d bytes, level %q", len(last[0].Message), last[0].Level)
	}
}

func testOutput(t *testing.T, db *store.DB, _ string) {
	j := enqueue(t, db, store.JobEnqueueParams{})
	c := claim(t, db, "w", 1, 600000)[0]
	for i, chunk := range []string{"hello ", "raw\x00bytes ", "world\n"} {
		if err := db.JobOutputAppend(ctx, lease(c), i, []byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	var got []byte
	if err := db.JobOutput(ctx, j.ID, 0, func(b []byte) error { got = append(got, b...); return nil }); err != nil {
		t.Fatal(err)
	}
	if string(got) != "hello raw\x00bytes world\n" {
		t.Fatalf("output = %q", got)
	}
	if err := db.JobOutputAppend(ctx, store.Lease{JobID: j.ID, Attempt: 9}, 0, []byte("x")); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("output from a wrong attempt: err = %v", err)
	}
}

func testNotifyAcrossHandles(t *testing.T, db *store.DB, dsn string) {
	j := enqueue(t, db, store.JobEnqueueParams{})
	sub := db.Subscribe(store.TopicJob(j.ID))
	defer sub.Close()
	queue := db.Subscribe(store.TopicQueue)
	defer queue.Close()
	drain(sub.C)
	drain(queue.C)
	other := testdb.OpenDSN(t, dsn, false) // another "process"
	if _, err := other.JobStopRequest(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sub.C:
	case <-time.After(5 * time.Second):
		t.Fatal("no notification of another handle's stop request")
	}
	drain(queue.C)
	if _, _, err := other.JobEnqueue(ctx, store.JobEnqueueParams{Kind: "test"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-queue.C:
	case <-time.After(5 * time.Second):
		t.Fatal("no queue notification of another handle's enqueue")
	}
}

func drain(c <-chan struct{}) {
	for {
		select {
		case <-c:
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

func testSchemaVersion(t *testing.T, db *store.DB, dsn string) {
	have, want, err := db.SchemaVersion(ctx)
	if err != nil || have != want || want < 2 {
		t.Fatalf("version = %d/%d, %v", have, want, err)
	}
	if err := db.RawExecForTest(ctx, "DELETE FROM schema_migrations WHERE version = ?", want); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, store.Options{DSN: dsn})
	if !errors.Is(err, store.ErrSchemaBehind) {
		t.Fatalf("open behind: err = %v, want ErrSchemaBehind", err)
	}
	if err := db.RawExecForTest(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, 'future')", want+5); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, store.Options{DSN: dsn})
	if !errors.Is(err, store.ErrSchemaAhead) {
		t.Fatalf("open ahead: err = %v, want ErrSchemaAhead", err)
	}
}
