package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/api"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// env is one test's API server in front of its own real database.
type env struct {
	t   testing.TB
	db  *store.DB
	dsn string // for another handle on the database: a separate "process"
	srv *httptest.Server
}

// eachBackend runs fn once per backend, in parallel, each with a fresh
// database and server.
func eachBackend(t *testing.T, fn func(e *env)) {
	eachBackendWith(t, nil, fn)
}

// eachBackendWith is eachBackend with the server configured by cfg before
// it serves.
func eachBackendWith(t *testing.T, cfg func(*api.Server), fn func(e *env)) {
	t.Parallel()
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			fn(newEnv(t, backend, cfg))
		})
	}
}

func newEnv(t testing.TB, backend string, cfg func(*api.Server)) *env {
	dsn := testdb.DSN(t, backend)
	db := testdb.OpenDSN(t, dsn, true)
	mux := http.NewServeMux()
	a := api.New(db, slog.New(slog.DiscardHandler), []string{"crawl", "test"})
	if cfg != nil {
		cfg(a)
	}
	a.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close) // runs before the database closes
	return &env{t: t, db: db, dsn: dsn, srv: srv}
}

// do sends a request and returns the response and its whole body.
func (e *env) do(method, path, body string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatalf("new request %s %s: %v", method, path, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, b
}

// call sends a request, requires the status and a JSON response, and decodes
// the body strictly (no keys the out type does not know) into out.
func (e *env) call(method, path, body string, status int, out any) []byte {
	e.t.Helper()
	resp, b := e.do(method, path, body)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Fatalf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		e.t.Errorf("%s %s: Cache-Control %q, want no-store", method, path, cc)
	}
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return b
}

// errorBody requires an error response with the status and exactly the
// field (none when field is ""), and returns its message.
func (e *env) errorBody(method, path, body string, status int, field string) string {
	e.t.Helper()
	var got map[string]string
	e.call(method, path, body, status, &got)
	if got["error"] == "" {
		e.t.Errorf("%s %s: no error message in %v", method, path, got)
	}
	want := map[string]string{"error": got["error"]}
	if field != "" {
		want["field"] = field
	}
	if !maps.Equal(got, want) {
		e.t.Errorf("%s %s: error body %v, want field %q and no other key", method, path, got, field)
	}
	return got["error"]
}

// wantError requires an error response with exactly this message and field.
func (e *env) wantError(method, path, body string, status int, field, msg string) {
	e.t.Helper()
	if got := e.errorBody(method, path, body, status, field); got != msg {
		e.t.Errorf("%s %s: error %q, want %q", method, path, got, msg)
	}
}

func (e *env) enqueue(p store.JobEnqueueParams) store.Job {
	e.t.Helper()
	if p.Kind == "" {
		p.Kind = "test"
	}
	j, created, err := e.db.JobEnqueue(e.t.Context(), p)
	if err != nil || !created {
		e.t.Fatalf("enqueue: created=%v err=%v", created, err)
	}
	return j
}

// claim claims the oldest queued job, which must be want.
func (e *env) claim(want int64) store.Lease {
	e.t.Helper()
	jobs, err := e.db.JobClaim(e.t.Context(), store.JobClaimParams{WorkerID: "w1", WorkerHost: "h", WorkerPID: 1, Limit: 1, LeaseMs: 60_000})
	if err != nil {
		e.t.Fatalf("claim: %v", err)
	}
	if len(jobs) != 1 || jobs[0].ID != want {
		e.t.Fatalf("claim: got %+v, want job %d", jobs, want)
	}
	return store.Lease{JobID: jobs[0].ID, Attempt: jobs[0].Attempt}
}

func (e *env) logs(l store.Lease, msgs ...string) {
	e.t.Helper()
	lines := make([]store.LogLine, len(msgs))
	for i, m := range msgs {
		lines[i] = store.LogLine{Level: store.LogInfo, Message: m}
	}
	if err := e.db.JobLogsInsert(e.t.Context(), l, lines); err != nil {
		e.t.Fatalf("insert logs: %v", err)
	}
}

func (e *env) finish(l store.Lease, s store.JobStatus) {
	e.t.Helper()
	if err := e.db.JobFinish(e.t.Context(), store.JobFinishParams{Lease: l, Status: s}); err != nil {
		e.t.Fatalf("finish: %v", err)
	}
}

func (e *env) crawl(url string) (store.Crawl, store.Job) {
	e.t.Helper()
	c, j, err := e.db.CrawlCreate(e.t.Context(), store.CrawlCreateParams{StartURL: url,
		Options: json.RawMessage(`{"depth":2}`), Job: store.JobEnqueueParams{Kind: "test"}})
	if err != nil {
		e.t.Fatalf("create crawl: %v", err)
	}
	return c, j
}

type createResp struct {
	JobID   int64       `json:"job_id"`
	Created bool        `json:"created"`
	Job     api.JobJSON `json:"job"`
}

type jobsResp struct {
	Jobs []api.JobJSON `json:"jobs"`
}

type logsResp struct {
	JobID      int64           `json:"job_id"`
	Status     store.JobStatus `json:"status"`
	Lines      []store.LogLine `json:"lines"`
	NextCursor int64           `json:"next_cursor"`
	Done       bool            `json:"done"`
}

type crawlsResp struct {
	Crawls []api.CrawlJSON `json:"crawls"`
}

func jobsPath(id int64, rest string) string {
	return "/api/v1/jobs/" + strconv.FormatInt(id, 10) + rest
}

func ids[T any](xs []T, id func(T) int64) []int64 {
	out := []int64{}
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func jobIDs(js []api.JobJSON) []int64 {
	return ids(js, func(j api.JobJSON) int64 { return j.ID })
}

func crawlIDs(cs []api.CrawlJSON) []int64 {
	return ids(cs, func(c api.CrawlJSON) int64 { return c.ID })
}

func sameJSON(t testing.TB, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON %s, want %s", got, want)
	}
}

