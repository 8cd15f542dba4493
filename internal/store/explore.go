package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The URL explorer: one crawl's pages filtered on any explorable field,
// searched, sorted and paged. Field names, operators and sort keys come from
// the whitelist below and are the only text of the query that is not a
// bound parameter; every value is converted to its field's type and bound.

// FieldKind is the type of an explorable field, which decides its operators
// and how a filter value is read.
type FieldKind string

// Field kinds.
const (
	KindText  FieldKind = "text"
	KindInt   FieldKind = "int"
	KindFloat FieldKind = "float"
	KindBool  FieldKind = "bool"
	KindTime  FieldKind = "time" // RFC 3339 or YYYY-MM-DD (UTC) values
	KindHash  FieldKind = "hash" // 64-bit fingerprint, 16 hex digits
)

// Filter operators.
const (
	OpEq          = "eq"
	OpNe          = "ne"
	OpLt          = "lt"
	OpLe          = "le"
	OpGt          = "gt"
	OpGe          = "ge"
	OpContains    = "contains"     // case-insensitive substring
	OpNotContains = "not_contains" // case-insensitive
	OpPrefix      = "prefix"       // case-insensitive
	OpEmpty       = "empty"        // no value
	OpNotEmpty    = "not_empty"    // no value
)

// ExploreOps lists the operators of each kind, in display order.
var ExploreOps = map[FieldKind][]string{
	KindText:  {OpContains, OpNotContains, OpEq, OpNe, OpPrefix, OpEmpty, OpNotEmpty},
	KindInt:   {OpEq, OpNe, OpLt, OpLe, OpGt, OpGe},
	KindFloat: {OpEq, OpNe, OpLt, OpLe, OpGt, OpGe},
	KindTime:  {OpEq, OpNe, OpLt, OpLe, OpGt, OpGe},
	KindBool:  {OpEq, OpNe},
	KindHash:  {OpEq, OpNe},
}

// OpTakesValue reports whether an operator compares with a value.
func OpTakesValue(op string) bool { return op != OpEmpty && op != OpNotEmpty }

// ExploreField is one field the explorer can filter, sort and show.
type ExploreField struct {
	Name  string // in query strings and JSON
	Label string // for people
	Kind  FieldKind
	// Value is the page's value as the API shows it: int, int64, float64,
	// bool, string, *string (a time, nil when unset) or json.RawMessage.
	Value func(p *Page) any

	expr     string // SQL; a constant of this file, never user text
	scale    int64  // KindFloat over an integer column: stored = value × scale
	empty    string // what "empty" means for a text field ("[]" for JSON arrays)
	nullable bool   // expr may be NULL: NULL sorts first, as the smallest value
}

