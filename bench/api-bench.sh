#!/usr/bin/env bash
# REST API benchmark, with wrk (Debian's), against a real `dbclone serve` on
# 127.0.0.1 with its default two worker threads; wrk runs on the same 2 cores.
#
#   1. GET /api/v1/cloning/status/{id}: requests/s with 2 wrk threads and
#      32 connections for 10 s.
#   2. POST /api/v1/cloning/create against the core library's `Cloner::create`
#      of the same root, by build/bin/api_bench (which starts a server of its
#      own; see its header): SQLite always, PostgreSQL and MariaDB when
#      DBCLONE_PG_URL / DBCLONE_MYSQL_URL are set.
#
# usage: bench/api-bench.sh [BUILD_DIR]   (after ./scripts/build.sh)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../build}" && pwd)"
binary="$build/bin/dbclone"
source "$here/../tests/api/start-server.sh"
token="$(cat "$token_file")"
api="http://127.0.0.1:$port"

curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  -d '{"tenant_id": "bench", "database_type": "sqlite", "root_version": "v1.0"}' "$api/api/v1/cloning/create"

echo "== GET /api/v1/cloning/status/bench (wrk -t2 -c32 -d10s)"
wrk -t2 -c32 -d10s -H "Authorization: Bearer $token" "$api/api/v1/cloning/status/bench" | tee "$state/status.txt"

echo "== POST /api/v1/cloning/create against Cloner::create (api_bench)"
"$build/bin/api_bench" | tee "$state/create.txt"

rps="$(awk '/Requests\/sec/ { print $2 }' "$state/status.txt")"
echo
echo "status requests/s (wrk, 32 connections): $rps"
