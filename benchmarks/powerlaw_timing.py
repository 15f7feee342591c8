#!/usr/bin/env python3
"""Time the reference CSN fit of the Python `powerlaw` package on one sample.

    python3 benchmarks/powerlaw_timing.py --input FILE [--repeat K]

FILE holds one positive number per line; blank lines and lines starting with
'#' are skipped. The script times
powerlaw.Fit(data, discrete=False, xmin=None, verbose=0), which in powerlaw
2.0.0 is the full xmin scan over every distinct sample value except the two
largest (see tools/fixtures/make_powerlaw_fixtures.py). The wall time is the
best of --repeat runs (default 1). It prints one JSON line:

    {"n": ..., "seconds": ..., "xmin": ..., "density_exponent": ...}

density_exponent is powerlaw's alpha (p(x) ~ x^-alpha), so tail index = alpha - 1.
The scan costs O(n) per candidate, so O(n^2) in total.
"""

import argparse
import json
import time

import numpy as np

import powerlaw


def read_samples(path):
    with open(path) as fh:
        return np.array([float(line) for line in fh
                         if line.strip() and not line.lstrip().startswith("#")])


def main():
    parser = argparse.ArgumentParser(description="Time powerlaw.Fit with the full xmin scan.")
    parser.add_argument("--input", required=True, help="file with one number per line")
    parser.add_argument("--repeat", type=int, default=1, help="runs to take the best of (default 1)")
    args = parser.parse_args()

    data = read_samples(args.input)
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        fit = powerlaw.Fit(data, discrete=False, xmin=None, verbose=0)
        best = min(best, time.perf_counter() - start)

    print(json.dumps({"n": len(data), "seconds": round(best, 3),
                      "xmin": float(fit.xmin), "density_exponent": float(fit.alpha)}))


if __name__ == "__main__":
    main()
