"""Optimizers that act on a heavy-tailed-noise verdict, as ``torch.optim.Optimizer``
subclasses. Same conventions as the Swift package (Sources/NoiseScopeTraining,
ACClip.swift and NormAdaptiveSGD.swift); the shared single-step fixture
tests/fixtures/optimizer_single_step.json checks both against the same
hand-computed numbers.

ACClip (Zhang et al. 2020, "Why are adaptive methods good for attention
models?", Algorithm 1), per coordinate:

    m <- b1 m + (1 - b1) g
    tau^a <- b2 tau^a + (1 - b2) |g|^a
    g_hat = min(tau / (|m| + eps), 1) m
    x <- x - lr (g_hat + wd x)                 (decoupled weight decay)

Clip-Adam-Norm / Clip-AdaGrad-Norm (Chezhegov et al., ICML 2025, arXiv
2406.04443), one scalar step size for the whole gradient vector:

    g~ = clip(g, c) = g min(1, c / ||g||)      (clip=None: g~ = g, plain Adam-/AdaGrad-Norm)
    s <- s + ||g~||^2                          (AdaGrad-Norm)
    s <- b2 s + (1 - b2) ||g~||^2              (Adam-Norm)
    m <- b1 m + (1 - b1) g~
    x <- x - lr (m / (sqrt(s) + eps) + wd x)   (delayed=True: s from before this step)

Conventions (those of the Swift implementation): no bias correction anywhere
(the norm methods start s at b0^2 > 0 instead); weight decay is decoupled;
ACClip's threshold average starts at tau0^a (tau0 = 0). ||g|| is the norm over
every parameter of the optimizer (all param groups), accumulated in float64;
c, b1, b2, eps and b0 are therefore optimizer-wide (param groups may differ
only in lr and weight_decay). The element-wise arithmetic runs in the
parameter's dtype.

DDP: all state is per parameter (the norm methods keep a copy of the scalar s,
a Python float, in every parameter's state); nothing is communicated. Under
DistributedDataParallel every rank holds the same all-reduced gradient, so
every rank computes the same ||g|| and takes the same step. Sharded gradients
(FSDP, ZeRO) would give each rank only its shard's norm: not supported for the
norm methods (ACClip is element-wise and works there too).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Iterable, Optional, Tuple, Union, overload

import torch
from torch.optim import Optimizer

__all__ = ["ACClip", "ClipAdamNorm", "ClipAdaGradNorm", "DelayedClipAdamNorm", "DelayedClipAdaGradNorm"]

# What torch.optim.Optimizer takes: tensors, or param groups (dicts with "params" and per-group options).
Params = Union[Iterable[torch.Tensor], Iterable[Dict[str, Any]]]


def _ema_(previous: torch.Tensor, sample: torch.Tensor, decay: float) -> torch.Tensor:
    """previous <- decay previous + (1 - decay) sample, in place; decay 0 and 1
    give sample and previous exactly (as the Swift exponentialAverage)."""
    if decay == 0:
        return previous.copy_(sample)
    if decay == 1:
        return previous
    return previous.mul_(decay).add_(sample, alpha=1 - decay)


def _descend_(p: torch.Tensor, direction: torch.Tensor, lr: float, wd: float) -> None:
    """p <- p - lr (direction + wd p)."""
    if wd != 0:
        direction = direction.add(p, alpha=wd)
    p.sub_(direction, alpha=lr) if lr != 1 else p.sub_(direction)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(f"noisescope_torch.optim: {message}")


class ACClip(Optimizer):
    """ACClip (Zhang et al. 2020, Algorithm 1). Defaults from the paper: lr 1e-4,
    betas (0.9, 0.99), eps 1e-5, alpha 1, weight_decay 1e-5 (decoupled here; the
    authors' code adds it to the gradient), tau0 0."""

    def __init__(self, params: Params, lr: float = 1e-4, betas: Tuple[float, float] = (0.9, 0.99), eps: float = 1e-5,
                 weight_decay: float = 1e-5, alpha: float = 1.0, tau0: float = 0.0):
        _check(lr >= 0 and math.isfinite(lr), f"lr must be finite and >= 0, got {lr}")
        _check(0 <= betas[0] < 1, f"betas[0] must be in [0, 1), got {betas[0]}")
        _check(0 <= betas[1] <= 1, f"betas[1] must be in [0, 1], got {betas[1]}")
        _check(eps >= 0, f"eps must be >= 0, got {eps}")
        _check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")
        _check(1 <= alpha <= 2, f"alpha must be in [1, 2], got {alpha}")
        _check(tau0 >= 0, f"tau0 must be >= 0, got {tau0}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, alpha=alpha,
                                      tau0=tau0))

    @overload
    def step(self, closure: None = None) -> None: ...

    @overload
    def step(self, closure: Callable[[], float]) -> float: ...

    @torch.no_grad()
    def step(self, closure: Optional[Callable[[], float]] = None) -> Optional[float]:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            b1, b2 = group["betas"]
            alpha, eps = group["alpha"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("noisescope_torch.optim.ACClip does not support sparse gradients")
                g = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["momentum"] = torch.zeros_like(p)
                    state["tau_power"] = torch.full_like(p, group["tau0"] ** alpha)   # tau^alpha
                state["step"] += 1
                m, tau_power = state["momentum"], state["tau_power"]
                magnitude = g.abs()
                _ema_(m, g, b1)
                _ema_(tau_power, magnitude if alpha == 1 else magnitude.pow(alpha), b2)
                tau = tau_power if alpha == 1 else tau_power.pow(1 / alpha)
                size = m.abs().add_(eps)
                factor = torch.where(size > tau, tau / size, torch.ones_like(size))   # NaN size: 1, NaN passed on
                _descend_(p, factor.mul_(m), group["lr"], group["weight_decay"])
        return loss


class _NormAdaptive(Optimizer):
    _adam = True

    def __init__(self, params: Params, lr: float = 0.01, betas: Optional[Tuple[float, float]] = None,
                 eps: float = 1e-8, weight_decay: float = 0.0, clip: Optional[float] = 1.0, b0: float = 1.0,
                 delayed: bool = False):
        if betas is None:
            betas = (0.9, 0.999) if self._adam else (0.0, 1.0)
        _check(lr >= 0 and math.isfinite(lr), f"lr must be finite and >= 0, got {lr}")
        _check(0 <= betas[0] < 1, f"betas[0] must be in [0, 1), got {betas[0]}")
        _check(0 <= betas[1] <= 1, f"betas[1] must be in [0, 1], got {betas[1]}")
        _check(eps >= 0, f"eps must be >= 0, got {eps}")
        _check(weight_decay >= 0, f"weight_decay must be >= 0, got {weight_decay}")
        _check(clip is None or clip > 0, f"clip level c must be > 0 (or None for no clipping), got {clip}")
        _check(b0 >= 0 and math.isfinite(b0), f"initial scale b0 must be finite and >= 0, got {b0}")
        _check(b0 > 0 or eps > 0, "b0 or eps must be > 0 so that the first step is defined")
        self._shared = dict(betas=tuple(betas), eps=eps, clip=clip, b0=b0, delayed=bool(delayed))
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, **self._shared))

    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        for key, value in getattr(self, "_shared", {}).items():
            if key in param_group and param_group[key] != value:
                raise ValueError(f"noisescope_torch.optim: {key} is optimizer-wide for {type(self).__name__} "
                                 f"(one gradient norm); param groups may differ only in lr and weight_decay")
        super().add_param_group(param_group)

    @overload
    def step(self, closure: None = None) -> None: ...

    @overload
    def step(self, closure: Callable[[], float]) -> float: ...

    @torch.no_grad()
    def step(self, closure: Optional[Callable[[], float]] = None) -> Optional[float]:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        live = [(group, p) for group in self.param_groups for p in group["params"] if p.grad is not None]
        if not live:
            return loss
        b1, b2 = self.defaults["betas"]
        eps, clip, delayed = self.defaults["eps"], self.defaults["clip"], self.defaults["delayed"]
        for _, p in live:
            if p.grad.is_sparse:
                raise RuntimeError(f"noisescope_torch.optim.{type(self).__name__} does not support sparse gradients")
        device = live[0][1].grad.device
        summed = torch.zeros((), dtype=torch.float64, device=device)
        for _, p in live:
            g64 = p.grad.detach().to(device=device, dtype=torch.float64).reshape(-1)
            summed += torch.dot(g64, g64)
        norm_sq = float(summed)           # one host sync per step: the scalar step size
        norm = math.sqrt(norm_sq)
        factor = clip / norm if clip is not None and norm > clip else 1.0
        statistic = factor * factor * norm_sq
        first = self.state[live[0][1]]
        previous = float(first["scale_sq"]) if "scale_sq" in first else self.defaults["b0"] ** 2
        if self._adam:
            current = previous if b2 == 1 else statistic if b2 == 0 else b2 * previous + (1 - b2) * statistic
        else:
            current = previous + statistic
        denominator = math.sqrt(previous if delayed else current) + eps
        for group, p in live:
            state = self.state[p]
            if "momentum" not in state:
                state["step"] = 0
                state["momentum"] = torch.zeros_like(p)
            state["step"] += 1
            state["scale_sq"] = current          # a float: load_state_dict leaves it float64
            m = _ema_(state["momentum"], p.grad if factor == 1.0 else p.grad.mul(factor), b1)
            _descend_(p, m.div(denominator), group["lr"], group["weight_decay"])
        return loss

    @property
    def scale_sq(self) -> Optional[float]:
        """The current step-size statistic s = b^2 (None before the first step)."""
        for group in self.param_groups:
            for p in group["params"]:
                if "scale_sq" in self.state.get(p, {}):
                    return float(self.state[p]["scale_sq"])
        return None


