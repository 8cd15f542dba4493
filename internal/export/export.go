// Package export streams a crawl's pages and links as CSV or JSON Lines.
// Rows are read in keyset pages and written as they come, so memory stays
// flat whatever the size of the crawl.
//
// Crawled text is hostile: CSV is quoted by encoding/csv and cells that a
// spreadsheet would read as a formula get a leading single quote; JSON Lines
// go through encoding/json, which also escapes <, > and &.
package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/store"
)

// Store is what an export reads.
type Store interface {
	PagesList(ctx context.Context, crawlID, afterID int64, limit int) ([]store.Page, error)
	LinksWithURLs(ctx context.Context, crawlID, afterSource int64, afterPos, limit int) ([]store.LinkURLs, error)
	FindingsList(ctx context.Context, crawlID int64, checkID string, after store.Finding, limit int) ([]store.FindingURL, error)
}

// Format is an export file format.
type Format string

// Formats.
const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
)

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case CSV, JSONL:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use csv or jsonl", s)
}

// ContentType is the MIME type of the format.
func (f Format) ContentType() string {
	if f == JSONL {
		return "application/x-ndjson"
	}
	return "text/csv; charset=utf-8"
}

// batch is how many rows one query reads.
const batch = 1000

// PageColumns are the page export's columns: CSV's header and JSON's keys,
// in order.
var PageColumns = []string{
	"id", "url", "internal", "state", "reason", "depth", "found_from", "in_sitemap",
	"status", "fetch_error", "content_type", "charset", "proto", "size", "truncated", "ttfb_ms", "time_ms",
	"retries", "redirect_url", "crawled_at",
	"title", "title_length", "title_count", "description", "description_length", "description_count",
	"h1", "h1_count", "h2_count", "canonical", "meta_robots", "x_robots_tag", "robots_blocked",
	"indexable", "indexability", "lang", "hreflang", "word_count", "content_hash", "simhash",
	"jsonld_types", "image_count", "images_missing_alt", "internal_outlinks", "external_outlinks",
	"inlinks", "unique_inlinks", "link_score", "redirect_final_id", "redirect_hops", "redirect_loop",
	"title_dup", "description_dup", "h1_dup", "content_dup", "near_dup", "finding_count",
}

// LinkColumns are the link export's columns.
var LinkColumns = []string{"source_url", "target_url", "kind", "text", "nofollow", "ugc", "sponsored", "internal", "position"}

// PageRow is one exported page. found_from is the id of the page where the
// URL was first found (0: none); hreflang and jsonld_types are JSON arrays
// (their JSON text in CSV); hashes are 16 hex digits ("" when not crawled).
type PageRow struct {
	ID                int64           `json:"id"`
	URL               string          `json:"url"`
	Internal          bool            `json:"internal"`
	State             string          `json:"state"`
	Reason            string          `json:"reason"`
	Depth             int             `json:"depth"`
	FoundFrom         int64           `json:"found_from"`
	InSitemap         bool            `json:"in_sitemap"`
	Status            int             `json:"status"`
	FetchError        string          `json:"fetch_error"`
	ContentType       string          `json:"content_type"`
	Charset           string          `json:"charset"`
	Proto             string          `json:"proto"`
	Size              int64           `json:"size"`
	Truncated         bool            `json:"truncated"`
	TTFBMs            float64         `json:"ttfb_ms"`
	TimeMs            float64         `json:"time_ms"`
	Retries           int             `json:"retries"`
	RedirectURL       string          `json:"redirect_url"`
	CrawledAt         *string         `json:"crawled_at"`
	Title             string          `json:"title"`
	TitleLength       int             `json:"title_length"`
	TitleCount        int             `json:"title_count"`
	Description       string          `json:"description"`
	DescriptionLength int             `json:"description_length"`
	DescriptionCount  int             `json:"description_count"`
	H1                string          `json:"h1"`
	H1Count           int             `json:"h1_count"`
	H2Count           int             `json:"h2_count"`
	Canonical         string          `json:"canonical"`
	MetaRobots        string          `json:"meta_robots"`
	XRobotsTag        string          `json:"x_robots_tag"`
	RobotsBlocked     bool            `json:"robots_blocked"`
	Indexable         bool            `json:"indexable"`
	Indexability      string          `json:"indexability"`
	Lang              string          `json:"lang"`
	Hreflang          json.RawMessage `json:"hreflang"`
	WordCount         int             `json:"word_count"`
	ContentHash       string          `json:"content_hash"`
	SimHash           string          `json:"simhash"`
	JSONLDTypes       json.RawMessage `json:"jsonld_types"`
	ImageCount        int             `json:"image_count"`
	ImagesMissingAlt  int             `json:"images_missing_alt"`
	InternalOutlinks  int             `json:"internal_outlinks"`
	ExternalOutlinks  int             `json:"external_outlinks"`
	// The audit's results (0 until the crawl is audited); *_dup are the
	// lowest page id of the page's duplicate cluster.
	Inlinks         int     `json:"inlinks"`
	UniqueInlinks   int     `json:"unique_inlinks"`
	LinkScore       float64 `json:"link_score"`
	RedirectFinalID int64   `json:"redirect_final_id"`
	RedirectHops    int     `json:"redirect_hops"`
	RedirectLoop    bool    `json:"redirect_loop"`
	TitleDup        int64   `json:"title_dup"`
	DescriptionDup  int64   `json:"description_dup"`
	H1Dup           int64   `json:"h1_dup"`
	ContentDup      int64   `json:"content_dup"`
	NearDup         int64   `json:"near_dup"`
	FindingCount    int     `json:"finding_count"`
}

