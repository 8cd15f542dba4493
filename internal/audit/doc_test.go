package audit_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/scouter-seo/scouter/internal/audit"
)

// TestChecksDoc keeps docs/CHECKS.md equal to the catalogue it documents.
// Regenerate with: SCOUTER_UPDATE_DOCS=1 go test -run TestChecksDoc ./internal/audit/
func TestChecksDoc(t *testing.T) {
	const path = "../../docs/CHECKS.md"
	want := checksDoc()
	if os.Getenv("SCOUTER_UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/CHECKS.md is not the catalogue's (%v); regenerate: SCOUTER_UPDATE_DOCS=1 go test -run TestChecksDoc ./internal/audit/", err)
	}
}

func checksDoc() string {
	var b strings.Builder
	d := audit.Defaults
	b.WriteString(`# The audit's checks

Generated from the catalogue in internal/audit/catalog.go by
` + "`SCOUTER_UPDATE_DOCS=1 go test -run TestChecksDoc ./internal/audit/`" + `; a test keeps
the two equal.

After a crawl completes, its **audit job** (kind ` + "`audit`" + `, same queue, own log
lines and progress in the crawl panel) reads the crawl's pages and links,
computes inlinks, link score, redirect chains, duplicate clusters and orphans,
runs every check below and stores one **finding** per offending element.
Severities: **issue** (harms indexing or users), **warning** (probably costs
rankings or crawl budget), **opportunity** (worth doing).

## Terms

- *internal page*: a URL of the crawled site (start host, its www/bare twin, allowed hosts).
- *crawled page*: an internal page that was requested (state ` + "`crawled`" + `).
- *HTML page*: a crawled page with status 200, no fetch error and a media type of
  text/html or application/xhtml+xml.
- *anchor edge*: an internal ` + "`<a href>`" + ` link to another page (self-links never count).
- Lengths are in characters (not bytes), after collapsing white space.
- Where a check says "once per distinct target", several links of one page to the same
  URL give one finding, in the order of their first occurrence.

## Settings

Each crawl carries its audit settings in its options (` + "`options.audit`" + ` in
` + "`POST /api/v1/crawls`" + `); ` + "`POST /api/v1/crawls/{id}/audit`" + ` runs the audit again with new ones.
Zero or absent thresholds take the default.

| setting | default | used by |
| --- | --- | --- |
`)
	fmt.Fprintf(&b, "| `disabled` | `[]` | check ids turned off for this crawl |\n")
	fmt.Fprintf(&b, "| `title_min`, `title_max` | %d, %d | title_too_short, title_too_long |\n", d.TitleMin, d.TitleMax)
	fmt.Fprintf(&b, "| `description_min`, `description_max` | %d, %d | description_too_short, description_too_long |\n", d.DescriptionMin, d.DescriptionMax)
	fmt.Fprintf(&b, "| `max_depth` | %d | deep_page |\n", d.MaxDepth)
	fmt.Fprintf(&b, "| `slow_ttfb_ms` | %d | slow_page |\n", d.SlowTTFBMs)
	fmt.Fprintf(&b, "| `large_bytes` | %d | large_page |\n", d.LargeBytes)
	fmt.Fprintf(&b, "| `thin_words` | %d | thin_content |\n", d.ThinWords)
	fmt.Fprintf(&b, "| `near_distance` | %d | near_duplicate (bits of 64) |\n", d.NearDistance)
	b.WriteString(`
## Computed per page

| column | meaning |
| --- | --- |
| ` + "`inlinks`, `unique_inlinks`" + ` | anchor edges to the page: every occurrence, and distinct source pages (nofollow included) |
| ` + "`link_score`" + ` | internal PageRank (damping 0.85) over the indexable HTML pages and the followed anchor edges between them, each (source, target) pair once; log-scaled 0–100; 0 for other pages |
| ` + "`redirect_final_id`, `redirect_hops`, `redirect_loop`" + ` | for a redirecting page: where its chain ends, how many redirects it follows, whether it loops |
| ` + "`title_dup`, `description_dup`, `h1_dup`, `content_dup`, `near_dup`" + ` | the lowest page id of the page's duplicate cluster (0: none), over indexable HTML pages |
| ` + "`finding_count`" + ` | the page's findings |

## Checks
`)
	group := ""
	for _, c := range audit.Catalogue {
		if c.Group != group {
			group = c.Group
			fmt.Fprintf(&b, "\n### %s\n", group)
		}
		fmt.Fprintf(&b, "\n#### `%s` — %s (%s)\n\n%s\n\n- **Fix:** %s\n- **Rule:** %s\n- **Element:** %s\n",
			c.ID, c.Title, c.Severity, c.Why, c.Fix, c.Rule, c.Element)
	}
	return b.String()
}
