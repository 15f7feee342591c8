#!/usr/bin/env bash
# `noisescope check` end to end at 10^4 ... 10^7 values read from text files,
# and text/CSV/JSONL parsing in MB/s against strtod on the same bytes, all in
# one run, so the rows are comparable. A benchmark, not a test.
#   bash benchmarks/check_scaling.sh [max_exponent] [repeats]
# Inputs: |Student t_3| samples from `noisescope generate --seed 1` (10^k
# values, %.17g a line), cached in $NOISESCOPE_BENCH_DIR (default /tmp).
# Each check is `check FILE --json` with the defaults (100 goodness-of-fit
# replicates, seed 0); wall and user seconds are the best of `repeats` runs
# (default 3; the 10^7 row once), peak RSS from /usr/bin/time.
# Build first (on a shared machine, under the build lock):
#   swift build -c release --product noisescope
#   swift build -c release --product noisescope-statistics-benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-7}
repeats=${2:-3}
dir=${NOISESCOPE_BENCH_DIR:-/tmp}/noisescope-check-scaling
mkdir -p "$dir"
bin=.build/release/noisescope
[ -x "$bin" ] && [ -x .build/release/noisescope-statistics-benchmarks ] || { echo "build the release products first" >&2; exit 1; }

for k in $(seq 4 "$max"); do
  f="$dir/t3_1e$k.txt"
  [ -s "$f" ] || "$bin" generate abs-student-t --nu 3 --count $((10**k)) --seed 1 -o "$f"
done
six="$dir/t3_1e6.txt"
if [ "$max" -ge 6 ]; then
  [ -s "$dir/t3_1e6.csv" ] || { echo "step,noise_norm"; awk '{print NR "," $1}' "$six"; } > "$dir/t3_1e6.csv"
  [ -s "$dir/t3_1e6.jsonl" ] || awk '{print "{\"step\": " NR ", \"noise_norm\": " $1 "}"}' "$six" > "$dir/t3_1e6.jsonl"
  echo "## Parsing (best of 3; baselines over the same bytes in the same run)"
  .build/release/noisescope-statistics-benchmarks --parse "$six" "$dir/t3_1e6.csv" "$dir/t3_1e6.jsonl"
fi

echo
echo "## check FILE --json, defaults ($(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'))"
echo "| n | input MB | wall s (best) | user s | peak RSS MB | bytes/value | --bootstrap 0 wall s |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for k in $(seq 4 "$max"); do
  f="$dir/t3_1e$k.txt"
  n=$((10**k))
  runs=$([ "$k" -ge 7 ] && echo 1 || echo "$repeats")
  best="" ; user="" ; rss=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %M" "$bin" check "$f" --json >/dev/null 2>"$dir/time.txt"
    read -r w u m < <(tail -1 "$dir/time.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($w < $best)}"; then best=$w; user=$u; fi
    rss=$m
  done
  /usr/bin/time -f "%e" "$bin" check "$f" --json --bootstrap 0 >/dev/null 2>"$dir/time.txt"
  b0=$(tail -1 "$dir/time.txt")
  mb=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$f")/1e6}")
  echo "| 10^$k | $mb | $best | $user | $((rss / 1024)) | $(awk "BEGIN{printf \"%.0f\", $rss*1024/$n}") | $b0 |"
done
