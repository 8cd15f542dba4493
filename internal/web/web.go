// Package web is the Command Center: server-rendered HTML pages (crawl list,
// new-crawl form, live crawl panel) and their static assets, all embedded in
// the binary. The pages read the database for their first render; everything
// live (log lines, progress, stop, resume, the running-crawls indicator) goes
// through the JSON API (/api/v1) from two framework-free scripts.
//
// Wiring (internal/cli/serve.go):
//
//	mux := http.NewServeMux()
//	api.New(db, log, jobKinds).Register(mux)
//	web.New(db, log).Register(mux)
//	srv := &http.Server{Handler: web.Protect(mux), ...}
//
// Protect refuses cross-origin state-changing requests (CSRF) for the whole
// mux, API included, with net/http's CrossOriginProtection.
//
// Security: every HTML response carries a strict Content-Security-Policy
// (no inline script or style), nosniff and a same-origin referrer policy;
// templates are html/template and the scripts build the DOM with textContent
// only, because start URLs, page titles and log lines are hostile.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/scouter-seo/scouter/internal/crawler"
	"github.com/scouter-seo/scouter/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the pages read directly; *store.DB satisfies it.
type Store interface {
	CrawlList(ctx context.Context, beforeID int64, limit int) ([]store.Crawl, error)
	CrawlGet(ctx context.Context, id int64) (store.Crawl, error)
	JobGet(ctx context.Context, id int64) (store.Job, error)
	PagesList(ctx context.Context, crawlID, afterID int64, limit int) ([]store.Page, error)
	reportStore   // report.go: dashboard, issues, page detail, comparison
	explorerStore // explorer.go: the URL explorer
}

// CSP is the Content-Security-Policy of every HTML page.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Page sizes.
const (
	listPageSize   = 50
	panelPages     = 50  // pages shown in the panel's table
	defaultTailLen = 500 // log lines loaded at first, and per "load earlier"
)

// UI serves the Command Center pages.
type UI struct {
	db    Store
	log   *slog.Logger
	pages map[string]*template.Template

	assets    map[string]asset  // by hashed file name
	assetURLs map[string]string // logical name → /static/name.HASH.ext

	tailLen int // log lines per load; tests shrink it
}

type asset struct {
	body  []byte
	ctype string
}

// New parses the templates and hashes the assets; it panics on a broken
// embedded file, which is a build error.
func New(db Store, log *slog.Logger) *UI {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u := &UI{db: db, log: log, pages: map[string]*template.Template{}, assets: map[string]asset{},
		assetURLs: map[string]string{}, tailLen: defaultTailLen}
	if err := u.loadAssets(); err != nil {
		panic("web: " + err.Error())
	}
	if err := u.parseTemplates(); err != nil {
		panic("web: " + err.Error())
	}
	return u
}

// Register adds the pages and /static/ to mux. The UI's patterns do not
// overlap the API's (/api/).
func (u *UI) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", u.crawlList)
	mux.HandleFunc("GET /crawls/new", u.crawlNew)
	mux.HandleFunc("GET /crawls/{id}", u.crawlPanel)
	mux.HandleFunc("GET /static/{file}", u.static)
	u.registerReports(mux)
	u.registerExplorer(mux)
}

