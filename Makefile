# Fullmakt: `make run` serves the portal with demo data; `make test` runs every test.
# Both install what is missing first and skip what is already present.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PG_SERVER ?= postgres://postgres@127.0.0.1:5432
export DATABASE_URL ?= $(PG_SERVER)/fullmakt
# Queries are checked at compile time against the committed .sqlx/ data.
export SQLX_OFFLINE := true
export PATH := $(HOME)/.cargo/bin:$(PATH)
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p;}' Cargo.lock)
E2E_DB := $(PG_SERVER)/fullmakt_e2e

.PHONY: help tools rust-tools node-tools chromium postgres run build test lint test-rust test-e2e sqlx-prepare bench bench-decisions bench-load bench-token bench-pdp bench-guests clean-e2e-db

help:
	@echo "make run    serve the portal with demo data at http://127.0.0.1:3000"
	@echo "make test   run every test (unit, PostgreSQL, HTTP, end-to-end in Chromium)"

tools: rust-tools node-tools

rust-tools:
	@rustup target list --installed | grep -q '^wasm32-unknown-unknown$$' || rustup target add wasm32-unknown-unknown
	@[ "$$(cargo leptos --version 2>/dev/null)" = "cargo-leptos 0.3.10" ] || cargo install cargo-leptos --locked --version 0.3.10
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

node-tools: node_modules/.installed end2end/node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && npm install --no-audit --no-fund
	@touch $@

chromium:
	@command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# PostgreSQL must answer: for the default server, Debian's postgresql is installed and
# started if need be; for any other, a missing server is named (scripts/ensure-postgres.sh).
# It checks PG_SERVER, the tests' server, and for `make run` DATABASE_URL instead.
POSTGRES_URL = $(PG_SERVER)
run: POSTGRES_URL = $(DATABASE_URL)
postgres:
	@./scripts/ensure-postgres.sh '$(POSTGRES_URL)'

build: tools
	cargo leptos build --release

run: tools postgres
	FULLMAKT_TEST_IDP=true FULLMAKT_DEMO_DATA=true FULLMAKT_PDP_API_KEYS=dev-pdp-key-change-me cargo leptos serve --release

test: tools chromium postgres lint test-rust test-e2e

# Formatting, and clippy with warnings denied for both builds of the app:
# the server's (ssr) and the browser's (hydrate, WebAssembly).
lint: rust-tools
	cargo fmt --all --check
	cargo clippy -p domain -p app -p server --features app/ssr --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

# The mail tests talk to a real SMTP server on loopback: Python's aiosmtpd.
# The server's tests run one at a time: each starts a whole server on its own
# runtime, and with two at once in one process a page response stalled before
# its headers now and then (3 of 72 runs of tests/integration/systems.rs under load); one at
# a time it did not (0 of 78), and the suite takes about 3 minutes either way.
# The cause was Leptos's process-wide flag while a server works out its routes
# (leptos-rs/leptos #4773); the server now does that once per process
# (`route_list` in server/src/lib.rs): 0 stalls in 150 runs with two at once
# since. The tests stay serial all the same; it costs no time.
test-rust: postgres
	@python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
	DATABASE_URL=$(PG_SERVER)/postgres cargo test -p domain
	cargo test -p app --features ssr
	FULLMAKT_TEST_PG=$(PG_SERVER) cargo test -p server -- --test-threads=1

clean-e2e-db: postgres
	psql "$(PG_SERVER)/postgres" -qc 'drop database if exists fullmakt_e2e with (force)'

# cargo-leptos builds the site, starts the server, runs `npm test` in end2end/ and stops it;
# it answers 0 even when the build fails, so the site is built first by `cargo leptos build`
# (whose exit code counts) and the suites' own reports are checked after: the page checks'
# self-test (target/e2e-selftest.json) and the suite (target/e2e-results.json). The server
# mails to the SMTP server on loopback that the suite's global set-up starts (aiosmtpd); the set-up
# also starts a second server, of the same binary, whose clock tests move (end2end/tests/clock.ts).
test-e2e: tools chromium postgres clean-e2e-db
	@python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
	rm -f target/e2e-results.json target/e2e-selftest.json
	cargo leptos build --release
	E2E_RESULTS=$(CURDIR)/target/e2e-results.json E2E_SELFTEST_RESULTS=$(CURDIR)/target/e2e-selftest.json \
	  E2E_SERVER_BIN=$(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/release/server E2E_PG=$(PG_SERVER) DATABASE_URL=$(E2E_DB) FULLMAKT_TEST_IDP=true FULLMAKT_DEMO_DATA=true FULLMAKT_ADDR=127.0.0.1:3000 FULLMAKT_PDP_API_KEYS=e2e-pdp-key-0123456789 \
	  FULLMAKT_SMTP_URL=smtp://127.0.0.1:2525 \
	  CI=1 cargo leptos end-to-end --release
	@node scripts/check-e2e-results.js target/e2e-results.json target/e2e-selftest.json

# After changing a query or a migration: regenerate and commit .sqlx/.
sqlx-prepare:
	./scripts/sqlx-prepare.sh

# Time to first byte of the signed-in front page (figures go in docs/benchmarks.md).
bench: tools
	@command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	cargo leptos build --release
	./scripts/bench-ttfb.sh

# In-process decision latency, throughput, snapshot build time and memory.
bench-decisions:
	cargo bench -p domain --bench decisions

# Snapshot load from PostgreSQL for the generated population (writes a scratch database).
bench-load:
	DATABASE_URL=$(PG_SERVER)/postgres cargo bench -p domain --bench snapshot_load

# The guest lifecycle job over 100,000 guests, two instances at once, and the sponsor's
# guests page and its registration form over HTTP (each writes a scratch database).
bench-guests:
	DATABASE_URL=$(PG_SERVER)/postgres cargo bench -p domain --bench guest_lifecycle
	FULLMAKT_TEST_PG=$(PG_SERVER) cargo bench -p server --bench guest_registration

# Token issuance over loopback HTTP (real server in release, real PostgreSQL).
bench-token:
	FULLMAKT_TEST_PG=$(PG_SERVER) cargo bench -p server --bench token_issuance

# HTTP decision throughput with wrk (release build of the server needed).
bench-pdp: tools
	@command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	cargo leptos build --release
	./scripts/bench-pdp.sh
