"""Per-example noise of a recording step, from the per-tensor Gram matrices of
``_capture.py`` (README "Per-example noise", SCHEMA.md).

Convention: c_i is example i's share of ``.grad`` (what the hooks capture; the
shares of a step's n examples add up to ``.grad``), and the per-example
gradient is g_i = s c_i with s = n in one process, s = n_total / W over W
ranks, so that the mean of the g_i over all examples of the step is exactly the
gradient the optimizer sees (``.grad``, before clipping). For a mean loss
L = (1/n) sum_i l_i, g_i is the gradient of l_i itself; for a loss weighted by
tokens it is n times the example's share. The noise sample of example i is
|g_i - gbar|, gbar = mean_i g_i.

One process: |g_i - gbar|^2 = s^2 (K_ii - 2 mean_j K_ij + mean_jk K_jk), K the
Gram matrix of the c_i, and a sub-batch S of b examples has
|mean_S g - gbar|^2 = s^2 (mean_{S,S} K - 2 mean_{i in S} mean_j K_ij + mean K):
the micro-batch rows of ``_records.py``, all from one K. Several ranks: gbar is
the all-reduced ``.grad`` v, |g_i - v|^2 = s^2 K_ii - 2 s <c_i, v> + |v|^2.
"""

from __future__ import annotations

import math
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.distributed as dist

from ._capture import Capture, StepGram
from ._dist import all_gather_varlen
from ._rules import plan


class PerExampleUnavailable(ValueError):
    """The model has a module through which per-example gradients are not defined."""


def why_not_per_example(model: torch.nn.Module) -> Optional[str]:
    """None when per-example noise is available for ``model`` (a module or its
    DDP wrapper), else the reason, in words (for the trainer callbacks)."""
    from ._params import ddp_ignored, trainable, unwrap
    module = unwrap(model, None)[0]
    return plan(module, trainable(module, ddp_ignored(model))[1])[1]


def one_process_noise(gram: torch.Tensor, scale: float) -> torch.Tensor:
    """(T, N) per-tensor |(g_i - gbar)_t|^2."""
    r = gram.mean(dim=2)
    m = gram.mean(dim=(1, 2))
    return scale * scale * (gram.diagonal(dim1=1, dim2=2) - 2 * r + m[:, None])


def sub_batch_rows(gram: torch.Tensor, scale: float, micro_batches: int, micro_samples: int,
                   per_tensor: bool) -> torch.Tensor:
    """Rows [1, |h_j - gbar|^2, |h_j|^2, |gbar|^2, b, N] (+ per tensor the same
    three, with ``per_tensor``) of the first ``micro_samples`` of ``micro_batches``
    sub-batches of b = N // micro_batches consecutive examples (``_records.py``)."""
    n = gram.shape[1]
    m = min(micro_batches, n)
    b = n // m
    s2 = scale * scale
    r, mean = gram.mean(dim=2), gram.mean(dim=(1, 2))
    rows = []
    for j in range(min(micro_samples, m)):
        part = slice(j * b, (j + 1) * b)
        h_t = s2 * gram[:, part, part].mean(dim=(1, 2))
        noise_t = h_t - 2 * s2 * r[:, part].mean(dim=1) + s2 * mean
        g_t = s2 * mean
        head = torch.stack([h_t.new_ones(()), noise_t.sum(), h_t.sum(), g_t.sum(),
                            h_t.new_tensor(float(b)), h_t.new_tensor(float(n))])
        rows.append(torch.cat([head, noise_t, h_t, g_t]) if per_tensor else head)
    return torch.stack(rows)


def consistency(gram: torch.Tensor, params: Sequence[torch.Tensor], names: Sequence[str],
                tolerance: float) -> Tuple[Optional[str], float]:
    """Whether the captured shares add up to ``.grad``, tensor by tensor, up to
    one common factor at most 1 (gradient clipping after backward scales every
    tensor alike). Returns (the first mismatch in words or None, the factor)."""
    captured = gram.sum(dim=(1, 2))
    held = torch.stack([p.grad.double().pow(2).sum() if p.grad is not None else captured.new_zeros(())
                        for p in params]).to(captured.device)
    scale = float(held.sum() / captured.sum()) if float(captured.sum()) > 0 else 1.0
    worst, where = 0.0, -1
    for t in range(len(params)):
        a, b = float(captured[t]), float(held[t])
        gap = abs(b - scale * a) / max(b, scale * a, 1e-300)
        if gap > worst:
            worst, where = gap, t
    if worst > tolerance or scale > 1 + tolerance:
        t = where if where >= 0 else 0
        return (f"the per-example shares of {names[t]} add up to a gradient of norm "
                f"{math.sqrt(max(float(captured[t]), 0.0)):.6g} but its .grad has norm "
                f"{math.sqrt(float(held[t])):.6g}"), scale
    return None, scale


