// Package api is Scouter's versioned JSON API. Every handler decodes,
// validates, calls the store and responds; errors are JSON with a message.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/export"
	"github.com/scouter-seo/scouter/internal/joblog"
	"github.com/scouter-seo/scouter/internal/store"
)

// Store is what the API needs of the database.
type Store interface {
	export.Store
	JobEnqueue(ctx context.Context, p store.JobEnqueueParams) (store.Job, bool, error)
	JobGet(ctx context.Context, id int64) (store.Job, error)
	JobList(ctx context.Context, p store.JobListParams) ([]store.Job, error)
	JobLogs(ctx context.Context, p store.JobLogsParams) ([]store.LogLine, error)
	JobOutput(ctx context.Context, jobID int64, attempt int, fn func([]byte) error) error
	JobStopRequest(ctx context.Context, id int64) (store.Job, error)
	JobResume(ctx context.Context, id int64) (store.Job, bool, error)
	CrawlCreate(ctx context.Context, p store.CrawlCreateParams) (store.Crawl, store.Job, error)
	CrawlGet(ctx context.Context, id int64) (store.Crawl, error)
	CrawlList(ctx context.Context, beforeID int64, limit int) ([]store.Crawl, error)
	CrawlListActive(ctx context.Context) ([]store.Crawl, error)
	CrawlDelete(ctx context.Context, id int64) error
	Subscribe(topics ...string) *store.Subscription
	auditStore    // audit.go: re-run an audit, findings export
	reportStore   // report.go: issues summary, page detail, comparison
	explorerStore // explore.go: the URL explorer's query
}

// Server serves /api/v1.
type Server struct {
	db    Store
	log   *slog.Logger
	kinds map[string]bool // job kinds that may be enqueued through the API

	// PingEvery is how long an event stream stays silent before a comment
	// line is sent, so proxies do not close a quiet connection.
	PingEvery time.Duration
	// StopWait bounds how long DELETE /crawls/{id} waits for the crawl's
	// active job to stop before answering 409.
	StopWait time.Duration
}

// New returns the API for the given job kinds.
func New(db Store, log *slog.Logger, kinds []string) *Server {
	s := &Server{db: db, log: log, kinds: map[string]bool{}, PingEvery: 15 * time.Second, StopWait: 15 * time.Second}
	for _, k := range kinds {
		s.kinds[k] = true
	}
	return s
}

// Register adds the routes to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /api/v1/jobs", s.jobCreate)
	mux.HandleFunc("GET /api/v1/jobs", s.jobList)
	mux.HandleFunc("GET /api/v1/jobs/{id}", s.jobGet)
	mux.HandleFunc("GET /api/v1/jobs/{id}/logs", s.jobLogs)
	mux.HandleFunc("GET /api/v1/jobs/{id}/output", s.jobOutput)
	mux.HandleFunc("GET /api/v1/jobs/{id}/events", s.jobEvents)
	mux.HandleFunc("POST /api/v1/jobs/{id}/stop", s.jobStop)
	mux.HandleFunc("POST /api/v1/jobs/{id}/resume", s.jobResume)
	mux.HandleFunc("POST /api/v1/crawls", s.crawlCreate)
	mux.HandleFunc("GET /api/v1/crawls", s.crawlList)
	mux.HandleFunc("GET /api/v1/crawls/running", s.crawlsRunning)
	mux.HandleFunc("GET /api/v1/crawls/{id}", s.crawlGet)
	mux.HandleFunc("DELETE /api/v1/crawls/{id}", s.crawlDelete)
	mux.HandleFunc("GET /api/v1/crawls/{id}/export/{file}", s.crawlExport)
	s.registerAudit(mux)
	s.registerReports(mux)
	s.registerExplorer(mux)
	// "DELETE /api/v1/crawls/{id}" would take the literal "running" for an
	// id; that path is the GET-only list, so it answers like any other
	// wrong method.
	const deleteRunning = "DELETE /api/v1/crawls/running"
	catchAll := func(w http.ResponseWriter, r *http.Request) {
		// This catch-all matches every method, so it also receives a known
		// path under a wrong method (ServeMux answers 405 only when no
		// pattern matches): list the methods the path has.
		var allow []string
		for _, m := range []string{"DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/api/" && pattern != deleteRunning {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed", "")
			return
		}
		writeError(w, http.StatusNotFound, "no such API route: "+r.Method+" "+r.URL.Path, "")
	}
	mux.HandleFunc(deleteRunning, catchAll)
	mux.HandleFunc("/api/", catchAll)
}

