#!/usr/bin/env bash
# Regenerate the shipped national calibration (src/jeugdstelsel/data/calibration/nederland.json).
# Usage: bash scripts/calibrate_national.sh [laplace|emcee]   (default: the shipped method)
#   laplace  maximum a posteriori + Laplace covariance of all uncertain parameters (seconds)
#   emcee    sampled posterior of the free parameters (services/posterior.py; progress bar)
set -euo pipefail
cd "$(dirname "$0")/.."
method=${1:-}
.venv/bin/python - "$method" <<'PY'
import sys
from jeugdstelsel.services import calibration as C

method = sys.argv[1] or C.DEFAULT_METHOD
cal = C.calibrate(method=method)  # on every published figure
cal.holdout = C.holdout_check(method=method)
path = C.shipped_path()
cal.save(path)
info = cal.sampler or cal.optimizer
print(f"Kalibratie ({method}) opgeslagen: {path}")
if cal.sampler:
    print(f"R-hat max {info['rhat_max']:.3f}, ESS bulk min {info['ess_bulk_min']:.0f}, "
          f"sampler {info['wall_s']:.0f} s, geconvergeerd: {info['converged']}")
PY
# the backtest's verdict per series, shown beside every forecast (services/reliability.py)
out=$(mktemp -d)
.venv/bin/jeugdstelsel toets --uit "$out/toets" \
  --bewaar-oordeel src/jeugdstelsel/data/calibration/betrouwbaarheid.json
rm -rf "$out"
