"""recommend(): the family per verdict and the threshold against numpy's quantile."""

import numpy as np
import pytest

from noisescope_torch import recommend
from noisescope_torch.check import CheckResult


def test_heavy_points_to_clipped_methods_at_the_measured_quantile():
    norms = np.random.default_rng(0).pareto(1.5, 1000) + 1
    rec = recommend("heavy", norms)
    assert rec.family == "clipped-adaptive" and "ClipAdamNorm" in rec.optimizers
    assert rec.clip_threshold == pytest.approx(np.quantile(norms, 0.9), rel=1e-12)
    assert any("disputed" in c for c in rec.caveats)
    assert recommend("infinite-variance", {0.5: 1.0, 0.9: 3.5}).clip_threshold == 3.5


def test_light_and_inconclusive():
    assert recommend("light", {0.9: 2.0}).family == "unclipped"
    rec = recommend(CheckResult(verdict="inconclusive"), {0.9: 2.0})
    assert rec.family == "no-change" and rec.optimizers == [] and "inconclusive" in rec.caveats[0]


def test_errors_are_one_line():
    with pytest.raises(ValueError, match="no 0.9 quantile"):
        recommend("heavy", {0.5: 1.0})
    with pytest.raises(ValueError, match="at least 10"):
        recommend("heavy", [1.0, 2.0])
