package storetest

import (
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
)

func testReports(t *testing.T, db *store.DB, _ string) { t.Skip("not written yet") }

func testCompare(t *testing.T, db *store.DB, _ string) { t.Skip("not written yet") }