class PerExample:
    """The per-example part of a NoiseRecorder: hooks, then one call per recording step."""

    def __init__(self, module: torch.nn.Module, names: Sequence[str], params: Sequence[torch.Tensor],
                 path: str = "auto"):
        rules, reason = plan(module, params)
        if reason is not None:
            raise PerExampleUnavailable(reason)
        self.names, self.params = list(names), list(params)
        self.capture = Capture(module, rules, params, path)
        self.tolerance = 1e-6 if all(p.dtype == torch.float64 for p in params) else 3e-2
        self.samples = 0
        self.steps = 0
        self.skipped: Dict[str, int] = {"non_finite": 0, "inconsistent": 0, "failed": 0}
        self.clipped_steps = 0
        self.last_error: Optional[str] = None

    @property
    def armed(self) -> bool:
        return self.capture.armed

    @armed.setter
    def armed(self, value: bool) -> None:
        self.capture.armed = bool(value)

    def _take(self, vectors=None) -> Optional[StepGram]:
        try:
            step = self.capture.finish(vectors)
            self.last_error = self.capture.error or (None if step is not None else
                                                     "no forward and backward were seen since the last step()")
            return step
        finally:
            self.capture.reset()

    def _count(self, n: int) -> None:
        self.samples += n
        self.steps += 1

    def _skip(self, kind: str, why: Optional[str]) -> Tuple[None, None, Optional[str], str]:
        self.skipped[kind] += 1
        return None, None, why, kind

    def one_process(self, micro_batches: int, micro_samples: int, per_tensor: bool):
        """(per-example noise norms, micro-batch rows, None, "") or, for a
        skipped step, (None, None, why, kind) with kind a key of ``skipped``."""
        step = self._take()
        if step is None:
            return self._skip("failed", self.last_error)
        n = sum(step.sizes)
        if n < 2:
            raise ValueError("noisescope_torch: a step of 1 example has no per-example noise (g_1 - gbar = 0); "
                             "record batches of at least 2 examples")
        if not bool(torch.isfinite(step.gram).all()):
            return self._skip("non_finite", "its gradients hold NaN or infinity")
        mismatch, factor = consistency(step.gram, self.params, self.names, self.tolerance)
        if mismatch is not None:
            return self._skip("inconsistent", mismatch + " (.grad holds gradient the hooks did not see: a parameter "
                              "used outside its module's forward, e.g. x @ emb.weight.T; .grad not zeroed since the "
                              "last step; a backward of another forward)")
        self.clipped_steps += int(factor < 1 - self.tolerance)
        noise = one_process_noise(step.gram, float(n)).sum(dim=0).clamp_min(0).sqrt()
        rows = sub_batch_rows(step.gram, float(n), micro_batches, micro_samples, per_tensor)
        self._count(n)
        return noise.cpu().numpy(), rows, None, ""

    def ranks(self, group: Optional[dist.ProcessGroup], world: int, mean: Sequence[Optional[torch.Tensor]]
              ) -> Tuple[Optional[np.ndarray], Optional[str]]:
        """Several ranks (a collective: every rank calls it on every recording
        step): ``mean`` is gbar per tensor (the all-reduced gradient). Returns
        every rank's per-example norms, rank-major, on every rank."""
        vectors = [v if v is not None else torch.zeros_like(p) for v, p in zip(mean, self.params)]
        step = self._take([v.detach() for v in vectors])
        local = torch.zeros(0, dtype=torch.float64)
        if step is not None:
            local = torch.stack([step.gram.diagonal(dim1=1, dim2=2).sum(0), step.dots.sum(0)], 1).reshape(-1)
            if not bool(torch.isfinite(local).all()):
                local = torch.full((2,), float("nan"), dtype=torch.float64)
        parts = all_gather_varlen(local, group)
        if any(p.numel() == 0 for p in parts):
            self.skipped["failed"] += 1
            return None, self.last_error or "a rank captured nothing"
        if any(not bool(torch.isfinite(p).all()) for p in parts):
            self.skipped["non_finite"] += 1
            return None, "its gradients hold NaN or infinity"
        v_sq = float(sum(v.double().pow(2).sum() for v in vectors))
        both = torch.cat(parts).reshape(-1, 2).double()
        scale = both.shape[0] / world
        noise = (scale * scale * both[:, 0] - 2 * scale * both[:, 1] + v_sq).clamp_min(0).sqrt()
        self._count(both.shape[0])
        return noise.numpy(), None

    def manifest(self) -> Dict:
        return {"samples": self.samples, "recorded_steps": self.steps, "skipped_steps": dict(self.skipped),
                "clipped_steps": self.clipped_steps,
                "gradients": "as the backward left them, before any clipping (captured during backward)",
                "shared_tensors": sorted(self.names[t] for t in self.capture.shared),
                "modules": self.capture.describe(self.names)}

