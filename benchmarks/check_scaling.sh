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

# The shapes users bring, at 10^6 (and the worst again at 10^7 when max >= 7):
# check against `sort -g` of the same file, in the same run. A pure power law
# puts most of the sample in the tail, which the goodness-of-fit bootstrap
# re-scans in every replicate; |t3|, above, keeps a few thousand values there.
echo
echo "## check FILE, defaults, by shape at 10^6, against sort -g of the same file (best of $repeats)"
echo "| shape | check wall s | sort -g wall s | ratio | gof replicates | peak RSS MB |"
echo "| --- | --- | --- | --- | --- | --- |"
shape_file() {  # name, generator arguments... -> path (cached)
  local name=$1; shift
  local f="$dir/shape_${name}_1e6.txt"
  [ -s "$f" ] || "$bin" generate "$@" --count 1000000 --seed 1 -o "$f"
  echo "$f"
}
best_of() {  # command... -> best wall seconds, and the last peak RSS in KB in $peak
  local best=""
  for _ in $(seq "$repeats"); do
    /usr/bin/time -f "%e %M" "$@" >/dev/null 2>"$dir/time.txt"
    read -r w peak < <(tail -1 "$dir/time.txt")
    if [ -z "$best" ] || awk "BEGIN{exit !($w < $best)}"; then best=$w; fi
  done
  echo "$best $peak"
}
mixture="$dir/shape_mixture_1e6.txt"
if [ ! -s "$mixture" ]; then  # 95 % lognormal σ = 1, 5 % Pareto α = 1.5 above 1, interleaved
  "$bin" generate lognormal --sigma 1 --count 950000 --seed 1 -o "$dir/mix_a.txt"
  "$bin" generate pareto --alpha 1.5 --count 50000 --seed 2 -o "$dir/mix_b.txt"
  awk 'NR % 20 == 0 { getline b < "'"$dir/mix_b.txt"'"; print b } { print }' "$dir/mix_a.txt" > "$mixture"
fi
worst="" worst_ratio=0
for shape in "pareto-0.8:pareto --alpha 0.8" "pareto-1.5:pareto --alpha 1.5" "pareto-2.5:pareto --alpha 2.5" \
             "abs-t3:abs-student-t --nu 3" "lognormal-2:lognormal --sigma 2" "mixture-95-5:" "chi-100:gaussian-norm --dimension 100"; do
  name=${shape%%:*}; arguments=${shape#*:}
  if [ "$name" = mixture-95-5 ]; then f=$mixture; else f=$(shape_file "$name" $arguments); fi
  read -r c peak < <(best_of "$bin" check "$f")
  read -r s _ < <(best_of sort -g "$f")
  replicates=$("$bin" check "$f" --json | python3 -c 'import json,sys; p=json.load(sys.stdin).get("powerlaw") or {}; print(p.get("gof_replicates", "-"))')
  ratio=$(awk "BEGIN{printf \"%.2f\", $c/$s}")
  echo "| $name | $c | $s | $ratio | $replicates | $((peak / 1024)) |"
  if awk "BEGIN{exit !($ratio > $worst_ratio)}"; then worst=$name; worst_ratio=$ratio; worst_file=$f; fi
done
echo
echo "worst shape at 10^6: $worst, $worst_ratio x sort -g"