class ClipAdamNorm(_NormAdaptive):
    """Clip-Adam-Norm: s <- b2 s + (1 - b2)||clip(g, c)||^2, momentum b1, no bias
    correction. Defaults (Swift's): lr 0.01, betas (0.9, 0.999), eps 1e-8, c 1,
    b0 1, weight_decay 0. ``clip=None``: Adam-Norm; ``delayed=True``: steps with
    s from before the current gradient."""
    _adam = True


class ClipAdaGradNorm(_NormAdaptive):
    """Clip-AdaGrad-Norm: s <- s + ||clip(g, c)||^2. Defaults (Swift's): lr 0.01,
    betas (0, ignored) -- b1 = 0 is classic AdaGrad-Norm, b1 > 0 the momentum
    variant --, eps 1e-8, c 1, b0 1. ``clip=None``: AdaGrad-Norm;
    ``delayed=True``: steps with s from before the current gradient."""
    _adam = False


class DelayedClipAdamNorm(ClipAdamNorm):
    """ClipAdamNorm(delayed=True)."""

    def __init__(self, params: Params, **kwargs: Any):
        kwargs.setdefault("delayed", True)
        _check(kwargs["delayed"] is True, "DelayedClipAdamNorm is delayed; use ClipAdamNorm for delayed=False")
        super().__init__(params, **kwargs)


class DelayedClipAdaGradNorm(ClipAdaGradNorm):
    """ClipAdaGradNorm(delayed=True)."""

    def __init__(self, params: Params, **kwargs: Any):
        kwargs.setdefault("delayed", True)
        _check(kwargs["delayed"] is True, "DelayedClipAdaGradNorm is delayed; use ClipAdaGradNorm for delayed=False")
        super().__init__(params, **kwargs)
