#!/usr/bin/env bash
# REST API benchmark, with wrk (Debian's), against a real `dbclone serve` on
# 127.0.0.1 with its default two worker threads; wrk runs on the same 2 cores.
#
#   1. GET /api/v1/cloning/status/{id}: requests/s with 2 wrk threads and
#      32 connections for 10 s.
#   2. POST /api/v1/cloning/create (SQLite, root v1.0), one connection, one
#      request at a time for 5 s: median latency, against the core library's
#      median `Cloner::create` of the same root measured by clone_bench
#      (--extra-rows 0 makes its root v1.0's exact content).
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

cat >"$state/create.lua" <<'LUA'
-- One tenant per request, numbered: wrk -t1 keeps the counter unique.
counter = 0
local headers = {["Authorization"] = "Bearer " .. os.getenv("DBCLONE_TOKEN"),
                 ["Content-Type"] = "application/json"}
request = function()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/cloning/create", headers,
    '{"tenant_id": "api' .. counter .. '", "database_type": "sqlite", "root_version": "v1.0"}')
end
LUA
echo "== POST /api/v1/cloning/create (wrk -t1 -c1 -d5s --latency)"
DBCLONE_TOKEN="$token" wrk -t1 -c1 -d5s --latency -s "$state/create.lua" "$api" | tee "$state/create.txt"
if grep -q "Non-2xx" "$state/create.txt"; then echo "some creates failed" >&2; exit 1; fi

echo "== core library, same root (clone_bench --iterations 200 --extra-rows 0)"
"$build/bin/clone_bench" --iterations 200 --extra-rows 0 | tee "$state/core.txt"

# wrk prints "50%    1.23ms" (or us/s); clone_bench a markdown row.
api_ms="$(awk '$1 == "50%" { v = $2; if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else print v * 1000 }' "$state/create.txt")"
core_ms="$(awk -F'|' '/core library/ { print $3 + 0 }' "$state/core.txt")"
rps="$(awk '/Requests\/sec/ { print $2 }' "$state/status.txt")"
echo
echo "| what | figure |"
echo "|---|---|"
echo "| status requests/s (wrk, 32 connections) | $rps |"
echo "| create through the API, median ms | $api_ms |"
echo "| core \`Cloner::create\`, median ms | $core_ms |"
echo "| API / core | $(awk -v a="$api_ms" -v c="$core_ms" 'BEGIN { printf "%.2fx", a / c }') |"
