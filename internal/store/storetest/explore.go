package storetest

import (
	"testing"

	"github.com/scouter-seo/scouter/internal/store"
)

func testExplore(t *testing.T, db *store.DB, _ string) { t.Skip("not written yet") }

func testExploreHostile(t *testing.T, db *store.DB, _ string) { t.Skip("not written yet") }