// ExploreFields is every explorable field, in display order: the columns of
// pages except extra, with times in milliseconds as in the exports.
var ExploreFields = []ExploreField{
	intField("id", "ID", "id", func(p *Page) any { return p.ID }),
	textField("url", "URL", "url", func(p *Page) string { return p.URL }),
	boolField("internal", "Internal", "internal", func(p *Page) bool { return p.Internal }),
	textField("state", "State", "state", func(p *Page) string { return p.State }),
	textField("reason", "Reason", "reason", func(p *Page) string { return p.Reason }),
	intField("depth", "Depth", "depth", func(p *Page) any { return p.Depth }),
	// found_from is NULL for "none", shown and compared as 0.
	intField("found_from", "Found from (page id)", "COALESCE(found_from, 0)", func(p *Page) any { return p.FoundFrom }),
	boolField("in_sitemap", "In sitemap", "in_sitemap", func(p *Page) bool { return p.InSitemap }),
	intField("status", "Status", "status", func(p *Page) any { return p.Status }),
	textField("fetch_error", "Fetch error", "fetch_error", func(p *Page) string { return p.FetchError }),
	textField("content_type", "Content type", "content_type", func(p *Page) string { return p.ContentType }),
	textField("charset", "Charset", "charset", func(p *Page) string { return p.Charset }),
	textField("proto", "Protocol", "proto", func(p *Page) string { return p.Proto }),
	intField("size", "Size (bytes)", "size", func(p *Page) any { return p.Size }),
	boolField("truncated", "Truncated", "truncated", func(p *Page) bool { return p.Truncated }),
	msField("ttfb_ms", "TTFB (ms)", "ttfb_us", func(p *Page) int64 { return p.TTFBMicros }),
	msField("time_ms", "Response time (ms)", "time_us", func(p *Page) int64 { return p.TimeMicros }),
	intField("retries", "Retries", "retries", func(p *Page) any { return p.Retries }),
	textField("redirect_url", "Redirect URL", "redirect_url", func(p *Page) string { return p.RedirectURL }),
	{Name: "crawled_at", Label: "Crawled at", Kind: KindTime, expr: "crawled_at", nullable: true, Value: func(p *Page) any {
		if p.CrawledAt == nil {
			return (*string)(nil)
		}
		s := p.CrawledAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		return &s
	}},
	textField("title", "Title", "title", func(p *Page) string { return p.Title }),
	intField("title_length", "Title length", "title_length", func(p *Page) any { return p.TitleLength }),
	intField("title_count", "Titles", "title_count", func(p *Page) any { return p.TitleCount }),
	textField("description", "Meta description", "description", func(p *Page) string { return p.Description }),
	intField("description_length", "Description length", "description_length", func(p *Page) any { return p.DescriptionLength }),
	intField("description_count", "Descriptions", "description_count", func(p *Page) any { return p.DescriptionCount }),
	textField("h1", "H1", "h1", func(p *Page) string { return p.H1 }),
	intField("h1_count", "H1s", "h1_count", func(p *Page) any { return p.H1Count }),
	intField("h2_count", "H2s", "h2_count", func(p *Page) any { return p.H2Count }),
	textField("canonical", "Canonical", "canonical", func(p *Page) string { return p.Canonical }),
	textField("meta_robots", "Meta robots", "meta_robots", func(p *Page) string { return p.MetaRobots }),
	textField("x_robots_tag", "X-Robots-Tag", "x_robots_tag", func(p *Page) string { return p.XRobotsTag }),
	boolField("robots_blocked", "Blocked by robots.txt", "robots_blocked", func(p *Page) bool { return p.RobotsBlocked }),
	boolField("indexable", "Indexable", "indexable", func(p *Page) bool { return p.Indexable }),
	textField("indexability", "Indexability", "indexability", func(p *Page) string { return p.Indexability }),
	textField("lang", "Language", "lang", func(p *Page) string { return p.Lang }),
	jsonField("hreflang", "Hreflang", "hreflang", func(p *Page) string { return p.Hreflang }),
	intField("word_count", "Words", "word_count", func(p *Page) any { return p.WordCount }),
	hashField("content_hash", "Content hash", "content_hash", func(p *Page) int64 { return p.ContentHash }),
	hashField("simhash", "SimHash", "simhash", func(p *Page) int64 { return p.SimHash }),
	jsonField("jsonld_types", "JSON-LD types", "jsonld_types", func(p *Page) string { return p.JSONLDTypes }),
	intField("image_count", "Images", "image_count", func(p *Page) any { return p.ImageCount }),
	intField("images_missing_alt", "Images without alt", "images_missing_alt", func(p *Page) any { return p.ImagesMissingAlt }),
	intField("internal_outlinks", "Internal outlinks", "internal_outlinks", func(p *Page) any { return p.InternalOutlinks }),
	intField("external_outlinks", "External outlinks", "external_outlinks", func(p *Page) any { return p.ExternalOutlinks }),
	intField("inlinks", "Inlinks", "inlinks", func(p *Page) any { return p.Inlinks }),
	intField("unique_inlinks", "Unique inlinks", "unique_inlinks", func(p *Page) any { return p.UniqueInlinks }),
	{Name: "link_score", Label: "Link score", Kind: KindFloat, expr: "link_score", Value: func(p *Page) any { return p.LinkScore }},
	intField("redirect_final_id", "Redirect final page id", "redirect_final_id", func(p *Page) any { return p.RedirectFinalID }),
	intField("redirect_hops", "Redirect hops", "redirect_hops", func(p *Page) any { return p.RedirectHops }),
	boolField("redirect_loop", "Redirect loop", "redirect_loop", func(p *Page) bool { return p.RedirectLoop }),
	intField("title_dup", "Duplicate title cluster", "title_dup", func(p *Page) any { return p.TitleDup }),
	intField("description_dup", "Duplicate description cluster", "description_dup", func(p *Page) any { return p.DescriptionDup }),
	intField("h1_dup", "Duplicate H1 cluster", "h1_dup", func(p *Page) any { return p.H1Dup }),
	intField("content_dup", "Duplicate content cluster", "content_dup", func(p *Page) any { return p.ContentDup }),
	intField("near_dup", "Near-duplicate cluster", "near_dup", func(p *Page) any { return p.NearDup }),
	intField("finding_count", "Findings", "finding_count", func(p *Page) any { return p.FindingCount }),
}

