package audit_test

import (
	"testing"
	"time"

	"github.com/scouter-seo/scouter/internal/audit"
	"github.com/scouter-seo/scouter/internal/store"
)

func TestIssues(t *testing.T) {
	counts := []store.FindingCount{
		{CheckID: "thin_content", Findings: 40, Pages: 40},
		{CheckID: "orphan", Findings: 2, Pages: 2},
		{CheckID: "no_internal_outlinks", Findings: 9, Pages: 9},
		{CheckID: "status_5xx", Findings: 1, Pages: 1},
		{CheckID: "retired_check", Findings: 5, Pages: 5},
	}
	got := audit.Issues(counts, audit.Config{Disabled: []string{"deep_page"}})
	if len(got) != len(audit.Catalogue) {
		t.Fatalf("%d rows, want every check (%d)", len(got), len(audit.Catalogue))
	}
	// Issues first (most findings first), then warnings, then opportunities.
	if got[0].ID != "status_5xx" || got[0].Findings != 1 {
		t.Errorf("first row %s/%d", got[0].ID, got[0].Findings)
	}
	rank, seen := -1, map[string]bool{}
	var prev audit.IssueCount
	for i, r := range got {
		seen[r.ID] = true
		if r.Severity.Rank() < rank || r.Severity.Rank() == rank && r.Findings > prev.Findings {
			t.Fatalf("row %d (%s) out of order", i, r.ID)
		}
		rank, prev = r.Severity.Rank(), r
		if r.Enabled == (r.ID == "deep_page") {
			t.Errorf("%s enabled = %v", r.ID, r.Enabled)
		}
	}
	if seen["retired_check"] {
		t.Error("an unknown check was listed")
	}
	var warnings []string
	for _, r := range got {
		if r.Severity == audit.SevWarning && r.Findings > 0 {
			warnings = append(warnings, r.ID)
		}
	}
	if len(warnings) != 2 || warnings[0] != "no_internal_outlinks" || warnings[1] != "orphan" {
		t.Errorf("warnings with findings %v", warnings)
	}
}

func TestState(t *testing.T) {
	now := time.Now()
	audited := store.Crawl{AuditedAt: &now}
	running := &store.Job{Kind: store.KindAudit, Status: store.JobRunning}
	done := &store.Job{Kind: store.KindAudit, Status: store.JobCompleted}
	crawling := &store.Job{Kind: "crawl", Status: store.JobRunning}
	for _, tc := range []struct {
		c    store.Crawl
		last *store.Job
		want string
	}{
		{store.Crawl{}, nil, audit.StateNone},
		{store.Crawl{}, crawling, audit.StateNone},
		{store.Crawl{}, running, audit.StateRunning},
		{audited, running, audit.StateRunning}, // a re-run
		{audited, done, audit.StateDone},
		{audited, crawling, audit.StateDone}, // a new crawl attempt: the old results stand
	} {
		if got := audit.State(tc.c, tc.last); got != tc.want {
			t.Errorf("State(%v, %+v) = %s, want %s", tc.c.AuditedAt != nil, tc.last, got, tc.want)
		}
	}
}
