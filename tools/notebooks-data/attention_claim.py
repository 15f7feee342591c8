#!/usr/bin/env python3
"""The attention claim on the committed noise norms, with intervals.

For each model x data pair in notebooks-data/generated/figures/<model>-<data>/ (5000
noise norms each, seed 0, B = 8, at initialisation) it prints the excess
kurtosis and q99/median with 95 % percentile-bootstrap intervals, Hill's
alpha at one common k for every pair (with its exact 95 % interval from the
Gamma law of k*gamma_hat), and the attention - no-attention differences with
bootstrap intervals. Numbers only from the committed files; numpy only.

    python3 tools/notebooks-data/attention_claim.py [k] [resamples]
"""
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2] / "notebooks-data" / "figures"
PAIRS = ["tinygpt-text", "tinygpt-noattn-text", "tinygpt-gaussian", "tinygpt-noattn-gaussian"]
K = int(sys.argv[1]) if len(sys.argv) > 1 else 250
RESAMPLES = int(sys.argv[2]) if len(sys.argv) > 2 else 2000


def norms(pair):
    rows = (ROOT / pair / "noise_norms.csv").read_text().splitlines()
    header = rows[0].split(",")
    column = header.index("noise_norm")
    return np.array([float(r.split(",")[column]) for r in rows[1:] if r])


def kurtosis(x):
    d = x - x.mean()
    return float((d ** 4).mean() / (d ** 2).mean() ** 2 - 3)


def q99_over_median(x):
    return float(np.quantile(x, 0.99) / np.median(x))


def hill(x, k):
    s = np.sort(x)[::-1]
    gamma = float(np.mean(np.log(s[:k]) - math.log(s[k])))
    # k*gamma_hat/gamma ~ Gamma(k, 1) for an exact Pareto tail; Wilson-Hilferty quantiles.
    def gamma_quantile(p):
        z = {0.025: -1.959963984540054, 0.975: 1.959963984540054}[p]
        return k * (1 - 1 / (9 * k) + z / (3 * math.sqrt(k))) ** 3
    return 1 / gamma, k / (gamma * gamma_quantile(0.975)), k / (gamma * gamma_quantile(0.025))


def bootstrap(x, statistic, rng):
    values = [statistic(x[rng.integers(0, len(x), len(x))]) for _ in range(RESAMPLES)]
    return np.quantile(values, [0.025, 0.975])


def main():
    rng = np.random.default_rng(2026)
    data = {pair: norms(pair) for pair in PAIRS}
    print(f"| model / data | n | excess kurtosis (95 % bootstrap) | q99/median (95 %) | Hill alpha at k = {K} (95 %) |")
    print("| --- | --- | --- | --- | --- |")
    for pair, x in data.items():
        kl, kh = bootstrap(x, kurtosis, rng)
        ql, qh = bootstrap(x, q99_over_median, rng)
        a, al, ah = hill(x, K)
        print(f"| {pair} | {len(x)} | {kurtosis(x):.2f} ({kl:.2f}, {kh:.2f}) | {q99_over_median(x):.3f} ({ql:.3f}, {qh:.3f}) | {a:.1f} ({al:.1f}, {ah:.1f}) |")
    print()
    print("| data | attention - no attention: excess kurtosis (95 %) | q99/median (95 %) |")
    print("| --- | --- | --- |")
    for data_name in ["text", "gaussian"]:
        x, y = data[f"tinygpt-{data_name}"], data[f"tinygpt-noattn-{data_name}"]
        diff = lambda f: [f(x[rng.integers(0, len(x), len(x))]) - f(y[rng.integers(0, len(y), len(y))]) for _ in range(RESAMPLES)]
        dk, dq = diff(kurtosis), diff(q99_over_median)
        print(f"| {data_name} | {kurtosis(x) - kurtosis(y):+.2f} ({np.quantile(dk, 0.025):+.2f}, {np.quantile(dk, 0.975):+.2f}) "
              f"| {q99_over_median(x) - q99_over_median(y):+.3f} ({np.quantile(dq, 0.025):+.3f}, {np.quantile(dq, 0.975):+.3f}) |")


if __name__ == "__main__":
    main()