// badIDs are path ids every /{id} route rejects with 400 before the database.
var badIDs = []string{"abc", "0", "-1", "1.5", "0x10", "99999999999999999999"}

func TestJobCreate(t *testing.T) {
	eachBackend(t, func(e *env) {
		var got createResp
		e.call("POST", "/api/v1/jobs", `{"kind":"test","args":{"url":"https://example.com/","depth":3},"max_attempts":5}`, http.StatusCreated, &got)
		j := got.Job
		if !got.Created || got.JobID <= 0 || got.JobID != j.ID {
			e.t.Fatalf("create: %+v", got)
		}
		if j.Status != store.JobQueued || j.Kind != "test" || j.MaxAttempts != 5 || j.Attempt != 0 || j.CrawlID != nil ||
			j.CreatedAt.IsZero() || j.StartedAt != nil || j.FinishedAt != nil || j.LogSeq != 0 {
			e.t.Errorf("new job: %+v", j)
		}
		sameJSON(e.t, j.Args, `{"url":"https://example.com/","depth":3}`)

		// The job is in the database as the API described it.
		var fetched api.JobJSON
		e.call("GET", jobsPath(got.JobID, ""), "", http.StatusOK, &fetched)
		if fetched.ID != j.ID || fetched.Status != store.JobQueued || fetched.MaxAttempts != 5 || !fetched.CreatedAt.Equal(j.CreatedAt) {
			e.t.Errorf("GET job: %+v, want %+v", fetched, j)
		}
		sameJSON(e.t, fetched.Args, `{"url":"https://example.com/","depth":3}`)

		// Defaults: args {} and max_attempts 3; 0 is the same as omitted.
		for _, body := range []string{`{"kind":"test"}`, `{"kind":"test","max_attempts":0}`} {
			var d createResp
			e.call("POST", "/api/v1/jobs", body, http.StatusCreated, &d)
			if !d.Created || d.JobID <= got.JobID || d.Job.MaxAttempts != 3 || d.Job.Status != store.JobQueued {
				e.t.Errorf("create %s: %+v", body, d)
			}
			sameJSON(e.t, d.Job.Args, `{}`)
		}
		// The bounds are inclusive.
		for _, n := range []int{1, 100} {
			var d createResp
			e.call("POST", "/api/v1/jobs", fmt.Sprintf(`{"kind":"test","max_attempts":%d}`, n), http.StatusCreated, &d)
			if d.Job.MaxAttempts != n {
				e.t.Errorf("max_attempts %d: got %d", n, d.Job.MaxAttempts)
			}
		}
		var list jobsResp
		e.call("GET", "/api/v1/jobs", "", http.StatusOK, &list)
		if len(list.Jobs) != 5 {
			e.t.Errorf("jobs after 5 creates: %v", jobIDs(list.Jobs))
		}
	})
}

func TestJobCreateInvalid(t *testing.T) {
	eachBackend(t, func(e *env) {
		const post, path = "POST", "/api/v1/jobs"
		e.wantError(post, path, `{"kind":"nope"}`, http.StatusBadRequest, "kind", "unknown job kind")
		e.wantError(post, path, `{"args":{}}`, http.StatusBadRequest, "kind", "unknown job kind")
		e.wantError(post, path, `{"kind":""}`, http.StatusBadRequest, "kind", "unknown job kind")
		e.wantError(post, path, `{"kind":"TEST"}`, http.StatusBadRequest, "kind", "unknown job kind")
		for _, n := range []string{"-1", "101", "1000000"} {
			e.wantError(post, path, `{"kind":"test","max_attempts":`+n+`}`, http.StatusBadRequest, "max_attempts", "max_attempts must be between 1 and 100")
		}

		// Bodies that are not one JSON object of the known fields.
		big := `{"kind":"test","args":{"pad":"` + strings.Repeat("a", 1<<20) + `"}}`
		for _, tc := range []struct{ name, body, contains string }{
			{"empty", "", "EOF"},
			{"not JSON", "kind=test", "invalid character"},
			{"truncated", `{"kind":"test"`, "unexpected EOF"},
			{"array", `["test"]`, "cannot unmarshal"},
			{"wrong type", `{"kind":7}`, "cannot unmarshal"},
			{"max_attempts as string", `{"kind":"test","max_attempts":"3"}`, "cannot unmarshal"},
			{"fractional max_attempts", `{"kind":"test","max_attempts":1.5}`, "cannot unmarshal"},
			{"unknown field", `{"kind":"test","priority":1}`, `unknown field "priority"`},
			{"over 1 MiB", big, "request body too large"},
		} {
			msg := e.errorBody(post, path, tc.body, http.StatusBadRequest, "")
			if !strings.HasPrefix(msg, "invalid JSON body: ") || !strings.Contains(msg, tc.contains) {
				e.t.Errorf("%s: error %q, want \"invalid JSON body: …%s…\"", tc.name, msg, tc.contains)
			}
		}

		// A crawl that does not exist.
		e.wantError(post, path, `{"kind":"test","crawl_id":424242}`, http.StatusNotFound, "", "crawl not found")

		// None of these created a job.
		var list jobsResp
		b := e.call("GET", path, "", http.StatusOK, &list)
		if len(list.Jobs) != 0 || !bytes.Contains(b, []byte(`"jobs":[]`)) {
			e.t.Errorf("jobs after invalid creates: %s", b)
		}
	})
}

