package audit_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/store"
)

// A small crawl, written by hand, whose every finding is listed below.
const (
	sameTitle = "Same title for both pages here ok" // 33 characters
	descA     = "A description of page A long enough to pass the seventy character minimum."
	descB     = "Another description, for page B, also long enough for the seventy minimum."
	descOK    = "A third description that is comfortably between seventy and 155 characters long."
)

func html(id int64, url string, depth int) store.AuditPage {
	return store.AuditPage{ID: id, URL: url, Internal: true, State: store.PageCrawled, Depth: depth, Status: 200,
		ContentType: "text/html", Indexable: true, TitleCount: 1, DescriptionCount: 1, H1Count: 1, H1: "Heading",
		Canonical: url, WordCount: 300, InternalOutlinks: 1, Size: 1000, TTFBMicros: 1000}
}

func withTitle(p store.AuditPage, title, desc string) store.AuditPage {
	p.Title, p.TitleLength = title, len([]rune(title))
	p.Description, p.DescriptionLength = desc, len([]rune(desc))
	return p
}

func redirect(id int64, url, to string) store.AuditPage {
	return store.AuditPage{ID: id, URL: url, Internal: true, State: store.PageCrawled, Status: 301, Indexability: "redirect", RedirectURL: to}
}

func fixture() ([]store.AuditPage, []store.AuditLink) {
	p1 := withTitle(html(1, "http://s/", 0), "Home", "")
	p1.DescriptionCount = 0
	p1.InternalOutlinks = 4
	p1.ContentHash, p1.SimHash, p1.H1 = 1, 0x0f0f0f0f0f0f0f0f, "Home"

	p2 := withTitle(html(2, "http://s/a", 1), sameTitle, descA)
	p2.H1, p2.H1Count, p2.Canonical, p2.WordCount, p2.InSitemap = "A", 2, "", 50, true
	p2.ContentHash, p2.SimHash = 77, 0x7777
	p3 := withTitle(html(3, "http://s/b", 5), sameTitle, descB)
	p3.H1, p3.WordCount = "B", 250
	p3.ContentHash, p3.SimHash = 77, 0x7777

	p8 := store.AuditPage{ID: 8, URL: "http://s/404", Internal: true, State: store.PageCrawled, Status: 404, Indexability: "client-error"}
	p13 := store.AuditPage{ID: 13, URL: "http://s/500", Internal: true, State: store.PageCrawled, Status: 500, Indexability: "server-error"}
	p9 := store.AuditPage{ID: 9, URL: "http://s/orphan", Internal: true, State: store.PageExcluded, Depth: -1, InSitemap: true}
	p10 := store.AuditPage{ID: 10, URL: "http://x/img.png", State: store.PageExternal}
	p11 := withTitle(html(11, "http://s/fr", 1), "Une page en français, titre correct", descOK)
	p11.ContentHash, p11.SimHash, p11.H1 = 99, -1, "Titre"
	p12 := withTitle(html(12, "http://s/slow", 1), "A slow, large page that is not indexable", descOK)
	p12.Indexable, p12.Indexability, p12.InSitemap, p12.TTFBMicros, p12.Size, p12.WordCount = false, "noindex", true, 900_000, 2_000_000, 10
	p12.H1 = "Slow"
	pages := []store.AuditPage{p13, p12, p11, p10, p9, p8, // any order
		redirect(7, "http://s/loop2", "http://s/loop1"), redirect(6, "http://s/loop1", "http://s/loop2"),
		redirect(5, "http://s/r2", "http://s/a"), redirect(4, "http://s/r1", "http://s/r2"), p3, p2, p1}

	a := func(src int64, pos int, to int64, flags int) store.AuditLink {
		return store.AuditLink{SourceID: src, Position: pos, TargetID: to, Kind: "anchor", Flags: flags, Internal: to != 10}
	}
	links := []store.AuditLink{
		a(1, 0, 2, 0), a(1, 1, 2, 0), a(1, 2, 4, 0), a(1, 3, 8, 0), a(1, 4, 8, 0), a(1, 5, 3, store.LinkNofollow),
		{SourceID: 1, Position: 6, TargetID: 10, Kind: "image", Flags: store.LinkAltMissing},
		{SourceID: 1, Position: 7, TargetID: 10, Kind: "image", Flags: store.LinkAltMissing}, // same image: once
		a(1, 8, 1, 0), // self-link: not an inlink
		a(1, 9, 13, 0),
		{SourceID: 2, Position: 0, TargetID: 2, Kind: "canonical", Internal: true},
		a(2, 1, 1, 0), a(2, 2, 3, 0),
		a(3, 0, 1, 0),
		{SourceID: 4, Position: 0, TargetID: 5, Kind: "redirect", Internal: true},
		{SourceID: 11, Position: 0, TargetID: 2, Kind: "hreflang", Internal: true},
		{SourceID: 11, Position: 1, TargetID: 8, Kind: "hreflang", Internal: true},
		{SourceID: 11, Position: 2, TargetID: 11, Kind: "hreflang", Internal: true},
		a(11, 3, 1, 0),
		{SourceID: 99, Position: 0, TargetID: 1, Kind: "anchor", Internal: true}, // unknown source: ignored
	}
	return pages, links
}

