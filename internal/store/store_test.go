package store_test

import (
	"testing"

	"github.com/scouter-seo/scouter/internal/store/storetest"
)

func TestSQLite(t *testing.T)   { storetest.Run(t, "sqlite") }
func TestPostgres(t *testing.T) { storetest.Run(t, "postgres") }