func TestJobCreateForCrawl(t *testing.T) {
	eachBackend(t, func(e *env) {
		c, active := e.crawl("https://example.com/")
		body := fmt.Sprintf(`{"kind":"test","crawl_id":%d}`, c.ID)

		// The crawl's active job is returned, not duplicated.
		var got createResp
		e.call("POST", "/api/v1/jobs", body, http.StatusOK, &got)
		if got.Created || got.JobID != active.ID || got.Job.ID != active.ID || got.Job.CrawlID == nil || *got.Job.CrawlID != c.ID {
			e.t.Fatalf("create for crawl with active job %d: %+v", active.ID, got)
		}

		// Once that job is stopped, a new one is created and becomes the crawl's last job.
		var stopped api.JobJSON
		e.call("POST", jobsPath(active.ID, "/stop"), "", http.StatusAccepted, &stopped)
		e.call("POST", "/api/v1/jobs", body, http.StatusCreated, &got)
		if !got.Created || got.JobID == active.ID || got.Job.CrawlID == nil || *got.Job.CrawlID != c.ID || got.Job.Status != store.JobQueued {
			e.t.Fatalf("create for crawl after stop: %+v", got)
		}
		var crawl api.CrawlJSON
		e.call("GET", "/api/v1/crawls/"+strconv.FormatInt(c.ID, 10), "", http.StatusOK, &crawl)
		if crawl.LastJobID == nil || *crawl.LastJobID != got.JobID || crawl.Status != "queued" || crawl.FinishedAt != nil {
			e.t.Errorf("crawl after new job %d: %+v", got.JobID, crawl)
		}
	})
}

func TestJobList(t *testing.T) {
	eachBackend(t, func(e *env) {
		var list jobsResp
		if b := e.call("GET", "/api/v1/jobs", "", http.StatusOK, &list); !bytes.Contains(b, []byte(`"jobs":[]`)) {
			e.t.Errorf("empty list: %s", b)
		}
		j1 := e.enqueue(store.JobEnqueueParams{})
		j2 := e.enqueue(store.JobEnqueueParams{})
		j3 := e.enqueue(store.JobEnqueueParams{})
		e.claim(j1.ID) // running
		if _, err := e.db.JobStopRequest(e.t.Context(), j2.ID); err != nil {
			e.t.Fatal(err)
		}
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{j3.ID, j2.ID, j1.ID}},
			{"?status=queued", []int64{j3.ID}},
			{"?status=running", []int64{j1.ID}},
			{"?status=stopped", []int64{j2.ID}},
			{"?status=running&status=stopped", []int64{j2.ID, j1.ID}},
			{"?status=completed", []int64{}},
			{"?limit=2", []int64{j3.ID, j2.ID}},
			{"?limit=1", []int64{j3.ID}},
			{"?limit=1000", []int64{j3.ID, j2.ID, j1.ID}},
			{"?status=queued&status=running&limit=1", []int64{j3.ID}},
		} {
			var l jobsResp
			e.call("GET", "/api/v1/jobs"+tc.query, "", http.StatusOK, &l)
			if got := jobIDs(l.Jobs); !reflect.DeepEqual(got, tc.want) {
				e.t.Errorf("GET /api/v1/jobs%s: ids %v, want %v", tc.query, got, tc.want)
			}
			for _, j := range l.Jobs {
				want := map[int64]store.JobStatus{j1.ID: store.JobRunning, j2.ID: store.JobStopped, j3.ID: store.JobQueued}[j.ID]
				if j.Status != want {
					e.t.Errorf("job %d status %q, want %q", j.ID, j.Status, want)
				}
			}
		}

		for _, st := range []string{"bogus", "", "QUEUED", "finished"} {
			e.wantError("GET", "/api/v1/jobs?status=queued&status="+st, "", http.StatusBadRequest, "status", "unknown status "+strconv.Quote(st))
		}
		for _, lim := range []string{"0", "-1", "1001", "abc", "1.5", "99999999999999999999"} {
			e.wantError("GET", "/api/v1/jobs?limit="+lim, "", http.StatusBadRequest, "limit", "limit must be an integer from 1 to 1000")
		}
	})
}

func TestJobGet(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{Args: json.RawMessage(`{"a":1}`), MaxAttempts: 7})
		var got api.JobJSON
		e.call("GET", jobsPath(j.ID, ""), "", http.StatusOK, &got)
		if got.ID != j.ID || got.Kind != "test" || got.Status != store.JobQueued || got.MaxAttempts != 7 || !got.CreatedAt.Equal(j.CreatedAt) {
			e.t.Errorf("GET job: %+v", got)
		}
		sameJSON(e.t, got.Args, `{"a":1}`)

		// Running: the worker fields show.
		l := e.claim(j.ID)
		e.call("GET", jobsPath(j.ID, ""), "", http.StatusOK, &got)
		if got.Status != store.JobRunning || got.Attempt != l.Attempt || got.WorkerID != "w1" || got.StartedAt == nil || got.LeaseExpiresAt == nil {
			e.t.Errorf("GET running job: %+v", got)
		}

		e.wantError("GET", jobsPath(j.ID+1, ""), "", http.StatusNotFound, "", "job not found")
		for _, id := range badIDs {
			e.wantError("GET", "/api/v1/jobs/"+id, "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
	})
}

