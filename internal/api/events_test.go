package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/api"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// frame is one Server-Sent Event as a client parses it.
type frame struct {
	event, id, data, retry string
	comments               []string
}

type sseStream struct {
	t      testing.TB
	resp   *http.Response
	br     *bufio.Reader
	cancel context.CancelFunc
}

// events opens an event stream, which must start with 200 and the stream
// headers. lastID, when not empty, is sent as Last-Event-ID.
func (e *env) events(path, lastID string) *sseStream {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.t.Context(), 60*time.Second)
	req, err := http.NewRequestWithContext(ctx, "GET", e.srv.URL+path, nil)
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		cancel()
		e.t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		e.t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, b)
	}
	for k, want := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"} {
		if got := resp.Header.Get(k); got != want {
			e.t.Errorf("GET %s: %s %q, want %q", path, k, got, want)
		}
	}
	return &sseStream{t: e.t, resp: resp, br: bufio.NewReader(resp.Body), cancel: cancel}
}

func (s *sseStream) close() {
	s.cancel()
	s.resp.Body.Close()
}

// next returns the next frame, or io.EOF when the server ended the stream.
func (s *sseStream) next() (frame, error) {
	var f frame
	started := false
	for {
		line, err := s.br.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" && !started {
				return f, io.EOF
			}
			return f, fmt.Errorf("stream cut inside a frame (%q): %w", line, err)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if started {
				return f, nil
			}
			continue
		}
		started = true
		if strings.HasPrefix(line, ":") {
			f.comments = append(f.comments, line)
			continue
		}
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimPrefix(v, " ")
		switch k {
		case "event":
			f.event = v
		case "id":
			f.id = v
		case "retry":
			f.retry = v
		case "data":
			if f.data != "" {
				return f, fmt.Errorf("a frame with several data lines: %q", line)
			}
			f.data = v
		default:
			return f, fmt.Errorf("unknown SSE field in %q", line)
		}
	}
}

func (s *sseStream) mustNext() frame {
	s.t.Helper()
	f, err := s.next()
	if err != nil {
		s.t.Fatalf("read event: %v", err)
	}
	return f
}

// start reads the opening frames: retry, then the job.
func (s *sseStream) start() api.JobJSON {
	s.t.Helper()
	if f := s.mustNext(); f.retry != "2000" || f.event != "" || f.data != "" {
		s.t.Fatalf("first frame %+v, want retry: 2000 alone", f)
	}
	f := s.mustNext()
	if f.event != "job" || f.id != "" {
		s.t.Fatalf("second frame %+v, want a job event without id", f)
	}
	return decodeStrict[api.JobJSON](s.t, f.data)
}

func decodeStrict[T any](t testing.TB, data string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

// logFrame checks a log event and returns its line.
func logFrame(t testing.TB, f frame) api.LogEventJSON {
	t.Helper()
	if f.event != "log" {
		t.Fatalf("frame %+v, want a log event", f)
	}
	l := decodeStrict[api.LogEventJSON](t, f.data)
	if f.id != strconv.FormatInt(l.Seq, 10) {
		t.Fatalf("log event id %q for seq %d", f.id, l.Seq)
	}
	return l
}

// hostileLine is line i as the writers below log it: crawled text with
// markup and a newline.
func hostileLine(i int64) string {
	return fmt.Sprintf("line %d <script>alert(%d)</script>\nsecond part & more", i, i)
}

// writeLines logs lines 1..total through another handle (the job process),
// in small batches with pauses, reports progress halfway, then finishes
// the job. It returns the error it met, if any, on the channel.
func writeLines(e *env, l store.Lease, total int64, pause time.Duration) <-chan error {
	w := testdb.OpenDSN(e.t, e.dsn, false)
	done := make(chan error, 1)
	go func() {
		ctx := context.Background()
		for seq := int64(1); seq <= total; {
			n := min(1+seq%4, total-seq+1)
			var lines []store.LogLine
			for i := range n {
				lines = append(lines, store.LogLine{Level: store.LogInfo, Message: hostileLine(seq + i)})
			}
			if err := w.JobLogsInsert(ctx, l, lines); err != nil {
				done <- err
				return
			}
			if seq <= total/2 && seq+n > total/2 {
				if err := w.JobProgress(ctx, l, store.Progress{Done: total / 2, Total: total}); err != nil {
					done <- err
					return
				}
			}
			seq += n
			time.Sleep(pause)
		}
		done <- w.JobFinish(ctx, store.JobFinishParams{Lease: l, Status: store.JobCompleted})
	}()
	return done
}

func TestJobEventsStream(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})
		l := e.claim(j.ID)
		s := e.events(jobsPath(j.ID, "/events"), "")
		defer s.close()
		if first := s.start(); first.ID != j.ID || first.Status != store.JobRunning || first.Attempt != l.Attempt {
			e.t.Fatalf("first job event: %+v", first)
		}

		const total = 300
		written := writeLines(e, l, total, time.Millisecond)
		var last int64
		sawProgress := false
		for {
			f := s.mustNext()
			switch f.event {
			case "log":
				line := logFrame(e.t, f)
				if line.Seq != last+1 {
					e.t.Fatalf("log seq %d after %d", line.Seq, last)
				}
				if line.Message != hostileLine(line.Seq) || line.Attempt != l.Attempt || line.Level != store.LogInfo || line.CreatedAt.IsZero() {
					e.t.Fatalf("log line %+v", line)
				}
				if strings.Contains(f.data, "<script") {
					e.t.Fatalf("raw markup in an event: %s", f.data)
				}
				last = line.Seq
			case "job":
				got := decodeStrict[api.JobJSON](e.t, f.data)
				if got.Progress.Done == total/2 && got.Progress.Total == total {
					sawProgress = true
				}
			case "end":
				got := decodeStrict[api.JobJSON](e.t, f.data)
				if got.Status != store.JobCompleted || got.LogSeq != total || f.id != "" {
					e.t.Fatalf("end event: %+v", got)
				}
				if last != total {
					e.t.Fatalf("end after line %d of %d", last, total)
				}
				if err := <-written; err != nil {
					e.t.Fatalf("writer: %v", err)
				}
				if !sawProgress {
					e.t.Error("no job event showed the progress")
				}
				if f, err := s.next(); err != io.EOF {
					e.t.Fatalf("after end: %+v, %v; want the stream closed", f, err)
				}
				return
			default:
				if len(f.comments) == 0 {
					e.t.Fatalf("unexpected frame %+v", f)
				}
			}
		}
	})
}

