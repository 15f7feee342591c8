"""``recommend``: what a tail verdict suggests doing, as a small dataclass.

Honesty first. The claim that clipping helps *because* the gradient noise is
heavy-tailed (Zhang et al. 2020; Chezhegov et al. 2025) is disputed: Kunstner
et al. (ICLR 2023) find the Adam-SGD gap persists, and grows, at full batch
where there is no noise, and Kunstner et al. (NeurIPS 2024) trace it to
heavy-tailed class imbalance (rare tokens). A "heavy" verdict therefore says
clipping is *worth trying*, not that it will help; compare against Adam.

The clipping threshold: the ``quantile`` (default 0.9) of measured gradient
norms ||g|| of the training batches. At the 0.9 quantile about one step in ten
is clipped: the rare large steps that a heavy tail produces are capped, while
typical steps are untouched (a threshold at the median would rescale half of
all steps, which mostly acts as a smaller learning rate). This is a heuristic
starting point, not a value the papers derive (their theory's level depends on
unknown constants); it is the ``clip`` of ClipAdamNorm / ClipAdaGradNorm (whose
``b0`` can be set to the same value so that a delayed method's first step is at
most ``lr`` long). ACClip sets per-coordinate thresholds itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

if TYPE_CHECKING:
    from .check import CheckResult

__all__ = ["Recommendation", "recommend", "advice_table"]


def advice_table() -> Dict[str, Dict[str, Any]]:
    """The advice table, ``advice.json`` in this package: per verdict its meaning,
    what to do, the optimizer family and classes, and the caveats. The same file
    is the README's verdict table and, compiled in, the Swift report's advice."""
    text = resources.files("noisescope_torch").joinpath("advice.json").read_text(encoding="utf-8")
    verdicts: Dict[str, Dict[str, Any]] = json.loads(text)["verdicts"]
    return verdicts


@dataclass
class Recommendation:
    verdict: str
    family: str                       # "clipped-adaptive", "unclipped", or "no-change"
    optimizers: List[str]             # classes of noisescope_torch.optim (or torch.optim) to try
    clip_threshold: Optional[float]   # the quantile's gradient norm (None without a clipped family)
    quantile: float
    caveats: List[str] = field(default_factory=list)


def _quantile_value(norms: Union[Mapping[float, float], Sequence[float], np.ndarray], q: float) -> float:
    if isinstance(norms, Mapping):
        for key, value in norms.items():
            if abs(float(key) - q) < 1e-12:
                return float(value)
        raise ValueError(f"noisescope_torch.recommend: grad_norm_quantiles has no {q} quantile "
                         f"(keys {sorted(float(k) for k in norms)}); pass it or the raw gradient norms")
    values = np.asarray(norms, dtype=np.float64).reshape(-1)
    values = values[np.isfinite(values)]
    if values.size < 10:
        raise ValueError(f"noisescope_torch.recommend: need at least 10 finite gradient norms, got {values.size}")
    return float(np.quantile(values, q))


def recommend(check_result: Union[CheckResult, str],
              grad_norm_quantiles: Union[Mapping[float, float], Sequence[float], np.ndarray],
              quantile: float = 0.9) -> Recommendation:
    """``check_result``: a :class:`CheckResult` (or its verdict string);
    ``grad_norm_quantiles``: ``{quantile: norm}`` or the raw gradient norms
    ||g|| of training batches (e.g. the Trainer's ``grad_norm`` log)."""
    if not 0 < quantile < 1:
        raise ValueError(f"noisescope_torch.recommend: quantile must be in (0, 1), got {quantile}")
    verdict = check_result if isinstance(check_result, str) else getattr(check_result, "verdict", None)
    if not isinstance(verdict, str):
        raise TypeError("noisescope_torch.recommend: check_result must be a CheckResult or a verdict string")
    threshold = _quantile_value(grad_norm_quantiles, quantile)
    table = advice_table()
    entry = table.get(verdict, table["inconclusive"])
    caveats = [str(c) for c in entry["caveats"]]
    if verdict not in table or verdict == "inconclusive":
        caveats[0] = f"The verdict is {verdict!r}: " + caveats[0][0].lower() + caveats[0][1:]
    return Recommendation(verdict, str(entry["family"]), [str(o) for o in entry["optimizers"]],
                          threshold if entry["clip_threshold"] else None, quantile, caveats)
