#!/usr/bin/env bash
# Set up everything jeugdstelsel needs in ./.venv from the pinned lock file.
# Idempotent: a second run only checks. Usage: bash scripts/setup.sh [--test]
#   --test  also installs what the tests need from Debian (chromium for the browser tests,
#           postgresql for the database tests, poppler-utils to render report pages).
# Always (as root): Pango and a font for the PDF council report (WeasyPrint).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
# pip warns about every package for local index folders that do not exist on this machine;
# keep real errors, drop that noise (pipefail keeps pip's exit status).
quiet() { grep -v -e "WARNING: Location 'file://" -e "corresp(dist" -e '^ *!!$' -e '^ *\*\*\*' || true; }
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.lock-installed
if [ ! -f "$stamp" ] || ! cmp -s requirements.lock "$stamp"; then
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | quiet
  .venv/bin/python -m pip install -q -r requirements.lock 2>&1 | quiet
  cp requirements.lock "$stamp"
fi
.venv/bin/python -m pip install -q --no-deps --no-build-isolation -e . 2>&1 | quiet
# bytecode for the editable source now, so that no command compiles it each time
# (PYTHONDONTWRITEBYTECODE=1 is common on shared machines)
.venv/bin/python -m compileall -q src >/dev/null
# The council report (jeugdstelsel rapport, the lab's PDF download) is made by WeasyPrint, which
# needs Pango and a font it can embed; a user feature, so also without --test.
# Debian packages: installed when missing and running as root, otherwise named in Dutch.
debian() {  # debian "what for" package...
  local why=$1; shift
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "Let op: installeer $* (apt-get) voor $why." >&2
  fi
}
need=()
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so.0" || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || need+=(libpangoft2-1.0-0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
debian "het raadsrapport (PDF)" ${need[@]+"${need[@]}"}
if [ "${1:-}" = "--test" ]; then
  need=()
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
  command -v chromium >/dev/null || need+=(chromium)
  command -v pg_ctlcluster >/dev/null || [ -x /usr/lib/postgresql/*/bin/initdb ] 2>/dev/null || need+=(postgresql)
  debian "de browser-, database- en rapporttests" ${need[@]+"${need[@]}"}
fi