func intField(name, label, expr string, v func(*Page) any) ExploreField {
	return ExploreField{Name: name, Label: label, Kind: KindInt, expr: expr, Value: v}
}

func textField(name, label, expr string, v func(*Page) string) ExploreField {
	return ExploreField{Name: name, Label: label, Kind: KindText, expr: expr, Value: func(p *Page) any { return v(p) }}
}

func jsonField(name, label, expr string, v func(*Page) string) ExploreField {
	return ExploreField{Name: name, Label: label, Kind: KindText, expr: expr, empty: "[]", Value: func(p *Page) any {
		s := v(p)
		if s == "" {
			s = "[]"
		}
		if !json.Valid([]byte(s)) {
			return s
		}
		return json.RawMessage(s)
	}}
}

func boolField(name, label, expr string, v func(*Page) bool) ExploreField {
	return ExploreField{Name: name, Label: label, Kind: KindBool, expr: expr, Value: func(p *Page) any { return v(p) }}
}

// msField is a duration stored in microseconds, shown and filtered in ms.
func msField(name, label, expr string, v func(*Page) int64) ExploreField {
	return ExploreField{Name: name, Label: label, Kind: KindFloat, expr: expr, scale: 1000,
		Value: func(p *Page) any { return float64(v(p)) / 1000 }}
}

func hashField(name, label, expr string, v func(*Page) int64) ExploreField {
	return ExploreField{Name: name, Label: label, Kind: KindHash, expr: expr, Value: func(p *Page) any {
		if h := v(p); h != 0 {
			return fmt.Sprintf("%016x", uint64(h))
		}
		return ""
	}}
}

var exploreFieldIndex = func() map[string]*ExploreField {
	m := make(map[string]*ExploreField, len(ExploreFields))
	for i := range ExploreFields {
		m[ExploreFields[i].Name] = &ExploreFields[i]
	}
	return m
}()

// ExploreFieldByName returns the explorable field of that name.
func ExploreFieldByName(name string) (ExploreField, bool) {
	f, ok := exploreFieldIndex[name]
	if !ok {
		return ExploreField{}, false
	}
	return *f, true
}

// Explore limits.
const (
	ExploreDefaultLimit = 100
	ExploreMaxLimit     = 500
	ExploreMaxOffset    = 1_000_000_000 // far beyond any crawl
	ExploreMaxFilters   = 50
	exploreMaxValue     = 16 << 10 // bytes; longer than any stored URL
)

// ExploreQuery selects a crawl's pages.
type ExploreQuery struct {
	CrawlID int64
	Filters []ExploreFilter // all must hold
	Search  string          // case-insensitive substring of the URL or the title
	Check   string          // only pages with a finding of this check id
	Sort    string          // a field name; "" sorts by id
	Desc    bool
	Limit   int // 0: ExploreDefaultLimit; capped at ExploreMaxLimit
	Offset  int
}

// ExploreFilter is one condition: Field Op Value.
type ExploreFilter struct {
	Field, Op, Value string
}

