package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// BenchmarkJobLogDelivery compares the event stream with polling, on each
// backend, as the live panel would use them:
//   - latency from a log line committed by the job process (a separate
//     database handle) to its arrival at an SSE client and at a client
//     polling /logs?after=cursor every 500 ms, 200 lines 20 ms apart;
//   - bytes of an idle poll after the cursor vs re-reading a whole hour of
//     log (36,000 lines at 10 lines/s), as the specification's poll does;
//   - heap growth of the process (server and clients) with 100 SSE
//     followers, idle, and stalled on a backlog they do not read.
//
// Run: go test -run '^$' -bench . -benchtime 1x ./internal/api/
func BenchmarkJobLogDelivery(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			for range b.N {
				benchDelivery(b, backend)
			}
		})
	}
}

func benchDelivery(b *testing.B, backend string) {
	e := newEnv(b, backend, nil)
	ctx := b.Context()
	writer := testdb.OpenDSN(b, e.dsn, false) // the job process
	j := e.enqueue(store.JobEnqueueParams{})
	l := e.claim(j.ID)

	const lines = 200
	committed := make([]time.Time, lines+1)
	var sseAt, pollAt [lines + 1]time.Time
	var wg sync.WaitGroup

	s := e.events(jobsPath(j.ID, "/events"), "")
	s.start()
	wg.Go(func() {
		for {
			f, err := s.next()
			if err != nil {
				return
			}
			if f.event == "log" {
				if seq := logFrame(b, f).Seq; seq <= lines {
					sseAt[seq] = time.Now()
				}
			}
			if f.event == "end" {
				return
			}
		}
	})
	pollCtx, stopPoll := context.WithCancel(ctx)
	wg.Go(func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		cursor := int64(0)
		for {
			var r logsResp
			if _, err := getJSON(pollCtx, e, jobsPath(j.ID, fmt.Sprintf("/logs?after=%d", cursor)), &r); err != nil {
				return
			}
			now := time.Now()
			for _, line := range r.Lines {
				if line.Seq <= lines {
					pollAt[line.Seq] = now
				}
			}
			cursor = r.NextCursor
			if cursor >= lines {
				return
			}
			select {
			case <-pollCtx.Done():
				return
			case <-t.C:
			}
		}
	})
	b.ResetTimer()
	for i := 1; i <= lines; i++ {
		msg := fmt.Sprintf("Crawled https://example.com/page/%d 200 text/html 12.3 KB in 45 ms", i)
		if err := writer.JobLogsInsert(ctx, l, []store.LogLine{{Level: store.LogInfo, Message: msg}}); err != nil {
			b.Fatal(err)
		}
		committed[i] = time.Now()
		time.Sleep(20 * time.Millisecond)
	}
	if err := writer.JobFinish(ctx, store.JobFinishParams{Lease: l, Status: store.JobCompleted}); err != nil {
		b.Fatal(err)
	}
	waitDone := make(chan struct{})
	go func() { wg.Wait(); close(waitDone) }()
	select {
	case <-waitDone:
	case <-time.After(10 * time.Second):
		stopPoll()
		s.close()
		b.Fatal("readers did not get every line within 10 s")
	}
	b.StopTimer()
	stopPoll()
	s.close()
	for name, at := range map[string][]time.Time{"sse": sseAt[:], "poll": pollAt[:]} {
		var ms []float64
		for i := 1; i <= lines; i++ {
			if at[i].IsZero() {
				b.Fatalf("%s: line %d never arrived", name, i)
			}
			ms = append(ms, max(0, float64(at[i].Sub(committed[i]))/float64(time.Millisecond)))
		}
		slices.Sort(ms)
		b.ReportMetric(ms[len(ms)/2], name+"-p50-ms")
		b.ReportMetric(ms[len(ms)*95/100], name+"-p95-ms")
	}

	// An hour of log on another job, then the two ways to poll it.
	j2 := e.enqueue(store.JobEnqueueParams{})
	l2 := e.claim(j2.ID)
	const hour = 36000
	batch := make([]store.LogLine, 0, 500)
	for i := 1; i <= hour; i++ {
		batch = append(batch, store.LogLine{Level: store.LogInfo,
			Message: fmt.Sprintf("Crawled https://example.com/page/%d 200 text/html 12.3 KB in 45 ms", i)})
		if len(batch) == cap(batch) {
			if err := writer.JobLogsInsert(ctx, l2, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	idle, err := getJSON(ctx, e, jobsPath(j2.ID, fmt.Sprintf("/logs?after=%d", hour)), nil)
	if err != nil {
		b.Fatal(err)
	}
	// The whole log takes pages of the maximum limit (5000).
	whole := 0
	for after := int64(0); after < hour; {
		var r logsResp
		n, err := getJSON(ctx, e, jobsPath(j2.ID, fmt.Sprintf("/logs?after=%d&limit=5000", after)), &r)
		if err != nil {
			b.Fatal(err)
		}
		whole += n
		after = r.NextCursor
	}
	b.ReportMetric(float64(idle), "idle-poll-bytes")
	b.ReportMetric(float64(whole), "whole-log-bytes")

	// Idle followers (caught up) of the running job.
	growth, streams := followersHeap(e, jobsPath(j2.ID, fmt.Sprintf("/events?after=%d", hour)), 100)
	for _, s := range streams {
		s.close()
	}
	b.ReportMetric(float64(growth)/(1<<20), "idle-followers-heap-MB")
	// Followers that start at 0 and read nothing: each is stuck on a full
	// socket with one batch of lines in hand, the worst case of slow
	// clients.
	growth, streams = followersHeap(e, jobsPath(j2.ID, "/events"), 100)
	for _, s := range streams {
		s.close()
	}
	b.ReportMetric(float64(growth)/(1<<20), "stalled-followers-heap-MB")
}

// getJSON GETs path and decodes the body into out (when not nil); it
// returns the body's size.
func getJSON(ctx context.Context, e *env, path string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", e.srv.URL+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return 0, err
		}
	}
	return len(body), nil
}
