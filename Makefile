# Scouter. `make test` runs every test; `make bench` the benchmarks.
GO ?= go

.PHONY: build run test test-deps bench vet

build:
	$(GO) build -o bin/scouter ./cmd/scouter

run: build
	./bin/scouter serve

# Every test, with the race detector, against real SQLite files and the
# PostgreSQL at $$SCOUTER_TEST_PG (default 127.0.0.1:5432, database test).
# Packages run one at a time (-p 1): the multi-process tests use up to 80 of
# the server's 100 connections and must not meet another package's burst.
test: test-deps vet
	$(GO) test -race -count=1 -p 1 -timeout 20m ./...

test-deps:
	./scripts/test-deps

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l cmd internal)" || { gofmt -l cmd internal; echo "gofmt needed"; exit 1; }

# Figures for docs/BENCHMARKS.md.
bench: test-deps
	$(GO) test -run '^$$' -bench 'Claim|LogInsert' -benchtime 2000x ./internal/store/
	$(GO) test -run '^$$' -bench Explore -benchtime 20x -timeout 30m ./internal/store/
	$(GO) test -run '^$$' -bench Audit -benchtime 1x -timeout 60m ./internal/auditjob/
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./internal/e2e/
	$(GO) test -run '^$$' -bench . -benchtime 1x ./internal/api/ ./internal/web/
	$(GO) test -run '^$$' -bench IndexMemory -benchtime 1x ./internal/crawler/
	$(GO) test -run '^$$' -bench . -benchmem ./internal/robots/ ./internal/extract/ ./internal/fetch/ ./internal/sitemap/ ./internal/testsite/ ./internal/audit/ ./internal/export/