// QueryError is an explore query the store refuses, before it reaches the
// database. Part is the part of the query at fault, named by its URL
// parameter (PartFilter …); Field the explorable field concerned when the
// name is a known one. Msg is a sentence for the user; it names the field.
type QueryError struct {
	Part  string
	Field string
	Msg   string
}

func (e *QueryError) Error() string { return e.Msg }

// Query parts named by QueryError: the parameters of the query's URL form
// (ParseExploreParams).
const (
	PartFilter  = "f"
	PartSearch  = "q"
	PartCheck   = "check"
	PartSort    = "sort"
	PartOrder   = "order"
	PartLimit   = "limit"
	PartOffset  = "offset"
	PartColumns = "cols"
)

// Explore returns one page of a crawl's pages matching q, and how many match
// in all. A bad query is a *QueryError. Pages are sorted by q.Sort, ties by
// id in the same direction.
func (db *DB) Explore(ctx context.Context, q ExploreQuery) ([]Page, int64, error) {
	where, args, err := db.d.exploreWhere(q)
	if err != nil {
		return nil, 0, err
	}
	sort := exploreFieldIndex["id"]
	if q.Sort != "" {
		f, ok := exploreFieldIndex[q.Sort]
		if !ok {
			return nil, 0, &QueryError{Part: PartSort, Msg: fmt.Sprintf("cannot sort by %s: no such field", quoteName(q.Sort))}
		}
		sort = f
	}
	limit := q.Limit
	switch {
	case limit < 0:
		return nil, 0, &QueryError{Part: PartLimit, Msg: "limit must not be negative"}
	case limit == 0:
		limit = ExploreDefaultLimit
	case limit > ExploreMaxLimit:
		limit = ExploreMaxLimit
	}
	if q.Offset < 0 || q.Offset > ExploreMaxOffset {
		return nil, 0, &QueryError{Part: PartOffset, Msg: fmt.Sprintf("offset must be from 0 to %d", ExploreMaxOffset)}
	}

	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	nulls := ""
	if sort.nullable {
		// The same order on both databases: SQLite puts NULL first in
		// ascending order, PostgreSQL last by default.
		nulls = " NULLS FIRST"
		if q.Desc {
			nulls = " NULLS LAST"
		}
	}
	key, collate := sort.expr, ""
	if sort.Kind == KindText && db.d == postgresDialect {
		// Byte order, as SQLite's BINARY collation, whatever the
		// database's locale.
		collate = ` COLLATE "C"`
		key += collate
	}
	// The sort runs over (key, id) pairs only and the whole rows of the
	// page are read after: sorting wide rows to skip 50,000 of them costs
	// far more. A subquery with LIMIT is neither flattened (SQLite) nor
	// pulled up (PostgreSQL).
	query := `SELECT ` + pageReadColumnsP + ` FROM (SELECT id, ` + key + ` AS k FROM pages WHERE ` + where +
		` ORDER BY ` + key + dir + nulls + `, id` + dir + ` LIMIT ? OFFSET ?) s
		JOIN pages p ON p.crawl_id = ? AND p.id = s.id
		ORDER BY s.k` + collate + dir + nulls + `, s.id` + dir
	pageArgs := append(append(make([]any, 0, len(args)+3), args...), limit, q.Offset, q.CrawlID)

	// The count and the page scan the same rows: they run side by side,
	// on two connections.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var total int64
	counted := make(chan error, 1)
	go func() {
		counted <- db.r.QueryRowContext(cctx, db.d.expand(`SELECT COUNT(*) FROM pages WHERE `+where), args...).Scan(&total)
	}()
	pages, err := db.explorePage(ctx, db.d.expand(query), pageArgs, limit)
	if err != nil {
		cancel()
	}
	countErr := <-counted
	switch {
	case err != nil:
		return nil, 0, db.wrap("explore pages", err)
	case countErr != nil:
		return nil, 0, db.wrap("explore count", countErr)
	}
	return pages, total, nil
}

func (db *DB) explorePage(ctx context.Context, query string, args []any, limit int) ([]Page, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	pages := make([]Page, 0, min(limit, 128))
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, err
		}
		pages = append(pages, p)
	}
	return pages, rows.Err()
}