func TestJobLogsCursor(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})

		// A queued job has no lines yet; lines is [] (not null).
		var r logsResp
		b := e.call("GET", jobsPath(j.ID, "/logs"), "", http.StatusOK, &r)
		if r.JobID != j.ID || r.Status != store.JobQueued || len(r.Lines) != 0 || r.NextCursor != 0 || r.Done || !bytes.Contains(b, []byte(`"lines":[]`)) {
			e.t.Errorf("logs of queued job: %s", b)
		}

		l := e.claim(j.ID)
		var want []string
		for i := 1; i <= 5; i++ {
			want = append(want, fmt.Sprintf("line %d", i))
		}
		e.logs(l, want[:3]...)
		e.logs(l, want[3:]...)

		// Page through with limit=2, following next_cursor.
		var got []string
		cursor := int64(0)
		for page := 0; ; page++ {
			if page > 10 {
				e.t.Fatal("cursor does not advance")
			}
			var r logsResp
			e.call("GET", jobsPath(j.ID, fmt.Sprintf("/logs?after=%d&limit=2", cursor)), "", http.StatusOK, &r)
			if r.Done || r.Status != store.JobRunning || r.JobID != j.ID {
				e.t.Fatalf("page after %d of a running job: %+v", cursor, r)
			}
			if len(r.Lines) > 2 {
				e.t.Fatalf("limit=2 returned %d lines", len(r.Lines))
			}
			if len(r.Lines) == 0 {
				if r.NextCursor != cursor {
					e.t.Fatalf("empty page moved the cursor from %d to %d", cursor, r.NextCursor)
				}
				break
			}
			for i, line := range r.Lines {
				if line.Seq != cursor+int64(i)+1 || line.JobID != j.ID || line.Attempt != l.Attempt || line.Level != store.LogInfo || line.CreatedAt.IsZero() {
					e.t.Errorf("after %d, line %d: %+v", cursor, i, line)
				}
				got = append(got, line.Message)
			}
			if last := r.Lines[len(r.Lines)-1].Seq; r.NextCursor != last || r.NextCursor <= cursor {
				e.t.Fatalf("after %d: next_cursor %d, last seq %d", cursor, r.NextCursor, last)
			}
			cursor = r.NextCursor
		}
		if !reflect.DeepEqual(got, want) {
			e.t.Fatalf("paged lines %q, want %q", got, want)
		}
		if cursor != 5 {
			e.t.Fatalf("final cursor %d, want 5", cursor)
		}

		// A line written later is the only one after the cursor.
		e.logs(l, "line 6")
		e.call("GET", jobsPath(j.ID, "/logs?after=5&limit=2"), "", http.StatusOK, &r)
		if len(r.Lines) != 1 || r.Lines[0].Seq != 6 || r.Lines[0].Message != "line 6" || r.NextCursor != 6 || r.Done {
			e.t.Fatalf("after 5 with a new line: %+v", r)
		}

		// Finished: done only once the last line has been read.
		e.finish(l, store.JobCompleted)
		r = logsResp{}
		e.call("GET", jobsPath(j.ID, "/logs?after=4&limit=1"), "", http.StatusOK, &r)
		if r.Status != store.JobCompleted || len(r.Lines) != 1 || r.Lines[0].Seq != 5 || r.NextCursor != 5 || r.Done {
			e.t.Errorf("finished job, lines left: %+v", r)
		}
		r = logsResp{}
		e.call("GET", jobsPath(j.ID, "/logs?after=5&limit=1"), "", http.StatusOK, &r)
		if r.Status != store.JobCompleted || len(r.Lines) != 1 || r.Lines[0].Seq != 6 || r.NextCursor != 6 || !r.Done {
			e.t.Errorf("finished job, last line: %+v", r)
		}
		r = logsResp{}
		e.call("GET", jobsPath(j.ID, "/logs?after=6"), "", http.StatusOK, &r)
		if len(r.Lines) != 0 || r.NextCursor != 6 || !r.Done {
			e.t.Errorf("finished job, nothing left: %+v", r)
		}
		// Default limit reads everything at once.
		r = logsResp{}
		e.call("GET", jobsPath(j.ID, "/logs"), "", http.StatusOK, &r)
		if len(r.Lines) != 6 || r.NextCursor != 6 || !r.Done {
			e.t.Errorf("finished job, whole log: %d lines, next %d, done %v", len(r.Lines), r.NextCursor, r.Done)
		}
	})
}

func TestJobLogsTail(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})
		l := e.claim(j.ID)
		var msgs []string
		for i := 1; i <= 10; i++ {
			msgs = append(msgs, fmt.Sprintf("m%02d", i))
		}
		e.logs(l, msgs...)

		seqs := func(r logsResp) []int64 { return ids(r.Lines, func(x store.LogLine) int64 { return x.Seq }) }
		var r logsResp
		e.call("GET", jobsPath(j.ID, "/logs?tail=1&limit=3"), "", http.StatusOK, &r)
		if got := seqs(r); !reflect.DeepEqual(got, []int64{8, 9, 10}) || r.Lines[0].Message != "m08" || r.Lines[2].Message != "m10" || r.NextCursor != 10 || r.Done {
			e.t.Errorf("tail of running job: seqs %v, %+v", got, r)
		}
		// tail ignores after.
		r = logsResp{}
		e.call("GET", jobsPath(j.ID, "/logs?tail=1&limit=2&after=3"), "", http.StatusOK, &r)
		if got := seqs(r); !reflect.DeepEqual(got, []int64{9, 10}) || r.NextCursor != 10 {
			e.t.Errorf("tail with after: seqs %v, next %d", got, r.NextCursor)
		}
		// Only tail=1 means tail.
		r = logsResp{}
		e.call("GET", jobsPath(j.ID, "/logs?tail=0&limit=3"), "", http.StatusOK, &r)
		if got := seqs(r); !reflect.DeepEqual(got, []int64{1, 2, 3}) {
			e.t.Errorf("tail=0: seqs %v, want the first lines", got)
		}

		e.finish(l, store.JobFailed)
		r = logsResp{}
		e.call("GET", jobsPath(j.ID, "/logs?tail=1&limit=3"), "", http.StatusOK, &r)
		if got := seqs(r); !reflect.DeepEqual(got, []int64{8, 9, 10}) || r.Status != store.JobFailed || !r.Done {
			e.t.Errorf("tail of failed job: seqs %v, %+v", got, r)
		}
	})
}

