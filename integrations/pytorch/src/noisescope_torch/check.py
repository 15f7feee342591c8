"""``check``: the tail verdict of ``noisescope check`` from Python.

Runs the ``noisescope`` binary (``NOISESCOPE_BIN``, else the one inside the
``noisescope`` wheel when it is installed, else ``noisescope`` on PATH)
as ``noisescope check FILE --json [options]`` and returns a :class:`CheckResult`.
The dataclasses keep every field they do not know in ``extra`` and the whole
JSON in ``raw``, and ``verdict`` is a plain string, so a newer binary (new
fields, a new verdict such as ``inconclusive``) still reads.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type, TypeVar, Union

import numpy as np

from ._io import MANIFEST, MERGED, write_npy_atomic

INSTALL_HINT = ("pip install the noisescope wheel (`bash scripts/build-wheel OUTDIR` at the noisescope repository "
                "root builds it), or install the binary with `bash scripts/install` and put it on PATH, "
                "or set NOISESCOPE_BIN to the binary")


class NoisescopeNotFound(FileNotFoundError):
    """The ``noisescope`` binary is not installed (or NOISESCOPE_BIN is wrong)."""


class CheckFailed(RuntimeError):
    """``noisescope check`` exited with an error."""


_Part = TypeVar("_Part", "TailEstimate", "PowerLawFit", "SampleSummary")


def _build(cls: Type[_Part], data: Any) -> Optional[_Part]:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise CheckFailed(f"noisescope check --json: expected an object for {cls.__name__}, got {data!r}")
    known = {f.name for f in fields(cls)} - {"extra"}
    values: Dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in known}
    return cls(**values, extra={k: v for k, v in data.items() if k not in known})


@dataclass
class TailEstimate:
    """One tail-index estimator (Hill, moments, Pickands, kernel): alpha = 1/gamma."""
    alpha: Optional[float] = None
    gamma: Optional[float] = None
    k: Optional[int] = None
    ci95: Optional[Tuple[float, float]] = None
    gamma_ci95: Optional[Tuple[float, float]] = None
    asymptotic_ci95: Optional[Tuple[float, float]] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class PowerLawFit:
    """The Clauset-Shalizi-Newman fit; ``alpha`` is the tail index, ``density_exponent`` = alpha + 1."""
    alpha: Optional[float] = None
    density_exponent: Optional[float] = None
    xmin: Optional[float] = None
    n_tail: Optional[int] = None
    sigma: Optional[float] = None
    ks_distance: Optional[float] = None
    gof_p: Optional[float] = None
    gof_replicates: Optional[int] = None
    gof_replicates_planned: Optional[int] = None   # fewer run than planned: the sequential test stopped (p >= 0.1)
    xmin_search: Optional[str] = None
    vs_lognormal: Optional[Dict[str, Any]] = None
    vs_exponential: Optional[Dict[str, Any]] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class SampleSummary:
    n: Optional[int] = None
    mean: Optional[float] = None
    median: Optional[float] = None
    max: Optional[float] = None
    max_over_median: Optional[float] = None
    excess_kurtosis: Optional[float] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    """What ``noisescope check --json`` printed (schemas/check-report.schema.json
    is the contract; tests/test_schemas.py checks both). ``verdict`` is a string:
    ``infinite-variance``, ``heavy``, ``light`` (and ``inconclusive`` in newer
    binaries); see docs/check.md at the repository root for the rule."""
    verdict: str
    verdict_reason: Optional[str] = None
    # The verdict's estimate and its 95 % interval (with the bias allowance): the
    # interval to read first, with the coverage noisescope calibrate measured for it
    # ({"n", "covered", "total", "rate", "measured_on"}); the estimators' own are nominal.
    alpha: Optional[float] = None
    alpha_interval95: Optional[List[Optional[float]]] = None
    alpha_interval_coverage: Optional[Dict[str, Any]] = None
    n: Optional[int] = None
    summary: Optional[SampleSummary] = None
    hill: Optional[TailEstimate] = None
    moments: Optional[TailEstimate] = None
    pickands: Optional[TailEstimate] = None
    kernel: Optional[TailEstimate] = None
    powerlaw: Optional[PowerLawFit] = None
    k_selection: Optional[Dict[str, Any]] = None
    dropped: Optional[Dict[str, Any]] = None
    extra: Dict[str, Any] = field(default_factory=dict)
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "CheckResult":
        if not isinstance(data, dict) or not isinstance(data.get("verdict"), str):
            raise CheckFailed("noisescope check --json printed no verdict")
        nested: Dict[str, Union[Type[SampleSummary], Type[PowerLawFit], Type[TailEstimate]]] = {
            "summary": SampleSummary, "powerlaw": PowerLawFit, "hill": TailEstimate,
            "moments": TailEstimate, "pickands": TailEstimate, "kernel": TailEstimate}
        known = {f.name for f in fields(cls)} - {"extra", "raw"}
        values: Dict[str, Any] = {k: (_build(nested[k], v) if k in nested else v) for k, v in data.items()
                                  if k in known}
        return cls(**values, extra={k: v for k, v in data.items() if k not in known}, raw=data)


def _wheel_binary() -> Optional[str]:
    """The binary of the ``noisescope`` wheel, if that distribution is installed."""
    try:
        noisescope = importlib.import_module("noisescope")     # the wheel of scripts/build-wheel; optional
    except ImportError:
        return None
    locate = getattr(noisescope, "binary_path", None)
    path = locate() if callable(locate) else None
    return path if isinstance(path, str) and os.path.isfile(path) and os.access(path, os.X_OK) else None


def find_binary() -> str:
    """The noisescope binary: ``NOISESCOPE_BIN`` if set, else the ``noisescope``
    wheel's, else ``noisescope`` on PATH."""
    configured = os.environ.get("NOISESCOPE_BIN")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise NoisescopeNotFound(f"noisescope_torch: NOISESCOPE_BIN={configured} is not an executable file; "
                                     f"{INSTALL_HINT}")
        return configured
    bundled = _wheel_binary()
    if bundled is not None:
        return bundled
    found = shutil.which("noisescope")
    if found is None:
        raise NoisescopeNotFound(f"noisescope_torch: the noisescope binary is not on PATH; {INSTALL_HINT}")
    return found


