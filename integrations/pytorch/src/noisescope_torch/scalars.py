"""Scalars of a NoiseRecorder for the dashboards users already watch
(TensorBoard, Weights & Biases, the trainers' loggers; README "Scalars").

Every ``window`` recorded steps, :meth:`NoiseScalars.update` returns a flat
``{name: float}`` dict (names under ``prefix``, default ``noisescope/``):

- ``samples``: noise samples in the log so far (per-example samples, else the
  merged noise norms);
- ``noise_median``, ``noise_q99``, ``noise_q99_over_median``: of the window's
  samples (the examples of its recorded steps; without per-example noise its
  noise norms): the tail of the noise as it is now, where the verdict reads the
  whole run;
- ``b_simple_ema``: the running two-batch B_simple of the window's last record;
- ``share/<group>``: each layer group's share of the window's squared noise
  (per-layer recording: the records' ``noise_sq_by_tensor`` summed by group,
  over their sum; the shares add up to 1);
- from the tail verdict of ``noisescope check`` on the log (the Swift binary,
  ``check.py``), whenever a new one is ready: ``verdict_code`` (``CODES``:
  light 0, heavy 1, infinite-variance 2, inconclusive -1), ``verdict_samples``
  (the n it read) and, when the verdict has a stable tail estimate, ``alpha``
  with ``alpha_low``, ``alpha_high`` (its 95 % interval with the bias allowance).

The verdict needs the binary and takes seconds on thousands of samples, so it
runs only every ``verdict_every`` recorded steps, on the log directory (files
flushed first), by default in a background thread: training never waits for
it, and its scalars come with the first window after it is done.
:meth:`close` waits for a last verdict on the whole run. When the binary is
missing or fails, the quantiles are still logged, a warning says why once,
and ``why_no_verdict`` keeps the reason (the TensorBoard helper writes it as text).
With several ranks only rank 0 logs (it holds every rank's samples); elsewhere
:meth:`update` returns None.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any, Dict, List, Optional

import numpy as np

CODES = {"light": 0, "heavy": 1, "infinite-variance": 2, "inconclusive": -1}


def verdict_scalars(result: Any) -> Dict[str, float]:
    """``verdict_code``, ``verdict_samples`` and, where the verdict has them,
    ``alpha``, ``alpha_low``, ``alpha_high`` of a :class:`check.CheckResult`."""
    out = {"verdict_code": float(CODES.get(result.verdict, -1))}
    if result.n is not None:
        out["verdict_samples"] = float(result.n)
    evidence = result.extra.get("evidence") or {}
    alpha, interval = evidence.get("alpha"), evidence.get("alpha_ci95")
    if isinstance(alpha, (int, float)):
        out["alpha"] = float(alpha)
    if isinstance(interval, (list, tuple)) and len(interval) == 2 and all(isinstance(v, (int, float))
                                                                         for v in interval):
        out["alpha_low"], out["alpha_high"] = float(interval[0]), float(interval[1])
    return out


def verdict_text(result: Any) -> str:
    """One line: the verdict and its reason."""
    return f"{result.verdict}: {result.verdict_reason}" if result.verdict_reason else result.verdict


class NoiseScalars:
    """The scalars of ``recorder`` (a :class:`NoiseRecorder`), one dict per
    window of ``window`` recorded steps; a verdict every ``verdict_every``
    recorded steps (0 or None: none), in a ``background`` thread or inline,
    with ``check_options`` for ``noisescope check`` (default ``bootstrap=0``:
    the power-law fit's goodness-of-fit replicates, which the verdict does not
    use)."""

    def __init__(self, recorder: Any, window: int = 10, verdict_every: Optional[int] = 50,
                 check_options: Optional[Dict[str, Any]] = None, background: bool = True,
                 prefix: str = "noisescope/"):
        if int(window) < 1:
            raise ValueError(f"noisescope_torch: window must be at least 1, got {window}")
        self.recorder, self.window, self.prefix = recorder, int(window), prefix
        self.verdict_every = int(verdict_every or 0)
        self.check_options = {"bootstrap": 0} if check_options is None else dict(check_options)
        self.background = background
        self.active = recorder.rank == 0
        self._records: List[Dict[str, Any]] = []
        self._since_verdict = 0
        self._thread: Optional[threading.Thread] = None
        self._result: Any = None            # a CheckResult not yet logged
        self.verdict: Any = None            # the latest CheckResult
        self.why_no_verdict: Optional[str] = None if self.verdict_every else "verdict_every=0: switched off"
        self._failure: Optional[str] = None
        self._lock = threading.Lock()
        self._warned = False
        self._text: Optional[str] = None       # the verdict's line, or why there is none, when it changed
        self._said: Optional[str] = None
        self.last_step: Optional[int] = None   # the step of the last record fed: where to log the scalars

    # ---------------------------------------------------------------- driving

    def update(self, record: Optional[Dict[str, Any]]) -> Optional[Dict[str, float]]:
        """Feed what ``recorder.step()`` returned; the window's scalars when it
        is full (with the verdict's when a new one is ready), else None."""
        if not self.active or record is None:
            return None
        self._records.append(record)
        self.last_step = int(record["step"])
        self._since_verdict += 1
        if self.verdict_every and self._since_verdict >= self.verdict_every:
            self._start_verdict()
        if len(self._records) < self.window:
            return None
        return self._emit()

    def close(self) -> Optional[Dict[str, float]]:
        """Closes the recorder if it is still open (several ranks: a collective,
        call it on every rank), then returns the last (partial) window's scalars
        with a verdict on the whole run (waited for); None if nothing is left."""
        if not self.recorder.closed:
            last = self.recorder.close()
            if last is not None and self.active:
                self._records.append(last)
                self.last_step = int(last["step"])
                self._since_verdict += 1
        if not self.active:
            return None
        if self._thread is not None:
            self._thread.join()
        if self.verdict_every and (self._since_verdict or self.verdict is None):
            self._run_verdict()
        if not self._records and self._result is None:
            return None
        return self._emit()

    # ---------------------------------------------------------------- internals

    def _start_verdict(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return                                  # the previous one is still running: later
        self._since_verdict = 0
        self.recorder.flush()                       # the binary reads the files
        if self.background:
            self._thread = threading.Thread(target=self._run_verdict, name="noisescope-verdict", daemon=True)
            self._thread.start()
        else:
            self._run_verdict()

    def _run_verdict(self) -> None:
        from .check import check
        try:
            result = check(self.recorder.log_dir, **self.check_options)
        except Exception as error:          # never break training: no binary, a failed check, ...
            with self._lock:
                self._failure = f"{type(error).__name__}: {error}"
            return
        with self._lock:
            self._result, self.verdict, self._failure = result, result, None

    def _samples(self) -> np.ndarray:
        if self.recorder.per_example:
            count = sum(int(r.get("examples") or 0) for r in self._records)
            examples = self.recorder._files.examples
            return np.asarray(examples[len(examples) - count:] if count else [], dtype=np.float64)
        return np.asarray([v for r in self._records for v in r.get("noise_norms") or [] if v is not None],
                          dtype=np.float64)

    def _shares(self) -> Dict[str, float]:
        layers = getattr(self.recorder, "_layers", None)
        rows = [r["noise_sq_by_tensor"] for r in self._records if r.get("noise_sq_by_tensor") is not None]
        if layers is None or not rows:
            return {}
        per_tensor = np.nan_to_num(np.asarray(rows, dtype=np.float64)).sum(axis=0)
        per_group = layers.matrix @ per_tensor
        total = float(per_group.sum())
        if not total > 0:
            return {}
        return {f"share/{name}": float(v / total) for name, v in zip(layers.groups, per_group)}

    def _emit(self) -> Dict[str, float]:
        out: Dict[str, float] = {}
        files = self.recorder._files
        out["samples"] = float(len(files.examples) if self.recorder.per_example else
                               len(files.merged if self.recorder.world_size > 1 else files.own))
        samples = self._samples()
        samples = samples[np.isfinite(samples)]
        if samples.size:
            median, q99 = (float(v) for v in np.quantile(samples, [0.5, 0.99]))
            out["noise_median"], out["noise_q99"] = median, q99
            if median > 0:
                out["noise_q99_over_median"] = q99 / median
        last = next((r for r in reversed(self._records) if r.get("b_simple_ema") is not None), None)
        if last is not None:
            out["b_simple_ema"] = float(last["b_simple_ema"])
        out.update(self._shares())
        with self._lock:
            result, failure, self._result = self._result, self._failure, None
        if result is not None:
            out.update(verdict_scalars(result))
            self.why_no_verdict = None
            self._say(verdict_text(result))
        elif failure is not None and failure != self.why_no_verdict:
            self.why_no_verdict = failure
            self._say(f"no verdict: {failure}")
            if not self._warned:
                self._warned = True
                warnings.warn(f"noisescope_torch: no tail verdict in the logged scalars ({failure}); the noise "
                              f"quantiles are logged without it", RuntimeWarning, stacklevel=3)
        self._records = []
        return {self.prefix + k: v for k, v in out.items()}

    def _say(self, text: str) -> None:
        if text != self._said:
            self._text = self._said = text

    def pop_text(self) -> Optional[str]:
        """The verdict's line (or why there is none) when it changed since the
        last call, else None (for a text panel beside the scalars)."""
        text, self._text = self._text, None
        return text
