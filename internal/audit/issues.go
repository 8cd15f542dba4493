package audit

import (
	"cmp"
	"slices"

	"github.com/scouter-seo/scouter/internal/store"
)

// IssueCount is a check of the catalogue with its counts in one crawl.
type IssueCount struct {
	Check
	Enabled  bool // false: turned off in the crawl's audit settings
	Findings int64
	Pages    int64
}

// Issues merges a crawl's finding counts into the catalogue: every check,
// those without findings included, issues first, then warnings, then
// opportunities, each by findings (most first) and in catalogue order among
// equals. Counts of checks the catalogue does not know are left out.
func Issues(counts []store.FindingCount, cfg Config) []IssueCount {
	byID := make(map[string]store.FindingCount, len(counts))
	for _, fc := range counts {
		byID[fc.CheckID] = fc
	}
	out := make([]IssueCount, 0, len(Catalogue))
	for _, c := range Catalogue {
		fc := byID[c.ID]
		out = append(out, IssueCount{Check: c, Enabled: cfg.Enabled(c.ID), Findings: fc.Findings, Pages: fc.Pages})
	}
	slices.SortStableFunc(out, func(a, b IssueCount) int {
		return cmp.Or(cmp.Compare(a.Severity.Rank(), b.Severity.Rank()), cmp.Compare(b.Findings, a.Findings))
	})
	return out
}

// Audit states of a crawl (State).
const (
	StateDone    = "done"    // audited_at is set
	StateRunning = "running" // its latest job is an active audit
	StateNone    = "none"    // never audited
)

// State says where a crawl's audit stands, given its latest job (nil when
// it has none or it is gone). A re-run shows as running while the previous
// results stay readable until it finishes.
func State(c store.Crawl, last *store.Job) string {
	if last != nil && last.Kind == store.KindAudit && last.Status.Active() {
		return StateRunning
	}
	if c.AuditedAt != nil {
		return StateDone
	}
	return StateNone
}