// TimeFormat is crawled_at's format: RFC 3339 in UTC, to the millisecond.
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// PageRowOf is a page as the exports (and the API's page detail) show it.
func PageRowOf(p *store.Page) PageRow {
	r := PageRow{
		ID: p.ID, URL: p.URL, Internal: p.Internal, State: p.State, Reason: p.Reason, Depth: p.Depth,
		FoundFrom: p.FoundFrom, InSitemap: p.InSitemap, Status: p.Status, FetchError: p.FetchError,
		ContentType: p.ContentType, Charset: p.Charset, Proto: p.Proto, Size: p.Size, Truncated: p.Truncated,
		TTFBMs: float64(p.TTFBMicros) / 1000, TimeMs: float64(p.TimeMicros) / 1000, Retries: p.Retries,
		RedirectURL: p.RedirectURL, Title: p.Title, TitleLength: p.TitleLength, TitleCount: p.TitleCount,
		Description: p.Description, DescriptionLength: p.DescriptionLength, DescriptionCount: p.DescriptionCount,
		H1: p.H1, H1Count: p.H1Count, H2Count: p.H2Count, Canonical: p.Canonical, MetaRobots: p.MetaRobots,
		XRobotsTag: p.XRobotsTag, RobotsBlocked: p.RobotsBlocked, Indexable: p.Indexable, Indexability: p.Indexability,
		Lang: p.Lang, Hreflang: jsonArray(p.Hreflang), WordCount: p.WordCount, ContentHash: hash(p.ContentHash),
		SimHash: hash(p.SimHash), JSONLDTypes: jsonArray(p.JSONLDTypes), ImageCount: p.ImageCount,
		ImagesMissingAlt: p.ImagesMissingAlt, InternalOutlinks: p.InternalOutlinks, ExternalOutlinks: p.ExternalOutlinks,
		Inlinks: p.Inlinks, UniqueInlinks: p.UniqueInlinks, LinkScore: math.Round(p.LinkScore*100) / 100,
		RedirectFinalID: p.RedirectFinalID, RedirectHops: p.RedirectHops, RedirectLoop: p.RedirectLoop,
		TitleDup: p.TitleDup, DescriptionDup: p.DescriptionDup, H1Dup: p.H1Dup, ContentDup: p.ContentDup,
		NearDup: p.NearDup, FindingCount: p.FindingCount,
	}
	if p.CrawledAt != nil {
		s := p.CrawledAt.UTC().Format(TimeFormat)
		r.CrawledAt = &s
	}
	return r
}

