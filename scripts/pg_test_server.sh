#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL server on 127.0.0.1 for the tests; prints its URL on start.
set -euo pipefail
dir=${PGTEST_DIR:-/tmp/jeugdstelsel-pgtest}
port=${PGTEST_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "PostgreSQL niet gevonden" >&2; exit 1; }
# su keeps the working folder, which the postgres user may not be allowed to enter
run() { if [ "$(id -u)" = 0 ]; then (cd / && su postgres -s /bin/sh -c "$*"); else sh -c "$*"; fi; }
case "${1:-}" in
  start)
    if [ ! -d "$dir/data" ]; then
      mkdir -p "$dir"
      if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
      run "$bin/initdb -D $dir/data -A trust -U postgres" >/dev/null
    fi
    run "$bin/pg_ctl -D $dir/data -o '-p $port -k $dir -c listen_addresses=127.0.0.1' -l $dir/log -w start" >/dev/null
    run "$bin/psql -h 127.0.0.1 -p $port -U postgres -tc \"SELECT 1 FROM pg_database WHERE datname='jeugdstelsel'\"" | grep -q 1 \
      || run "$bin/createdb -h 127.0.0.1 -p $port -U postgres jeugdstelsel"
    echo "postgres://postgres@127.0.0.1:$port/jeugdstelsel"
    ;;
  stop)
    run "$bin/pg_ctl -D $dir/data -m fast stop" ;;
  *) echo "gebruik: $0 start|stop" >&2; exit 2 ;;
esac
