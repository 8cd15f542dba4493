package testdb

import (
	"context"
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
)

// Logs reads a job's whole log, following the cursor as readers do.
func Logs(t testing.TB, db *store.DB, jobID int64) []store.LogLine {
	t.Helper()
	var out []store.LogLine
	for after := int64(0); ; {
		lines, err := db.JobLogs(context.Background(), store.JobLogsParams{JobID: jobID, After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) == 0 {
			return out
		}
		out = append(out, lines...)
		after = lines[len(lines)-1].Seq
	}
}

// Pages reads every page of a crawl in id order.
func Pages(t testing.TB, db *store.DB, crawlID int64) []store.Page {
	t.Helper()
	var out []store.Page
	for after := int64(0); ; {
		ps, err := db.PagesList(context.Background(), crawlID, after, 2000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			return out
		}
		out = append(out, ps...)
		after = ps[len(ps)-1].ID
	}
}

// Links reads every link of a crawl in (source, position) order.
func Links(t testing.TB, db *store.DB, crawlID int64) []store.Link {
	t.Helper()
	var out []store.Link
	src, pos := int64(0), -1
	for {
		ls, err := db.LinksList(context.Background(), crawlID, src, pos, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) == 0 {
			return out
		}
		out = append(out, ls...)
		src, pos = ls[len(ls)-1].SourceID, ls[len(ls)-1].Position
	}
}
