#!/usr/bin/env bash
# Set everything up and run the main job on the embedded default (the Netherlands, 2015-2030).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/jeugdstelsel run --out uitvoer "$@"
