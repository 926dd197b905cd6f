#!/usr/bin/env bash
# A throw-away Redis server on loopback for the multi-process tests and benchmarks.
#   scripts/redis.sh start   installs Debian's redis-server if missing, starts it,
#                            prints the MAMORU_REDIS_URL to use
#   scripts/redis.sh stop
# No persistence, no password, loopback only: for tests on this machine, never for a real server.
set -euo pipefail

PORT="${MAMORU_REDIS_PORT:-56379}"
DATA="${MAMORU_REDIS_DATA:-${TMPDIR:-/tmp}/mamoru-redis-$PORT}"

install_if_missing() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "Installing Redis from Debian's packages…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq redis-server >&2
  fi
}

running() {
  redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG
}

start() {
  install_if_missing
  mkdir -p "$DATA"
  if ! running; then
    redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DATA" --save "" --appendonly no \
      --daemonize yes --pidfile "$DATA/redis.pid" --logfile "$DATA/redis.log" >&2
    for _ in $(seq 1 50); do running && break; sleep 0.1; done
    running || { echo "Redis did not start on 127.0.0.1:$PORT (see $DATA/redis.log)" >&2; exit 1; }
  fi
  echo "redis://127.0.0.1:$PORT/0"
}

stop() {
  if running; then redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1 || true; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
