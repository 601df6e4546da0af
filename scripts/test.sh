#!/usr/bin/env bash
# Set everything up (including chromium and PostgreSQL from Debian) and run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check src tests benchmarks
# A throw-away PostgreSQL cluster on loopback for the database tests (skipped when unavailable).
# Its own folder and a free port, so that it never collides with another server on the machine.
if [ -z "${JEUGDSTELSEL_TEST_DATABASE_URL:-}" ]; then
  PGTEST_DIR=$(mktemp -d /tmp/jeugdstelsel-pgtest.XXXXXX)
  PGTEST_PORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export PGTEST_DIR PGTEST_PORT
  if url=$(bash scripts/pg_test_server.sh start); then
    export JEUGDSTELSEL_TEST_DATABASE_URL="$url"
    trap 'bash scripts/pg_test_server.sh stop >/dev/null 2>&1 || true; rm -rf "$PGTEST_DIR"' EXIT
  else
    echo "Let op: PostgreSQL kon niet starten; de PostgreSQL-tests worden overgeslagen." >&2
  fi
fi
.venv/bin/python -m pytest "$@"