func TestJobEventsReconnect(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})
		l := e.claim(j.ID)
		const total = 400
		written := writeLines(e, l, total, 2*time.Millisecond)
		var last int64
		reconnectsWhileWriting := 0
		for round := 0; ; round++ {
			if round > 200 {
				e.t.Fatal("too many reconnections")
			}
			lastID := ""
			if round > 0 {
				lastID = strconv.FormatInt(last, 10)
			}
			// EventSource repeats the URL's after=0 on every reconnection:
			// Last-Event-ID must win.
			s := e.events(jobsPath(j.ID, "/events?after=0"), lastID)
			s.start()
			ended := false
			for n := 0; n < 15+round%7; {
				f := s.mustNext()
				if f.event == "end" {
					ended = true
					break
				}
				if f.event != "log" {
					continue
				}
				line := logFrame(e.t, f)
				if line.Seq != last+1 {
					e.t.Fatalf("round %d (after %s): seq %d after %d", round, lastID, line.Seq, last)
				}
				last = line.Seq
				n++
			}
			s.close()
			if ended {
				if last != total {
					e.t.Fatalf("end after line %d of %d", last, total)
				}
				break
			}
			if last < total {
				reconnectsWhileWriting++
			}
		}
		if err := <-written; err != nil {
			e.t.Fatalf("writer: %v", err)
		}
		if reconnectsWhileWriting < 3 {
			e.t.Errorf("only %d reconnections while lines were written", reconnectsWhileWriting)
		}
	})
}

func TestJobEventsCursor(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})
		l := e.claim(j.ID)
		for i := int64(1); i <= 10; i++ {
			e.logs(l, hostileLine(i))
		}
		e.finish(l, store.JobFailed)

		read := func(path, lastID string) []int64 {
			e.t.Helper()
			s := e.events(path, lastID)
			defer s.close()
			if got := s.start(); got.Status != store.JobFailed {
				e.t.Fatalf("%s: job event %+v", path, got)
			}
			seqs := []int64{}
			for {
				f := s.mustNext()
				if f.event == "end" {
					if got := decodeStrict[api.JobJSON](e.t, f.data); got.Status != store.JobFailed || got.ID != j.ID {
						e.t.Errorf("end %+v", got)
					}
					break
				}
				seqs = append(seqs, logFrame(e.t, f).Seq)
			}
			if _, err := s.next(); err != io.EOF {
				e.t.Errorf("%s: stream not closed after end: %v", path, err)
			}
			return seqs
		}
		for _, tc := range []struct {
			path, lastID string
			want         []int64
		}{
			{"/events", "", []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
			{"/events?after=7", "", []int64{8, 9, 10}},
			{"/events?after=10", "", []int64{}},
			{"/events?after=99", "", []int64{}},
			{"/events?after=7", "5", []int64{6, 7, 8, 9, 10}},
			{"/events", "9", []int64{10}},
			{"/events", "0", []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		} {
			if got := read(jobsPath(j.ID, tc.path), tc.lastID); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				e.t.Errorf("%s with Last-Event-ID %q: seqs %v, want %v", tc.path, tc.lastID, got, tc.want)
			}
		}
	})
}