var wantFindings = []string{
	"description_missing|http://s/|",
	"image_missing_alt|http://s/|http://x/img.png",
	"link_to_broken|http://s/|http://s/404",
	"link_to_broken|http://s/|http://s/500",
	"status_5xx|http://s/500|500",
	"link_to_redirect|http://s/|http://s/r1",
	"nofollow_internal|http://s/|http://s/b",
	"title_too_short|http://s/|Home",
	"canonical_missing|http://s/a|",
	"duplicate_content|http://s/a|http://s/b",
	"h1_multiple|http://s/a|2",
	"thin_content|http://s/a|50",
	"title_duplicate|http://s/a|" + sameTitle,
	"deep_page|http://s/b|5",
	"duplicate_content|http://s/b|http://s/a",
	"title_duplicate|http://s/b|" + sameTitle,
	"redirect|http://s/r1|http://s/r2",
	"redirect_chain|http://s/r1|http://s/a",
	"redirect|http://s/r2|http://s/a",
	"redirect|http://s/loop1|http://s/loop2",
	"redirect_loop|http://s/loop1|http://s/loop1",
	"redirect|http://s/loop2|http://s/loop1",
	"redirect_loop|http://s/loop2|http://s/loop2",
	"status_4xx|http://s/404|404",
	"orphan|http://s/orphan|",
	"hreflang_no_return|http://s/fr|http://s/a",
	"hreflang_to_non200|http://s/fr|http://s/404",
	"large_page|http://s/slow|2000000",
	"non_indexable|http://s/slow|noindex",
	"orphan|http://s/slow|",
	"sitemap_non_indexable|http://s/slow|noindex",
	"slow_page|http://s/slow|900 ms",
}

func findingStrings(pages []store.AuditPage, fs []store.Finding) []string {
	url := map[int64]string{}
	for _, p := range pages {
		url[p.ID] = p.URL
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.CheckID+"|"+url[f.PageID]+"|"+f.Element)
	}
	slices.Sort(out)
	return out
}

func run(cfg audit.Config, chunk int) ([]store.AuditPage, []store.PageAuditRow, []store.Finding) {
	pages, links := fixture()
	an := audit.NewAnalysis(cfg, 1, pages)
	for len(links) > 0 {
		n := min(chunk, len(links))
		an.AddLinks(links[:n])
		links = links[n:]
	}
	rows, fs := an.Finish()
	return pages, rows, fs
}