func TestJobLogsInvalid(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})
		for _, v := range []string{"-1", "abc", "1.5", "4611686018427387905", "99999999999999999999"} {
			e.wantError("GET", jobsPath(j.ID, "/logs?after="+v), "", http.StatusBadRequest, "after", "after must be an integer from 0 to 4611686018427387904")
		}
		for _, v := range []string{"0", "-1", "5001", "x"} {
			e.wantError("GET", jobsPath(j.ID, "/logs?limit="+v), "", http.StatusBadRequest, "limit", "limit must be an integer from 1 to 5000")
		}
		var r logsResp
		e.call("GET", jobsPath(j.ID, "/logs?after=0&limit=5000"), "", http.StatusOK, &r)
		e.wantError("GET", jobsPath(j.ID+1, "/logs"), "", http.StatusNotFound, "", "job not found")
		for _, id := range badIDs {
			e.wantError("GET", "/api/v1/jobs/"+id+"/logs", "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
	})
}

func TestJobOutput(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})
		check := func(want string) {
			e.t.Helper()
			resp, b := e.do("GET", jobsPath(j.ID, "/output"), "")
			if resp.StatusCode != http.StatusOK {
				e.t.Fatalf("output: status %d: %s", resp.StatusCode, b)
			}
			if string(b) != want {
				e.t.Errorf("output %q, want %q", b, want)
			}
			h := resp.Header
			if ct := h.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				e.t.Errorf("Content-Type %q", ct)
			}
			if cd, want := h.Get("Content-Disposition"), fmt.Sprintf("attachment; filename=job-%d.log", j.ID); cd != want {
				e.t.Errorf("Content-Disposition %q, want %q", cd, want)
			}
			if n := h.Get("X-Content-Type-Options"); n != "nosniff" {
				e.t.Errorf("X-Content-Type-Options %q", n)
			}
		}
		check("") // no output yet

		// Chunks come back in (attempt, seq) order, whatever the insert order.
		l1 := e.claim(j.ID)
		ctx := e.t.Context()
		for _, c := range []struct {
			seq  int
			data string
		}{{1, "world\n"}, {0, "hello "}, {2, "<html>raw\x00bytes</html>\n"}} {
			if err := e.db.JobOutputAppend(ctx, l1, c.seq, []byte(c.data)); err != nil {
				e.t.Fatal(err)
			}
		}
		check("hello world\n<html>raw\x00bytes</html>\n")

		// A second attempt's output follows the first's.
		if err := e.db.JobHandBack(ctx, l1); err != nil {
			e.t.Fatal(err)
		}
		l2 := e.claim(j.ID)
		if l2.Attempt != l1.Attempt+1 {
			e.t.Fatalf("second attempt %d after %d", l2.Attempt, l1.Attempt)
		}
		if err := e.db.JobOutputAppend(ctx, l2, 0, []byte("attempt 2\n")); err != nil {
			e.t.Fatal(err)
		}
		check("hello world\n<html>raw\x00bytes</html>\nattempt 2\n")

		e.wantError("GET", jobsPath(j.ID+1, "/output"), "", http.StatusNotFound, "", "job not found")
		for _, id := range badIDs {
			e.wantError("GET", "/api/v1/jobs/"+id+"/output", "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
	})
}