// JobJSON is a job as the API shows it.
type JobJSON struct {
	ID              int64           `json:"id"`
	CrawlID         *int64          `json:"crawl_id"`
	Kind            string          `json:"kind"`
	Args            json.RawMessage `json:"args"`
	Status          store.JobStatus `json:"status"`
	Attempt         int             `json:"attempt"`
	MaxAttempts     int             `json:"max_attempts"`
	WorkerID        string          `json:"worker_id"`
	WorkerHost      string          `json:"worker_host"`
	WorkerPID       int             `json:"worker_pid"`
	ChildPID        int             `json:"child_pid"`
	Progress        store.Progress  `json:"progress"`
	Error           string          `json:"error"`
	ExitCode        *int            `json:"exit_code"`
	LogSeq          int64           `json:"log_seq"`
	CreatedAt       time.Time       `json:"created_at"`
	StartedAt       *time.Time      `json:"started_at"`
	FinishedAt      *time.Time      `json:"finished_at"`
	LeaseExpiresAt  *time.Time      `json:"lease_expires_at"`
	StopRequestedAt *time.Time      `json:"stop_requested_at"`
}

func jobJSON(j store.Job) JobJSON {
	return JobJSON{ID: j.ID, CrawlID: j.CrawlID, Kind: j.Kind, Args: j.Args, Status: j.Status, Attempt: j.Attempt,
		MaxAttempts: j.MaxAttempts, WorkerID: j.WorkerID, WorkerHost: j.WorkerHost, WorkerPID: j.WorkerPID,
		ChildPID: j.ChildPID, Progress: j.Progress, Error: j.Error, ExitCode: j.ExitCode, LogSeq: j.LogSeq,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt, LeaseExpiresAt: j.LeaseExpiresAt,
		StopRequestedAt: j.StopRequestedAt}
}

func (s *Server) jobCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Kind        string          `json:"kind"`
		Args        json.RawMessage `json:"args"`
		CrawlID     *int64          `json:"crawl_id"`
		MaxAttempts int             `json:"max_attempts"`
	}
	if !decode(w, r, &in) {
		return
	}
	if !s.kinds[in.Kind] {
		writeError(w, http.StatusBadRequest, "unknown job kind", "kind")
		return
	}
	if in.Kind == "crawl" && in.CrawlID == nil {
		writeError(w, http.StatusBadRequest, "a crawl job needs crawl_id; start crawls with POST /api/v1/crawls", "crawl_id")
		return
	}
	if in.MaxAttempts < 0 || in.MaxAttempts > 100 {
		writeError(w, http.StatusBadRequest, "max_attempts must be between 1 and 100", "max_attempts")
		return
	}
	if in.CrawlID != nil {
		if _, err := s.db.CrawlGet(r.Context(), *in.CrawlID); err != nil {
			s.fail(w, err, "crawl")
			return
		}
	}
	j, created, err := s.db.JobEnqueue(r.Context(), store.JobEnqueueParams{Kind: in.Kind, Args: in.Args, CrawlID: in.CrawlID, MaxAttempts: in.MaxAttempts})
	if err != nil {
		s.fail(w, err, "job")
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // the crawl's active job already existed
	}
	writeJSON(w, status, map[string]any{"job_id": j.ID, "created": created, "job": jobJSON(j)})
}

