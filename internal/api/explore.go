package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/store"
)

// explorerStore is what the URL explorer reads.
type explorerStore interface {
	Explore(ctx context.Context, q store.ExploreQuery) ([]store.Page, int64, error)
}

func (s *Server) registerExplorer(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/crawls/{id}/pages", s.crawlPages)
}

// knownCheck reports whether a check id is in the catalogue.
func knownCheck(id string) bool {
	_, ok := audit.CheckByID(id)
	return ok
}

// crawlPages is the URL explorer: a crawl's pages filtered, searched,
// sorted and paged, with the chosen columns (store.ParseExploreParams has
// the parameters):
//
//	GET /api/v1/crawls/{id}/pages?f=status:eq:200&f=title:contains:shoe&sort=link_score&order=desc&cols=url,title
//
// answers {"total", "offset", "limit", "audited", "columns", "pages": [{"id", …columns}]}.
func (s *Server) crawlPages(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	q, cols, err := store.ParseExploreParams(r.URL.Query(), knownCheck)
	if err != nil {
		s.exploreFail(w, err)
		return
	}
	q.CrawlID = id
	c, err := s.db.CrawlGet(r.Context(), id)
	if err != nil {
		s.fail(w, err, "crawl")
		return
	}
	pages, total, err := s.db.Explore(r.Context(), q)
	if err != nil {
		s.exploreFail(w, err)
		return
	}
	fields := make([]store.ExploreField, len(cols))
	for i, name := range cols {
		fields[i], _ = store.ExploreFieldByName(name)
	}
	rows := make([]pageRow, len(pages))
	for i := range pages {
		rows[i] = pageRow{page: &pages[i], fields: fields}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "offset": q.Offset, "limit": q.Limit,
		"audited": c.AuditedAt != nil, "columns": cols, "pages": rows})
}

// exploreFail answers a bad query with 400 naming the parameter (and the
// field of a filter: "f.status"); anything else as fail does.
func (s *Server) exploreFail(w http.ResponseWriter, err error) {
	var qe *store.QueryError
	if !errors.As(err, &qe) {
		s.fail(w, err, "pages")
		return
	}
	field := qe.Part
	if qe.Field != "" {
		field += "." + qe.Field
	}
	writeError(w, http.StatusBadRequest, qe.Msg, field)
}

// pageRow is one page as a JSON object of its id and the chosen fields, in
// the columns' order.
type pageRow struct {
	page   *store.Page
	fields []store.ExploreField
}

func (p pageRow) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"id":` + strconv.FormatInt(p.page.ID, 10))
	for _, f := range p.fields {
		if f.Name == "id" {
			continue
		}
		b.WriteString(`,"` + f.Name + `":`) // a name of the whitelist
		v, err := json.Marshal(f.Value(p.page))
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
