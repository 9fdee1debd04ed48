#!/usr/bin/env bash
# Starts, stops or reports the real servers the integration tests need, all
# listening on 127.0.0.1 only, with their data under $DBCLONE_SERVICES_DIR
# (default /var/tmp/dbclone-services).
#
#   scripts/services.sh start    # start every server; write $DBCLONE_SERVICES_DIR/env
#   scripts/services.sh stop
#   scripts/services.sh status
#
# `env` holds the URLs the tests read (source it): DBCLONE_TEST_PG_URL (an admin
# with CREATEDB and CREATEROLE, not a superuser), DBCLONE_TEST_PG_SUPERUSER_URL
# (for test set-up only), DBCLONE_TEST_MYSQL_URL (an admin with all privileges),
# DBCLONE_TEST_MYSQL_DATADIR, DBCLONE_TEST_FERRETDB_URI (FerretDB, which has no
# authorization) and DBCLONE_TEST_DOCKER_IMAGE (built offline by
# scripts/build-test-image.sh, run by the dockerd started here). DBCLONE_TEST_MONGODB_URI is never set here: point it yourself at
# a MongoDB with authorization to run the tests that need one.
#
# The servers are disposable: one that `start` finds stopped starts on a new,
# empty data directory. What a test run that was killed left on them (tenant
# databases, a golden build's loader login) would otherwise fail the next run,
# whose tests create the same names. A server found running is used as it is.
set -euo pipefail
# Go may live outside the default PATH (it only builds FerretDB).
export PATH="$PATH:/usr/local/go/bin"

root="${DBCLONE_SERVICES_DIR:-/var/tmp/dbclone-services}"
pg_port="${DBCLONE_TEST_PG_PORT:-15432}"
mysql_port="${DBCLONE_TEST_MYSQL_PORT:-13306}"
ferretdb_port="${DBCLONE_TEST_FERRETDB_PORT:-17017}"
scripts_dir="$(cd "$(dirname "$0")" && pwd)"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"

# PostgreSQL refuses to run as root: as root, its commands run as `postgres`.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

random_password() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }

# Waits up to 60 s for the command "$@" to succeed; otherwise says that NAME did
# not start, pointing at LOG, and exits.
wait_for_start() {
  local name="$1" log="$2"; shift 2
  for _ in $(seq 1 120); do "$@" && return 0; sleep 0.5; done
  echo "services: $name did not start; see $log" >&2
  exit 1
}

# Stops the process whose pid this script wrote to FILE, if it did.
stop_pid_file() {
  if [ -f "$1" ]; then
    kill "$(cat "$1")" 2>/dev/null || true
    rm -f "$1"
  fi
}

pg_dir="$root/postgresql"

