package web

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/testdb"
)

// BenchmarkLogToBrowser measures, on each backend, the latency from a log
// line committed by the job process (a separate database handle with
// notifications, as `scouter job-run` has) to its row in the crawl panel's
// terminal in headless Chromium: with the event stream, and with the
// polling fallback the panel takes when GET /api/v1/jobs/{id}/events
// answers 404. 100 lines, one per transaction, 50 ms apart; the arrival is
// the Date.now() of a MutationObserver on the terminal, the commit the
// time.Now() after JobLogsInsert returns (one machine, one clock).
//
// Run: go test -run '^$' -bench BenchmarkLogToBrowser -benchtime 1x ./internal/web/
func BenchmarkLogToBrowser(b *testing.B) {
	for _, backend := range testdb.Backends {
		b.Run(backend, func(b *testing.B) {
			br := newBrowser(b)
			var sse, poll []float64
			for range b.N {
				sse = append(sse, logToBrowser(b, br, backend, false)...)
				poll = append(poll, logToBrowser(b, br, backend, true)...)
			}
			b.StopTimer()
			for _, m := range []struct {
				name string
				ms   []float64
			}{{"sse", sse}, {"poll", poll}} {
				name, ms := m.name, m.ms
				slices.Sort(ms)
				b.ReportMetric(ms[len(ms)/2], name+"-p50-ms")
				b.ReportMetric(ms[len(ms)*95/100], name+"-p95-ms")
				b.Logf("%s %s: %d lines, min %.0f ms, p50 %.0f ms, p95 %.0f ms, max %.0f ms",
					backend, name, len(ms), ms[0], ms[len(ms)/2], ms[len(ms)*95/100], ms[len(ms)-1])
			}
		})
	}
}

// benchObserverJS records, for each log row added to the terminal, the
// time it arrived, keyed by its message.
const benchObserverJS = `(() => {
	window.__arrived = {};
	const term = document.getElementById("terminal");
	new MutationObserver(records => {
		const now = Date.now();
		for (const r of records) {
			for (const n of r.addedNodes) {
				if (n.nodeType !== 1 || !n.hasAttribute("data-seq")) continue;
				const msg = n.querySelector(".msg");
				if (msg && !(msg.textContent in window.__arrived)) window.__arrived[msg.textContent] = now;
			}
		}
	}).observe(term, {childList: true});
	return true;
})()`

// logToBrowser follows a fresh job in the panel, writes the lines and
// returns each one's latency in milliseconds.
func logToBrowser(b *testing.B, br *browser, backend string, noSSE bool) []float64 {
	b.Helper()
	const lines = 100
	e := newEnv(b, envOptions{backend: backend, noSSE: noSSE})
	wantTransport := "live"
	if noSSE {
		wantTransport = "polling"
	} else if !e.sse {
		b.Fatal("the API has no event stream (GET /api/v1/jobs/{id}/events)")
	}
	ctx := b.Context()

	// A crawl whose job is claimed here, with a long lease, so no worker
	// runs it: the benchmark is its job process.
	crawl, job, err := e.db.CrawlCreate(ctx, store.CrawlCreateParams{StartURL: "https://example.com/",
		Options: json.RawMessage(`{}`), Job: store.JobEnqueueParams{Kind: "crawl"}})
	if err != nil {
		b.Fatal(err)
	}
	claimed, err := e.db.JobClaim(ctx, store.JobClaimParams{WorkerID: "bench", WorkerHost: "bench", Limit: 1,
		LeaseMs: 600_000, JobID: job.ID})
	if err != nil || len(claimed) != 1 {
		b.Fatalf("claim: %v %d", err, len(claimed))
	}
	lease := store.Lease{JobID: job.ID, Attempt: claimed[0].Attempt}
	writer := testdb.OpenDSN(b, e.dsn, true) // the job process

	br.do(chromedp.Navigate(fmt.Sprintf("%s/crawls/%d", e.srv.URL, crawl.ID)))
	br.waitJS(10*time.Second, "the panel to follow the job", transportJS+` === "`+wantTransport+`"`)
	eval[bool](br, benchObserverJS)

	committed := make([]time.Time, lines)
	for i := range lines {
		msg := "bench line " + strconv.Itoa(i+1)
		if err := writer.JobLogsInsert(ctx, lease, []store.LogLine{{Level: store.LogInfo, Message: msg}}); err != nil {
			b.Fatal(err)
		}
		committed[i] = time.Now()
		time.Sleep(50 * time.Millisecond)
	}
	br.waitJS(10*time.Second, "every line in the terminal", `Object.keys(window.__arrived).length >= `+strconv.Itoa(lines))
	arrived := eval[map[string]float64](br, `window.__arrived`)

	// End the job, so the panel stops following before the server closes.
	if err := writer.JobFinish(ctx, store.JobFinishParams{Lease: lease, Status: store.JobCompleted}); err != nil {
		b.Fatal(err)
	}
	br.waitJS(10*time.Second, "the end of the job", transportJS+` === "ended"`)
	br.do(chromedp.Navigate("about:blank"))

	ms := make([]float64, 0, lines)
	for i, at := range committed {
		msg := "bench line " + strconv.Itoa(i+1)
		a, ok := arrived[msg]
		if !ok {
			b.Fatalf("%q never reached the terminal", msg)
		}
		ms = append(ms, max(0, a-float64(at.UnixMicro())/1000))
	}
	return ms
}
