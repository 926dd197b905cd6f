#!/usr/bin/env bash
# A throw-away PostgreSQL server on loopback for tests and benchmarks.
#   scripts/postgres.sh start   installs Debian's postgresql if missing, starts the server,
#                               prints the DATABASE_URL to use
#   scripts/postgres.sh stop
# The cluster lives in /tmp (readable by the server's user wherever the
# checkout is), owned by a system user that runs it (PostgreSQL refuses to
# run as root). Authentication is trust on loopback:
# for tests on this machine only, never for a real server.
set -euo pipefail

PORT="${MAMORU_PG_PORT:-55432}"
DATA="${MAMORU_PG_DATA:-${TMPDIR:-/tmp}/mamoru-postgres-$PORT}"
RUN_AS="${MAMORU_PG_USER:-postgres}"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

install_if_missing() {
  if [ -z "$(pg_bin)" ]; then
    echo "Installing PostgreSQL from Debian's packages…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql postgresql-contrib >&2
  fi
}

start() {
  install_if_missing
  local bin; bin="$(pg_bin)"
  if [ "$(id -u)" -eq 0 ]; then
    id "$RUN_AS" >/dev/null 2>&1 || useradd --system --no-create-home "$RUN_AS"
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    [ "$(id -u)" -eq 0 ] && chown "$RUN_AS" "$DATA"
    as_owner "$bin/initdb" -D "$DATA" --auth=trust --username=mamoru --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w start \
      -o "-h 127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  fi
  as_owner "$bin/psql" -h 127.0.0.1 -p "$PORT" -U mamoru -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='mamoru'" | grep -q 1 \
    || as_owner "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U mamoru mamoru
  echo "postgres://mamoru@127.0.0.1:$PORT/mamoru"
}

stop() {
  local bin; bin="$(pg_bin)" || exit 0
  [ -f "$DATA/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