func TestJobStop(t *testing.T) {
	eachBackend(t, func(e *env) {
		running := e.enqueue(store.JobEnqueueParams{})
		queued := e.enqueue(store.JobEnqueueParams{})
		e.claim(running.ID) // claims the oldest

		var got api.JobJSON
		e.call("POST", jobsPath(queued.ID, "/stop"), "", http.StatusAccepted, &got)
		if got.ID != queued.ID || got.Status != store.JobStopped || got.StopRequestedAt == nil || got.FinishedAt == nil {
			e.t.Errorf("stop queued job: %+v", got)
		}
		e.call("GET", jobsPath(queued.ID, ""), "", http.StatusOK, &got)
		if got.Status != store.JobStopped {
			e.t.Errorf("stopped job reads back %q", got.Status)
		}

		got = api.JobJSON{}
		e.call("POST", jobsPath(running.ID, "/stop"), "", http.StatusAccepted, &got)
		if got.ID != running.ID || got.Status != store.JobStopping || got.StopRequestedAt == nil || got.FinishedAt != nil {
			e.t.Errorf("stop running job: %+v", got)
		}
		first := *got.StopRequestedAt
		// Asking again changes nothing.
		got = api.JobJSON{}
		e.call("POST", jobsPath(running.ID, "/stop"), "", http.StatusAccepted, &got)
		if got.Status != store.JobStopping || got.StopRequestedAt == nil || !got.StopRequestedAt.Equal(first) {
			e.t.Errorf("stop stopping job again: %+v", got)
		}
		// The stop request is in the job's log.
		var r logsResp
		e.call("GET", jobsPath(running.ID, "/logs"), "", http.StatusOK, &r)
		if len(r.Lines) == 0 || r.Lines[0].Message != "stop requested" || r.Lines[0].Level != store.LogWarn {
			e.t.Errorf("log after stop: %+v", r.Lines)
		}

		e.wantError("POST", jobsPath(running.ID+10, "/stop"), "", http.StatusNotFound, "", "job not found")
		for _, id := range badIDs {
			e.wantError("POST", "/api/v1/jobs/"+id+"/stop", "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
	})
}

func TestJobResume(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{Args: json.RawMessage(`{"x":"y"}`), MaxAttempts: 4})
		if _, err := e.db.JobStopRequest(e.t.Context(), j.ID); err != nil {
			e.t.Fatal(err)
		}
		var got createResp
		e.call("POST", jobsPath(j.ID, "/resume"), "", http.StatusCreated, &got)
		if !got.Created || got.JobID == j.ID || got.Job.ID != got.JobID || got.Job.Status != store.JobQueued ||
			got.Job.Kind != "test" || got.Job.MaxAttempts != 4 || got.Job.CrawlID != nil {
			e.t.Fatalf("resume stopped job: %+v", got)
		}
		sameJSON(e.t, got.Job.Args, `{"x":"y"}`)
		resumed := got.JobID

		// Only stopped or failed jobs resume.
		msg := e.errorBody("POST", jobsPath(resumed, "/resume"), "", http.StatusConflict, "")
		if !strings.Contains(msg, "queued") || !strings.Contains(msg, "only stopped or failed jobs can be resumed") {
			e.t.Errorf("resume queued job: %q", msg)
		}
		e.claim(resumed)
		msg = e.errorBody("POST", jobsPath(resumed, "/resume"), "", http.StatusConflict, "")
		if !strings.Contains(msg, "running") || !strings.Contains(msg, "only stopped or failed jobs can be resumed") {
			e.t.Errorf("resume running job: %q", msg)
		}

		// A crawl's stopped job resumes into the crawl's single active job.
		c, cj := e.crawl("https://example.org/")
		e.call("POST", jobsPath(cj.ID, "/stop"), "", http.StatusAccepted, nil)
		e.call("POST", jobsPath(cj.ID, "/resume"), "", http.StatusCreated, &got)
		if !got.Created || got.Job.CrawlID == nil || *got.Job.CrawlID != c.ID {
			e.t.Fatalf("resume crawl job: %+v", got)
		}
		again := got.JobID
		got = createResp{}
		e.call("POST", jobsPath(cj.ID, "/resume"), "", http.StatusOK, &got)
		if got.Created || got.JobID != again {
			e.t.Errorf("second resume of crawl job: %+v, want existing job %d", got, again)
		}

		e.wantError("POST", jobsPath(again+10, "/resume"), "", http.StatusNotFound, "", "job not found")
		for _, id := range badIDs {
			e.wantError("POST", "/api/v1/jobs/"+id+"/resume", "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
	})
}

func TestCrawls(t *testing.T) {
	eachBackend(t, func(e *env) {
		var list crawlsResp
		if b := e.call("GET", "/api/v1/crawls", "", http.StatusOK, &list); !bytes.Contains(b, []byte(`"crawls":[]`)) {
			e.t.Errorf("empty crawl list: %s", b)
		}
		c1, j1 := e.crawl("https://one.example/")
		c2, _ := e.crawl("https://two.example/")
		c3, _ := e.crawl("https://three.example/")

		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{c3.ID, c2.ID, c1.ID}},
			{"?limit=2", []int64{c3.ID, c2.ID}},
			{"?before=0", []int64{c3.ID, c2.ID, c1.ID}},
			{fmt.Sprintf("?before=%d", c3.ID), []int64{c2.ID, c1.ID}},
			{fmt.Sprintf("?before=%d&limit=1", c2.ID), []int64{c1.ID}},
			{fmt.Sprintf("?before=%d", c1.ID), []int64{}},
			{"?limit=1000", []int64{c3.ID, c2.ID, c1.ID}},
		} {
			var l crawlsResp
			e.call("GET", "/api/v1/crawls"+tc.query, "", http.StatusOK, &l)
			if got := crawlIDs(l.Crawls); !reflect.DeepEqual(got, tc.want) {
				e.t.Errorf("GET /api/v1/crawls%s: ids %v, want %v", tc.query, got, tc.want)
			}
		}

		var got api.CrawlJSON
		e.call("GET", "/api/v1/crawls/"+strconv.FormatInt(c1.ID, 10), "", http.StatusOK, &got)
		if got.ID != c1.ID || got.StartURL != "https://one.example/" || got.Status != "queued" || got.LastJobID == nil ||
			*got.LastJobID != j1.ID || got.StartedAt != nil || got.CreatedAt.IsZero() {
			e.t.Errorf("GET crawl: %+v", got)
		}
		sameJSON(e.t, got.Options, `{"depth":2}`)

		// The crawl mirrors its job.
		l := e.claim(j1.ID)
		if err := e.db.JobProgress(e.t.Context(), l, store.Progress{Done: 3, Total: 7}); err != nil {
			e.t.Fatal(err)
		}
		e.call("GET", "/api/v1/crawls/"+strconv.FormatInt(c1.ID, 10), "", http.StatusOK, &got)
		if got.Status != "running" || got.StartedAt == nil || got.Found != 7 || got.Crawled != 3 {
			e.t.Errorf("crawl of running job: %+v", got)
		}
		e.finish(l, store.JobCompleted)
		e.call("GET", "/api/v1/crawls/"+strconv.FormatInt(c1.ID, 10), "", http.StatusOK, &got)
		if got.Status != "finished" || got.FinishedAt == nil {
			e.t.Errorf("crawl of completed job: %+v", got)
		}

		e.wantError("GET", "/api/v1/crawls/"+strconv.FormatInt(c3.ID+1, 10), "", http.StatusNotFound, "", "crawl not found")
		for _, id := range badIDs {
			e.wantError("GET", "/api/v1/crawls/"+id, "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
		for _, v := range []string{"0", "-1", "1001", "abc"} {
			e.wantError("GET", "/api/v1/crawls?limit="+v, "", http.StatusBadRequest, "limit", "limit must be an integer from 1 to 1000")
		}
		for _, v := range []string{"-1", "abc", "1.5", "99999999999999999999"} {
			e.wantError("GET", "/api/v1/crawls?before="+v, "", http.StatusBadRequest, "before", "before must be an integer from 0 to 4611686018427387904")
		}
	})
}

func TestRoutes(t *testing.T) {
	eachBackend(t, func(e *env) {
		var health map[string]string
		e.call("GET", "/api/v1/health", "", http.StatusOK, &health)
		if !maps.Equal(health, map[string]string{"status": "ok"}) {
			e.t.Errorf("health: %v", health)
		}

		for _, tc := range []struct{ method, path string }{
			{"GET", "/api/"},
			{"GET", "/api/v1/nope"},
			{"GET", "/api/v2/jobs"},
			{"GET", "/api/v1/jobs/1/nope"},
			{"GET", "/api/v1/jobs/1/logs/2"},
			{"POST", "/api/v1/crawls/1/stop"},
			{"DELETE", "/api/v1/nope"},
		} {
			e.wantError(tc.method, tc.path, "", http.StatusNotFound, "", "no such API route: "+tc.method+" "+tc.path)
		}

		j := e.enqueue(store.JobEnqueueParams{})
		id := strconv.FormatInt(j.ID, 10)
		for _, tc := range []struct{ method, path, allow string }{
			{"PUT", "/api/v1/jobs", "GET, HEAD, POST"},
			{"DELETE", "/api/v1/jobs", "GET, HEAD, POST"},
			{"DELETE", "/api/v1/jobs/" + id, "GET, HEAD"},
			{"PATCH", "/api/v1/jobs/" + id, "GET, HEAD"},
			{"POST", "/api/v1/jobs/" + id + "/logs", "GET, HEAD"},
			{"POST", "/api/v1/jobs/" + id + "/output", "GET, HEAD"},
			{"GET", "/api/v1/jobs/" + id + "/stop", "POST"},
			{"GET", "/api/v1/jobs/" + id + "/resume", "POST"},
			{"PUT", "/api/v1/crawls", "GET, HEAD, POST"},
			{"PUT", "/api/v1/crawls/1", "DELETE, GET, HEAD"},
			{"POST", "/api/v1/crawls/1", "DELETE, GET, HEAD"},
			{"POST", "/api/v1/crawls/running", "GET, HEAD"},
			{"DELETE", "/api/v1/crawls/running", "GET, HEAD"},
			{"POST", "/api/v1/jobs/" + id + "/events", "GET, HEAD"},
			{"DELETE", "/api/v1/jobs/" + id + "/events", "GET, HEAD"},
			{"POST", "/api/v1/health", "GET, HEAD"},
		} {
			resp, b := e.do(tc.method, tc.path, "")
			if resp.StatusCode != http.StatusMethodNotAllowed {
				e.t.Errorf("%s %s: status %d, want 405; body %s", tc.method, tc.path, resp.StatusCode, b)
				continue
			}
			if allow := resp.Header.Get("Allow"); allow != tc.allow {
				e.t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, allow, tc.allow)
			}
			e.wantError(tc.method, tc.path, "", http.StatusMethodNotAllowed, "", "method "+tc.method+" not allowed")
		}
		// The wrong method did nothing: the job is still queued.
		var got api.JobJSON
		e.call("GET", "/api/v1/jobs/"+id, "", http.StatusOK, &got)
		if got.Status != store.JobQueued {
			e.t.Errorf("job after wrong-method requests: %q", got.Status)
		}
	})
}

