#!/usr/bin/env bash
# Installs every Debian package the build and the tests need. Idempotent: it
# installs only what is missing, and touches the package index only then.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-format
  # libraries dbclone builds against
  libboost-dev libboost-program-options-dev
  rapidjson-dev libspdlog-dev libfmt-dev libsqlite3-dev libpq-dev
  libmariadb-dev libmongoc-dev libbson-dev
  # servers the integration tests run (scripts/services.sh)
  postgresql-15 postgresql-client-15 mariadb-server mariadb-client
  docker.io debootstrap
  # tests
  libgtest-dev libgmock-dev googletest sqlite3 btrfs-progs
  # the API's fuzz test (schemathesis, below) and benchmark
  python3-venv wrk
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Go builds FerretDB, the MongoDB-compatible test server (scripts/services.sh);
# Debian's golang-go is too old for it, so the machine's own Go is used.
if ! command -v go >/dev/null; then
  echo "install-deps: warning: Go (1.24 or newer) is not installed; scripts/services.sh needs it for FerretDB" >&2
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# schemathesis (PyPI), the API fuzz test's tool, in a virtualenv of its own:
# a test tool only, the product never runs Python. Pinned for repeatable runs.
schemathesis_version=4.32.5
tools="${DBCLONE_TOOLS_DIR:-/var/tmp/dbclone-tools}"
if ! "$tools/venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "install-deps: installing schemathesis $schemathesis_version into $tools/venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q "schemathesis==$schemathesis_version"
fi
