package web

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/store"
)

// explorerStore is what the URL explorer reads.
type explorerStore interface {
	Explore(ctx context.Context, q store.ExploreQuery) ([]store.Page, int64, error)
}

// The URL explorer, GET /crawls/{id}/pages: a crawl's pages filtered,
// searched, sorted and paged on the server, with the query parameters of
// the API (store.ParseExploreParams). It works without JavaScript: the form
// is a plain GET whose filter rows (ff, fo, fv) are turned into f=
// parameters by a redirect, so every view has one clean, shareable URL;
// explorer.js only adds filter rows and narrows the operators to the field.
func (u *UI) registerExplorer(mux *http.ServeMux) {
	if u.pages["explorer"] == nil {
		t, err := u.parseExplorer()
		if err != nil {
			panic("web: " + err.Error())
		}
		u.pages["explorer"] = t
	}
	mux.HandleFunc("GET /crawls/{id}/pages", u.explorer)
}

// parseExplorer is the explorer's template: a clone of a parsed page (the
// layout and its helpers, not yet executed) whose "content" explorer.html
// redefines, as the report pages do.
func (u *UI) parseExplorer() (*template.Template, error) {
	base, ok := u.pages["error"]
	if !ok {
		return nil, errors.New("explorer: no base template")
	}
	t, err := base.Clone()
	if err != nil {
		return nil, err
	}
	return t.ParseFS(templateFS, "templates/reportnav.html", "templates/explorer.html")
}

// Explorer view: everything is computed here, the template only prints.
type explorerData struct {
	Crawl    store.Crawl
	Nav      reportNav
	Audited  bool
	Error    string // a bad query, shown instead of results (400)
	Action   string // the form's path
	Search   string
	Sort     string
	Order    string
	Limit    int
	Limits   []int
	Check    string
	CheckSel *audit.Check // the chosen check
	Checks   []checkGroup
	Fields   []fieldOption
	Ops      []opOption
	Filters  []filterRow
	Choices  []columnChoice
	IDHead   columnHead // the id column, always first
	Columns  []columnHead
	Rows     []explorerRow
	Total    int64
	From, To int64
	PrevURL  string
	NextURL  string
	ResetURL string
	Export   string
}

type checkGroup struct {
	Group  string
	Checks []checkOption
}

type checkOption struct {
	ID, Title, Severity string
	Selected            bool
}

type fieldOption struct {
	Name, Label, Kind string
}

type opOption struct {
	Name, Label string
	Kinds       string // space-separated field kinds it applies to
	NoValue     bool
}

type filterRow struct {
	Field, Op, Value string
	RemoveURL        string // this view without the filter; "" for the blank row
}

type columnChoice struct {
	Name, Label string
	Checked     bool
}

type columnHead struct {
	Name, Label string
	Num         bool
	SortURL     string
	Sorted      string // "", "asc" or "desc"
}

type explorerRow struct {
	ID        int64
	DetailURL string
	Cells     []explorerCell
}

type explorerCell struct {
	Text  string
	Full  string // the whole value when Text is cut
	Num   bool
	Class string
	Link  bool // the URL cell links to the page's detail
}

var opLabels = map[string]string{
	store.OpContains: "contains", store.OpNotContains: "does not contain", store.OpPrefix: "starts with",
	store.OpEq: "=", store.OpNe: "≠", store.OpLt: "<", store.OpLe: "≤", store.OpGt: ">", store.OpGe: "≥",
	store.OpEmpty: "is empty", store.OpNotEmpty: "is not empty",
}

// opOrder is the operators' order in the select.
var opOrder = []string{store.OpContains, store.OpNotContains, store.OpPrefix, store.OpEq, store.OpNe,
	store.OpLt, store.OpLe, store.OpGt, store.OpGe, store.OpEmpty, store.OpNotEmpty}

var explorerLimits = []int{25, 50, 100, 200, 500}

// cellMax is how many characters of a text cell are shown.
const cellMax = 200

