#!/usr/bin/env bash
# HTTP throughput and latency of single-decision POST /authorization/api/v1/authorize
# on this machine, with wrk on the same machine. Starts the release server on its
# own database with the demo data. Prints figures only; asserts nothing.
# Needs `cargo leptos build --release` (or any release build of the server) first.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-3198}
PG=${PG_SERVER:-postgres://postgres@127.0.0.1:5432}
BASE=http://127.0.0.1:$PORT
KEY=bench-pdp-key-0123456789
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
log=$(mktemp)
lua=$(mktemp --suffix=.lua)
psql "$PG/postgres" -qc 'drop database if exists fullmakt_bench with (force)'
FULLMAKT_ADDR=127.0.0.1:$PORT DATABASE_URL=$PG/fullmakt_bench FULLMAKT_TEST_IDP=true FULLMAKT_DEMO_DATA=true \
  FULLMAKT_PDP_API_KEYS=$KEY RUST_LOG=warn LEPTOS_SITE_ROOT=target/site ./target/release/server >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log" "$lua"' EXIT
for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.2; done
body='{"Request":{"AccessSubject":[{"Attribute":[{"AttributeId":"urn:altinn:person:identifier-no","Value":"14928810047"}]}],"Action":[{"Attribute":[{"AttributeId":"urn:oasis:names:tc:xacml:1.0:action:action-id","Value":"write"}]}],"Resource":[{"Attribute":[{"AttributeId":"urn:altinn:resource","Value":"fullmakt_access_management"},{"AttributeId":"urn:altinn:organization:identifier-no","Value":"310400009"}]}]}}'
answer=$(curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$body" "$BASE/authorization/api/v1/authorize")
echo "one request answers: $answer"
echo "$answer" | grep -q '"Permit"' || { echo "expected Permit" >&2; exit 1; }
cat >"$lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$lua" "$BASE/authorization/api/v1/authorize" | sed -n '/Thread Stats/,$p'