// pageReadColumnsP is pageReadColumns qualified by the alias p.
var pageReadColumnsP = "p." + strings.ReplaceAll(pageReadColumns, ", ", ", p.")

// exploreWhere builds the WHERE clause of q (without the keyword) and its
// arguments. Only constants of this file and whitelisted field expressions
// reach the SQL text.
func (d *dialect) exploreWhere(q ExploreQuery) (string, []any, error) {
	var b strings.Builder
	args := []any{q.CrawlID}
	b.WriteString("crawl_id = ?")
	if d == sqliteDialect && q.Check == "" {
		// Always true, and it makes SQLite walk the crawl through the
		// primary key, in table order, instead of through pages_url, whose
		// URL order reads the table at random (measured 4× slower). A check
		// filter does better: its findings drive primary key lookups.
		b.WriteString(" AND id >= ?")
		args = append(args, int64(math.MinInt64))
	}
	if len(q.Filters) > ExploreMaxFilters {
		return "", nil, &QueryError{Part: PartFilter, Msg: fmt.Sprintf("too many filters: at most %d", ExploreMaxFilters)}
	}
	// like is a case-insensitive match of a column with a pattern.
	// SQLite's LIKE folds ASCII letters only. PostgreSQL folds every
	// letter the database's locale knows; lower() then LIKE matches the
	// same as ILIKE, 2× faster (its byte-wise matcher).
	like := func(expr string) string { return expr + " LIKE ? ESCAPE '\\'" }
	if d == postgresDialect {
		like = func(expr string) string { return "lower(" + expr + ") LIKE lower(?) ESCAPE '\\'" }
	}
	for _, flt := range q.Filters {
		f, ok := exploreFieldIndex[flt.Field]
		if !ok {
			return "", nil, &QueryError{Part: PartFilter, Msg: fmt.Sprintf("cannot filter on %s: no such field", quoteName(flt.Field))}
		}
		if !slices.Contains(ExploreOps[f.Kind], flt.Op) {
			return "", nil, &QueryError{Part: PartFilter, Field: f.Name, Msg: fmt.Sprintf("%s: operator %s does not apply to a %s field; use one of %s",
				f.Name, quoteName(flt.Op), f.Kind, strings.Join(ExploreOps[f.Kind], ", "))}
		}
		b.WriteString(" AND ")
		switch flt.Op {
		case OpEmpty, OpNotEmpty:
			// The operator takes no value; one given is ignored.
			b.WriteString(f.expr)
			if flt.Op == OpEmpty {
				b.WriteString(" = ?")
			} else {
				b.WriteString(" <> ?")
			}
			args = append(args, f.empty)
			continue
		}
		if err := checkText(flt.Value); err != nil {
			return "", nil, &QueryError{Part: PartFilter, Field: f.Name, Msg: f.Name + ": the value " + err.Error()}
		}
		switch flt.Op {
		case OpContains, OpNotContains, OpPrefix:
			pat := likeEscape(flt.Value)
			if flt.Op == OpPrefix {
				pat += "%"
			} else {
				pat = "%" + pat + "%"
			}
			if flt.Op == OpNotContains {
				b.WriteString("NOT ")
			}
			b.WriteString(like(f.expr))
			args = append(args, pat)
			continue
		}
		v, err := d.exploreValue(f, flt.Value)
		if err != nil {
			return "", nil, &QueryError{Part: PartFilter, Field: f.Name, Msg: f.Name + ": " + err.Error()}
		}
		b.WriteString(f.expr)
		b.WriteString(compareOps[flt.Op])
		switch {
		case d != postgresDialect:
			b.WriteString("?")
		case f.Kind == KindInt:
			// Most integer columns are INTEGER: a bound int64 beyond its
			// range would fail to encode rather than match nothing.
			b.WriteString("CAST(? AS BIGINT)")
		case f.Kind == KindFloat:
			// An integer column (durations in µs) compares with a
			// fractional value as SQLite does, as numbers.
			b.WriteString("CAST(? AS DOUBLE PRECISION)")
		default:
			b.WriteString("?")
		}
		args = append(args, v)
	}
	if q.Search != "" {
		if err := checkText(q.Search); err != nil {
			return "", nil, &QueryError{Part: PartSearch, Msg: "the search " + err.Error()}
		}
		pat := "%" + likeEscape(q.Search) + "%"
		b.WriteString(" AND (" + like("url") + " OR " + like("title") + ")")
		args = append(args, pat, pat)
	}
	if q.Check != "" {
		if err := checkText(q.Check); err != nil {
			return "", nil, &QueryError{Part: PartCheck, Msg: "the check id " + err.Error()}
		}
		// Probes the findings primary key (crawl_id, check_id, page_id, seq).
		b.WriteString(" AND id IN (SELECT page_id FROM findings WHERE crawl_id = ? AND check_id = ?)")
		args = append(args, q.CrawlID, q.Check)
	}
	return b.String(), args, nil
}