// Protect wraps the whole server handler (UI and API) with
// http.CrossOriginProtection: POST, PUT, PATCH and DELETE requests that a
// browser marks as cross-site (Sec-Fetch-Site, or an Origin that is not the
// Host) are refused with 403, so another site cannot make a visitor's
// browser start, stop or resume crawls. Requests without those headers
// (curl, scripts) pass.
func Protect(h http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"error":"cross-origin request refused"}` + "\n"))
	}))
	return p.Handler(h)
}

func (u *UI) loadAssets() error {
	return fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		ext := path.Ext(name)
		sum := sha256.Sum256(b)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:])[:10] + ext
		ctype := "application/octet-stream"
		switch ext {
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		u.assets[hashed] = asset{body: b, ctype: ctype}
		u.assetURLs[name] = "/static/" + hashed
		return nil
	})
}

func (u *UI) parseTemplates() error {
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			if s, ok := u.assetURLs[name]; ok {
				return s, nil
			}
			return "", fmt.Errorf("no asset %q", name)
		},
		"statusClass": statusClass,
		"statusLabel": statusLabel,
		"when":        when,
		"iso":         iso,
		"duration":    duration,
		"deref":       func(p *int64) int64 { return deref(p) },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return err
	}
	for _, name := range []string{"list", "new", "crawl", "error"} {
		files := []string{"templates/" + name + ".html"}
		if name == "crawl" {
			files = append(files, "templates/reportnav.html") // the export links
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, files...)
		if err != nil {
			return err
		}
		u.pages[name] = t
	}
	return nil
}

// securityHeaders go on every HTML response.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// pageData is what every page gets besides its own data.
type pageData struct {
	Title string
	Page  string // body data-page: list, new, crawl, error
	Data  any
}

func (u *UI) render(w http.ResponseWriter, status int, name, title string, data any) {
	var buf bytes.Buffer
	if err := u.pages[name].ExecuteTemplate(&buf, "layout.html", pageData{Title: title, Page: name, Data: data}); err != nil {
		u.log.Error("rendering a page failed", "page", name, "err", err)
		securityHeaders(w.Header())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	securityHeaders(h)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (u *UI) fail(w http.ResponseWriter, err error, what string) {
	if errors.Is(err, store.ErrNotFound) {
		u.render(w, http.StatusNotFound, "error", "Not found", errorData{Status: 404, Message: what + " not found"})
		return
	}
	u.log.Error("page request failed", "what", what, "err", err)
	u.render(w, http.StatusServiceUnavailable, "error", "Unavailable",
		errorData{Status: 503, Message: "The database is unavailable; try again."})
}

type errorData struct {
	Status  int
	Message string
}

type listData struct {
	Crawls []store.Crawl
	Before int64 // cursor of this page (0: newest)
	Older  int64 // cursor of the next page (0: none)
}

func (u *UI) crawlList(w http.ResponseWriter, r *http.Request) {
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1<<62 {
			u.render(w, http.StatusBadRequest, "error", "Bad request", errorData{Status: 400, Message: "before must be a crawl id"})
			return
		}
		before = n
	}
	crawls, err := u.db.CrawlList(r.Context(), before, listPageSize+1)
	if err != nil {
		u.fail(w, err, "crawls")
		return
	}
	d := listData{Crawls: crawls, Before: before}
	if len(crawls) > listPageSize {
		d.Crawls = crawls[:listPageSize]
		d.Older = d.Crawls[listPageSize-1].ID
	}
	u.render(w, http.StatusOK, "list", "Crawls", d)
}

// formField is one option of the new-crawl form with its default.
type formData struct {
	Defaults crawler.Options
}

func (u *UI) crawlNew(w http.ResponseWriter, r *http.Request) {
	u.render(w, http.StatusOK, "new", "New crawl", formData{Defaults: crawler.DefaultOptions()})
}

type panelData struct {
	Crawl   store.Crawl
	Job     *store.Job
	Pages   []store.Page
	TailLen int
}

func (u *UI) crawlPanel(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		u.render(w, http.StatusNotFound, "error", "Not found", errorData{Status: 404, Message: "crawl not found"})
		return
	}
	c, err := u.db.CrawlGet(r.Context(), id)
	if err != nil {
		u.fail(w, err, "crawl")
		return
	}
	d := panelData{Crawl: c, TailLen: u.tailLen}
	if c.LastJobID != nil {
		j, err := u.db.JobGet(r.Context(), *c.LastJobID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			u.fail(w, err, "job")
			return
		}
		if err == nil {
			d.Job = &j
		}
	}
	pages, err := u.db.PagesList(r.Context(), c.ID, 0, panelPages)
	if err != nil {
		u.fail(w, err, "pages")
		return
	}
	d.Pages = pages
	u.render(w, http.StatusOK, "crawl", "Crawl #"+strconv.FormatInt(c.ID, 10), d)
}

func (u *UI) static(w http.ResponseWriter, r *http.Request) {
	a, ok := u.assets[r.PathValue("file")]
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.Set("Content-Type", a.ctype)
	// The name holds the content's hash: a new build is a new URL.
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.body)
}

// Template helpers.

var knownStatuses = map[string]bool{"pending": true, "queued": true, "running": true, "stopping": true,
	"stopped": true, "finished": true, "error": true, "completed": true, "failed": true}

// statusClass is a CSS class for a crawl or job status; unknown values get
// a neutral class instead of reaching the attribute.
func statusClass(s string) string {
	if knownStatuses[s] {
		return "st-" + s
	}
	return "st-unknown"
}

func statusLabel(s string) string {
	switch s {
	case "queued":
		return "waiting for a worker…"
	case "pending":
		return "scheduled"
	case "stopping":
		return "stopping…"
	case "completed":
		return "finished"
	case "failed":
		return "error"
	}
	return s
}

func when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func iso(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// duration of a crawl: start to end, or to now while it runs.
func duration(start, end *time.Time) string {
	if start == nil || start.IsZero() {
		return "—"
	}
	e := time.Now()
	if end != nil && !end.IsZero() {
		e = *end
	}
	return formatDuration(e.Sub(*start))
}

func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm %02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh %02dm", s/3600, s%3600/60)
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