func TestHostileContent(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	eachBackend(t, func(e *env) {
		noScript := func(what string, b []byte) {
			e.t.Helper()
			if bytes.Contains(b, []byte("<script")) || bytes.Contains(b, []byte("</script")) {
				e.t.Errorf("%s: raw body has a literal script tag: %s", what, b)
			}
			if !bytes.Contains(b, []byte(`\u003cscript\u003e`)) {
				e.t.Errorf("%s: body lacks the escaped tag: %s", what, b)
			}
		}

		// A log line.
		j := e.enqueue(store.JobEnqueueParams{})
		l := e.claim(j.ID)
		e.logs(l, "fetched "+evil+" & more")
		var r logsResp
		b := e.call("GET", jobsPath(j.ID, "/logs"), "", http.StatusOK, &r)
		noScript("logs", b)
		if len(r.Lines) != 1 || r.Lines[0].Message != "fetched "+evil+" & more" {
			e.t.Errorf("log line does not round-trip: %+v", r.Lines)
		}
		if !bytes.Contains(b, []byte(`\u0026 more`)) {
			e.t.Errorf("& not escaped: %s", b)
		}
		b = e.call("GET", jobsPath(j.ID, "/logs?tail=1"), "", http.StatusOK, nil)
		noScript("logs tail", b)

		// Job args, passed through as raw JSON.
		var created createResp
		b = e.call("POST", "/api/v1/jobs", `{"kind":"test","args":{"title":"`+evil+`"}}`, http.StatusCreated, &created)
		noScript("create", b)
		b = e.call("GET", jobsPath(created.JobID, ""), "", http.StatusOK, nil)
		noScript("get job", b)
		b = e.call("GET", "/api/v1/jobs", "", http.StatusOK, nil)
		noScript("list jobs", b)

		// A crawl's URL and options.
		c, _, err := e.db.CrawlCreate(e.t.Context(), store.CrawlCreateParams{StartURL: "https://x.example/" + evil,
			Options: json.RawMessage(`{"note":"` + evil + `"}`), Job: store.JobEnqueueParams{Kind: "test"}})
		if err != nil {
			e.t.Fatal(err)
		}
		var crawl api.CrawlJSON
		b = e.call("GET", "/api/v1/crawls/"+strconv.FormatInt(c.ID, 10), "", http.StatusOK, &crawl)
		noScript("get crawl", b)
		if crawl.StartURL != "https://x.example/"+evil {
			e.t.Errorf("start_url %q", crawl.StartURL)
		}
		b = e.call("GET", "/api/v1/crawls", "", http.StatusOK, nil)
		noScript("list crawls", b)

		// Error messages that echo the request.
		b = e.call("GET", "/api/v1/jobs?status="+url.QueryEscape(evil), "", http.StatusBadRequest, nil)
		noScript("status error", b)
		b = e.call("GET", "/api/"+evil, "", http.StatusNotFound, nil)
		noScript("route error", b)
	})
}