var compareOps = map[string]string{OpEq: " = ", OpNe: " <> ", OpLt: " < ", OpLe: " <= ", OpGt: " > ", OpGe: " >= "}

// exploreValue converts a filter value to the field's column type.
func (d *dialect) exploreValue(f *ExploreField, s string) (any, error) {
	t := strings.TrimSpace(s)
	switch f.Kind {
	case KindText:
		return s, nil
	case KindInt:
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not an integer", strconv.Quote(short(s)))
		}
		return n, nil
	case KindFloat:
		x, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s is not a number", strconv.Quote(short(s)))
		}
		if f.scale != 0 {
			// In the column's unit, rounded to a thousandth so that
			// 12.345 ms is 12345 µs, not 12344.999….
			x = math.Round(x*float64(f.scale)*1000) / 1000
			if math.IsInf(x, 0) {
				return nil, fmt.Errorf("%s is out of range", strconv.Quote(short(s)))
			}
		}
		return x, nil
	case KindBool:
		switch strings.ToLower(t) {
		case "true", "1", "yes":
			return true, nil
		case "false", "0", "no":
			return false, nil
		}
		return nil, fmt.Errorf("%s is not true or false", strconv.Quote(short(s)))
	case KindTime:
		var tm time.Time
		var err error
		if len(t) == len("2006-01-02") {
			tm, err = time.Parse("2006-01-02", t)
		} else {
			tm, err = time.Parse(time.RFC3339Nano, t)
		}
		if err != nil {
			return nil, fmt.Errorf("%s is not a date (2006-01-02) or an RFC 3339 time", strconv.Quote(short(s)))
		}
		return d.timeParam(&tm), nil
	case KindHash:
		h, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(t), "0x"), 16, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a hash of up to 16 hex digits", strconv.Quote(short(s)))
		}
		return int64(h), nil
	}
	return nil, fmt.Errorf("unsupported field kind %s", f.Kind)
}

// checkText refuses what no stored text can hold: PostgreSQL text has no
// NUL byte and is valid UTF-8 (the crawler stores it so). The cap keeps an
// escaped pattern under SQLite's LIKE limit (50,000 bytes).
func checkText(s string) error {
	switch {
	case len(s) > exploreMaxValue:
		return fmt.Errorf("is too long (at most %d bytes)", exploreMaxValue)
	case strings.IndexByte(s, 0) >= 0:
		return fmt.Errorf("contains a NUL byte")
	case !utf8.ValidString(s):
		return fmt.Errorf("is not valid UTF-8")
	}
	return nil
}

// likeEscape makes s a literal LIKE pattern under ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// quoteName quotes a user-given name for a message, shortened.
func quoteName(s string) string { return strconv.Quote(short(s)) }

