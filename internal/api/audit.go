package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/auditjob"
	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/store"
)

type auditStore interface {
	CrawlAudit(ctx context.Context, crawlID int64, kind string, options []byte) (store.Job, bool, error)
}

func (s *Server) registerAudit(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/crawls/{id}/audit", s.crawlAudit)
	mux.HandleFunc("GET /api/v1/checks", s.checkList)
}

// crawlAudit runs the crawl's audit again, optionally with new settings:
// {"audit": {"title_max": 70, "disabled": ["thin_content"]}} replaces the
// crawl's audit options (absent fields take the defaults); an empty body
// keeps them. 202 with the queued job; 409 when the crawl already has an
// active job (its crawl or audit is still running).
func (s *Server) crawlAudit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	var in struct {
		Audit json.RawMessage `json:"audit"`
	}
	if r.ContentLength != 0 && !decode(w, r, &in) {
		return
	}
	c, err := s.db.CrawlGet(r.Context(), id)
	if err != nil {
		s.fail(w, err, "crawl")
		return
	}
	var options []byte
	if len(in.Audit) > 0 && string(in.Audit) != "null" {
		cfg, err := audit.ParseConfig(in.Audit)
		if err != nil {
			field := "audit"
			var fe *audit.FieldError
			if errors.As(err, &fe) {
				field = "audit." + fe.Field
			}
			writeError(w, http.StatusBadRequest, err.Error(), field)
			return
		}
		o, err := crawler.ParseOptions(c.Options)
		if err != nil {
			writeError(w, http.StatusConflict, "the crawl's stored options are invalid: "+err.Error(), "options")
			return
		}
		o.Audit = cfg
		if options, err = json.Marshal(o); err != nil {
			s.fail(w, err, "crawl")
			return
		}
	}
	j, created, err := s.db.CrawlAudit(r.Context(), id, auditjob.Kind, options)
	if err != nil {
		s.fail(w, err, "crawl")
		return
	}
	if !created {
		writeJSON(w, http.StatusConflict, map[string]any{"error": "the crawl already has an active job; audit it when that job ends",
			"job_id": j.ID, "job": jobJSON(j)})
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"job_id": j.ID, "job": jobJSON(j)})
}

// CheckJSON is one check of the catalogue.
type CheckJSON struct {
	ID       string `json:"id"`
	Group    string `json:"group"`
	Severity string `json:"severity"`
	Title    string `json:"title"`
	Why      string `json:"why"`
	Fix      string `json:"fix"`
	Rule     string `json:"rule"`
	Element  string `json:"element"`
}

// checkList is the catalogue with the default thresholds.
func (s *Server) checkList(w http.ResponseWriter, r *http.Request) {
	out := make([]CheckJSON, len(audit.Catalogue))
	for i, c := range audit.Catalogue {
		out[i] = CheckJSON{c.ID, c.Group, string(c.Severity), c.Title, c.Why, c.Fix, c.Rule, c.Element}
	}
	writeJSON(w, http.StatusOK, map[string]any{"checks": out, "defaults": audit.Defaults})
}
