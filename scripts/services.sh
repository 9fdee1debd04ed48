#!/usr/bin/env bash
# Starts, stops or reports the real servers the integration tests need, all on
# 127.0.0.1. The suite today needs none: the SQLite backend is embedded. Each
# server backend adds its server here (PostgreSQL, MariaDB, FerretDB, dockerd).
set -euo pipefail

services=()  # names of the servers this suite starts; none yet

usage() { echo "usage: $0 start|stop|status" >&2; exit 2; }

case "${1:-}" in
  start|status)
    if [ ${#services[@]} -eq 0 ]; then
      echo "services: none needed (the test suite uses the embedded SQLite backend only)"
    fi
    ;;
  stop) ;;  # quiet: it runs after the test summary, which must stay the last line
  *) usage ;;
esac
