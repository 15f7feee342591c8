#!/usr/bin/env bash
# Times the CSN power-law fit with the full xmin scan in noisescope and in the
# `powerlaw` Python package (2.0.0) on the same samples, in one run, and
# prints the ratio. A benchmark, not a test: it needs `pip install powerlaw`.
#   bash benchmarks/compare_csn_with_powerlaw.sh [n] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
seed=${2:-1}
swift build -c release --product noisescope >/dev/null
swift build -c release --product noisescope-statistics-benchmarks >/dev/null
samples=$(mktemp --suffix=.txt)
trap 'rm -f "$samples"' EXIT
.build/release/noisescope generate pareto --alpha 1.5 --count "$n" --seed "$seed" -o "$samples"
ours=$(.build/release/noisescope-statistics-benchmarks --csn-file "$samples")
theirs=$(python3 benchmarks/powerlaw_timing.py --input "$samples")
echo "noisescope: $ours"
echo "powerlaw:   $theirs"
python3 - "$ours" "$theirs" <<'PY'
import json, sys
ours, theirs = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"ratio powerlaw/noisescope: {theirs['seconds'] / ours['seconds']:.0f}x "
      f"(xmin {ours['xmin']:.6g} vs {theirs['xmin']:.6g}, density exponent {ours['density_exponent']:.6g} vs {theirs['density_exponent']:.6g})")
PY
