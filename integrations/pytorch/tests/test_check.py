"""noisescope_torch.check: the noisescope binary's verdict from Python.

The tests that run the binary are skipped only when it is absent (neither
NOISESCOPE_BIN nor noisescope on PATH); scripts/test points NOISESCOPE_BIN at
the freshly built .build/debug/noisescope, so they run in CI. Their reference
is independent of the binary: an exact Pareto sample drawn with numpy, and the
Hill estimate and summary statistics computed with numpy at the k the binary
reports.
"""

import os
import shutil
import sys
import types

import numpy as np
import pytest

from noisescope_torch import CheckResult, NoisescopeNotFound, check
from noisescope_torch.check import find_binary

BINARY = os.environ.get("NOISESCOPE_BIN") or shutil.which("noisescope")
needs_binary = pytest.mark.skipif(not BINARY, reason="noisescope binary absent (set NOISESCOPE_BIN or put it on PATH)")


def pareto(alpha=1.5, n=2000, seed=1):
    return np.random.default_rng(seed).uniform(size=n) ** (-1.0 / alpha)   # P(X > x) = x^-alpha, x >= 1


def hill_gamma(x, k):
    top = np.sort(x)[::-1]
    return float(np.mean(np.log(top[:k])) - np.log(top[k]))


@needs_binary
def test_check_array_matches_numpy_reference():
    x = pareto()
    result = check(x, bootstrap=0, seed=3)
    assert isinstance(result, CheckResult)
    assert result.n == 2000 and result.summary.n == 2000
    np.testing.assert_allclose(result.summary.mean, x.mean(), rtol=1e-12)
    np.testing.assert_allclose(result.summary.median, np.median(x), rtol=1e-12)
    np.testing.assert_allclose(result.summary.max, x.max(), rtol=1e-15)
    k = result.hill.k
    np.testing.assert_allclose(result.hill.gamma, hill_gamma(x, k), rtol=1e-9)
    np.testing.assert_allclose(result.hill.alpha, 1 / hill_gamma(x, k), rtol=1e-9)
    lo, hi = result.hill.ci95
    assert lo < result.hill.alpha < hi and 1.2 < result.hill.alpha < 1.8     # truth 1.5; SE ~ alpha/sqrt(k)
    assert result.powerlaw.density_exponent == pytest.approx(result.powerlaw.alpha + 1, rel=1e-12)
    # The rule is the binary's (docs/check.md at the repository root); a Pareto(1.5) tail must never read "light"
    # or "heavy".
    assert result.verdict in ("infinite-variance", "inconclusive"), result.verdict_reason
    assert result.raw["verdict"] == result.verdict


@needs_binary
def test_check_options_and_inputs(tmp_path):
    x = pareto(alpha=3.0, n=1500, seed=2)
    by_array = check(x, k=200, bootstrap=0)
    assert by_array.hill.k == 200
    np.testing.assert_allclose(by_array.hill.gamma, hill_gamma(x, 200), rtol=1e-9)
    np.save(tmp_path / "noise_norms.npy", x)
    by_dir = check(tmp_path, k=200, bootstrap=0)                         # a log directory
    by_file = check(str(tmp_path / "noise_norms.npy"), k=200, bootstrap=0)
    assert by_dir.raw == by_array.raw == by_file.raw
    np.savetxt(tmp_path / "x.txt", x, fmt="%.17g")
    assert check(tmp_path / "x.txt", k=200, bootstrap=0).raw == by_array.raw


@needs_binary
def test_check_failure_is_one_line(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(RuntimeError) as caught:
        check(tmp_path / "empty.txt")
    assert str(caught.value).startswith("noisescope check exited with status ") and "\n" not in str(caught.value)


def test_missing_binary_names_the_install_step(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "noisescope", None)   # as if the noisescope wheel were not installed
    monkeypatch.setenv("NOISESCOPE_BIN", str(tmp_path / "nowhere" / "noisescope"))
    with pytest.raises(NoisescopeNotFound) as caught:
        check([1.0, 2.0, 3.0])
    message = str(caught.value)
    assert "NOISESCOPE_BIN=" in message and "pip install the noisescope wheel" in message and "\n" not in message
    monkeypatch.delenv("NOISESCOPE_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NoisescopeNotFound, match="not on PATH; pip install the noisescope wheel"):
        check([1.0, 2.0, 3.0])


def test_the_wheel_binary_comes_before_path(monkeypatch, tmp_path):
    fake = tmp_path / "wheel" / "noisescope"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    module = types.ModuleType("noisescope")
    module.binary_path = lambda: str(fake)
    monkeypatch.setitem(sys.modules, "noisescope", module)
    monkeypatch.delenv("NOISESCOPE_BIN", raising=False)
    assert find_binary() == str(fake)
    fake.chmod(0o644)                                      # not executable: fall through to PATH
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NoisescopeNotFound, match="not on PATH"):
        find_binary()


def test_arrays_that_would_lose_meaning_are_refused(monkeypatch, tmp_path):
    fake = tmp_path / "noisescope"
    fake.write_text("#!/bin/sh\nexit 3\n")                 # never reached: refused before it runs
    fake.chmod(0o755)
    monkeypatch.setenv("NOISESCOPE_BIN", str(fake))
    with pytest.raises(ValueError, match=r"must be 1-D, got shape \(2, 3\)"):
        check(np.ones((2, 3)))
    with pytest.raises(ValueError, match="must be 1-D, got shape \\(\\)"):
        check(np.float64(2.0))
    with pytest.raises(ValueError, match="samples are complex"):
        check(np.array([1 + 2j, 3 + 0j]))
    with pytest.raises(ValueError, match="must be numbers"):
        check(np.array(["1", "2"]))


def test_result_tolerates_new_fields_and_verdicts():
    data = {"verdict": "inconclusive", "verdict_reason": "too few samples", "n": 40, "brand_new": {"a": 1},
            "hill": {"alpha": 2.5, "gamma": 0.4, "k": 10, "ci95": [1.5, 4.0], "new_interval": [0, 1]},
            "summary": {"n": 40, "mean": 1.0, "trimmed_mean": 0.9}, "powerlaw": None}
    result = CheckResult.from_json(data)
    assert result.verdict == "inconclusive" and result.extra == {"brand_new": {"a": 1}}
    assert result.hill.ci95 == (1.5, 4.0) and result.hill.extra == {"new_interval": [0, 1]}
    assert result.summary.extra == {"trimmed_mean": 0.9} and result.powerlaw is None and result.kernel is None