func TestCrawlCreate(t *testing.T) {
	eachBackend(t, func(e *env) {
		var got struct {
			CrawlID int64         `json:"crawl_id"`
			JobID   int64         `json:"job_id"`
			Crawl   api.CrawlJSON `json:"crawl"`
			Job     api.JobJSON   `json:"job"`
		}
		body := `{"start_url":"HTTP://Example.COM:80/a/../b","options":{"max_depth":3,"concurrency":4,"exclude":["\\?sort="],
			"auth_user":"bob","auth_password":"s3cret","headers":{"Cookie":"session=abc","X-Test":"1"}}}`
		raw := e.call("POST", "/api/v1/crawls", body, http.StatusCreated, &got)
		if got.CrawlID == 0 || got.JobID == 0 || got.Job.Kind != "crawl" || got.Job.Status != store.JobQueued ||
			got.Job.CrawlID == nil || *got.Job.CrawlID != got.CrawlID || got.Crawl.StartURL != "http://example.com/b" {
			e.t.Fatalf("create crawl: %s", raw)
		}
		if bytes.Contains(raw, []byte("s3cret")) || bytes.Contains(raw, []byte("session=abc")) {
			e.t.Errorf("secrets shown: %s", raw)
		}
		var opts map[string]any
		json.Unmarshal(got.Crawl.Options, &opts)
		// Defaults are filled in, given values kept.
		if opts["max_depth"] != 3.0 || opts["concurrency"] != 4.0 || opts["robots"] != "respect" || opts["query"] != "keep" || opts["auth_user"] != "bob" {
			e.t.Errorf("stored options: %s", got.Crawl.Options)
		}
		// The job runs with the real password: the stored options keep it.
		c, err := e.db.CrawlGet(context.Background(), got.CrawlID)
		if err != nil || !bytes.Contains(c.Options, []byte("s3cret")) {
			e.t.Errorf("stored options lost the password: %s, %v", c.Options, err)
		}
		// A list crawl takes its start URL from the list.
		e.call("POST", "/api/v1/crawls", `{"options":{"urls":["http://a.example/x","http://a.example/y"]}}`, http.StatusCreated, &got)
		if got.Crawl.StartURL != "http://a.example/x" || !bytes.Contains(got.Crawl.Options, []byte(`"max_depth":0`)) {
			e.t.Errorf("list crawl: %+v %s", got.Crawl, got.Crawl.Options)
		}
	})
}

func TestCrawlCreateInvalid(t *testing.T) {
	eachBackend(t, func(e *env) {
		const post, path = "POST", "/api/v1/crawls"
		for _, tc := range []struct{ body, field, msg string }{
			{`{}`, "start_url", "is required"},
			{`{"start_url":"ftp://example.com/"}`, "start_url", `unsupported scheme "ftp"`},
			{`{"start_url":"example.com"}`, "start_url", `URL has no scheme: "example.com"`},
			{`{"start_url":"http://"}`, "start_url", "missing host"},
			{`{"start_url":"http://a b.com/"}`, "start_url", ""},
			{`{"start_url":"http://example.com/","options":{"max_depth":-2}}`, "options.max_depth", "must be -1 (unlimited) or more"},
			{`{"start_url":"http://example.com/","options":{"concurrency":0}}`, "options.concurrency", "must be between 1 and 256"},
			{`{"start_url":"http://example.com/","options":{"robots":"maybe"}}`, "options.robots", "must be respect or ignore"},
			{`{"start_url":"http://example.com/","options":{"query":"drop"}}`, "options.query", "must be keep, sort or strip"},
			{`{"start_url":"http://example.com/","options":{"include":["(unclosed"]}}`, "options.include[0]", ""},
			{`{"start_url":"http://example.com/","options":{"allowed_hosts":["*.co.uk"]}}`, "options.allowed_hosts", ""},
			{`{"start_url":"http://example.com/","options":{"timeout":"forever"}}`, "options.timeout", ""},
			{`{"start_url":"http://example.com/","options":{"user_agent":"a\nb"}}`, "options.user_agent", ""},
			{`{"start_url":"http://example.com/","options":{"headers":{"Bad Name":"x"}}}`, "options.headers", ""},
			{`{"start_url":"http://example.com/","options":{"urls":["http://ok.example/","nope"]}}`, "options.urls[1]", ""},
			{`{"start_url":"http://example.com/","options":{"max_depht":2}}`, "options", `unknown field "max_depht"`},
			{`{"start_url":"http://example.com/","options":{"max_urls":"10"}}`, "options", "cannot unmarshal"},
		} {
			msg := e.errorBody(post, path, tc.body, http.StatusBadRequest, tc.field)
			if !strings.Contains(msg, tc.msg) {
				e.t.Errorf("%s: error %q, want it to contain %q", tc.body, msg, tc.msg)
			}
		}
		e.wantError(post, "/api/v1/jobs", `{"kind":"crawl"}`, http.StatusBadRequest, "crawl_id", "a crawl job needs crawl_id; start crawls with POST /api/v1/crawls")
		var list struct {
			Crawls []api.CrawlJSON `json:"crawls"`
		}
		e.call("GET", path, "", http.StatusOK, &list)
		if len(list.Crawls) != 0 {
			e.t.Errorf("invalid creates made %d crawls", len(list.Crawls))
		}
	})
}
