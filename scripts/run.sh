#!/usr/bin/env bash
# Set everything up and run the main job on the embedded default (the Netherlands, 2015-2030).
#   bash scripts/run.sh                 model run; results in ./uitvoer
#   bash scripts/run.sh serve [--port N] the web application on the embedded default (SQLite)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-}" = "serve" ]; then
  shift
  exec .venv/bin/jeugdstelsel serve "$@"
fi
.venv/bin/jeugdstelsel run --out uitvoer "$@"
echo
echo "Webapplicatie starten: bash scripts/run.sh serve   (daarna http://127.0.0.1:8000)"