func TestJobEventsInvalid(t *testing.T) {
	eachBackend(t, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})
		for _, v := range []string{"-1", "abc", "1.5", "4611686018427387905", "99999999999999999999"} {
			e.wantError("GET", jobsPath(j.ID, "/events?after="+url.QueryEscape(v)), "", http.StatusBadRequest, "after", "after must be an integer from 0 to 4611686018427387904")
		}
		for _, v := range []string{"-1", "abc", "3 4", "1e3", "4611686018427387905"} {
			req, _ := http.NewRequestWithContext(e.t.Context(), "GET", e.srv.URL+jobsPath(j.ID, "/events?after=2"), nil)
			req.Header.Set("Last-Event-ID", v)
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				e.t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := map[string]string{}
			json.Unmarshal(b, &got)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/json" || got["field"] != "Last-Event-ID" ||
				got["error"] != "Last-Event-ID must be an integer from 0 to 4611686018427387904" {
				e.t.Errorf("Last-Event-ID %q: status %d, body %s", v, resp.StatusCode, b)
			}
		}
		e.wantError("GET", jobsPath(j.ID+1, "/events"), "", http.StatusNotFound, "", "job not found")
		for _, id := range badIDs {
			e.wantError("GET", "/api/v1/jobs/"+id+"/events", "", http.StatusBadRequest, "id", "id must be a positive integer")
		}
	})
}

func TestJobEventsPing(t *testing.T) {
	eachBackendWith(t, func(a *api.Server) { a.PingEvery = 50 * time.Millisecond }, func(e *env) {
		j := e.enqueue(store.JobEnqueueParams{})
		l := e.claim(j.ID)
		s := e.events(jobsPath(j.ID, "/events"), "")
		defer s.close()
		s.start()
		start := time.Now()
		for range 3 {
			f := s.mustNext()
			if len(f.comments) != 1 || f.comments[0] != ": ping" || f.event != "" || f.data != "" {
				e.t.Fatalf("idle stream sent %+v, want a ping", f)
			}
		}
		if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
			e.t.Errorf("3 pings took %v at a 50 ms interval", d)
		}
		e.logs(l, "awake")
		for {
			f := s.mustNext()
			if f.event == "log" {
				if line := logFrame(e.t, f); line.Message != "awake" || line.Seq != 1 {
					e.t.Fatalf("line %+v", line)
				}
				break
			}
			if len(f.comments) == 0 {
				e.t.Fatalf("unexpected frame %+v", f)
			}
		}
		if f := s.mustNext(); len(f.comments) != 1 || f.comments[0] != ": ping" {
			e.t.Fatalf("after the line, idle again: %+v", f)
		}
	})
}

// followersHeap opens n event streams at path, reads their
// opening frames and returns the heap growth in bytes (after GC) with the
// streams open, and the streams.
func followersHeap(e *env, path string, n int) (int64, []*sseStream) {
	heap := func() int64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	// One stream first, so that pools and caches filled once do not count.
	warm := e.events(path, "")
	warm.start()
	warm.close()
	before := heap()
	streams := make([]*sseStream, n)
	for i := range streams {
		streams[i] = e.events(path, "")
		streams[i].start()
	}
	return heap() - before, streams
}

// TestJobEventsMemory is not parallel: it measures the process heap.
func TestJobEventsMemory(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			e := newEnv(t, backend, nil)
			j := e.enqueue(store.JobEnqueueParams{})
			l := e.claim(j.ID)
			goroutines := runtime.NumGoroutine()
			growth, streams := followersHeap(e, jobsPath(j.ID, "/events"), 100)
			closed := false
			defer func() {
				if !closed {
					for _, s := range streams {
						s.close()
					}
				}
			}()
			t.Logf("%s: heap growth with 100 idle followers: %.2f MB", backend, float64(growth)/(1<<20))
			if growth > 8<<20 {
				t.Errorf("100 idle followers grew the heap by %.1f MB", float64(growth)/(1<<20))
			}
			e.logs(l, "to everyone")
			for i, s := range streams {
				for {
					f := s.mustNext()
					if f.event == "log" {
						if line := logFrame(t, f); line.Seq != 1 || line.Message != "to everyone" {
							t.Fatalf("follower %d: %+v", i, line)
						}
						break
					}
					if f.event != "job" && len(f.comments) == 0 {
						t.Fatalf("follower %d: unexpected %+v", i, f)
					}
				}
			}

			// Clients that leave end their handlers: no goroutine stays
			// behind (200 per stream pair of client and server while open).
			for _, s := range streams {
				s.close()
			}
			closed = true
			deadline := time.Now().Add(5 * time.Second)
			for runtime.NumGoroutine() > goroutines+10 {
				if time.Now().After(deadline) {
					buf := make([]byte, 1<<20)
					t.Fatalf("%d goroutines 5 s after the clients left, %d before they came:\n%s",
						runtime.NumGoroutine(), goroutines, buf[:runtime.Stack(buf, true)])
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
