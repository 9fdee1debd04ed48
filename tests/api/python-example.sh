#!/usr/bin/env bash
# The Python example (examples/api-python) against a real `dbclone serve`: it
# must create tenant_001 and see it reported isolated.
# usage: python-example.sh DBCLONE_BINARY
set -euo pipefail
binary="$1"
python="${DBCLONE_TOOLS_DIR:-/var/tmp/dbclone-tools}/venv/bin/python"
if ! "$python" -c "import requests" 2>/dev/null; then
  echo "python with requests is not installed at $python (scripts/install-deps.sh installs it)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; else exit 77; fi
fi
source "$(dirname "$0")/start-server.sh"
"$python" "$(dirname "$0")/../../examples/api-python/create_and_verify.py" "http://127.0.0.1:$port" "$token_file"
