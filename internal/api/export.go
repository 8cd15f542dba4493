package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/scouter-seo/scouter/internal/export"
)

// The store is the only Store; it also serves exports.

// exports are the tables a crawl exports.
var exports = map[string]func(context.Context, export.Store, int64, export.Format, io.Writer) (int64, error){
	"pages":    export.Pages,
	"links":    export.Links,
	"findings": export.Findings,
}

// crawlExport streams a crawl's pages or links as a download:
// GET /api/v1/crawls/{id}/export/{what}.{csv|jsonl}, or
// /export/{what}?format=csv|jsonl. Errors before the first byte are JSON;
// after it the status is sent, so they are logged and the body cut short.
func (s *Server) crawlExport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	what, ext, dotted := strings.Cut(r.PathValue("file"), ".")
	if !dotted {
		ext = r.URL.Query().Get("format")
		if ext == "" {
			ext = string(export.CSV)
		}
	}
	run, ok := exports[what]
	if !ok {
		writeError(w, http.StatusBadRequest, "unknown export "+strconv.Quote(what)+": use pages, links or findings", "what")
		return
	}
	format, err := export.ParseFormat(ext)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), "format")
		return
	}
	if _, err := s.db.CrawlGet(r.Context(), id); err != nil {
		s.fail(w, err, "crawl")
		return
	}
	h := w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", `attachment; filename="crawl-`+strconv.FormatInt(id, 10)+"-"+what+"."+string(format)+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	out := &sentWriter{w: w}
	rows, err := run(r.Context(), s.db, id, format, out)
	switch {
	case err == nil:
		if out.n == 0 {
			w.WriteHeader(http.StatusOK) // an empty JSON Lines export
		}
	case out.n == 0:
		h.Del("Content-Disposition")
		h.Del("X-Content-Type-Options")
		s.fail(w, err, "export")
	case errors.Is(err, context.Canceled):
		s.log.Debug("export cancelled", "crawl", id, "what", what, "rows", rows)
	default:
		s.log.Warn("export failed mid-stream", "crawl", id, "what", what, "format", format, "rows", rows, "err", err)
	}
}

// sentWriter counts the bytes sent.
type sentWriter struct {
	w io.Writer
	n int64
}

func (s *sentWriter) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.n += int64(n)
	return n, err
}
