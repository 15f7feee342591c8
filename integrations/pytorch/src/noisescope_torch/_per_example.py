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
the micro-batch rows of ``_records.py``. Only these parts of K are needed
(``_capture.StepStats``: its diagonal, row sums, total and the sums over the
sub-batches' blocks). Several ranks: gbar is the all-reduced ``.grad`` v,
|g_i - v|^2 = s^2 K_ii - 2 s <c_i, v> + |v|^2.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.distributed as dist

from ._capture import Capture
from ._dist import all_gather_varlen
from ._plan import plan
from ._stats import StepStats

# A rank's per-tensor |g_r|^2, <g_r, gbar> and |gbar|^2 (``PerExample.ranks(own=)``, FSDP).
OwnSums = Tuple[torch.Tensor, torch.Tensor, torch.Tensor]
# One process's step: (per-example norms, sub-batch rows, None, "") or (None, None, why, kind).
OneProcessStep = Tuple[Optional[np.ndarray], Optional[torch.Tensor], Optional[str], str]


class PerExampleUnavailable(ValueError):
    """The model has a module through which per-example gradients are not defined."""


def why_not_per_example(model: torch.nn.Module) -> Optional[str]:
    """None when per-example noise is available for ``model`` (a module or its
    DDP wrapper), else the reason, in words (for the trainer callbacks)."""
    from ._params import ddp_ignored, trainable, unwrap
    module = unwrap(model, None, allow_fsdp2=True)[0]
    return plan(module, trainable(module, ddp_ignored(model))[1])[1]


def one_process_noise(step: StepStats) -> torch.Tensor:
    """(T, N) per-tensor |(g_i - gbar)_t|^2."""
    n = float(sum(step.sizes))
    return step.diag * n * n - 2 * n * step.rowsum + step.total[:, None]


def sub_batch_rows(step: StepStats, per_tensor: bool) -> torch.Tensor:
    """Rows [1, |h_j - gbar|^2, |h_j|^2, |gbar|^2, b, N] (+ per tensor the same
    three, with ``per_tensor``) of the step's sub-batches S_j of b consecutive
    examples (``_records.py``), h_j = mean_{S_j} g_i = (N / b) sum_{S_j} c_i."""
    n, b, k = sum(step.sizes), step.b, step.blocks.shape[1]
    s = float(n) / b
    cross = step.rowsum[:, :k * b].reshape(-1, k, b).sum(dim=2)                    # <sum_S c, sum c>
    h_t = s * s * step.blocks
    g_t = step.total[:, None].expand(-1, k)
    noise_t = h_t - 2 * s * cross + g_t
    head = torch.stack([torch.ones_like(h_t[0]), noise_t.sum(0), h_t.sum(0), g_t.sum(0),
                        torch.full_like(h_t[0], float(b)), torch.full_like(h_t[0], float(n))], dim=1)
    return torch.cat([head, noise_t.T, h_t.T, g_t.T], dim=1) if per_tensor else head


def consistency(captured: torch.Tensor, params: Sequence[torch.Tensor], names: Sequence[str],
                tolerance: float) -> Tuple[Optional[str], float]:
    """Whether the captured shares add up to ``.grad``, tensor by tensor
    (``captured``: |sum_i c_i|^2 per tensor), up to one common factor at most 1
    (gradient clipping after backward scales every tensor alike). Returns (the
    first mismatch in words or None, the factor)."""
    grads = [p.new_zeros(1) if p.grad is None else p.grad.to_dense() if p.grad.is_sparse else p.grad for p in params]
    held = torch.stack(torch._foreach_norm(grads)).to(device=captured.device, dtype=torch.float64).square()
    whole = float(captured.sum())
    scale = float(held.sum()) / whole if whole > 0 else 1.0
    gaps = (held - scale * captured).abs() / torch.maximum(held, scale * captured).clamp_min(1e-300)
    worst, where = float(gaps.max()), int(gaps.argmax())
    if worst > tolerance or scale > 1 + tolerance:
        return (f"the per-example shares of {names[where]} add up to a gradient of norm "
                f"{math.sqrt(max(float(captured[where]), 0.0)):.6g} but its .grad has norm "
                f"{math.sqrt(float(held[where])):.6g}"), scale
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
        self.skip_reason: Optional[str] = None    # the last skipped step's reason (the manifest's skip_reason)
        self.capture_failed = False       # the last step's hooks failed (a module's rule), not merely saw nothing

    @property
    def armed(self) -> bool:
        return self.capture.armed

    @armed.setter
    def armed(self, value: bool) -> None:
        self.capture.armed = bool(value)

    def _take(self, vectors: Optional[Sequence[torch.Tensor]] = None, sub_batches: int = 1,
              sub_samples: int = 1) -> Optional[StepStats]:
        try:
            try:
                step = self.capture.finish(vectors, sub_batches, sub_samples)
            except Exception as error:      # never break the user's training: the step is skipped
                self.capture._fail(f"per-example statistics: {error!r}")
                step = None
            self.capture_failed = self.capture.error is not None
            self.last_error = self.capture.error or (None if step is not None else
                                                     "no forward and backward were seen since the last step()")
            return step
        finally:
            self.capture.reset()

    def _count(self, n: int) -> None:
        self.samples += n
        self.steps += 1

    def _skip(self, kind: str, why: Optional[str]) -> Tuple[None, None, Optional[str], str]:
        self.skipped["failed" if kind == "batch" else kind] += 1
        return None, None, why, kind

    def one_process(self, micro_batches: int, micro_samples: int, per_tensor: bool,
                    expected: Optional[int] = None) -> OneProcessStep:
        """(per-example noise norms, micro-batch rows, None, "") or, for a
        skipped step, (None, None, why, kind) with kind a key of ``skipped``,
        or "batch" (counted as failed) when the hooks saw another number of
        examples than ``expected``, the batch size the recorder knows."""
        step = self._take(None, micro_batches, micro_samples)
        if step is None:
            return self._skip("failed", self.last_error)
        n = sum(step.sizes)
        if expected is not None and n != expected:
            # the shares of any split of the batch add up to .grad: the consistency check cannot see this
            return self._skip("batch", f"the modules saw {n} examples (dimension 0 of their inputs) but the batch "
                              f"has {expected}: per-example noise needs the batch as dimension 0 (a sequence-first "
                              f"input?)")
        if n < 2:
            raise ValueError("noisescope_torch: a step of 1 example has no per-example noise (g_1 - gbar = 0); "
                             "record batches of at least 2 examples")
        if not all(bool(torch.isfinite(x).all()) for x in (step.diag, step.rowsum, step.total)):
            return self._skip("non_finite", "its gradients hold NaN or infinity")
        mismatch, factor = consistency(step.total, self.params, self.names, self.tolerance)
        if mismatch is not None:
            return self._skip("inconsistent", mismatch + " (.grad holds gradient the hooks did not see: a parameter "
                              "used outside its module's forward, e.g. x @ emb.weight.T; .grad not zeroed since the "
                              "last step; a backward of another forward)")
        self.clipped_steps += int(factor < 1 - self.tolerance)
        noise = one_process_noise(step).sum(dim=0).clamp_min(0).sqrt()
        rows = sub_batch_rows(step, per_tensor)
        self._count(n)
        return noise.cpu().numpy(), rows, None, ""

    def ranks(self, group: Optional[dist.ProcessGroup], world: int, mean: Sequence[Optional[torch.Tensor]],
              own: Optional[List[Optional[OwnSums]]] = None) -> Tuple[Optional[np.ndarray], Optional[str]]:
        """Several ranks (a collective: every rank calls it on every recording
        step): ``mean`` is gbar per tensor (the all-reduced gradient). Returns
        every rank's per-example norms, rank-major, on every rank. With a list
        ``own`` (FSDP, where no local gradient is ever formed) appends this
        rank's per-tensor |g_r|^2, <g_r, gbar> and |gbar|^2, g_r = sum of its
        examples' shares (its local gradient), or None when nothing was captured."""
        vectors = [v if v is not None else torch.zeros(p.shape, dtype=p.dtype, device=p.device)
                   for v, p in zip(mean, self.params)]
        step = self._take([v.detach() for v in vectors])
        if own is not None:
            own.append(None if step is None or step.dots is None else      # dots: made for the vectors
                       (step.total, step.dots.sum(dim=1), torch.stack([v.double().square().sum() for v in vectors])))
        local = torch.zeros(0, dtype=torch.float64)
        if step is not None and step.dots is not None:
            local = torch.stack([step.diag.sum(0), step.dots.sum(0)], 1).reshape(-1)
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

    def manifest(self) -> Dict[str, Any]:
        return {"samples": self.samples, "recorded_steps": self.steps, "skipped_steps": dict(self.skipped),
                "clipped_steps": self.clipped_steps,
                **({} if self.skip_reason is None else {"skip_reason": self.skip_reason}),
                "gradients": "as the backward left them, before any clipping (captured during backward)",
                "shared_tensors": sorted(self.names[t] for t in self.capture.shared),
                "modules": self.capture.describe(self.names)}