func TestAnalysisFindings(t *testing.T) {
	want := slices.Clone(wantFindings)
	slices.Sort(want)
	// Links split anywhere (even inside one source's links) give the same
	// result.
	for _, chunk := range []int{1, 3, 1000} {
		pages, rows, fs := run(audit.Config{}, chunk)
		if got := findingStrings(pages, fs); !slices.Equal(got, want) {
			t.Fatalf("chunk %d: findings differ\n got: %s\nwant: %s", chunk, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
		}
		for _, f := range fs {
			if f.CrawlID != 1 {
				t.Fatalf("finding %+v: crawl id", f)
			}
			if _, ok := audit.CheckByID(f.CheckID); !ok {
				t.Fatalf("finding of unknown check %q", f.CheckID)
			}
		}
		count := map[int64]int{}
		for _, f := range fs {
			count[f.PageID]++
		}
		// Seq numbers a page's findings of a check from 0, in document
		// order: the 404 link comes before the 500 link.
		seq := map[string]int{}
		for _, f := range fs {
			k := fmt.Sprint(f.CheckID, f.PageID)
			if f.Seq != seq[k] {
				t.Fatalf("finding %+v: seq %d, want %d", f, f.Seq, seq[k])
			}
			seq[k]++
			if f.CheckID == "link_to_broken" && (f.Seq == 0) != (f.Element == "http://s/404") {
				t.Fatalf("link_to_broken out of document order: %+v", f)
			}
		}
		for _, r := range rows {
			if r.FindingCount != count[r.ID] {
				t.Fatalf("page %d: finding_count %d, %d findings", r.ID, r.FindingCount, count[r.ID])
			}
		}
	}
}

func TestAnalysisPageResults(t *testing.T) {
	_, rows, _ := run(audit.Config{}, 1000)
	by := map[int64]store.PageAudit{}
	for i, r := range rows {
		if i > 0 && rows[i-1].ID >= r.ID {
			t.Fatalf("rows not in id order")
		}
		by[r.ID] = r.PageAudit
	}
	inl := func(id int64, all, unique int) {
		t.Helper()
		if by[id].Inlinks != all || by[id].UniqueInlinks != unique {
			t.Errorf("page %d inlinks %d/%d, want %d/%d", id, by[id].Inlinks, by[id].UniqueInlinks, all, unique)
		}
	}
	inl(1, 3, 3) // from 2, 3 and 11; not its self-link
	inl(2, 2, 1) // twice from 1
	inl(3, 2, 2) // nofollow from 1 counts as an inlink, and from 2
	inl(8, 2, 1)
	inl(13, 1, 1)
	inl(9, 0, 0)
	if r := by[4]; r.RedirectFinalID != 2 || r.RedirectHops != 2 || r.RedirectLoop {
		t.Errorf("r1 chain = %+v", r)
	}
	if r := by[5]; r.RedirectFinalID != 2 || r.RedirectHops != 1 {
		t.Errorf("r2 chain = %+v", r)
	}
	if r := by[6]; !r.RedirectLoop || r.RedirectFinalID != 0 {
		t.Errorf("loop1 = %+v", r)
	}
	if by[2].TitleDup != 2 || by[3].TitleDup != 2 || by[2].ContentDup != 2 || by[3].ContentDup != 2 || by[1].TitleDup != 0 {
		t.Errorf("duplicate groups: 2 = %+v, 3 = %+v", by[2], by[3])
	}
	// Link score: the eligible pages are 1, 2, 3 and 11 (indexable HTML);
	// the followed links between them are 1→2, 2→1, 2→3, 3→1, 11→1 (1→3 is
	// nofollow). The dense computation must equal LinkScore on that graph.
	_, score := audit.LinkScore(
		[]audit.Node{{ID: 1, Eligible: true}, {ID: 2, Eligible: true}, {ID: 3, Eligible: true}, {ID: 11, Eligible: true}},
		[]audit.Edge{{From: 1, To: 2}, {From: 2, To: 1}, {From: 2, To: 3}, {From: 3, To: 1}, {From: 11, To: 1}})
	for id, s := range score {
		if math.Abs(by[id].LinkScore-s) > 1e-9 {
			t.Errorf("page %d link score %v, want %v", id, by[id].LinkScore, s)
		}
	}
	if by[1].LinkScore != 100 || by[11].LinkScore != 0 || by[12].LinkScore != 0 || by[4].LinkScore != 0 {
		t.Errorf("link scores: home %v, fr %v, noindex %v, redirect %v", by[1].LinkScore, by[11].LinkScore, by[12].LinkScore, by[4].LinkScore)
	}
}

func TestAnalysisConfig(t *testing.T) {
	cfg := audit.Config{Disabled: []string{"thin_content", "redirect"}, TitleMin: 3, SlowTTFBMs: 1000, MaxDepth: 5}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	pages, rows, fs := run(cfg, 1000)
	got := findingStrings(pages, fs)
	for _, f := range wantFindings {
		check := f[:strings.Index(f, "|")]
		gone := check == "thin_content" || check == "redirect" || check == "title_too_short" || check == "slow_page" || check == "deep_page"
		if slices.Contains(got, f) == gone {
			t.Errorf("%s: present = %v under %+v", f, !gone, cfg)
		}
	}
	for _, r := range rows {
		if r.ID == 4 && (r.FindingCount != 1 || r.RedirectHops != 2) {
			t.Errorf("r1 with redirect disabled: %+v (the chain is still computed and reported)", r)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		json, field string
	}{
		{`{"disabled":["nope"]}`, "disabled[0]"},
		{`{"title_min":-1}`, "title_min"},
		{`{"title_min":80}`, "title_min"},
		{`{"description_min":200}`, "description_min"},
		{`{"near_distance":40}`, "near_distance"},
		{`{"slow_ttfb_ms":1e9}`, ""}, // not an int: a decode error
		{`{"unknown":1}`, ""},
	} {
		_, err := audit.ParseConfig([]byte(tc.json))
		if err == nil {
			t.Errorf("%s accepted", tc.json)
			continue
		}
		var fe *audit.FieldError
		if tc.field != "" && (!asField(err, &fe) || fe.Field != tc.field) {
			t.Errorf("%s: err = %v, want field %s", tc.json, err, tc.field)
		}
	}
	c, err := audit.ParseConfig([]byte(`{"title_max":70,"disabled":["orphan"]}`))
	if err != nil || c.WithDefaults().TitleMax != 70 || c.WithDefaults().TitleMin != 30 || c.Enabled("orphan") || !c.Enabled("deep_page") {
		t.Fatalf("partial config = %+v, %v", c.WithDefaults(), err)
	}
}

func asField(err error, fe **audit.FieldError) bool {
	e, ok := err.(*audit.FieldError)
	*fe = e
	return ok
}

// Every check of the catalogue is complete and its id unique.
func TestCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range audit.Catalogue {
		if seen[c.ID] {
			t.Errorf("check %s twice", c.ID)
		}
		seen[c.ID] = true
		if c.Group == "" || c.Title == "" || c.Why == "" || c.Fix == "" || c.Rule == "" || c.Element == "" {
			t.Errorf("check %s incomplete: %+v", c.ID, c)
		}
		switch c.Severity {
		case audit.SevIssue, audit.SevWarning, audit.SevOpportunity:
		default:
			t.Errorf("check %s: severity %q", c.ID, c.Severity)
		}
	}
	if len(seen) < 40 {
		t.Errorf("%d checks", len(seen))
	}
}