// jsonArray passes stored JSON through; anything else (never written by
// the crawler) becomes a JSON string rather than breaking the line.
func jsonArray(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("[]")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func hash(h int64) string {
	if h == 0 {
		return ""
	}
	return fmt.Sprintf("%016x", uint64(h))
}

// record appends the row's CSV cells, in PageColumns order.
func (r *PageRow) record(rec []string) []string {
	crawledAt := ""
	if r.CrawledAt != nil {
		crawledAt = *r.CrawledAt
	}
	return append(rec[:0],
		i64(r.ID), text(r.URL), b(r.Internal), text(r.State), text(r.Reason), itoa(r.Depth), i64(r.FoundFrom), b(r.InSitemap),
		itoa(r.Status), text(r.FetchError), text(r.ContentType), text(r.Charset), text(r.Proto), i64(r.Size), b(r.Truncated),
		ms(r.TTFBMs), ms(r.TimeMs), itoa(r.Retries), text(r.RedirectURL), crawledAt,
		text(r.Title), itoa(r.TitleLength), itoa(r.TitleCount), text(r.Description), itoa(r.DescriptionLength), itoa(r.DescriptionCount),
		text(r.H1), itoa(r.H1Count), itoa(r.H2Count), text(r.Canonical), text(r.MetaRobots), text(r.XRobotsTag), b(r.RobotsBlocked),
		b(r.Indexable), text(r.Indexability), text(r.Lang), text(string(r.Hreflang)), itoa(r.WordCount), r.ContentHash, r.SimHash,
		text(string(r.JSONLDTypes)), itoa(r.ImageCount), itoa(r.ImagesMissingAlt), itoa(r.InternalOutlinks), itoa(r.ExternalOutlinks),
		itoa(r.Inlinks), itoa(r.UniqueInlinks), ms(r.LinkScore), i64(r.RedirectFinalID), itoa(r.RedirectHops), b(r.RedirectLoop),
		i64(r.TitleDup), i64(r.DescriptionDup), i64(r.H1Dup), i64(r.ContentDup), i64(r.NearDup), itoa(r.FindingCount),
	)
}

// LinkRow is one exported link.
type LinkRow struct {
	SourceURL string `json:"source_url"`
	TargetURL string `json:"target_url"`
	Kind      string `json:"kind"`
	Text      string `json:"text"`
	Nofollow  bool   `json:"nofollow"`
	UGC       bool   `json:"ugc"`
	Sponsored bool   `json:"sponsored"`
	Internal  bool   `json:"internal"`
	Position  int    `json:"position"`
}

func linkRow(l *store.LinkURLs) LinkRow {
	return LinkRow{SourceURL: l.SourceURL, TargetURL: l.TargetURL, Kind: l.Kind, Text: l.Text,
		Nofollow: l.Flags&store.LinkNofollow != 0, UGC: l.Flags&store.LinkUGC != 0,
		Sponsored: l.Flags&store.LinkSponsored != 0, Internal: l.Internal, Position: l.Position}
}

func (r *LinkRow) record(rec []string) []string {
	return append(rec[:0], text(r.SourceURL), text(r.TargetURL), text(r.Kind), text(r.Text),
		b(r.Nofollow), b(r.UGC), b(r.Sponsored), b(r.Internal), itoa(r.Position))
}

// Pages writes a crawl's pages in id order and returns how many it wrote.
// An error may come after rows were written: the output is then cut short.
func Pages(ctx context.Context, db Store, crawlID int64, format Format, w io.Writer) (int64, error) {
	var after int64
	return stream(format, w, PageColumns, func(emit func(rowWriter) error) (int, error) {
		pages, err := db.PagesList(ctx, crawlID, after, batch)
		if err != nil || len(pages) == 0 {
			return 0, err
		}
		for i := range pages {
			r := PageRowOf(&pages[i])
			if err := emit(&r); err != nil {
				return 0, err
			}
		}
		after = pages[len(pages)-1].ID
		return len(pages), nil
	})
}

// Links writes a crawl's links in (source page, position) order with their
// source and target URLs, and returns how many it wrote.
func Links(ctx context.Context, db Store, crawlID int64, format Format, w io.Writer) (int64, error) {
	var afterSource int64
	afterPos := -1
	return stream(format, w, LinkColumns, func(emit func(rowWriter) error) (int, error) {
		links, err := db.LinksWithURLs(ctx, crawlID, afterSource, afterPos, batch)
		if err != nil || len(links) == 0 {
			return 0, err
		}
		for i := range links {
			r := linkRow(&links[i])
			if err := emit(&r); err != nil {
				return 0, err
			}
		}
		last := links[len(links)-1]
		afterSource, afterPos = last.SourceID, last.Position
		return len(links), nil
	})
}

// FindingColumns are the findings export's columns.
var FindingColumns = []string{"check_id", "severity", "check", "url", "element"}

// FindingRow is one exported finding: the check (id, severity and title
// from the catalogue), the page's URL and the offending element.
type FindingRow struct {
	CheckID  string `json:"check_id"`
	Severity string `json:"severity"`
	Check    string `json:"check"`
	URL      string `json:"url"`
	Element  string `json:"element"`
}

func (r *FindingRow) record(rec []string) []string {
	return append(rec[:0], text(r.CheckID), text(r.Severity), text(r.Check), text(r.URL), text(r.Element))
}

// Findings writes a crawl's findings in (check, page, element) order and
// returns how many it wrote.
func Findings(ctx context.Context, db Store, crawlID int64, format Format, w io.Writer) (int64, error) {
	var after store.Finding
	return stream(format, w, FindingColumns, func(emit func(rowWriter) error) (int, error) {
		fs, err := db.FindingsList(ctx, crawlID, "", after, batch)
		if err != nil || len(fs) == 0 {
			return 0, err
		}
		for i := range fs {
			f := &fs[i]
			c, _ := audit.CheckByID(f.CheckID)
			r := FindingRow{CheckID: f.CheckID, Severity: string(c.Severity), Check: c.Title, URL: f.URL, Element: f.Element}
			if err := emit(&r); err != nil {
				return 0, err
			}
		}
		after = fs[len(fs)-1].Finding
		return len(fs), nil
	})
}

// rowWriter is a row that can be written as CSV cells (or as JSON).
type rowWriter interface {
	record(rec []string) []string
}

// stream writes the header (CSV), then every batch next returns, flushing
// after each batch so the reader sees rows as they are read.
func stream(format Format, w io.Writer, header []string, next func(emit func(rowWriter) error) (int, error)) (int64, error) {
	var emit func(rowWriter) error
	var flush func() error
	switch format {
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return 0, err
		}
		var rec []string
		emit = func(r rowWriter) error {
			rec = r.record(rec)
			return cw.Write(rec)
		}
		flush = func() error { cw.Flush(); return cw.Error() }
	case JSONL:
		bw := bufio.NewWriterSize(w, 32<<10)
		enc := json.NewEncoder(bw) // escapes <, > and & (SetEscapeHTML defaults to true)
		emit = func(r rowWriter) error { return enc.Encode(r) }
		flush = bw.Flush
	default:
		return 0, fmt.Errorf("unknown format %q: use csv or jsonl", format)
	}
	var rows int64
	for {
		n, err := next(emit)
		if err != nil {
			// Not flushed: an export that fails before its first batch
			// sends nothing, so an HTTP handler can still answer an error.
			return rows, err
		}
		rows += int64(n)
		if err := flush(); err != nil {
			return rows, err
		}
		if n < batch {
			return rows, nil
		}
	}
}

// text is a CSV cell of text from the crawl: one a spreadsheet would run as
// a formula (=, +, -, @, tab, carriage return first) gets a leading single
// quote (OWASP's CSV injection advice).
func text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func itoa(n int) string   { return strconv.Itoa(n) }
func i64(n int64) string  { return strconv.FormatInt(n, 10) }
func ms(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
func b(v bool) string {
	if v {
		return "true"
	}
	return "false"
}
