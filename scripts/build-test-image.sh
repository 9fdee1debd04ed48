#!/usr/bin/env bash
# Builds, offline from any image registry, the Docker image the docker-placement
# tests run tenants' servers in: Debian bookworm (debootstrap) with
# postgresql-15 and mariadb-server, imported with `docker import`.
#
# The server users inside get this machine's uids and gids, so that a data
# directory cloned here (owned by the host's postgres or mysql user) is theirs
# inside the container too.
#
#   scripts/build-test-image.sh            # builds dbclone-test-servers:bookworm once
#   DBCLONE_TEST_IMAGE=name:tag scripts/build-test-image.sh
set -euo pipefail

image="${DBCLONE_TEST_IMAGE:-dbclone-test-servers:bookworm}"
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "build-test-image: $image exists"
  exit 0
fi

# The Debian mirror this machine's apt already uses (no host is named here).
mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
if [ -z "$mirror" ]; then
  mirror="$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
fi
[ -n "$mirror" ] || { echo "build-test-image: cannot find this machine's Debian mirror in /etc/apt" >&2; exit 1; }

root="$(mktemp -d /var/tmp/dbclone-image.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "build-test-image: debootstrap bookworm (postgresql-15, mariadb-server) into $root"
debootstrap --variant=minbase --include=postgresql-15,mariadb-server bookworm "$root" "$mirror" \
  >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; exit 1; }

# Server users with this machine's ids; their files follow.
for user in postgres mysql; do
  uid="$(id -u "$user")"; gid="$(id -g "$user")"
  old_uid="$(chroot "$root" id -u "$user")"; old_gid="$(chroot "$root" id -g "$user")"
  if [ "$old_uid" != "$uid" ] || [ "$old_gid" != "$gid" ]; then
    chroot "$root" groupmod -o -g "$gid" "$user"
    chroot "$root" usermod -o -u "$uid" -g "$gid" "$user"
    find "$root" -xdev \( -uid "$old_uid" -o -gid "$old_gid" \) -exec chown -h "$uid:$gid" {} + 2>/dev/null || true
  fi
done
# Data come from dbclone's clones, not from the image.
rm -rf "$root/var/lib/postgresql/15/main" "$root/var/lib/mysql"/* "$root/var/cache/apt/archives"/*.deb \
  "$root/var/lib/apt/lists"/*
tar -C "$root" -c . | docker import - "$image" >/dev/null
rm -f "$root.log"
echo "build-test-image: built $image ($(docker image inspect -f '{{.Size}}' "$image") bytes)"