func (s *Server) jobList(w http.ResponseWriter, r *http.Request) {
	var p store.JobListParams
	limit, ok := intParam(w, r, "limit", 50, 1, 1000)
	if !ok {
		return
	}
	p.Limit = int(limit)
	if r.URL.Query().Has("crawl_id") {
		c, ok := intParam(w, r, "crawl_id", 0, 1, 1<<62)
		if !ok {
			return
		}
		p.CrawlID = &c
	}
	for _, st := range r.URL.Query()["status"] {
		js := store.JobStatus(st)
		if !js.Active() && !js.Terminal() {
			writeError(w, http.StatusBadRequest, "unknown status "+strconv.Quote(st), "status")
			return
		}
		p.Statuses = append(p.Statuses, js)
	}
	jobs, err := s.db.JobList(r.Context(), p)
	if err != nil {
		s.fail(w, err, "jobs")
		return
	}
	out := make([]JobJSON, len(jobs))
	for i, j := range jobs {
		out[i] = jobJSON(j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": out})
}

func (s *Server) jobGet(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	j, err := s.db.JobGet(r.Context(), id)
	if err != nil {
		s.fail(w, err, "job")
		return
	}
	writeJSON(w, http.StatusOK, jobJSON(j))
}

// jobLogs returns lines after the cursor, never the whole log: the cost of a
// poll depends on the new lines only.
func (s *Server) jobLogs(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	after, ok := intParam(w, r, "after", 0, 0, maxCursor)
	if !ok {
		return
	}
	limit, ok := intParam(w, r, "limit", 500, 1, 5000)
	if !ok {
		return
	}
	// Status first: if it is final, the lines read after it are the last.
	j, err := s.db.JobGet(r.Context(), id)
	if err != nil {
		s.fail(w, err, "job")
		return
	}
	lines, err := s.db.JobLogs(r.Context(), store.JobLogsParams{JobID: id, After: after, Limit: int(limit), Tail: r.URL.Query().Get("tail") == "1"})
	if err != nil {
		s.fail(w, err, "logs")
		return
	}
	next := after
	if len(lines) > 0 {
		next = lines[len(lines)-1].Seq
	}
	if lines == nil {
		lines = []store.LogLine{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"job_id": id, "status": j.Status, "lines": lines, "next_cursor": next,
		"done": j.Status.Terminal() && next >= j.LogSeq})
}

func (s *Server) jobOutput(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if _, err := s.db.JobGet(r.Context(), id); err != nil {
		s.fail(w, err, "job")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename=job-"+strconv.FormatInt(id, 10)+".log")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := s.db.JobOutput(r.Context(), id, 0, func(b []byte) error { _, err := w.Write(b); return err }); err != nil {
		s.log.Warn("streaming raw output failed", "job", id, "err", err)
	}
}

func (s *Server) jobStop(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	j, err := s.db.JobStopRequest(r.Context(), id)
	if err != nil {
		s.fail(w, err, "job")
		return
	}
	writeJSON(w, http.StatusAccepted, jobJSON(j))
}

func (s *Server) jobResume(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	j, created, err := s.db.JobResume(r.Context(), id)
	if err != nil {
		s.fail(w, err, "job")
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, map[string]any{"job_id": j.ID, "created": created, "job": jobJSON(j)})
}

// CrawlJSON is a crawl as the API shows it.
type CrawlJSON struct {
	ID         int64           `json:"id"`
	StartURL   string          `json:"start_url"`
	Options    json.RawMessage `json:"options"`
	Status     string          `json:"status"`
	LastJobID  *int64          `json:"last_job_id"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  *time.Time      `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Found      int64           `json:"pages_found"`
	Crawled    int64           `json:"pages_crawled"`
	AuditedAt  *time.Time      `json:"audited_at"` // null until the audit completes
}

func crawlJSON(c store.Crawl) CrawlJSON {
	// Options may hold a password or cookies: show them redacted.
	if o, err := crawler.ParseOptions(c.Options); err == nil {
		if b, err := json.Marshal(o.Redacted()); err == nil {
			c.Options = b
		}
	}
	return CrawlJSON{ID: c.ID, StartURL: c.StartURL, Options: c.Options, Status: c.Status, LastJobID: c.LastJobID,
		CreatedAt: c.CreatedAt, StartedAt: c.StartedAt, FinishedAt: c.FinishedAt, Found: c.Found, Crawled: c.Crawled,
		AuditedAt: c.AuditedAt}
}

// crawlCreate starts a crawl: {"start_url": "...", "options": {...}} with the
// options of `scouter crawl` (see crawler.Options); absent options take the
// defaults. It answers at once with the crawl and its queued job.
func (s *Server) crawlCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		StartURL string          `json:"start_url"`
		Options  json.RawMessage `json:"options"`
	}
	if !decode(w, r, &in) {
		return
	}
	start := in.StartURL
	opts, err := crawler.ParseOptions(in.Options)
	if err == nil && start == "" && len(opts.URLs) > 0 {
		start = opts.URLs[0]
	}
	if err == nil {
		start, err = crawler.ValidateStartURL(start)
	}
	if err != nil {
		var fe *crawler.FieldError
		if errors.As(err, &fe) {
			field := fe.Field
			if field != "start_url" && field != "options" {
				field = "options." + field
			}
			writeError(w, http.StatusBadRequest, fe.Message, field)
			return
		}
		writeError(w, http.StatusBadRequest, err.Error(), "options")
		return
	}
	raw, _ := json.Marshal(opts)
	c, j, err := s.db.CrawlCreate(r.Context(), store.CrawlCreateParams{StartURL: start, Options: raw, Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		s.fail(w, err, "crawl")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"crawl_id": c.ID, "job_id": j.ID, "crawl": crawlJSON(c), "job": jobJSON(j)})
}

