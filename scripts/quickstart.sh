#!/usr/bin/env bash
# Installs, builds, and runs the main job on the embedded default: two SQLite
# tenants cloned from root image v1.0, each verified.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh

export DBCLONE_STATE_DIR="${DBCLONE_STATE_DIR:-$PWD/build/quickstart-state}"
dbclone=./build/bin/dbclone
echo
echo "state directory: $DBCLONE_STATE_DIR"
# A rerun starts over: the quickstart's own tenants are removed first.
for tenant in quickstart_a quickstart_b; do
  if $dbclone status "$tenant" >/dev/null 2>&1; then $dbclone remove "$tenant" --force; fi
done
$dbclone roots validate v1.0
for tenant in quickstart_a quickstart_b; do
  echo
  $dbclone create "$tenant" sqlite --version v1.0
done
for tenant in quickstart_a quickstart_b; do
  echo
  $dbclone verify "$tenant"
done
echo
$dbclone list
echo
echo "cross_tenant_access is not_enforced for SQLite: opened with a plain sqlite3_open,"
echo "a tenant's SQL can ATTACH its neighbour. Open tenant files with"
echo "dbclone_sqlite_open_tenant() from sdk/include/dbclone/sqlite_tenant.h (docs/security.md)."
