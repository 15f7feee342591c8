#!/usr/bin/env bash
# `noisescope measure` on tinygpt (B = 8, 200 minibatches, ∇f from 20) at
# widths 64 … 512, on 1 and on 2 cores: wall seconds, gradients per second
# (from summary.json) and peak RSS, so a user can predict a run. A benchmark,
# not a test. One core is `taskset -c 0` (noisescope sizes its workers from
# the CPUs it may use) with OPENBLAS_NUM_THREADS=1.
#   bash benchmarks/measure_scaling.sh [widths]        (default "64 128 256 512")
# Build first: swift build -c release --product noisescope
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/noisescope
[ -x "$bin" ] || { echo "build the release product first" >&2; exit 1; }
widths=${1:-"64 128 256 512"}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "## measure, tinygpt B = 8, 200 minibatches, ∇f from 20 ($(lscpu | sed -n 's/^Model name: *//p'))"
echo "| width | cores | parameters | wall s | gradients/s | peak RSS MB |"
echo "| --- | --- | --- | --- | --- | --- |"
for w in $widths; do
  for cores in 1 2; do
    if [ "$cores" = 1 ]; then run=(env OPENBLAS_NUM_THREADS=1 taskset -c 0); else run=(env); fi
    /usr/bin/time -f "%e %M" "${run[@]}" "$bin" measure --width "$w" --samples 200 --full-batches 20 --bootstrap 0 \
      --quiet --json --out "$out/w$w-c$cores" > "$out/summary.json" 2> "$out/time.txt"
    read -r wall rss < <(tail -1 "$out/time.txt")
    python3 - "$out/summary.json" "$w" "$cores" "$wall" "$rss" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
rate = s["grads_per_second"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {s['parameter_count']:,} | {sys.argv[4]} | {rate:.1f} | {int(sys.argv[5]) // 1024} |")
PY
  done
done
