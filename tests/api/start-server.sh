# Sourced by the API's script tests: starts `dbclone serve` on a free port of
# 127.0.0.1 with a state directory of its own, stopped and removed on exit.
# Sets: state (the directory), port, token_file. Needs: binary.
state="$(mktemp -d /tmp/dbclone-api-XXXXXX)"
server=""
stop_server() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$state"
}
trap stop_server EXIT

"$binary" --state-dir "$state" serve --listen 127.0.0.1:0 >"$state/serve.out" 2>"$state/serve.err" &
server=$!
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$state/serve.out")"
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { echo "dbclone serve did not start:" >&2; cat "$state/serve.err" >&2; exit 1; }
token_file="$state/api_token"