func (s *Server) crawlList(w http.ResponseWriter, r *http.Request) {
	limit, ok := intParam(w, r, "limit", 50, 1, 1000)
	if !ok {
		return
	}
	before, ok := intParam(w, r, "before", 0, 0, maxCursor)
	if !ok {
		return
	}
	crawls, err := s.db.CrawlList(r.Context(), before, int(limit))
	if err != nil {
		s.fail(w, err, "crawls")
		return
	}
	writeCrawls(w, crawls)
}

func writeCrawls(w http.ResponseWriter, crawls []store.Crawl) {
	out := make([]CrawlJSON, len(crawls))
	for i, c := range crawls {
		out[i] = crawlJSON(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"crawls": out})
}

func (s *Server) crawlGet(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	c, err := s.db.CrawlGet(r.Context(), id)
	if err != nil {
		s.fail(w, err, "crawl")
		return
	}
	writeJSON(w, http.StatusOK, crawlJSON(c))
}

// fail maps store errors to statuses and logs unexpected ones once.
func (s *Server) fail(w http.ResponseWriter, err error, what string) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, what+" not found", "")
	case errors.Is(err, store.ErrInvalidState):
		writeError(w, http.StatusConflict, err.Error(), "")
	default:
		s.log.Error("API request failed", "what", what, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the database is unavailable; try again", "")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError writes {"error": msg, "field": field}.
func writeError(w http.ResponseWriter, status int, msg, field string) {
	body := map[string]string{"error": msg}
	if field != "" {
		body["field"] = field
	}
	writeJSON(w, status, body)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error(), "")
		return false
	}
	return true
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "id must be a positive integer", "id")
		return 0, false
	}
	return id, true
}

// maxCursor bounds cursor parameters (seq and id values).
const maxCursor = int64(1) << 62

func intParam(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int64) (int64, bool) {
	return intValue(w, name, r.URL.Query().Get(name), def, lo, hi)
}

// intValue parses a parameter from the query or a header; "" means def.
func intValue(w http.ResponseWriter, name, v string, def, lo, hi int64) (int64, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		writeError(w, http.StatusBadRequest, name+" must be an integer from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10), name)
		return 0, false
	}
	return n, true
}

// crawlsRunning lists the crawls that are queued, running or stopping, for
// the global "crawls in progress" indicator.
func (s *Server) crawlsRunning(w http.ResponseWriter, r *http.Request) {
	crawls, err := s.db.CrawlListActive(r.Context())
	if err != nil {
		s.fail(w, err, "crawls")
		return
	}
	writeCrawls(w, crawls)
}

// crawlDelete deletes a crawl and everything it holds. An active job is
// asked to stop first and awaited (up to StopWait): deleting under a
// running crawler would leave it writing into rows that no longer exist.
func (s *Server) crawlDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	deadline := time.Now().Add(s.StopWait)
	for {
		err := s.db.CrawlDelete(ctx, id)
		if err == nil {
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if !errors.Is(err, store.ErrInvalidState) {
			s.fail(w, err, "crawl")
			return
		}
		// The crawl has an active job (at most one; a resume may have
		// enqueued another meanwhile, hence the loop).
		active, err := s.db.JobList(ctx, store.JobListParams{CrawlID: &id,
			Statuses: []store.JobStatus{store.JobPending, store.JobQueued, store.JobRunning, store.JobStopping}, Limit: 10})
		if err != nil {
			s.fail(w, err, "crawl")
			return
		}
		stopped := true
		for _, j := range active {
			ok, err := s.stopAndWait(ctx, j.ID, deadline)
			if err != nil {
				s.fail(w, err, "crawl")
				return
			}
			stopped = stopped && ok
		}
		if !stopped || len(active) == 0 && !time.Now().Before(deadline) {
			writeError(w, http.StatusConflict, "the crawl is still stopping; try again", "")
			return
		}
		if len(active) == 0 {
			// The job ended between the delete and the list: try again
			// without spinning.
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// stopAndWait asks a job to stop and waits, woken by its notifications, until
// it is final (true) or the deadline passes (false). A job that no longer
// exists counts as stopped.
func (s *Server) stopAndWait(ctx context.Context, jobID int64, deadline time.Time) (bool, error) {
	sub := s.db.Subscribe(store.TopicJob(jobID))
	defer sub.Close()
	j, err := s.db.JobStopRequest(ctx, jobID)
	for {
		if errors.Is(err, store.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if j.Status.Terminal() {
			return true, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false, nil
		}
		t := time.NewTimer(min(left, joblog.PollEvery))
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-sub.C:
		case <-t.C:
		}
		t.Stop()
		j, err = s.db.JobGet(ctx, jobID)
	}
}