func (u *UI) explorer(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		u.render(w, http.StatusNotFound, "error", "Not found", errorData{Status: 404, Message: "crawl not found"})
		return
	}
	values := r.URL.Query()
	if values.Has("ff") {
		http.Redirect(w, r, explorerPath(id, formValues(values)), http.StatusSeeOther)
		return
	}
	c, err := u.db.CrawlGet(r.Context(), id)
	if err != nil {
		u.fail(w, err, "crawl")
		return
	}
	st, err := u.auditState(r.Context(), c)
	if err != nil {
		u.fail(w, err, "crawl")
		return
	}
	title := "Pages · crawl #" + strconv.FormatInt(c.ID, 10)
	d := explorerData{Crawl: c, Nav: reportNav{Crawl: c, Active: "pages", Audit: st}, Audited: c.AuditedAt != nil, Action: explorerPath(id, nil), Limits: explorerLimits,
		ResetURL: explorerPath(id, nil), Export: "/api/v1/crawls/" + strconv.FormatInt(id, 10) + "/export/pages.csv"}
	q, cols, err := store.ParseExploreParams(values, func(id string) bool { _, ok := audit.CheckByID(id); return ok })
	var pages []store.Page
	if err == nil {
		q.CrawlID = id
		pages, d.Total, err = u.db.Explore(r.Context(), q)
	}
	var qe *store.QueryError
	switch {
	case errors.As(err, &qe):
		// Show the form as it was sent, with the message.
		d.Error = qe.Msg
		d.fillForm(rawQuery(values), rawColumns(values))
		u.render(w, http.StatusBadRequest, "explorer", title, d)
		return
	case err != nil:
		u.fail(w, err, "pages")
		return
	}
	d.fillForm(q, cols)
	d.fillTable(q, cols, pages)
	u.render(w, http.StatusOK, "explorer", title, d)
}

func explorerPath(crawlID int64, v url.Values) string {
	p := "/crawls/" + strconv.FormatInt(crawlID, 10) + "/pages"
	if s := v.Encode(); s != "" {
		p += "?" + s
	}
	return p
}

// formValues turns the form's parameters into the URL form: filter rows
// (ff, fo, fv) with a field become f=FIELD:OP:VALUE, the column boxes one
// cols list; the offset is dropped, since the result changed.
func formValues(in url.Values) url.Values {
	out := url.Values{}
	ff, fo, fv := in["ff"], in["fo"], in["fv"]
	for i, field := range ff {
		if field == "" {
			continue
		}
		op, value := at(fo, i), at(fv, i)
		f := field + ":" + op
		if store.OpTakesValue(op) {
			f += ":" + value
		}
		out.Add(store.PartFilter, f)
	}
	for _, k := range []string{store.PartSearch, store.PartCheck, store.PartSort, store.PartOrder, store.PartLimit} {
		if v := in.Get(k); v != "" && !(k == store.PartOrder && v == "asc") && !(k == store.PartLimit && v == strconv.Itoa(store.ExploreDefaultLimit)) {
			out.Set(k, v)
		}
	}
	if cols := in[store.PartColumns]; len(cols) > 0 && !slices.Equal(cols, store.DefaultExploreColumns) {
		out.Set(store.PartColumns, strings.Join(cols, ","))
	}
	return out
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}

// rawQuery is the query as sent, for redisplaying a form that failed to
// parse: whatever can be read of it.
func rawQuery(v url.Values) store.ExploreQuery {
	q := store.ExploreQuery{Search: v.Get(store.PartSearch), Check: v.Get(store.PartCheck), Sort: v.Get(store.PartSort),
		Desc: v.Get(store.PartOrder) == "desc"}
	q.Limit, _ = strconv.Atoi(v.Get(store.PartLimit))
	for _, f := range v[store.PartFilter] {
		field, rest, _ := strings.Cut(f, ":")
		op, value, _ := strings.Cut(rest, ":")
		q.Filters = append(q.Filters, store.ExploreFilter{Field: field, Op: op, Value: value})
	}
	return q
}

// rawColumns are the known fields among the columns asked for; nil for none.
func rawColumns(v url.Values) []string {
	var cols []string
	for _, c := range v[store.PartColumns] {
		for _, name := range strings.Split(c, ",") {
			if _, ok := store.ExploreFieldByName(name); ok && !slices.Contains(cols, name) {
				cols = append(cols, name)
			}
		}
	}
	return cols
}

// fillForm sets the form's state from q (cols nil: the defaults).
func (d *explorerData) fillForm(q store.ExploreQuery, cols []string) {
	if cols == nil {
		cols = store.DefaultExploreColumns
	}
	d.Search, d.Sort, d.Check, d.Limit = q.Search, q.Sort, q.Check, cmp.Or(q.Limit, store.ExploreDefaultLimit)
	if d.Limit < 1 || d.Limit > store.ExploreMaxLimit {
		d.Limit = store.ExploreDefaultLimit
	}
	if !slices.Contains(d.Limits, d.Limit) {
		d.Limits = append(slices.Clone(d.Limits), d.Limit)
		slices.Sort(d.Limits)
	}
	d.Order = "asc"
	if q.Desc {
		d.Order = "desc"
	}
	if c, ok := audit.CheckByID(q.Check); ok {
		d.CheckSel = &c
	}
	for _, c := range audit.Catalogue {
		if len(d.Checks) == 0 || d.Checks[len(d.Checks)-1].Group != c.Group {
			d.Checks = append(d.Checks, checkGroup{Group: c.Group})
		}
		g := &d.Checks[len(d.Checks)-1]
		g.Checks = append(g.Checks, checkOption{ID: c.ID, Title: c.Title, Severity: string(c.Severity), Selected: c.ID == q.Check})
	}
	for _, f := range store.ExploreFields {
		d.Fields = append(d.Fields, fieldOption{Name: f.Name, Label: f.Label, Kind: string(f.Kind)})
		d.Choices = append(d.Choices, columnChoice{Name: f.Name, Label: f.Label, Checked: slices.Contains(cols, f.Name)})
	}
	for _, op := range opOrder {
		var kinds []string
		for _, k := range []store.FieldKind{store.KindText, store.KindInt, store.KindFloat, store.KindBool, store.KindTime, store.KindHash} {
			if slices.Contains(store.ExploreOps[k], op) {
				kinds = append(kinds, string(k))
			}
		}
		d.Ops = append(d.Ops, opOption{Name: op, Label: opLabels[op], Kinds: strings.Join(kinds, " "), NoValue: !store.OpTakesValue(op)})
	}
	for i, f := range q.Filters {
		rest := q
		rest.Filters = slices.Delete(slices.Clone(q.Filters), i, i+1)
		rest.Offset = 0
		d.Filters = append(d.Filters, filterRow{Field: f.Field, Op: f.Op, Value: f.Value,
			RemoveURL: explorerPath(d.Crawl.ID, store.ExploreParams(rest, cols))})
	}
	d.Filters = append(d.Filters, filterRow{Op: store.OpContains}) // a blank row to add one
}

