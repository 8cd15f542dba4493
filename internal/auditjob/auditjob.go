// Package auditjob is the post-processing job (kind "audit") that follows a
// completed crawl: it reads the crawl's pages and links from the store, runs
// internal/audit over them (link score, inlinks, redirect chains, duplicate
// clusters, orphans, every check of the catalogue) and writes the per-page
// results and the findings back in fenced batches. It is idempotent: each
// run replaces the previous run's results, so a failed or re-configured
// audit is simply run again.
package auditjob

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/store"
)

// Kind is the job kind of the audit.
const Kind = store.KindAudit

// Store is what the audit reads and writes.
type Store interface {
	AuditPages(ctx context.Context, crawlID, afterID int64, limit int) ([]store.AuditPage, error)
	AuditLinks(ctx context.Context, crawlID int64, batch int, fn func([]store.AuditLink) error) error
	AuditBegin(ctx context.Context, l store.Lease, crawlID int64) error
	AuditWrite(ctx context.Context, l store.Lease, crawlID int64, pages []store.PageAuditRow, findings []store.Finding) error
	AuditFinish(ctx context.Context, l store.Lease, crawlID int64) error
	AuditBatchSize() int
}

// Logger receives the job's structured log lines.
type Logger interface {
	Info(format string, args ...any)
	Warn(format string, args ...any)
	Error(format string, args ...any)
}

// Config is one audit run.
type Config struct {
	DB       Store
	Lease    store.Lease
	CrawlID  int64
	Audit    audit.Config
	Log      Logger
	Progress func(store.Progress)
}

// Reads are keyset pages of this many rows.
const (
	pageChunk = 10_000
	linkChunk = 10_000
)

// Progress detail of the audit, shown by the panel.
type progressDetail struct {
	Phase string `json:"phase"`
}

// Run audits the crawl. It returns ctx's error if stopped between two
// steps; nothing is half-written that a new run would not replace.
func Run(ctx context.Context, cfg Config) error {
	start := time.Now()
	progress := func(done, total int64, phase string) {
		if cfg.Progress != nil {
			d, _ := json.Marshal(progressDetail{phase})
			cfg.Progress(store.Progress{Done: done, Total: total, Detail: d})
		}
	}
	cfg.Log.Info("Audit started: reading the crawl's pages")
	var pages []store.AuditPage
	for after := int64(0); ; {
		if err := ctx.Err(); err != nil {
			return err
		}
		chunk, err := cfg.DB.AuditPages(ctx, cfg.CrawlID, after, pageChunk)
		if err != nil {
			return fmt.Errorf("read pages: %w", err)
		}
		pages = append(pages, chunk...)
		if len(chunk) < pageChunk {
			break
		}
		after = chunk[len(chunk)-1].ID
	}
	n := int64(len(pages))
	if n == 0 {
		cfg.Log.Warn("the crawl has no pages: nothing to audit")
	}
	// Progress counts pages read, then sources whose links were read, then
	// rows written: three passes over the pages.
	total := 3 * n
	progress(n, total, "pages")
	maxID := int64(0)
	if n > 0 {
		maxID = pages[n-1].ID
	}

	an := audit.NewAnalysis(cfg.Audit, cfg.CrawlID, pages)
	var links int64
	err := cfg.DB.AuditLinks(ctx, cfg.CrawlID, linkChunk, func(chunk []store.AuditLink) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		an.AddLinks(chunk)
		links += int64(len(chunk))
		if maxID > 0 {
			progress(n+n*min(chunk[len(chunk)-1].SourceID, maxID)/maxID, total, "links")
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("read links: %w", err)
	}
	progress(2*n, total, "links")
	cfg.Log.Info("Read %d pages and %d links in %s; analysing", n, links, time.Since(start).Round(time.Millisecond))

	rows, findings := an.Finish()
	summarize(cfg.Log, rows, findings)
	cfg.Log.Info("Writing %d page results and %d findings", len(rows), len(findings))

	if err := ctx.Err(); err != nil {
		return err
	}
	if err := cfg.DB.AuditBegin(ctx, cfg.Lease, cfg.CrawlID); err != nil {
		return fmt.Errorf("begin writing: %w", err)
	}
	batch := cfg.DB.AuditBatchSize()
	written := int64(0)
	for p, f := 0, 0; p < len(rows) || f < len(findings); {
		if err := ctx.Err(); err != nil {
			return err
		}
		pe := min(p+batch, len(rows))
		fe := min(f+batch, len(findings))
		if err := cfg.DB.AuditWrite(ctx, cfg.Lease, cfg.CrawlID, rows[p:pe], findings[f:fe]); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
		written += int64(pe - p)
		p, f = pe, fe
		progress(2*n+written, total, "write")
	}
	if err := cfg.DB.AuditFinish(ctx, cfg.Lease, cfg.CrawlID); err != nil {
		return fmt.Errorf("finish: %w", err)
	}
	progress(total, total, "done")
	cfg.Log.Info("Audit done in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

// summarize logs the audit's outcome: the panel's last lines.
func summarize(log Logger, rows []store.PageAuditRow, findings []store.Finding) {
	bySev := map[audit.Severity]int{}
	byCheck := map[string]int{}
	pages := map[int64]bool{}
	for _, f := range findings {
		c, _ := audit.CheckByID(f.CheckID)
		bySev[c.Severity]++
		byCheck[f.CheckID]++
		pages[f.PageID] = true
	}
	chains, loops := 0, 0
	for _, r := range rows {
		if r.RedirectLoop {
			loops++
		} else if r.RedirectHops >= 2 {
			chains++
		}
	}
	log.Info("Redirect chains: %d, loops: %d", chains, loops)
	log.Info("Findings: %d issues, %d warnings, %d opportunities on %d pages",
		bySev[audit.SevIssue], bySev[audit.SevWarning], bySev[audit.SevOpportunity], len(pages))
	for _, c := range audit.Catalogue {
		if k := byCheck[c.ID]; k > 0 && c.Severity == audit.SevIssue {
			log.Warn("%s: %d", c.Title, k)
		}
	}
}
