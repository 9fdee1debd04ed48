#!/usr/bin/env bash
# Installs, builds, starts the servers the tests need, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
./scripts/services.sh start
trap './scripts/services.sh stop' EXIT
# The servers' URLs for the tests (DBCLONE_TEST_PG_URL, ...).
source "${DBCLONE_SERVICES_DIR:-/var/tmp/dbclone-services}/env"
ctest --test-dir build --output-on-failure -j2