start_postgresql() {
  [ -x "$pg_bin/postgres" ] || { echo "services: PostgreSQL is not installed (scripts/install-deps.sh)" >&2; exit 1; }
  mkdir -p "$pg_dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pg_dir"; fi
  chmod 700 "$pg_dir"
  if ! as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
    rm -rf "$pg_dir/data"
    random_password > "$pg_dir/superuser.pw"
    random_password > "$pg_dir/admin.pw"
    chmod 600 "$pg_dir"/*.pw
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pg_dir"/*.pw; fi
    as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=scram-sha-256 \
      --pwfile="$pg_dir/superuser.pw" -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log"
  fi
  if ! as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=200" start >/dev/null
  fi
  local superuser_url="postgresql://postgres:$(cat "$pg_dir/superuser.pw")@127.0.0.1:$pg_port/postgres"
  local admin_password; admin_password="$(cat "$pg_dir/admin.pw")"
  # The admin dbclone uses: CREATEDB and CREATEROLE, deliberately not a superuser.
  as_postgres psql -q -v ON_ERROR_STOP=1 "$superuser_url" <<SQL >/dev/null
SET client_min_messages = warning;
SELECT 'CREATE ROLE dbclone_admin LOGIN CREATEDB CREATEROLE'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dbclone_admin') \gexec
ALTER ROLE dbclone_admin PASSWORD '$admin_password';
GRANT pg_signal_backend TO dbclone_admin;
SQL
  {
    echo "export DBCLONE_TEST_PG_URL='postgresql://dbclone_admin:$admin_password@127.0.0.1:$pg_port/postgres'"
    echo "export DBCLONE_TEST_PG_SUPERUSER_URL='$superuser_url'"
  } >> "$root/env.new"
  echo "services: postgresql $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
}

stop_postgresql() {
  if [ -f "$pg_dir/data/PG_VERSION" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

status_postgresql() {
  if [ -f "$pg_dir/data/PG_VERSION" ] && as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
    echo "postgresql: running on 127.0.0.1:$pg_port"
  else
    echo "postgresql: stopped"
  fi
}

my_dir="$root/mariadb"

as_mysql_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u mysql -- "$@"; else "$@"; fi
}

mariadb_running() {
  [ -S "$my_dir/mysqld.sock" ] && mariadb-admin --socket="$my_dir/mysqld.sock" -u root ping >/dev/null 2>&1
}

start_mariadb() {
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || { echo "services: MariaDB is not installed (scripts/install-deps.sh)" >&2; exit 1; }
  mkdir -p "$my_dir"
  if [ "$(id -u)" -eq 0 ]; then chown mysql: "$my_dir"; fi
  if ! mariadb_running; then
    rm -rf "$my_dir/data"
    random_password > "$my_dir/admin.pw"
    chmod 600 "$my_dir/admin.pw"
    # root logs in through the socket as the OS root user only (unix_socket).
    as_mysql_user mariadb-install-db --datadir="$my_dir/data" --auth-root-authentication-method=socket \
      --skip-test-db >"$my_dir/install.log" 2>&1
  fi
  if ! mariadb_running; then
    local user_args=()
    if [ "$(id -u)" -eq 0 ]; then user_args=(--user=mysql); fi
    /usr/sbin/mariadbd --no-defaults "${user_args[@]}" --datadir="$my_dir/data" \
      --socket="$my_dir/mysqld.sock" --pid-file="$my_dir/mysqld.pid" --port="$mysql_port" \
      --bind-address=127.0.0.1 --log-error="$my_dir/server.log" --skip-name-resolve \
      --max-connections=300 --innodb-buffer-pool-size=256M --local-infile=0 >/dev/null 2>&1 &
    wait_for_start MariaDB "$my_dir/server.log" mariadb_running
  fi
  local admin_password; admin_password="$(cat "$my_dir/admin.pw")"
  mariadb --socket="$my_dir/mysqld.sock" -u root <<SQL
CREATE USER IF NOT EXISTS 'dbclone_admin'@'%' IDENTIFIED BY '$admin_password';
ALTER USER 'dbclone_admin'@'%' IDENTIFIED BY '$admin_password';
GRANT ALL PRIVILEGES ON *.* TO 'dbclone_admin'@'%' WITH GRANT OPTION;
SQL
  {
    echo "export DBCLONE_TEST_MYSQL_URL='mysql://dbclone_admin:$admin_password@127.0.0.1:$mysql_port/'"
    echo "export DBCLONE_TEST_MYSQL_DATADIR='$my_dir/data'"
  } >> "$root/env.new"
  echo "services: mariadb $(/usr/sbin/mariadbd --version | awk '{print $3}') on 127.0.0.1:$mysql_port"
}

stop_mariadb() {
  if mariadb_running; then
    mariadb-admin --socket="$my_dir/mysqld.sock" -u root shutdown >/dev/null 2>&1 || true
  fi
}

status_mariadb() {
  if mariadb_running; then echo "mariadb: running on 127.0.0.1:$mysql_port"; else echo "mariadb: stopped"; fi
}

fd_dir="$root/ferretdb"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# FerretDB v1.24.2, built from the Go module proxy through its embedding API
# (scripts/ferretdb-runner explains why), rebuilt when the runner's sources change.
start_ferretdb() {
  command -v go >/dev/null || { echo "services: Go is needed to build FerretDB and is not installed" >&2; exit 1; }
  mkdir -p "$fd_dir/bin"
  local stamp; stamp="$(cat "$scripts_dir/ferretdb-runner/"{main.go,go.mod,go.sum} | sha256sum | cut -c1-16)"
  local bin="$fd_dir/bin/ferretdb-runner-$stamp"
  if [ ! -x "$bin" ]; then
    (cd "$scripts_dir/ferretdb-runner" && go build -o "$bin" .) || { echo "services: building FerretDB failed" >&2; exit 1; }
  fi
  if ! port_open "$ferretdb_port"; then
    rm -rf "$fd_dir/data"
    "$bin" -listen-addr "127.0.0.1:$ferretdb_port" -sqlite-dir "$fd_dir/data" >"$fd_dir/server.log" 2>&1 &
    echo $! > "$fd_dir/pid"
    wait_for_start FerretDB "$fd_dir/server.log" port_open "$ferretdb_port"
  fi
  echo "export DBCLONE_TEST_FERRETDB_URI='mongodb://127.0.0.1:$ferretdb_port/'" >> "$root/env.new"
  # For tests that run (and restart) a FerretDB server of their own.
  echo "export DBCLONE_TEST_FERRETDB_BIN='$bin'" >> "$root/env.new"
  echo "services: ferretdb v1.24.2 (SQLite) on 127.0.0.1:$ferretdb_port"
}

stop_ferretdb() { stop_pid_file "$fd_dir/pid"; }

status_ferretdb() {
  if port_open "$ferretdb_port"; then echo "ferretdb: running on 127.0.0.1:$ferretdb_port"; else echo "ferretdb: stopped"; fi
}

docker_dir="$root/docker"

docker_running() { docker version >/dev/null 2>&1; }

# Debian's dockerd, if none runs yet, and the offline test image.
start_docker() {
  command -v dockerd >/dev/null || { echo "services: docker.io is not installed (scripts/install-deps.sh)" >&2; exit 1; }
  mkdir -p "$docker_dir"
  if ! docker_running; then
    dockerd --host unix:///var/run/docker.sock >"$docker_dir/dockerd.log" 2>&1 &
    echo $! > "$docker_dir/pid"
    wait_for_start dockerd "$docker_dir/dockerd.log" docker_running
  fi
  "$scripts_dir/build-test-image.sh" >/dev/null
  echo "export DBCLONE_TEST_DOCKER_IMAGE='dbclone-test-servers:bookworm'" >> "$root/env.new"
  echo "services: dockerd $(docker version -f '{{.Server.Version}}'), image dbclone-test-servers:bookworm"
}

# Only a dockerd this script started; containers the tests left would be a bug.
stop_docker() { stop_pid_file "$docker_dir/pid"; }

status_docker() {
  if docker_running; then echo "docker: running"; else echo "docker: stopped"; fi
}

case "${1:-}" in
  start)
    mkdir -p "$root"
    chmod 755 "$root"
    rm -f "$root/env.new"
    start_postgresql
    start_mariadb
    start_ferretdb
    start_docker
    mv "$root/env.new" "$root/env"
    chmod 600 "$root/env"
    ;;
  stop)
    # Quiet: it runs after the test summary, which must stay the last lines.
    stop_postgresql
    stop_mariadb
    stop_ferretdb
    stop_docker
    ;;
  status)
    status_postgresql
    status_mariadb
    status_ferretdb
    status_docker
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
