"""The noisescope wheel as a user gets it: installed with pip into a fresh
virtual environment, run from a folder outside the repository, with no
NOISESCOPE_BIN and no .build on PATH (scripts/test-wheel sets that up).

The references are independent of the binary: a Pareto sample drawn with numpy
and its Hill estimate computed with numpy; the glibc symbol versions and the
shared libraries read from the ELF file with objdump.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import noisescope

ALLOWED = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"}


def run(*args, **kwargs):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=600, **kwargs)


def test_environment_is_a_users():
    assert "NOISESCOPE_BIN" not in os.environ
    assert not any(".build" in part for part in os.environ["PATH"].split(os.pathsep))
    command = shutil.which("noisescope")
    assert command is not None and os.path.dirname(command) == os.path.dirname(sys.executable)


def test_console_command_reports_version_and_bundled_data():
    result = run("noisescope", "--version", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["version"] == noisescope.__version__
    assert re.fullmatch(r"[0-9a-f]{40}", report["commit"] or ""), report["commit"]
    site = os.path.dirname(os.path.abspath(noisescope.__file__))
    assert report["data_directory"] == os.path.join(site, "_native", "share", "noisescope", "data")
    assert report["cblas_library"].endswith("(linked in)")
    assert os.path.getsize(os.path.join(report["data_directory"], "prideprejudice.txt")) == 684768
    # python -m noisescope is the same program.
    assert run(sys.executable, "-m", "noisescope", "--version", "--json").stdout == result.stdout


def test_binary_needs_only_the_c_and_cpp_runtime():
    dynamic = run("objdump", "-p", noisescope.binary_path()).stdout
    needed = set(re.findall(r"NEEDED\s+(\S+)", dynamic))
    assert needed and needed <= ALLOWED, needed
    symbols = run("objdump", "-T", noisescope.binary_path()).stdout
    newest = max(int(v) for v in re.findall(r"GLIBC_2\.(\d+)", symbols))
    wheel = os.environ["NOISESCOPE_WHEEL"]
    tag = f"manylinux_2_{newest}_x86_64"
    assert tag in os.path.basename(wheel)
    assert os.path.getsize(wheel) <= 40 * 2 ** 20, os.path.getsize(wheel)
    # auditwheel (PyPA's checker) reads the same tag off the wheel.
    shown = run(sys.executable, "-m", "auditwheel", "show", wheel)
    assert shown.returncode == 0, shown.stderr
    assert f'consistent with the following platform tag: "{tag}"' in " ".join(shown.stdout.split()), shown.stdout


def test_torch_check_uses_the_wheel_binary_and_matches_numpy():
    from noisescope_torch import check
    from noisescope_torch.check import find_binary
    assert find_binary() == noisescope.binary_path()
    x = np.random.default_rng(7).uniform(size=3000) ** (-1.0 / 1.5)      # Pareto, alpha 1.5
    result = check(x, bootstrap=0, seed=1)
    assert result.n == 3000
    k = result.hill.k
    top = np.sort(x)[::-1]
    gamma = float(np.mean(np.log(top[:k])) - np.log(top[k]))
    np.testing.assert_allclose(result.hill.alpha, 1 / gamma, rtol=1e-9)
    assert result.verdict in ("infinite-variance", "inconclusive"), result.verdict_reason


def test_measure_then_report_from_the_console_command(tmp_path):
    out = tmp_path / "run"
    measured = run("noisescope", "measure", "--model", "logreg", "--samples", "600", "--seed", "3", "--out", str(out))
    assert measured.returncode == 0, measured.stderr
    norms = np.load(out / "noise_norms.npy")
    assert norms.shape == (600,) and np.all(norms > 0)
    summary = json.loads((out / "summary.json").read_text())
    reported = run("noisescope", "report", str(out))
    assert reported.returncode == 0, reported.stderr
    page = (out / "report.html").read_text()
    assert "<script" not in page.lower()
    assert summary["samples"] == 600 and summary["verdict"] in page