def _samples_array(samples: Any) -> np.ndarray:
    """``samples`` as a 1-D float64 array, refusing what would lose meaning
    silently: more than one dimension (flattening would mix columns), complex
    numbers (casting drops the imaginary part), and anything not numeric."""
    array = np.asarray(samples)
    if array.ndim != 1:
        raise ValueError(f"noisescope_torch.check: samples must be 1-D, got shape {array.shape}; pass one column "
                         f"(x[:, j]) or x.ravel() if every entry is a sample")
    if np.iscomplexobj(array):
        raise ValueError("noisescope_torch.check: samples are complex; pass their magnitudes (np.abs(x)) or real parts")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"noisescope_torch.check: samples must be numbers, got dtype {array.dtype}")
    return array.astype(np.float64)


def _option_args(options: Dict[str, Any]) -> List[str]:
    args = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        else:
            args += [flag, str(value)]
    return args


def check(samples: Union[str, os.PathLike[str], np.ndarray, Sequence[float]], *, timeout: Optional[float] = None,
          **options: Any) -> CheckResult:
    """The tail verdict on ``samples``: a file (any format ``noisescope check``
    reads), a log directory, or an array / sequence of numbers (written to a
    temporary 1-D float64 .npy). A noisescope_torch log directory (one with a
    manifest.json) goes to the binary as it is, as ``noisescope check DIR``
    would: it reads the per-example noise where the log has it (its interval
    resampling whole recording steps, whose samples share the mean gradient),
    else ``noise_norms.npy``; any other directory means its ``noise_norms.npy``.
    ``options`` become
    command-line options: ``check(x, k=200, bootstrap=0, xmin_search="grid")``
    runs ``noisescope check FILE --json --k 200 --bootstrap 0 --xmin-search grid``."""
    if "json" in options or "output" in options:
        raise ValueError("noisescope_torch.check: json= and output= are set by check() itself")
    binary = find_binary()
    temporary = None
    if isinstance(samples, (str, os.PathLike)):
        path = os.fspath(samples)
        if os.path.isdir(path) and not os.path.isfile(os.path.join(path, MANIFEST)):
            path = os.path.join(path, MERGED)
        if not os.path.exists(path):
            raise FileNotFoundError(f"noisescope_torch.check: {path} does not exist")
    else:
        array = _samples_array(samples)
        handle, temporary = tempfile.mkstemp(prefix="noisescope_check_", suffix=".npy")
        os.close(handle)
        write_npy_atomic(temporary, array)
        path = temporary
    try:
        done = subprocess.run([binary, "check", path, "--json", *_option_args(options)], capture_output=True,
                              text=True, timeout=timeout)
    finally:
        if temporary is not None:
            os.remove(temporary)
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip() or "no message").splitlines()[-1]
        raise CheckFailed(f"noisescope check exited with status {done.returncode}: {message}")
    try:
        data = json.loads(done.stdout)
    except ValueError as error:
        raise CheckFailed(f"noisescope check --json printed no valid JSON ({error})") from None
    return CheckResult.from_json(data)
