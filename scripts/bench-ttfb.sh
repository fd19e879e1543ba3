#!/usr/bin/env bash
# Time to first byte of the signed-in front page, with the party chosen.
# Starts the release server on its own database, logs in through the built-in
# test provider with curl, then measures:
#   1. TTFB of N sequential requests with curl (median, p90, p99);
#   2. latency distribution and throughput with wrk (2 threads, 16 connections).
# Prints figures only; asserts nothing. Needs `cargo leptos build --release` first.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-3197}
N=${N:-500}
PG=${PG_SERVER:-postgres://postgres@127.0.0.1:5432}
BASE=http://127.0.0.1:$PORT
jar=$(mktemp)
log=$(mktemp)
psql "$PG/postgres" -qc 'drop database if exists fullmakt_bench with (force)'
FULLMAKT_ADDR=127.0.0.1:$PORT DATABASE_URL=$PG/fullmakt_bench FULLMAKT_TEST_IDP=true FULLMAKT_DEMO_DATA=true \
  FULLMAKT_RATE_LIMIT_PER_MINUTE=100000 RUST_LOG=warn LEPTOS_SITE_ROOT=target/site ./target/release/server >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$jar" "$log"' EXIT
for _ in $(seq 1 100); do curl -fs "$BASE/health/ready" >/dev/null && break; sleep 0.2; done

authorize=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$BASE/auth/login")
query=${authorize#*\?}
callback=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' -H "Origin: $BASE" \
  --data "$query&pid=14928810047" "$authorize")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
bakery=$(curl -s -b "$jar" -H "Origin: $BASE" -X POST "$BASE/api/parties" | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["name"]=="Bakeri Hansen AS"][0])')
curl -s -c "$jar" -b "$jar" -H "Origin: $BASE" --data "party=$bakery" -o /dev/null "$BASE/api/choose_party"
cookie=$(awk '$6=="fullmakt_session"{print $6"="$7}' "$jar")
curl -s -H "Cookie: $cookie" "$BASE/" | grep -q 'Bakeri Hansen AS' || { echo "not signed in with the party chosen" >&2; exit 1; }

for _ in $(seq 1 50); do curl -s -o /dev/null -H "Cookie: $cookie" "$BASE/"; done   # warm-up
for _ in $(seq 1 "$N"); do curl -s -o /dev/null -w '%{time_starttransfer}\n' -H "Cookie: $cookie" "$BASE/"; done \
  | sort -n | awk '{a[NR]=$1} END {printf "curl, %d sequential requests: TTFB median %.2f ms, p90 %.2f ms, p99 %.2f ms\n", NR, a[int(NR*0.5)]*1000, a[int(NR*0.9)]*1000, a[int(NR*0.99)]*1000}'
if command -v wrk >/dev/null; then
  wrk -t2 -c16 -d10s --latency -H "Cookie: $cookie" "$BASE/" | sed -n '/Latency Distribution/,/Transfer/p'
fi
