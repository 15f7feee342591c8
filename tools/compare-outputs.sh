#!/usr/bin/env bash
# Same seed, same bytes, across a refactor: runs measure, check, train,
# simulate and report with two noisescope binaries on the same small inputs
# and diffs everything they write, except what is allowed to differ (wall time,
# gradients per second, the path in "wrote …", the file list in a run's
# marker, and figures when asked).
#
#   tools/compare-outputs.sh OLD_BINARY NEW_BINARY [--skip-figures]
#
# Exit status 0 when nothing else differs. Build OLD_BINARY from the commit
# before the change (git worktree add /tmp/old <commit> && swift build there).
set -euo pipefail
old=$1 new=$2 skip=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {
    local B=$1 O=$2
    mkdir -p "$O" && cd "$O"
    "$B" measure --samples 120 --full-batches 10 --out m1 --quiet --bootstrap 20 > m1.txt 2>&1
    "$B" measure --model resmlp --data digits --batch 16 --samples 200 --out m2 --quiet --bootstrap 0 > m2.txt 2>&1
    "$B" generate pareto --alpha 1.5 --count 20000 --seed 3 -o p.txt > /dev/null 2>&1
    "$B" check p.txt --json > c1.json 2>&1
    "$B" check p.txt > c1.txt 2>&1
    "$B" check m2/noise_norms.npy --plot cplot > c2.txt 2>&1
    "$B" train --model logreg --optimizer momentum --lr 0.1 --steps 60 --eval-every 10 --noise-every 30 --noise-samples 500 --out t1 --quiet > t1.txt 2>&1
    "$B" simulate --replicates 200 --steps 200 --out s1 > s1.txt 2>&1
    "$B" report m2 > /dev/null 2>&1
    "$B" report t1 > /dev/null 2>&1
    # What may differ: timings (and the forecast line), and the keys summary.json renamed (parameters → parameter_count,
    # noise_scale_simple/_estimator → b_simple_exact_gradient/_formula).
    sed -i -E 's/[0-9.]+ gradients\/s, [0-9.]+ s in all/T/' m1.txt m2.txt
    # The duration forecast is printed only when the run looks long on this machine at this moment.
    sed -i -E '/this will take about/d' m1.txt m2.txt
    for s in m1/summary.json m2/summary.json; do
        python3 - "$s" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
for old, new in [("parameters", "parameter_count"), ("noise_scale_simple", "b_simple_exact_gradient"),
                 ("noise_scale_estimator", "b_simple_exact_gradient_formula")]:
    if old in d: d[new] = d.pop(old)
d.pop("wall_seconds", None); d.pop("grads_per_second", None)
json.dump(d, open(p, "w"), sort_keys=True, indent=1)
PY
    done
    rm -f m1/report.html m2/report.html t1/report.html
    # The run marker lists the files written since 0.5.0 (a re-run refuses files it did not write).
    for marker in m1/.noisescope-run m2/.noisescope-run s1/.noisescope-run; do
        [ -f "$marker" ] && head -n 1 "$marker" > "$marker.kind" && mv "$marker.kind" "$marker"
    done
    [ "$skip" = --skip-figures ] && find . \( -name '*.svg' -o -name '*.html' \) -delete
    cd - > /dev/null
}
run "$(realpath "$old")" "$work/old"
run "$(realpath "$new")" "$work/new"
diff -r "$work/old" "$work/new" && echo "compare-outputs: identical"
