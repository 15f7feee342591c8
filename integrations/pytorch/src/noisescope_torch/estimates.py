"""The two-batch-size estimates of McCandlish et al. (2018), "An empirical
model of large-batch training", appendix A.

With B_small the per-rank (local) batch and B_big = world_size * B_small the
global batch, and the squared gradient norms |G_small|^2 (averaged over
ranks) and |G_big|^2 (of the all-reduced mean):

    |G|^2 estimate = (B_big |G_big|^2 - B_small |G_small|^2) / (B_big - B_small)
    tr(Sigma) est. = (|G_small|^2 - |G_big|^2) / (1/B_small - 1/B_big)
    B_simple       = tr(Sigma) / |G|^2

In one process the same formulas apply to the micro-batches of one batch:
B_small = b = B // m (micro-batch size), B_big = B (the batch), |G_small|^2 the
mean over the computed micro-batches of |h_j|^2, |G_big|^2 = |g_B|^2.

For i.i.d. examples both estimates are unbiased. When batches are drawn without
replacement from a finite data set of N examples (a shuffled epoch), the
tr(Sigma) estimate is still unbiased for the population covariance trace with
divisor N - 1, but the |G|^2 estimate has expectation |G|^2 - tr(Sigma)/N;
``finite_population_g_sq`` adds tr(Sigma)/N back (the finite-population
correction, fields ``*_fpc``).

Both estimates are noisy per step; the paper averages numerator
and denominator separately over steps before dividing. ``TwoBatchEMA`` does
that with bias-corrected exponential moving averages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Tuple, TypeVar

import numpy as np

# A squared norm, or an array of them (per tensor: _layers.py).
_Sq = TypeVar("_Sq", float, np.ndarray)


def two_batch_estimates(g_small_sq: _Sq, g_big_sq: _Sq, b_small: float, b_big: float) -> Tuple[_Sq, _Sq]:
    """Returns (|G|^2 estimate, tr(Sigma) estimate); elementwise for arrays."""
    if not (b_big > b_small > 0):
        raise ValueError(f"need B_big > B_small > 0, got B_small={b_small}, B_big={b_big}")
    g_sq = (b_big * g_big_sq - b_small * g_small_sq) / (b_big - b_small)
    trace = (g_small_sq - g_big_sq) / (1.0 / b_small - 1.0 / b_big)
    return g_sq, trace


def finite_population_g_sq(g_sq: Optional[float], trace: Optional[float], dataset_size: int) -> Optional[float]:
    """|G|^2 estimate corrected for sampling without replacement from N examples:
    g_sq + trace / N (None when either is None)."""
    if g_sq is None or trace is None:
        return None
    return g_sq + trace / float(dataset_size)


def safe_ratio(numerator: Optional[float], denominator: Optional[float]) -> Optional[float]:
    if numerator is None or denominator is None or denominator == 0:
        return None
    value = numerator / denominator
    return value if math.isfinite(value) else None


@dataclass
class TwoBatchEMA:
    """Bias-corrected EMAs of |G|^2 and tr(Sigma) (decay ``beta``); the running
    B_simple is their ratio."""

    beta: float = 0.95
    _g: float = 0.0
    _s: float = 0.0
    _n: int = 0

    def update(self, g_sq: float, trace: float) -> None:
        if not (math.isfinite(g_sq) and math.isfinite(trace)):
            return
        self._g = self.beta * self._g + (1 - self.beta) * g_sq
        self._s = self.beta * self._s + (1 - self.beta) * trace
        self._n += 1

    @property
    def count(self) -> int:
        return self._n

    @property
    def g_sq(self) -> Optional[float]:
        return self._g / (1 - self.beta ** self._n) if self._n else None

    @property
    def trace(self) -> Optional[float]:
        return self._s / (1 - self.beta ** self._n) if self._n else None

    @property
    def b_simple(self) -> Optional[float]:
        return safe_ratio(self.trace, self.g_sq)
