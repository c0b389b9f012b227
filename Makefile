# AutonomOS for Go — developer commands. `make help` lists them.
SHELL := /bin/bash
GO ?= go
PKGS := ./...
# Every package's tests run under the race detector; the suite is sized to
# stay well under fifteen minutes on two cores. checkptr is off because the
# pinned DuckDB driver trips it on strings longer than 12 bytes
# (duckdb/duckdb-go#142, a false alarm in its string view conversion).
TEST_FLAGS ?= -race -gcflags=all=-d=checkptr=0 -count=1 -timeout 20m
BIN := bin

.PHONY: help services test bench lint fmt run demo build clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

services: ## install (if missing) and start PostgreSQL, Redis and the test MongoDB-wire server
	@./scripts/services.sh

test: services ## start the services, then run every test against them
	$(GO) vet $(PKGS)
	$(GO) test $(TEST_FLAGS) $(PKGS)

bench: services ## run the Go benchmarks (one pass each)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x $(PKGS)

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

build: ## build the server and the CLI into bin/
	$(GO) build -o $(BIN)/reference-server ./cmd/reference-server
	$(GO) build -o $(BIN)/aos ./cmd/aos

run: ## start the reference server in local mode (embedded DuckDB, in-process queue) on :8080
	$(GO) run ./cmd/reference-server

demo: ## load the demo data (CRM, invoices, cloud costs) into the local data directory; run it while the server is stopped
	$(GO) run ./cmd/aos ingest --data-dir $${AOS_DATA_DIR:-./data} --tenant demo --files testdata/demo/crm --mapping testdata/demo/mapping.json

clean: ## remove build output
	rm -rf $(BIN)