// fillTable sets the result: headers with their sort links, rows, pager.
func (d *explorerData) fillTable(q store.ExploreQuery, cols []string, pages []store.Page) {
	// The id is always the first column, a link to the page's detail.
	var fields []store.ExploreField
	for _, name := range cols {
		if f, _ := store.ExploreFieldByName(name); name != "id" {
			fields = append(fields, f)
		}
	}
	sortName := cmp.Or(q.Sort, "id")
	head := func(f store.ExploreField) columnHead {
		h := columnHead{Name: f.Name, Label: f.Label, Num: numeric(f.Kind)}
		s := q
		s.Sort, s.Offset = f.Name, 0
		// Numbers sort biggest first on the first click, text A to Z; a
		// click on the sorted column reverses it.
		s.Desc = h.Num && f.Name != "id"
		if sortName == f.Name {
			h.Sorted = d.Order
			s.Desc = !q.Desc
		}
		if s.Sort == "id" {
			s.Sort = ""
		}
		h.SortURL = explorerPath(d.Crawl.ID, store.ExploreParams(s, cols))
		return h
	}
	idField, _ := store.ExploreFieldByName("id")
	d.IDHead = head(idField)
	for _, f := range fields {
		d.Columns = append(d.Columns, head(f))
	}
	for i := range pages {
		p := &pages[i]
		row := explorerRow{ID: p.ID, DetailURL: "/crawls/" + strconv.FormatInt(d.Crawl.ID, 10) + "/pages/" + strconv.FormatInt(p.ID, 10)}
		for _, f := range fields {
			row.Cells = append(row.Cells, cell(f, p))
		}
		d.Rows = append(d.Rows, row)
	}
	if len(pages) > 0 {
		d.From, d.To = int64(q.Offset)+1, int64(q.Offset+len(pages))
	}
	if q.Offset > 0 {
		prev := q
		prev.Offset = max(0, q.Offset-q.Limit)
		d.PrevURL = explorerPath(d.Crawl.ID, store.ExploreParams(prev, cols))
	}
	if int64(q.Offset+q.Limit) < d.Total {
		next := q
		next.Offset = q.Offset + q.Limit
		d.NextURL = explorerPath(d.Crawl.ID, store.ExploreParams(next, cols))
	}
}

func numeric(k store.FieldKind) bool {
	return k == store.KindInt || k == store.KindFloat
}

// cell formats a page's value of a field for the table.
func cell(f store.ExploreField, p *store.Page) explorerCell {
	c := explorerCell{Num: numeric(f.Kind), Link: f.Name == "url"}
	switch v := f.Value(p).(type) {
	case bool:
		c.Text = "no"
		if v {
			c.Text = "yes"
		}
		c.Class = "bool-" + c.Text
	case float64:
		c.Text = strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
	case *string:
		if v != nil {
			if t, err := time.Parse(time.RFC3339Nano, *v); err == nil {
				c.Text = t.UTC().Format("2006-01-02 15:04:05")
			}
		}
	case string:
		c.Text = v
	case json.RawMessage:
		c.Text = string(v)
	case int:
		c.Text = strconv.Itoa(v)
	case int64:
		c.Text = strconv.FormatInt(v, 10)
	}
	if f.Name == "status" && p.Status == 0 && p.FetchError != "" {
		c.Text = p.FetchError
		c.Num = false
	}
	if utf8.RuneCountInString(c.Text) > cellMax {
		c.Full = c.Text
		c.Text = string([]rune(c.Text)[:cellMax]) + "…"
	}
	return c
}
