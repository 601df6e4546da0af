#!/usr/bin/env bash
# Set everything up (including chromium and PostgreSQL from Debian) and run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check src tests benchmarks
# A throw-away PostgreSQL cluster on loopback for the database tests (skipped when unavailable).
if [ -z "${JEUGDSTELSEL_TEST_DATABASE_URL:-}" ]; then
  if url=$(bash scripts/pg_test_server.sh start 2>/dev/null); then
    export JEUGDSTELSEL_TEST_DATABASE_URL="$url"
    trap 'bash scripts/pg_test_server.sh stop >/dev/null 2>&1 || true' EXIT
  fi
fi
.venv/bin/python -m pytest "$@"