func short(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// DefaultExploreColumns are the fields shown when none are chosen.
var DefaultExploreColumns = []string{"url", "status", "indexability", "title", "depth", "inlinks", "link_score", "finding_count", "ttfb_ms"}

// ParseExploreParams reads an explore query from its URL form, which the
// API and the web explorer share:
//
//	f=FIELD:OP:VALUE (repeatable; VALUE may hold ':', empty and not_empty
//	take none), q=SEARCH, check=CHECK_ID, sort=FIELD, order=asc|desc,
//	limit=N (1–500), offset=N, cols=a,b,c (repeatable)
//
// knownCheck says whether a check id exists (the store does not know the
// catalogue). Values are checked here as far as they can be without the
// database; Explore checks the filters. Cols are field names, the default
// set when none are given.
func ParseExploreParams(v url.Values, knownCheck func(id string) bool) (ExploreQuery, []string, error) {
	var q ExploreQuery
	for _, f := range v[PartFilter] {
		field, rest, _ := strings.Cut(f, ":")
		op, value, _ := strings.Cut(rest, ":")
		if _, ok := exploreFieldIndex[field]; !ok {
			return q, nil, &QueryError{Part: PartFilter, Msg: fmt.Sprintf("cannot filter on %s: no such field (a filter is FIELD:OP:VALUE)", quoteName(field))}
		}
		q.Filters = append(q.Filters, ExploreFilter{Field: field, Op: op, Value: value})
	}
	q.Search = v.Get(PartSearch)
	q.Check = v.Get(PartCheck)
	if q.Check != "" && (knownCheck == nil || !knownCheck(q.Check)) {
		return q, nil, &QueryError{Part: PartCheck, Msg: fmt.Sprintf("unknown check %s", quoteName(q.Check))}
	}
	q.Sort = v.Get(PartSort)
	if _, ok := exploreFieldIndex[q.Sort]; q.Sort != "" && !ok {
		return q, nil, &QueryError{Part: PartSort, Msg: fmt.Sprintf("cannot sort by %s: no such field", quoteName(q.Sort))}
	}
	switch v.Get(PartOrder) {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		return q, nil, &QueryError{Part: PartOrder, Msg: "order must be asc or desc"}
	}
	var err error
	if q.Limit, err = intParam(v, PartLimit, ExploreDefaultLimit, 1, ExploreMaxLimit); err != nil {
		return q, nil, err
	}
	if q.Offset, err = intParam(v, PartOffset, 0, 0, ExploreMaxOffset); err != nil {
		return q, nil, err
	}
	var cols []string
	seen := map[string]bool{}
	for _, c := range v[PartColumns] {
		for _, name := range strings.Split(c, ",") {
			name = strings.TrimSpace(name)
			if name == "" || seen[name] {
				continue
			}
			if _, ok := exploreFieldIndex[name]; !ok {
				return q, nil, &QueryError{Part: PartColumns, Msg: fmt.Sprintf("cannot show %s: no such field", quoteName(name))}
			}
			seen[name] = true
			cols = append(cols, name)
		}
	}
	if len(cols) == 0 {
		cols = DefaultExploreColumns
	}
	return q, cols, nil
}

func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, &QueryError{Part: name, Msg: fmt.Sprintf("%s must be an integer from %d to %d", name, lo, hi)}
	}
	return n, nil
}

// ExploreParams is the URL form of a query and its columns, the inverse of
// ParseExploreParams; defaults are left out.
func ExploreParams(q ExploreQuery, cols []string) url.Values {
	v := url.Values{}
	for _, f := range q.Filters {
		s := f.Field + ":" + f.Op
		if OpTakesValue(f.Op) {
			s += ":" + f.Value
		}
		v.Add(PartFilter, s)
	}
	if q.Search != "" {
		v.Set(PartSearch, q.Search)
	}
	if q.Check != "" {
		v.Set(PartCheck, q.Check)
	}
	if q.Sort != "" {
		v.Set(PartSort, q.Sort)
	}
	if q.Desc {
		v.Set(PartOrder, "desc")
	}
	if q.Limit != 0 && q.Limit != ExploreDefaultLimit {
		v.Set(PartLimit, strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set(PartOffset, strconv.Itoa(q.Offset))
	}
	if len(cols) > 0 && !slices.Equal(cols, DefaultExploreColumns) {
		v.Set(PartColumns, strings.Join(cols, ","))
	}
	return v
}
