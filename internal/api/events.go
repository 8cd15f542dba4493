package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/scouter-seo/scouter/internal/joblog"
	"github.com/scouter-seo/scouter/internal/store"
)

// LogEventJSON is the data of a `log` event: one line of the job's log.
type LogEventJSON struct {
	Seq       int64          `json:"seq"`
	Attempt   int            `json:"attempt"`
	Level     store.LogLevel `json:"level"`
	Message   string         `json:"message"`
	CreatedAt time.Time      `json:"created_at"`
}

// jobEvents streams a job as Server-Sent Events: the job (again whenever it
// changes), each log line once with its seq as the event id, then `end`
// once the job is final and every line was sent. A client that reconnects
// sends Last-Event-ID, the last seq it saw, and resumes without gaps or
// duplicates: the job event carries no id, so it never moves that cursor.
func (s *Server) jobEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var after int64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		// The reconnect cursor wins over the URL's, which EventSource
		// repeats unchanged on every reconnection.
		if after, ok = intValue(w, "Last-Event-ID", v, 0, 0, maxCursor); !ok {
			return
		}
	} else if after, ok = intParam(w, r, "after", 0, 0, maxCursor); !ok {
		return
	}
	// Unknown jobs get a JSON 404, not an empty stream: EventSource then
	// stops instead of reconnecting forever.
	if _, err := s.db.JobGet(r.Context(), id); err != nil {
		s.fail(w, err, "job")
		return
	}

	rc := http.NewResponseController(w)
	// A stream lasts as long as the job; a server-wide write timeout added
	// later must not cut it. Not every ResponseWriter supports deadlines.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx would otherwise hold the frames
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}

	ev := &eventWriter{w: w, rc: rc}
	ev.raw("retry: 2000\n\n")
	if err := ev.flush(); err != nil {
		return
	}
	job, err := joblog.FollowWith(r.Context(), s.db, id, joblog.Options{
		After: after,
		// Small batches bound what a follower stuck on a slow client holds
		// (lines are up to 4 KiB each).
		Batch: 100,
		Job: func(j store.Job) error {
			ev.event("job", "", jobJSON(j))
			return ev.flush()
		},
		Lines: func(lines []store.LogLine) error {
			// One flush per batch: a reader catching up on a long log gets
			// it in a few large writes instead of one syscall per line.
			for _, l := range lines {
				ev.event("log", strconv.FormatInt(l.Seq, 10),
					LogEventJSON{Seq: l.Seq, Attempt: l.Attempt, Level: l.Level, Message: l.Message, CreatedAt: l.CreatedAt})
			}
			return ev.flush()
		},
		Idle:      func() error { ev.raw(": ping\n\n"); return ev.flush() },
		IdleEvery: s.PingEvery,
	})
	if err != nil {
		// The client left, or the job went away (its crawl was deleted), or
		// the database failed: the client reconnects after `retry` with its
		// Last-Event-ID and gets a 404 or the rest of the log.
		if !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrNotFound) && ev.err == nil {
			s.log.Warn("job event stream ended early", "job", id, "err", err)
		}
		return
	}
	ev.event("end", "", jobJSON(job))
	ev.flush()
}

// eventWriter writes SSE frames and keeps the first write error, so the
// follower stops at the next flush once the client is gone.
type eventWriter struct {
	w   io.Writer
	rc  *http.ResponseController
	err error
}

func (e *eventWriter) raw(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}

// event writes one frame. The data is JSON, which escapes newlines, so it is
// always one data line; it also escapes <, > and & (log lines hold crawled,
// hostile text).
func (e *eventWriter) event(name, id string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return
	}
	frame := make([]byte, 0, len(b)+len(name)+len(id)+24)
	frame = append(frame, "event: "...)
	frame = append(frame, name...)
	frame = append(frame, '\n')
	if id != "" {
		frame = append(frame, "id: "...)
		frame = append(frame, id...)
		frame = append(frame, '\n')
	}
	frame = append(frame, "data: "...)
	frame = append(frame, b...)
	frame = append(frame, "\n\n"...)
	if e.err == nil {
		_, e.err = e.w.Write(frame)
	}
}

func (e *eventWriter) flush() error {
	if e.err == nil {
		e.err = e.rc.Flush()
	}
	return e.err
}
