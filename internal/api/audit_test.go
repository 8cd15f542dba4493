package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/api"
	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/store"
)

func TestCrawlAudit(t *testing.T) {
	eachBackend(t, func(e *env) {
		var created struct {
			Crawl   api.CrawlJSON `json:"crawl"`
			CrawlID int64         `json:"crawl_id"`
			JobID   int64         `json:"job_id"`
			Job     api.JobJSON   `json:"job"`
		}
		e.call("POST", "/api/v1/crawls", `{"start_url":"https://a.example/"}`, http.StatusCreated, &created)
		path := crawlPath(created.Crawl.ID) + "/audit"

		// Refused while the crawl runs; bad settings are refused whatever.
		var conflict struct {
			Error string      `json:"error"`
			JobID int64       `json:"job_id"`
			Job   api.JobJSON `json:"job"`
		}
		e.call("POST", path, "", http.StatusConflict, &conflict)
		if conflict.JobID != created.JobID || !strings.Contains(conflict.Error, "active job") {
			e.t.Errorf("audit during the crawl: %+v", conflict)
		}
		e.wantError("POST", path, `{"audit":{"title_min":-1}}`, http.StatusBadRequest, "audit.title_min",
			"title_min: must be between 0 (default) and 1000")
		e.wantError("POST", path, `{"audit":{"disabled":["nope"]}}`, http.StatusBadRequest, "audit.disabled[0]",
			`disabled[0]: unknown check "nope"`)
		e.wantError("POST", crawlPath(999999)+"/audit", "", http.StatusNotFound, "", "crawl not found")

		e.finish(e.claim(created.JobID), store.JobCompleted)
		var queued struct {
			JobID int64       `json:"job_id"`
			Job   api.JobJSON `json:"job"`
		}
		e.call("POST", path, `{"audit":{"title_max":70,"disabled":["thin_content"]}}`, http.StatusAccepted, &queued)
		if queued.Job.Kind != "audit" || queued.Job.Status != store.JobQueued {
			e.t.Errorf("audit job = %+v", queued.Job)
		}
		var c api.CrawlJSON
		e.call("GET", crawlPath(created.Crawl.ID), "", http.StatusOK, &c)
		o, err := crawler.ParseOptions(c.Options)
		if err != nil || o.Audit.TitleMax != 70 || o.Audit.Enabled("thin_content") || c.LastJobID == nil || *c.LastJobID != queued.JobID {
			e.t.Errorf("crawl after re-audit: %+v (options %+v, %v)", c, o.Audit, err)
		}
		// The crawl's other options are kept.
		if o.Concurrency != crawler.DefaultConcurrency || c.StartURL != "https://a.example/" {
			e.t.Errorf("options lost: %s", c.Options)
		}
		e.call("POST", path, "", http.StatusConflict, &conflict)

		var checks struct {
			Checks   []api.CheckJSON `json:"checks"`
			Defaults audit.Config    `json:"defaults"`
		}
		e.call("GET", "/api/v1/checks", "", http.StatusOK, &checks)
		if len(checks.Checks) != len(audit.Catalogue) || checks.Checks[0].ID != audit.Catalogue[0].ID || checks.Defaults.TitleMax != 60 {
			e.t.Errorf("checks: %d, defaults %+v", len(checks.Checks), checks.Defaults)
		}
	})
}
