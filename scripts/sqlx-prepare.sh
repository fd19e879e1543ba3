#!/usr/bin/env bash
# Regenerates .sqlx/, the offline data that lets `query!` macros compile without
# a database. Run after changing a query or a migration; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${SQLX_PREPARE_SERVER:-postgres://postgres@127.0.0.1:5432}
db=fullmakt_sqlx_prepare
psql "$base/postgres" -qc "drop database if exists $db" -qc "create database $db"
for f in migrations/*.sql; do psql "$base/$db" -q -v ON_ERROR_STOP=1 -f "$f"; done
rm -rf .sqlx && mkdir .sqlx
touch domain/src/lib.rs server/src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" DATABASE_URL="$base/$db" cargo check -q -p domain -p server --tests
psql "$base/postgres" -qc "drop database $db"
echo "wrote $(ls .sqlx | wc -l) query files to .sqlx/"
